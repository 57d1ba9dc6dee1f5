// npm run backup -- [file]
// A consistent copy of the configured database.
// - Embedded (DATA_DIR): a gzip tarball of the database folder. While the server runs, the server
//   itself writes it (asked through a request file and SIGUSR2; see server/db/backup.ts); when
//   nothing holds the folder, this process opens it and writes it. Default file:
//   DATA_DIR/backups/gridcommand-<time>.tar.gz.
// - PostgreSQL (DATABASE_URL): pg_dump --format=custom (a consistent snapshot while the server
//   runs). Default file: ./gridcommand-<time>.dump. Needs pg_dump of the server's major version.
// Exit 0 with one line naming the file; exit 1 with one line saying why.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { loadConfig } from '../server/config.js';
import { dumpTo, requestBackup } from '../server/db/backup.js';
import { DataDirLockedError, lockPathOf } from '../server/db/lock.js';
import { embeddedDir } from '../server/db/open.js';
import { openEmbedded } from '../server/db/pglite.js';

const die = (msg: string): never => {
  process.stderr.write(`backup: ${msg.replace(/\s*\n\s*/g, ' ')}\n`);
  process.exit(1);
};
const stamp = () => new Date().toISOString().replace(/[:]/g, '').replace(/\.\d+Z$/, 'Z');
const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;

async function main(): Promise<void> {
  const args = process.argv.slice(2).filter((a) => a !== '--');
  if (args.includes('-h') || args.includes('--help') || args.length > 1) {
    process.stdout.write('usage: npm run backup -- [file]   (see README "Backups 备份与恢复")\n');
    process.exit(args.length > 1 ? 2 : 0);
  }
  let config;
  try {
    config = loadConfig();
  } catch (e) {
    return die((e as Error).message);
  }

  if (config.databaseUrl) {
    const out = resolve(args[0] ?? `gridcommand-${stamp()}.dump`);
    mkdirSync(dirname(out), { recursive: true });
    const r = spawnSync('pg_dump', ['--format=custom', '--file', out, '--dbname', config.databaseUrl], { stdio: ['ignore', 'inherit', 'pipe'], encoding: 'utf8' });
    if (r.error) return die(`cannot run pg_dump (${(r.error as NodeJS.ErrnoException).code ?? r.error.message}): install the PostgreSQL client tools (Debian: apt-get install postgresql-client-15)`);
    if (r.status !== 0) return die(`pg_dump failed: ${r.stderr.trim().split('\n').pop() ?? `exit ${r.status}`}`);
    process.stdout.write(`backup: wrote ${out} (${mb(statSync(out).size)}, pg_dump custom format; restore with npm run restore -- ${out})\n`);
    return;
  }

  const dir = embeddedDir(config.dataDir);
  if (!existsSync(join(dir, 'PG_VERSION'))) return die(`no embedded database in ${dir} (is DATA_DIR right?)`);
  const out = resolve(args[0] ?? join(config.dataDir, 'backups', `gridcommand-${stamp()}.tar.gz`));
  mkdirSync(dirname(out), { recursive: true });
  try {
    // Nothing holds the folder: open it here (taking its lock) and write the copy.
    const db = await openEmbedded({ dataDir: dir, purpose: 'backup' });
    try {
      const bytes = await dumpTo(db.pglite, out);
      process.stdout.write(`backup: wrote ${out} (${mb(bytes)}; restore with npm run restore -- ${out})\n`);
    } finally {
      await db.close();
    }
  } catch (e) {
    if (!(e instanceof DataDirLockedError) || e.owner.hostname !== hostname()) return die((e as Error).message);
    // The server (or an import) holds it: ask that process for the copy.
    try {
      const bytes = await requestBackup(lockPathOf(dir), e.owner, out);
      process.stdout.write(`backup: process ${e.owner.pid} (${e.owner.purpose}) wrote ${out} (${mb(bytes)}; restore with npm run restore -- ${out})\n`);
    } catch (err) {
      return die((err as Error).message);
    }
  }
}

await main();

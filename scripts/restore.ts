// npm run restore -- <file>
// Puts a backup from `npm run backup` back. Stop the server first.
// - Embedded (DATA_DIR): the tarball is unpacked into a new folder beside the database, opened and
//   checked table by table; only then the current folder is moved aside (kept as
//   pglite.before-restore-<time>, never deleted) and the restored one takes its place. The
//   folder's lock is held throughout, so a running server makes this refuse, naming it.
// - PostgreSQL (DATABASE_URL): pg_restore --clean --if-exists --no-owner --single-transaction
//   into that database (all or nothing).
// Exit 0 with one line (cases restored, where the old folder went); exit 1 with one line.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadConfig } from '../server/config.js';
import type { Db } from '../server/db/db.js';
import { checkIntegrity } from '../server/db/integrity.js';
import { lockDataDir } from '../server/db/lock.js';
import { embeddedDir } from '../server/db/open.js';
import { openEmbedded } from '../server/db/pglite.js';

const die = (msg: string): never => {
  process.stderr.write(`restore: ${msg.replace(/\s*\n\s*/g, ' ')}\n`);
  process.exit(1);
};
const stamp = () => new Date().toISOString().replace(/[:]/g, '').replace(/\.\d+Z$/, 'Z');

/** The restored database reads whole; how many cases it holds. */
async function verify(db: Db): Promise<{ cases: number; tables: number }> {
  const report = await checkIntegrity(db);
  if (!report.ok) throw new Error(`the restored database is damaged: ${report.damaged.map((d) => `${d.table} (${d.problem})`).join('; ')}`);
  const hasIncidents = report.tables.some((t) => t.table === 'incident');
  const cases = hasIncidents ? (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM incident')).rows[0]!.n : 0;
  return { cases, tables: report.tables.length };
}

async function main(): Promise<void> {
  const args = process.argv.slice(2).filter((a) => a !== '--');
  if (args.length !== 1 || args[0] === '-h' || args[0] === '--help') {
    process.stdout.write('usage: npm run restore -- <file>   (stop the server first; see README "Backups 备份与恢复")\n');
    process.exit(args.length === 1 ? 0 : 2);
  }
  const file = resolve(args[0]!);
  if (!existsSync(file)) return die(`${file}: no such file`);
  let config;
  try {
    config = loadConfig();
  } catch (e) {
    return die((e as Error).message);
  }

  if (config.databaseUrl) {
    const r = spawnSync('pg_restore', ['--clean', '--if-exists', '--no-owner', '--single-transaction', '--exit-on-error',
      '--dbname', config.databaseUrl, file], { stdio: ['ignore', 'inherit', 'pipe'], encoding: 'utf8' });
    if (r.error) return die(`cannot run pg_restore (${(r.error as NodeJS.ErrnoException).code ?? r.error.message}): install the PostgreSQL client tools (Debian: apt-get install postgresql-client-15)`);
    if (r.status !== 0) return die(`pg_restore failed, nothing changed: ${r.stderr.trim().split('\n').filter(Boolean).slice(-2).join(' ')}`);
    const { openPostgres } = await import('../server/db/pg.js');
    const db = await openPostgres(config.databaseUrl, 1);
    try {
      const v = await verify(db);
      process.stdout.write(`restore: restored ${file} into DATABASE_URL: ${v.cases} cases, ${v.tables} tables read whole\n`);
    } finally {
      await db.close();
    }
    return;
  }

  const dir = embeddedDir(config.dataDir);
  let lock;
  try {
    lock = lockDataDir(dir, 'restore');
  } catch (e) {
    return die(`${(e as Error).message.replace(/ — .*$/, '')} — stop it before restoring`);
  }
  const fresh = `${dir}.restoring-${process.pid}`;
  try {
    rmSync(fresh, { recursive: true, force: true });
    let v;
    const db = await openEmbedded({ dataDir: fresh, loadDataDir: new Blob([readFileSync(file)], { type: 'application/x-gzip' }), purpose: 'restore' });
    try {
      v = await verify(db);
    } finally {
      await db.close();
    }
    let aside = '';
    if (existsSync(dir)) {
      aside = `${dir}.before-restore-${stamp()}`;
      renameSync(dir, aside);
    }
    renameSync(fresh, dir);
    process.stdout.write(`restore: restored ${file} into ${dir}: ${v.cases} cases, ${v.tables} tables read whole`
      + (aside ? `; the previous database is in ${aside} (delete it when no longer needed)` : '') + '\n');
  } catch (e) {
    rmSync(fresh, { recursive: true, force: true });
    return die(`${(e as Error).message} (nothing changed)`);
  } finally {
    lock.release();
  }
}

await main();

// npm run generate -- --grids 30000 --seed 1 [--incidents N] [--days 365] [--end YYYY-MM-DD] [--dataset ID]
// A deterministic synthetic city (core/generator): division tree, grids, road network, buildings
// with households, facilities of the 16 classes, Party organisations and staff, and a history of
// incidents — everything flagged synthetic. Written in one transaction to DATABASE_URL (COPY) or
// the embedded database in DATA_DIR (stop the server first). Bad arguments: one line, exit 2,
// nothing opened.
import cliProgress from 'cli-progress';
import { parseGenerateArgs } from '../core/generator/args.js';
import { loadConfig } from '../server/config.js';
import type { Db } from '../server/db/db.js';
import { DataDirLockedError } from '../server/db/lock.js';
import { openDb } from '../server/db/open.js';
import { writeCity, type GenerateProgress } from '../server/generate/write.js';

const USAGE = `usage: npm run generate -- --grids N [--seed S] [--incidents N] [--days D] [--end YYYY-MM-DD] [--dataset ID]
  --grids N       management grids (1 … 200000); buildings ≈ 33 per grid
  --seed S        random seed (default 1); the same arguments give the same rows
  --incidents N   incidents in the history (default 333 per grid)
  --days D        length of the history in days (default 365), ending at --end (default 2026-12-01)
  --dataset ID    dataset id (default city-<seed>); generating the same id again replaces it
Writes to DATABASE_URL if set, else the embedded database in DATA_DIR (stop the server first).`;

const fail = (reason: string, code = 1): never => {
  process.stderr.write(`generate: ${reason.replace(/\s*\n\s*/g, ' ')}\n`);
  process.exit(code);
};

function progress(): { update(p: GenerateProgress): void; stop(): void } {
  const tty = process.stderr.isTTY;
  const bar = tty ? new cliProgress.SingleBar({
    stream: process.stderr, format: ' {phase} [{bar}] {percentage}% | {value}/{total} rows | {duration_formatted}', hideCursor: true,
  }, cliProgress.Presets.shades_classic) : null;
  let phase = '';
  let t = performance.now();
  let last = 0;
  return {
    update(p) {
      if (p.phase !== phase) {
        if (bar && phase) bar.stop();
        if (!tty && phase) process.stderr.write(`[generate] ${phase} done in ${((performance.now() - t) / 1000).toFixed(1)} s\n`);
        phase = p.phase;
        t = performance.now();
        if (bar) bar.start(Math.max(p.total, 1), 0, { phase: p.phase.padEnd(10) });
      }
      if (bar) { if (p.total) bar.setTotal(Math.max(p.total, p.done)); bar.update(p.done); }
      else if (p.total && performance.now() - last > 15_000) {
        last = performance.now();
        process.stderr.write(`[generate] ${phase}: ${p.done}/${p.total}\n`);
      }
    },
    stop() {
      if (bar && phase) bar.stop();
      if (!tty && phase) process.stderr.write(`[generate] ${phase} done in ${((performance.now() - t) / 1000).toFixed(1)} s\n`);
    },
  };
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) { process.stdout.write(`${USAGE}\n`); return; }
  const args = parseGenerateArgs(argv);
  if (!args.ok) { process.stderr.write(`generate: ${args.error}\n${USAGE}\n`); process.exit(2); }
  const opts = args.value;
  let config;
  try { config = loadConfig(); } catch (e) { return fail((e as Error).message); }
  let db: Db;
  try {
    db = await openDb(config, { purpose: 'generate' });
  } catch (e) {
    return fail(e instanceof DataDirLockedError ? e.message : `cannot open database: ${(e as Error).message}`);
  }
  const bar = progress();
  try {
    const s = await writeCity(db, { ...opts, onProgress: (p) => bar.update(p) }, config.databaseUrl ?? undefined);
    bar.stop();
    const rows = Object.entries(s.counts).map(([k, v]) => `${k} ${v.toLocaleString('en')}`).join(', ');
    process.stdout.write(`generated ${s.datasetId} (synthetic): ${rows}\n`);
    for (const t of s.timings) process.stdout.write(`  ${t.phase.padEnd(11)} ${(t.ms / 1000).toFixed(1).padStart(7)} s${t.rows ? `  ${Math.round(t.rows / (t.ms / 1000)).toLocaleString('en')} rows/s` : ''}\n`);
    process.stdout.write(`  total       ${(s.totalMs / 1000).toFixed(1).padStart(7)} s\n`);
  } catch (e) {
    bar.stop();
    await db.close().catch(() => undefined);
    return fail(`nothing written: ${(e as Error).message}`);
  }
  await db.close();
}

await main();

// npm run import -- <file> [--crs wgs84|gcj02|bd09|cgcs2000|EPSG:n] [--layer …] [--dataset ID]
// Imports an OpenStreetMap .osm XML file or a GeoJSON FeatureCollection into the configured
// database (embedded PGlite in DATA_DIR, or DATABASE_URL). The file is parsed completely before the
// database is opened; a bad file exits 1 with one line on stderr and writes nothing.
//
// The embedded database is opened by one process at a time: while the server holds DATA_DIR this
// refuses with one line naming it; stop the server first (or point both at PostgreSQL).
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import { loadConfig } from '../server/config.js';
import type { Db } from '../server/db/db.js';
import { DataDirLockedError } from '../server/db/lock.js';
import { openDb } from '../server/db/open.js';
import { ImportError } from '../server/import/features.js';
import { isLayerOption, resolveCrs, LAYERS } from '../server/import/geojson.js';
import { formatSummary, parseImportFile, writeImport, type ImportProgress } from '../server/import/importer.js';

const USAGE = `usage: npm run import -- <file.osm|file.geojson> [options]
  --crs NAME        CRS of GeoJSON coordinates: wgs84 (default), cgcs2000, EPSG:4326, EPSG:4490, gcj02, bd09
  --layer NAME      ${LAYERS.join('|')} (default auto)
  --dataset ID      dataset id (default osm:<file name> / geojson:<file name>; re-import replaces it)
  --name TEXT       dataset display name (default the file name)
  --attribution T   attribution text (OSM files default to "© OpenStreetMap contributors")
  --no-clip         keep OSM features whole instead of cutting them at the file's <bounds>
Writes to DATABASE_URL if set, else the embedded database in DATA_DIR (stop the server first).`;

let file = '<none>';
const fail = (reason: string, code = 1): never => {
  process.stderr.write(`import: ${file}: ${reason.replace(/\s*\n\s*/g, ' ')}\n`);
  process.exit(code);
};

function progressBar(): { update(p: ImportProgress): void; stop(): void } {
  if (!process.stderr.isTTY) return { update() {}, stop() {} };
  const bar = new cliProgress.SingleBar({
    stream: process.stderr,
    format: ' {phase} [{bar}] {percentage}% | {value}/{total} {unit}',
    hideCursor: true,
    clearOnComplete: true,
  }, cliProgress.Presets.shades_classic);
  let phase = '';
  return {
    update(p) {
      if (p.phase !== phase) {
        if (phase) bar.stop();
        phase = p.phase;
        bar.start(p.total, 0, { phase: p.phase === 'parse' ? 'parse' : 'write', unit: p.phase === 'parse' ? 'bytes' : 'rows' });
      }
      bar.update(p.done);
    },
    stop() {
      if (phase) bar.stop();
    },
  };
}

async function main(): Promise<void> {
  const started = performance.now();
  let args;
  try {
    args = parseArgs({
      allowPositionals: true,
      options: {
        crs: { type: 'string' },
        layer: { type: 'string' },
        dataset: { type: 'string' },
        name: { type: 'string' },
        attribution: { type: 'string' },
        'no-clip': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    return fail((e as Error).message, 2);
  }
  const { values: v, positionals } = args;
  if (v.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (positionals.length !== 1) {
    process.stderr.write(`${USAGE}\n`);
    process.exit(2);
  }
  file = positionals[0]!;
  const layer = v.layer ?? 'auto';
  if (!isLayerOption(layer)) return fail(`unknown --layer "${layer}" (use ${LAYERS.join(', ')})`, 2);
  if (v.crs !== undefined) {
    try { resolveCrs(v.crs); } catch (e) { return fail((e as Error).message, 2); }
  }

  let config;
  try {
    config = loadConfig();
  } catch (e) {
    return fail((e as Error).message);
  }

  const bar = progressBar();
  const opts = {
    crs: v.crs, layer, datasetId: v.dataset, name: v.name, attribution: v.attribution, clip: !v['no-clip'],
    onProgress: (p: ImportProgress) => bar.update(p),
  };
  // 1. Parse the whole file (no database yet: a bad file fails fast and touches nothing).
  let parsed;
  try {
    parsed = await parseImportFile(file, opts);
  } catch (e) {
    bar.stop();
    return fail(e instanceof ImportError ? e.message : `unexpected error: ${(e as Error).message}`);
  }

  // 2. Open the database. The embedded folder's lock refuses while the server (or another import)
  //    holds it, naming that process; a lock left by a process that is gone is taken over.
  if (process.stderr.isTTY) {
    process.stderr.write(config.databaseUrl ? 'opening PostgreSQL database…\n'
      : `opening the embedded database in ${join(config.dataDir, 'pglite')} (first start takes a while)…\n`);
  }
  let db: Db;
  try {
    db = await openDb(config, { purpose: 'import' });
  } catch (e) {
    bar.stop();
    // Held by another process (the server): its one line already names it and says what to do.
    return fail(e instanceof DataDirLockedError ? e.message : `cannot open database: ${(e as Error).message}`);
  }

  // 3. Write in one transaction.
  try {
    const summary = await writeImport(db, parsed, opts);
    bar.stop();
    process.stdout.write(`${formatSummary(summary)}\n`);
    process.stdout.write(`  wall time: ${((performance.now() - started) / 1000).toFixed(1)} s (including opening the database)\n`);
  } catch (e) {
    bar.stop();
    await db.close().catch(() => undefined);
    return fail(e instanceof ImportError ? e.message : `database error, nothing imported: ${(e as Error).message}`);
  }
  await db.close();
}

await main();

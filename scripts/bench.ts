// npm run bench: runs the benchmarks on this machine and writes ONE report, docs/bench/report.md and
// report.json — each figure next to a baseline measured in the same process. Embedded PGlite always;
// real PostGIS too when TEST_DATABASE_URL (or DATABASE_URL) is set; the generated city's sections
// (npm run generate) when `--city <DATABASE_URL>` (or BENCH_CITY_URL) names its database.
// `--only demo|city|engines|scale|partition` re-runs one section and keeps the others of the report;
// `--only render` rewrites report.md from report.json.
// docs/BENCHMARKS.md is the human document that explains the figures.
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { resolve } from 'node:path';
import { loadDemo, readDemo } from '../server/demo/load.js';
import { benchIntakeLatency, benchIntakeThroughput, type IntakeBenchRow, type LatencyBenchRow } from '../server/incidents/intake.bench.js';
import { benchTileSample, benchTiles, type TileBenchRow, type TilePath, type TileSampleRow } from '../server/tiles/tiles.bench.js';
import { benchCityPartition, benchEngineQueries, benchGridLookup, citySize, type CitySize, type EngineRow, type LookupRow } from '../server/generate/city.bench.js';
import { benchWallPrep, wallBenchMarkdown } from '../core/wall-prep.bench.js';
import { benchPartition, benchProposalWorker, benchRebalance, benchRefinement, partitionBenchMarkdown } from '../server/grids/partition.bench.js';
import { benchCoverageDemo, benchCoverageSynthetic, coverageBenchMarkdown, type DemoBench } from '../server/coverage/coverage.bench.js';

const ROOT = resolve(import.meta.dirname, '..');

/**
 * pgRouting is the coverage benchmark's baseline on real PostGIS. When the server is local and
 * lacks it, install Debian's postgresql-<major>-pgrouting (as root, where apt-get exists); otherwise
 * say why the comparison will be missing.
 */
async function ensurePgRouting(db: { query<T>(sql: string, params?: unknown[]): Promise<{ rows: T[] }> }) {
  const have = async () => (await db.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_available_extensions WHERE name = 'pgrouting'")).rows[0]!.n > 0;
  if (await have()) return;
  const major = (await db.query<{ v: string }>('SHOW server_version_num')).rows[0]!.v.slice(0, 2);
  const url = new URL(process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgres://localhost');
  const local = ['localhost', '127.0.0.1', '::1', '[::1]', ''].includes(url.hostname);
  if (!local || process.getuid?.() !== 0 || !existsSync('/usr/bin/apt-get')) {
    console.error(`[bench] pgRouting is not installed on the server: install postgresql-${major}-pgrouting for the baseline`);
    return;
  }
  console.error(`[bench] installing postgresql-${major}-pgrouting for the coverage baseline…`);
  const r = spawnSync('apt-get', ['install', '-y', '-q', '--no-install-recommends', `postgresql-${major}-pgrouting`], { stdio: 'inherit' });
  if (r.status !== 0 || !(await have())) console.error('[bench] pgRouting could not be installed; the coverage table will lack its baseline');
}
const f = (n: number, d = 1) => n.toFixed(d);

async function engines() {
  const list: ('embedded' | 'postgres')[] = ['embedded'];
  if (process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL) list.push('postgres');
  return list;
}

/**
 * `npm run bench -- --only partition`: run just the grid editor's section and put it in place in
 * docs/BENCHMARKS.md (the rest of the report is kept as it was).
 */
async function partitionOnly() {
  const out = resolve(ROOT, 'docs/BENCHMARKS.md');
  const section = partitionBenchMarkdown(benchPartition(), benchRefinement(), await benchProposalWorker(), benchRebalance()).join('\n');
  const doc = readFileSync(out, 'utf8');
  const start = doc.indexOf('## Grid editor: automatic partition');
  const end = start < 0 ? -1 : doc.indexOf('\n## ', start + 5);
  const stamp = `_Grid editor section re-run ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC on the machine above (\`npm run bench -- --only partition\`)._\n\n`;
  const next = start < 0 ? `${doc}\n${section}\n` : `${doc.slice(0, start)}${section.replace(/\n\n/, `\n\n${stamp}`)}${end < 0 ? '' : doc.slice(end)}`;
  writeFileSync(out, next);
  console.log(section);
}

const argValue = (name: string) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : undefined);

async function main() {
  const only = argValue('--only');
  if (only === 'partition') return partitionOnly();
  if (only === 'render') return writeReport({}, machine());
  const cityUrl = argValue('--city') ?? process.env.BENCH_CITY_URL;
  if (only !== undefined && !['demo', 'city', 'tiles', 'engines', 'scale', 'render'].includes(only)) throw new Error(`--only: unknown section "${only}" (demo, city, tiles, engines, scale, partition)`);
  if ((only === 'city' || only === 'tiles' || only === 'engines') && !cityUrl) throw new Error(`--only ${only} needs --city <DATABASE_URL of the generated city> (or BENCH_CITY_URL)`);
  const started = machine();
  const sections: Record<string, Section> = {};
  if (cityUrl && (only === undefined || only === 'city')) sections.city = await cityBench(cityUrl, started);
  if (cityUrl && (only === undefined || only === 'tiles')) sections.tiles = await tilesBench(cityUrl, started);
  if (cityUrl && (only === undefined || only === 'engines')) sections.engines = await enginesBench(cityUrl, started);
  if (only === undefined || only === 'scale') sections.scale = await scaleBench(started, cityUrl);
  if (only === undefined || only === 'demo') sections.demo = await demoBench(started);
  writeReport(sections, started);
}

async function demoBench(started: Machine): Promise<Section> {
  const { createTestDb } = await import('../server/testing/db.js');
  const tileRows: TileBenchRow[] = [];
  const intakeRows: IntakeBenchRow[] = [];
  const latencyRows: LatencyBenchRow[] = [];
  const coverageRows: DemoBench[] = [];
  for (const engine of await engines()) {
    process.env.GC_TEST_DB = engine;
    if (engine === 'postgres') process.env.TEST_DATABASE_URL ??= process.env.DATABASE_URL;
    const t = await createTestDb();
    try {
      console.error(`[bench] ${engine}: loading the demo district…`);
      await loadDemo(t.db);
      const bbox = readDemo().manifest.bbox as [number, number, number, number];
      console.error(`[bench] ${engine}: tiles…`);
      tileRows.push(...(await benchTiles(t.db, engine, bbox)));
      console.error(`[bench] ${engine}: intake…`);
      intakeRows.push(...(await benchIntakeThroughput(t.db, engine)));
      console.error(`[bench] ${engine}: report-to-screen latency…`);
      latencyRows.push(await benchIntakeLatency(t.db, engine));
      console.error(`[bench] ${engine}: 15-minute coverage (ours vs pgRouting)…`);
      if (engine === 'postgres') await ensurePgRouting(t.db);
      coverageRows.push(await benchCoverageDemo(t.db, engine));
    } finally {
      await t.drop();
    }
  }
  const cpu = os.cpus()[0]?.model ?? 'unknown';
  const lines = [
    '# Benchmarks',
    '',
    `Generated by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)}.`,
    `Machine: ${os.cpus().length} × ${cpu}, ${f(os.totalmem() / 2 ** 30, 0)} GiB RAM, ${os.type()} ${os.release()}, Node ${process.version}.`,
    'Every baseline runs in the same process, on the same database and data, right after the measured path.',
    '',
    '## Vector tiles (demo district, every tile at z14–16 over its bbox)',
    '',
    'Paths: `postgis-native` = ST_AsMVTGeom + ST_AsMVT (real PostGIS only); `postgis-portable` = PostGIS',
    'selects the tile\'s features with the GiST index, geojson-vt cuts and vt-pbf encodes (used on PGlite,',
    'whose PostGIS lacks protobuf). Baseline: read the whole layer with no tile filter and cut in Node.',
    'An earlier portable path that clipped and transformed in SQL (ST_ClipByBox2D/ST_Affine/ST_SnapToGrid)',
    'measured 2.6–5× slower than this on PGlite and was dropped.',
    '',
    '| engine | layer | path | tiles | p50 ms | p95 ms | total ms | KiB | × vs baseline (total) |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of tileRows) {
    const base = tileRows.find((b) => b.engine === r.engine && b.layer === r.layer && b.path.startsWith('baseline'))!;
    lines.push(`| ${r.engine} | ${r.layer} | ${r.path} | ${r.tiles} | ${f(r.p50)} | ${f(r.p95)} | ${f(r.totalMs, 0)} | ${f(r.kb, 0)} | ${f(base.totalMs / r.totalMs, 2)} |`);
  }
  lines.push('', 'A ratio above 1 means faster than the baseline.', '');
  lines.push(
    '## Incident intake (demo district; points drawn inside its grids; every report located and committed)',
    '',
    'Paths: `batched` = `createIncidents` (server/incidents/commands.ts, also behind `POST /api/incidents/batch`):',
    'one statement locates the whole batch (grid → community → subdistrict → district by the GiST index), the',
    'responsibility list routes each report, one `INSERT … SELECT FROM json_to_recordset` stores the cases and',
    'one each their reporters and first trail entries, all in one transaction, then one event per case is',
    'published with the case as written (no read-back). `N batches in flight` = N callers posting batches at',
    'once, as a server sees several phones or hotline desks. `one by one` = the same code with one report per call (what `POST /api/incidents` does, HTTP',
    'aside). Baseline: per report an `ST_Contains` lookup, then INSERT case, reporter and trail entry in a',
    'transaction of its own. `embedded` is the in-memory PGlite of the test suite (no disk: an upper bound);',
    '`postgres` is a local PostgreSQL 15/PostGIS server with its default durability (fsync, synchronous_commit on).',
    '',
    '| engine | path | reports | total ms | reports/s | × vs baseline |',
    '|---|---|---|---|---|---|',
  );
  for (const r of intakeRows) {
    const base = intakeRows.find((b) => b.engine === r.engine && b.path.startsWith('baseline'))!;
    lines.push(`| ${r.engine} | ${r.path} | ${r.reports} | ${f(r.ms, 0)} | ${f(r.perSec, 0)} | ${f(r.perSec / base.perSec, 2)} |`);
  }
  lines.push(
    '',
    '## Report-to-screen latency',
    '',
    'One operator token POSTs reports to `/api/incidents` one after another through the real HTTP server;',
    '200 socket.io clients (websocket, authenticated with a district leader\'s token, subscribed to the district',
    'room) receive each new case as a diff. Latency = from just before the POST to each client\'s receipt, all',
    'clients and reports pooled; clients and server share this process and its CPU.',
    '',
    '| engine | clients | reports | deliveries | missing | p50 ms | p99 ms | max ms |',
    '|---|---|---|---|---|---|---|---|',
  );
  for (const r of latencyRows) {
    lines.push(`| ${r.engine} | ${r.clients} | ${r.reports} | ${r.deliveries} | ${r.missing} | ${f(r.p50)} | ${f(r.p99)} | ${f(r.max)} |`);
  }
  lines.push('', 'Targets (issue 4): at least 10 000 reports/s batched; p99 report-to-screen at most 250 ms.', '');
  for (const engine of new Set(intakeRows.map((r) => r.engine))) {
    const best = intakeRows.filter((r) => r.engine === engine && r.path.startsWith('batched')).sort((a, b) => b.perSec - a.perSec)[0];
    const lat = latencyRows.find((r) => r.engine === engine);
    if (!best) continue;
    lines.push(`- ${engine}: best batched ${f(best.perSec, 0)} reports/s (${best.path}) — ${best.perSec >= 10_000 ? 'meets' : 'below'} the target;` +
      (lat ? ` p99 ${f(lat.p99)} ms — ${lat.p99 <= 250 ? 'meets' : 'above'} the target.` : ''));
  }
  lines.push('');

  // ---- Wall (大屏, issue 5): heat map and grid layer preparation, and the page's memory from the browser test.
  console.error('[bench] wall: heat map and grid layer preparation…');
  lines.push(...wallBenchMarkdown(benchWallPrep()));
  console.error('[bench] grid editor: automatic partition (demo communities, synthetic 5,000 buildings)…');
  lines.push(...partitionBenchMarkdown(benchPartition(), benchRefinement(), await benchProposalWorker(), benchRebalance()));
  console.error('[bench] coverage: synthetic 1M-edge network…');
  lines.push(...coverageBenchMarkdown(coverageRows, benchCoverageSynthetic()));
  const wallFigures = resolve(ROOT, 'test-results/wall-figures.json');
  if (existsSync(wallFigures)) {
    const w = JSON.parse(readFileSync(wallFigures, 'utf8')) as {
      readyMs?: number; pulseLatencyMs?: number[];
      replayMemory?: { baseMB: number; afterThreeLoopsMB: number; afterStopMB: number; replayedCases: number };
      endurance?: { seconds: number; posted: number; tourStops: number; alerts: number; heapStartMB: number; heapEndMB: number };
    };
    lines.push(
      `### Wall page in Chromium (software WebGL), from the last \`tests/browser/wall.test.ts\` run (${statSync(wallFigures).mtime.toISOString().slice(0, 10)})`,
      '',
      'JS heap after a forced GC (CDP HeapProfiler.collectGarbage + Runtime.getHeapUsage), from test-results/wall-figures.json.',
      '',
      '| figure | value |',
      '|---|---|',
    );
    if (w.readyMs) lines.push(`| page ready (3D city, grids, heat drawn) | ${f(w.readyMs / 1000)} s |`);
    if (w.pulseLatencyMs) lines.push(`| POST → pulse started on the wall | ${w.pulseLatencyMs.join(', ')} ms |`);
    if (w.replayMemory) {
      const r = w.replayMemory;
      lines.push(`| heap before replay / after a day (${r.replayedCases} cases) replayed 3× at 20,000× / after leaving replay | ${r.baseMB} / ${r.afterThreeLoopsMB} / ${r.afterStopMB} MB |`);
    }
    if (w.endurance) {
      const e = w.endurance;
      lines.push(`| endurance ${e.seconds} s (${e.posted} cases, ${e.tourStops} tour stops, ${e.alerts} alerts): heap start → end | ${e.heapStartMB} → ${e.heapEndMB} MB |`);
    }
    lines.push('');
  }
  const targets: Target[] = [];
  for (const engine of new Set(intakeRows.map((r) => r.engine))) {
    const best = intakeRows.filter((r) => r.engine === engine && r.path.startsWith('batched')).sort((a, b) => b.perSec - a.perSec)[0];
    if (best) targets.push({ target: `Intake ≥ 10k incidents/s batched (${engine}, one process, demo district)`, measured: `${f(best.perSec, 0)} reports/s (${best.path})`, met: best.perSec >= 10_000, why: best.perSec >= 10_000 ? '' : 'see the demo section' });
  }
  return { targets, title: 'Demo district', ranAt: new Date().toISOString(), machine: { ...started, loadEnd: os.loadavg() }, markdown: lines.slice(5),
    data: { tiles: tileRows, intake: intakeRows, latency: latencyRows, coverage: coverageRows } };
}

// ---- The one report: docs/bench/report.json (every figure) and report.md (the same, readable) ----

interface Machine { cpu: string; cores: number; ramGiB: number; os: string; node: string; loadStart: number[]; loadEnd?: number[] }
interface Target { target: string; measured: string; met: boolean | null; why: string }
interface Section { title: string; ranAt: string; machine: Machine; markdown: string[]; data: unknown; targets?: Target[] }
const REPORT_DIR = resolve(ROOT, 'docs/bench');
const ORDER = ['city', 'tiles', 'engines', 'scale', 'demo'];

function machine(): Machine {
  return { cpu: os.cpus()[0]?.model ?? 'unknown', cores: os.cpus().length, ramGiB: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()}`, node: process.version, loadStart: os.loadavg().map((x) => Number(x.toFixed(2))) };
}

function writeReport(fresh: Record<string, Section>, started: Machine) {
  mkdirSync(REPORT_DIR, { recursive: true });
  const jsonFile = resolve(REPORT_DIR, 'report.json');
  const old = existsSync(jsonFile) ? (JSON.parse(readFileSync(jsonFile, 'utf8')) as { sections: Record<string, Section> }).sections : {};
  const sections = { ...old, ...fresh };
  if (sections.city) sections.city = withoutOldTiles(sections.city);
  const report = { generatedBy: 'npm run bench', updatedAt: new Date().toISOString(), machine: started, sections };
  writeFileSync(jsonFile, `${JSON.stringify(report, null, 1)}\n`);
  const load = (m: Machine) => `load average ${m.loadStart.join(' / ')} at start${m.loadEnd ? `, ${m.loadEnd.map((x) => x.toFixed(2)).join(' / ')} at end` : ''}`;
  const md = [
    '# Benchmark report (generated)',
    '',
    `Written by \`npm run bench\` (scripts/bench.ts); the figures are also in [report.json](report.json). What each figure means and how`,
    'it is measured is explained in [docs/BENCHMARKS.md](../BENCHMARKS.md). Every figure is printed beside a baseline measured in the same run.',
    `Machine: ${started.cores} × ${started.cpu}, ${started.ramGiB} GiB RAM, ${started.os}, Node ${started.node}. Sections keep the machine`,
    'state of their own run (the load average counts runnable processes: on 2 cores, anything above 2 means the figures were taken while',
    'other work shared the CPU).',
    '',
  ];
  const targets = ORDER.flatMap((k) => (sections[k as keyof typeof sections]?.targets ?? []).map((t) => ({ ...t, section: k })));
  if (targets.length) {
    md.push('## Targets (issue 13)', '', '| target | measured | met | why / note |', '|---|---|---|---|');
    for (const t of targets) md.push(`| ${t.target} | ${t.measured} | ${t.met === null ? 'not measured' : t.met ? 'yes' : '**no**'} | ${t.why} |`);
    md.push('');
  }
  for (const k of ORDER) {
    const sec = sections[k as keyof typeof sections];
    if (!sec) continue;
    md.push(`## ${sec.title}`, '', `_Run ${sec.ranAt.slice(0, 16).replace('T', ' ')} UTC; ${load(sec.machine)}._`, '');
    md.push(...sec.markdown.map((l) => (l.startsWith('#') ? `##${l}` : l)), '');
  }
  writeFileSync(resolve(REPORT_DIR, 'report.md'), md.join('\n'));
  console.log(md.join('\n'));
  console.error(`[bench] wrote ${resolve(REPORT_DIR, 'report.md')} and report.json`);
}

const ms = (n: number) => (n >= 100 ? n.toFixed(0) : n.toFixed(1));
const num = (n: number) => Math.round(n).toLocaleString('en');

/**
 * The city section of reports written before tiles had their own section held the tile table and
 * the tile targets: they go (the tiles section replaces them) and the rest of the section stays.
 */
function withoutOldTiles(sec: Section): Section {
  const at = sec.markdown.findIndex((l) => l.startsWith('### Vector tiles over the city'));
  if (at < 0) return sec;
  const next = sec.markdown.findIndex((l, i) => i > at && l.startsWith('### '));
  const markdown = [...sec.markdown.slice(0, at), ...(next < 0 ? [] : sec.markdown.slice(next))];
  const { tiles: _tiles, ...data } = sec.data as Record<string, unknown>;
  return { ...sec, markdown, data, targets: sec.targets?.filter((t) => !t.target.startsWith('Tiles:')) };
}

/**
 * Warm base and grids tiles through the tile route over HTTP: once with the cache, once with a
 * 0-byte cache (every request renders). Authentication is a stub (a leader of everything).
 */
async function httpWarmTiles(db: import('../server/db/db.js').Db, bbox: [number, number, number, number]) {
  const express = (await import('express')).default;
  const httpMod = await import('node:http');
  const { tileRoutes } = await import('../server/tiles/routes.js');
  const { detectEncoder } = await import('../server/tiles/encode.js');
  const { sampleTiles } = await import('../server/tiles/tiles.bench.js');
  const encoder = await detectEncoder(db);
  const urls = ['base', 'grids'].flatMap((layer) => [12, 13, 14, 15, 16].flatMap((z) => sampleTiles(bbox, z, 20).map(([tz, x, y]) => `/tiles/${layer}/${tz}/${x}/${y}.pbf`)));
  const clients = 8;
  const rows: { path: string; requests: number; ms: number; perSec: number; cpuMs: number; perCpuSec: number; p50: number; p95: number }[] = [];
  const fixed = Buffer.alloc(20 * 1024, 1);
  for (const [path, maxBytes, rounds] of [['server: tile cache', 512 * 2 ** 20, 10], ['baseline: no cache (0 bytes)', 0, 1],
    ['ceiling: a plain Express handler sending a fixed 20 KiB', -1, 10]] as const) {
    const app = express();
    app.use((req, _res, next) => {
      req.principal = { kind: 'token', id: 0, name: 'bench', displayName: 'bench', role: 'district_leader', binding: { kind: 'all' } as never,
        scope: { kind: 'all' }, via: 'bearer', mustChangePassword: false };
      next();
    });
    if (maxBytes < 0) app.get('/tiles/:layer/:z/:x/:y.pbf', (_req, res) => { res.type('application/vnd.mapbox-vector-tile').send(fixed); });
    else app.use(tileRoutes(db, encoder, { maxBytes, versionTtlMs: 1000 }));
    const server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const port = (server.address() as import('node:net').AddressInfo).port;
    const agent = new httpMod.Agent({ keepAlive: true, maxSockets: clients });
    const get = (u: string) => new Promise<number>((resolve, reject) => {
      const t0 = performance.now();
      httpMod.get({ host: '127.0.0.1', port, path: u, agent }, (res) => {
        res.resume();
        res.on('end', () => (res.statusCode === 200 || res.statusCode === 204 ? resolve(performance.now() - t0) : reject(new Error(`${u}: ${res.statusCode}`))));
      }).on('error', reject);
    });
    for (const u of urls) await get(u); // fill (the cache, or PostgreSQL's pages for the baseline)
    const list = Array.from({ length: rounds }, () => urls).flat();
    const times: number[] = [];
    let next = 0;
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await Promise.all(Array.from({ length: clients }, async () => {
      while (next < list.length) times.push(await get(list[next++]!));
    }));
    const total = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    const cpuMs = (cpu.user + cpu.system) / 1000;
    agent.destroy();
    await new Promise((r) => server.close(r));
    times.sort((a, b) => a - b);
    rows.push({ path, requests: list.length, ms: total, perSec: (list.length * 1000) / total, cpuMs, perCpuSec: (list.length * 1000) / cpuMs,
      p50: times[Math.floor(times.length * 0.5)]!, p95: times[Math.floor(times.length * 0.95)]! });
  }
  return { clients, rows };
}

/**
 * Vector tiles over the generated city (`--only tiles`): the server's tile path (the tile cache
 * of server/tiles/cache.ts in front of ST_AsMVT) against the same renders without the cache, and
 * the case layer with its default time window against every case.
 */
async function tilesBench(url: string, started: Machine): Promise<Section> {
  const { openPostgres } = await import('../server/db/pg.js');
  const { TileCache } = await import('../server/tiles/cache.js');
  const { renderTile, defaultTileWindow } = await import('../server/tiles/encode.js');
  const db = await openPostgres(url, 2);
  const targets: Target[] = [];
  const md: string[] = [];
  try {
    const have = (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_tables WHERE tablename = 'tile_data_change'`)).rows[0]!.n;
    if (!have) throw new Error('the city database has no tile_data_change table (migration 0019_tile_data_version): apply the migrations to it first');
    const size = await citySize(db);
    const ALL = { communities: null, gridId: null, departmentId: null };
    console.error('[bench] tiles: base + grids z12–16, cached vs uncached…');
    const cache = new TileCache(db, { maxBytes: 512 * 2 ** 20, versionTtlMs: 1000 });
    const tiles: TileSampleRow[] = await benchTileSample(db, 'postgres', size.bbox, {
      layers: ['base', 'grids'], perZoom: 20,
      paths: (sources, encoder) => [
        [`server: tile cache + ${encoder}`, async (z, x, y) => (await cache.tile(encoder, sources, z, x, y, ALL)).bytes],
        [`baseline: no cache (${encoder})`, (z, x, y) => renderTile(db, encoder, sources, z, x, y, ALL)],
      ],
    });
    console.error('[bench] tiles: warm over HTTP…');
    const http = await httpWarmTiles(db, size.bbox);
    console.error('[bench] tiles: the case layer (default window vs every case)…');
    const everyCase = { since: new Date(0), until: null, openToo: false };
    // The generated history ends before today: a live city's last 30 days are the history's last 30.
    const last = new Date((await db.query<{ t: string }>('SELECT max(created_at)::text AS t FROM incident')).rows[0]!.t);
    const historyEnd = { since: new Date(last.getTime() - 30 * 86_400_000), until: new Date(last.getTime() + 1), openToo: true };
    const cases: TileSampleRow[] = await benchTileSample(db, 'postgres', size.bbox, {
      layers: ['incidents'], zooms: [12, 14, 16], perZoom: 3,
      paths: (sources, encoder) => [
        [`open + last 30 days (default, ${encoder})`, (z, x, y) => renderTile(db, encoder, sources, z, x, y, ALL, defaultTileWindow())],
        [`open + the history's last 30 days (${encoder})`, (z, x, y) => renderTile(db, encoder, sources, z, x, y, ALL, historyEnd)],
        // z12 without a window took 40–60 s per tile in the previous run: left out to keep the run short
        Object.assign([`baseline: every case (${encoder})`, (z: number, x: number, y: number) => renderTile(db, encoder, sources, z, x, y, ALL, everyCase)] as TilePath, { zooms: [14, 16] }),
      ],
    });
    const windowCases = (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM incident i
      WHERE i.created_at >= now() - interval '30 days' OR i.status IN (SELECT code FROM incident_state WHERE type <> 'closed')`)).rows[0]!.n;
    const historyCases = (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM incident i
      WHERE i.created_at >= $1 OR i.status IN (SELECT code FROM incident_state WHERE type <> 'closed')`, [historyEnd.since.toISOString()])).rows[0]!.n;
    const row = (r: TileSampleRow) => `| ${r.layer} | ${r.path} | ${r.zoom} | ${r.pass} | ${r.tiles} | ${ms(r.p50)} | ${ms(r.p95)} | ${ms(r.max)} | ${num(r.tilesPerSec)} | ${num(r.kb / r.tiles)} |`;
    md.push(`City: ${num(size.grids)} grids, ${num(size.buildings)} buildings, ${num(size.roads)} street segments, ${num(size.incidents)} cases.`, '',
      'Per zoom, 20 tiles spread evenly over the city. `cold` = the first request of each tile in this process, `warm` = the same tiles',
      'again at once. Sequential on one connection, in one Node process: tiles/s is per core. The server path is the tile cache',
      '(server/tiles/cache.ts: encoded source layers in memory, keyed by data version, layer, z/x/y and — for jurisdiction layers — the',
      'scope) in front of ST_AsMVT; its cold pass is a miss (render, hash, store). Baseline: the same ST_AsMVT renders without the cache, on',
      'a second set of tiles of the same zoom (so its cold pass does not find pages the first one warmed). Base layer: streets generalised',
      'below z14 (major roads only, simplified), building footprints from z15. KiB = per tile.', '',
      '| layer | path | z | pass | tiles | p50 ms | p95 ms | max ms | tiles/s | KiB |', '|---|---|---|---|---|---|---|---|---|---|',
      ...tiles.map(row), '',
      '### The case layer: default time window vs every case', '',
      `The incidents layer now takes a time window (\`?from=&to=\`, at most 366 days; default: cases not yet closed and those of the last`,
      `30 days: ${num(windowCases)} of the city's ${num(size.incidents)} — its generated history ends ${last.toISOString().slice(0, 10)}, so today's last 30 days`,
      `are empty and only open cases show). A live city's window is the second path: open cases and the history's last 30 days (${num(historyCases)} cases).`,
      'Never cached (live). Baseline: every case in the tile (the layer before the window), at z14 and z16 only — a z12 tile of every',
      'case took 40–60 s each in the previous run (42 MiB for 2 tiles).', '',
      '| layer | path | z | pass | tiles | p50 ms | p95 ms | max ms | tiles/s | KiB |', '|---|---|---|---|---|---|---|---|---|---|',
      ...cases.map(row), '');
    md.push('### Warm tiles over HTTP', '',
      `The same server route (server/tiles/routes.ts with its cache) in Express on loopback, ${http.clients} keep-alive clients in this same`,
      'process (they share its core), every base and grids tile of the sample above requested again after one filling pass. The',
      'principal is set by a stub middleware: the session or token lookup (one PostgreSQL query per request in the real server) is',
      'left out. Baseline: the same route with a cache of 0 bytes (every request renders). CPU = this process\'s user + system time',
      'during the pass (server and clients together; PostgreSQL\'s is not in it): requests per CPU second is the per-core rate that',
      'the other work on the machine does not change. Ceiling: the same Express app and clients with a handler that only sends a',
      'fixed 20 KiB buffer — what this machine\'s HTTP stack allows at all.', '',
      '| path | requests | s | requests/s | CPU s | requests per CPU s | p50 ms | p95 ms |', '|---|---|---|---|---|---|---|---|',
      ...http.rows.map((r) => `| ${r.path} | ${num(r.requests)} | ${(r.ms / 1000).toFixed(1)} | ${num(r.perSec)} | ${(r.cpuMs / 1000).toFixed(1)} | ${num(r.perCpuSec)} | ${ms(r.p50)} | ${ms(r.p95)} |`), '');
    const server = tiles.filter((r) => r.path.startsWith('server'));
    const base = tiles.filter((r) => r.path.startsWith('baseline'));
    const rate = (rs: TileSampleRow[]) => rs.reduce((a, r) => a + r.tiles, 0) / (rs.reduce((a, r) => a + r.tiles / r.tilesPerSec, 0) || 1);
    const warmRate = rate(server.filter((r) => r.pass === 'warm'));
    const warmBase = rate(base.filter((r) => r.pass === 'warm'));
    const coldZ14 = server.filter((r) => r.pass === 'cold' && r.zoom === 14);
    const coldP95 = Math.max(...coldZ14.map((r) => r.p95));
    const loadNow = os.loadavg()[0]!.toFixed(1);
    const h = http.rows[0]!;
    const hb = http.rows[1]!;
    targets.push({ target: 'Tiles: warm ≥ 3,000 tiles/s per core',
      measured: `over HTTP ${num(h.perSec)} requests/s wall, ${num(h.perCpuSec)} per CPU second (cache) vs ${num(hb.perSec)} / ${num(hb.perCpuSec)} without it; in process ${num(warmRate)} tiles/s vs ${num(warmBase)} (base + grids, z12–16)`,
      met: h.perCpuSec >= 3000,
      why: `${h.perCpuSec >= 3000 ? '' : 'not over HTTP: '}a warm tile is a memory lookup in the cache (data version read at most once a second; jurisdiction layers cached per scope, cases never); over HTTP, Express and the 8 clients in the same process cost most of it: a plain Express handler sending a fixed 20 KiB does only ${num(http.rows[2]!.perCpuSec)} per CPU second in the same setup; the rest is the route (parameter validation, the layer's permission check) and larger bodies (a z12 grids tile is ~185 KiB) — not yet profiled; authentication stubbed (the real server adds one PostgreSQL query per request). Load average ${loadNow} on 2 cores at the end` });
    targets.push({ target: 'Tiles: cold z14 p95 ≤ 50 ms', measured: `${ms(coldP95)} ms (worst of base ${ms(Math.max(...coldZ14.filter((r) => r.layer === 'base').map((r) => r.p95)))} ms, grids ${ms(Math.max(...coldZ14.filter((r) => r.layer === 'grids').map((r) => r.p95)))} ms)`,
      met: coldP95 <= 50,
      why: `${coldP95 <= 50 ? '' : 'not met: '}a z14 base tile now holds streets only (footprints from z15): ${num(coldZ14.find((r) => r.layer === 'base')!.kb / 20)} KiB per tile; cold = first request in this process (PostgreSQL's page cache is not dropped); load average ${loadNow} on 2 cores shared with other work` });
    return { title: 'Vector tiles over the city (z12–z16)', ranAt: new Date().toISOString(), machine: { ...started, loadEnd: os.loadavg() }, markdown: md,
      data: { size, tiles, http, cases, windowCases, historyCases, warmRate, warmBase, coldZ14P95: coldP95, cache: cache.stats() }, targets };
  } finally {
    await db.close();
  }
}

/** The generated city (npm run generate) at `url`: size, generator time, tiles, lookups, partition, unbounded payloads. */
async function cityBench(url: string, started: Machine): Promise<Section> {
  const { openPostgres } = await import('../server/db/pg.js');
  const db = await openPostgres(url, 2);
  const targets: Target[] = [];
  const md: string[] = [];
  try {
    console.error('[bench] city: size…');
    const size = await citySize(db);
    const gen = (await db.query<{ id: string; s: Record<string, unknown> }>(`SELECT id, summary AS s FROM dataset WHERE source = 'generator' ORDER BY id LIMIT 1`)).rows[0];
    const timing = gen?.s.timings as { phase: string; rows: number; ms: number }[] | undefined;
    const totalMs = gen?.s.totalMs as number | undefined;
    md.push(`Database: ${size.datasets.map((d) => `\`${d.id}\` ${d.name}${d.synthetic ? ' (synthetic)' : ''}`).join(', ')}; ${(size.dbBytes / 2 ** 30).toFixed(1)} GiB.`, '',
      '| divisions | grids | buildings | households | roads | facilities | Party orgs | staff | incidents |', '|---|---|---|---|---|---|---|---|---|',
      `| ${num(size.divisions)} | ${num(size.grids)} | ${num(size.buildings)} | ${num(size.households)} | ${num(size.roads)} | ${num(size.facilities)} | ${num(size.partyOrgs)} | ${num(size.staff)} | ${num(size.incidents)} |`, '');
    if (timing && totalMs) {
      const loadAvg = gen?.s.loadAverage as string | undefined;
      md.push('### Generator (`npm run generate`, one transaction, COPY; recorded in the dataset row by the run itself)', '',
        `Measured ${String(gen?.s.generatedAt ?? '').slice(0, 16).replace('T', ' ')} UTC${loadAvg ? `, load average during the run ${loadAvg}` : ''}. Baseline: none — the phases are`,
        'reported against each other (rows/s of each table\'s COPY; index and key rebuild once afterwards).', '',
        '| phase | rows | s | rows/s |', '|---|---|---|---|',
        ...timing.map((t) => `| ${t.phase} | ${t.rows ? num(t.rows) : '—'} | ${(t.ms / 1000).toFixed(1)} | ${t.rows ? num(t.rows / (t.ms / 1000)) : '—'} |`),
        `| **total** | | **${(totalMs / 1000).toFixed(0)}** | |`, '');
      targets.push({ target: 'Generator: 30k grids / 1M buildings / 10M incidents in ≤ 15 min', measured: `${(totalMs / 60_000).toFixed(1)} min (${num(size.grids)} grids, ${num(size.buildings)} buildings, ${num(size.incidents)} incidents)`,
        met: totalMs <= 15 * 60_000, why: totalMs <= 15 * 60_000 ? '' : String(gen?.s.slowBecause ?? 'see the generator section') });
    }

    console.error('[bench] city: grid lookups…');
    const lookups = await benchGridLookup(db, 'postgres', size.bbox);
    md.push('### Grid lookups (point → grid) over the city', '',
      'In-process: all grids read once (setup), a flatbush index over their boxes, then point in polygon. Baseline: PostGIS, one',
      '`ST_Intersects` query per point over the GiST index (what a per-report lookup costs); and PostGIS answering a whole batch in one',
      'statement (what batched intake does). Points are uniform over the city\'s box; answers are compared point by point.', '',
      '| path | points | ms | lookups/s | p50 µs | p99 µs | setup ms | agreement |', '|---|---|---|---|---|---|---|---|',
      ...lookups.map((r) => `| ${r.path} | ${num(r.points)} | ${ms(r.ms)} | ${num(r.perSec)} | ${r.p50us === null ? '—' : ms(r.p50us)} | ${r.p99us === null ? '—' : ms(r.p99us)} | ${r.setupMs === null ? '—' : ms(r.setupMs)} | ${r.agree} |`), '');

    console.error('[bench] city: partition engine on city communities…');
    const part = await benchCityPartition(db, 8);
    md.push('### Partition engine on the city\'s communities', '',
      '"Partition this community" (core/grid-edit/propose.ts) on the city\'s largest communities (by grid count), read from the city database.',
      'Baseline: the same engine with bisection only (no household refinement). Band 200–300 households.', '',
      '| community | buildings | households | path | ms | grids | in band | generated grids |', '|---|---|---|---|---|---|---|---|',
      ...part.map((r) => `| ${r.community} | ${r.buildings} | ${r.households} | ${r.path} | ${ms(r.ms)} | ${r.grids} | ${r.inBand} | ${r.generatedGrids} |`), '');

    console.error('[bench] city: unbounded payloads…');
    const payload = async (what: string, sql: string) => {
      const t0 = performance.now();
      const r = (await db.query<{ n: number; bytes: number }>(sql)).rows[0]!;
      return { what, features: r.n, bytes: r.bytes, ms: performance.now() - t0 };
    };
    const payloads = [
      await payload('all grids as one GeoJSON (GET /api/grids without bbox; no page asks for it)', `SELECT count(*)::int AS n, sum(length(ST_AsGeoJSON(geom)) + 120)::float8 AS bytes FROM grid`),
      await payload('all communities as one GeoJSON (GET /api/divisions.geojson?level=community: /map, /3d, /dispatch, /coverage, /wall)', `SELECT count(*)::int AS n, sum(length(ST_AsGeoJSON(geom)) + 120)::float8 AS bytes FROM division WHERE level = 'community'`),
      await payload('one viewport of grids (GET /api/grids?bbox=…, 1/64 of the city)', `SELECT count(*)::int AS n, COALESCE(sum(length(ST_AsGeoJSON(geom)) + 120), 0)::float8 AS bytes FROM grid
        WHERE geom && (SELECT ST_MakeEnvelope(ST_XMin(e), ST_YMin(e), ST_XMin(e) + (ST_XMax(e) - ST_XMin(e)) / 8, ST_YMin(e) + (ST_YMax(e) - ST_YMin(e)) / 8, 4326) FROM (SELECT ST_Extent(geom)::geometry AS e FROM grid) s)`),
    ];
    md.push('### Payloads that grow with the city', '',
      'Size of the GeoJSON a page asks for (approximate: geometry text + ~120 bytes of properties per feature), and the time to build it in SQL.', '',
      '| request | features | MiB | ms |', '|---|---|---|---|', ...payloads.map((p) => `| ${p.what} | ${num(p.features)} | ${(p.bytes / 2 ** 20).toFixed(1)} | ${ms(p.ms)} |`), '');
    targets.push({ target: 'No page loads all grids of a city as one GeoJSON', measured: `no page asks for all grids of the city (all grids as one GeoJSON would be ${num(payloads[0]!.features)} grids, ~${(payloads[0]!.bytes / 2 ** 20).toFixed(0)} MiB): /admin, /residents and /party ask for one community's grids; /map, /3d and /dispatch ask for the district and, when the server's MAX_FEATURES truncates it, for the grids of the view as it moves (none drawn while the view holds too many, a notice asks to zoom in; /dispatch finds the grid under a picked point from the server); /3d's buildings likewise; divisions.geojson gives the page's district only; /wall and /mobile ask for one district's grids at most (the wall's fixed view is its district; the phone's are the account's own grids), capped at MAX_FEATURES`,
      met: true, why: `/wall and /mobile are bounded by their district, not by a moving view: a district of more than MAX_FEATURES (5,000) grids would show them truncated there (the generated city's districts hold ~2,300; real ones 600–1,200); /3d's base layer (roads, water) is read from the district's z15 tiles` });
    return { title: 'Generated city', ranAt: new Date().toISOString(), machine: { ...started, loadEnd: os.loadavg() }, markdown: md, data: { size, generator: gen?.s ?? null, lookups, partition: part, payloads }, targets };
  } finally {
    await db.close();
  }
}

/**
 * Embedded PGlite vs real PostGIS on the same generated city: the same (small) city is generated
 * into a fresh in-memory PGlite and a fresh database on the city's server, then the same queries run.
 */
async function enginesBench(cityUrl: string, started: Machine): Promise<Section> {
  const { createTestDb } = await import('../server/testing/db.js');
  const { writeCity } = await import('../server/generate/write.js');
  const opts = { grids: 600, seed: 11, incidents: 60_000, days: 90, end: '2026-12-01', dataset: 'bench-engines' };
  const rows: EngineRow[] = [];
  const lookups: LookupRow[] = [];
  const gen: { engine: string; ms: number }[] = [];
  for (const engine of ['embedded', 'postgres'] as const) {
    process.env.GC_TEST_DB = engine;
    process.env.TEST_DATABASE_URL ??= cityUrl;
    const t = await createTestDb();
    try {
      let url: string | undefined;
      if (engine === 'postgres') {
        const u = new URL(process.env.TEST_DATABASE_URL);
        u.pathname = `/${(await t.db.query<{ n: string }>('SELECT current_database() AS n')).rows[0]!.n}`;
        url = u.toString();
      }
      console.error(`[bench] engines: generating ${opts.grids} grids / ${opts.incidents} incidents on ${engine}…`);
      const s = await writeCity(t.db, opts, url);
      gen.push({ engine, ms: s.totalMs });
      const b = (await t.db.query<{ x0: number; y0: number; x1: number; y1: number }>(
        `SELECT ST_XMin(e) AS x0, ST_YMin(e) AS y0, ST_XMax(e) AS x1, ST_YMax(e) AS y1 FROM (SELECT ST_Extent(geom)::geometry AS e FROM grid) s`)).rows[0]!;
      const bbox: [number, number, number, number] = [b.x0, b.y0, b.x1, b.y1];
      console.error(`[bench] engines: queries on ${engine}…`);
      rows.push(...(await benchEngineQueries(t.db, engine, bbox)));
      lookups.push(...(await benchGridLookup(t.db, engine, bbox, { points: 20_000, perRow: 1000 })));
    } finally {
      await t.drop();
    }
  }
  const md = [
    `The same generated city (${opts.grids} grids, ~${num(opts.grids * 33)} buildings, ${num(opts.incidents)} incidents over ${opts.days} days, seed ${opts.seed})`,
    'is generated into a fresh in-memory PGlite (`embedded`) and a fresh database on the PostgreSQL server (`postgres`), then the same',
    'queries run on both. The baseline of each row is the other engine: × = PGlite time / PostgreSQL time (p50).', '',
    '| query | runs | PGlite p50 ms | PGlite p95 ms | PostgreSQL p50 ms | PostgreSQL p95 ms | PGlite / PostgreSQL |', '|---|---|---|---|---|---|---|',
  ];
  for (const q of [...new Set(rows.map((r) => r.query))]) {
    const e = rows.find((r) => r.query === q && r.engine === 'embedded');
    const p = rows.find((r) => r.query === q && r.engine === 'postgres');
    md.push(`| ${q} | ${(e ?? p)!.runs} | ${e ? ms(e.p50) : '—'} | ${e ? ms(e.p95) : '—'} | ${p ? ms(p.p50) : '—'} | ${p ? ms(p.p95) : '—'} | ${e && p ? `${(e.p50 / p.p50).toFixed(1)}×` : '— (PGlite has no ST_AsMVT)'} |`);
  }
  md.push('', '| generator run | PGlite s | PostgreSQL s |', '|---|---|---|',
    `| ${opts.grids} grids, ${num(opts.incidents)} incidents (one transaction) | ${(gen.find((g) => g.engine === 'embedded')!.ms / 1000).toFixed(1)} | ${(gen.find((g) => g.engine === 'postgres')!.ms / 1000).toFixed(1)} |`,
    '', '| engine | lookup path | points | lookups/s | p50 µs | agreement |', '|---|---|---|---|---|---|',
    ...lookups.map((r) => `| ${r.engine} | ${r.path} | ${num(r.points)} | ${num(r.perSec)} | ${r.p50us === null ? '—' : ms(r.p50us)} | ${r.agree} |`), '');
  return { title: 'Embedded PGlite vs PostgreSQL (same generated city)', ranAt: new Date().toISOString(), machine: { ...started, loadEnd: os.loadavg() }, markdown: md, data: { opts, rows, lookups, generator: gen } };
}

/** Scale-out figures come from server/scale/scale.bench.ts (its own helper) when that file exists. */
async function scaleBench(started: Machine, cityUrl?: string): Promise<Section> {
  const file = resolve(ROOT, 'server/scale/scale.bench.ts');
  const md: string[] = [];
  const targets: Target[] = [];
  let data: unknown = null;
  const base = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL ?? cityUrl;
  const missing = (why: string) => {
    md.push(`**Not measured in this run**: ${why}. Intake one process vs three processes with the adapter, p50/p99 report→screen`,
      'with 200 and 1,000 sockets, and server RSS with 1,000 sockets are therefore missing here; the single-process intake and',
      '200-socket latency figures on the demo district are in the demo section.');
    for (const t of ['Three processes deliver with no loss and no duplicates', 'p99 ≤ 250 ms to 1,000 sockets', 'Server RSS with 1,000 sockets connected (reported)']) {
      targets.push({ target: t, measured: 'not measured', met: null, why });
    }
  };
  type ScaleRow = { processes: number; clients: number; rate?: string | number; p99: number; missing: number; duplicates: number; rssMb: number[] };
  type ScaleMod = { benchScaleOut?: (db: unknown, url: string) => Promise<ScaleRow[]>; scaleBenchMarkdown?: (rows: ScaleRow[]) => string[] };
  if (!existsSync(file)) missing('server/scale/scale.bench.ts did not exist when the report was written');
  else if (!base) missing('no PostgreSQL server given (TEST_DATABASE_URL, DATABASE_URL or --city)');
  else {
    const mod = (await import(file)) as ScaleMod;
    if (typeof mod.benchScaleOut !== 'function' || typeof mod.scaleBenchMarkdown !== 'function') missing('server/scale/scale.bench.ts exports no benchScaleOut/scaleBenchMarkdown');
    else {
      console.error('[bench] scale-out: 1 vs 3 processes, 200 and 1,000 sockets…');
      process.env.GC_TEST_DB = 'postgres';
      process.env.TEST_DATABASE_URL ??= base;
      const { createTestDb } = await import('../server/testing/db.js');
      const { loadFixture } = await import('../server/testing/fixture.js');
      const t = await createTestDb();
      try {
        await loadFixture(t.db);
        const u = new URL(process.env.TEST_DATABASE_URL);
        u.pathname = `/${(await t.db.query<{ d: string }>('SELECT current_database() AS d')).rows[0]!.d}`;
        const rows = await mod.benchScaleOut(t.db, u.toString());
        data = rows;
        md.push('Dataset: the test fixture on a fresh database of the same server (server/scale/scale.bench.ts), not the city: a server',
          'process holds no city data in memory (every page query goes to PostgreSQL), so its RSS is that of its sockets and code.', '');
        md.push(...mod.scaleBenchMarkdown(rows));
        for (const r of rows.filter((x) => x.clients === 1000)) {
          targets.push({ target: `p99 ≤ 250 ms to 1,000 sockets, no loss, no duplicates (${r.processes} process${r.processes > 1 ? 'es' : ''}, ${r.rate ? `${r.rate} reports/s` : 'as fast as stored'})`,
            measured: `p99 ${ms(r.p99)} ms, ${r.missing} missing, ${r.duplicates} duplicates, RSS ${r.rssMb.map((x) => x.toFixed(0)).join(' + ')} MB`,
            met: r.p99 <= 250 && r.missing === 0 && r.duplicates === 0, why: 'screens and servers share the 2 cores (see the section)' });
        }
      } finally {
        await t.drop();
      }
    }
  }
  return { title: 'Scale-out (several processes, socket.io adapter)', ranAt: new Date().toISOString(), machine: { ...started, loadEnd: os.loadavg() }, markdown: md, data, targets };
}

await main();

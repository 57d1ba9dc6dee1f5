// Scale-out benchmark (issue 13): report-to-screen latency through real server processes — one
// process alone against three processes sharing rooms through @socket.io/postgres-adapter — with
// 200 and 1,000 socket.io screens, and each server's resident memory with the screens connected.
// Servers are child processes (server/main.ts, as `npm start` runs it) on the PostgreSQL database
// at `databaseUrl`; screens are spread round-robin over the processes and subscribe to the
// district room (every report reaches every screen); reports are posted one after another to the
// first process, timed from just before the POST to each screen's receipt of the diff. The
// screens run in this process, so on a small machine they compete with the servers for the CPU.
//
//   npx tsx server/scale/scale.bench.ts            # on a fresh database at TEST_DATABASE_URL (test fixture)
//
// scripts/bench.ts may call benchScaleOut(db, url) on its own dataset and add scaleBenchMarkdown(rows).
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { newSecret, sha256 } from '../auth/principal.js';
import type { Db } from '../db/db.js';
import { childEnv, startServer, tempDataDir, type ChildServer } from '../db/testkit.js';
import { liveClient, type LiveClient } from './live-client.js';

export interface ScaleBenchRow {
  processes: number;
  adapter: 'none' | 'postgres';
  clients: number;
  reports: number;
  deliveries: number;
  missing: number;
  duplicates: number;
  p50: number;
  p99: number;
  max: number;
  /** Reports sent per second (paced; 0 = one after another, as fast as they are stored). */
  rate: number;
  /** CPU the screens (this process) used while reports went out, as a share of one core. */
  clientCpu: number;
  /** 1-minute load average of the machine at the end (2 cores here; other work included). */
  load: number;
  /** Resident memory of each server process with the screens connected, MB. */
  rssMb: number[];
}

const pct = (xs: number[], p: number) => (xs.length ? [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))]! : NaN);
const rssMb = (pid: number): number => {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
};
let run = 0;

async function token(db: Db, role: string, division: string): Promise<string> {
  const secret = newSecret('gct');
  await db.query(`INSERT INTO api_token (token_hash, prefix, name, kind, role, division_code) VALUES ($1, $2, $3, 'api', $4, $5)`,
    [sha256(secret), secret.slice(0, 8), `scale-bench-${role}-${process.pid}-${run}`, role, division]);
  return secret;
}

/**
 * One scenario: `processes` servers (1 = no adapter; more = postgres adapter), `clients` screens,
 * `reports` reports. `db` is the same database as `databaseUrl` (tokens and points are made there).
 */
export async function benchScaleScenario(db: Db, databaseUrl: string, o: { processes: number; clients: number; reports: number; intervalMs?: number }): Promise<ScaleBenchRow> {
  run++;
  const district = (await db.query<{ code: string }>(`SELECT code FROM division WHERE level = 'district' ORDER BY code LIMIT 1`)).rows[0]!.code;
  const screenToken = await token(db, 'district_leader', district);
  const operator = await token(db, 'district_center', district);
  const pts = (await db.query<{ x: number; y: number }>(
    `SELECT ST_X(p.geom) AS x, ST_Y(p.geom) AS y FROM (SELECT (ST_Dump(ST_GeneratePoints(ST_Union(geom), $1::int, 7))).geom FROM grid) p`,
    [o.reports])).rows;
  const adapter = o.processes > 1 ? 'postgres' : 'none';
  const data = tempDataDir();
  const env = childEnv(data.dir, {
    DATABASE_URL: databaseUrl, SOCKET_ADAPTER: adapter, INTAKE_RATE_LIMIT: '1000000', LOG_LEVEL: 'error', DUPLICATE_RADIUS_M: '0.01',
  });
  const servers: ChildServer[] = [];
  const clients: LiveClient[] = [];
  try {
    servers.push(...await Promise.all(Array.from({ length: o.processes }, () => startServer(env, 240_000))));
    const sent = new Map<string, number>();
    const samples: number[] = [];
    // Connect in waves (each handshake checks the token in the database).
    for (let i = 0; i < o.clients; i += 100) {
      const wave = Array.from({ length: Math.min(100, o.clients - i) }, (_, k) => {
        const c = liveClient({ name: `screen ${i + k}`, url: servers[(i + k) % servers.length]!.url, token: screenToken, rooms: { divisions: [district] }, noCatchUp: true, reconnectMs: 1000 });
        c.onAdd = (inc, at) => {
          const t0 = sent.get(inc.clientKey);
          if (t0 !== undefined) samples.push(at - t0);
        };
        return c;
      });
      clients.push(...wave);
      await Promise.all(wave.map((c) => c.ready));
    }
    await new Promise((r) => setTimeout(r, 500));
    const rss = servers.map((s) => rssMb(s.pid));
    const measured = new Set<number>();
    const postAt = async (p: { x: number; y: number }, key: string, timed: boolean) => {
      const body = { lon: p.x, lat: p.y, category: 'parking', description: '占道停车（合成，基准测试）', source: 'hotline_12345', clientKey: key };
      if (timed) sent.set(key, performance.now());
      const r = await fetch(`${servers[0]!.url}/api/incidents`, {
        method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${operator}` }, body: JSON.stringify(body),
      });
      if (r.status !== 201) throw new Error(`scale bench: POST ${r.status} ${await r.text()}`);
      if (timed) measured.add(((await r.json()) as { id: number }).id);
    };
    // Warm-up (query plans, first NOTIFY): not timed.
    for (const [i, p] of pts.slice(0, 3).entries()) await postAt(p, `scale-bench-warm-${process.pid}-${run}-${i}`, false);
    await new Promise((r) => setTimeout(r, 500));
    const t0run = Date.now();
    const cpu0 = process.cpuUsage();
    const interval = o.intervalMs ?? 0;
    for (const [i, p] of pts.entries()) {
      const due = t0run + i * interval;
      if (interval && Date.now() < due) await new Promise((res) => setTimeout(res, due - Date.now()));
      await postAt(p, `scale-bench-${process.pid}-${run}-${i}`, true);
    }
    const want = o.clients * pts.length;
    while (samples.length < want && Date.now() - t0run < 60_000 + pts.length * 100) await new Promise((r) => setTimeout(r, 50));
    const cpu = process.cpuUsage(cpu0);
    const clientCpu = (cpu.user + cpu.system) / 1000 / Math.max(1, Date.now() - t0run);
    await new Promise((r) => setTimeout(r, 300));
    let deliveries = 0;
    let duplicates = 0;
    for (const c of clients) for (const [id, n] of c.adds) if (measured.has(id)) { deliveries += 1; duplicates += n - 1; }
    return {
      processes: o.processes, adapter, clients: o.clients, reports: pts.length, deliveries, missing: want - deliveries, duplicates,
      p50: pct(samples, 0.5), p99: pct(samples, 0.99), max: samples.length ? Math.max(...samples) : NaN, rssMb: rss,
      rate: interval ? 1000 / interval : 0, clientCpu, load: loadavg()[0]!,
    };
  } finally {
    clients.forEach((c) => c.close());
    await Promise.all(servers.map((s) => s.stop('SIGTERM')));
    data.remove();
  }
}

/** The four scenarios of issue 13: 200 and 1,000 screens, one process and three with the adapter. */
export async function benchScaleOut(db: Db, databaseUrl: string,
  opts: { reports: number; clients: number[]; processes: number[]; intervalsMs: number[] } = { reports: 100, clients: [200, 1000], processes: [1, 3], intervalsMs: [100, 0] }): Promise<ScaleBenchRow[]> {
  const rows: ScaleBenchRow[] = [];
  for (const intervalMs of opts.intervalsMs) {
    for (const clients of opts.clients) {
      for (const processes of opts.processes) rows.push(await benchScaleScenario(db, databaseUrl, { processes, clients, reports: opts.reports, intervalMs }));
    }
  }
  return rows;
}

const ms = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : '–');

/** Markdown section for the combined report. */
export function scaleBenchMarkdown(rows: ScaleBenchRow[]): string[] {
  const out = [
    '## Scale-out: report → screen through several server processes',
    '',
    'Real server processes (`server/main.ts`) on PostgreSQL; screens spread round-robin over them, each subscribed to the district room; ' +
    'reports posted to the first process, paced (10 reports/s: with 1,000 screens 10,000 deliveries/s) or one after another as fast as they are ' +
    'stored (a saturation run: the deliveries queue behind each other). One process has no adapter (the baseline); three share rooms through ' +
    '`@socket.io/postgres-adapter` (LISTEN/NOTIFY). Latency from just before the POST to each screen\'s receipt. The screens run in the ' +
    'benchmark\'s own process, on the same cores as the servers (client CPU: their share of one core while reports went out). ' +
    'Target: p99 ≤ 250 ms to 1,000 sockets, no loss, no duplicates.',
    '',
    '| reports/s | processes | adapter | screens | reports | deliveries | missing | duplicates | p50 ms | p99 ms | max ms | client CPU | load 1 min | server RSS MB (each) |',
    '|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|',
    ...rows.map((r) => `| ${r.rate ? r.rate.toFixed(0) : 'as fast as stored'} | ${r.processes} | ${r.adapter} | ${r.clients} | ${r.reports} | ${r.deliveries} | ${r.missing} | ${r.duplicates} | ${ms(r.p50)} | ${ms(r.p99)} | ${ms(r.max)} | ${(r.clientCpu * 100).toFixed(0)} % | ${r.load.toFixed(1)} | ${r.rssMb.map((x) => x.toFixed(0)).join(' + ')} |`),
    '',
  ];
  const one = rows.find((r) => r.processes === 1 && r.clients === 1000);
  if (one) out.push(`Memory: one server process with ${one.clients} sockets connected: ${one.rssMb[0]!.toFixed(0)} MB RSS.`, '');
  for (const r of rows.filter((x) => x.clients === 1000)) {
    const met = r.p99 <= 250 && r.missing === 0 && r.duplicates === 0;
    out.push(`- ${r.rate ? `${r.rate.toFixed(0)} reports/s` : 'as fast as stored'}, ${r.processes} process${r.processes > 1 ? 'es' : ''}, 1,000 screens: ${met ? 'target met' : `target **not met** (p99 ${ms(r.p99)} ms, ${r.missing} missing, ${r.duplicates} duplicates)`}.`);
  }
  out.push('');
  return out;
}

// Standalone: a fresh database at TEST_DATABASE_URL with the test fixture.
if (import.meta.url === `file://${process.argv[1]}`) {
  const base = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL;
  if (!base) throw new Error('scale bench: set TEST_DATABASE_URL to a PostgreSQL+PostGIS server');
  process.env.GC_TEST_DB = 'postgres';
  const { createTestDb } = await import('../testing/db.js');
  const { loadFixture } = await import('../testing/fixture.js');
  const t = await createTestDb();
  try {
    await loadFixture(t.db);
    const name = (await t.db.query<{ d: string }>('SELECT current_database() AS d')).rows[0]!.d;
    const url = new URL(base);
    url.pathname = `/${name}`;
    const only = process.argv.includes('--quick') ? { reports: 30, clients: [200], processes: [1, 3], intervalsMs: [100] } : undefined;
    const rows = await benchScaleOut(t.db, url.toString(), only);
    console.log(scaleBenchMarkdown(rows).join('\n'));
    console.log(JSON.stringify(rows));
  } finally {
    await t.drop();
  }
}

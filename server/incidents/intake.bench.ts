// Intake benchmark: reports stored with their grid located and committed, our batched path
// (createIncidents: one locate statement, one INSERT … SELECT FROM json_to_recordset, one
// transaction per batch) against a naive baseline in the same process (per report: an ST_Contains
// lookup, then INSERT case, reporter and trail entry in a transaction of its own); and
// report-to-screen latency: 200 socket.io clients with a token, subscribed to the district room,
// timed from just before POST /api/incidents to each client's receipt of the diff.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { io as connect, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents, SubscribeAck } from '../../core/events.js';
import type { IncidentCreate } from '../../core/incident-schema.js';
import { SYSTEM_ACTOR } from '../../core/workflow.js';
import { newSecret, sha256 } from '../auth/principal.js';
import { loadConfig } from '../config.js';
import type { Db } from '../db/db.js';
import { EventBus } from '../events/bus.js';
import { attachSockets } from '../events/sockets.js';
import { createApp } from '../http/app.js';
import { detectEncoder } from '../tiles/encode.js';
import { createIncident, createIncidents } from './commands.js';

export interface IntakeBenchRow { engine: string; path: string; reports: number; ms: number; perSec: number }
export interface LatencyBenchRow { engine: string; clients: number; reports: number; deliveries: number; missing: number; p50: number; p99: number; max: number }

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))]!;
const ALL = { kind: 'all' } as const;
let run = 0;

/** n points inside the district's grids (PostGIS draws them, seeded, so every run has the same). */
async function gridPoints(db: Db, n: number, where = 'TRUE'): Promise<[number, number][]> {
  const r = await db.query<{ x: number; y: number }>(
    `SELECT ST_X(p.geom) AS x, ST_Y(p.geom) AS y
       FROM (SELECT (ST_Dump(ST_GeneratePoints(ST_Union(geom), $1::int, 42))).geom FROM grid WHERE ${where}) p`, [n]);
  return r.rows.map((p) => [p.x, p.y]);
}

const report = (p: [number, number], i: number, tag: string): IncidentCreate => ({
  lon: p[0], lat: p[1], crs: 'wgs84', category: (['sanitation', 'parking', 'noise', 'city_order'] as const)[i % 4]!,
  description: `基准测试 ${i}`, source: 'simulator', clientKey: `bench-${tag}-${run}-${i}`, synthetic: true,
});

/** The naive way: per report, look the grid up with ST_Contains and insert in a transaction of its own. */
async function naive(db: Db, r: IncidentCreate): Promise<void> {
  const loc = (await db.query<{ grid_id: number | null; community_code: string | null; subdistrict_code: string | null; district_code: string | null }>(
    `SELECT g.id AS grid_id, g.community_code, c.parent_code AS subdistrict_code, s.parent_code AS district_code
       FROM grid g JOIN division c ON c.code = g.community_code JOIN division s ON s.code = c.parent_code
      WHERE ST_Contains(g.geom, ST_SetSRID(ST_MakePoint($1::float8, $2::float8), 4326)) LIMIT 1`, [r.lon, r.lat])).rows[0];
  await db.transaction(async (tx) => {
    const id = (await tx.query<{ id: number }>(
      `INSERT INTO incident (client_key, body_hash, category, description, source, geom, grid_id, community_code, subdistrict_code, district_code, synthetic, level, handler)
       VALUES ($1, 'naive', $2, $3, $4, ST_SetSRID(ST_MakePoint($5::float8, $6::float8), 4326), $7, $8, $9, $10, true, 'grid', 'grid_worker') RETURNING id`,
      [r.clientKey, r.category, r.description, r.source, r.lon, r.lat, loc?.grid_id ?? null, loc?.community_code ?? null, loc?.subdistrict_code ?? null, loc?.district_code ?? null])).rows[0]!.id;
    await tx.query(`INSERT INTO incident_reporter (incident_id, source, client_key, reported_at, actor_kind, actor_label) VALUES ($1, $2, $3, now(), 'system', '系统')`, [id, r.source, r.clientKey]);
    await tx.query(`INSERT INTO incident_event (incident_id, action, to_state, to_level, actor_kind, actor_label) VALUES ($1, 'report', 'reported', 'grid', 'system', '系统')`, [id]);
  });
}

async function timed(engine: string, path: string, reports: number, fn: () => Promise<void>): Promise<IntakeBenchRow> {
  const t0 = performance.now();
  await fn();
  const ms = performance.now() - t0;
  return { engine, path, reports, ms, perSec: reports / (ms / 1000) };
}

export async function benchIntakeThroughput(db: Db, engine: string,
  opts = { batched: 20_000, batchSize: 1000, inFlight: 2, single: 1000, naive: 2000 }): Promise<IntakeBenchRow[]> {
  run++;
  const bus = new EventBus();
  let published = 0;
  bus.subscribe('incident.created', () => { published++; });
  const pts = await gridPoints(db, Math.max(opts.batched, opts.single, opts.naive));
  const rows: IntakeBenchRow[] = [];
  // Warm-up (plans, caches) on both paths.
  await createIncidents(db, bus, pts.slice(0, 50).map((p, i) => report(p, i, 'warm-b')), ALL);
  for (const [i, p] of pts.slice(0, 20).entries()) await naive(db, report(p, i, 'warm-n'));
  published = 0;

  rows.push(await timed(engine, `batched: createIncidents, ${opts.batchSize} per transaction`, opts.batched, async () => {
    for (let i = 0; i < opts.batched; i += opts.batchSize) {
      const batch = pts.slice(i, i + opts.batchSize).map((p, j) => report(p, i + j, 'b'));
      const out = await createIncidents(db, bus, batch, ALL);
      if (!out.every((o) => o.ok && o.value.created)) throw new Error('bench: a batched report was not stored');
    }
  }));
  if (published !== opts.batched) throw new Error(`bench: ${published} events for ${opts.batched} reports`);
  // Several clients at once: batches in flight together (PGlite runs one transaction at a time).
  rows.push(await timed(engine, `batched: ${opts.inFlight} batches of ${opts.batchSize} in flight`, opts.batched, async () => {
    let next = 0;
    await Promise.all(Array.from({ length: opts.inFlight }, async () => {
      while (next < opts.batched) {
        const i = next;
        next += opts.batchSize;
        const out = await createIncidents(db, bus, pts.slice(i, i + opts.batchSize).map((p, j) => report(p, i + j, 'c')), ALL);
        if (!out.every((o) => o.ok && o.value.created)) throw new Error('bench: a batched report was not stored');
      }
    }));
  }));
  rows.push(await timed(engine, 'one by one: createIncident (the single-report path)', opts.single, async () => {
    for (const [i, p] of pts.slice(0, opts.single).entries()) {
      const out = await createIncident(db, bus, report(p, i, 's'), ALL, SYSTEM_ACTOR);
      if (!out.ok) throw new Error(out.error.message);
    }
  }));
  rows.push(await timed(engine, 'baseline: per report ST_Contains + INSERTs in its own transaction', opts.naive, async () => {
    for (const [i, p] of pts.slice(0, opts.naive).entries()) await naive(db, report(p, i, 'n'));
  }));
  return rows;
}

type Client = Socket<ServerToClientEvents, ClientToServerEvents>;

/** Report-to-screen latency through the real HTTP server and socket.io, all in this process. */
export async function benchIntakeLatency(db: Db, engine: string, opts = { clients: 200, reports: 100 }): Promise<LatencyBenchRow> {
  run++;
  const district = (await db.query<{ code: string }>(`SELECT code FROM division WHERE level = 'district' ORDER BY code LIMIT 1`)).rows[0]!.code;
  const subdistrict = (await db.query<{ code: string }>(`SELECT code FROM division WHERE level = 'subdistrict' AND parent_code = $1 ORDER BY code LIMIT 1`, [district])).rows[0]!.code;
  const token = async (role: string, division: string) => {
    const secret = newSecret('gct');
    await db.query(`INSERT INTO api_token (token_hash, prefix, name, kind, role, division_code) VALUES ($1, $2, $3, 'api', $4, $5)`,
      [sha256(secret), secret.slice(0, 8), `bench-${role}-${run}`, role, division]);
    return secret;
  };
  const operator = await token('subdistrict_staff', subdistrict);
  const screen = await token('district_leader', district);
  const pts = await gridPoints(db, opts.reports,
    `community_code IN (SELECT code FROM division WHERE parent_code = '${subdistrict.replace(/'/g, "''")}')`);

  const config = loadConfig({ LOG_LEVEL: 'silent', INTAKE_RATE_LIMIT: '1000000' });
  const bus = new EventBus();
  const http = createServer(createApp({ config, db, bus, tileEncoder: await detectEncoder(db), log: () => undefined }));
  const sockets = attachSockets(http, db, bus);
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  const sent = new Map<string, number>();
  const samples: number[] = [];
  const clients: Client[] = [];
  try {
    for (let i = 0; i < opts.clients; i++) {
      const s: Client = connect(base, { transports: ['websocket'], forceNew: true, reconnection: false, auth: { token: screen } });
      clients.push(s);
      s.on('incidents:diff', (d) => {
        const at = performance.now();
        for (const inc of d.add) {
          const t0 = sent.get(inc.clientKey);
          if (t0 !== undefined) samples.push(at - t0);
        }
      });
    }
    const acks = await Promise.all(clients.map((s) => new Promise<SubscribeAck>((resolve) => s.emit('subscribe', { divisions: [district] }, resolve))));
    if (!acks.every((a) => a.ok)) throw new Error('bench: a client could not subscribe');
    for (const [i, p] of pts.entries()) {
      const body = { lon: p[0], lat: p[1], category: 'parking', description: '占道停车', source: 'hotline_12345', clientKey: `bench-live-${run}-${i}` };
      sent.set(body.clientKey, performance.now());
      const r = await fetch(`${base}/api/incidents`, {
        method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${operator}` }, body: JSON.stringify(body),
      });
      if (r.status !== 201) throw new Error(`bench: POST ${r.status} ${await r.text()}`);
    }
    const want = opts.clients * pts.length;
    const t0 = Date.now();
    while (samples.length < want && Date.now() - t0 < 10_000) await new Promise((r) => setTimeout(r, 20));
    return {
      engine, clients: opts.clients, reports: pts.length, deliveries: samples.length, missing: want - samples.length,
      p50: pct(samples, 0.5), p99: pct(samples, 0.99), max: Math.max(...samples),
    };
  } finally {
    clients.forEach((s) => s.close());
    await sockets.close();
    await new Promise<void>((resolve) => http.close(() => resolve()));
    http.closeAllConnections?.();
  }
}

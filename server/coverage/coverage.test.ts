// The 15-minute life circle on the demo district (real OSM streets of the Bund and Lujiazui), on
// both engines: stored figures for every class, distances against an independent computation
// (pgRouting on real PostGIS; a brute-force Dijkstra on the embedded engine), what-if against a
// full recomputation with the facility really added, isochrones, scenarios, suggestions, exports
// and jurisdiction.
import { randomBytes } from 'node:crypto';
import type { Express } from 'express';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  CoverageGaps, CoverageGrids, CoverageSummary, Isochrone, Scenario, ScenarioCompare, SuggestResult, WhatIfResult,
} from '../../core/coverage/contract.js';
import { nodeSource, Searcher, type Source } from '../../core/coverage/search.js';
import { EventBus } from '../events/bus.js';
import { loadConfig } from '../config.js';
import { createApp } from '../http/app.js';
import { loadDemo } from '../demo/load.js';
import { createTestDb, testDbKind, type TestDb } from '../testing/db.js';
import { insertToken } from '../testing/principals.js';
import { detectEncoder } from '../tiles/encode.js';
import { dropEngine, getEngine, type CoverageEngine } from './engine.js';

const SPEED = 1.2;
const COMMUNITY = 'DEMO00001001'; // 中山东一路社区 (Puxi, on the Bund)
let t: TestDb;
let app: Express;
let e: CoverageEngine;
const tokens: Record<'planner' | 'community' | 'grid' | 'analyst', string> = { planner: '', community: '', grid: '', analyst: '' };

const as = (w: keyof typeof tokens) => ({
  get: (url: string) => request(app).get(url).set('Authorization', `Bearer ${tokens[w]}`),
  post: (url: string, body: object) => request(app).post(url).set('Authorization', `Bearer ${tokens[w]}`).send(body),
});
const q = async <R>(sql: string, params: unknown[] = []) => (await t.db.query<R>(sql, params)).rows;
const one = async <R>(sql: string, params: unknown[] = []) => (await q<R>(sql, params))[0]!;

beforeAll(async () => {
  t = await createTestDb();
  await loadDemo(t.db);
  app = createApp({ config: loadConfig({ WALK_SPEED_MPS: String(SPEED) }), db: t.db, bus: new EventBus(), tileEncoder: await detectEncoder(t.db), log: () => undefined });
  const secret = () => `gct_${randomBytes(18).toString('base64url')}`;
  tokens.planner = secret(); await insertToken(t.db, tokens.planner, 'planner', 'planner', { divisionCode: 'DEMO00' });
  tokens.community = secret(); await insertToken(t.db, tokens.community, 'community', 'community_staff', { divisionCode: COMMUNITY });
  tokens.analyst = secret(); await insertToken(t.db, tokens.analyst, 'analyst', 'analyst', { divisionCode: 'DEMO00' });
  const grid = (await q<{ id: number }>(`SELECT id FROM grid WHERE community_code = $1 ORDER BY id LIMIT 1`, [COMMUNITY]))[0]!.id;
  tokens.grid = secret(); await insertToken(t.db, tokens.grid, 'grid', 'grid_worker', { gridId: grid });
  e = await getEngine(t.db, SPEED);
}, 180_000);
afterAll(async () => { await t?.drop(); });

describe(`15-minute coverage of the demo district on ${testDbKind()}`, () => {
  it('computes and stores every class for every building', async () => {
    const { buildings } = await one<{ buildings: number }>('SELECT count(*)::int AS buildings FROM building');
    const per = await q<{ service_class: string; n: number; timed: number; reachable: number }>(
      `SELECT service_class, count(*)::int AS n, count(minutes)::int AS timed, count(*) FILTER (WHERE reachable)::int AS reachable
         FROM coverage_building GROUP BY service_class ORDER BY service_class`);
    expect(per).toHaveLength(16);
    for (const p of per) {
      expect(p.n).toBe(buildings);
      expect(p.timed, p.service_class).toBeGreaterThan(0);
    }
    const run = (await q<{ nodes: number; edges: number; speed_mps: number; network_version: string }>('SELECT * FROM coverage_run'));
    expect(run).toHaveLength(1);
    expect(run[0]).toMatchObject({ nodes: e.graph.nodeCount, edges: e.graph.edgeCount, speed_mps: SPEED, network_version: e.version });
    expect(e.graph.edgeCount).toBeGreaterThan(1000);
    // non-walkable rows (subway, ferry, trunk …) were left out and counted
    const { n: excluded } = await one<{ n: number }>(`SELECT count(*)::int AS n FROM road WHERE NOT walkable OR kind IN ('motorway','motorway_link','trunk','trunk_link')`);
    expect(e.graph.excludedRoads).toBe(excluded);
  });

  it('summary: community × class matrix with shares, scores and lacking classes that add up', async () => {
    const res = await as('planner').get('/api/coverage/summary').expect(200);
    const s = res.body as CoverageSummary;
    expect(s.synthetic).toBe(true);
    expect(s.attribution).toContain('OpenStreetMap');
    expect(s.speedMps).toBe(SPEED);
    expect(s.classes).toHaveLength(16);
    expect(s.communities).toHaveLength(12);
    const { h } = await one<{ h: number }>('SELECT sum(households)::int AS h FROM building WHERE households > 0 OR residents > 0');
    expect(s.district.households).toBe(h);
    for (const c of s.classes) {
      const cell = s.district.cells[c.code]!;
      expect(cell.households).toBe(h);
      // the district total is the sum of its communities (+ buildings in no community)
      const sum = s.communities.reduce((x, a) => x + a.cells[c.code]!.coveredHouseholds, 0);
      expect(sum).toBeLessThanOrEqual(cell.coveredHouseholds);
      expect(cell.householdsShare).toBeGreaterThanOrEqual(0);
      expect(cell.householdsShare).toBeLessThanOrEqual(1);
    }
    for (const a of s.communities) {
      const shares = s.classes.map((c) => a.cells[c.code]!.householdsShare ?? 0);
      expect(a.score).toBeCloseTo(shares.reduce((x, y) => x + y, 0) / 16, 9);
      expect(a.lacks).toEqual(s.classes.filter((c) => (a.cells[c.code]!.householdsShare ?? 0) < 0.5).map((c) => c.code));
    }
    // a longer limit never covers fewer households
    const s20 = (await as('planner').get('/api/coverage/summary?limit=20').expect(200)).body as CoverageSummary;
    const s5 = (await as('planner').get('/api/coverage/summary?limit=5').expect(200)).body as CoverageSummary;
    for (const c of s.classes) {
      expect(s20.district.cells[c.code]!.coveredHouseholds).toBeGreaterThanOrEqual(s5.district.cells[c.code]!.coveredHouseholds);
    }
    expect(s20.limitMinutes).toBe(20);
  });

  it('per-grid shares match the buildings\' stored minutes', async () => {
    const g = (await as('planner').get('/api/coverage/grids?class=park').expect(200)).body as CoverageGrids;
    expect(g.grids.length).toBe(41);
    const cell = g.grids.find((x) => x.households > 0)!;
    const { covered, total } = await one<{ covered: number; total: number }>(
      `SELECT COALESCE(sum(b.households) FILTER (WHERE cb.minutes <= 10), 0)::int AS covered, sum(b.households)::int AS total
         FROM building b JOIN coverage_building cb ON cb.building_id = b.id AND cb.service_class = 'park'
        WHERE b.grid_id = $1 AND (b.households > 0 OR b.residents > 0)`, [cell.gridId]);
    expect(cell.households).toBe(total);
    expect(cell.householdsShare).toBeCloseTo(covered / total, 9);
    const all = (await as('planner').get('/api/coverage/grids').expect(200)).body as CoverageGrids;
    expect(Object.keys(all.grids[0]!.shares!)).toHaveLength(16);
  });

  it('walking distances equal an independent computation on the same streets', async () => {
    // The independent graph: every road vertex a node, every consecutive pair an edge measured by
    // PostGIS on the ellipsoid, vertices matched by their exact coordinates.
    await t.db.exec(`
      CREATE TABLE tv AS
        SELECT r.id AS road, d.path[1] AS k, ST_X(d.geom) AS x, ST_Y(d.geom) AS y, d.geom AS g
          FROM road r CROSS JOIN LATERAL ST_DumpPoints(r.geom) d
         WHERE r.walkable AND r.kind NOT IN ('motorway', 'motorway_link', 'trunk', 'trunk_link');
      CREATE TABLE tvid AS SELECT x, y, row_number() OVER (ORDER BY x, y)::int AS vid FROM (SELECT DISTINCT x, y FROM tv) u;
      CREATE TABLE te AS
        SELECT row_number() OVER ()::int AS id, va.vid AS source, vb.vid AS target, ST_Distance(a.g::geography, b.g::geography) AS cost
          FROM tv a JOIN tv b ON b.road = a.road AND b.k = a.k + 1
          JOIN tvid va ON va.x = a.x AND va.y = a.y JOIN tvid vb ON vb.x = b.x AND vb.y = b.y;`);
    const vid = new Map((await q<{ x: number; y: number; vid: number }>('SELECT x, y, vid FROM tvid')).map((r) => [`${r.x},${r.y}`, r.vid]));
    const g = e.graph;
    const nodeVid = (n: number) => vid.get(`${g.nodeLon![n]},${g.nodeLat![n]}`)!;
    // start at the graph nodes nearest the five schools, walk up to 30 min
    const cutoff = 30 * 60 * SPEED;
    const starts = e.facilities.get('education')!.snaps.filter((s) => s !== null).map((s) =>
      (s!.offset < g.edgeLen[s!.edge]! / 2 ? g.edgeFrom[s!.edge]! : g.edgeTo[s!.edge]!));
    const mine = new Searcher(g).run(starts.map((n) => nodeSource(g, n)).filter((x): x is Source => x !== null), cutoff);
    let other: Map<number, number>;
    if (testDbKind() === 'postgres') {
      // pgRouting (postgresql-15-pgrouting here): pgr_drivingDistance from all starts at once, each
      // vertex with its distance to the nearest start (equicost)
      await t.db.exec('CREATE EXTENSION IF NOT EXISTS pgrouting');
      const rows = await q<{ node: string; agg_cost: number }>(
        `SELECT node, agg_cost FROM pgr_drivingDistance('SELECT id, source, target, cost FROM te', $1::bigint[], $2::float8, directed => false, equicost => true)`,
        [starts.map(nodeVid), cutoff]);
      other = new Map(rows.map((r) => [Number(r.node), r.agg_cost]));
    } else {
      // brute force: one plain O(V²) Dijkstra per start on the independent graph, then the minimum
      const edges = await q<{ source: number; target: number; cost: number }>('SELECT source, target, cost FROM te');
      const V = vid.size + 1;
      const adj: [number, number][][] = Array.from({ length: V }, () => []);
      for (const x of edges) { adj[x.source]!.push([x.target, x.cost]); adj[x.target]!.push([x.source, x.cost]); }
      const best = new Float64Array(V).fill(Infinity);
      for (const s of starts.map(nodeVid)) {
        const d = new Float64Array(V).fill(Infinity);
        const done = new Uint8Array(V);
        d[s] = 0;
        for (;;) {
          let u = -1;
          for (let i = 1; i < V; i++) if (!done[i] && d[i]! <= cutoff && (u < 0 || d[i]! < d[u]!)) u = i;
          if (u < 0) break;
          done[u] = 1;
          for (const [v, c] of adj[u]!) if (d[u]! + c < d[v]!) d[v] = d[u]! + c;
        }
        for (let i = 1; i < V; i++) if (d[i]! < best[i]!) best[i] = d[i]!;
      }
      other = new Map();
      best.forEach((d, i) => { if (d <= cutoff) other.set(i, d); });
    }
    let compared = 0;
    for (let n = 0; n < g.nodeCount; n++) {
      const d = mine.dist[n]!;
      const o = other.get(nodeVid(n));
      if (d <= cutoff * 0.999 || (o !== undefined && o <= cutoff * 0.999)) {
        expect(o, `node ${n}`).toBeDefined();
        expect(Math.abs(d - o!), `node ${n}: ${d} vs ${o}`).toBeLessThan(0.5 + d * 5e-4);
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(500);
  });
});

export { dropEngine };

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
  CoverageBuildings, CoverageGaps, CoverageGrids, CoverageSummary, Isochrone, IsochroneLines, Scenario, ScenarioCompare, SuggestResult, WhatIfResult,
} from '../../core/coverage/contract.js';
import { nodeSource, Searcher, type Source } from '../../core/coverage/search.js';
import { EventBus } from '../events/bus.js';
import { loadConfig } from '../config.js';
import { createApp } from '../http/app.js';
import { loadDemo } from '../demo/load.js';
import { createTestDb, testDbKind, type TestDb } from '../testing/db.js';
import { insertToken } from '../testing/principals.js';
import { detectEncoder } from '../tiles/encode.js';
import { wallMetrics } from '../wall/metrics.js';
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

  it('what-if: a new facility covers exactly the buildings a full recomputation with it says, and saves nothing', async () => {
    const cls = 'child_care'; // one facility, 5-minute limit: most homes uncovered
    const target = await one<{ id: number; lon: number; lat: number }>(
      `SELECT b.id, ST_X(ST_PointOnSurface(b.geom)) AS lon, ST_Y(ST_PointOnSurface(b.geom)) AS lat
         FROM building b JOIN coverage_building cb ON cb.building_id = b.id AND cb.service_class = $1
        WHERE b.households > 0 AND cb.reachable AND (cb.minutes IS NULL OR cb.minutes > 5) AND b.community_code = $2
        ORDER BY b.households DESC, b.id LIMIT 1`, [cls, COMMUNITY]);
    const stored = async () => q<{ building_id: number; minutes: number | null }>(
      'SELECT building_id, minutes FROM coverage_building WHERE service_class = $1 ORDER BY building_id', [cls]);
    const before = await stored();
    const res = await as('planner').post('/api/coverage/what-if', { class: cls, add: [{ lon: target.lon, lat: target.lat }] }).expect(200);
    const w = res.body as WhatIfResult;
    expect(w.facilities).toEqual({ before: 1, after: 2 });
    expect(w.unreachable).toEqual([]);
    const newly = w.changed.filter((c) => c.coveredAfter && !c.coveredBefore).map((c) => c.buildingId).sort((a, b) => a - b);
    expect(newly).toContain(target.id);
    for (const c of w.changed) expect(c.after!).toBeLessThan(c.before ?? Infinity);
    const gained = w.district.after.coveredHouseholds - w.district.before.coveredHouseholds;
    const { h } = await one<{ h: number }>('SELECT COALESCE(sum(households), 0)::int AS h FROM building WHERE id = ANY($1::int[])', [newly]);
    expect(gained).toBe(h);
    expect(gained).toBeGreaterThan(0);
    expect(await stored()).toEqual(before); // nothing saved
    expect(await one<{ n: number }>(`SELECT count(*)::int AS n FROM facility WHERE service_class = $1`, [cls])).toEqual({ n: 1 });

    // the independent answer: really add the facility; the changed data rebuilds the graph and
    // recomputes every building in one multi-source pass
    const fid = (await one<{ id: number }>(`INSERT INTO facility (dataset_id, name, service_class, geom)
      SELECT id, 'test', $1, ST_SetSRID(ST_MakePoint($2, $3), 4326) FROM dataset LIMIT 1 RETURNING id`, [cls, target.lon, target.lat])).id;
    const e2 = await getEngine(t.db, SPEED, { maxAgeMs: 0 });
    expect(e2.version).not.toBe(e.version);
    const after = await stored();
    const covered = (rows: { building_id: number; minutes: number | null }[]) =>
      new Set(rows.filter((r) => r.minutes !== null && r.minutes <= 5 + 1e-9).map((r) => r.building_id));
    const b0 = covered(before), b1 = covered(after);
    expect([...b1].filter((id) => !b0.has(id)).sort((a, b) => a - b)).toEqual(newly);
    const changed = new Map(w.changed.map((c) => [c.buildingId, c.after]));
    const was = new Map(before.map((r) => [r.building_id, r.minutes]));
    for (const r of after) {
      const expected = changed.has(r.building_id) ? changed.get(r.building_id)! : was.get(r.building_id)!;
      if (expected === null) expect(r.minutes).toBeNull();
      else expect(Math.abs(r.minutes! - expected)).toBeLessThan(0.006); // the API rounds to 0.01 min
    }
    await t.db.query('DELETE FROM facility WHERE id = $1', [fid]);
    e = await getEngine(t.db, SPEED, { maxAgeMs: 0 });
    expect(await stored()).toEqual(before);
  });

  it('what-if: removing or moving recomputes the class; bad changes are refused', async () => {
    const cls = 'child_care';
    const [fac] = e.facilities.get(cls)!.ids;
    const w = (await as('planner').post('/api/coverage/what-if', { class: cls, remove: [fac] }).expect(200)).body as WhatIfResult;
    expect(w.district.after.coveredHouseholds).toBe(0);
    expect(w.facilities.after).toBe(0);
    const far = (await as('planner').post('/api/coverage/what-if', { class: cls, move: [{ id: fac, lon: 121.7, lat: 31.4 }] }).expect(200)).body as WhatIfResult;
    expect(far.unreachable).toEqual([{ kind: 'move', index: 0, id: fac }]);
    expect(far.district.after.coveredHouseholds).toBe(0);
    const other = e.facilities.get('park')!.ids[0]!;
    const bad = await as('planner').post('/api/coverage/what-if', { class: cls, remove: [other] }).expect(404);
    expect(bad.body.error.code).toBe('not_found');
    expect((await as('planner').post('/api/coverage/what-if', { class: 'nope', add: [] }).expect(400)).body.error.code).toBe('unknown_service_class');
    expect((await as('planner').post('/api/coverage/what-if', { class: cls, add: [{ lon: 'x' }] }).expect(400)).body.error.code).toBe('invalid_request');
  });

  it('isochrone bands hug the streets: nested, around the start, never across the river', async () => {
    const o = await one<{ lon: number; lat: number }>(
      `SELECT ST_X(p) AS lon, ST_Y(p) AS lat FROM building b, ST_PointOnSurface(b.geom) p WHERE b.community_code = $1 AND b.households > 0 ORDER BY b.id LIMIT 1`, [COMMUNITY]);
    const iso = (await as('planner').get(`/api/coverage/isochrone?lon=${o.lon}&lat=${o.lat}&bands=5,10,15`).expect(200)).body as Isochrone;
    expect(iso.features.map((f) => f.properties.minutes)).toEqual([5, 10, 15]);
    expect(iso.features[0]!.properties.reachedLengthM).toBeLessThan(iso.features[2]!.properties.reachedLengthM);
    expect(iso.method).toMatch(/buffered/);
    const [p5, , p15] = iso.features.map((f) => JSON.stringify(f.geometry));
    const check = await one<{ valid: boolean; nested: number; start: boolean; across: number; near: number }>(
      `WITH a AS (SELECT ST_SetSRID(ST_GeomFromGeoJSON($1), 4326) AS p5, ST_SetSRID(ST_GeomFromGeoJSON($2), 4326) AS p15,
                         ST_SetSRID(ST_MakePoint($3, $4), 4326) AS s, ST_SetSRID(ST_MakePoint($5, $6), 4326) AS o)
       SELECT ST_IsValid(p5) AND ST_IsValid(p15) AS valid,
              ST_Area(ST_Difference(p5, p15)::geography) AS nested, ST_DWithin(p5, s, 1e-7) AS start,
              (SELECT count(*)::int FROM building b WHERE b.community_code LIKE 'DEMO00003%' AND ST_Intersects(b.geom, a.p15)) AS across,
              (SELECT count(*)::int FROM building b WHERE b.community_code LIKE 'DEMO00003%'
                  AND ST_DWithin(b.geom::geography, a.o::geography, 15 * 60 * $7::float8)) AS near
         FROM a`, [p5, p15, iso.origin.snappedTo![0], iso.origin.snappedTo![1], o.lon, o.lat, SPEED]);
    expect(check.valid).toBe(true); // the polygons are traced in memory: PostGIS must accept them as they are
    expect(check.nested).toBeLessThan(1); // m²: the 5-minute area lies inside the 15-minute one
    expect(check.start).toBe(true);
    // Pudong buildings within a 15-minute straight line exist, but the Huangpu has no walkable crossing here
    expect(check.near).toBeGreaterThan(0);
    expect(check.across).toBe(0);

    const fac = e.facilities.get('park')!;
    const fid = fac.ids[fac.snaps.findIndex((x) => x !== null)]!;
    const fi = (await as('planner').get(`/api/coverage/facilities/${fid}/isochrone`).expect(200)).body as Isochrone;
    expect(fi.features).toHaveLength(1);
    expect(fi.features[0]!.properties.minutes).toBe(10);
    expect(fi.origin).toMatchObject({ facilityId: fid, class: 'park' });
    const lines = (await as('planner').get(`/api/coverage/isochrone?lon=${o.lon}&lat=${o.lat}&bands=5,15&shape=lines`).expect(200)).body as IsochroneLines;
    expect(lines.features.map((f) => f.geometry.type)).toEqual(['MultiLineString', 'MultiLineString']);
    expect(lines.features[1]!.properties.reachedLengthM).toBe(iso.features[2]!.properties.reachedLengthM);
    // every reached street piece lies inside its band's polygon
    const inside = await one<{ ok: boolean }>(`SELECT ST_Covers(ST_Buffer(ST_SetSRID(ST_GeomFromGeoJSON($1), 4326), 1e-7), ST_SetSRID(ST_GeomFromGeoJSON($2), 4326)) AS ok`,
      [p15, JSON.stringify(lines.features[1]!.geometry)]);
    expect(inside.ok).toBe(true);
    const far = await as('planner').get('/api/coverage/isochrone?lon=121.7&lat=31.4').expect(422);
    expect(far.body.error.code).toBe('unreachable');
    expect((await as('planner').get(`/api/coverage/isochrone?lon=${o.lon}&lat=${o.lat}&bands=15,5`).expect(400)).body.error.code).toBe('invalid_request');
  });

  it('scenarios are saved, listed, read and compared with the baseline', async () => {
    const target = await one<{ lon: number; lat: number }>(
      `SELECT ST_X(p) AS lon, ST_Y(p) AS lat FROM building b, ST_PointOnSurface(b.geom) p
         JOIN coverage_building cb ON cb.service_class = 'child_care' WHERE cb.building_id = b.id AND cb.reachable AND cb.minutes IS NULL AND b.households > 0
        ORDER BY b.households DESC, b.id LIMIT 1`);
    const changes = [{ class: 'child_care', add: [target] }];
    expect((await as('community').post('/api/coverage/scenarios', { name: '无权', changes }).expect(403)).body.error.code).toBe('forbidden');
    const { id } = (await as('planner').post('/api/coverage/scenarios', { name: '新增托育点', changes }).expect(201)).body as { id: number };
    const list = (await as('planner').get('/api/coverage/scenarios').expect(200)).body as { id: number; name: string }[];
    expect(list.map((x) => x.id)).toContain(id);
    const sc = (await as('planner').get(`/api/coverage/scenarios/${id}`).expect(200)).body as Scenario;
    const base = (await as('planner').get('/api/coverage/summary').expect(200)).body as CoverageSummary;
    const w = (await as('planner').post('/api/coverage/what-if', changes[0]!).expect(200)).body as WhatIfResult;
    expect(sc.district.cells.child_care).toEqual(w.district.after);
    for (const c of base.classes.filter((x) => x.code !== 'child_care')) {
      expect(sc.district.cells[c.code]).toEqual(base.district.cells[c.code]); // the TS sums equal the SQL sums
      for (const a of base.communities) expect(sc.communities.find((x) => x.code === a.code)!.cells[c.code]).toEqual(a.cells[c.code]);
    }
    const cmp = (await as('planner').get(`/api/coverage/scenarios/compare?a=baseline&b=${id}`).expect(200)).body as ScenarioCompare;
    const row = cmp.rows.find((r) => r.area === 'DEMO00' && r.class === 'child_care')!;
    expect(row.delta).toBeCloseTo((w.district.after.coveredHouseholds - w.district.before.coveredHouseholds) / w.district.before.households, 9);
    expect(row.delta).toBeGreaterThan(0);
    expect(cmp.rows.filter((r) => r.class !== 'child_care').every((r) => r.delta === null || r.delta === 0)).toBe(true);
    const same = (await as('planner').get('/api/coverage/scenarios/compare?a=baseline&b=baseline').expect(200)).body as ScenarioCompare;
    expect(same.rows.every((r) => r.delta === null || r.delta === 0)).toBe(true);
    expect(same.rows).toHaveLength(13 * 16);
    await as('planner').get('/api/coverage/scenarios/999999').expect(404);
  });

  it('suggests sites by greedy maximal covering; each site covers what a what-if there says', async () => {
    const r = (await as('planner').post('/api/coverage/suggest', { class: 'child_care', k: 3 }).expect(200)).body as SuggestResult;
    expect(r.method).toBe('greedy maximal covering');
    expect(r.candidates).toMatch(/non-residential/);
    expect(r.candidateCount).toBeGreaterThan(10);
    expect(r.sites.length).toBe(3);
    const gains = r.sites.map((x) => x.newlyCoveredHouseholds);
    expect([...gains].sort((a, b) => b - a)).toEqual(gains);
    expect(r.sites[2]!.cumulative).toBe(gains[0]! + gains[1]! + gains[2]!);
    expect(r.after.coveredHouseholds - r.before.coveredHouseholds).toBe(r.sites[2]!.cumulative);
    const first = r.sites[0]!;
    const { residential, households } = await one<{ residential: boolean; households: number }>('SELECT residential, households FROM building WHERE id = $1', [first.buildingId]);
    expect({ residential, households }).toEqual({ residential: false, households: 0 });
    const w = (await as('planner').post('/api/coverage/what-if', { class: 'child_care', add: [{ lon: first.lon, lat: first.lat }] }).expect(200)).body as WhatIfResult;
    expect(w.district.after.coveredHouseholds - w.district.before.coveredHouseholds).toBe(first.newlyCoveredHouseholds);
  });

  it('exports the matrix as CSV and gaps and isochrones as GeoJSON, with attribution', async () => {
    const csv = await as('analyst').get('/api/coverage/export.csv').expect(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    const lines = csv.text.trim().split('\r\n');
    expect(lines).toHaveLength(1 + 13 * 16);
    expect(csv.text).toContain('© OpenStreetMap contributors');
    const sum = (await as('planner').get('/api/coverage/summary').expect(200)).body as CoverageSummary;
    const gaps = (await as('planner').get('/api/coverage/gaps.geojson?class=child_care').expect(200)).body as CoverageGaps;
    expect(gaps.features.length).toBeGreaterThan(0);
    const cell = sum.district.cells.child_care!;
    expect(gaps.features.reduce((x, f) => x + f.properties.households, 0)).toBe(cell.households - cell.coveredHouseholds);
    expect(gaps.method).toMatch(/uncovered residential buildings/);
    const isos = (await as('planner').get('/api/coverage/isochrones.geojson?class=education').expect(200)).body as { features: unknown[]; unreachableFacilities: number[] };
    expect(isos.features.length + isos.unreachableFacilities.length).toBe(5);
  });

  it('keeps to the caller\'s jurisdiction and permissions', async () => {
    const s = (await as('community').get('/api/coverage/summary').expect(200)).body as CoverageSummary;
    expect(s.communities.map((c) => c.code)).toEqual([COMMUNITY]);
    expect(s.district.code).toBe(COMMUNITY);
    expect(s.district.households).toBe(s.communities[0]!.households);
    const g = (await as('community').get('/api/coverage/grids').expect(200)).body as CoverageGrids;
    expect(g.grids.every((x) => x.communityCode === COMMUNITY)).toBe(true);
    expect((await as('community').get('/api/coverage/gaps?class=park&community=DEMO00003001').expect(403)).body.error.code).toBe('forbidden');
    const w = (await as('community').post('/api/coverage/what-if', { class: 'park', add: [] }).expect(200)).body as WhatIfResult;
    expect(w.communities.map((c) => c.code)).toEqual([COMMUNITY]);
    expect((await as('grid').get('/api/coverage/summary').expect(403)).body.error.code).toBe('forbidden');
    await request(app).get('/api/coverage/summary').expect(401);
    expect((await as('planner').get('/api/coverage/summary?limit=7').expect(400)).body.error.code).toBe('invalid_request');
    expect((await as('planner').get('/api/coverage/buildings?class=nope').expect(400)).body.error.code).toBe('unknown_service_class');
    const fc = (await as('community').get('/api/coverage/buildings?class=park').expect(200)).body as CoverageBuildings;
    expect(fc.features.length).toBeGreaterThan(0);
    expect(fc.features.every((f) => f.properties.communityCode === COMMUNITY && f.properties.households > 0)).toBe(true);
    for (const f of fc.features) expect(f.properties.covered).toBe(f.properties.minutes !== null && f.properties.minutes <= 10);
    const box = (await as('planner').get('/api/coverage/buildings?class=park&all=true&bbox=121.48,31.23,121.49,31.24').expect(200)).body as CoverageBuildings;
    expect(box.features.some((f) => f.properties.households === 0)).toBe(true);
    expect((await as('planner').get('/api/coverage/buildings?class=park&bbox=1,2').expect(400)).body.error.code).toBe('invalid_bbox');
  });

  it('gives the wall a 15-minute score per grid and for the district', async () => {
    const m = await wallMetrics(t.db, { codes: null, gridId: null, departmentId: null });
    const g = (await as('planner').get('/api/coverage/grids').expect(200)).body as CoverageGrids;
    const byId = new Map(g.grids.map((x) => [x.gridId, x.score]));
    let withScore = 0;
    for (const x of m.grids) {
      const expected = byId.get(x.gridId);
      if (expected == null) { expect(x.serviceCoverage).toBeNull(); continue; }
      expect(x.serviceCoverage).toBeCloseTo(expected, 4);
      withScore++;
    }
    expect(withScore).toBeGreaterThan(30);
    expect(m.totals.serviceCoverage).toBeGreaterThan(0);
    expect(m.totals.serviceCoverage).toBeLessThan(1);
  });

  it('rebuilds the graph when the roads change', async () => {
    const road = await one<{ id: number }>(`SELECT id FROM road WHERE walkable AND kind = 'residential' ORDER BY length_m DESC LIMIT 1`);
    const original = { version: e.version, edges: e.graph.edgeCount };
    await t.db.query('UPDATE road SET walkable = false WHERE id = $1', [road.id]);
    const e2 = await getEngine(t.db, SPEED, { maxAgeMs: 0 });
    expect(e2.version).not.toBe(e.version);
    expect(e2.graph.excludedRoads).toBe(e.graph.excludedRoads + 1);
    expect((await one<{ network_version: string }>('SELECT network_version FROM coverage_run')).network_version).toBe(e2.version);
    await t.db.query('UPDATE road SET walkable = true WHERE id = $1', [road.id]);
    e = await getEngine(t.db, SPEED, { maxAgeMs: 0 });
    expect({ version: e.version, edges: e.graph.edgeCount }).toEqual(original);
  });
});

export { dropEngine };

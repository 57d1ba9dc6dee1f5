// Benchmarks on the generated city (npm run bench -- --city <DATABASE_URL>): its size, grid
// lookups (in-process flatbush index vs PostGIS per row vs PostGIS batched), the partition engine
// on the city's own communities, and embedded PGlite vs real PostGIS for the same queries on the
// same (smaller) generated city. Every figure has its baseline measured in the same run.
import Flatbush from 'flatbush';
import type { MultiPolygon, Polygon } from 'geojson';
import { DEFAULT_BAND } from '../../core/grid-edit/contract.js';
import { proposePartition } from '../../core/grid-edit/propose.js';
import { rng } from '../../core/random.js';
import type { Db } from '../db/db.js';
import { detectEncoder, renderTile } from '../tiles/encode.js';
import { TILE_LAYERS } from '../tiles/layers.js';

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))]!;

export interface CitySize {
  datasets: { id: string; name: string; source: string; synthetic: boolean }[];
  divisions: number; grids: number; buildings: number; households: number; roads: number; facilities: number; partyOrgs: number;
  staff: number; incidents: number; dbBytes: number; bbox: [number, number, number, number];
}

export async function citySize(db: Db): Promise<CitySize> {
  const n = async (sql: string) => Number(Object.values((await db.query<Record<string, unknown>>(sql)).rows[0]!)[0] ?? 0);
  const b = (await db.query<{ x0: number; y0: number; x1: number; y1: number }>(
    `SELECT ST_XMin(e) AS x0, ST_YMin(e) AS y0, ST_XMax(e) AS x1, ST_YMax(e) AS y1 FROM (SELECT ST_Extent(geom)::geometry AS e FROM grid) s`)).rows[0]!;
  return {
    datasets: (await db.query<CitySize['datasets'][number]>('SELECT id, name, source, synthetic FROM dataset ORDER BY id')).rows,
    divisions: await n('SELECT count(*) FROM division'),
    grids: await n('SELECT count(*) FROM grid'),
    buildings: await n('SELECT count(*) FROM building'),
    households: await n('SELECT sum(households) FROM grid'),
    roads: await n('SELECT count(*) FROM road'),
    facilities: await n('SELECT count(*) FROM facility'),
    partyOrgs: await n('SELECT count(*) FROM party_org'),
    staff: await n('SELECT count(*) FROM grid_staff'),
    incidents: await n('SELECT count(*) FROM incident'),
    dbBytes: await n('SELECT pg_database_size(current_database())'),
    bbox: [b.x0, b.y0, b.x1, b.y1],
  };
}

/** Deterministic points over the bbox (some fall outside every grid, as real reports do). */
export function randomPoints(bbox: [number, number, number, number], n: number, seed = 1): [number, number][] {
  const r = rng(seed);
  return Array.from({ length: n }, () => [bbox[0] + (bbox[2] - bbox[0]) * r(), bbox[1] + (bbox[3] - bbox[1]) * r()]);
}

/** Ray casting over a polygon's rings (even-odd). */
function inRings(rings: number[][][], x: number, y: number): boolean {
  let inside = false;
  for (const ring of rings) {
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      const [xi, yi] = ring[i]!;
      const [xj, yj] = ring[j]!;
      if ((yi! > y) !== (yj! > y) && x < ((xj! - xi!) * (y - yi!)) / (yj! - yi!) + xi!) inside = !inside;
    }
  }
  return inside;
}

export interface LookupRow { engine: string; path: string; points: number; ms: number; perSec: number; p50us: number | null; p99us: number | null; setupMs: number | null; agree: string }

/**
 * Point → grid: the in-process index (all grids loaded once, flatbush over their boxes, then
 * point-in-polygon) against PostGIS answering one query per point (what a per-report lookup costs)
 * and one query for the whole batch (what batched intake does). Answers are compared.
 */
export async function benchGridLookup(db: Db, engine: string, bbox: [number, number, number, number], opts: { points?: number; perRow?: number } = {}): Promise<LookupRow[]> {
  const pts = randomPoints(bbox, opts.points ?? 100_000, 7);
  const rows: LookupRow[] = [];
  let t0 = performance.now();
  const grids = (await db.query<{ id: number; g: string }>('SELECT id, ST_AsGeoJSON(geom) AS g FROM grid ORDER BY id')).rows;
  const polys = grids.map((r) => {
    const geom = JSON.parse(r.g) as MultiPolygon | Polygon;
    return geom.type === 'Polygon' ? [geom.coordinates] : geom.coordinates;
  });
  const index = new Flatbush(Math.max(1, grids.length));
  for (const mp of polys) {
    let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
    for (const poly of mp) for (const [x, y] of poly[0]!) { x0 = Math.min(x0, x!); y0 = Math.min(y0, y!); x1 = Math.max(x1, x!); y1 = Math.max(y1, y!); }
    index.add(x0, y0, x1, y1);
  }
  index.finish();
  const setupMs = performance.now() - t0;
  const local = new Int32Array(pts.length).fill(-1);
  const times: number[] = [];
  t0 = performance.now();
  pts.forEach(([x, y], i) => {
    const s = performance.now();
    for (const k of index.search(x, y, x, y)) if (polys[k]!.some((p) => inRings(p as number[][][], x, y))) { local[i] = grids[k]!.id; break; }
    if (i % 100 === 0) times.push(performance.now() - s);
  });
  const localMs = performance.now() - t0;
  rows.push({ engine, path: 'in-process index (flatbush + point in polygon)', points: pts.length, ms: localMs, perSec: (pts.length * 1000) / localMs,
    p50us: pct(times, 0.5) * 1000, p99us: pct(times, 0.99) * 1000, setupMs, agree: '—' });

  const perRow = Math.min(pts.length, opts.perRow ?? 3000);
  const rowTimes: number[] = [];
  let disagree = 0;
  t0 = performance.now();
  for (let i = 0; i < perRow; i++) {
    const [x, y] = pts[i]!;
    const s = performance.now();
    const r = await db.query<{ id: number }>('SELECT id FROM grid WHERE ST_Intersects(geom, ST_SetSRID(ST_MakePoint($1, $2), 4326)) ORDER BY id LIMIT 1', [x, y]);
    rowTimes.push(performance.now() - s);
    if ((r.rows[0]?.id ?? -1) !== local[i]) disagree++;
  }
  const rowMs = performance.now() - t0;
  rows.push({ engine, path: 'baseline: PostGIS, one query per point', points: perRow, ms: rowMs, perSec: (perRow * 1000) / rowMs,
    p50us: pct(rowTimes, 0.5) * 1000, p99us: pct(rowTimes, 0.99) * 1000, setupMs: null, agree: `${perRow - disagree}/${perRow} same grid` });

  const batch = pts.slice(0, Math.min(pts.length, 20_000));
  t0 = performance.now();
  const r = await db.query<{ i: number; id: number | null }>(
    `SELECT p.i::int AS i, (SELECT g.id FROM grid g WHERE ST_Intersects(g.geom, ST_SetSRID(ST_MakePoint(p.x, p.y), 4326)) ORDER BY g.id LIMIT 1) AS id
       FROM unnest($1::float8[], $2::float8[]) WITH ORDINALITY AS p(x, y, i)`, [batch.map((p) => p[0]), batch.map((p) => p[1])]);
  const batchMs = performance.now() - t0;
  const bad = r.rows.filter((row) => (row.id ?? -1) !== local[row.i - 1]).length;
  rows.push({ engine, path: 'PostGIS, one query for the batch', points: batch.length, ms: batchMs, perSec: (batch.length * 1000) / batchMs,
    p50us: null, p99us: null, setupMs: null, agree: `${batch.length - bad}/${batch.length} same grid` });
  return rows;
}

export interface CityPartitionRow { community: string; buildings: number; households: number; path: string; ms: number; grids: number; inBand: number; generatedGrids: number }

/** The partition engine on the city's own communities (the largest `limit` by buildings): engine vs bisection only. */
export async function benchCityPartition(db: Db, limit = 10): Promise<CityPartitionRow[]> {
  const comms = (await db.query<{ code: string; g: string; n: number; grids: number }>(
    `SELECT d.code, ST_AsGeoJSON(d.geom) AS g, (SELECT count(*) FROM building b WHERE b.community_code = d.code)::int AS n,
            (SELECT count(*) FROM grid WHERE community_code = d.code)::int AS grids
       FROM division d WHERE d.level = 'community' AND d.dataset_id IS NOT NULL
      ORDER BY (SELECT count(*) FROM grid WHERE community_code = d.code) DESC, d.code LIMIT $1`, [limit])).rows;
  const rows: CityPartitionRow[] = [];
  for (const c of comms) {
    const buildings = (await db.query<{ id: number; g: string; households: number; residents: number }>(
      'SELECT id, ST_AsGeoJSON(geom) AS g, households, residents FROM building WHERE community_code = $1 ORDER BY id', [c.code])).rows
      .map((b) => ({ id: b.id, geometry: JSON.parse(b.g) as MultiPolygon, households: b.households, residents: b.residents }));
    for (const refine of [true, false]) {
      const t0 = performance.now();
      const p = proposePartition({ community: JSON.parse(c.g) as MultiPolygon, grids: [], buildings, band: DEFAULT_BAND, seed: 1, refine });
      rows.push({ community: c.code, buildings: buildings.length, households: buildings.reduce((s, b) => s + b.households, 0),
        path: refine ? 'engine' : 'baseline: bisection only', ms: performance.now() - t0, grids: p.quality.grids, inBand: p.quality.inBand, generatedGrids: c.grids });
    }
  }
  return rows;
}

export interface EngineRow { query: string; engine: string; runs: number; p50: number; p95: number; total: number }

/**
 * The same queries on two engines holding the same generated city: per-point grid lookup, a
 * viewport's grids as GeoJSON (what /api/grids?bbox does), a month's cases per grid in a
 * subdistrict, and portable tiles (the only encoder PGlite has).
 */
export async function benchEngineQueries(db: Db, engine: string, bbox: [number, number, number, number]): Promise<EngineRow[]> {
  const out: EngineRow[] = [];
  const time = async (query: string, runs: number, fn: (i: number) => Promise<unknown>) => {
    await fn(0);
    const xs: number[] = [];
    const t0 = performance.now();
    for (let i = 0; i < runs; i++) { const s = performance.now(); await fn(i); xs.push(performance.now() - s); }
    out.push({ query, engine, runs, p50: pct(xs, 0.5), p95: pct(xs, 0.95), total: performance.now() - t0 });
  };
  const pts = randomPoints(bbox, 500, 3);
  await time('grid of a point (ST_Intersects, GiST)', pts.length, (i) => db.query('SELECT id FROM grid WHERE ST_Intersects(geom, ST_SetSRID(ST_MakePoint($1, $2), 4326)) LIMIT 1', pts[i]!));
  const w = (bbox[2] - bbox[0]) / 8, h = (bbox[3] - bbox[1]) / 8;
  await time('viewport grids as GeoJSON (1/64 of the city)', 20, (i) => {
    const x = bbox[0] + w * (i % 8), y = bbox[1] + h * ((i * 3) % 8);
    return db.query(`SELECT json_build_object('type', 'FeatureCollection', 'features', COALESCE(json_agg(json_build_object('type', 'Feature', 'id', id,
        'geometry', ST_AsGeoJSON(geom)::json, 'properties', json_build_object('code', code, 'households', households))), '[]'::json)) AS fc
      FROM grid WHERE geom && ST_MakeEnvelope($1, $2, $3, $4, 4326)`, [x, y, x + w, y + h]);
  });
  const subs = (await db.query<{ code: string }>(`SELECT code FROM division WHERE level = 'subdistrict' ORDER BY code LIMIT 10`)).rows.map((r) => r.code);
  await time('cases per grid of a subdistrict, last 30 days', Math.max(1, subs.length), (i) => db.query(
    `SELECT grid_id, count(*)::int FROM incident WHERE subdistrict_code = $1 AND created_at >= (SELECT max(created_at) FROM incident) - interval '30 days' GROUP BY grid_id`,
    [subs[i % subs.length]]));
  const encoder = await detectEncoder(db);
  const { lonLatToTile } = await import('../../core/tile-math.js');
  const tiles: [number, number, number][] = [];
  for (const z of [14, 15, 16]) {
    for (let k = 0; k < 10; k++) {
      const t = lonLatToTile(bbox[0] + (bbox[2] - bbox[0]) * ((k + 0.5) / 10), bbox[1] + (bbox[3] - bbox[1]) * (((k * 7) % 10 + 0.5) / 10), z);
      tiles.push([z, t.x, t.y]);
    }
  }
  const all = { communities: null, gridId: null, departmentId: null };
  await time('base tile z14–16, portable encoder (geojson-vt)', tiles.length, (i) => renderTile(db, 'portable', TILE_LAYERS.base!.sources, ...tiles[i]!, all));
  if (encoder === 'native') await time('base tile z14–16, native ST_AsMVT', tiles.length, (i) => renderTile(db, 'native', TILE_LAYERS.base!.sources, ...tiles[i]!, all));
  return out;
}

import { VectorTile } from '@mapbox/vector-tile';
import { PbfReader } from 'pbf';
import request from 'supertest';
import type { Express } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lonLatToTile, tileBounds } from '../../core/tile-math.js';
import { loadConfig } from '../config.js';
import { EventBus } from '../events/bus.js';
import { createApp } from '../http/app.js';
import { createTestDb, testDbKind, type TestDb } from '../testing/db.js';
import { FIXTURE, loadFixture } from '../testing/fixture.js';
import { loadPrincipals, type Principals } from '../testing/principals.js';
import { detectEncoder, renderTile, type TileEncoder } from './encode.js';
import { TILE_LAYERS } from './layers.js';

let t: TestDb;
let app: Express;
let encoder: TileEncoder;
let grids: Awaited<ReturnType<typeof loadFixture>>;
let who: Principals;
const get = (url: string, token = who.tokens.leader) => request(app).get(url).set('Authorization', `Bearer ${token}`);

beforeAll(async () => {
  t = await createTestDb();
  grids = await loadFixture(t.db);
  who = await loadPrincipals(t.db, grids);
  encoder = await detectEncoder(t.db);
  app = createApp({ config: loadConfig({ TILE_VERSION_TTL_MS: '0' }), db: t.db, bus: new EventBus(), tileEncoder: encoder, log: () => undefined });
}, 180_000);
afterAll(async () => { await t?.drop(); });

const Z = 14;
const ALL = { communities: null, gridId: null, departmentId: null };
const { x: X, y: Y } = lonLatToTile(FIXTURE.pointA1[0], FIXTURE.pointA1[1], Z);
// Buildings are drawn from z15: the fixture's two (one per community) lie in two z15 tiles.
const { x: X15, y: Y15 } = lonLatToTile(FIXTURE.pointA1[0], FIXTURE.pointA1[1], Z + 1);
const { x: X15B, y: Y15B } = lonLatToTile(FIXTURE.pointB1[0], FIXTURE.pointB1[1], Z + 1);

async function getTile(url: string, token?: string): Promise<VectorTile> {
  const r = await get(url, token).buffer(true).parse((res, cb) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => cb(null, Buffer.concat(chunks)));
  }).expect(200);
  expect(r.headers['content-type']).toContain('application/vnd.mapbox-vector-tile');
  return new VectorTile(new PbfReader(r.body as Buffer));
}

const features = (tile: VectorTile, layer: string) => {
  const l = tile.layers[layer];
  return l ? Array.from({ length: l.length }, (_, i) => l.feature(i)) : [];
};

/** Signed area with the MVT convention: exterior rings positive in tile coordinates (y down). */
const ringArea = (ring: { x: number; y: number }[]) => {
  let s = 0;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) s += ring[j]!.x * ring[i]!.y - ring[i]!.x * ring[j]!.y;
  return s / 2;
};

describe(`vector tiles on ${testDbKind()} (${testDbKind() === 'postgres' ? 'ST_AsMVT' : 'PostGIS-prepared, encoded in TS'})`, () => {
  it('uses ST_AsMVT on real PostGIS and the portable encoder on PGlite', () => {
    expect(encoder).toBe(testDbKind() === 'postgres' ? 'native' : 'portable');
  });

  it('the grids tile holds the grids with their properties, in tile coordinates', async () => {
    const tile = await getTile(`/tiles/grids/${Z}/${X}/${Y}.pbf`);
    const fs = features(tile, 'grids');
    const ids = fs.map((f) => f.properties.id).sort();
    expect(ids).toEqual([grids.gridA1, grids.gridA2, grids.gridB1].sort());
    const a1 = fs.find((f) => f.properties.id === grids.gridA1)!;
    expect(a1.type).toBe(3);
    expect(a1.properties).toMatchObject({ name: '甲社区第01网格', households: 240, community_code: 'T0101' });
    const rings = a1.loadGeometry();
    expect(ringArea(rings[0]!)).toBeGreaterThan(0);
    for (const p of rings[0]!) {
      expect(p.x).toBeGreaterThanOrEqual(-64);
      expect(p.x).toBeLessThanOrEqual(4096 + 64);
    }
    // Decoded back to lon/lat, the polygon covers the grid's centre.
    const gj = a1.toGeoJSON(X, Y, Z);
    const [minX, maxX] = [Math.min(...(gj.geometry as any).coordinates[0].map((c: number[]) => c[0])), Math.max(...(gj.geometry as any).coordinates[0].map((c: number[]) => c[0]))];
    expect(minX).toBeLessThan(121.4925);
    expect(maxX).toBeGreaterThan(121.4925);
  });

  it('the base tile carries water, roads and buildings from the district data', async () => {
    const tile = await getTile(`/tiles/base/${Z + 1}/${X15}/${Y15}.pbf`);
    expect(Object.keys(tile.layers).sort()).toEqual(expect.arrayContaining(['buildings', 'roads', 'water']));
    expect(features(tile, 'roads').map((f) => f.properties.kind).sort()).toEqual(['footway', 'minor_road']);
    expect(features(tile, 'buildings').map((f) => f.properties.height)).toEqual([30]);
    expect(features(await getTile(`/tiles/base/${Z + 1}/${X15B}/${Y15B}.pbf`), 'buildings').map((f) => f.properties.height)).toEqual([18]);
  });

  it('building footprints start at zoom 15; below 14 only major roads remain (a generalised street layer)', async () => {
    // z14: every street and path, no buildings.
    const z14 = await getTile(`/tiles/base/${Z}/${X}/${Y}.pbf`);
    expect(features(z14, 'roads').map((f) => f.properties.kind).sort()).toEqual(['footway', 'minor_road']);
    expect(z14.layers.buildings).toBeUndefined();
    // z12–13: the fixture has a minor road and a footway only, so nothing of the road network is left…
    for (const z of [12, 13]) {
      const { x, y } = lonLatToTile(FIXTURE.pointA1[0], FIXTURE.pointA1[1], z);
      const tile = await getTile(`/tiles/base/${z}/${x}/${y}.pbf`);
      expect(tile.layers.roads, `z${z}`).toBeUndefined();
      expect(tile.layers.buildings, `z${z}`).toBeUndefined();
    }
    // …until a major road exists: it is kept at z12, simplified (a zigzag smaller than half a pixel goes).
    const zig = Array.from({ length: 40 }, (_, i) => `${121.485 + i * 0.00075} ${31.2365 + (i % 2) * 0.0001}`).join(', ');
    const id = (await t.db.query<{ id: number }>(`INSERT INTO road (dataset_id, osm_id, name, kind, geom, length_m, walkable, footway)
      VALUES ('fixture', 'w-major', '测试大道', 'primary', ST_GeomFromText('LINESTRING(${zig})', 4326), 2900, true, false) RETURNING id`)).rows[0]!.id;
    try {
      const { x, y } = lonLatToTile(FIXTURE.pointA1[0], FIXTURE.pointA1[1], 12);
      const roads = features(await getTile(`/tiles/base/12/${x}/${y}.pbf`), 'roads');
      expect(roads.map((f) => f.properties.kind)).toEqual(['primary']);
      expect(roads[0]!.loadGeometry()[0]!.length).toBeLessThanOrEqual(3); // 40 vertices, zigzag 11 m < half a z12 pixel
      const z16 = lonLatToTile(121.5, 31.2365, 16);
      const full = features(await getTile(`/tiles/base/16/${z16.x}/${z16.y}.pbf`), 'roads').find((f) => f.properties.kind === 'primary')!;
      expect(full.loadGeometry()[0]!.length).toBeGreaterThanOrEqual(6); // the ~8 vertices inside this z16 tile, zigzag kept
    } finally {
      await t.db.query('DELETE FROM road WHERE id = $1', [id]);
    }
  });

  it('an empty tile is 204; bad coordinates 400; unknown layers 404', async () => {
    await get('/tiles/grids/15/0/0.pbf').expect(204);
    expect((await get('/tiles/grids/3/8/0.pbf').expect(400)).body.error.code).toBe('invalid_request');
    expect((await get('/tiles/grids/23/0/0.pbf').expect(400)).body.error.code).toBe('invalid_request');
    expect((await get('/tiles/secret/1/0/0.pbf').expect(404)).body.error.code).toBe('not_found');
    expect((await get('/tiles/__proto__/1/0/0.pbf').expect(404)).body.error.code).toBe('not_found');
  });

  it('tiles never include data from outside the jurisdiction', async () => {
    const ids = async (token: string, layer: string, source: string) =>
      features(await getTile(`/tiles/${layer}/${Z}/${X}/${Y}.pbf`, token), source).map((f) => f.properties.id ?? f.id).sort();
    expect(await ids(who.tokens.gridA1, 'grids', 'grids')).toEqual([grids.gridA1]);
    expect(await ids(who.tokens.communityA, 'grids', 'grids')).toEqual([grids.gridA1, grids.gridA2].sort());
    expect(await ids(who.tokens.communityB, 'grids', 'grids')).toEqual([grids.gridB1]);
    // Buildings (households) and facilities of community A are absent from B's tiles; the OSM road
    // network is public base map and stays.
    const base = await getTile(`/tiles/base/${Z + 1}/${X15}/${Y15}.pbf`, who.tokens.communityB);
    expect(base.layers.buildings).toBeUndefined();
    expect(features(base, 'roads').length).toBe(2);
    expect(features(await getTile(`/tiles/base/${Z + 1}/${X15B}/${Y15B}.pbf`, who.tokens.communityB), 'buildings').map((f) => f.properties.height)).toEqual([18]);
    const fac = await getTile(`/tiles/facilities/${Z}/${X}/${Y}.pbf`, who.tokens.communityB);
    expect(features(fac, 'facilities').map((f) => f.properties.service_class)).toEqual(['party_centre']);
    const comm = await getTile(`/tiles/communities/${Z}/${X}/${Y}.pbf`, who.tokens.gridA1);
    expect(features(comm, 'communities').map((f) => f.properties.code)).toEqual(['T0101']);
  });

  it('a department sees only the cases whistled to it in the incidents tile; the jurisdiction sees them all', async () => {
    const post = (clientKey: string) => request(app).post('/api/incidents').set('Authorization', `Bearer ${who.tokens.subdistrict}`)
      .send({ lon: FIXTURE.pointA1[0], lat: FIXTURE.pointA1[1], category: 'parking', source: 'hotline_12345', clientKey }).expect(201);
    const mine = (await post(`tile-dep-${Date.now()}-1`)).body.id as number;
    const other = (await post(`tile-dep-${Date.now()}-2`)).body.id as number;
    await request(app).post(`/api/incidents/${mine}/actions`).set('Authorization', `Bearer ${who.tokens.subdistrict}`)
      .send({ action: 'whistle', departmentCode: 'cg' }).expect(200);
    const ids = async (token: string) => features(await getTile(`/tiles/incidents/${Z}/${X}/${Y}.pbf`, token), 'incidents')
      .map((f) => Number(f.properties.id ?? f.id));
    expect(await ids(who.tokens.department)).toEqual([mine]);
    expect(await ids(who.tokens.subdistrict)).toEqual(expect.arrayContaining([mine, other]));
    expect(await ids(who.tokens.gridA1)).toEqual(expect.arrayContaining([mine, other]));
    // Other layers are not limited to the department's cases: it still sees the grids of the district.
    expect(features(await getTile(`/tiles/grids/${Z}/${X}/${Y}.pbf`, who.tokens.department), 'grids').length).toBeGreaterThan(0);
  });

  it('the incidents tile shows each role exactly the cases GET /api/incidents shows it (and refuses where it refuses)', async () => {
    const z = 10;
    const { x, y } = lonLatToTile(FIXTURE.pointA1[0], FIXTURE.pointA1[1], z);
    const [w, s, e, n] = tileBounds(z, x, y);
    const inTile = (lon: number, lat: number) => lon >= w && lon <= e && lat >= s && lat <= n;
    for (const pt of [FIXTURE.pointB1, FIXTURE.pointNoGrid]) expect(inTile(pt[0], pt[1])).toBe(true);
    const report = async (pt: [number, number], key: string) => (await request(app).post('/api/incidents')
      .set('Authorization', `Bearer ${who.tokens.center}`)
      .send({ lon: pt[0], lat: pt[1], category: 'parking', source: 'hotline_12345', clientKey: key }).expect(201)).body as { id: number; gridId: number | null; communityCode: string | null };
    const a1 = await report(FIXTURE.pointA1, 'tile-role-a1');
    const b1 = await report(FIXTURE.pointB1, 'tile-role-b1');
    // In the subdistrict but in no community: a case of the subdistrict, not of any community or grid.
    const loose = await report(FIXTURE.pointNoGrid, 'tile-role-loose');
    expect([a1.gridId, b1.gridId, loose.gridId, loose.communityCode]).toEqual([grids.gridA1, grids.gridB1, null, null]);
    const tileIds = async (token: string) => {
      const r = await get(`/tiles/incidents/${z}/${x}/${y}.pbf`, token).buffer(true).parse((res, cb) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => cb(null, Buffer.concat(chunks)));
      });
      if (r.status === 204) return { status: 200, ids: [] as number[] };
      if (r.status !== 200) return { status: r.status, code: JSON.parse(String(r.body)).error?.code as string | undefined };
      return { status: 200, ids: features(new VectorTile(new PbfReader(r.body as Buffer)), 'incidents').map((f) => Number(f.properties.id)).sort((p, q) => p - q) };
    };
    const apiIds = async (token: string) => {
      const r = await get('/api/incidents?limit=5000', token);
      if (r.status !== 200) return { status: r.status, code: r.body.error?.code as string | undefined };
      return { status: 200, ids: (r.body.incidents as { id: number; lon: number | null; lat: number | null }[])
        .filter((c) => c.lon != null && c.lat != null && inTile(c.lon, c.lat)).map((c) => c.id).sort((p, q) => p - q) };
    };
    const seen: Record<string, unknown> = {};
    for (const [role, token] of Object.entries(who.tokens)) {
      const tile = await tileIds(token);
      expect(tile, role).toEqual(await apiIds(token));
      seen[role] = tile;
    }
    // What that means per role, spelled out.
    const ids = (role: keyof Principals['tokens']) => (seen[role] as { ids: number[] }).ids;
    expect(seen.planner).toEqual({ status: 403, code: 'forbidden' });
    expect((await get('/tiles/incidents.json', who.tokens.planner).expect(403)).body.error.code).toBe('forbidden');
    await get('/tiles/grids.json', who.tokens.planner).expect(200);
    expect(features(await getTile(`/tiles/grids/${Z}/${X}/${Y}.pbf`, who.tokens.planner), 'grids').length).toBe(3);
    for (const role of ['leader', 'center', 'subdistrict', 'analyst', 'kiosk'] as const) expect(ids(role), role).toEqual(expect.arrayContaining([a1.id, b1.id, loose.id]));
    expect(ids('communityA')).toEqual(expect.arrayContaining([a1.id]));
    expect(ids('communityA')).not.toContain(b1.id);
    expect(ids('communityA')).not.toContain(loose.id);
    expect(ids('gridB1')).toContain(b1.id);
    expect(ids('gridB1')).not.toContain(a1.id);
    expect(ids('department')).not.toContain(a1.id);
  });

  it('tiles need credentials', async () => {
    expect((await request(app).get(`/tiles/grids/${Z}/${X}/${Y}.pbf`).expect(401)).body.error.code).toBe('unauthorized');
    await request(app).get(`/tiles/grids/${Z}/${X}/${Y}.pbf`).set('Authorization', 'Bearer gct_not-a-real-token').expect(401);
  });

  it('serves TileJSON with attribution and bounds', async () => {
    const tj = (await get('/tiles/base.json').expect(200)).body;
    expect(tj.attribution).toContain('OpenStreetMap');
    expect(tj.vector_layers.map((l: { id: string }) => l.id)).toEqual(TILE_LAYERS.base!.sources);
    expect(tj.bounds).toEqual(FIXTURE.bbox);
  });

  // Only real PostGIS has ST_AsMVT to compare with; on PGlite this case is not defined (not skipped).
  const onPostgis = testDbKind() === 'postgres' ? it : () => undefined;
  onPostgis('the portable encoder matches ST_AsMVT feature for feature', async () => {
    for (const [name, layer, [z, x, y]] of Object.entries(TILE_LAYERS).flatMap(([n, l]) => [[n, l, [Z, X, Y]], [n, l, [Z + 1, X15, Y15]]] as const)) {
      const native = new VectorTile(new PbfReader(await renderTile(t.db, 'native', layer.sources, z, x, y, ALL)));
      const portable = new VectorTile(new PbfReader(await renderTile(t.db, 'portable', layer.sources, z, x, y, ALL)));
      expect(Object.keys(portable.layers).sort(), name).toEqual(Object.keys(native.layers).sort());
      for (const l of Object.keys(native.layers)) {
        const a = features(native, l).sort((p, q) => (p.id ?? 0) - (q.id ?? 0));
        const b = features(portable, l).sort((p, q) => (p.id ?? 0) - (q.id ?? 0));
        expect(b.map((f) => [f.id, f.type, f.properties])).toEqual(a.map((f) => [f.id, f.type, f.properties]));
        for (let i = 0; i < a.length; i++) {
          const ga = a[i]!.loadGeometry(); const gb = b[i]!.loadGeometry();
          expect(gb.length).toBe(ga.length);
          if (a[i]!.type === 3) {
            const areaA = ga.reduce((s, r) => s + ringArea(r), 0);
            const areaB = gb.reduce((s, r) => s + ringArea(r), 0);
            expect(Math.sign(ringArea(gb[0]!))).toBe(Math.sign(ringArea(ga[0]!)));
            expect(Math.abs(areaB - areaA) / Math.abs(areaA)).toBeLessThan(0.01);
          }
        }
      }
    }
  });
});

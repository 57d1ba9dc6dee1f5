// The HTTP contract the product owner tests against, on the embedded engine or real PostGIS.
import request from 'supertest';
import type { Express } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config.js';
import { EventBus } from '../events/bus.js';
import { createTestDb, testDbKind, type TestDb } from '../testing/db.js';
import { FIXTURE, loadFixture } from '../testing/fixture.js';
import { loadPrincipals, type Principals } from '../testing/principals.js';
import { detectEncoder } from '../tiles/encode.js';
import { createApp } from './app.js';
import { fromWgs84 } from '../../core/crs.js';
import type { Incident } from '../../core/types.js';

let t: TestDb;
let app: Express;
let grids: { gridA1: number; gridA2: number; gridB1: number };
let who: Principals;
let api: ReturnType<typeof authed>;
/** supertest with a bearer token (a subdistrict officer covering the whole fixture unless told). */
const authed = (token: () => string) => ({
  get: (url: string) => request(app).get(url).set('Authorization', `Bearer ${token()}`),
  post: (url: string) => request(app).post(url).set('Authorization', `Bearer ${token()}`),
});
const bus = new EventBus();
const published: Incident[] = [];
bus.subscribe('incident.created', ({ incident }) => published.push(incident));

beforeAll(async () => {
  t = await createTestDb();
  grids = await loadFixture(t.db);
  who = await loadPrincipals(t.db, grids);
  api = authed(() => who.tokens.subdistrict);
  const config = loadConfig({ MAX_BODY_BYTES: '4096', MAX_FEATURES: '2' });
  app = createApp({ config, db: t.db, bus, tileEncoder: await detectEncoder(t.db), log: () => undefined });
}, 180_000);
afterAll(async () => { await t?.drop(); });

const count = async (table: string) =>
  (await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`)).rows[0]!.n;

describe(`HTTP API on ${testDbKind()}`, () => {
  it('GET /api/health names the engine and PostGIS version', async () => {
    const r = await request(app).get('/api/health').expect(200);
    expect(r.body).toEqual({ status: 'ok', database: testDbKind(), postgis: expect.stringMatching(/^3\./) });
  });

  it('GET /api/district and /api/divisions describe the tree with rolled-up counts', async () => {
    const d = await api.get('/api/district').expect(200);
    expect(d.body.code).toBe('T00');
    expect(d.body.bbox).toEqual([121.48, 31.22, 121.52, 31.26]);
    expect(d.body.attribution).toContain('OpenStreetMap');
    const leader = authed(() => who.tokens.leader);
    const tree = (await leader.get('/api/divisions').expect(200)).body.tree;
    expect(tree.gridCount).toBe(3);
    expect(tree.households).toBe(710);
    expect(tree.children[0].children.map((c: { code: string }) => c.code)).toEqual(['T0101', 'T0102']);
    const fc = (await api.get('/api/divisions.geojson?level=community').expect(200)).body;
    expect(fc.features).toHaveLength(2);
    await api.get('/api/divisions.geojson?level=planet').expect(400);
  });

  it('GET /api/divisions.geojson keeps an unscoped caller to the district the pages show, not every district in the database', async () => {
    // A second district (as a city database holds): the department's map still gets T00's communities only.
    const div = `INSERT INTO division (code, parent_code, level, name, geom, dataset_id) VALUES ($1, $2, $3, $4, ST_Multi(ST_MakeEnvelope($5, 31.22, $6, 31.26, 4326)), 'fixture')`;
    await t.db.query(div, ['T99', null, 'district', '邻区', 121.52, 121.56]);
    await t.db.query(div, ['T9901', 'T99', 'subdistrict', '邻区街道', 121.52, 121.56]);
    await t.db.query(div, ['T990101', 'T9901', 'community', '邻区社区', 121.53, 121.54]);
    try {
      const dep = authed(() => who.tokens.department);
      const codes = (r: request.Response) => (r.body.features as { id: string }[]).map((f) => f.id).sort();
      expect(codes(await dep.get('/api/divisions.geojson?level=community').expect(200))).toEqual(['T0101', 'T0102']);
      expect(codes(await dep.get('/api/divisions.geojson?level=district').expect(200))).toEqual(['T00']);
      // A scoped caller is unchanged: its own jurisdiction.
      expect(codes(await api.get('/api/divisions.geojson?level=community').expect(200))).toEqual(['T0101', 'T0102']);
    } finally {
      await t.db.query(`DELETE FROM division WHERE code IN ('T990101', 'T9901', 'T99')`);
    }
  });

  it('GET /api/grids?bbox returns the contract fields, filtered by bbox, division and limit', async () => {
    const all = (await api.get(`/api/grids?bbox=${FIXTURE.bbox.join(',')}&limit=10`).expect(200)).body;
    // MAX_FEATURES=2 caps the limit and reports truncation.
    expect(all.features).toHaveLength(2);
    expect(all.truncated).toBe(true);
    const f = all.features[0];
    expect(f.properties).toMatchObject({ id: grids.gridA1, name: '甲社区第01网格', communityCode: 'T0101', households: 240, synthetic: true, buildings: 1 });
    expect(f.geometry.type).toBe('MultiPolygon');
    const east = (await api.get('/api/grids?bbox=121.501,31.231,121.509,31.239').expect(200)).body;
    expect(east.features.map((x: { id: number }) => x.id)).toEqual([grids.gridB1]);
    const byDiv = (await api.get('/api/grids?division=T0102').expect(200)).body;
    expect(byDiv.features.map((x: { id: number }) => x.id)).toEqual([grids.gridB1]);
  });

  it.each([
    ['/api/grids?bbox=1,2,3', 400, 'invalid_bbox'],
    ['/api/grids?bbox=13525318,3658750,13529318,3659750', 400, 'invalid_bbox'],
    ['/api/grids?division=NOPE', 404, 'not_found'],
    ['/api/grids/999999', 404, 'not_found'],
    ['/api/grids/abc', 400, 'invalid_request'],
    ['/api/facilities?class=spaceport', 400, 'invalid_request'],
    ['/api/nothing-here', 404, 'not_found'],
  ])('GET %s → %i %s', async (url, status, code) => {
    const r = await api.get(url).expect(status);
    expect(r.body.error.code).toBe(code);
    expect(JSON.stringify(r.body)).not.toMatch(/at .*\.ts/);
  });

  it('GET /api/buildings and /api/facilities return GeoJSON with heights and classes', async () => {
    const b = (await api.get('/api/buildings?division=T0102').expect(200)).body;
    expect(b.features).toHaveLength(1);
    expect(b.features[0].properties.heightM).toBe(18); // 6 levels × 3 m
    const f = (await api.get('/api/facilities?class=party_centre').expect(200)).body;
    expect(f.features).toHaveLength(1);
    expect(f.features[0].properties).toMatchObject({ serviceClass: 'party_centre', synthetic: true });
    const classes = (await api.get('/api/service-classes').expect(200)).body;
    expect(classes).toHaveLength(16);
  });

  describe('POST /api/incidents', () => {
    const body = (over: Record<string, unknown> = {}) => ({
      lon: FIXTURE.pointA1[0], lat: FIXTURE.pointA1[1], category: 'sanitation',
      description: '垃圾未清运', source: 'patrol', clientKey: `key-${Math.random().toString(36).slice(2)}`, ...over,
    });

    it('stores the case located to its grid, community, subdistrict and district, and publishes it', async () => {
      const before = published.length;
      const r = await api.post('/api/incidents').send(body()).expect(201);
      expect(r.body).toMatchObject({ gridId: grids.gridA1, communityCode: 'T0101', subdistrictCode: 'T01', districtCode: 'T00', status: 'reported', gridName: '甲社区第01网格' });
      expect(published.length).toBe(before + 1);
      expect(published.at(-1)!.id).toBe(r.body.id);
    });

    it('the same clientKey returns the same case; a different body under it is a 409; nothing doubles', async () => {
      const b = body();
      const first = await api.post('/api/incidents').send(b).expect(201);
      const n = await count('incident');
      const again = await api.post('/api/incidents').send(b).expect(200);
      expect(again.body.id).toBe(first.body.id);
      expect(again.headers['idempotent-replayed']).toBe('true');
      const conflict = await api.post('/api/incidents').send({ ...b, description: 'changed' }).expect(409);
      expect(conflict.body.error.code).toBe('client_key_conflict');
      expect(await count('incident')).toBe(n);
    });

    it('concurrent retries of one key store exactly one case', async () => {
      const b = body();
      const n = await count('incident');
      const rs = await Promise.all(Array.from({ length: 6 }, () => api.post('/api/incidents').send(b)));
      expect(new Set(rs.map((r) => r.body.id)).size).toBe(1);
      expect(rs.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 200, 201]);
      expect(await count('incident')).toBe(n + 1);
    });

    it('converts GCJ-02 (AMap) and BD-09 (Baidu) coordinates before locating', async () => {
      // A point in grid B1 given in GCJ-02 would land ~500 m away (in another grid) if not converted.
      for (const crs of ['gcj02', 'bd09'] as const) {
        const [lon, lat] = fromWgs84(FIXTURE.pointB1, crs);
        const r = await api.post('/api/incidents').send(body({ lon, lat, crs })).expect(201);
        expect(r.body.gridId).toBe(grids.gridB1);
        expect(Math.abs(r.body.lon - FIXTURE.pointB1[0])).toBeLessThan(1e-5);
        expect(r.body.inputCrs).toBe(crs);
      }
    });

    it('a point inside the district but outside every grid is stored without a grid', async () => {
      const r = await api.post('/api/incidents').send(body({ lon: FIXTURE.pointNoGrid[0], lat: FIXTURE.pointNoGrid[1] })).expect(201);
      expect(r.body).toMatchObject({ gridId: null, districtCode: 'T00' });
    });

    it.each([
      ['outside the district', { lon: FIXTURE.outside[0], lat: FIXTURE.outside[1] }, 422, 'outside_district'],
      ['projected metres', { lon: 13525318, lat: 3658750 }, 400, 'invalid_crs'],
      ['unknown crs', { crs: 'EPSG:3857' }, 400, 'invalid_request'],
      ['unknown category', { category: 'ufo' }, 400, 'unknown_category'],
      ['missing lat', { lat: undefined }, 400, 'invalid_request'],
      ['string lon', { lon: '121.49' }, 400, 'invalid_request'],
      ['bad source', { source: 'carrier-pigeon' }, 400, 'invalid_request'],
      ['short key', { clientKey: 'k' }, 400, 'invalid_request'],
      ['huge description', { description: 'x'.repeat(2001) }, 400, 'invalid_request'],
    ])('rejects %s with a stable code and stores nothing', async (_name, over, status, code) => {
      const n = await count('incident');
      const r = await api.post('/api/incidents').send(body(over)).expect(status);
      expect(r.body.error.code).toBe(code);
      expect(await count('incident')).toBe(n);
    });

    it('rejects malformed JSON, wrong media type and oversized payloads', async () => {
      const n = await count('incident');
      const bad = await api.post('/api/incidents').set('Content-Type', 'application/json').send('{"lon": 121.4,').expect(400);
      expect(bad.body.error.code).toBe('malformed_json');
      const form = await api.post('/api/incidents').set('Content-Type', 'text/plain').send('lon=1').expect(415);
      expect(form.body.error.code).toBe('unsupported_media_type');
      const huge = await api.post('/api/incidents').send({ ...body(), pad: 'x'.repeat(10_000) }).expect(413);
      expect(huge.body.error.code).toBe('payload_too_large');
      expect(await count('incident')).toBe(n);
    });

    it('GET /api/incidents?since lists what changed after a moment, filtered by division', async () => {
      const first = (await api.get('/api/incidents').expect(200)).body;
      const since = first.now;
      const r = await api.post('/api/incidents').send(body({ lon: FIXTURE.pointB1[0], lat: FIXTURE.pointB1[1] })).expect(201);
      const later = (await api.get(`/api/incidents?since=${encodeURIComponent(since)}`).expect(200)).body;
      expect(later.incidents.map((i: Incident) => i.id)).toEqual([r.body.id]);
      const inA = (await api.get('/api/incidents?division=T0101').expect(200)).body;
      expect(inA.incidents.every((i: Incident) => i.communityCode === 'T0101')).toBe(true);
      expect(inA.incidents.length).toBeGreaterThan(0);
      await api.get('/api/incidents?since=yesterday').expect(400);
    });
  });
});

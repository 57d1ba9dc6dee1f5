// The district gazetteer on both engines: addresses in the demo's form and in OSM's
// addr:street/addr:housenumber form, names, roads and communities, through geocode() and the API.
import request from 'supertest';
import type { Express } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config.js';
import { EventBus } from '../events/bus.js';
import { createApp } from '../http/app.js';
import { createTestDb, testDbKind, type TestDb } from '../testing/db.js';
import { loadFixture } from '../testing/fixture.js';
import { loadPrincipals, type Principals } from '../testing/principals.js';
import { detectEncoder } from '../tiles/encode.js';
import { geocode } from './geocode.js';

let t: TestDb;
let app: Express;
let who: Principals;
const ids: Record<string, number> = {};
const box = (x0: number, y0: number, x1: number, y1: number) =>
  `SRID=4326;MULTIPOLYGON(((${x0} ${y0},${x1} ${y0},${x1} ${y1},${x0} ${y1},${x0} ${y0})))`;

beforeAll(async () => {
  t = await createTestDb();
  const grids = await loadFixture(t.db);
  who = await loadPrincipals(t.db, grids);
  app = createApp({ config: loadConfig({}), db: t.db, bus: new EventBus(), tileEncoder: await detectEncoder(t.db), log: () => undefined });
  const add = async (key: string, name: string | null, geom: string, props: Record<string, string>) => {
    ids[key] = (await t.db.query<{ id: number }>(`INSERT INTO building (dataset_id, osm_id, name, geom, residential, props)
      VALUES ('fixture', $1, $2, $3::geometry, true, $4::jsonb) RETURNING id`, [key, name, geom, JSON.stringify(props)])).rows[0]!.id;
  };
  await add('no8', null, box(121.4910, 31.2352, 121.4915, 31.2356), { address: '测试路8号' });
  await add('no12', '测试大厦', box(121.4960, 31.2352, 121.4965, 31.2356), { 'addr:street': '测试路', 'addr:housenumber': '12' });
  await add('no7', null, box(121.4930, 31.2344, 121.4935, 31.2348), { addr_street: '测试路', addr_housenumber: '7' });
}, 180_000);
afterAll(async () => { await t?.drop(); });

const inside = (c: { lon: number; lat: number }, [x0, y0, x1, y1]: number[]) => c.lon > x0! && c.lon < x1! && c.lat > y0! && c.lat < y1!;

describe(`geocoder on ${testDbKind()}`, () => {
  it('an exact address (any width, with the city and district said first) is certain, inside its building', async () => {
    const g = await geocode(t.db, '上海市测试区测试路８号');
    expect(g.parsed).toMatchObject({ road: '测试路', number: 8 });
    expect(g.certain).toMatchObject({ kind: 'building', id: ids.no8, precision: 'address', label: '测试路8号' });
    expect(inside(g.certain!, [121.4910, 31.2352, 121.4915, 31.2356])).toBe(true);
    // OSM's addr:street + addr:housenumber and the demo's addr_street + addr_housenumber alike
    expect((await geocode(t.db, '测试路12号')).certain?.id).toBe(ids.no12);
    expect((await geocode(t.db, '测试路7号附近')).certain?.id).toBe(ids.no7);
  });

  it('a number that is not there offers the neighbours on the same side and the road, and is not certain', async () => {
    const g = await geocode(t.db, '测试路10号');
    expect(g.certain).toBeNull();
    expect(g.candidates.map((c) => c.precision)).toEqual(['near_address', 'near_address', 'road']);
    expect(g.candidates.slice(0, 2).map((c) => c.id).sort()).toEqual([ids.no8, ids.no12].sort());
    const road = g.candidates[2]!;
    expect(road).toMatchObject({ kind: 'road', label: '测试路' });
    expect(road.lat).toBeCloseTo(31.235, 6);
  });

  it('names of buildings and facilities, and communities', async () => {
    expect((await geocode(t.db, '测试小学')).certain).toMatchObject({ kind: 'facility', label: '测试小学', precision: 'poi' });
    expect((await geocode(t.db, '测试大厦')).certain).toMatchObject({ kind: 'building', id: ids.no12 });
    const c = await geocode(t.db, '甲社区菜场门口');
    expect(c.certain).toBeNull();
    expect(c.candidates.at(-1)).toMatchObject({ kind: 'community', id: 'T0101', precision: 'community' });
    expect((await geocode(t.db, '火星基地')).candidates).toEqual([]);
  });

  it('GET /api/geocode answers with candidates and the OSM attribution; bad queries are 400, no credentials 401', async () => {
    const r = await request(app).get('/api/geocode').query({ q: '测试路8号' }).set('Authorization', `Bearer ${who.tokens.gridA1}`).expect(200);
    expect(r.body.attribution).toBe('© OpenStreetMap contributors');
    expect(r.body.certain).toMatchObject({ id: ids.no8, precision: 'address' });
    for (const q of [{}, { q: '' }, { q: 'x'.repeat(501) }, { q: '测试路', limit: 0 }]) {
      const bad = await request(app).get('/api/geocode').query(q).set('Authorization', `Bearer ${who.tokens.gridA1}`).expect(400);
      expect(bad.body.error.code).toBe('invalid_request');
    }
    await request(app).get('/api/geocode').query({ q: '测试路8号' }).expect(401);
  });
});

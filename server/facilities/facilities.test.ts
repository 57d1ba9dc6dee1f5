// The facility editor's API on the fixture district (both engines): a planner adds, moves, retags
// and deletes facilities inside the district, each change audited and seen by the 15-minute
// coverage figures at once; a CSV import is all rows or none, with a per-row error report; bad
// input, roles without the grant and points outside the jurisdiction change nothing.
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CoverageSummary } from '../../core/coverage/contract.js';
import { fromWgs84 } from '../../core/crs.js';
import { OSM_ATTRIBUTION } from '../../core/types.js';
import { fixtureApi, type Who } from '../testing/api.js';
import { testDbKind } from '../testing/db.js';
import { FIXTURE } from '../testing/fixture.js';
import { insertToken } from '../testing/principals.js';

const f = fixtureApi();
let communityPlanner = '';
const q = async <R>(sql: string, params: unknown[] = []) => (await f.t.db.query<R>(sql, params)).rows;
const auth = (w: Who | string) => `Bearer ${w in (f.who?.tokens ?? {}) ? f.who.tokens[w as Who] : w}`;
const send = (method: 'post' | 'patch' | 'delete', url: string, body: object | undefined, w: Who | string = 'planner') => {
  const r = request(f.app)[method](url).set('Authorization', auth(w));
  return body === undefined ? r : r.send(body);
};
const snapshot = () => q<Record<string, unknown>>(
  `SELECT id, name, service_class, source, dataset_id, grid_id, community_code, ST_AsText(geom) AS geom FROM facility ORDER BY id`);
const audits = () => q<{ action: string; resource_id: string | null; outcome: string; actor: string; detail: Record<string, unknown> }>(
  `SELECT action, resource_id, outcome, actor, detail FROM audit_log WHERE resource = 'facility' ORDER BY id`);
const covered = async (cls: string) => {
  const s = (await f.as('planner').get('/api/coverage/summary').expect(200)).body as CoverageSummary;
  return s.district.cells[cls]!.coveredHouseholds;
};

/** On the fixture road (y = 31.235), beside building 1 (120 households) in grid A1. */
const NEAR_B1: [number, number] = [121.4926, 31.2352];

beforeAll(async () => {
  communityPlanner = `gct_${randomBytes(18).toString('base64url')}`;
  await insertToken(f.t.db, communityPlanner, 'planner of community A', 'planner', { divisionCode: FIXTURE.communityA });
});

describe(`facility editor on ${testDbKind()}`, () => {
  it('adds a facility by hand where none of its class was: marked manual, audited, and counted by the 15-minute coverage', async () => {
    expect(await covered('health')).toBe(0);
    const res = await send('post', '/api/facilities', { name: '社区卫生服务站', serviceClass: 'health', lon: NEAR_B1[0], lat: NEAR_B1[1] }).expect(201);
    expect(res.body).toMatchObject({ name: '社区卫生服务站', serviceClass: 'health', source: 'manual', attribution: null, osmId: null, gridId: f.grids.gridA1, communityCode: 'T0101', updatedBy: 'planner' });
    expect(res.body.lon).toBeCloseTo(NEAR_B1[0], 7);
    // building 1 (120 households) is a few metres away along the road
    expect(await covered('health')).toBeGreaterThanOrEqual(120);
    const list = (await f.as('planner').get('/api/facilities/editor?class=health').expect(200)).body;
    expect(list.features.map((x: { id: number }) => x.id)).toEqual([res.body.id]);
    const school = (await f.as('planner').get('/api/facilities/editor?class=education').expect(200)).body.features[0];
    expect(school.properties).toMatchObject({ source: 'import', attribution: OSM_ATTRIBUTION, osmId: 'n1' });
    expect((await audits()).at(-1)).toMatchObject({ action: 'create', resource_id: String(res.body.id), outcome: 'ok', actor: 'planner',
      detail: { name: '社区卫生服务站', serviceClass: 'health', source: 'manual' } });
  });

  it('moves and retags: coverage follows each change (also a move the old fingerprint summed away), the audit keeps before and after', async () => {
    const [fac] = (await f.as('planner').get('/api/facilities/editor?class=health').expect(200)).body.features;
    const id = fac.id as number;
    // east and south by the same amount: the sum of lon + lat stays the same; 1.5 km from any road
    const moved = await send('patch', `/api/facilities/${id}`, { lon: NEAR_B1[0] + 0.015, lat: NEAR_B1[1] - 0.015 }).expect(200);
    expect(moved.body).toMatchObject({ id, gridId: null, communityCode: null, source: 'manual' });
    expect(await covered('health')).toBe(0);
    // back by dragging in GCJ-02 (as an AMap-based tool would send it)
    const gcj = fromWgs84(NEAR_B1, 'gcj02');
    const back = await send('patch', `/api/facilities/${id}`, { lon: gcj[0], lat: gcj[1], crs: 'gcj02' }).expect(200);
    expect(back.body.lon).toBeCloseTo(NEAR_B1[0], 5);
    expect(back.body.lat).toBeCloseTo(NEAR_B1[1], 5);
    expect(back.body.gridId).toBe(f.grids.gridA1);
    expect(await covered('health')).toBeGreaterThanOrEqual(120);
    // retag: health loses it, pharmacy gains it
    const retag = await send('patch', `/api/facilities/${id}`, { serviceClass: 'pharmacy', name: '便民药房' }).expect(200);
    expect(retag.body).toMatchObject({ serviceClass: 'pharmacy', name: '便民药房' });
    expect(await covered('health')).toBe(0);
    expect(await covered('pharmacy')).toBeGreaterThanOrEqual(120);
    const log = (await audits()).filter((a) => a.action === 'update');
    expect(log).toHaveLength(3);
    expect(log[2]!.detail).toMatchObject({ before: { serviceClass: 'health', name: '社区卫生服务站' }, after: { serviceClass: 'pharmacy', name: '便民药房' } });
  });

  it('an imported (OSM) facility keeps its attribution when moved; deleting removes it from coverage; both audited', async () => {
    const school = (await q<{ id: number }>(`SELECT id FROM facility WHERE osm_id = 'n1'`))[0]!.id;
    const r = await send('patch', `/api/facilities/${school}`, { lon: 121.4931, lat: 31.2351 }).expect(200);
    expect(r.body).toMatchObject({ source: 'import', attribution: OSM_ATTRIBUTION, osmId: 'n1', updatedBy: 'planner' });
    const pharmacy = (await q<{ id: number }>(`SELECT id FROM facility WHERE service_class = 'pharmacy'`))[0]!.id;
    await send('delete', `/api/facilities/${pharmacy}`, undefined).expect(200, { deleted: pharmacy });
    expect(await covered('pharmacy')).toBe(0);
    await send('delete', `/api/facilities/${pharmacy}`, undefined).expect(404);
    expect((await audits()).at(-1)).toMatchObject({ action: 'delete', resource_id: String(pharmacy), detail: { before: { serviceClass: 'pharmacy', source: 'manual' } } });
  });

  it('refuses bad input with a stable code and changes nothing', async () => {
    const before = await snapshot();
    const n = (await audits()).length;
    const bad: [object, number, string][] = [
      [{ name: 'x', serviceClass: 'casino', lon: NEAR_B1[0], lat: NEAR_B1[1] }, 400, 'unknown_service_class'],
      [{ name: 'x', serviceClass: 'health', lon: FIXTURE.outside[0], lat: FIXTURE.outside[1] }, 422, 'outside_district'],
      [{ name: 'x', serviceClass: 'health', lon: 13_500_000, lat: 3_600_000 }, 400, 'invalid_crs'],
      [{ name: 'x', serviceClass: 'health', lon: 'NaN', lat: NEAR_B1[1] }, 400, 'invalid_request'],
      [{ name: 'x', serviceClass: 'health', lon: null, lat: NEAR_B1[1] }, 400, 'invalid_request'],
      [{ name: '', serviceClass: 'health', lon: NEAR_B1[0], lat: NEAR_B1[1] }, 400, 'invalid_request'],
      [{ name: 'x', serviceClass: 'health', lon: NEAR_B1[0], lat: NEAR_B1[1], crs: 'utm51' }, 400, 'invalid_crs'],
      [{ name: 'x', serviceClass: 'health', lon: NEAR_B1[0], lat: NEAR_B1[1], extra: 1 }, 400, 'invalid_request'],
    ];
    for (const [body, status, code] of bad) {
      const r = await send('post', '/api/facilities', body);
      expect([r.status, r.body.error?.code], JSON.stringify(body)).toEqual([status, code]);
    }
    const school = (await q<{ id: number }>(`SELECT id FROM facility WHERE osm_id = 'n1'`))[0]!.id;
    expect((await send('patch', `/api/facilities/${school}`, { serviceClass: 'nope' }).expect(400)).body.error.code).toBe('unknown_service_class');
    expect((await send('patch', `/api/facilities/${school}`, { lon: 121.49 }).expect(400)).body.error.code).toBe('invalid_request');
    expect((await send('patch', `/api/facilities/${school}`, {}).expect(400)).body.error.code).toBe('invalid_request');
    expect((await send('patch', `/api/facilities/${school}`, { lon: 121.6, lat: 31.3 }).expect(422)).body.error.code).toBe('outside_district');
    expect((await send('patch', '/api/facilities/999999', { name: 'x' }).expect(404)).body.error.code).toBe('not_found');
    expect((await send('patch', '/api/facilities/0x10', { name: 'x' }).expect(400)).body.error.code).toBe('invalid_request');
    expect((await send('delete', '/api/facilities/999999', undefined).expect(404)).body.error.code).toBe('not_found');
    expect((await f.as('planner').get('/api/facilities/editor?class=nope').expect(400)).body.error.code).toBe('unknown_service_class');
    expect(await snapshot()).toEqual(before);
    expect((await audits()).length).toBe(n);
  });

  it('only planners and admins edit, each inside their jurisdiction', async () => {
    const before = await snapshot();
    const body = { name: 'x', serviceClass: 'health', lon: NEAR_B1[0], lat: NEAR_B1[1] };
    for (const w of ['leader', 'center', 'communityA', 'gridA1', 'analyst', 'department', 'kiosk'] as const) {
      const r = await send('post', '/api/facilities', body, w);
      expect([w, r.status, r.body.error.code]).toEqual([w, 403, 'forbidden']);
      expect((await f.as(w).get('/api/facilities/editor')).status, w).toBe(403);
    }
    const party = (await q<{ id: number }>(`SELECT id FROM facility WHERE service_class = 'party_centre'`))[0]!.id; // in community B
    // a planner bound to community A: sees and edits only A's facilities, cannot put one in B
    const mine = (await request(f.app).get('/api/facilities/editor').set('Authorization', auth(communityPlanner)).expect(200)).body;
    expect(mine.features.every((x: { properties: { communityCode: string } }) => x.properties.communityCode === 'T0101')).toBe(true);
    expect((await send('patch', `/api/facilities/${party}`, { name: 'x' }, communityPlanner).expect(404)).body.error.code).toBe('not_found');
    expect((await send('delete', `/api/facilities/${party}`, undefined, communityPlanner).expect(404)).body.error.code).toBe('not_found');
    expect((await send('post', '/api/facilities', { ...body, lon: FIXTURE.pointB1[0], lat: FIXTURE.pointB1[1] }, communityPlanner).expect(403)).body.error.code).toBe('forbidden');
    const school = (await q<{ id: number }>(`SELECT id FROM facility WHERE osm_id = 'n1'`))[0]!.id;
    expect((await send('patch', `/api/facilities/${school}`, { lon: FIXTURE.pointB1[0], lat: FIXTURE.pointB1[1] }, communityPlanner).expect(403)).body.error.code).toBe('forbidden');
    expect(await snapshot()).toEqual(before);
    const ok = await send('post', '/api/facilities', { ...body, name: '甲社区卫生站' }, communityPlanner).expect(201);
    await send('delete', `/api/facilities/${ok.body.id}`, undefined, communityPlanner).expect(200);
  });
});

describe('facility CSV import', () => {
  const count = async () => (await q<{ n: number }>('SELECT count(*)::int AS n FROM facility'))[0]!.n;

  it('imports every row in one go, in the chosen coordinate system, classes by code or by name', async () => {
    const n = await count();
    const a = fromWgs84([121.4941, 31.2349], 'bd09');
    const b = fromWgs84([121.5061, 31.2351], 'bd09');
    const csv = `\uFEFF名称,类别,经度,纬度\r\n"托育园, 甲",child_care,${a[0]},${a[1]}\r\n乙社区药店,药店,${b[0]},${b[1]}\r\n\r\n`;
    const res = await send('post', '/api/facilities/import', { csv, crs: 'bd09' }).expect(201);
    expect(res.body).toMatchObject({ imported: 2, crs: 'bd09' });
    const rows = await q<{ name: string; service_class: string; source: string; lon: number; lat: number; community_code: string }>(
      `SELECT name, service_class, source, ST_X(geom) AS lon, ST_Y(geom) AS lat, community_code FROM facility WHERE id = ANY($1::int[]) ORDER BY id`, [res.body.ids]);
    expect(rows.map((r) => [r.name, r.service_class, r.source, r.community_code])).toEqual([
      ['托育园, 甲', 'child_care', 'manual', 'T0101'], ['乙社区药店', 'pharmacy', 'manual', 'T0102']]);
    expect(rows[0]!.lon).toBeCloseTo(121.4941, 5);
    expect(rows[1]!.lat).toBeCloseTo(31.2351, 5);
    expect(await count()).toBe(n + 2);
    expect((await audits()).at(-1)).toMatchObject({ action: 'import', outcome: 'ok', detail: { crs: 'bd09', rows: 2, ids: res.body.ids } });
    expect(await covered('child_care')).toBeGreaterThan(0);
  });

  it('one bad row: every problem listed by row and field, nothing saved', async () => {
    const before = await snapshot();
    const csv = [
      'name,class,lon,lat',
      `好的,health,${NEAR_B1[0]},${NEAR_B1[1]}`,
      `未知类别,casino,${NEAR_B1[0]},${NEAR_B1[1]}`,
      `非数字,health,NaN,${NEAR_B1[1]}`,
      `区外,health,${FIXTURE.outside[0]},${FIXTURE.outside[1]}`,
      `少一列,health,${NEAR_B1[0]}`,
      `,health,${NEAR_B1[0]},${NEAR_B1[1]}`,
      `米制,health,13500000,3600000`,
    ].join('\n');
    const res = await send('post', '/api/facilities/import', { csv }).expect(422);
    expect(res.body.error.code).toBe('validation_failed');
    expect(res.body.error.details.errors.map((e: { row: number; field: string | null; code: string }) => [e.row, e.field, e.code])).toEqual([
      [3, 'class', 'unknown_service_class'],
      [4, 'lon', 'invalid_coordinates'],
      [5, 'lon', 'outside_district'],
      [6, null, 'wrong_field_count'],
      [7, 'name', 'missing_field'],
      [8, 'lon', 'invalid_coordinates'],
      [8, 'lat', 'invalid_coordinates'],
    ]);
    expect(await snapshot()).toEqual(before);
    expect((await audits()).at(-1)).toMatchObject({ action: 'import', outcome: 'failed' });
    // outside the caller's jurisdiction is a row error too
    const res2 = await send('post', '/api/facilities/import', { csv: `name,class,lon,lat\n乙,health,${FIXTURE.pointB1[0]},${FIXTURE.pointB1[1]}` }, communityPlanner).expect(422);
    expect(res2.body.error.details.errors).toEqual([expect.objectContaining({ row: 2, code: 'outside_jurisdiction' })]);
    expect(await snapshot()).toEqual(before);
  });

  it('refuses files it cannot read, and huge ones, with stable codes', async () => {
    const before = await snapshot();
    const codes = async (body: object, status: number) => (await send('post', '/api/facilities/import', body).expect(status)).body.error;
    expect((await codes({ csv: 'lon,lat\n121.49,31.235' }, 422)).details.errors.map((e: { code: string; field: string }) => [e.code, e.field]))
      .toEqual([['missing_column', 'name'], ['missing_column', 'class']]);
    expect((await codes({ csv: 'name,class,lon,lat\n"unclosed,health,121.49,31.235' }, 422)).details.errors[0].code).toBe('unclosed_quote');
    expect((await codes({ csv: 'name,class,lon,lat\n' }, 422)).details.errors[0].code).toBe('missing_field');
    expect((await codes({ csv: 'name,class,lon,lat\nx,health,1,1', crs: 'mercator' }, 400)).code).toBe('invalid_crs');
    expect((await codes({ csv: '' }, 400)).code).toBe('invalid_request');
    const many = ['name,class,lon,lat', ...Array.from({ length: 2001 }, (_, i) => `f${i},health,${NEAR_B1[0]},${NEAR_B1[1]}`)].join('\n');
    expect((await codes({ csv: many }, 413)).code).toBe('payload_too_large');
    const huge = 'name,class,lon,lat\n' + 'x'.repeat(300 * 1024);
    expect((await codes({ csv: huge }, 413)).code).toBe('payload_too_large');
    expect(await snapshot()).toEqual(before);
  });
});

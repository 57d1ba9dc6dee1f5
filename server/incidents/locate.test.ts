// 定位落图: the district command centre (区指挥中心, role district_center) locates the hotline cases
// kept unlocated at the district desk — by a point in any accepted datum or by a grid — with intake's
// spatial query; the case is routed to the first level of the ladder with that level's deadline,
// recorded in the trail and published as an update. Every refusal has its stable code and changes
// nothing. A second district (T99) proves the jurisdiction: its centre sees none of T00's desk.
import request from 'supertest';
import type { Express } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromWgs84 } from '../../core/crs.js';
import type { CaseView } from '../../core/workflow.js';
import { loadConfig } from '../config.js';
import { EventBus } from '../events/bus.js';
import { roomsForIncident } from '../events/sockets.js';
import { createApp } from '../http/app.js';
import { snapshot } from '../testing/cases.js';
import { createTestDb, testDbKind, type TestDb } from '../testing/db.js';
import { FIXTURE, loadFixture } from '../testing/fixture.js';
import { insertToken, loadPrincipals, type Principals } from '../testing/principals.js';
import { detectEncoder } from '../tiles/encode.js';
import type { CaseDetail } from './actions.js';
import { loadRules } from './commands.js';

let t: TestDb;
let app: Express;
let who: Principals;
let g: Awaited<ReturnType<typeof loadFixture>>;
let gridOther: number;
const bus = new EventBus();
const updates: CaseView[] = [];
bus.subscribe('incident.updated', ({ incident }) => updates.push(incident as CaseView));

const box = (x0: number, y0: number, x1: number, y1: number) =>
  `SRID=4326;MULTIPOLYGON(((${x0} ${y0},${x1} ${y0},${x1} ${y1},${x0} ${y1},${x0} ${y0})))`;
/** Inside the second district T99 (east of T00). */
const POINT_T99: [number, number] = [121.535, 31.235];
const CENTER_B = 'gct_center_of_district_t99_secret';

beforeAll(async () => {
  t = await createTestDb();
  g = await loadFixture(t.db);
  who = await loadPrincipals(t.db, g);
  const div = `INSERT INTO division (code, parent_code, level, name, geom, dataset_id) VALUES ($1, $2, $3, $4, $5::geometry, 'fixture')`;
  await t.db.query(div, ['T99', null, 'district', '邻区', box(121.52, 31.22, 121.56, 31.26)]);
  await t.db.query(div, ['T9901', 'T99', 'subdistrict', '邻区街道', box(121.52, 31.22, 121.56, 31.26)]);
  await t.db.query(div, ['T990101', 'T9901', 'community', '邻区社区', box(121.53, 31.23, 121.54, 31.24)]);
  gridOther = (await t.db.query<{ id: number }>(`INSERT INTO grid (code, name, community_code, geom, households, residents, dataset_id)
    VALUES ('T990101-01', '邻区第01网格', 'T990101', $1::geometry, 100, 250, 'fixture') RETURNING id`, [box(121.53, 31.23, 121.54, 31.24)])).rows[0]!.id;
  await insertToken(t.db, CENTER_B, 'centerB', 'district_center', { divisionCode: 'T99' });
  app = createApp({ config: loadConfig({ INTAKE_RATE_LIMIT: '10000' }), db: t.db, bus, tileEncoder: await detectEncoder(t.db), log: () => undefined });
}, 180_000);
afterAll(async () => { await t?.drop(); });

type W = keyof Principals['tokens'] | 'centerB';
const bearer = (w: W) => (w === 'centerB' ? CENTER_B : who.tokens[w]);
const as = (w: W) => ({
  get: (url: string) => request(app).get(url).set('Authorization', `Bearer ${bearer(w)}`),
  post: (url: string, body: object) => request(app).post(url).set('Authorization', `Bearer ${bearer(w)}`).send(body),
});
let seq = 0;
/** A hotline case the district desk keeps unlocated: a point outside the district, or an address only. */
async function deskCase(over: Record<string, unknown> = {}): Promise<CaseView> {
  const r = await as('communityA').post('/api/incidents', {
    lon: FIXTURE.outside[0], lat: FIXTURE.outside[1], category: 'sanitation', description: '来电反映垃圾堆积', source: 'hotline_12345',
    clientKey: `loc-${Date.now()}-${++seq}`, caller: { name: '王秀英', phone: '13812345678' }, ...over,
  });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  expect(r.body).toMatchObject({ unlocated: true, districtCode: 'T00', gridId: null, communityCode: null, subdistrictCode: null, level: 'subdistrict' });
  return r.body;
}
const locate = (w: W, id: number, body: Record<string, unknown>) => as(w).post(`/api/incidents/${id}/actions`, { action: 'locate', ...body });
const detail = async (w: W, id: number): Promise<CaseDetail> => (await as(w).get(`/api/incidents/${id}`).expect(200)).body;
const hoursBetween = (a: string, b: string) => (Date.parse(b) - Date.parse(a)) / 3_600_000;
const gridHours = async (category: string, level: string) => {
  const rules = await loadRules(t.db);
  return (rules.find((r) => r.category === category && r.level === level) ?? rules.find((r) => r.category === '*' && r.level === level))!.deadlineHours;
};
/** Everything a refusal must leave alone: the case row, its trail and reporters, all trail entries, published updates. */
const state = async (id: number) => ({
  rows: await snapshot(t.db, [id]),
  events: (await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM incident_event')).rows[0]!.n,
  located: (await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM incident WHERE NOT unlocated')).rows[0]!.n,
  updates: updates.length,
});

describe(`定位落图 (locate) on ${testDbKind()}`, () => {
  it('the command centre locates a desk case by a WGS84 point: grid, deadline, trail, live update; the grid worker gets it', async () => {
    const c = await deskCase();
    // Only the centre may act on it; the desk's detail offers it 定位落图.
    const d0 = await detail('center', c.id);
    expect(d0.allowedActions).toEqual([{ action: 'merge', name: '合并' }, { action: 'locate', name: '定位落图' }]);
    expect(d0.incident).toMatchObject({ caller: { phone: '138****5678' } });
    const n = updates.length;
    const r = await locate('center', c.id, { lon: FIXTURE.pointA1[0], lat: FIXTURE.pointA1[1], crs: 'wgs84', note: '按来电人描述落图' });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({
      id: c.id, unlocated: false, status: 'dispatched', statusName: '已派单', level: 'grid', handler: 'grid_worker',
      gridId: g.gridA1, gridName: '甲社区第01网格', communityCode: 'T0101', subdistrictCode: 'T01', districtCode: 'T00',
      lon: FIXTURE.pointA1[0], lat: FIXTURE.pointA1[1],
    });
    // The trail: who, when, what, the note and the point as given.
    const d = await detail('center', c.id);
    const e = d.events.at(-1)!;
    expect(e).toMatchObject({
      action: 'locate', actionName: '定位落图', fromState: 'reported', toState: 'dispatched', fromLevel: 'subdistrict', toLevel: 'grid',
      note: '按来电人描述落图', actor: { kind: 'token', label: 'center', role: 'district_center' },
      detail: { point: { lon: FIXTURE.pointA1[0], lat: FIXTURE.pointA1[1], crs: 'wgs84' }, location: { gridId: g.gridA1, communityCode: 'T0101' }, level: 'grid' },
    });
    expect(d.events).toHaveLength(2);
    // The grid level's deadline from the responsibility list, counted from the action.
    expect(hoursBetween(e.at, r.body.deadlineAt)).toBeCloseTo(await gridHours('sanitation', 'grid'), 6);
    // Published once as an update, to the rooms of its new grid and divisions (socket diffs).
    expect(updates.length).toBe(n + 1);
    expect(updates.at(-1)).toMatchObject({ id: c.id, gridId: g.gridA1, unlocated: false, status: 'dispatched' });
    expect(roomsForIncident(updates.at(-1)!)).toEqual(['division:T00', 'division:T01', 'division:T0101', `grid:${g.gridA1}`]);
    // The grid worker now sees it in the grid's queue and may start work; the centre may no longer locate it.
    const queue = (await as('gridA1').get('/api/incidents?state=dispatched').expect(200)).body.incidents as CaseView[];
    expect(queue.map((x) => x.id)).toContain(c.id);
    expect((await detail('gridA1', c.id)).allowedActions.map((a) => a.action)).toContain('start');
    expect((await detail('center', c.id)).allowedActions.map((a) => a.action)).toEqual(['merge']);
    const audited = await t.db.query(`SELECT 1 FROM audit_log WHERE resource = 'incident' AND action = 'locate' AND resource_id::text = $1`, [String(c.id)]);
    expect(audited.rows).toHaveLength(1);
  });

  it('a GCJ-02 point (AMap) is converted to WGS84 before locating', async () => {
    const c = await deskCase({ lon: undefined, lat: undefined, address: '乙社区菜场门口' });
    const gcj = fromWgs84(FIXTURE.pointB1, 'gcj02');
    expect(Math.abs(gcj[0] - FIXTURE.pointB1[0])).toBeGreaterThan(0.001); // the datums really differ here
    const r = await locate('center', c.id, { lon: gcj[0], lat: gcj[1], crs: 'gcj02' });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({ gridId: g.gridB1, communityCode: 'T0102', level: 'grid', unlocated: false, address: '乙社区菜场门口' });
    expect(r.body.lon).toBeCloseTo(FIXTURE.pointB1[0], 5);
    expect(r.body.lat).toBeCloseTo(FIXTURE.pointB1[1], 5);
    expect((await detail('center', c.id)).events.at(-1)!.detail).toMatchObject({ point: { lon: gcj[0], lat: gcj[1], crs: 'gcj02' } });
  });

  it('by grid id: the case goes to that grid, at a point inside it', async () => {
    const c = await deskCase({ lon: undefined, lat: undefined, address: '甲社区2号楼' });
    const r = await locate('center', c.id, { gridId: g.gridA2 });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({ gridId: g.gridA2, gridName: '甲社区第02网格', communityCode: 'T0101', level: 'grid', status: 'dispatched', unlocated: false });
    const inside = await t.db.query<{ ok: boolean }>('SELECT ST_Intersects(i.geom, g.geom) AS ok FROM incident i, grid g WHERE i.id = $1 AND g.id = $2', [c.id, g.gridA2]);
    expect(inside.rows[0]!.ok).toBe(true);
    expect((await detail('center', c.id)).events.at(-1)!.detail).toMatchObject({ grid: g.gridA2 });
  });

  it('a point in the district but in no grid goes to its subdistrict with the subdistrict deadline', async () => {
    const c = await deskCase();
    const r = await locate('center', c.id, { lon: FIXTURE.pointNoGrid[0], lat: FIXTURE.pointNoGrid[1] });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({ gridId: null, communityCode: null, subdistrictCode: 'T01', level: 'subdistrict', handler: 'subdistrict', unlocated: false });
    const e = (await detail('center', c.id)).events.at(-1)!;
    expect(hoursBetween(e.at, r.body.deadlineAt)).toBeCloseTo(await gridHours('sanitation', 'subdistrict'), 6);
  });

  it('refusals have stable codes and change nothing', async () => {
    const c = await deskCase();
    const located = await deskCase();
    await locate('center', located.id, { gridId: g.gridA1 }).expect(200);
    const cases: [string, W, number, Record<string, unknown>, number, string][] = [
      ['a point still outside the district', 'center', c.id, { lon: FIXTURE.outside[0], lat: FIXTURE.outside[1] }, 422, 'outside_district'],
      ['a point in another district', 'center', c.id, { lon: POINT_T99[0], lat: POINT_T99[1] }, 403, 'forbidden'],
      ['a grid of another district', 'center', c.id, { gridId: gridOther }, 404, 'not_found'],
      ['a grid that does not exist', 'center', c.id, { gridId: 987654 }, 404, 'not_found'],
      ['an already located case', 'center', located.id, { lon: FIXTURE.pointA1[0], lat: FIXTURE.pointA1[1] }, 409, 'invalid_transition'],
      ['no point', 'center', c.id, {}, 400, 'invalid_request'],
      ['only lon', 'center', c.id, { lon: FIXTURE.pointA1[0] }, 400, 'invalid_request'],
      ['a point and a grid', 'center', c.id, { lon: FIXTURE.pointA1[0], lat: FIXTURE.pointA1[1], gridId: g.gridA1 }, 400, 'invalid_request'],
      ['an unknown datum', 'center', c.id, { lon: FIXTURE.pointA1[0], lat: FIXTURE.pointA1[1], crs: 'EPSG:3857' }, 400, 'invalid_crs'],
      ['projected metres', 'center', c.id, { lon: 13525318, lat: 3658750 }, 400, 'invalid_crs'],
      ['a subdistrict account (the desk is not in its jurisdiction)', 'subdistrict', c.id, { gridId: g.gridA1 }, 404, 'not_found'],
      ['a community account', 'communityA', c.id, { gridId: g.gridA1 }, 404, 'not_found'],
      ['a grid worker', 'gridA1', c.id, { gridId: g.gridA1 }, 404, 'not_found'],
      ['the district leader (read only)', 'leader', c.id, { gridId: g.gridA1 }, 403, 'forbidden'],
      ['the command centre of another district', 'centerB', c.id, { lon: POINT_T99[0], lat: POINT_T99[1] }, 404, 'not_found'],
      ['subdistrict staff locating a case of its own', 'subdistrict', located.id, { gridId: g.gridA1 }, 409, 'invalid_transition'],
    ];
    for (const [name, w, id, body, status, code] of cases) {
      const before = await state(id);
      const r = await locate(w, id, body);
      expect(r.status, `${name}: ${JSON.stringify(r.body)}`).toBe(status);
      expect(r.body.error.code, name).toBe(code);
      expect(await state(id), `${name} changed something`).toEqual(before);
    }
    // The case is still at the desk, and the centre can still locate it.
    await locate('center', c.id, { gridId: g.gridB1 }).expect(200);
  });

  it('jurisdiction: the desk belongs to its own district centre only', async () => {
    const c = await deskCase({ lon: undefined, lat: undefined, address: '外滩某号' });
    const listed = async (w: W) => ((await as(w).get('/api/incidents').expect(200)).body.incidents as CaseView[]).map((x) => x.id);
    expect(await listed('center')).toContain(c.id);
    expect(await listed('leader')).toContain(c.id);
    for (const w of ['centerB', 'subdistrict', 'communityA', 'gridA1'] as const) expect(await listed(w), w).not.toContain(c.id);
    expect((await as('centerB').get(`/api/incidents/${c.id}`)).status).toBe(404);
    // The other district's centre sees its own district only: not even T00's located cases.
    const located = (await locate('center', c.id, { gridId: g.gridA1 }).expect(200)).body as CaseView;
    expect(await listed('centerB')).not.toContain(located.id);
  });

  it('the centre may merge a desk case into a located one (a duplicate call)', async () => {
    const survivor = await deskCase();
    await locate('center', survivor.id, { gridId: g.gridA1 }).expect(200);
    const dup = await deskCase({ lon: undefined, lat: undefined, address: '同一地点重复来电' });
    const r = await as('center').post(`/api/incidents/${dup.id}/merge`, { into: survivor.id, note: '同一事件重复来电' });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.merged).toMatchObject({ id: dup.id, status: 'duplicate', mergedInto: survivor.id });
    expect(r.body.into).toMatchObject({ id: survivor.id, reporters: 2 });
  });
});

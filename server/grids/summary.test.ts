// GET /api/grids/:id/summary on the fixture district: 一格三员 (names masked for roles that do not
// see people's data), the Party branch and the case figures (open, overdue, this month), inside
// the caller's jurisdiction; bad and unknown ids are refused.
import { beforeAll, describe, expect, it } from 'vitest';
import type { GridSummary } from '../../core/grid-summary.js';
import { fixtureApi } from '../testing/api.js';
import { insertCase } from '../testing/cases.js';
import { testDbKind } from '../testing/db.js';
import { FIXTURE } from '../testing/fixture.js';
import { loadPartyFixture } from '../testing/party-fixture.js';

const f = fixtureApi();
const DAY = 86_400_000;
let deptCase = 0;

beforeAll(async () => {
  await loadPartyFixture(f.t.db, f.grids);
  const A1 = FIXTURE.pointA1;
  await insertCase(f.t.db, { state: 'reported', level: 'grid', lonLat: A1 });
  await insertCase(f.t.db, { state: 'dispatched', level: 'grid', lonLat: A1, deadlineAt: new Date(Date.now() - 3_600_000) });
  await insertCase(f.t.db, { state: 'in_progress', level: 'grid', lonLat: A1, createdAt: new Date(Date.now() - 70 * DAY) });
  await insertCase(f.t.db, { state: 'closed', level: 'grid', lonLat: A1, createdAt: new Date(Date.now() - 80 * DAY) });
  await insertCase(f.t.db, { state: 'closed', level: 'grid', lonLat: A1 });
  deptCase = await insertCase(f.t.db, { state: 'dispatched', level: 'department', lonLat: A1, departmentId: f.who.departmentId });
  await insertCase(f.t.db, { state: 'reported', level: 'grid', lonLat: FIXTURE.pointB1 });
}, 120_000);

const summary = async (who: Parameters<typeof f.as>[0], id: number) => (await f.as(who).get(`/api/grids/${id}/summary`).expect(200)).body as GridSummary;

describe(`grid summary on ${testDbKind()}`, () => {
  it('gives staff, Party branch and case figures of the grid', async () => {
    const s = await summary('center', f.grids.gridA1);
    expect(s.gridId).toBe(f.grids.gridA1);
    expect(s.staff).toEqual([
      { role: 'grid_worker', name: '张网格', phone: null, synthetic: true },
      { role: 'community_worker', name: '李社工', phone: null, synthetic: true },
      { role: 'property_manager', name: '王物业', phone: null, synthetic: true },
    ]);
    expect(s.staffMasked).toBe(false);
    expect(s.staffMissing).toEqual([]);
    expect(s.party).toEqual({ branches: [{ name: '甲社区第一网格党支部', members: 24 }], buildingGroups: 1, memberHouseholds: 2, synthetic: true });
    // open: reported, dispatched (overdue), in_progress (older), the department's case; this month: all but the two old ones
    expect(s.cases).toEqual({ total: 6, open: 4, overdue: 1, thisMonth: 4 });

    const a2 = await summary('center', f.grids.gridA2);
    expect(a2.staff.map((x) => x.role)).toEqual(['grid_worker']);
    expect(a2.staffMissing).toEqual(['community_worker', 'property_manager']);
    expect(a2.party).toEqual({ branches: [], buildingGroups: 0, memberHouseholds: 0, synthetic: false });
    expect(a2.cases).toEqual({ total: 0, open: 0, overdue: 0, thisMonth: 0 });
  });

  it('masks names and withholds case figures per role; a department counts its own cases', async () => {
    const planner = await summary('planner', f.grids.gridA1);
    expect(planner.staffMasked).toBe(true);
    expect(planner.staff.map((x) => x.name)).toEqual(['张**', '李**', '王**']);
    expect(planner.cases).toBeNull();
    expect(planner.party.branches).toHaveLength(1);
    const analyst = await summary('analyst', f.grids.gridA1);
    expect(analyst.staffMasked).toBe(true);
    expect(analyst.cases).toEqual({ total: 6, open: 4, overdue: 1, thisMonth: 4 });
    const dept = await summary('department', f.grids.gridA1);
    expect(deptCase).toBeGreaterThan(0);
    expect(dept.cases).toEqual({ total: 1, open: 1, overdue: 0, thisMonth: 1 });
    expect((await summary('gridA1', f.grids.gridA1)).staffMasked).toBe(false);
  });

  it('stays inside the jurisdiction and refuses bad ids', async () => {
    expect((await summary('communityB', f.grids.gridB1)).cases).toEqual({ total: 1, open: 1, overdue: 0, thisMonth: 1 });
    for (const [who, id] of [['communityB', f.grids.gridA1], ['gridA1', f.grids.gridA2], ['center', 999_999]] as const) {
      const r = await f.as(who).get(`/api/grids/${id}/summary`).expect(404);
      expect(r.body.error.code).toBe('not_found');
    }
    for (const bad of ['abc', '0', '05', '1e3', '-1', '99999999999']) {
      const r = await f.as('center').get(`/api/grids/${bad}/summary`).expect(400);
      expect(r.body.error.code).toBe('invalid_request');
    }
    expect((await f.as('center').get(`/api/grids/${f.grids.gridA1}/summary`).unset('Authorization')).status).toBe(401);
  });

  it('counts the cases of the jurisdiction as the case list has them (the map shows a capped page of it)', async () => {
    const figures = async (who: Parameters<typeof f.as>[0], q = '') => (await f.as(who).get(`/api/grids/case-figures${q}`).expect(200)).body as GridSummary['cases'];
    const listed = async (who: Parameters<typeof f.as>[0]) => ((await f.as(who).get('/api/incidents?limit=5000').expect(200)).body as { incidents: unknown[] }).incidents.length;
    const all = await figures('center');
    expect(all).toEqual({ total: 7, open: 5, overdue: 1, thisMonth: 5 });
    expect(all!.total).toBe(await listed('center'));
    expect(await figures('center', '?division=T0102')).toEqual({ total: 1, open: 1, overdue: 0, thisMonth: 1 });
    expect((await figures('communityB'))!.total).toBe(await listed('communityB'));
    expect((await figures('gridA1'))!.total).toBe(6);
    expect(await figures('department')).toEqual({ total: 1, open: 1, overdue: 0, thisMonth: 1 });
    expect((await f.as('planner').get('/api/grids/case-figures').expect(403)).body.error.code).toBe('forbidden');
    expect((await f.as('communityB').get('/api/grids/case-figures?division=T0101').expect(403)).body.error.code).toBe('forbidden');
    expect((await f.as('center').get('/api/grids/case-figures?division=NOPE').expect(404)).body.error.code).toBe('not_found');
    expect((await f.as('center').get('/api/grids/case-figures?limit=3').expect(400)).body.error.code).toBe('invalid_request');
  });

  it('lists every 一格三员 duty with a masked number; only the three required roles count as missing', async () => {
    await f.t.db.query(`INSERT INTO grid_staff (grid_id, role, name, phone, dataset_id) VALUES ($1, 'police', '周警官', '13855556666', 'fixture')`, [f.grids.gridB1]);
    const b1 = await summary('center', f.grids.gridB1);
    expect(b1.staff.map((x) => [x.role, x.name, x.phone])).toEqual([
      ['grid_worker', '钱网格', null], ['community_worker', '孙社工', null], ['police', '周警官', '138****6666']]);
    expect(b1.staffMissing).toEqual(['property_manager']);
    // Roles without staff contacts see no number at all, masked or not.
    expect((await summary('analyst', f.grids.gridB1)).staff.map((x) => x.phone)).toEqual([null, null, null]);
  });
});

// The incident workflow end to end through the HTTP API: intake routed by the responsibility list,
// 自办自结 and 巡办分离, the ladder up to a whistled department that reports in, returns,
// rating and reopening, list filters, the readable trail, and the admin's responsibility list.
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import type { CaseDetail } from './actions.js';
import type { CaseView } from '../../core/workflow.js';
import { adminSession, snapshot } from '../testing/cases.js';
import { fixtureApi, type Who } from '../testing/api.js';
import { testDbKind } from '../testing/db.js';
import { FIXTURE } from '../testing/fixture.js';

const f = fixtureApi({ INTAKE_RATE_LIMIT: '10000' });
const { as, updates } = f;
type W = Who;
let seq = 0;
async function report(w: W, over: Record<string, unknown> = {}): Promise<CaseView> {
  const r = await as(w).post('/api/incidents', {
    lon: FIXTURE.pointA1[0], lat: FIXTURE.pointA1[1], category: 'sanitation', description: '垃圾堆积',
    source: 'patrol', clientKey: `wf-${Date.now()}-${++seq}`, ...over,
  });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body;
}
const act = (w: W, id: number, body: Record<string, unknown>) => as(w).post(`/api/incidents/${id}/actions`, body);
async function ok(w: W, id: number, body: Record<string, unknown>): Promise<CaseView> {
  const r = await act(w, id, body);
  expect(r.status, `${body.action} by ${w}: ${JSON.stringify(r.body)}`).toBe(200);
  return r.body;
}
async function refused(w: W, id: number, body: Record<string, unknown>, status: number, code: string) {
  const before = await snapshot(f.t.db, [id]);
  const r = await act(w, id, body);
  expect(r.status, `${body.action} by ${w}: ${JSON.stringify(r.body)}`).toBe(status);
  expect(r.body.error.code).toBe(code);
  expect(await snapshot(f.t.db, [id]), 'a refusal changed the case').toEqual(before);
}
const detail = async (w: W, id: number): Promise<CaseDetail> => (await as(w).get(`/api/incidents/${id}`).expect(200)).body;
const hoursBetween = (a: string, b: string) => (Date.parse(b) - Date.parse(a)) / 3_600_000;
const auditCount = async (action: string, outcome = 'ok') => (await f.t.db.query<{ n: number }>(
  `SELECT count(*)::int AS n FROM audit_log WHERE resource = 'incident' AND action = $1 AND outcome = $2`, [action, outcome])).rows[0]!.n;

describe(`incident workflow on ${testDbKind()}`, () => {
  it('a new report starts at grid level with the grid deadline, its reporter and a first trail entry', async () => {
    const c = await report('gridA1');
    expect(c).toMatchObject({ status: 'reported', statusName: '已上报', statusType: 'open', level: 'grid', levelName: '网格', handler: 'grid_worker',
      departmentCode: null, overdue: false, escalations: 0, reporters: 1, rating: null, mergedInto: null });
    expect(hoursBetween(c.createdAt, c.deadlineAt!)).toBe(24);
    const d = await detail('gridA1', c.id);
    expect(d.events).toHaveLength(1);
    expect(d.events[0]).toMatchObject({ action: 'report', actionName: '上报', toState: 'reported', toStateName: '已上报', toLevel: 'grid',
      actor: { kind: 'token', label: 'gridA1', role: 'grid_worker' } });
    expect(d.reporters).toEqual([{ source: 'patrol', clientKey: c.clientKey, reportedAt: c.createdAt, reportedBy: 'gridA1', mergedFrom: null }]);
    expect(d.allowedActions.map((a) => a.action)).toEqual(['accept', 'self_resolve', 'escalate', 'merge']);
    expect((await detail('leader', c.id)).allowedActions).toEqual([]);
    // Safety hazards have a tighter grid deadline; a case outside every grid starts higher up.
    const hazard = await report('subdistrict', { category: 'safety_hazard' });
    expect(hoursBetween(hazard.createdAt, hazard.deadlineAt!)).toBe(4);
    const noGrid = await report('subdistrict', { lon: FIXTURE.pointNoGrid[0], lat: FIXTURE.pointNoGrid[1] });
    expect(noGrid).toMatchObject({ gridId: null, level: 'subdistrict', handler: 'subdistrict' });
    expect(hoursBetween(noGrid.createdAt, noGrid.deadlineAt!)).toBe(72);
  });

  it('an accepted report is never half-stored: a failing trail write leaves no case behind', async () => {
    const count = async () => (await f.t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM incident')).rows[0]!.n;
    const n = await count();
    await f.t.db.exec(`CREATE FUNCTION wf_test_boom() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'boom'; END $$;
                     CREATE TRIGGER wf_test_boom BEFORE INSERT ON incident_event FOR EACH ROW EXECUTE FUNCTION wf_test_boom();`);
    try {
      const r = await as('gridA1').post('/api/incidents', {
        lon: FIXTURE.pointA1[0], lat: FIXTURE.pointA1[1], category: 'sanitation', source: 'patrol', clientKey: `wf-boom-${Date.now()}`,
      });
      expect(r.status).toBe(500);
    } finally {
      await f.t.db.exec('DROP TRIGGER wf_test_boom ON incident_event; DROP FUNCTION wf_test_boom();');
    }
    expect(await count()).toBe(n);
  });

  it('自办自结, then 巡办分离: the resolver cannot verify; verification, closure, rating and a reopen are all on the trail', async () => {
    const c = await report('gridA1');
    const seen = updates.length;
    const resolved = await ok('gridA1', c.id, { action: 'self_resolve', note: '已现场清理', photos: ['upload/123.jpg'] });
    expect(resolved).toMatchObject({ status: 'resolved', statusType: 'fixed', resolvedBy: 'gridA1', deadlineAt: null });
    expect(updates.slice(seen).map((u) => [u.id, u.status])).toEqual([[c.id, 'resolved']]);

    const denied = await auditCount('verify', 'denied');
    await refused('gridA1', c.id, { action: 'verify' }, 403, 'forbidden');
    expect(await auditCount('verify', 'denied')).toBe(denied + 1);
    await refused('communityB', c.id, { action: 'verify' }, 404, 'not_found');
    await refused('leader', c.id, { action: 'verify' }, 403, 'forbidden');
    await refused('communityA', c.id, { action: 'close' }, 409, 'invalid_transition');

    expect(await ok('communityA', c.id, { action: 'verify', note: '核查属实' })).toMatchObject({ status: 'verified', verifiedBy: 'communityA' });
    await refused('gridA1', c.id, { action: 'close' }, 403, 'forbidden');
    const closed = await ok('communityA', c.id, { action: 'close' });
    expect(closed.closedAt).not.toBeNull();
    await refused('gridA1', c.id, { action: 'rate' }, 400, 'invalid_request');
    await refused('gridA1', c.id, { action: 'rate', rating: 'great' }, 400, 'invalid_request');
    await refused('gridA1', c.id, { action: 'reopen', note: 'x' }, 409, 'invalid_transition');
    expect(await ok('gridA1', c.id, { action: 'rate', rating: 'dissatisfied', note: '居民回访不满意' })).toMatchObject({ status: 'rated', rating: 'dissatisfied' });
    await refused('gridA1', c.id, { action: 'reopen' }, 400, 'invalid_request');
    const reopened = await ok('gridA1', c.id, { action: 'reopen', note: '垃圾又堆起来了' });
    expect(reopened).toMatchObject({ status: 'reopened', statusType: 'open', level: 'grid', resolvedBy: null, verifiedBy: null, closedAt: null, rating: null });
    expect(reopened.deadlineAt).not.toBeNull();

    const d = await detail('leader', c.id);
    expect(d.events.map((e) => [e.action, e.actionName, e.fromState, e.toState, e.actor.label])).toEqual([
      ['report', '上报', null, 'reported', 'gridA1'],
      ['self_resolve', '自办自结', 'reported', 'resolved', 'gridA1'],
      ['verify', '核查', 'resolved', 'verified', 'communityA'],
      ['close', '结案', 'verified', 'closed', 'communityA'],
      ['rate', '评价', 'closed', 'rated', 'gridA1'],
      ['reopen', '重新打开', 'rated', 'reopened', 'gridA1'],
    ]);
    expect(d.events[1]).toMatchObject({ note: '已现场清理', photos: ['upload/123.jpg'], onTime: true, fromStateName: '已上报', toStateName: '已办结' });
    expect(d.events[4]!.detail).toEqual({ rating: 'dissatisfied' });
    for (const a of ['self_resolve', 'verify', 'close', 'rate', 'reopen']) expect(await auditCount(a), a).toBeGreaterThan(0);
  });

  it('a satisfied rating closes the matter: no reopen', async () => {
    const c = await report('gridA1');
    await ok('gridA1', c.id, { action: 'self_resolve' });
    await ok('communityA', c.id, { action: 'verify' });
    await ok('communityA', c.id, { action: 'close' });
    await ok('communityA', c.id, { action: 'rate', rating: 'satisfied' });
    await refused('communityA', c.id, { action: 'reopen', note: '再看看' }, 409, 'invalid_transition');
    await refused('communityA', c.id, { action: 'rate', rating: 'dissatisfied' }, 409, 'invalid_transition');
  });

  it('the ladder: grid → community → subdistrict, which whistles a department that reports in and resolves; the grid worker verifies', async () => {
    const c = await report('gridA1', { category: 'city_order' });
    await refused('gridA1', c.id, { action: 'escalate' }, 400, 'invalid_request');
    const up1 = await ok('gridA1', c.id, { action: 'escalate', note: '涉及多个网格，网格无法解决' });
    expect(up1).toMatchObject({ status: 'dispatched', level: 'community', handler: 'community', escalations: 1 });
    expect(hoursBetween(up1.updatedAt, up1.deadlineAt!)).toBeCloseTo(48, 1);
    await refused('gridA1', c.id, { action: 'start' }, 403, 'forbidden');
    const up2 = await ok('communityA', c.id, { action: 'escalate', note: '需街道协调' });
    expect(up2).toMatchObject({ level: 'subdistrict', handler: 'subdistrict', escalations: 2 });
    await refused('communityA', c.id, { action: 'escalate', note: 'x' }, 409, 'invalid_transition');
    await refused('communityA', c.id, { action: 'whistle', departmentCode: 'cg' }, 403, 'forbidden');

    // Before the whistle the department does not see the case.
    await as('department').get(`/api/incidents/${c.id}`).expect(404);
    await refused('department', c.id, { action: 'report_in' }, 404, 'not_found');
    await refused('subdistrict', c.id, { action: 'whistle', departmentCode: 'nope' }, 400, 'invalid_request');
    const whistled = await ok('subdistrict', c.id, { action: 'whistle', departmentCode: 'cg', note: '吹哨：占道经营需执法' });
    expect(whistled).toMatchObject({ status: 'dispatched', level: 'department', departmentCode: 'cg', departmentName: '城管', handler: 'cg' });
    // city_order's department must report in within 2 hours (data/responsibility.json).
    expect(hoursBetween(whistled.updatedAt, whistled.deadlineAt!)).toBeCloseTo(2, 1);
    const mine = (await as('department').get('/api/incidents').expect(200)).body.incidents as CaseView[];
    expect(mine.map((i) => i.id)).toEqual([c.id]);

    const reported = await ok('department', c.id, { action: 'report_in', note: '已报到' });
    expect(reported).toMatchObject({ status: 'in_progress', level: 'department' });
    expect(hoursBetween(reported.updatedAt, reported.deadlineAt!)).toBeCloseTo(72, 1);
    await ok('department', c.id, { action: 'resolve', note: '已取缔', photos: ['after.jpg'] });
    await refused('department', c.id, { action: 'verify' }, 403, 'forbidden');
    await ok('gridA1', c.id, { action: 'verify', note: '现场核查已整改' });
    const closed = await ok('subdistrict', c.id, { action: 'close' });
    expect(closed).toMatchObject({ status: 'closed', resolvedBy: 'department', verifiedBy: 'gridA1' });

    const trail = (await detail('subdistrict', c.id)).events;
    expect(trail.map((e) => [e.action, e.fromLevel, e.toLevel])).toEqual([
      ['report', null, 'grid'], ['escalate', 'grid', 'community'], ['escalate', 'community', 'subdistrict'],
      ['whistle', 'subdistrict', 'department'], ['report_in', 'department', 'department'], ['resolve', 'department', 'department'],
      ['verify', 'department', 'department'], ['close', 'department', 'department'],
    ]);
    expect(trail.find((e) => e.action === 'report_in')!.onTime).toBe(true);
    expect(trail.find((e) => e.action === 'resolve')!.onTime).toBe(true);
  });

  it('a department returns a case that is not its own: back to the subdistrict, out of the department\'s sight', async () => {
    const c = await report('subdistrict', { category: 'noise' });
    await ok('subdistrict', c.id, { action: 'whistle', departmentCode: 'cg' });
    await refused('department', c.id, { action: 'return' }, 400, 'invalid_request');
    const back = await ok('department', c.id, { action: 'return', note: '噪声不属于城管职责' });
    expect(back).toMatchObject({ status: 'returned', statusName: '退回', level: 'subdistrict', departmentCode: null, handler: 'subdistrict' });
    await as('department').get(`/api/incidents/${c.id}`).expect(404);
    expect((await as('department').get('/api/incidents').expect(200)).body.incidents.map((i: CaseView) => i.id)).not.toContain(c.id);
    // The subdistrict can deal with it itself, or dispatch it down.
    const down = await ok('subdistrict', c.id, { action: 'dispatch', level: 'grid' });
    expect(down).toMatchObject({ status: 'dispatched', level: 'grid', handler: 'grid_worker' });
    await ok('gridA1', c.id, { action: 'start' });
    await refused('gridA1', c.id, { action: 'self_resolve' }, 409, 'invalid_transition');
  });

  it('lists filter by state, level and overdue, and carry the workflow fields', async () => {
    const a = await report('gridA1');
    const b = await report('gridA1');
    await ok('gridA1', b.id, { action: 'escalate', note: '上报社区' });
    const get = async (q: string) => ((await as('subdistrict').get(`/api/incidents?${q}`).expect(200)).body.incidents as CaseView[]).map((i) => i.id);
    expect(await get('state=reported')).toContain(a.id);
    expect(await get('state=reported')).not.toContain(b.id);
    expect(await get('state=reported,dispatched')).toEqual(expect.arrayContaining([a.id, b.id]));
    expect(await get('level=community')).toContain(b.id);
    expect(await get('level=community')).not.toContain(a.id);
    expect(await get('overdue=false')).toEqual(expect.arrayContaining([a.id, b.id]));
    expect(await get('overdue=true')).not.toContain(a.id);
    for (const bad of ['state=limbo', 'state=', 'level=moon', 'overdue=maybe']) {
      expect((await as('subdistrict').get(`/api/incidents?${bad}`).expect(400)).body.error.code, bad).toBe('invalid_request');
    }
    const gridList = (await as('gridA1').get('/api/incidents?state=dispatched').expect(200)).body.incidents as CaseView[];
    expect(gridList.find((i) => i.id === b.id)).toMatchObject({ level: 'community', escalations: 1, statusName: '已派单', overdue: false });
  });

  it('GET /api/workflow describes states, levels, actions and ratings', async () => {
    const w = (await as('kiosk').get('/api/workflow').expect(200)).body;
    expect(w.states).toHaveLength(11);
    expect(w.levels.map((l: { code: string }) => l.code)).toEqual(['grid', 'community', 'subdistrict', 'department']);
    expect(w.transitions.find((x: { action: string }) => x.action === 'whistle')).toMatchObject({ name: '吹哨', to: 'dispatched', roles: ['subdistrict_staff'] });
    expect(w.ratings.map((r: { name: string }) => r.name)).toEqual(['满意', '基本满意', '不满意']);
    await as('planner').get('/api/workflow').expect(403);
    await request(f.app).get('/api/workflow').expect(401);
  });

  it('bad requests: unknown action, malformed id or body, unknown case', async () => {
    const c = await report('gridA1');
    await refused('gridA1', c.id, { action: 'teleport' }, 400, 'invalid_request');
    await refused('gridA1', c.id, { action: 'accept', photos: 'x.jpg' }, 400, 'invalid_request');
    await refused('gridA1', c.id, {}, 400, 'invalid_request');
    expect((await act('gridA1', 999_999, { action: 'accept' })).status).toBe(404);
    expect((await act('gridA1', 0, { action: 'accept' })).status).toBe(400);
    expect((await as('gridA1').get('/api/incidents/abc')).status).toBe(400);
  });
});

describe(`the responsibility list on ${testDbKind()}`, () => {
  it('is read and replaced by an admin only, checked as a whole, and routes new cases', async () => {
    for (const w of ['leader', 'subdistrict', 'analyst'] as const) {
      expect((await as(w).get('/api/responsibility')).status, w).toBe(403);
      expect((await request(f.app).put('/api/responsibility').set('Authorization', `Bearer ${f.who.tokens[w]}`).send({ rules: [] })).status, w).toBe(403);
    }
    const { agent, csrf } = await adminSession(f.app);
    const current = (await agent.get('/api/responsibility').expect(200)).body;
    expect(current.targets).toEqual({ gridSolvedShare: 0.95 });
    expect(current.rules).toContainEqual({ category: '*', level: 'grid', handler: 'grid_worker', deadlineHours: 24, reportHours: null });
    expect(current.rules).toContainEqual({ category: 'safety_hazard', level: 'grid', handler: 'grid_worker', deadlineHours: 4, reportHours: null });

    const put = (rules: unknown) => agent.put('/api/responsibility').set('X-CSRF-Token', csrf).send({ rules });
    const rules = [
      { category: '*', level: 'grid', handler: 'grid_worker', deadlineHours: 12 },
      { category: '*', level: 'community', handler: 'community', deadlineHours: 36 },
      { category: '*', level: 'subdistrict', handler: 'subdistrict', deadlineHours: 60 },
      { category: '*', level: 'department', handler: 'cg', deadlineHours: 96, reportHours: 1 },
      { category: 'noise', level: 'grid', handler: 'grid_worker', deadlineHours: 6 },
    ];
    const bad = await put(rules.slice(1).concat([{ category: 'ufo', level: 'grid', handler: 'grid_worker', deadlineHours: 1 }])).expect(400);
    expect(bad.body.error.code).toBe('invalid_request');
    expect(bad.body.error.details).toEqual(['rules[4] (ufo, grid): unknown category', 'level grid needs a default ("*") rule']);
    expect((await put([{ ...rules[0], deadlineHours: -1 }])).status).toBe(400);
    expect((await agent.get('/api/responsibility').expect(200)).body.rules).toEqual(current.rules);

    const saved = (await put(rules).expect(200)).body.rules;
    expect(saved).toHaveLength(5);
    expect((await f.t.db.query(`SELECT 1 FROM audit_log WHERE resource = 'responsibility' AND action = 'update'`)).rows).toHaveLength(1);

    const noise = await report('gridA1', { category: 'noise' });
    expect(hoursBetween(noise.createdAt, noise.deadlineAt!)).toBe(6);
    const other = await report('gridA1', { category: 'parking' });
    expect(hoursBetween(other.createdAt, other.deadlineAt!)).toBe(12);
    await ok('gridA1', noise.id, { action: 'escalate', note: '上报' });
    await ok('communityA', noise.id, { action: 'escalate', note: '上报' });
    // Without a named department the list's default department is whistled.
    const whistled = await ok('subdistrict', noise.id, { action: 'whistle' });
    expect(whistled).toMatchObject({ departmentCode: 'cg' });
    expect(hoursBetween(whistled.updatedAt, whistled.deadlineAt!)).toBeCloseTo(1, 1);
  });
});

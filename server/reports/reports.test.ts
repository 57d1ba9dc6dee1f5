// Reports from a small known scenario, built through the real workflow on a controllable clock:
// every figure below is worked out by hand in the comments.
import request from 'supertest';
import type { Express } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { incidentCreateSchema } from '../../core/incident-schema.js';
import type { Role } from '../../core/permissions.js';
import type { Actor, ActionInput } from '../../core/workflow.js';
import type { Scope } from '../auth/scope.js';
import { loadConfig } from '../config.js';
import { EventBus } from '../events/bus.js';
import { createApp } from '../http/app.js';
import { act } from '../incidents/actions.js';
import { createIncident } from '../incidents/commands.js';
import { escalateOverdue } from '../incidents/escalation.js';
import { tokenIds } from '../testing/cases.js';
import { createTestDb, testDbKind, type TestDb } from '../testing/db.js';
import { FIXTURE, loadFixture } from '../testing/fixture.js';
import { loadPrincipals, type Principals } from '../testing/principals.js';
import { detectEncoder } from '../tiles/encode.js';

let t: TestDb;
let app: Express;
let who: Principals;
const bus = new EventBus();
const ALL: Scope = { kind: 'all' };
/** Beijing time, `hours` after `day` 09:00. */
const bj = (day: string, hours = 0) => new Date(Date.parse(`${day}T09:00:00+08:00`) + hours * 3_600_000);
const pointA2: [number, number] = [121.4975, 31.235];

beforeAll(async () => {
  t = await createTestDb();
  const g = await loadFixture(t.db);
  who = await loadPrincipals(t.db, g);
  app = createApp({ config: loadConfig({}), db: t.db, bus, tileEncoder: await detectEncoder(t.db), log: () => undefined });
  const ids = await tokenIds(t.db);
  const actor = (name: string, role: Role): Actor => ({ kind: 'token', id: ids[name]!, label: name, role, departmentCode: name === 'department' ? 'cg' : null });
  const gridA1 = actor('gridA1', 'grid_worker');
  const gridB1 = actor('gridB1', 'grid_worker');
  const communityA = actor('communityA', 'community_staff');
  const subdistrict = actor('subdistrict', 'subdistrict_staff');
  const department = actor('department', 'department');

  const create = async (by: Actor, lonLat: [number, number], category: string, when: Date) => {
    const input = incidentCreateSchema.parse({ lon: lonLat[0], lat: lonLat[1], category, source: 'patrol', clientKey: `rep-${when.getTime()}-${category}` });
    const r = await createIncident(t.db, bus, input, ALL, by, when);
    if (!r.ok) throw new Error(r.error.message);
    return r.value.incident.id;
  };
  const step = async (id: number, by: Actor, input: ActionInput & { action: string }, when: Date) => {
    const r = await act(t.db, bus, id, { actor: by, scope: ALL }, input, when);
    if (!r.ok) throw new Error(`${input.action}: ${r.error.message}`);
  };

  // c1 sanitation, grid A1, 2025-01-10: 自办自结 after 2 h (on time), verified +3, closed +4, rated satisfied +5.
  const c1 = await create(gridA1, FIXTURE.pointA1, 'sanitation', bj('2025-01-10'));
  await step(c1, gridA1, { action: 'self_resolve' }, bj('2025-01-10', 2));
  await step(c1, communityA, { action: 'verify' }, bj('2025-01-10', 3));
  await step(c1, communityA, { action: 'close' }, bj('2025-01-10', 4));
  await step(c1, gridA1, { action: 'rate', rating: 'satisfied' }, bj('2025-01-10', 5));
  // c2 sanitation, grid A1, 2025-01-20: accepted +1, started +2, resolved +30 (late: 24 h), verified +31.
  const c2 = await create(gridA1, FIXTURE.pointA1, 'sanitation', bj('2025-01-20'));
  await step(c2, gridA1, { action: 'accept' }, bj('2025-01-20', 1));
  await step(c2, gridA1, { action: 'start' }, bj('2025-01-20', 2));
  await step(c2, gridA1, { action: 'resolve' }, bj('2025-01-20', 30));
  await step(c2, communityA, { action: 'verify' }, bj('2025-01-20', 31));
  // c3 noise, grid A2, 2025-02-05: community escalates +1 and +2, the subdistrict whistles cg +3
  // (report in within 2 h), cg reports in +4 (on time; then 72 h), resolves +104 (late), verified +105.
  const c3 = await create(communityA, pointA2, 'noise', bj('2025-02-05'));
  await step(c3, communityA, { action: 'escalate', note: '需社区处理' }, bj('2025-02-05', 1));
  await step(c3, communityA, { action: 'escalate', note: '需街道协调' }, bj('2025-02-05', 2));
  await step(c3, subdistrict, { action: 'whistle', departmentCode: 'cg' }, bj('2025-02-05', 3));
  await step(c3, department, { action: 'report_in' }, bj('2025-02-05', 4));
  await step(c3, department, { action: 'resolve' }, bj('2025-02-05', 104));
  await step(c3, communityA, { action: 'verify' }, bj('2025-02-05', 105));
  // c4 parking, grid B1, 2025-04-01 02:00 Beijing (still 2025-03-31 in UTC: Q2 in Beijing): 自办自结 +1.
  const c4 = await create(gridB1, FIXTURE.pointB1, 'parking', new Date('2025-04-01T02:00:00+08:00'));
  await step(c4, gridB1, { action: 'self_resolve' }, new Date('2025-04-01T03:00:00+08:00'));
  // c5 parking, grid B1, 2025-04-11: left alone; the clock escalates it at 2025-04-12 10:00 (25 h, late).
  // c6 parking, grid B1, 2025-04-12: merged into c5 at 09:30 (not counted: its survivor is).
  const c5 = await create(gridB1, FIXTURE.pointB1, 'parking', bj('2025-04-11'));
  const c6 = await create(gridB1, FIXTURE.pointB1, 'parking', bj('2025-04-12'));
  await step(c6, gridB1, { action: 'merge', into: c5 }, bj('2025-04-12', 0.5));
  await escalateOverdue(t.db, bus, bj('2025-04-12', 1));
  // c7 sanitation, grid A1, 2024-12-01: outside the period, 自办自结.
  const c7 = await create(gridA1, FIXTURE.pointA1, 'sanitation', bj('2024-12-01'));
  await step(c7, gridA1, { action: 'self_resolve' }, bj('2024-12-01', 1));
}, 180_000);
afterAll(async () => { await t?.drop(); });

const get = (w: keyof Principals['tokens'], q: string) => request(app).get(`/api/reports/summary?${q}`).set('Authorization', `Bearer ${who.tokens[w]}`);
const PERIOD = 'from=2025-01-01&to=2025-07-01';

describe(`reports on ${testDbKind()}`, () => {
  it('computes every figure of the scenario for the whole district', async () => {
    const r = (await get('leader', PERIOD).expect(200)).body;
    expect(r.period).toEqual({ from: '2024-12-31T16:00:00.000Z', to: '2025-06-30T16:00:00.000Z' });
    // c1 closed (rated); c2, c3, c4 fixed; c5 open, overdue, escalated; c3 escalated twice.
    expect(r.cases).toEqual({ total: 5, open: 1, fixed: 3, closed: 1, overdue: 1, escalated: 2 });
    // Solved: c1, c2, c4 at grid level, c3 by a department → 3 / 4.
    expect(r.gridSolved).toEqual({ solved: 4, atGrid: 3, share: 0.75, target: 0.95, met: false });
    // Grid: c1 ✓, c2 ✗, c4 ✓, c5 escalated by the clock ✗. Department cg: report-in ✓, resolve ✗.
    expect(r.onTime.byLevel).toEqual([
      { level: 'grid', name: '网格', total: 4, onTime: 2, rate: 0.5 },
      { level: 'department', name: '职能部门', total: 2, onTime: 1, rate: 0.5 },
    ]);
    expect(r.onTime.byDepartment).toEqual([{ code: 'cg', name: '城管', total: 2, onTime: 1, rate: 0.5 }]);
    // reported: c1 2, c2 1, c3 1, c4 1, c5 25 → 6 h; accepted: c2 1; dispatched: c3 +1 → +4 = 3;
    // in_progress: c2 28, c3 100 → 64; resolved: c1, c2, c3 1 h each; verified, closed: c1 1 h.
    expect(r.stageHours).toEqual([
      { state: 'reported', name: '已上报', count: 5, meanHours: 6 },
      { state: 'accepted', name: '已受理', count: 1, meanHours: 1 },
      { state: 'dispatched', name: '已派单', count: 1, meanHours: 3 },
      { state: 'in_progress', name: '处置中', count: 2, meanHours: 64 },
      { state: 'resolved', name: '已办结', count: 3, meanHours: 1 },
      { state: 'verified', name: '已核查', count: 1, meanHours: 1 },
      { state: 'closed', name: '已结案', count: 1, meanHours: 1 },
    ]);
    expect(r.topCategories).toEqual([
      { category: 'parking', name: '停车管理', count: 2 },
      { category: 'sanitation', name: '环境卫生', count: 2 },
      { category: 'noise', name: '噪声扰民', count: 1 },
    ]);
    const [a1, a2, b1] = [r.hotspots[0].grids[0].gridId, r.hotspots[0].grids[1].gridId, r.hotspots[1].grids[0].gridId];
    expect(r.hotspots).toEqual([
      { quarter: '2025Q1', grids: [{ gridId: a1, gridName: '甲社区第01网格', count: 2 }, { gridId: a2, gridName: '甲社区第02网格', count: 1 }] },
      { quarter: '2025Q2', grids: [{ gridId: b1, gridName: '乙社区第01网格', count: 2 }] },
    ]);
    expect(r.ratings).toEqual({ satisfied: 1, basically_satisfied: 0, dissatisfied: 0 });
  });

  it('narrows to the caller\'s jurisdiction, a division and a period', async () => {
    const a = (await get('communityA', PERIOD).expect(200)).body;
    expect(a.cases.total).toBe(3);
    expect(a.gridSolved).toEqual({ solved: 3, atGrid: 2, share: 0.6667, target: 0.95, met: false });
    const b = (await get('leader', `${PERIOD}&division=T0102`).expect(200)).body;
    expect(b.cases).toMatchObject({ total: 2, open: 1 });
    expect(b.gridSolved).toEqual({ solved: 1, atGrid: 1, share: 1, target: 0.95, met: true });
    expect((await get('communityB', PERIOD).expect(200)).body.gridSolved).toEqual(b.gridSolved);
    expect((await get('communityA', `${PERIOD}&division=T0102`).expect(403)).body.error.code).toBe('forbidden');
    const q2 = (await get('analyst', 'from=2025-04-01').expect(200)).body;
    expect(q2.cases.total).toBe(2);
    expect(q2.hotspots.map((h: { quarter: string }) => h.quarter)).toEqual(['2025Q2']);
    const all = (await get('subdistrict', '').expect(200)).body;
    expect(all.cases.total).toBe(6);
    expect(all.gridSolved).toMatchObject({ solved: 5, atGrid: 4, share: 0.8 });
  });

  it('exports the same figures as CSV, audited', async () => {
    const r = await get('leader', `${PERIOD}&format=csv`).expect(200);
    expect(r.headers['content-type']).toMatch(/^text\/csv/);
    expect(r.headers['content-disposition']).toContain('case-report.csv');
    const lines = r.text.replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(lines[0]).toBe('section,quarter,key,name,count,total,rate,meanHours,target');
    expect(lines).toContain('cases,,total,,5,,,,');
    expect(lines).toContain('grid_solved,,grid,网格,3,4,0.75,,0.95');
    expect(lines).toContain('on_time_level,,grid,网格,2,4,0.5,,');
    expect(lines).toContain('on_time_department,,cg,城管,1,2,0.5,,');
    expect(lines).toContain('stage_hours,,in_progress,处置中,2,,,64,');
    expect(lines).toContain('top_category,,parking,停车管理,2,,,,');
    expect(lines.filter((l) => l.startsWith('hotspot,2025Q1,'))).toHaveLength(2);
    expect(lines).toContain('rating,,satisfied,满意,1,,,,');
    expect((await t.db.query(`SELECT 1 FROM audit_log WHERE action = 'export' AND resource = 'report'`)).rows).toHaveLength(1);
  });

  it('is for leaders, subdistrict and community staff and analysts only; bad queries are 400', async () => {
    for (const w of ['gridA1', 'department', 'planner', 'kiosk'] as const) {
      expect((await get(w, PERIOD)).status, w).toBe(403);
    }
    await request(app).get('/api/reports/summary').expect(401);
    for (const q of ['from=yesterday', 'from=2025-05-01&to=2025-04-01', 'format=xlsx', 'division=NOPE']) {
      const r = await get('leader', q);
      expect([400, 404], q).toContain(r.status);
    }
  });
});

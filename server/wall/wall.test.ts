// The wall's figures from a small known scenario on a fixed clock (every number worked out in the
// comments), then the routes: jurisdiction (accounts and kiosk tokens alike), points, backfill.
import type { Express } from 'express';
import request from 'supertest';
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
import { adminSession, tokenIds } from '../testing/cases.js';
import { createTestDb, testDbKind, type TestDb } from '../testing/db.js';
import { FIXTURE, loadFixture } from '../testing/fixture.js';
import { loadPartyFixture } from '../testing/party-fixture.js';
import { loadPrincipals, type Principals } from '../testing/principals.js';
import { detectEncoder } from '../tiles/encode.js';
import { beijingDayStart, wallMetrics, wallPoints } from './metrics.js';

let t: TestDb;
let app: Express;
let who: Principals;
let g: { gridA1: number; gridA2: number; gridB1: number };
const bus = new EventBus();
const ALL: Scope = { kind: 'all' };
const EVERYTHING = { codes: null, gridId: null, departmentId: null };
/** The scenario's clock: 2025-03-10 12:00 Beijing. */
const N = new Date('2025-03-10T12:00:00+08:00');
const ago = (hours: number) => new Date(N.getTime() - hours * 3_600_000);
const pointA2: [number, number] = [121.4975, 31.235];
const ids: Record<string, number> = {};

beforeAll(async () => {
  t = await createTestDb();
  g = await loadFixture(t.db);
  who = await loadPrincipals(t.db, g);
  await loadPartyFixture(t.db, g);
  app = createApp({ config: loadConfig({}), db: t.db, bus, tileEncoder: await detectEncoder(t.db), log: () => undefined });
  const tid = await tokenIds(t.db);
  const actor = (name: string, role: Role): Actor => ({ kind: 'token', id: tid[name]!, label: name, role });
  const gridA1 = actor('gridA1', 'grid_worker');
  const gridB1 = actor('gridB1', 'grid_worker');
  const communityA = actor('communityA', 'community_staff');
  const communityB = actor('communityB', 'community_staff');
  const create = async (name: string, by: Actor, lonLat: [number, number], category: string, when: Date) => {
    const input = incidentCreateSchema.parse({ lon: lonLat[0], lat: lonLat[1], category, source: 'patrol', clientKey: `wall-${name}-${when.getTime()}` });
    const r = await createIncident(t.db, bus, input, ALL, by, when);
    if (!r.ok) throw new Error(r.error.message);
    ids[name] = r.value.incident.id;
  };
  const step = async (name: string, by: Actor, input: ActionInput & { action: string }, when: Date) => {
    const r = await act(t.db, bus, ids[name]!, { actor: by, scope: ALL }, input, when);
    if (!r.ok) throw new Error(`${name} ${input.action}: ${r.error.message}`);
  };
  // c1 sanitation A1, 09:00 today, open.
  await create('c1', gridA1, FIXTURE.pointA1, 'sanitation', ago(3));
  // c2 parking A1, yesterday 06:00, resolved at grid level at 10:00 today (28 h), verified, closed.
  await create('c2', gridA1, FIXTURE.pointA1, 'parking', ago(30));
  await step('c2', gridA1, { action: 'accept' }, ago(29));
  await step('c2', gridA1, { action: 'start' }, ago(28));
  await step('c2', gridA1, { action: 'resolve' }, ago(2));
  await step('c2', communityA, { action: 'verify' }, ago(1.5));
  await step('c2', communityA, { action: 'close' }, ago(1));
  // c3 noise B1, 2 days ago 10:00, open: its 24 h deadline passed 26 h ago (overdue).
  await create('c3', gridB1, FIXTURE.pointB1, 'noise', ago(50));
  // c4 safety hazard A2, 11:00 today, open (4 h deadline).
  await create('c4', communityA, pointA2, 'safety_hazard', ago(1));
  // c5 sanitation B1, 10 days ago: escalated (dispatched to the community), resolved by it after 5 h.
  await create('c5', gridB1, FIXTURE.pointB1, 'sanitation', ago(240));
  await step('c5', gridB1, { action: 'escalate', note: '需社区处理' }, ago(239));
  await step('c5', communityB, { action: 'start' }, ago(237));
  await step('c5', communityB, { action: 'resolve' }, ago(235));
  // c6 parking A1, 40 days ago (outside the 30-day window), resolved.
  await create('c6', gridA1, FIXTURE.pointA1, 'parking', ago(960));
  await step('c6', gridA1, { action: 'accept' }, ago(959));
  await step('c6', gridA1, { action: 'start' }, ago(959));
  await step('c6', gridA1, { action: 'resolve' }, ago(958));
  // c7 other A1, 10:00 today, merged into c1 (never counted).
  await create('c7', gridA1, FIXTURE.pointA1, 'other', ago(2));
  await step('c7', gridA1, { action: 'merge', into: ids.c1! }, ago(1.9));
}, 180_000);
afterAll(async () => { await t?.drop(); });

const get = (w: keyof Principals['tokens'], path: string) => request(app).get(path).set('Authorization', `Bearer ${who.tokens[w]}`);

describe(`wall metrics on ${testDbKind()}`, () => {
  it('starts the day at Beijing midnight', () => {
    expect(beijingDayStart(N).toISOString()).toBe('2025-03-09T16:00:00.000Z');
    expect(beijingDayStart(new Date('2025-03-09T16:00:00Z')).toISOString()).toBe('2025-03-09T16:00:00.000Z');
    expect(beijingDayStart(new Date('2025-03-09T15:59:59Z')).toISOString()).toBe('2025-03-08T16:00:00.000Z');
  });

  it('computes every figure of the scenario for the whole district', async () => {
    const m = await wallMetrics(t.db, EVERYTHING, { now: N });
    expect(m.now).toBe(N.toISOString());
    expect(m.windowDays).toBe(30);
    // today: c1, c4 (c7 merged). open: c1, c3, c4. overdue: c3. In the window: c1–c5.
    // Solved in the window: c2 at grid, c5 by the community → 1/2. Hours: c2 28, c5 5 → 16.5.
    expect(m.totals).toEqual({
      today: 2, resolvedToday: 1, open: 3, overdue: 1, recent: 5, solved: 2, solvedAtGrid: 1,
      gridSolvedShare: 0.5, gridSolvedTarget: 0.95, avgCloseHours: 16.5,
      grids: 3, households: 710, coveredGrids: 2, coverage: 0.6667, branches: 2, partyMembers: 39, memberHouseholds: 2,
      staffedGrids: 1, staffing: 0.3333, serviceCoverage: null, // no 15-minute results computed in this fixture
    });
    const byId = new Map(m.grids.map((x) => [x.gridId, x]));
    expect(byId.get(g.gridA1)).toEqual({
      gridId: g.gridA1, code: 'T0101-01', name: '甲社区第01网格', communityCode: 'T0101', households: 240,
      open: 1, overdue: 0, recent: 2, per1000: 8.33, partyBranch: true, partyMembers: 24, buildingGroups: 1, memberHouseholds: 2,
      staffingComplete: true, staffRoles: ['community_worker', 'grid_worker', 'property_manager'], serviceCoverage: null,
    });
    expect(byId.get(g.gridA2)).toMatchObject({ open: 1, overdue: 0, recent: 1, per1000: 3.85, partyBranch: false, partyMembers: 0,
      memberHouseholds: 0, staffingComplete: false, staffRoles: ['grid_worker'] });
    expect(byId.get(g.gridB1)).toMatchObject({ open: 1, overdue: 1, recent: 2, per1000: 9.52, partyBranch: true, partyMembers: 15,
      buildingGroups: 0, memberHouseholds: 0, staffingComplete: false, staffRoles: ['community_worker', 'grid_worker'] });
  });

  it('ranks subdistricts and communities', async () => {
    const m = await wallMetrics(t.db, EVERYTHING, { now: N });
    expect(m.ranking.subdistricts).toEqual([
      { code: 'T01', name: '测试街道', level: 'subdistrict', parentCode: 'T00', grids: 3, households: 710, open: 3, overdue: 1, today: 2, recent: 5, per1000: 7.04 },
    ]);
    expect(m.ranking.communities).toEqual([
      { code: 'T0101', name: '甲社区', level: 'community', parentCode: 'T01', grids: 2, households: 500, open: 2, overdue: 0, today: 2, recent: 3, per1000: 6 },
      { code: 'T0102', name: '乙社区', level: 'community', parentCode: 'T01', grids: 1, households: 210, open: 1, overdue: 1, today: 0, recent: 2, per1000: 9.52 },
    ]);
  });

  it('gives hourly and daily sparklines, oldest first', async () => {
    const m = await wallMetrics(t.db, EVERYTHING, { now: N });
    const hourly = new Array(24).fill(0);
    hourly[23 - 3] = 1; // c1, 3 h ago
    hourly[23 - 1] = 1; // c4, 1 h ago
    expect(m.series.hourlyCreated).toEqual(hourly);
    const resolved = new Array(24).fill(0);
    resolved[23 - 2] = 1; // c2
    expect(m.series.hourlyResolved).toEqual(resolved);
    const daily = new Array(14).fill(0);
    daily[13] = 2; // today: c1, c4
    daily[12] = 1; // c2
    daily[11] = 1; // c3
    daily[3] = 1; // c5, 10 days ago
    expect(m.series.daily).toEqual(daily);
  });

  it('narrows to a community, a grid and a department', async () => {
    const a = await wallMetrics(t.db, { codes: ['T0101'], gridId: null, departmentId: null }, { now: N });
    expect(a.grids.map((x) => x.gridId)).toEqual([g.gridA1, g.gridA2]);
    expect(a.totals).toMatchObject({ today: 2, open: 2, overdue: 0, recent: 3, solved: 1, solvedAtGrid: 1, gridSolvedShare: 1, coverage: 0.5 });
    expect(a.ranking.subdistricts).toEqual([]);
    expect(a.ranking.communities.map((r) => r.code)).toEqual(['T0101']);
    const one = await wallMetrics(t.db, { codes: ['T0102'], gridId: g.gridB1, departmentId: null }, { now: N });
    expect(one.grids.map((x) => x.gridId)).toEqual([g.gridB1]);
    expect(one.totals).toMatchObject({ open: 1, overdue: 1, recent: 2, staffing: 0 });
    const dep = await wallMetrics(t.db, { codes: null, gridId: null, departmentId: who.departmentId }, { now: N });
    expect(dep.totals).toMatchObject({ today: 0, open: 0, recent: 0 });
    expect(dep.grids).toHaveLength(3); // the map is district-wide; only the cases are limited
  });

  it('serves cases as compact columns, oldest first', async () => {
    const p = await wallPoints(t.db, EVERYTHING, ago(72), N, 100);
    expect(p.id).toEqual([ids.c3, ids.c2, ids.c1, ids.c4]);
    expect(p.categories).toEqual(['noise', 'parking', 'sanitation', 'safety_hazard']);
    expect(p.cat).toEqual([0, 1, 2, 3]);
    expect(p.grid).toEqual([g.gridB1, g.gridA1, g.gridA1, g.gridA2]);
    expect(p.open).toEqual([1, 0, 1, 1]);
    expect(p.t).toEqual([ago(50), ago(30), ago(3), ago(1)].map((d) => d.getTime() / 1000));
    expect(p.r).toEqual([0, ago(2).getTime() / 1000, 0, 0]);
    expect(p.lon[0]).toBeCloseTo(FIXTURE.pointB1[0], 6);
    expect(p.truncated).toBe(false);
    const two = await wallPoints(t.db, EVERYTHING, ago(72), N, 2);
    expect(two.id).toEqual([ids.c3, ids.c2]);
    expect(two.truncated).toBe(true);
  });
});

describe(`wall routes on ${testDbKind()}`, () => {
  it('answers the district leader and a kiosk token alike, inside their jurisdiction', async () => {
    const leader = (await get('leader', '/api/wall/metrics').expect(200)).body;
    const kiosk = (await get('kiosk', '/api/wall/metrics').expect(200)).body;
    expect(leader.grids).toHaveLength(3);
    expect(kiosk.grids).toEqual(leader.grids);
    expect(kiosk.totals).toEqual(leader.totals);
    expect(leader.totals.open).toBe(3);
    // Every open case is past its deadline on today's clock.
    expect(leader.totals.overdue).toBe(3);
  });

  it('keeps a community, a grid worker and a department to their own part', async () => {
    const a = (await get('communityA', '/api/wall/metrics').expect(200)).body;
    expect(a.grids.map((x: { gridId: number }) => x.gridId)).toEqual([g.gridA1, g.gridA2]);
    expect(a.totals.open).toBe(2);
    const w = (await get('gridA1', '/api/wall/metrics').expect(200)).body;
    expect(w.grids.map((x: { gridId: number }) => x.gridId)).toEqual([g.gridA1]);
    expect(w.totals.open).toBe(1);
    const d = (await get('department', '/api/wall/metrics').expect(200)).body;
    expect(d.totals.open).toBe(0);
    expect((await get('communityA', '/api/wall/metrics?division=T0102').expect(403)).body.error.code).toBe('forbidden');
    expect((await get('communityA', `/api/wall/metrics?grid=${g.gridB1}`).expect(404)).body.error.code).toBe('not_found');
    const one = (await get('leader', `/api/wall/metrics?grid=${g.gridB1}`).expect(200)).body;
    expect(one.grid).toBe(g.gridB1);
    expect(one.grids.map((x: { gridId: number }) => x.gridId)).toEqual([g.gridB1]);
    expect(one.totals.open).toBe(1);
    const sub = (await get('leader', '/api/wall/metrics?division=T0102').expect(200)).body;
    expect(sub.totals.open).toBe(1);
    await get('leader', '/api/wall/metrics?division=NOPE').expect(404);
    await get('leader', '/api/wall/metrics?windowDays=0').expect(400);
    await get('planner', '/api/wall/metrics').expect(403);
    await request(app).get('/api/wall/metrics').expect(401);
  });

  it('serves points inside the jurisdiction and refuses bad spans', async () => {
    const q = `from=${encodeURIComponent(ago(72).toISOString())}&to=${encodeURIComponent(N.toISOString())}`;
    const all = (await get('kiosk', `/api/wall/points?${q}`).expect(200)).body;
    expect(all.id).toEqual([ids.c3, ids.c2, ids.c1, ids.c4]);
    // Deadlines (epoch seconds) for the replay's overdue figure: c3 24 h, c4 4 h after the report.
    expect(all.d[0] - all.t[0]).toBe(24 * 3600);
    expect(all.d[3] - all.t[3]).toBe(4 * 3600);
    const b = (await get('communityB', `/api/wall/points?${q}`).expect(200)).body;
    expect(b.id).toEqual([ids.c3]);
    const limited = (await get('leader', `/api/wall/points?${q}&limit=1`).expect(200)).body;
    expect(limited).toMatchObject({ truncated: true, id: [ids.c3] });
    await get('leader', `/api/wall/points?from=${encodeURIComponent(N.toISOString())}&to=${encodeURIComponent(ago(1).toISOString())}`).expect(400);
    await get('leader', `/api/wall/points?from=${encodeURIComponent(ago(24 * 9).toISOString())}&to=${encodeURIComponent(N.toISOString())}`).expect(400);
    await get('leader', '/api/wall/points').expect(400);
    await get('planner', `/api/wall/points?${q}`).expect(403);
  });

  it('backfills synthetic history through intake and workflow, admin only, idempotently', async () => {
    const { agent, csrf } = await adminSession(app);
    const now = Date.now();
    const iso = (hoursAgo: number) => new Date(now - hoursAgo * 3_600_000).toISOString();
    const body = {
      incidents: [
        { lon: FIXTURE.pointA1[0], lat: FIXTURE.pointA1[1], category: 'sanitation', source: 'patrol', clientKey: 'backfill-1', at: iso(20),
          steps: [
            { action: 'accept', at: iso(19.5) }, { action: 'start', at: iso(19) }, { action: 'resolve', at: iso(16) },
            { action: 'verify', at: iso(15), by: 'community_staff' }, { action: 'close', at: iso(14), by: 'community_staff' },
          ] },
        { lon: FIXTURE.pointB1[0], lat: FIXTURE.pointB1[1], category: 'noise', source: 'hotline_12345', clientKey: 'backfill-2', at: iso(3),
          steps: [{ action: 'accept', at: iso(2) }, { action: 'start', at: iso(-5) }] },
        { lon: FIXTURE.pointA1[0], lat: FIXTURE.pointA1[1], category: 'parking', source: 'photo', clientKey: 'backfill-3', at: iso(24 * 40) },
        { lon: FIXTURE.outside[0], lat: FIXTURE.outside[1], category: 'parking', source: 'patrol', clientKey: 'backfill-4', at: iso(5) },
      ],
    };
    const r = await agent.post('/api/wall/backfill').set('X-CSRF-Token', csrf).send(body);
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body).toMatchObject({ created: 2, replayed: 0, steps: 6, future: 1, stepErrors: 0 });
    expect(r.body.refused.map((x: { clientKey: string; code: string }) => [x.clientKey, x.code])).toEqual([['backfill-3', 'invalid_request'], ['backfill-4', 'outside_district']]);
    const rows = (await t.db.query<{ client_key: string; synthetic: boolean; status: string; created_at: Date; resolved_level: string | null }>(
      `SELECT client_key, synthetic, status, created_at, resolved_level FROM incident WHERE client_key LIKE 'backfill-%' ORDER BY client_key`)).rows;
    expect(rows.map((x) => [x.client_key, x.synthetic, x.status, x.resolved_level])).toEqual([['backfill-1', true, 'closed', 'grid'], ['backfill-2', true, 'accepted', null]]);
    expect(new Date(rows[0]!.created_at).toISOString()).toBe(iso(20));
    const actors = (await t.db.query<{ actor_label: string }>(
      `SELECT DISTINCT e.actor_label FROM incident_event e JOIN incident i ON i.id = e.incident_id WHERE i.client_key = 'backfill-1' ORDER BY 1`)).rows;
    expect(actors.map((a) => a.actor_label)).toEqual(['模拟社区（合成数据）', '模拟网格员（合成数据）']);
    const again = await agent.post('/api/wall/backfill').set('X-CSRF-Token', csrf).send(body).expect(200);
    expect(again.body).toMatchObject({ created: 0, replayed: 2, steps: 0 });
    const audit = (await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'backfill'`)).rows[0]!.n;
    expect(audit).toBe(2);
    // Not for anyone else; not without the CSRF header; nothing malformed.
    await get('leader', '/api/wall/backfill').expect(404);
    await request(app).post('/api/wall/backfill').set('Authorization', `Bearer ${who.tokens.leader}`).send(body).expect(403);
    await request(app).post('/api/wall/backfill').set('Authorization', `Bearer ${who.tokens.communityA}`).send(body).expect(403);
    await agent.post('/api/wall/backfill').send(body).expect(403);
    await agent.post('/api/wall/backfill').set('X-CSRF-Token', csrf).send({ incidents: [] }).expect(400);
  });
});

// Trend early-warnings on the fixture district: a scan finds the injected trends (a category rising
// in community A, repeated cases at one place in grid B1, grid A2's on-time rate dropping) and
// nothing on flat data; scans never raise a warning twice (also two at once); lists are scoped by
// jurisdiction; acknowledge / assign / close are audited and published; thresholds are data an
// admin edits, and bad input changes nothing.
import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import type { WarningView } from '../../core/trend/contract.js';
import { DAY_MS } from '../../core/trend/time.js';
import { hashPassword } from '../auth/passwords.js';
import { fixtureApi } from '../testing/api.js';
import { testDbKind } from '../testing/db.js';
import { insertToken } from '../testing/principals.js';
import type { DomainEvents } from '../events/bus.js';
import { runScan } from './scan.js';
import { insertCases, insertDeadlineEnds } from './testkit.js';

const f = fixtureApi();
const ADMIN = 'gct_warnings_admin_secret_0123456789';
const published: DomainEvents['warnings.changed'][] = [];
let now: Date;
let workerA2 = 0;
let workerA1 = 0;
let staffB = 0;
let adminAccount = 0;

const A = { lon: 121.4975, lat: 31.235 }; // grid A2, community A
const B = { lon: 121.5052, lat: 31.2361 }; // grid B1, community B

async function list(who: Parameters<typeof f.as>[0], q = ''): Promise<WarningView[]> {
  return ((await f.as(who).get(`/api/warnings${q}`).expect(200)).body as { warnings: WarningView[] }).warnings;
}

describe(`trend early-warning on ${testDbKind()}`, () => {
  beforeAll(async () => {
    f.bus.subscribe('warnings.changed', (d) => published.push(d));
    now = (await f.t.db.query<{ now: Date }>('SELECT now() AS now')).rows[0]!.now;
    const ago = (days: number, i = 0) => new Date(now.getTime() - days * DAY_MS + i * 60_000);
    // Flat: 6 sanitation cases a week in community B for 5 weeks (this week too).
    const flat = [];
    for (let d = 1; d <= 35; d++) if (d % 7 !== 3) flat.push({ category: 'sanitation', ...B, lon: B.lon - 0.0045 + d * 0.00025, lat: B.lat - 0.004 + (d % 5) * 0.0012, gridId: f.grids.gridB1, community: 'T0102', at: ago(d - 0.5) });
    // Rising: parking in community A, 2 a week before, 14 in the last 7 days.
    const rising = [];
    for (let w = 1; w <= 4; w++) for (let k = 0; k < 2; k++) rising.push({ category: 'parking', lon: A.lon - 0.004, lat: A.lat + 0.001 * k + 0.0002 * w, gridId: f.grids.gridA1, community: 'T0101', at: ago(7 * w + 2 + k) });
    for (let k = 0; k < 14; k++) rising.push({ category: 'parking', lon: 121.491 + 0.0003 * k, lat: 31.232 + 0.0005 * k, gridId: f.grids.gridA1, community: 'T0101', at: ago(0.3 + k * 0.45) });
    // Repeated: 3 safety hazards within a few metres in grid B1 over the last 3 days.
    const repeated = [0, 1, 2].map((k) => ({ category: 'safety_hazard', lon: B.lon + k * 0.00003, lat: B.lat, gridId: f.grids.gridB1, community: 'T0102', at: ago(k + 0.5) }));
    await insertCases(f.t.db, [...flat, ...rising, ...repeated]);
    // Grid A2: 40 deadlines 90% on time in the 90 days before the last 30, then 20 with 6 on time.
    await insertDeadlineEnds(f.t.db, f.grids.gridA2, 'T0101', [
      ...Array.from({ length: 40 }, (_, i) => ({ at: ago(31 + i * 2), onTime: i % 10 !== 0 })),
      ...Array.from({ length: 20 }, (_, i) => ({ at: ago(1 + i), onTime: i % 10 < 3 })),
    ]);
    // Grid A1's deadlines stay at 90%.
    await insertDeadlineEnds(f.t.db, f.grids.gridA1, 'T0101', [
      ...Array.from({ length: 40 }, (_, i) => ({ at: ago(31 + i * 2), onTime: i % 10 !== 0 })),
      ...Array.from({ length: 20 }, (_, i) => ({ at: ago(1 + i), onTime: i % 10 !== 5 })),
    ]);
    await insertToken(f.t.db, ADMIN, 'warnings-admin', 'admin', { divisionCode: 'T00' });
    workerA2 = (await f.t.db.query<{ id: number }>(`INSERT INTO account (username, display_name, password_hash, role, grid_id)
      VALUES ('worker_a2', '网格员甲二', $1, 'grid_worker', $2) RETURNING id`, [await hashPassword('x-unused-Passw0rd!'), f.grids.gridA2])).rows[0]!.id;
    const hash = await hashPassword('x-unused-Passw0rd!');
    workerA1 = (await f.t.db.query<{ id: number }>(`INSERT INTO account (username, display_name, password_hash, role, grid_id)
      VALUES ('worker_a1', '网格员甲一', $1, 'grid_worker', $2) RETURNING id`, [hash, f.grids.gridA1])).rows[0]!.id;
    staffB = (await f.t.db.query<{ id: number }>(`INSERT INTO account (username, display_name, password_hash, role, division_code)
      VALUES ('staff_b', '社区乙工作人员', $1, 'community_staff', 'T0102') RETURNING id`, [hash])).rows[0]!.id;
    adminAccount = (await f.t.db.query<{ id: number }>(`SELECT id FROM account WHERE username = 'admin'`)).rows[0]!.id;
  });

  it('a scan finds the three injected trends, with evidence, and nothing else', async () => {
    const r = (await f.as('center').post('/api/warnings/scan', {}).expect(200)).body as { added: number; updated: number };
    expect(r.added).toBe(3);
    const all = await list('center');
    expect(all.map((w) => w.kind).sort()).toEqual(['cluster', 'on_time_drop', 'rising']);
    const rising = all.find((w) => w.kind === 'rising')!;
    expect([rising.communityCode, rising.category, rising.subdistrictCode, rising.districtCode]).toEqual(['T0101', 'parking', 'T01', 'T00']);
    const e = rising.evidence as { test: string; pValue: number; current: number; baselineTotal: number; adjustedAlpha: number };
    expect(e.test).toMatch(/binomial/);
    expect(e.current).toBe(14);
    expect(e.baselineTotal).toBe(8);
    expect(e.pValue).toBeLessThan(e.adjustedAlpha);
    expect(rising.title).toContain('停车管理');
    expect(rising.synthetic).toBe(true);
    const cluster = all.find((w) => w.kind === 'cluster')!;
    expect([cluster.gridId, cluster.communityCode, cluster.category, cluster.caseIds.length]).toEqual([f.grids.gridB1, 'T0102', 'safety_hazard', 3]);
    const drop = all.find((w) => w.kind === 'on_time_drop')!;
    expect(drop.gridId).toBe(f.grids.gridA2);
    const d = drop.evidence as { current: { onTime: number; total: number }; baseline: { onTime: number; total: number }; test: string };
    expect([d.current.onTime, d.current.total, d.baseline.onTime, d.baseline.total]).toEqual([6, 20, 36, 40]);
    expect(d.test).toMatch(/two-proportion/);
    expect(all.every((w) => w.status === 'open')).toBe(true);
    expect(published.at(-1)!.add.map((w) => w.id).sort()).toEqual(all.map((w) => w.id).sort());
  });

  it('scans again (also two at once) raise nothing twice', async () => {
    const at = new Date();
    await runScan(f.t.db, f.bus, at);
    const again = await runScan(f.t.db, f.bus, at); // the same moment: the same evidence, nothing to write
    expect([again.added, again.updated]).toEqual([0, 0]);
    await f.t.db.query('DELETE FROM warning');
    const both = await Promise.all([runScan(f.t.db, f.bus, at), runScan(f.t.db, f.bus, at)]);
    expect(both.reduce((s, r) => s + r.added, 0)).toBe(3);
    expect((await f.t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM warning')).rows[0]!.n).toBe(3);
  });

  it('lists are scoped by jurisdiction and role', async () => {
    expect((await list('communityB')).map((w) => w.kind)).toEqual(['cluster']);
    expect((await list('communityA')).map((w) => w.kind).sort()).toEqual(['on_time_drop', 'rising']);
    expect(await list('gridA1')).toEqual([]);
    expect((await list('kiosk')).length).toBe(3);
    expect((await list('center', '?division=T0102')).map((w) => w.kind)).toEqual(['cluster']);
    expect((await f.as('communityB').get('/api/warnings?division=T0101').expect(403)).body.error.code).toBe('forbidden');
    for (const w of ['department', 'planner'] as const) await f.as(w).get('/api/warnings').expect(403);
    expect((await f.as('center').get('/api/warnings?status=bogus').expect(400)).body.error.code).toBe('invalid_request');
    const other = (await list('center')).find((w) => w.kind === 'rising')!;
    await f.as('communityB').get(`/api/warnings/${other.id}`).expect(404);
    await f.as('communityB').post(`/api/warnings/${other.id}/acknowledge`, {}).expect(404);
    await f.as('kiosk').post(`/api/warnings/${other.id}/acknowledge`, {}).expect(403);
    await f.as('communityA').post('/api/warnings/scan', {}).expect(403);
  });

  it('acknowledge and assign: audited, published, refused when wrong', async () => {
    const drop = (await list('communityA')).find((w) => w.kind === 'on_time_drop')!;
    const n = published.length;
    const ack = (await f.as('communityA').post(`/api/warnings/${drop.id}/acknowledge`, { note: '已安排排查' }).expect(200)).body as WarningView;
    expect([ack.status, ack.acknowledgedBy, ack.note]).toEqual(['acknowledged', 'communityA', '已安排排查']);
    expect(published[n]!.update.map((w) => w.id)).toEqual([drop.id]);
    expect((await f.as('communityA').post(`/api/warnings/${drop.id}/acknowledge`, {}).expect(409)).body.error.code).toBe('invalid_transition');
    // Bad assignments change nothing.
    expect((await f.as('communityA').post(`/api/warnings/${drop.id}/assign`, { accountId: 'x' }).expect(400)).body.error.code).toBe('invalid_request');
    expect((await f.as('communityA').post(`/api/warnings/${drop.id}/assign`, { accountId: 999999 }).expect(404)).body.error.code).toBe('not_found');
    expect((await f.as('communityA').post(`/api/warnings/${drop.id}/assign`, { accountId: adminAccount }).expect(400)).body.error.code).toBe('invalid_request');
    expect((await f.as('communityA').post(`/api/warnings/${drop.id}/assign`, { accountId: workerA2, extra: 1 }).expect(400)).body.error.code).toBe('invalid_request');
    expect((await f.as('communityA').get(`/api/warnings/${drop.id}`).expect(200)).body.assignedTo).toBeNull();
    // Outside the warning's area: grid A1's worker for grid A2's drop, community B's staff for community A's
    // warning (the center may see both, and still may not assign across): 422, nothing written, nothing sent.
    const auditBefore = (await f.t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_log WHERE resource = 'warning'`)).rows[0]!.n;
    const sent = published.length;
    const rising = (await list('center')).find((w) => w.kind === 'rising')!;
    for (const [who, id, accountId] of [['communityA', drop.id, workerA1], ['center', drop.id, staffB], ['center', rising.id, staffB]] as const) {
      const r = await f.as(who).post(`/api/warnings/${id}/assign`, { accountId }).expect(422);
      expect(r.body.error.code).toBe('assignee_outside_area');
    }
    const unchanged = new Map((await f.t.db.query<{ id: number; assigned_to: number | null; status: string }>(
      `SELECT id, assigned_to, status FROM warning WHERE id = ANY($1::int[])`, [[drop.id, rising.id]])).rows.map((w) => [w.id, w]));
    expect([unchanged.get(drop.id)?.assigned_to, unchanged.get(rising.id)?.assigned_to]).toEqual([null, null]);
    expect([unchanged.get(drop.id)?.status, unchanged.get(rising.id)?.status]).toEqual(['acknowledged', 'open']);
    expect((await f.t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_log WHERE resource = 'warning'`)).rows[0]!.n).toBe(auditBefore);
    expect(published.length).toBe(sent);
    // Inside: grid A1's worker takes community A's rising category (community-wide).
    expect(((await f.as('center').post(`/api/warnings/${rising.id}/assign`, { accountId: workerA1 }).expect(200)).body as WarningView).assignedTo?.id).toBe(workerA1);
    // The assignees come with their binding, so a desk can offer only those who cover a warning.
    const bound = ((await f.as('communityA').get('/api/warnings/assignees').expect(200)).body as { accounts: { id: number; gridId: number | null; gridCommunityCode: string | null }[] }).accounts;
    expect(bound.find((a) => a.id === workerA1)).toMatchObject({ gridId: f.grids.gridA1, gridCommunityCode: 'T0101' });
    const assignees = (await f.as('communityA').get('/api/warnings/assignees').expect(200)).body as { accounts: { id: number }[] };
    expect(assignees.accounts.map((a) => a.id)).toContain(workerA2);
    expect(((await f.as('communityB').get('/api/warnings/assignees').expect(200)).body as { accounts: { id: number }[] }).accounts.map((a) => a.id)).not.toContain(workerA2);
    const assigned = (await f.as('communityA').post(`/api/warnings/${drop.id}/assign`, { accountId: workerA2 }).expect(200)).body as WarningView;
    expect(assigned.assignedTo).toEqual({ id: workerA2, name: '网格员甲二' });
    expect(assigned.assignedBy).toBe('communityA');
    const log = (await f.t.db.query<{ action: string; resource_id: string; detail: Record<string, unknown> }>(
      `SELECT action, resource_id, detail FROM audit_log WHERE resource = 'warning' AND resource_id = $1 ORDER BY id`, [String(drop.id)])).rows;
    expect(log.map((l) => l.action)).toEqual(['acknowledge', 'assign']);
    expect(log[1]!.detail).toMatchObject({ assignedTo: workerA2, before: null });
    // Closing removes it from the active list (and from the screens: a remove diff).
    await f.as('communityA').post(`/api/warnings/${drop.id}/close`, {}).expect(200);
    expect(published.at(-1)!.remove).toEqual([drop.id]);
    expect((await list('communityA')).map((w) => w.id)).not.toContain(drop.id);
    expect((await list('communityA', '?status=closed')).map((w) => w.id)).toEqual([drop.id]);
    expect((await f.as('communityA').post(`/api/warnings/${drop.id}/assign`, { accountId: workerA2 }).expect(409)).body.error.code).toBe('invalid_transition');
  });

  it('thresholds are data an admin edits; bad thresholds change nothing', async () => {
    const admin = (m: 'get' | 'put', url: string) => request(f.app)[m](url).set('Authorization', `Bearer ${ADMIN}`);
    const before = (await admin('get', '/api/warnings/thresholds').expect(200)).body.thresholds;
    expect(before.cluster).toEqual({ enabled: true, radiusM: 50, days: 7, minCases: 3, sameCategory: true });
    for (const bad of [{ ...before.rising, alpha: -1 }, { ...before.rising, extra: 1 }, { ...before.rising, minCount: 'many' }, {}]) {
      expect((await admin('put', '/api/warnings/thresholds/rising').send(bad).expect(400)).body.error.code).toBe('invalid_request');
    }
    await admin('put', '/api/warnings/thresholds/unknown').send(before.rising).expect(400);
    await request(f.app).put('/api/warnings/thresholds/rising').set('Authorization', `Bearer ${f.who.tokens.center}`).send(before.rising).expect(403);
    expect((await admin('get', '/api/warnings/thresholds').expect(200)).body.thresholds).toEqual(before);
    // Four repeats needed now: the three at one place are no longer a warning.
    await admin('put', '/api/warnings/thresholds/cluster').send({ ...before.cluster, minCases: 4 }).expect(200);
    const log = (await f.t.db.query<{ detail: { before: { minCases: number }; after: { minCases: number } } }>(
      `SELECT detail FROM audit_log WHERE resource = 'warning_threshold' ORDER BY id DESC LIMIT 1`)).rows[0]!;
    expect([log.detail.before.minCases, log.detail.after.minCases]).toEqual([3, 4]);
    await f.t.db.query('DELETE FROM warning');
    await runScan(f.t.db, f.bus);
    expect((await list('center')).map((w) => w.kind).sort()).toEqual(['on_time_drop', 'rising']);
  });

  it('flat data raise nothing', async () => {
    await f.t.db.query('DELETE FROM warning');
    await f.t.db.query(`DELETE FROM incident WHERE category IN ('parking', 'safety_hazard') OR grid_id = $1`, [f.grids.gridA2]);
    const r = await runScan(f.t.db, f.bus);
    expect(r.added).toBe(0);
    expect(await list('center')).toEqual([]);
  });
});

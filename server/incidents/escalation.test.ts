// The escalation clock on a controllable clock: no test waits for a deadline.
import { describe, expect, it } from 'vitest';
import type { CaseView } from '../../core/workflow.js';
import { fixtureApi, type Who } from '../testing/api.js';
import { testDbKind } from '../testing/db.js';
import { FIXTURE } from '../testing/fixture.js';
import { act } from './actions.js';
import type { CaseDetail } from './actions.js';
import { escalateOverdue, startEscalationClock } from './escalation.js';

const f = fixtureApi();
const { as, bus, updates } = f;
type W = Who;
let seq = 0;
async function report(w: W, category = 'sanitation'): Promise<CaseView> {
  const r = await as(w).post('/api/incidents', {
    lon: FIXTURE.pointA1[0], lat: FIXTURE.pointA1[1], category, source: 'hotline_12345', clientKey: `esc-${Date.now()}-${++seq}`,
  });
  expect(r.status).toBe(201);
  return r.body;
}
const get = async (id: number): Promise<CaseView> => (await as('subdistrict').get(`/api/incidents/${id}`).expect(200)).body.incident;
const trail = async (id: number) => ((await as('leader').get(`/api/incidents/${id}`).expect(200)).body as CaseDetail).events;
const at = (iso: string, hours: number) => new Date(Date.parse(iso) + hours * 3_600_000);
const listIds = async (q: string) => ((await as('subdistrict').get(`/api/incidents?${q}`).expect(200)).body.incidents as CaseView[]).map((i) => i.id);

describe(`escalation clock on ${testDbKind()}`, () => {
  it('overdue cases climb grid → community → subdistrict, each with its level\'s new deadline, then are only marked overdue', async () => {
    const c = await report('gridA1');
    const t0 = c.createdAt;
    expect(c.deadlineAt).toBe(at(t0, 24).toISOString());

    expect(await escalateOverdue(f.t.db, bus, at(t0, 23.9))).toEqual({ escalated: [], overdue: [] });
    expect((await get(c.id)).level).toBe('grid');

    const seen = updates.length;
    const r1 = await escalateOverdue(f.t.db, bus, at(t0, 25));
    expect(r1.escalated).toContain(c.id);
    const c1 = await get(c.id);
    expect(c1).toMatchObject({ status: 'dispatched', level: 'community', handler: 'community', overdue: true, escalations: 1,
      deadlineAt: at(t0, 25 + 48).toISOString() });
    expect(updates.slice(seen).some((u) => u.id === c.id && u.level === 'community' && u.overdue)).toBe(true);
    const e1 = (await trail(c.id)).at(-1)!;
    expect(e1).toMatchObject({ action: 'escalate', actionName: '上报上级', fromLevel: 'grid', toLevel: 'community', onTime: false,
      actor: { kind: 'system', label: '系统', role: 'system' }, at: at(t0, 25).toISOString(), deadlineAt: at(t0, 24).toISOString() });
    expect(e1.detail).toMatchObject({ overdue: true, missedDeadline: at(t0, 24).toISOString(), level: 'community' });
    expect(e1.note).toContain('超期');

    // Visible as overdue everywhere: lists, filters, the grid worker's own list.
    expect(await listIds('overdue=true')).toContain(c.id);
    expect(await listIds('overdue=false')).not.toContain(c.id);
    expect(await listIds('overdue=true&level=community')).toContain(c.id);
    expect(((await as('gridA1').get('/api/incidents?overdue=true').expect(200)).body.incidents as CaseView[]).map((i) => i.id)).toContain(c.id);

    // Not yet past the community's deadline: nothing happens.
    expect((await escalateOverdue(f.t.db, bus, at(t0, 25 + 47))).escalated).not.toContain(c.id);
    await escalateOverdue(f.t.db, bus, at(t0, 25 + 49));
    expect(await get(c.id)).toMatchObject({ level: 'subdistrict', handler: 'subdistrict', escalations: 2, deadlineAt: at(t0, 74 + 72).toISOString() });

    // The subdistrict is the top of the ladder: the clock records 超期 once and leaves the case there.
    const r3 = await escalateOverdue(f.t.db, bus, at(t0, 74 + 73));
    expect(r3.overdue).toContain(c.id);
    expect(r3.escalated).not.toContain(c.id);
    expect(await get(c.id)).toMatchObject({ level: 'subdistrict', overdue: true, escalations: 2, status: 'dispatched' });
    const n = (await trail(c.id)).length;
    expect((await trail(c.id)).at(-1)).toMatchObject({ action: 'overdue', actionName: '超期', fromState: 'dispatched', toState: 'dispatched', onTime: null });
    await escalateOverdue(f.t.db, bus, at(t0, 500));
    expect(await trail(c.id)).toHaveLength(n);

    // The audit log has each of the clock's changes too, by the system, with the levels moved.
    const audited = (await f.t.db.query<{ actor: string; action: string; account_id: number | null; token_id: number | null; detail: Record<string, unknown> }>(
      `SELECT actor, action, account_id, token_id, detail FROM audit_log WHERE resource = 'incident' AND resource_id = $1 AND actor = '系统' ORDER BY id`,
      [String(c.id)])).rows;
    expect(audited.map((a) => [a.action, a.detail.fromLevel, a.detail.toLevel])).toEqual([
      ['escalate', 'grid', 'community'], ['escalate', 'community', 'subdistrict'], ['overdue', 'subdistrict', 'subdistrict']]);
    expect(audited.every((a) => a.account_id === null && a.token_id === null)).toBe(true);
    expect(audited[0]!.detail.missedDeadline).toBe(at(t0, 24).toISOString());
  });

  it('a department that misses its report-in deadline is marked overdue and keeps the case; reporting in late is recorded as late', async () => {
    const c = await report('subdistrict', 'parking');
    const w = (await as('subdistrict').post(`/api/incidents/${c.id}/actions`, { action: 'whistle', departmentCode: 'cg' }).expect(200)).body as CaseView;
    const t0 = w.updatedAt;
    expect(Date.parse(w.deadlineAt!) - Date.parse(t0)).toBeCloseTo(2 * 3_600_000, -4);
    const r = await escalateOverdue(f.t.db, bus, at(t0, 3));
    expect(r.overdue).toContain(c.id);
    expect(await get(c.id)).toMatchObject({ level: 'department', departmentCode: 'cg', overdue: true, status: 'dispatched' });
    expect(((await as('department').get('/api/incidents?overdue=true').expect(200)).body.incidents as CaseView[]).map((i) => i.id)).toContain(c.id);

    const idRow = (await f.t.db.query<{ id: number }>(`SELECT id FROM api_token WHERE name = 'department'`)).rows[0]!;
    const actor = { kind: 'token' as const, id: idRow.id, label: 'department', role: 'department' as const, departmentCode: 'cg' };
    const late = await act(f.t.db, bus, c.id, { actor, scope: { kind: 'department', departmentId: f.who.departmentId } }, { action: 'report_in' }, at(t0, 4));
    expect(late.ok && late.value.incident).toMatchObject({ status: 'in_progress' });
    const e = (await trail(c.id)).at(-1)!;
    expect(e).toMatchObject({ action: 'report_in', onTime: false, actor: { label: 'department' } });
    // A new deadline is in force; the clock does not touch it before it passes.
    expect((await escalateOverdue(f.t.db, bus, at(t0, 5))).overdue).not.toContain(c.id);
  });

  it('cases solved in time, and closed ones, are never touched', async () => {
    const c = await report('gridA1');
    await as('gridA1').post(`/api/incidents/${c.id}/actions`, { action: 'self_resolve' }).expect(200);
    const before = (await trail(c.id)).length;
    await escalateOverdue(f.t.db, bus, at(c.createdAt, 1000));
    expect(await trail(c.id)).toHaveLength(before);
    expect((await get(c.id)).overdue).toBe(false);
  });

  it('startEscalationClock ticks on its interval with an injected clock, and stops', async () => {
    const c = await report('gridA1');
    const future = at(c.createdAt, 30);
    const logs: string[] = [];
    const stop = startEscalationClock(f.t.db, bus, 20, { now: () => future, log: (m) => logs.push(m) });
    const t1 = Date.now();
    while ((await get(c.id)).level !== 'community') {
      if (Date.now() - t1 > 10_000) throw new Error('the clock did not tick');
      await new Promise((r) => setTimeout(r, 20));
    }
    await stop();
    expect(logs.some((l) => /escalated/.test(l))).toBe(true);
    const n = (await trail(c.id)).length;
    await new Promise((r) => setTimeout(r, 100));
    expect(await trail(c.id)).toHaveLength(n);
  });
});

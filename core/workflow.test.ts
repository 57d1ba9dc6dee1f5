import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ROLE_CODES } from './permissions.js';
import type { ResponsibilityRule } from './routing.js';
import {
  allowedActions, applyTransition, check, checkDefinition, contextOf, LEVELS, RATINGS, SYSTEM_ACTOR, WORKFLOW,
  type Actor, type ActorRole, type CaseState, type Level, type Rating,
} from './workflow.js';

// The table read straight from the file, so the oracle below does not share code with workflow.ts.
const TABLE = JSON.parse(readFileSync(new URL('../data/incident-workflow.json', import.meta.url), 'utf8')) as {
  levels: { code: string; heldBy: string[] }[];
  states: { code: string; type: string }[];
  transitions: { action: string; from: string[]; to: string; levels?: string[]; roles: string[];
    requires?: { holder?: boolean; reporter?: boolean; differentActorThan?: string; ratingIs?: string[]; unlocated?: boolean } }[];
};
const STATES = TABLE.states.map((s) => s.code);
const ACTIONS = TABLE.transitions.map((t) => t.action);
const ACTORS: ActorRole[] = [...ROLE_CODES, 'system'];

interface Ctx { level: Level; ownDepartment: boolean; isReporter: boolean; isResolver: boolean; rating: Rating | null; unlocated: boolean }

/** What the table says, evaluated the plain way. */
function oracle(state: string, action: string, role: string, c: Ctx): 'ok' | 'invalid_transition' | 'forbidden' {
  const t = TABLE.transitions.find((x) => x.action === action)!;
  if (!t.from.includes(state)) return 'invalid_transition';
  if (t.levels && !t.levels.includes(c.level)) return 'invalid_transition';
  if (t.requires?.ratingIs && !(c.rating && t.requires.ratingIs.includes(c.rating))) return 'invalid_transition';
  if (t.requires?.unlocated && !c.unlocated) return 'invalid_transition';
  if (!t.roles.includes(role)) return 'forbidden';
  const heldBy = TABLE.levels.find((l) => l.code === c.level)!.heldBy;
  if (t.requires?.holder && !(heldBy.includes(role) && (role !== 'department' || c.ownDepartment))) return 'forbidden';
  if (t.requires?.reporter && !c.isReporter) return 'forbidden';
  if (t.requires?.differentActorThan === 'resolver' && c.isResolver) return 'forbidden';
  return 'ok';
}

function* contexts(): Generator<Ctx> {
  for (const level of LEVELS) for (const ownDepartment of [false, true]) for (const isReporter of [false, true])
    for (const isResolver of [false, true]) for (const rating of [null, ...RATINGS]) for (const unlocated of [false, true]) {
      yield { level, ownDepartment, isReporter, isResolver, rating, unlocated };
    }
}

const RULES: ResponsibilityRule[] = [
  { category: '*', level: 'grid', handler: 'grid_worker', deadlineHours: 24 },
  { category: '*', level: 'community', handler: 'community', deadlineHours: 48 },
  { category: '*', level: 'subdistrict', handler: 'subdistrict', deadlineHours: 72 },
  { category: '*', level: 'department', handler: 'chengguan', deadlineHours: 120, reportHours: 2 },
  { category: 'noise', level: 'department', handler: 'shengtai', deadlineHours: 72, reportHours: 3 },
];
const T0 = new Date('2026-03-02T08:00:00Z');
const h = (n: number) => new Date(T0.getTime() + n * 3_600_000);

const actor = (role: ActorRole, id: number, dep: string | null = null): Actor =>
  ({ kind: 'token', id, label: `${role}#${id}`, role, departmentCode: dep });
const GRID = actor('grid_worker', 1);
const OTHER_GRID = actor('grid_worker', 9);
const COMMUNITY = actor('community_staff', 2);
const SUBDISTRICT = actor('subdistrict_staff', 3);
const DEPT = actor('department', 4, 'chengguan');
const OTHER_DEPT = actor('department', 5, 'zhujian');
const LEADER = actor('district_leader', 6);
const CENTER = actor('district_center', 8);

const fresh = (over: Partial<CaseState> = {}): CaseState => ({
  state: 'reported', level: 'grid', category: 'sanitation', gridId: 7, communityCode: 'C1', subdistrictCode: 'S1',
  handler: 'grid_worker', departmentCode: null, deadlineAt: h(24), deadlineMissed: false, overdue: false, escalations: 0,
  reporter: { kind: 'token', id: 1, label: 'grid_worker#1' }, resolver: null, resolvedAt: null, resolvedLevel: null,
  verifier: null, verifiedAt: null, closer: null, closedAt: null, rating: null, ratedAt: null, mergedInto: null, ...over,
});

/** Apply a chain of actions; every step must succeed. */
function run(c: CaseState, steps: [Actor, string, Record<string, unknown>?, number?][]): CaseState {
  for (const [who, action, input = {}, at = 1] of steps) {
    const r = applyTransition(c, action, who, input, h(at), RULES);
    if (!r.ok) throw new Error(`${action} by ${who.label} in ${c.state}: ${r.code} ${r.message}`);
    c = r.value.next;
  }
  return c;
}

describe('workflow definition', () => {
  it('is sound: every state, level, role and rating it names exists; one row per action', () => {
    expect(checkDefinition(WORKFLOW, ROLE_CODES)).toEqual([]);
    expect(STATES).toEqual(['reported', 'accepted', 'dispatched', 'in_progress', 'resolved', 'verified', 'closed', 'rated', 'returned', 'reopened', 'duplicate']);
    expect(Object.fromEntries(TABLE.states.map((s) => [s.code, s.type]))).toMatchObject({ reported: 'open', resolved: 'fixed', closed: 'closed', duplicate: 'closed', reopened: 'open' });
  });
  it('catches a broken definition', () => {
    const broken = structuredClone(WORKFLOW);
    broken.transitions.push({ ...broken.transitions[0]!, from: ['limbo'], roles: ['wizard' as ActorRole] });
    expect(checkDefinition(broken, ROLE_CODES)).toEqual(['action accept defined twice', 'accept: unknown state limbo', 'accept: unknown role wizard']);
  });
});

describe('every (state × action × role × context) combination against the table', () => {
  it('check() agrees with the table everywhere, and every transition is reachable', () => {
    let n = 0;
    const reachable = new Set<string>();
    const counts = { ok: 0, invalid_transition: 0, forbidden: 0 };
    for (const state of STATES) for (const action of ACTIONS) for (const role of ACTORS) for (const c of contexts()) {
      const want = oracle(state, action, role, c);
      const got = check(state, action, role, c);
      const code = got.ok ? 'ok' : got.code;
      if (code !== want) throw new Error(`${state} × ${action} × ${role} × ${JSON.stringify(c)}: got ${code}, table says ${want}`);
      if (want === 'ok') reachable.add(action);
      counts[want]++;
      n++;
    }
    expect(n).toBe(STATES.length * ACTIONS.length * ACTORS.length * 4 * 2 * 2 * 2 * 4 * 2);
    expect([...reachable].sort()).toEqual([...ACTIONS].sort());
    expect(counts.ok).toBeGreaterThan(0);
    expect(counts.forbidden).toBeGreaterThan(0);
  });

  it('allowedActions lists exactly the actions check() permits', () => {
    for (const state of STATES) for (const role of ACTORS) for (const c of contexts()) {
      expect(allowedActions(state, role, c)).toEqual(ACTIONS.filter((a) => oracle(state, a, role, c) === 'ok'));
    }
  });

  it('read-only roles can do nothing anywhere', () => {
    for (const role of ['district_leader', 'analyst', 'planner', 'admin', 'kiosk'] as const) {
      for (const state of STATES) for (const c of contexts()) expect(allowedActions(state, role, c)).toEqual([]);
    }
  });
});

// The same table written out by hand for the people who hold cases: a readable spec, and a guard
// against an accidental edit of the JSON.
type Spec = Record<string, string[]>;
const none: Spec = Object.fromEntries(STATES.map((s) => [s, []]));
const SPECS: [string, ActorRole, Partial<Ctx>, Spec][] = [
  ['grid worker on a case of their grid they reported', 'grid_worker', { level: 'grid', isReporter: true }, {
    ...none,
    reported: ['accept', 'self_resolve', 'escalate', 'merge'], accepted: ['start', 'escalate', 'merge'],
    dispatched: ['start', 'escalate', 'return', 'merge'], in_progress: ['escalate', 'resolve', 'merge'],
    resolved: ['verify', 'reject_verification'], closed: ['rate'], rated: ['reopen'],
    returned: ['accept', 'escalate', 'merge'], reopened: ['accept', 'start', 'escalate', 'return', 'merge'],
  }],
  ['grid worker who resolved the case (巡办分离)', 'grid_worker', { level: 'grid', isResolver: true }, {
    ...none,
    reported: ['accept', 'escalate', 'merge'], accepted: ['start', 'escalate', 'merge'],
    dispatched: ['start', 'escalate', 'return', 'merge'], in_progress: ['escalate', 'resolve', 'merge'],
    closed: ['rate'], rated: ['reopen'], returned: ['accept', 'escalate', 'merge'],
    reopened: ['accept', 'start', 'escalate', 'return', 'merge'],
  }],
  ['grid worker on a case escalated to the community', 'grid_worker', { level: 'community' }, {
    ...none,
    reported: ['merge'], accepted: ['merge'], dispatched: ['merge'], in_progress: ['merge'],
    resolved: ['verify', 'reject_verification'], closed: ['rate'], rated: ['reopen'], returned: ['merge'], reopened: ['merge'],
  }],
  ['community staff on a grid-level case', 'community_staff', { level: 'grid' }, {
    ...none,
    reported: ['accept', 'dispatch', 'escalate', 'merge'], accepted: ['dispatch', 'start', 'escalate', 'merge'],
    dispatched: ['start', 'escalate', 'return', 'merge'], in_progress: ['escalate', 'resolve', 'merge'],
    resolved: ['verify', 'reject_verification'], verified: ['close'], closed: ['rate'], rated: ['reopen'],
    returned: ['accept', 'dispatch', 'escalate', 'merge'], reopened: ['accept', 'dispatch', 'start', 'escalate', 'return', 'merge'],
  }],
  ['subdistrict staff on a subdistrict-level case', 'subdistrict_staff', { level: 'subdistrict' }, {
    ...none,
    reported: ['accept', 'dispatch', 'whistle', 'merge'], accepted: ['dispatch', 'start', 'whistle', 'merge'],
    dispatched: ['start', 'whistle', 'merge'], in_progress: ['whistle', 'resolve', 'merge'],
    resolved: ['verify', 'reject_verification'], verified: ['close'], closed: ['rate'], rated: ['reopen'],
    returned: ['accept', 'dispatch', 'whistle', 'merge'], reopened: ['accept', 'dispatch', 'start', 'whistle', 'merge'],
  }],
  ['subdistrict staff on a case with a department', 'subdistrict_staff', { level: 'department' }, {
    ...none,
    reported: ['whistle', 'merge'], accepted: ['whistle', 'merge'], dispatched: ['whistle', 'merge'],
    in_progress: ['whistle', 'resolve', 'merge'], resolved: ['verify', 'reject_verification'], verified: ['close'],
    closed: ['rate'], rated: ['reopen'], returned: ['whistle', 'merge'], reopened: ['whistle', 'merge'],
  }],
  ['the department the case was whistled to', 'department', { level: 'department', ownDepartment: true }, {
    ...none, dispatched: ['report_in', 'return'], in_progress: ['resolve'], reopened: ['report_in', 'return'],
  }],
  ['another department', 'department', { level: 'department', ownDepartment: false }, none],
  ['a department on a grid-level case', 'department', { level: 'grid' }, none],
  ['the escalation clock at grid level', 'system', { level: 'grid' }, {
    ...none, reported: ['escalate'], accepted: ['escalate'], dispatched: ['escalate'], in_progress: ['escalate'],
    returned: ['escalate'], reopened: ['escalate'],
  }],
  ['the escalation clock at subdistrict level', 'system', { level: 'subdistrict' }, none],
  ['the escalation clock on an unlocated case', 'system', { level: 'subdistrict', unlocated: true }, none],
  ['the district command centre on an unlocated case (at the district desk)', 'district_center', { level: 'subdistrict', unlocated: true }, {
    ...none, reported: ['locate', 'merge'], accepted: ['locate', 'merge'], dispatched: ['locate', 'merge'],
    in_progress: ['locate', 'merge'], returned: ['locate', 'merge'], reopened: ['locate', 'merge'],
  }],
  ['the district command centre on a located grid case: merge only, no dispatching', 'district_center', { level: 'grid' }, {
    ...none, reported: ['merge'], accepted: ['merge'], dispatched: ['merge'], in_progress: ['merge'], returned: ['merge'], reopened: ['merge'],
  }],
  ['subdistrict staff on an unlocated case: cannot locate', 'subdistrict_staff', { level: 'subdistrict', unlocated: true }, {
    ...none,
    reported: ['accept', 'dispatch', 'whistle', 'merge'], accepted: ['dispatch', 'start', 'whistle', 'merge'],
    dispatched: ['start', 'whistle', 'merge'], in_progress: ['whistle', 'resolve', 'merge'],
    resolved: ['verify', 'reject_verification'], verified: ['close'], closed: ['rate'], rated: ['reopen'],
    returned: ['accept', 'dispatch', 'whistle', 'merge'], reopened: ['accept', 'dispatch', 'start', 'whistle', 'merge'],
  }],
];

describe('allowed actions, spelled out', () => {
  it.each(SPECS)('%s', (_name, role, ctx, spec) => {
    for (const state of STATES) {
      const c = { level: 'grid' as Level, rating: 'dissatisfied' as Rating, ...ctx };
      expect(allowedActions(state, role, c).sort(), state).toEqual([...spec[state]!].sort());
    }
  });
  it('a rated case reopens only after a dissatisfied rating', () => {
    for (const rating of RATINGS) {
      expect(allowedActions('rated', 'community_staff', { level: 'grid', rating })).toEqual(rating === 'dissatisfied' ? ['reopen'] : []);
    }
  });
});

describe('applyTransition', () => {
  it('自办自结: the reporting grid worker resolves on the spot, on time; another grid worker may not', () => {
    const r = applyTransition(fresh(), 'self_resolve', GRID, { note: '已清理', photos: ['a.jpg'] }, h(2), RULES);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.next).toMatchObject({ state: 'resolved', resolver: { kind: 'token', id: 1 }, resolvedAt: h(2), resolvedLevel: 'grid', deadlineAt: null });
    expect(r.value.event).toMatchObject({ action: 'self_resolve', fromState: 'reported', toState: 'resolved', onTime: true, note: '已清理', photos: ['a.jpg'], deadlineAt: h(24) });
    expect(applyTransition(fresh(), 'self_resolve', OTHER_GRID, {}, h(2), RULES)).toMatchObject({ ok: false, code: 'forbidden' });
    expect(applyTransition(fresh({ level: 'community' }), 'self_resolve', GRID, {}, h(2), RULES)).toMatchObject({ ok: false, code: 'invalid_transition' });
  });

  it('巡办分离: the resolver cannot verify or reject; someone else can', () => {
    const resolved = run(fresh(), [[GRID, 'self_resolve']]);
    expect(applyTransition(resolved, 'verify', GRID, {}, h(3), RULES)).toMatchObject({ ok: false, code: 'forbidden', message: expect.stringContaining('巡办分离') });
    expect(applyTransition(resolved, 'reject_verification', GRID, { note: 'x' }, h(3), RULES)).toMatchObject({ ok: false, code: 'forbidden' });
    const verified = run(resolved, [[COMMUNITY, 'verify']]);
    expect(verified).toMatchObject({ state: 'verified', verifier: { id: 2 } });
    // The grid worker verifies a department's work (patrol and handling are separate).
    const byDept = run(fresh({ level: 'subdistrict' }), [[SUBDISTRICT, 'whistle'], [DEPT, 'report_in'], [DEPT, 'resolve']]);
    expect(run(byDept, [[GRID, 'verify']]).state).toBe('verified');
  });

  it('rejecting a verification sends the case back to work with a new deadline and no resolver', () => {
    const c = run(fresh(), [[GRID, 'self_resolve', {}, 1]]);
    const r = applyTransition(c, 'reject_verification', COMMUNITY, { note: '未清理干净' }, h(5), RULES);
    expect(r.ok && r.value.next).toMatchObject({ state: 'in_progress', resolver: null, resolvedAt: null, deadlineAt: h(29) });
    expect(applyTransition(c, 'reject_verification', COMMUNITY, {}, h(5), RULES)).toMatchObject({ ok: false, code: 'invalid_request' });
  });

  it('closure, rating values, and reopening after a dissatisfied rating only', () => {
    const closed = run(fresh(), [[GRID, 'self_resolve'], [COMMUNITY, 'verify'], [COMMUNITY, 'close', {}, 4]]);
    expect(closed).toMatchObject({ state: 'closed', closedAt: h(4), closer: { id: 2 } });
    expect(applyTransition(closed, 'rate', GRID, {}, h(5), RULES)).toMatchObject({ ok: false, code: 'invalid_request' });
    expect(applyTransition(closed, 'rate', GRID, { rating: 'great' }, h(5), RULES)).toMatchObject({ ok: false, code: 'invalid_request' });
    const happy = run(closed, [[GRID, 'rate', { rating: 'basically_satisfied' }]]);
    expect(happy).toMatchObject({ state: 'rated', rating: 'basically_satisfied' });
    expect(applyTransition(happy, 'reopen', GRID, { note: 'x' }, h(6), RULES)).toMatchObject({ ok: false, code: 'invalid_transition' });
    const unhappy = run(closed, [[GRID, 'rate', { rating: 'dissatisfied' }]]);
    expect(applyTransition(unhappy, 'reopen', GRID, {}, h(6), RULES)).toMatchObject({ ok: false, code: 'invalid_request' });
    const reopened = run(unhappy, [[GRID, 'reopen', { note: '又堆满了' }, 6]]);
    expect(reopened).toMatchObject({ state: 'reopened', level: 'grid', resolver: null, verifier: null, closer: null, closedAt: null, rating: null, deadlineAt: h(30) });
    expect(applyTransition(reopened, 'rate', GRID, { rating: 'satisfied' }, h(7), RULES)).toMatchObject({ ok: false, code: 'invalid_transition' });
  });

  it('escalation climbs grid → community → subdistrict with each level\'s deadline, and stops there', () => {
    const c = fresh();
    expect(applyTransition(c, 'escalate', GRID, {}, h(1), RULES)).toMatchObject({ ok: false, code: 'invalid_request' });
    const r1 = applyTransition(c, 'escalate', GRID, { note: '网格无法解决' }, h(1), RULES);
    expect(r1.ok && r1.value.next).toMatchObject({ state: 'dispatched', level: 'community', handler: 'community', deadlineAt: h(49), escalations: 1 });
    expect(r1.ok && r1.value.event).toMatchObject({ fromLevel: 'grid', toLevel: 'community', detail: { level: 'community', deadlineAt: h(49).toISOString() } });
    const atCommunity = r1.ok ? r1.value.next : c;
    expect(applyTransition(atCommunity, 'start', GRID, {}, h(2), RULES)).toMatchObject({ ok: false, code: 'forbidden' });
    const up2 = run(atCommunity, [[SYSTEM_ACTOR, 'escalate', { note: '超期' }, 50]]);
    expect(up2).toMatchObject({ level: 'subdistrict', handler: 'subdistrict', deadlineAt: h(122), escalations: 2 });
    expect(applyTransition(up2, 'escalate', SUBDISTRICT, { note: 'x' }, h(51), RULES)).toMatchObject({ ok: false, code: 'invalid_transition' });
    expect(applyTransition(up2, 'escalate', SYSTEM_ACTOR, { note: 'x' }, h(51), RULES)).toMatchObject({ ok: false, code: 'invalid_transition' });
    expect(applyTransition(c, 'resolve', SYSTEM_ACTOR, {}, h(1), RULES)).toMatchObject({ ok: false, code: 'invalid_transition' });
    expect(applyTransition(fresh({ state: 'in_progress' }), 'resolve', SYSTEM_ACTOR, {}, h(1), RULES)).toMatchObject({ ok: false, code: 'forbidden' });
  });

  it('dispatch goes down to a level the dispatcher supervises, where the case is located', () => {
    const atSub = fresh({ level: 'subdistrict', handler: 'subdistrict' });
    expect(run(atSub, [[SUBDISTRICT, 'dispatch', { level: 'grid' }, 2]])).toMatchObject({ state: 'dispatched', level: 'grid', handler: 'grid_worker', deadlineAt: h(26) });
    expect(run(atSub, [[SUBDISTRICT, 'dispatch', { level: 'community' }]])).toMatchObject({ level: 'community' });
    expect(applyTransition(atSub, 'dispatch', SUBDISTRICT, {}, h(1), RULES)).toMatchObject({ ok: false, code: 'invalid_request' });
    expect(applyTransition(atSub, 'dispatch', SUBDISTRICT, { level: 'subdistrict' }, h(1), RULES)).toMatchObject({ ok: false, code: 'invalid_request' });
    expect(applyTransition(atSub, 'dispatch', SUBDISTRICT, { level: 'grid' }, h(1), RULES.slice(0, 0))).toMatchObject({ ok: true });
    expect(applyTransition(fresh({ level: 'community' }), 'dispatch', COMMUNITY, { level: 'community' }, h(1), RULES)).toMatchObject({ ok: false, code: 'invalid_request' });
    expect(applyTransition(fresh({ level: 'community', gridId: null }), 'dispatch', COMMUNITY, { level: 'grid' }, h(1), RULES))
      .toMatchObject({ ok: false, code: 'invalid_request', message: 'the case has no grid to go to' });
    expect(applyTransition(atSub, 'dispatch', COMMUNITY, { level: 'grid' }, h(1), RULES)).toMatchObject({ ok: false, code: 'forbidden' });
  });

  it('派往指定网格: dispatch to the grid level may name the grid, for a case in no grid or to hand it to another', () => {
    const noGrid = fresh({ level: 'community', handler: 'community', gridId: null, communityCode: 'C1', subdistrictCode: 'S1' });
    const chosen = { location: { gridId: 8, communityCode: 'C1', subdistrictCode: 'S1' } };
    const r = applyTransition(noGrid, 'dispatch', COMMUNITY, { level: 'grid', ...chosen }, h(1), RULES);
    expect(r.ok && r.value.next).toMatchObject({ state: 'dispatched', level: 'grid', handler: 'grid_worker', gridId: 8, communityCode: 'C1', deadlineAt: h(25) });
    expect(r.ok && r.value.event.detail).toMatchObject({ level: 'grid', grid: 8 });
    // Handing a case from one grid to another (改派), by the subdistrict, across its communities.
    const atSub = fresh({ level: 'subdistrict', handler: 'subdistrict', gridId: 7, communityCode: 'C1', subdistrictCode: 'S1' });
    const other = { location: { gridId: 9, communityCode: 'C2', subdistrictCode: 'S1' } };
    expect(run(atSub, [[SUBDISTRICT, 'dispatch', { level: 'grid', ...other }]])).toMatchObject({ level: 'grid', gridId: 9, communityCode: 'C2' });
    // A grid only goes with the grid level; the chosen place must be a grid.
    expect(applyTransition(atSub, 'dispatch', SUBDISTRICT, { level: 'community', ...other }, h(1), RULES)).toMatchObject({ ok: false, code: 'invalid_request' });
    expect(applyTransition(noGrid, 'dispatch', COMMUNITY, { level: 'grid', location: { gridId: null, communityCode: 'C1', subdistrictCode: 'S1' } }, h(1), RULES))
      .toMatchObject({ ok: false, code: 'invalid_request' });
  });

  it('吹哨报到: the subdistrict whistles the listed department, which reports in within its deadline', () => {
    const atSub = fresh({ category: 'noise', level: 'subdistrict', handler: 'subdistrict' });
    const w = applyTransition(atSub, 'whistle', SUBDISTRICT, {}, h(1), RULES);
    expect(w.ok && w.value.next).toMatchObject({ state: 'dispatched', level: 'department', departmentCode: 'shengtai', handler: 'shengtai', deadlineAt: h(4) });
    const named = run(atSub, [[SUBDISTRICT, 'whistle', { departmentCode: 'chengguan' }, 1]]);
    expect(named).toMatchObject({ departmentCode: 'chengguan', deadlineAt: h(4) });
    expect(applyTransition(named, 'report_in', OTHER_DEPT, {}, h(2), RULES)).toMatchObject({ ok: false, code: 'forbidden' });
    const inTime = applyTransition(named, 'report_in', DEPT, {}, h(2), RULES);
    expect(inTime.ok && inTime.value.event.onTime).toBe(true);
    expect(inTime.ok && inTime.value.next).toMatchObject({ state: 'in_progress', deadlineAt: h(74) });
    const late = applyTransition(named, 'report_in', DEPT, {}, h(5), RULES);
    expect(late.ok && late.value.event.onTime).toBe(false);
    // Without a rule for the category the default department applies; without any, a name is needed.
    expect(run(fresh({ level: 'subdistrict' }), [[SUBDISTRICT, 'whistle']]).departmentCode).toBe('chengguan');
    expect(applyTransition(fresh({ level: 'subdistrict' }), 'whistle', SUBDISTRICT, {}, h(1), [])).toMatchObject({ ok: false, code: 'invalid_request' });
  });

  it('a department returns a case that is not its own to the subdistrict, with a note', () => {
    const whistled = run(fresh({ level: 'subdistrict' }), [[SUBDISTRICT, 'whistle', { departmentCode: 'chengguan' }]]);
    expect(applyTransition(whistled, 'return', DEPT, {}, h(2), RULES)).toMatchObject({ ok: false, code: 'invalid_request' });
    const back = run(whistled, [[DEPT, 'return', { note: '不属于本部门职责' }, 2]]);
    expect(back).toMatchObject({ state: 'returned', level: 'subdistrict', departmentCode: null, handler: 'subdistrict', deadlineAt: h(74) });
  });

  it('merge marks a duplicate of another case and stops its clock', () => {
    expect(applyTransition(fresh(), 'merge', GRID, {}, h(1), RULES)).toMatchObject({ ok: false, code: 'invalid_request' });
    expect(run(fresh(), [[GRID, 'merge', { into: 12 }]])).toMatchObject({ state: 'duplicate', mergedInto: 12, deadlineAt: null });
    expect(applyTransition(fresh({ state: 'closed' }), 'merge', GRID, { into: 12 }, h(1), RULES)).toMatchObject({ ok: false, code: 'invalid_transition' });
    expect(applyTransition(fresh(), 'merge', LEADER, { into: 12 }, h(1), RULES)).toMatchObject({ ok: false, code: 'forbidden' });
  });

  it('定位落图: the command centre locates an unlocated case to a grid, which gets it with the grid deadline', () => {
    const desk = fresh({ gridId: null, communityCode: null, subdistrictCode: null, level: 'subdistrict', handler: 'subdistrict', deadlineAt: h(72), unlocated: true });
    const copy = structuredClone(desk);
    const at = { gridId: 7, communityCode: 'C1', subdistrictCode: 'S1' };
    const r = applyTransition(desk, 'locate', CENTER, { location: at, note: '按地址落图' }, h(2), RULES);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.next).toMatchObject({
      state: 'dispatched', level: 'grid', handler: 'grid_worker', gridId: 7, communityCode: 'C1', subdistrictCode: 'S1',
      deadlineAt: h(26), deadlineMissed: false, unlocated: false, departmentCode: null, escalations: 0,
    });
    expect(r.value.event).toMatchObject({
      action: 'locate', fromState: 'reported', toState: 'dispatched', fromLevel: 'subdistrict', toLevel: 'grid', note: '按地址落图', actor: CENTER,
      detail: { level: 'grid', location: at, deadlineAt: h(26).toISOString() },
    });
    expect(desk).toEqual(copy);
    // The grid worker now holds it; the centre no longer may locate it.
    expect(allowedActions(r.value.next.state, 'grid_worker', contextOf(r.value.next, GRID))).toContain('start');
    expect(applyTransition(r.value.next, 'locate', CENTER, { location: at }, h(3), RULES)).toMatchObject({ ok: false, code: 'invalid_transition' });
  });

  it('定位落图 to a point with no grid goes to the community, or else the subdistrict, with that level\'s deadline', () => {
    const desk = fresh({ gridId: null, communityCode: null, subdistrictCode: null, level: 'subdistrict', handler: 'subdistrict', unlocated: true });
    expect(run(desk, [[CENTER, 'locate', { location: { gridId: null, communityCode: 'C1', subdistrictCode: 'S1' } }, 1]]))
      .toMatchObject({ level: 'community', handler: 'community', communityCode: 'C1', deadlineAt: h(49), unlocated: false });
    expect(run(desk, [[CENTER, 'locate', { location: { gridId: null, communityCode: null, subdistrictCode: 'S1' } }, 1]]))
      .toMatchObject({ level: 'subdistrict', handler: 'subdistrict', subdistrictCode: 'S1', deadlineAt: h(73), unlocated: false });
  });

  it('定位落图 refusals: no location, a located case, a role other than the centre, a closed case', () => {
    const desk = fresh({ gridId: null, communityCode: null, subdistrictCode: null, level: 'subdistrict', unlocated: true });
    const at = { location: { gridId: 7, communityCode: 'C1', subdistrictCode: 'S1' } };
    expect(applyTransition(desk, 'locate', CENTER, {}, h(1), RULES)).toMatchObject({ ok: false, code: 'invalid_request' });
    expect(applyTransition(fresh(), 'locate', CENTER, at, h(1), RULES)).toMatchObject({ ok: false, code: 'invalid_transition' });
    expect(applyTransition(fresh({ unlocated: false }), 'locate', CENTER, at, h(1), RULES)).toMatchObject({ ok: false, code: 'invalid_transition' });
    for (const who of [SUBDISTRICT, COMMUNITY, GRID, LEADER, SYSTEM_ACTOR]) {
      expect(applyTransition(desk, 'locate', who, at, h(1), RULES), who.role).toMatchObject({ ok: false, code: 'forbidden' });
    }
    for (const state of ['resolved', 'closed', 'duplicate']) {
      expect(applyTransition({ ...desk, state }, 'locate', CENTER, at, h(1), RULES), state).toMatchObject({ ok: false, code: 'invalid_transition' });
    }
    // The centre may also merge an unlocated case into a located one (a duplicate).
    expect(run(desk, [[CENTER, 'merge', { into: 12 }]])).toMatchObject({ state: 'duplicate', mergedInto: 12 });
  });

  it('unknown actions are invalid requests; the input case is never modified', () => {
    const c = fresh();
    const copy = structuredClone(c);
    expect(applyTransition(c, 'teleport', GRID, {}, h(1), RULES)).toMatchObject({ ok: false, code: 'invalid_request' });
    run(c, [[GRID, 'accept'], [GRID, 'start'], [GRID, 'resolve']]);
    expect(c).toEqual(copy);
  });

  it('a full department case from report to rating', () => {
    const end = run(fresh(), [
      [GRID, 'escalate', { note: '需社区协调' }, 1], [COMMUNITY, 'escalate', { note: '需街道协调' }, 2],
      [SUBDISTRICT, 'whistle', {}, 3], [DEPT, 'report_in', {}, 4], [DEPT, 'resolve', {}, 10],
      [GRID, 'verify', {}, 11], [SUBDISTRICT, 'close', {}, 12], [GRID, 'rate', { rating: 'satisfied' }, 13],
    ]);
    expect(end).toMatchObject({ state: 'rated', level: 'department', departmentCode: 'chengguan', escalations: 2, resolvedLevel: 'department', rating: 'satisfied' });
  });
});

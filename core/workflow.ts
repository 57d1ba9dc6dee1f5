// The incident workflow (案件办理流程), driven by data/incident-workflow.json: which actions a role
// may take on a case in a given state and level, and what each action changes. Pure: no I/O, no
// clock (the caller passes `now`), no framework imports. The server stores what this returns.
import definition from '../data/incident-workflow.json' with { type: 'json' };
import type { Role } from './permissions.js';
import { initialLevel, route, type ResponsibilityRule } from './routing.js';
import type { Incident } from './types.js';

export type StateType = 'open' | 'fixed' | 'closed';
export type Level = 'grid' | 'community' | 'subdistrict' | 'department';
export const LEVELS = ['grid', 'community', 'subdistrict', 'department'] as const satisfies readonly Level[];
/** Roles plus the escalation clock. */
export type ActorRole = Role | 'system';
export const RATINGS = ['satisfied', 'basically_satisfied', 'dissatisfied'] as const;
export type Rating = (typeof RATINGS)[number];

export interface LevelDef {
  code: Level;
  name: string;
  /** On the grid → community → subdistrict ladder (departments are reached by whistling). */
  ladder: boolean;
  /** Where escalation and return send a case from this level. */
  up: Level | null;
  /** The case field that must be set for a case to be at this level. */
  locator: 'gridId' | 'communityCode' | 'subdistrictCode' | null;
  /** Default handler kind at this level. */
  handler: string;
  /** Roles that hold (may handle) a case at this level; a department only its own cases. */
  heldBy: ActorRole[];
  /** Roles that may dispatch a case down to this level. */
  dispatchableBy: ActorRole[];
}
export interface StateDef { code: string; name: string; type: StateType; sort: number }
export type Mark = 'resolver' | 'verifier' | 'closer' | 'rating' | 'merged';
export interface TransitionDef {
  action: string;
  name: string;
  from: string[];
  to: string;
  /** Case levels where the action applies (all when absent). */
  levels?: Level[];
  roles: ActorRole[];
  requires?: {
    holder?: boolean;
    reporter?: boolean;
    differentActorThan?: 'resolver';
    note?: boolean;
    rating?: boolean;
    into?: boolean;
    ratingIs?: Rating[];
    /** The case is flagged unlocated (at the district desk, no grid/community/subdistrict). */
    unlocated?: boolean;
    /** A location (ActionInput.location) must be given. */
    location?: boolean;
  };
  /** up the ladder | the dispatch target | a department | the first ladder level of the input location. */
  level?: 'up' | 'input' | 'department' | 'location';
  deadline?: 'start' | 'report' | 'stop';
  sets?: Mark[];
  clears?: Mark[];
  onTime?: boolean;
  escalation?: boolean;
}
export interface WorkflowDefinition {
  levels: LevelDef[];
  states: StateDef[];
  ratings: { code: Rating; name: string }[];
  /** Names of trail entries that are not transitions (report, merged_in, overdue). */
  events: Record<string, string>;
  transitions: TransitionDef[];
}

export const WORKFLOW = definition as unknown as WorkflowDefinition;

/** Problems in a workflow definition (empty = sound). Checked by the unit tests. */
export function checkDefinition(wf: WorkflowDefinition, roles: readonly string[]): string[] {
  const problems: string[] = [];
  const states = new Set(wf.states.map((s) => s.code));
  const levels = new Set(wf.levels.map((l) => l.code));
  const actors = new Set([...roles, 'system']);
  const seen = new Set<string>();
  for (const l of wf.levels) {
    if (l.up !== null && !levels.has(l.up)) problems.push(`level ${l.code}: unknown up ${l.up}`);
    for (const r of [...l.heldBy, ...l.dispatchableBy]) if (!actors.has(r)) problems.push(`level ${l.code}: unknown role ${r}`);
  }
  for (const t of wf.transitions) {
    if (seen.has(t.action)) problems.push(`action ${t.action} defined twice`);
    seen.add(t.action);
    for (const s of [...t.from, t.to]) if (!states.has(s)) problems.push(`${t.action}: unknown state ${s}`);
    for (const l of t.levels ?? []) if (!levels.has(l)) problems.push(`${t.action}: unknown level ${l}`);
    for (const r of t.roles) if (!actors.has(r)) problems.push(`${t.action}: unknown role ${r}`);
    for (const r of t.requires?.ratingIs ?? []) if (!RATINGS.includes(r)) problems.push(`${t.action}: unknown rating ${r}`);
  }
  for (const r of wf.ratings) if (!RATINGS.includes(r.code)) problems.push(`unknown rating ${r.code}`);
  return problems;
}

export const levelDef = (code: Level, wf = WORKFLOW): LevelDef => {
  const l = wf.levels.find((x) => x.code === code);
  if (!l) throw new Error(`unknown level ${code}`);
  return l;
};
export const stateDef = (code: string, wf = WORKFLOW): StateDef | undefined => wf.states.find((s) => s.code === code);
export const transitionDef = (action: string, wf = WORKFLOW): TransitionDef | undefined => wf.transitions.find((t) => t.action === action);
export const ACTIONS = WORKFLOW.transitions.map((t) => t.action);
/** States whose type is one of `types` (e.g. the open states the escalation clock watches). */
export const statesOfType = (types: StateType[], wf = WORKFLOW): string[] => wf.states.filter((s) => types.includes(s.type)).map((s) => s.code);
/** The zh-CN name of an action or trail entry. */
export const actionName = (action: string, wf = WORKFLOW): string => transitionDef(action, wf)?.name ?? wf.events[action] ?? action;

/** Who did something: an account, a token, or the system clock. */
export interface ActorRef {
  kind: 'account' | 'token' | 'system';
  id: number | null;
  label: string;
}
export interface Actor extends ActorRef {
  role: ActorRole;
  /** The actor's department (department role only). */
  departmentCode?: string | null;
}
export const SYSTEM_ACTOR: Actor = { kind: 'system', id: null, label: '系统', role: 'system' };

export const sameActor = (a: ActorRef | null | undefined, b: ActorRef | null | undefined): boolean =>
  a != null && b != null && a.kind !== 'system' && a.kind === b.kind && a.id === b.id;

/** Everything the workflow reads and writes on a case. */
export interface CaseState {
  state: string;
  level: Level;
  category: string;
  gridId: number | null;
  communityCode: string | null;
  subdistrictCode: string | null;
  /** grid_worker | community | subdistrict | a department code */
  handler: string | null;
  departmentCode: string | null;
  deadlineAt: Date | null;
  /** The deadline in force has been missed (reset when a new deadline starts). */
  deadlineMissed: boolean;
  /** The case has missed a deadline at some point (sticky: 超期件). */
  overdue: boolean;
  escalations: number;
  reporter: ActorRef | null;
  resolver: ActorRef | null;
  resolvedAt: Date | null;
  resolvedLevel: Level | null;
  verifier: ActorRef | null;
  verifiedAt: Date | null;
  closer: ActorRef | null;
  closedAt: Date | null;
  rating: Rating | null;
  ratedAt: Date | null;
  mergedInto: number | null;
  /** A hotline case that could not be located, at the district desk (absent = located). */
  unlocated?: boolean;
}

/** Where a case is located to (the server finds it from a point or a grid with PostGIS). */
export interface CaseLocation {
  gridId: number | null;
  communityCode: string | null;
  subdistrictCode: string | null;
}

export interface ActionInput {
  note?: string | null;
  photos?: string[];
  /** Dispatch target level. */
  level?: string;
  /** Whistle target; defaults to the responsibility list's department for the category. */
  departmentCode?: string;
  rating?: string;
  /** Merge target case id. */
  into?: number;
  /**
   * Locate: where the case is (resolved by the server from a point or a grid id). Dispatch to the
   * grid level: the grid chosen for it (resolved by the server from a grid id).
   */
  location?: CaseLocation;
}

/** One entry of a case's trail. */
export interface TrailEvent {
  action: string;
  fromState: string | null;
  toState: string;
  fromLevel: Level | null;
  toLevel: Level;
  actor: Actor;
  at: Date;
  note: string | null;
  photos: string[];
  /** The deadline in force before the event, its department, and whether the event met it. */
  deadlineAt: Date | null;
  departmentCode: string | null;
  onTime: boolean | null;
  detail: Record<string, unknown>;
}

export interface Applied {
  transition: TransitionDef;
  next: CaseState;
  event: TrailEvent;
}

export type Refusal = { ok: false; code: 'invalid_transition' | 'forbidden' | 'invalid_request'; message: string };
export type Outcome<T> = { ok: true; value: T } | Refusal;
const refuse = (code: Refusal['code'], message: string): Refusal => ({ ok: false, code, message });

/** Does `role` hold a case at `level` (a department only when the case is with it)? */
export function holds(role: ActorRole, level: Level, ownDepartment: boolean, wf = WORKFLOW): boolean {
  return levelDef(level, wf).heldBy.includes(role) && (role !== 'department' || ownDepartment);
}

export interface ActionContext {
  level: Level;
  rating?: Rating | null;
  /** The case is with the actor's own department. */
  ownDepartment?: boolean;
  isReporter?: boolean;
  isResolver?: boolean;
  /** The case is flagged unlocated. */
  unlocated?: boolean;
}

/**
 * May `role` take `action` on a case in `state`? invalid_transition when the state, level or
 * rating does not allow the action for anyone; forbidden when it does but not for this actor.
 */
export function check(state: string, action: string, role: ActorRole, ctx: ActionContext, wf = WORKFLOW): Outcome<TransitionDef> {
  const t = transitionDef(action, wf);
  if (!t) return refuse('invalid_request', `unknown action ${action}`);
  const stateName = stateDef(state, wf)?.name ?? state;
  if (!t.from.includes(state)) return refuse('invalid_transition', `${t.name} (${action}) is not possible in state ${stateName} (${state})`);
  if (t.levels && !t.levels.includes(ctx.level)) {
    return refuse('invalid_transition', `${t.name} (${action}) is not possible at level ${levelDef(ctx.level, wf).name} (${ctx.level})`);
  }
  const ratingIs = t.requires?.ratingIs;
  if (ratingIs && !(ctx.rating && ratingIs.includes(ctx.rating))) {
    return refuse('invalid_transition', `${t.name} (${action}) needs a rating of ${ratingIs.join(' or ')}`);
  }
  if (t.requires?.unlocated && !ctx.unlocated) return refuse('invalid_transition', `${t.name} (${action}): the case is already located`);
  if (!t.roles.includes(role)) return refuse('forbidden', `role ${role} may not ${action}`);
  if (t.requires?.holder && !holds(role, ctx.level, ctx.ownDepartment ?? false, wf)) {
    return refuse('forbidden', `the case is not with you (level ${ctx.level})`);
  }
  if (t.requires?.reporter && !ctx.isReporter) return refuse('forbidden', `only the reporting grid worker may ${action}`);
  if (t.requires?.differentActorThan === 'resolver' && ctx.isResolver) {
    return refuse('forbidden', 'the person who resolved a case cannot verify it (巡办分离)');
  }
  return { ok: true, value: t };
}

/** The actions `role` may take on a case in `state` (input aside). */
export function allowedActions(state: string, role: ActorRole, ctx: ActionContext, wf = WORKFLOW): string[] {
  return wf.transitions.filter((t) => check(state, t.action, role, ctx, wf).ok).map((t) => t.action);
}

/** The context of one actor on one case. */
export function contextOf(c: CaseState, actor: Actor): ActionContext {
  return {
    level: c.level,
    rating: c.rating,
    ownDepartment: c.level === 'department' && c.departmentCode != null && actor.departmentCode === c.departmentCode,
    isReporter: sameActor(c.reporter, actor),
    isResolver: sameActor(c.resolver, actor),
    unlocated: c.unlocated ?? false,
  };
}

export const actionsFor = (c: CaseState, actor: Actor, wf = WORKFLOW): string[] => allowedActions(c.state, actor.role, contextOf(c, actor), wf);

const hoursLater = (now: Date, hours: number) => new Date(now.getTime() + hours * 3_600_000);
const ref = (a: Actor): ActorRef => ({ kind: a.kind, id: a.id, label: a.label });

/**
 * Apply `action` by `actor` at `now`: the next case state and the trail event, or why not.
 * Deadlines and handlers come from the responsibility `rules` (core/routing.ts).
 */
export function applyTransition(c: CaseState, action: string, actor: Actor, input: ActionInput, now: Date,
  rules: readonly ResponsibilityRule[], wf = WORKFLOW): Outcome<Applied> {
  const checked = check(c.state, action, actor.role, contextOf(c, actor), wf);
  if (!checked.ok) return checked;
  const t = checked.value;
  const note = input.note?.trim() || null;
  if (t.requires?.note && !note) return refuse('invalid_request', `${t.name} (${action}) needs a note`);
  if (t.requires?.rating && !RATINGS.includes(input.rating as Rating)) {
    return refuse('invalid_request', `rating must be one of ${RATINGS.join(', ')}`);
  }
  if (t.requires?.into && !(Number.isInteger(input.into) && input.into! > 0)) {
    return refuse('invalid_request', `${t.name} (${action}) needs the case to merge into`);
  }
  if (t.requires?.location && !input.location) return refuse('invalid_request', `${t.name} (${action}) needs a point (lon, lat) or a grid`);

  const next: CaseState = { ...c, state: t.to };
  const detail: Record<string, unknown> = {};

  // Level: up the ladder, down to a dispatch target, or to a department.
  if (t.level) {
    let target: Level | null;
    if (t.level === 'up') {
      target = levelDef(c.level, wf).up;
      if (!target) return refuse('invalid_transition', `there is no level above ${c.level}`);
    } else if (t.level === 'input') {
      const l = wf.levels.find((x) => x.code === input.level);
      if (!l) return refuse('invalid_request', `${t.name} (${action}) needs a target level`);
      if (!l.dispatchableBy.includes(actor.role)) return refuse('invalid_request', `role ${actor.role} cannot dispatch to level ${l.code}`);
      target = l.code;
      if (input.location) {
        // 派往指定网格: the grid the dispatcher chose (the server resolved it inside their
        // jurisdiction and the case's subdistrict): a case in no grid, or one to hand to another grid.
        if (target !== 'grid' || input.location.gridId == null) {
          return refuse('invalid_request', `${t.name} (${action}): a grid can be chosen only when dispatching to the grid level`);
        }
        const loc = input.location;
        Object.assign(next, { gridId: loc.gridId, communityCode: loc.communityCode, subdistrictCode: loc.subdistrictCode });
        if (loc.gridId !== c.gridId) detail.grid = loc.gridId;
      }
    } else if (t.level === 'location') {
      // Located as at intake: the first ladder level the location falls in.
      const loc = input.location!;
      Object.assign(next, { gridId: loc.gridId, communityCode: loc.communityCode, subdistrictCode: loc.subdistrictCode, unlocated: false });
      detail.location = { gridId: loc.gridId, communityCode: loc.communityCode, subdistrictCode: loc.subdistrictCode };
      target = initialLevel(loc);
    } else {
      target = 'department';
    }
    const locator = levelDef(target, wf).locator;
    if (locator && next[locator] == null) return refuse('invalid_request', `the case has no ${target} to go to`);
    next.level = target;
    let department: string | null = null;
    if (target === 'department') {
      department = input.departmentCode ?? route(c.category, 'department', rules)?.handler ?? null;
      if (!department) return refuse('invalid_request', `no department for ${c.category}: name one`);
      detail.departmentCode = department;
    }
    next.departmentCode = department;
    next.handler = department ?? route(c.category, target, rules)?.handler ?? levelDef(target, wf).handler;
    if (target !== c.level) detail.level = target;
  }
  if (t.escalation) next.escalations = c.escalations + 1;

  // Deadline: a new one for the (new) level, a department's report-in deadline, or none.
  if (t.deadline) {
    const r = route(c.category, next.level, rules);
    const hours = t.deadline === 'stop' || !r ? null : t.deadline === 'report' ? (r.reportHours ?? r.deadlineHours) : r.deadlineHours;
    next.deadlineAt = hours == null ? null : hoursLater(now, hours);
    next.deadlineMissed = false;
    if (next.deadlineAt) detail.deadlineAt = next.deadlineAt.toISOString();
  }

  for (const m of t.clears ?? []) {
    if (m === 'resolver') Object.assign(next, { resolver: null, resolvedAt: null, resolvedLevel: null });
    if (m === 'verifier') Object.assign(next, { verifier: null, verifiedAt: null });
    if (m === 'closer') Object.assign(next, { closer: null, closedAt: null });
    if (m === 'rating') Object.assign(next, { rating: null, ratedAt: null });
    if (m === 'merged') next.mergedInto = null;
  }
  for (const m of t.sets ?? []) {
    if (m === 'resolver') Object.assign(next, { resolver: ref(actor), resolvedAt: now, resolvedLevel: c.level });
    if (m === 'verifier') Object.assign(next, { verifier: ref(actor), verifiedAt: now });
    if (m === 'closer') Object.assign(next, { closer: ref(actor), closedAt: now });
    if (m === 'rating') {
      Object.assign(next, { rating: input.rating as Rating, ratedAt: now });
      detail.rating = input.rating;
    }
    if (m === 'merged') {
      next.mergedInto = input.into!;
      detail.into = input.into;
    }
  }

  return {
    ok: true,
    value: {
      transition: t,
      next,
      event: {
        action, fromState: c.state, toState: next.state, fromLevel: c.level, toLevel: next.level,
        actor, at: now, note, photos: input.photos ?? [],
        deadlineAt: c.deadlineAt, departmentCode: c.departmentCode,
        onTime: t.onTime && c.deadlineAt ? now.getTime() <= c.deadlineAt.getTime() : null,
        detail,
      },
    },
  };
}

/** What the API returns for a case: the intake fields plus its place in the workflow. */
export interface CaseFields {
  statusName: string;
  statusType: StateType;
  level: Level;
  levelName: string;
  handler: string | null;
  departmentCode: string | null;
  departmentName: string | null;
  deadlineAt: string | null;
  /** Missed a deadline at some point (超期). */
  overdue: boolean;
  escalations: number;
  resolvedBy: string | null;
  resolvedAt: string | null;
  verifiedBy: string | null;
  verifiedAt: string | null;
  closedAt: string | null;
  rating: Rating | null;
  mergedInto: number | null;
  /** Reporters and sources on this case (more than one after merges). */
  reporters: number;
}
export type CaseView = Incident & CaseFields;

/** One readable entry of the audit trail. */
export interface CaseEventView {
  id: number;
  action: string;
  actionName: string;
  fromState: string | null;
  fromStateName: string | null;
  toState: string;
  toStateName: string;
  fromLevel: Level | null;
  toLevel: Level;
  actor: { kind: ActorRef['kind']; id: number | null; label: string; role: string | null };
  at: string;
  note: string | null;
  photos: string[];
  deadlineAt: string | null;
  onTime: boolean | null;
  detail: Record<string, unknown>;
}

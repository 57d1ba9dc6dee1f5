// The case model as the screens see it (小屏办 phone page, 中屏干 dispatch desk): the API's case
// and trail types, desk tabs, what each workflow action asks for, deadline countdowns, queue order.
// Pure: no DOM, no I/O. The workflow itself comes from core/workflow.ts (data/incident-workflow.json).
import type { CaseDetail, CaseItem, CasePhoto, Reporter } from '../../../../core/contract.js';
import { LEVELS, WORKFLOW, type CaseEventView, type Level } from '../../../../core/workflow.js';

// The API's case shapes are core/contract.ts's (the server builds the same types); re-exported
// for the screens that import them with the model.
export type { CaseDetail, CaseEventView, CaseItem, CasePhoto, Level, Reporter };

// ---------------------------------------------------------------------------------------------
// States

export const STATE_NAMES: Record<string, string> = Object.fromEntries(WORKFLOW.states.map((s) => [s.code, s.name]));
export const LEVEL_NAMES: Record<string, string> = Object.fromEntries(WORKFLOW.levels.map((l) => [l.code, l.name]));
export const RATING_NAMES: Record<string, string> = Object.fromEntries(WORKFLOW.ratings.map((r) => [r.code, r.name]));
export const statesOf = (type: 'open' | 'fixed' | 'closed') => WORKFLOW.states.filter((s) => s.type === type).map((s) => s.code);
export const OPEN_STATES = statesOf('open');
export const FIXED_STATES = statesOf('fixed');
export const CLOSED_STATES = statesOf('closed');

/** A colour per state (hex), for badges and map points. */
export const STATE_COLORS: Record<string, string> = {
  reported: '#38bdf8',
  accepted: '#60a5fa',
  dispatched: '#a78bfa',
  in_progress: '#fbbf24',
  returned: '#fb923c',
  reopened: '#f472b6',
  resolved: '#34d399',
  verified: '#2dd4bf',
  closed: '#94a3b8',
  rated: '#64748b',
  duplicate: '#475569',
};
export const OVERDUE_COLOR = '#ef4444';
export const stateColor = (state: string): string => STATE_COLORS[state] ?? '#94a3b8';

// ---------------------------------------------------------------------------------------------
// Deadlines

export interface Countdown {
  /** "03:12:45", "2天 03:12:45"; with "超期 " in front once past. Empty without a deadline. */
  text: string;
  /** ms left (negative: past). null without a deadline. */
  leftMs: number | null;
  /** The deadline in force is past. */
  past: boolean;
  /** Less than `urgentMs` left. */
  urgent: boolean;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** "2天 03:04:05" / "03:04:05" for a duration in ms (sign ignored). */
export function fmtDuration(ms: number): string {
  const s = Math.floor(Math.abs(ms) / 1000);
  const d = Math.floor(s / 86400);
  const hms = `${pad(Math.floor((s % 86400) / 3600))}:${pad(Math.floor((s % 3600) / 60))}:${pad(s % 60)}`;
  return d > 0 ? `${d}天 ${hms}` : hms;
}

/** Time left to `deadlineAt` at `nowMs` (the server's clock, see ServerClock). */
export function countdown(deadlineAt: string | null | undefined, nowMs: number, urgentMs = 2 * 3600_000): Countdown {
  if (!deadlineAt) return { text: '', leftMs: null, past: false, urgent: false };
  const t = Date.parse(deadlineAt);
  if (Number.isNaN(t)) return { text: '', leftMs: null, past: false, urgent: false };
  const left = t - nowMs;
  if (left < 0) return { text: `超期 ${fmtDuration(left)}`, leftMs: left, past: true, urgent: true };
  return { text: fmtDuration(left), leftMs: left, past: false, urgent: left < urgentMs };
}

/** The server's clock as seen from this page: deadlines are the server's, the phone's clock may be off. */
export class ServerClock {
  private offset = 0;
  /** `serverNow`: ISO time the server sent (e.g. GET /api/incidents → now), received at `localMs`. */
  sync(serverNow: string | null | undefined, localMs = Date.now()): void {
    const t = serverNow ? Date.parse(serverNow) : NaN;
    if (!Number.isNaN(t)) this.offset = t - localMs;
  }
  now(localMs = Date.now()): number {
    return localMs + this.offset;
  }
}

/** Is the case past its deadline now, or flagged 超期 by the server, and still open? */
export function isOverdue(c: Pick<CaseItem, 'overdue' | 'deadlineAt' | 'statusType'>, nowMs: number): boolean {
  if (c.statusType === 'closed') return false;
  if (c.deadlineAt && Date.parse(c.deadlineAt) < nowMs && c.statusType === 'open') return true;
  return c.overdue && c.statusType === 'open';
}

// ---------------------------------------------------------------------------------------------
// Desk tabs

export interface DeskTab {
  id: 'new' | 'doing' | 'check' | 'done' | 'overdue';
  name: string;
  hint: string;
  /** `myLevel`: the level the viewer works at (a case sent up to it is new work for it). */
  match: (c: CaseItem, nowMs: number, myLevel?: Level | null) => boolean;
}

const inStates = (states: string[]) => (c: CaseItem) => states.includes(c.status);
/** A case escalated or dispatched to the viewer's own level waits for the viewer's first step. */
const arrivedHere = (c: CaseItem, myLevel: Level | null | undefined) => c.status === 'dispatched' && !!myLevel && c.level === myLevel;

export const DESK_TABS: DeskTab[] = [
  { id: 'new', name: '待受理', hint: '新上报、上报/派至本级、被退回或重新打开', match: (c, _n, l) => inStates(['reported', 'returned', 'reopened'])(c) || arrivedHere(c, l) },
  { id: 'doing', name: '处置中', hint: '已受理、已派单、处置中', match: (c, _n, l) => inStates(['accepted', 'dispatched', 'in_progress'])(c) && !arrivedHere(c, l) },
  { id: 'check', name: '待核查', hint: '已办结待核查、已核查待结案', match: inStates(['resolved', 'verified']) },
  { id: 'done', name: '已办结', hint: '已结案、已评价、重复件', match: inStates(['closed', 'rated', 'duplicate']) },
  { id: 'overdue', name: '超期', hint: '在办且已超过办理时限', match: (c, now) => isOverdue(c, now) },
];

/** The level a role works at (the desk's 待受理 includes cases sent to it). */
export function levelOfRole(role: string | null | undefined): Level | null {
  switch (role) {
    case 'grid_worker': return 'grid';
    case 'community_staff': return 'community';
    case 'subdistrict_staff': return 'subdistrict';
    case 'department': return 'department';
    default: return null;
  }
}

export const deskTab = (id: string): DeskTab => DESK_TABS.find((t) => t.id === id) ?? DESK_TABS[0]!;

/** Overdue first, then the nearest deadline, then the most recently changed. */
export function queueOrder(nowMs: number) {
  return (a: CaseItem, b: CaseItem): number => {
    const oa = isOverdue(a, nowMs) ? 0 : 1;
    const ob = isOverdue(b, nowMs) ? 0 : 1;
    if (oa !== ob) return oa - ob;
    const da = a.deadlineAt && a.statusType === 'open' ? Date.parse(a.deadlineAt) : Infinity;
    const db = b.deadlineAt && b.statusType === 'open' ? Date.parse(b.deadlineAt) : Infinity;
    if (da !== db) return da - db;
    return Date.parse(b.updatedAt) - Date.parse(a.updatedAt) || b.id - a.id;
  };
}

/** Text a search box matches: id, category, description, grid, address. */
export function matchesQuery(c: CaseItem, q: string, categoryName = ''): boolean {
  const s = q.trim().toLowerCase();
  if (!s) return true;
  return [`#${c.id}`, String(c.id), c.category, categoryName, c.description, c.gridName ?? '', c.address ?? '', c.statusName]
    .some((x) => x.toLowerCase().includes(s));
}

// ---------------------------------------------------------------------------------------------
// Actions

export type ActionTone = 'primary' | 'warn' | 'danger' | 'plain';

export interface ActionSpec {
  action: string;
  name: string;
  tone: ActionTone;
  needsNote: boolean;
  /** Dispatch: pick the target level. */
  needsLevel: boolean;
  /** Whistle: pick a department (default: the responsibility list's). */
  needsDepartment: boolean;
  needsRating: boolean;
  /** Merge: pick the case to merge into (done from the duplicates list). */
  needsInto: boolean;
  /** One line of what the action does, for the form. */
  help: string;
}

const TONE: Record<string, ActionTone> = {
  accept: 'primary', dispatch: 'primary', start: 'primary', self_resolve: 'primary', resolve: 'primary', report_in: 'primary',
  verify: 'primary', close: 'primary', rate: 'primary', escalate: 'warn', whistle: 'warn', merge: 'plain',
  return: 'danger', reject_verification: 'danger', reopen: 'danger',
};
const HELP: Record<string, string> = {
  accept: '确认受理本案，由本级处置或派单',
  dispatch: '指定办理层级并派单，开始计时',
  start: '开始现场处置',
  self_resolve: '网格员发现并当场解决的问题，直接办结',
  resolve: '处置完毕，提交办结，等待他人核查',
  escalate: '本级无法解决，上报上一级处理（须说明原因）',
  whistle: '街道吹哨，职能部门报到处置',
  report_in: '职能部门接哨报到，开始处置',
  return: '不属于本级职责，退回上一级（须说明原因）',
  verify: '现场核查处置结果（办结人不能核查本案：巡办分离）',
  reject_verification: '核查不通过，退回处置（须说明原因）',
  close: '核查通过后结案',
  rate: '对办理结果进行评价',
  reopen: '评价不满意，重新打开（须说明原因）',
  merge: '与同一地点同类事件合并',
};

export function actionSpec(action: string): ActionSpec {
  const t = WORKFLOW.transitions.find((x) => x.action === action);
  return {
    action,
    name: t?.name ?? action,
    tone: TONE[action] ?? 'plain',
    needsNote: !!t?.requires?.note,
    needsLevel: t?.level === 'input',
    needsDepartment: t?.level === 'department',
    needsRating: !!t?.requires?.rating,
    needsInto: !!t?.requires?.into,
    help: HELP[action] ?? '',
  };
}

/** Levels `role` may dispatch a case to (that the case can go to: it has a grid for 网格, …). */
export function dispatchLevels(role: string, c: Pick<CaseItem, 'gridId' | 'communityCode' | 'subdistrictCode'>,
  opts: { chooseGrid?: boolean } = {}): { code: Level; name: string }[] {
  // With grids to choose from (派往指定网格), the grid level is open to a case in no grid too.
  const has: Record<string, unknown> = { gridId: opts.chooseGrid ? true : c.gridId, communityCode: c.communityCode, subdistrictCode: c.subdistrictCode };
  return WORKFLOW.levels
    .filter((l) => (l.dispatchableBy as string[]).includes(role) && (!l.locator || has[l.locator] != null))
    .map((l) => ({ code: l.code, name: l.name }));
}

/**
 * Actions the server refused for this person but that their role has in this state, shown locked
 * so the server can say why: verifying one's own resolution (巡办分离).
 */
export function lockedActions(state: string, role: string, allowed: readonly string[]): string[] {
  return WORKFLOW.transitions
    .filter((t) => t.requires?.differentActorThan === 'resolver' && t.from.includes(state) && (t.roles as string[]).includes(role)
      && !allowed.includes(t.action))
    .map((t) => t.action);
}

/** Actions that mean "this case is waiting for me" (merging is always possible, so it does not count). */
export function needsMe(allowed: readonly { action: string }[]): boolean {
  return allowed.some((a) => a.action !== 'merge');
}

/** Order of buttons: forward actions first, then sideways, then back. */
export function sortActions<T extends { action: string }>(list: T[]): T[] {
  const rank: Record<ActionTone, number> = { primary: 0, warn: 1, plain: 2, danger: 3 };
  return [...list].sort((a, b) => rank[actionSpec(a.action).tone] - rank[actionSpec(b.action).tone]);
}

export const LEVEL_ORDER = LEVELS;

/** zh-CN sentences for the workflow's refusals (the server's English message is kept after it). */
const REFUSALS: [RegExp, string][] = [
  [/cannot verify it \(巡办分离\)|巡办分离/, '办结人不能核查本案（巡办分离），请由他人核查'],
  [/is not with you/, '本案不在您手中（当前办理层级不归您）'],
  [/is not possible in state/, '本案当前状态下不能执行此操作（可能已被他人处理，请刷新）'],
  [/is not possible at level/, '本案当前层级不能执行此操作'],
  [/needs a note/, '请填写说明'],
  [/only the reporting grid worker/, '只有上报本案的网格员可以自办自结'],
  [/may not /, '您的角色无权执行此操作'],
  [/no department for/, '责任清单中没有该类别的职能部门，请指定部门'],
  [/unknown department/, '职能部门不存在'],
  [/cannot dispatch to level/, '您不能派单到该层级'],
  [/has no .* to go to/, '本案没有可派往的该层级单位'],
  [/needs a rating of/, '评价为“不满意”的案件才能重新打开'],
  [/rating must be one of/, '请选择评价'],
  [/not open/, '目标案件已不在办理中，不能合并'],
  [/merged into itself/, '不能与自身合并'],
  [/photo .* not found/, '照片不存在或无权使用，请重新上传'],
];

/** A zh-CN message for a refused action, with the server's own words in brackets. */
export function refusalMessage(code: string, message: string): string {
  for (const [re, zh] of REFUSALS) if (re.test(message)) return `${zh}（服务器：${message}）`;
  const base: Record<string, string> = {
    forbidden: '无权执行此操作', invalid_transition: '当前状态下不能执行此操作', invalid_request: '提交的内容不正确',
    not_found: '案件不存在或不在您的辖区', network_error: '无法连接服务器，请检查网络', unauthorized: '登录已失效，请重新登录',
  };
  return `${base[code] ?? '操作失败'}（服务器：${message}）`;
}

/** Short zh-CN description of a trail entry's extras (派往网格, 吹哨 区城管执法局, 评价 满意, 合并到 #12). */
export function trailExtra(e: Pick<CaseEventView, 'action' | 'fromLevel' | 'toLevel' | 'detail'>, departments: Map<string, string> = new Map()): string {
  const parts: string[] = [];
  const d = e.detail ?? {};
  if (e.fromLevel && e.toLevel && e.fromLevel !== e.toLevel) parts.push(`${LEVEL_NAMES[e.fromLevel] ?? e.fromLevel} → ${LEVEL_NAMES[e.toLevel] ?? e.toLevel}`);
  else if (e.action === 'dispatch' && e.toLevel) parts.push(`派往${LEVEL_NAMES[e.toLevel] ?? e.toLevel}`);
  if (typeof d.departmentCode === 'string') parts.push(departments.get(d.departmentCode) ?? d.departmentCode);
  if (typeof d.rating === 'string') parts.push(RATING_NAMES[d.rating] ?? d.rating);
  if (typeof d.into === 'number') parts.push(`合并到 #${d.into}`);
  if (typeof d.from === 'number') parts.push(`来自 #${d.from}`);
  if (d.unlocated) parts.push('未定位');
  return parts.join(' · ');
}

// The Party branch ledger (支部台账) and 一格三员 rosters: activity kinds, staff duties, the rules an
// activity record must pass, monthly counts per branch, the 30-day activity flag per grid, and who
// sees contact numbers in full. Pure: no I/O; the server and the pages share it.
import type { MultiPolygon } from 'geojson';
import { z } from 'zod';
import { can, maskPhone, type Role } from './permissions.js';

/** Branch activity kinds (codes stored; labels shown). */
export const ACTIVITY_KINDS = { theme_day: '主题党日', volunteer: '志愿服务', visit: '走访' } as const;
export type ActivityKind = keyof typeof ACTIVITY_KINDS;
export const ACTIVITY_KIND_CODES = Object.keys(ACTIVITY_KINDS) as ActivityKind[];

/** 一格三员 duties of grid_staff, in display order (the first three are the wall's 三员 staffing). */
export const STAFF_DUTIES = {
  grid_worker: '网格员',
  community_worker: '社区工作者',
  property_manager: '物业管理员',
  police: '社区民警',
  legal_advisor: '法律顾问',
  law_enforcement: '城管/执法',
  volunteer: '志愿者',
} as const;
export type StaffDuty = keyof typeof STAFF_DUTIES;
export const STAFF_DUTY_CODES = Object.keys(STAFF_DUTIES) as StaffDuty[];

/** Days without an activity after which a grid's branch is flagged 无活动. */
export const ACTIVITY_WINDOW_DAYS = 30;
/** How far back an activity may be recorded (补录). */
export const BACKFILL_DAYS = 366;
export const MAX_ATTENDEES = 300;
export const MAX_PHOTOS = 9;

const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date YYYY-MM-DD').refine((s) => isValidDate(s), 'not a calendar date');
const id = z.number().int().positive().max(2_147_483_647);

/** The body of POST /api/party/branches/:id/activities (the form on /party sends it). */
export const activityInput = z.object({
  kind: z.enum(ACTIVITY_KIND_CODES as [ActivityKind, ...ActivityKind[]]),
  heldOn: date,
  place: z.string().trim().min(1, '请填写地点').max(100),
  note: z.string().trim().max(500).default(''),
  attendeeIds: z.array(id).min(1, '至少一名参加党员').max(MAX_ATTENDEES),
  photoIds: z.array(id).max(MAX_PHOTOS).default([]),
}).strict();
export type ActivityInput = z.infer<typeof activityInput>;

/** The body of POST /api/party/branches/:id/members. */
export const memberInput = z.object({
  name: z.string().trim().min(1).max(40),
  phone: z.string().trim().regex(/^[0-9][0-9-]{4,19}$/, 'digits (and dashes) only').optional(),
  joinedOn: date.optional(),
}).strict();
export type MemberInput = z.infer<typeof memberInput>;

/** The body of POST /api/party/households/:id/buildings (a 党员中心户 serving a building's households). */
export const householdLinkInput = z.object({
  buildingId: id,
  households: z.number().int().min(1).max(500).default(1),
}).strict();

export function isValidDate(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return false;
  const d = new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!));
  return d.getUTCFullYear() === +m[1]! && d.getUTCMonth() === +m[2]! - 1 && d.getUTCDate() === +m[3]!;
}

/** The Beijing calendar date (UTC+8) of an instant, YYYY-MM-DD. */
export function beijingDate(ms: number): string {
  return new Date(ms + 8 * 3_600_000).toISOString().slice(0, 10);
}

/** Whole days from date a to date b (b − a), both YYYY-MM-DD. */
export function daysBetween(a: string, b: string): number {
  return Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000);
}

export function addDays(d: string, n: number): string {
  return new Date(Date.parse(`${d}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
}

export interface ActivityProblem {
  field: 'heldOn' | 'attendeeIds' | 'photoIds';
  rule: 'future' | 'too_old' | 'not_branch_member' | 'duplicate' | 'photo_not_accessible' | 'before_joining';
  message: string;
  /** The offending ids, when the rule is about ids. */
  ids?: number[];
}

/**
 * The rules a well-formed activity must pass against the branch: held today or earlier (Beijing
 * date) and not more than BACKFILL_DAYS back; every attendee a member of this branch, once, who had
 * joined by then; every photo one the recorder may attach. Empty = acceptable.
 */
export function activityProblems(a: Pick<ActivityInput, 'heldOn' | 'attendeeIds' | 'photoIds'>, ctx: {
  today: string;
  members: ReadonlyMap<number, { joinedOn: string | null }>;
  attachablePhotoIds: ReadonlySet<number>;
}): ActivityProblem[] {
  const out: ActivityProblem[] = [];
  const age = daysBetween(a.heldOn, ctx.today);
  if (age < 0) out.push({ field: 'heldOn', rule: 'future', message: `活动日期 ${a.heldOn} 晚于今天 ${ctx.today}` });
  else if (age > BACKFILL_DAYS) out.push({ field: 'heldOn', rule: 'too_old', message: `活动日期 ${a.heldOn} 早于可补录的 ${BACKFILL_DAYS} 天` });
  const seen = new Set<number>();
  const dup = new Set<number>();
  for (const m of a.attendeeIds) (seen.has(m) ? dup : seen).add(m);
  if (dup.size) out.push({ field: 'attendeeIds', rule: 'duplicate', message: '参加党员重复', ids: [...dup] });
  const strangers = [...seen].filter((m) => !ctx.members.has(m));
  if (strangers.length) out.push({ field: 'attendeeIds', rule: 'not_branch_member', message: `${strangers.length} 名参加人不是本支部党员`, ids: strangers });
  const later = [...seen].filter((m) => {
    const j = ctx.members.get(m)?.joinedOn;
    return j != null && j > a.heldOn;
  });
  if (later.length) out.push({ field: 'attendeeIds', rule: 'before_joining', message: `${later.length} 名参加人在活动日期后才入党/转入`, ids: later });
  const photos = a.photoIds.filter((p) => !ctx.attachablePhotoIds.has(p));
  if (photos.length) out.push({ field: 'photoIds', rule: 'photo_not_accessible', message: '照片不存在或不是本人上传', ids: photos });
  return out;
}

export interface ActivityRecord { branchId: number; heldOn: string; kind: ActivityKind }

/** YYYY-MM of a date. */
export const monthOf = (d: string) => d.slice(0, 7);

/** The `n` calendar months ending with the month of `today`, oldest first. */
export function lastMonths(today: string, n: number): string[] {
  let y = +today.slice(0, 4);
  let m = +today.slice(5, 7);
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    out.unshift(`${y}-${String(m).padStart(2, '0')}`);
    if (--m === 0) { m = 12; y--; }
  }
  return out;
}

export interface MonthCount { month: string; total: number; byKind: Record<ActivityKind, number> }

/** Activities per branch and month (every month of `months`, zeros included), by kind. */
export function monthlyCounts(activities: readonly ActivityRecord[], branchIds: readonly number[], months: readonly string[]): Map<number, MonthCount[]> {
  const out = new Map<number, MonthCount[]>();
  for (const b of branchIds) out.set(b, months.map((month) => ({ month, total: 0, byKind: { theme_day: 0, volunteer: 0, visit: 0 } })));
  const idx = new Map(months.map((m, i) => [m, i]));
  for (const a of activities) {
    const row = out.get(a.branchId)?.[idx.get(monthOf(a.heldOn)) ?? -1];
    if (!row) continue;
    row.total++;
    row.byKind[a.kind]++;
  }
  return out;
}

export interface GridActivity {
  gridId: number;
  /** The grid has a 网格党支部 at all. */
  hasBranch: boolean;
  /** Activities held in the last ACTIVITY_WINDOW_DAYS days (today included). */
  recent: number;
  /** The latest activity's date, or null. */
  last: string | null;
  /** Flagged: a branch exists but held nothing in the window, or no branch covers the grid. */
  noActivity: boolean;
}

/** The 30-day activity of each grid from its branches' activities (`gridId` of the branch). */
export function gridActivity(grids: readonly { gridId: number; hasBranch: boolean }[],
  activities: readonly { gridId: number; heldOn: string }[], today: string, days = ACTIVITY_WINDOW_DAYS): GridActivity[] {
  const from = addDays(today, -(days - 1));
  const by = new Map<number, { recent: number; last: string | null }>();
  for (const a of activities) {
    if (a.heldOn > today) continue;
    const s = by.get(a.gridId) ?? { recent: 0, last: null };
    if (a.heldOn >= from) s.recent++;
    if (s.last == null || a.heldOn > s.last) s.last = a.heldOn;
    by.set(a.gridId, s);
  }
  return grids.map((g) => {
    const s = by.get(g.gridId) ?? { recent: 0, last: null };
    return { gridId: g.gridId, hasBranch: g.hasBranch, recent: s.recent, last: s.last, noActivity: s.recent === 0 };
  });
}

/** May this role see staff's and members' contact numbers unmasked (each such view is audited)? */
export const seesFullContact = (role: Role) => can(role, 'read_full', 'staff_contact');

/** A contact number as a list shows it: always masked (full numbers only through the audited view). */
export const listedPhone = (phone: string | null) => (phone == null ? null : maskPhone(phone));

// ---- Wire shapes (GET/POST /api/party/…), shared by server/party and client/src/pages/party ----

export interface BranchSummary {
  id: number; name: string; gridId: number; gridName: string; gridCode: string;
  communityCode: string; communityName: string;
  /** Members on record in the ledger, and the count the organisation declares. */
  members: number; membersDeclared: number;
  /** Activities in the last 30 days, the latest one's date, and the 无活动 flag. */
  recent: number; lastActivity: string | null; noActivity: boolean;
  synthetic: boolean;
}

export interface MemberView { id: number; name: string; phone: string | null; joinedOn: string | null; synthetic: boolean }

export interface ActivityView {
  id: number; kind: ActivityKind; kindName: string; heldOn: string; place: string; note: string; createdBy: string;
  attendees: { id: number; name: string }[];
  photos: { id: number; url: string; thumbUrl: string }[];
  synthetic: boolean;
}

export interface HouseholdView {
  id: number; name: string; buildingId: number | null; buildingName: string | null; synthetic: boolean;
  serves: { buildingId: number; buildingName: string; households: number }[];
}

export interface RosterEntry {
  id: number; duty: StaffDuty; dutyName: string; name: string;
  /** Always masked here; the full number comes from the audited contact view. */
  phone: string | null; synthetic: boolean;
}

export interface GridRoster {
  gridId: number; gridName: string; staff: RosterEntry[];
  /** Duties nobody holds in this grid. */
  missing: StaffDuty[];
  /** This caller may open a full number (each opening is audited). */
  canSeeFull: boolean;
}

export interface BranchDetail {
  branch: BranchSummary;
  members: MemberView[];
  activities: ActivityView[];
  months: MonthCount[];
  households: HouseholdView[];
  roster: GridRoster;
  /** The caller may record activities and members here. */
  canWrite: boolean;
}

export interface GridActivityView extends GridActivity { gridName: string; communityCode: string }

/** GET /api/party/contacts/:kind/:id — one full number, audited. */
export interface ContactView { kind: 'staff' | 'member'; id: number; name: string; phone: string | null }

/** A building a 党员中心户 of the grid may serve (GET /api/party/grids/:id/buildings). */
export interface GridBuildingProps {
  id: number; name: string | null; address: string | null;
  /** name, else address, else 楼栋 + id: what the ledger calls it (HouseholdView.serves buildingName). */
  label: string;
  households: number; householdsSynthetic: boolean;
  /** Houses of the resident pool (migration 0017) registered in this building; 0 when none. */
  houses: number;
}
export interface GridBuildings {
  type: 'FeatureCollection'; gridId: number; gridName: string;
  features: { type: 'Feature'; id: number; geometry: MultiPolygon; properties: GridBuildingProps }[];
}

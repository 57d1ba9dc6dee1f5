// The Party branch ledger's queries and commands (no HTTP): branches in a jurisdiction, one
// branch's ledger, recording an activity or a member in one transaction after the rules of
// core/party-ledger.ts, rosters with masked numbers, 30-day activity per grid, unit counts for
// performance scoring.
import {
  ACTIVITY_KINDS, activityProblems, addDays, gridActivity, lastMonths, listedPhone, monthlyCounts, seesFullContact, STAFF_DUTIES,
  STAFF_DUTY_CODES, type ActivityInput, type ActivityKind, type ActivityView, type BranchDetail, type BranchSummary, type GridActivityView,
  type GridBuildings, type GridRoster, type HouseholdView, type MemberInput, type MemberView, type StaffDuty,
} from '../../core/party-ledger.js';
import type { Role } from '../../core/permissions.js';
import type { MultiPolygon } from 'geojson';
import type { Db, Queryable } from '../db/db.js';
import { loadSql } from '../db/sql.js';
import { fail, ok, type Result } from '../http/errors.js';
import { photoUrl, thumbUrl } from '../photos/access.js';

export const SQL = loadSql(new URL('./ledger.sql', import.meta.url), [
  'branches', 'branch', 'members', 'activities', 'activityDates', 'households', 'household', 'linkTarget', 'linkHousehold', 'unlinkHousehold', 'gridBuildings',
  'roster', 'gridInScope', 'staffOne', 'memberOne', 'ownPhotos', 'insertActivity', 'insertAttendees', 'insertPhotos', 'insertMember',
  'gridActivity', 'unitActivity',
]);

export interface Where { communities: string[] | null; gridId: number | null }

interface BranchRow {
  id: number; name: string; grid_id: number; grid_name: string; grid_code: string; community_code: string; community_name: string;
  members_declared: number; members: number; recent: number; last_activity: string | null; synthetic: boolean;
}

const presentBranch = (r: BranchRow): BranchSummary => ({
  id: r.id, name: r.name, gridId: r.grid_id, gridName: r.grid_name, gridCode: r.grid_code,
  communityCode: r.community_code, communityName: r.community_name, members: r.members, membersDeclared: r.members_declared,
  recent: r.recent, lastActivity: r.last_activity, noActivity: r.recent === 0, synthetic: r.synthetic,
});

export async function listBranches(db: Queryable, w: Where, today: string): Promise<BranchSummary[]> {
  return (await db.query<BranchRow>(SQL.branches, [w.communities, w.gridId, today])).rows.map(presentBranch);
}

export async function roster(db: Queryable, grid: { id: number; name: string }, role: Role): Promise<GridRoster> {
  const rows = (await db.query<{ id: number; role: StaffDuty; name: string; phone: string | null; synthetic: boolean }>(SQL.roster, [grid.id, STAFF_DUTY_CODES])).rows;
  return {
    gridId: grid.id, gridName: grid.name,
    staff: rows.map((s) => ({ id: s.id, duty: s.role, dutyName: STAFF_DUTIES[s.role], name: s.name, phone: listedPhone(s.phone), synthetic: s.synthetic })),
    missing: STAFF_DUTY_CODES.filter((d) => !rows.some((s) => s.role === d)),
    canSeeFull: seesFullContact(role),
  };
}

export async function gridRoster(db: Queryable, gridId: number, w: Where, role: Role): Promise<Result<GridRoster>> {
  const g = (await db.query<{ id: number; name: string }>(SQL.gridInScope, [gridId, w.communities, w.gridId])).rows[0];
  if (!g) return fail('not_found', `grid ${gridId} not found`);
  return ok(await roster(db, g, role));
}

export async function branchDetail(db: Queryable, id: number, w: Where, today: string, role: Role, canWrite: boolean, months = 12): Promise<Result<BranchDetail>> {
  const b = (await db.query<{ id: number; grid_id: number; grid_name: string }>(SQL.branch, [id, w.communities, w.gridId])).rows[0];
  if (!b) return fail('not_found', `Party branch ${id} not found`);
  const summary = (await listBranches(db, { communities: w.communities, gridId: b.grid_id }, today)).find((x) => x.id === id)!;
  const members = (await db.query<{ id: number; name: string; phone: string | null; joined_on: string | null; synthetic: boolean }>(SQL.members, [id])).rows
    .map((m): MemberView => ({ id: m.id, name: m.name, phone: listedPhone(m.phone), joinedOn: m.joined_on, synthetic: m.synthetic }));
  const activities = (await db.query<{ id: number; kind: ActivityKind; held_on: string; place: string; note: string; created_by: string; synthetic: boolean;
    attendees: { id: number; name: string }[]; photo_ids: number[] }>(SQL.activities, [id, 200])).rows
    .map((a): ActivityView => ({
      id: a.id, kind: a.kind, kindName: ACTIVITY_KINDS[a.kind], heldOn: a.held_on, place: a.place, note: a.note, createdBy: a.created_by,
      attendees: a.attendees, photos: a.photo_ids.map((p) => ({ id: p, url: photoUrl(p), thumbUrl: thumbUrl(p) })), synthetic: a.synthetic,
    }));
  const span = lastMonths(today, months);
  const dates = (await db.query<{ branch_id: number; held_on: string; kind: ActivityKind }>(SQL.activityDates, [[id], `${span[0]}-01`])).rows;
  const counts = monthlyCounts(dates.map((d) => ({ branchId: d.branch_id, heldOn: d.held_on, kind: d.kind })), [id], span).get(id)!;
  const households = (await db.query<{ id: number; name: string; building_id: number | null; building_name: string | null; synthetic: boolean;
    serves: HouseholdView['serves'] }>(SQL.households, [b.grid_id])).rows
    .map((h): HouseholdView => ({ id: h.id, name: h.name, buildingId: h.building_id, buildingName: h.building_name, synthetic: h.synthetic, serves: h.serves }));
  return ok({ branch: summary, members, activities, months: counts, households, roster: await roster(db, { id: b.grid_id, name: b.grid_name }, role), canWrite });
}

/** Monthly counts of every branch in scope, over the last `months` months. */
export async function monthlyByBranch(db: Queryable, w: Where, today: string, months: number) {
  const branches = await listBranches(db, w, today);
  const span = lastMonths(today, months);
  const dates = (await db.query<{ branch_id: number; held_on: string; kind: ActivityKind }>(SQL.activityDates, [branches.map((b) => b.id), `${span[0]}-01`])).rows;
  const counts = monthlyCounts(dates.map((d) => ({ branchId: d.branch_id, heldOn: d.held_on, kind: d.kind })), branches.map((b) => b.id), span);
  return { months: span, branches: branches.map((b) => ({ id: b.id, name: b.name, gridId: b.gridId, gridName: b.gridName, counts: counts.get(b.id)! })) };
}

export interface Recorder { kind: 'account' | 'token'; id: number; label: string }

/**
 * Record an activity of branch `branchId` (inside `w`): the rules first, then the activity, its
 * attendees and photos in one transaction — a refused or failing record writes nothing.
 */
export async function recordActivity(db: Db, branchId: number, w: Where, input: ActivityInput, who: Recorder, today: string): Promise<Result<{ id: number }>> {
  return db.transaction(async (tx) => {
    const b = (await tx.query<{ id: number }>(SQL.branch, [branchId, w.communities, w.gridId])).rows[0];
    if (!b) return fail('not_found', `Party branch ${branchId} not found`);
    const members = new Map((await tx.query<{ id: number; joined_on: string | null }>(SQL.members, [branchId])).rows.map((m) => [m.id, { joinedOn: m.joined_on }]));
    const own = new Set((await tx.query<{ id: number }>(SQL.ownPhotos, [input.photoIds, who.kind, who.id])).rows.map((r) => r.id));
    const problems = activityProblems(input, { today, members, attachablePhotoIds: own });
    if (problems.length) return fail('invalid_activity', problems.map((p) => p.message).join('；'), { problems });
    const id = (await tx.query<{ id: number }>(SQL.insertActivity, [branchId, input.kind, input.heldOn, input.place, input.note, who.label])).rows[0]!.id;
    await tx.query(SQL.insertAttendees, [id, input.attendeeIds]);
    if (input.photoIds.length) await tx.query(SQL.insertPhotos, [id, [...new Set(input.photoIds)]]);
    return ok({ id });
  });
}

export async function addMember(db: Db, branchId: number, w: Where, input: MemberInput, today: string): Promise<Result<{ id: number }>> {
  return db.transaction(async (tx) => {
    const b = (await tx.query<{ id: number }>(SQL.branch, [branchId, w.communities, w.gridId])).rows[0];
    if (!b) return fail('not_found', `Party branch ${branchId} not found`);
    if (input.joinedOn && input.joinedOn > today) return fail('invalid_request', `入党/转入日期 ${input.joinedOn} 晚于今天`, { field: 'joinedOn' });
    const id = (await tx.query<{ id: number }>(SQL.insertMember, [branchId, input.name, input.phone ?? null, input.joinedOn ?? null])).rows[0]!.id;
    return ok({ id });
  });
}

/**
 * Why a 党员中心户 link was refused (details.reason of the 400), with a zh-CN message for the page:
 * the building does not exist, stands outside the 中心户's community (or the grid worker's grid),
 * or has fewer households than the link claims.
 */
export type LinkRefusal = 'unknown_building' | 'building_outside_community' | 'building_outside_grid' | 'too_many_households';

const refuse = (reason: LinkRefusal, message: string, extra: Record<string, unknown> = {}) =>
  fail('invalid_request', message, { field: reason === 'too_many_households' ? 'households' : 'buildingId', reason, ...extra });

const householdAbsent = (id: number) => fail('not_found', `党员中心户 ${id} 不存在或不在辖区内`);

/**
 * Link a 党员中心户 to a building of its community (its grid, for a grid worker) whose households it
 * serves — at most as many as the building has. Linking the same building again sets the count.
 * A refusal writes nothing; its message is zh-CN (the page shows it as it is).
 */
export async function linkHousehold(db: Db, householdId: number, w: Where, input: { buildingId: number; households: number }):
  Promise<Result<{ householdId: number; buildingId: number; households: number }>> {
  return db.transaction(async (tx) => {
    const h = (await tx.query<{ id: number; community_code: string }>(SQL.household, [householdId, w.communities, w.gridId])).rows[0];
    if (!h) return householdAbsent(householdId);
    const b = (await tx.query<{ id: number; community_code: string | null; grid_id: number | null; households: number; label: string }>(
      SQL.linkTarget, [input.buildingId])).rows[0];
    if (!b) return refuse('unknown_building', `楼栋 ${input.buildingId} 不存在`);
    if (b.community_code !== h.community_code) return refuse('building_outside_community', `${b.label} 不在该党员中心户所在社区，不能关联`);
    if (w.gridId !== null && b.grid_id !== w.gridId) return refuse('building_outside_grid', `${b.label} 不在本网格，不能关联`);
    if (input.households > b.households) {
      return refuse('too_many_households', `服务户数 ${input.households} 超过了 ${b.label} 的住户数（${b.households} 户）`, { max: b.households });
    }
    await tx.query(SQL.linkHousehold, [householdId, input.buildingId, input.households]);
    return ok({ householdId, buildingId: input.buildingId, households: input.households });
  });
}

/** End a 党员中心户's link to a building (inside the jurisdiction); no such link: not_found. */
export async function unlinkHousehold(db: Db, householdId: number, buildingId: number, w: Where): Promise<Result<{ householdId: number; buildingId: number; households: number }>> {
  return db.transaction(async (tx) => {
    const h = (await tx.query(SQL.household, [householdId, w.communities, w.gridId])).rows[0];
    if (!h) return householdAbsent(householdId);
    const gone = (await tx.query<{ households: number }>(SQL.unlinkHousehold, [householdId, buildingId])).rows[0];
    if (!gone) return fail('not_found', `党员中心户 ${householdId} 未关联楼栋 ${buildingId}`);
    return ok({ householdId, buildingId, households: gone.households });
  });
}


/** The buildings of grid `gridId` (inside the jurisdiction) with households, or served already. */
export async function gridBuildings(db: Queryable, gridId: number, w: Where): Promise<Result<GridBuildings>> {
  const g = (await db.query<{ id: number; name: string }>(SQL.gridInScope, [gridId, w.communities, w.gridId])).rows[0];
  if (!g) return fail('not_found', `grid ${gridId} not found`);
  const rows = (await db.query<{ id: number; name: string | null; address: string | null; households: number; households_synthetic: boolean; houses: number;
    geometry: MultiPolygon }>(SQL.gridBuildings, [gridId])).rows;
  return ok({
    type: 'FeatureCollection', gridId: g.id, gridName: g.name,
    features: rows.map((r) => ({
      type: 'Feature', id: r.id, geometry: r.geometry,
      properties: {
        id: r.id, name: r.name, address: r.address || null, label: r.name ?? (r.address || `楼栋${r.id}`),
        households: r.households, householdsSynthetic: r.households_synthetic, houses: r.houses,
      },
    })),
  });
}

/** 支部活动(30天) of every grid in scope, flagged when none. */
export async function activityByGrid(db: Queryable, w: Where, today: string): Promise<GridActivityView[]> {
  const rows = (await db.query<{ grid_id: number; grid_name: string; community_code: string; has_branch: boolean; dates: string[] }>(
    SQL.gridActivity, [w.communities, w.gridId, today, addDays(today, -365)])).rows;
  const acts = gridActivity(rows.map((r) => ({ gridId: r.grid_id, hasBranch: r.has_branch })),
    rows.flatMap((r) => r.dates.map((d) => ({ gridId: r.grid_id, heldOn: d }))), today);
  return acts.map((a, i) => ({ ...a, gridName: rows[i]!.grid_name, communityCode: rows[i]!.community_code }));
}

/**
 * Branch activities per performance unit held in the Beijing dates [from, to): key (grid id,
 * community or subdistrict code) → activities and the number of branches. Units without a branch
 * are absent (their score has no branch-activity data).
 */
export async function unitActivity(db: Queryable, f: { from: string; to: string; level: 'grid' | 'community' | 'subdistrict'; communities: string[] | null }) {
  const rows = (await db.query<{ key: string; branches: number; activities: number }>(SQL.unitActivity, [f.from, f.to, f.level, f.communities])).rows;
  return new Map(rows.map((r) => [r.key, { branches: r.branches, activities: r.activities }]));
}

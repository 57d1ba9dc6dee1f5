// Figures for the command-centre wall (大屏): per grid (cases, Party organisation, 一格三员), KPI
// totals, the ranking of subdistricts and communities, sparklines, and compact case points for
// the heat map and the replay. Always inside a jurisdiction (WallFilter). No HTTP here.
import { WORKFLOW } from '../../core/workflow.js';
import type { Queryable } from '../db/db.js';
import { loadSql } from '../db/sql.js';
import { dbNow } from '../incidents/commands.js';
import { responsibilitySeed } from '../reference/reference.js';
import { wallCoverage } from '../coverage/wall.js';
import type { GridMetric, RankRow, WallMetrics, WallPoints, WallTotals } from '../../core/wall.js';
export type { GridMetric, RankRow, WallMetrics, WallPoints, WallTotals };

export const SQL = loadSql(new URL('./wall.sql', import.meta.url), ['grids', 'totals', 'series', 'divisions', 'points', 'gridInScope']);

/** Actions that record who resolved a case (self_resolve, resolve). */
const RESOLVING = WORKFLOW.transitions.filter((t) => t.sets?.includes('resolver')).map((t) => t.action);
/** The 一格三员 roles a grid should have. */
export const STAFF_ROLES = ['community_worker', 'grid_worker', 'property_manager'] as const;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Beijing is UTC+8 all year (no daylight saving). */
const BEIJING_OFFSET = 8 * HOUR;

/** Start of the Beijing calendar day that contains `t`. */
export function beijingDayStart(t: Date): Date {
  return new Date(Math.floor((t.getTime() + BEIJING_OFFSET) / DAY) * DAY - BEIJING_OFFSET);
}

export interface WallFilter {
  /** Division codes of the subtree (NULL = everything). */
  codes: string[] | null;
  gridId: number | null;
  /** Departments see only the cases sent to them. */
  departmentId: number | null;
}

const params = (f: WallFilter) => [f.codes, f.gridId, f.departmentId];
const round = (x: number | null, digits = 4) => (x == null || !Number.isFinite(x) ? null : Math.round(x * 10 ** digits) / 10 ** digits);
const share = (part: number, whole: number) => (whole === 0 ? null : round(part / whole));

interface GridRow {
  id: number; code: string; name: string; community_code: string; households: number; open: number; overdue: number;
  recent: number; branches: number; members: number; groups: number; member_households: number; roles: string[];
}
interface TotalsRow {
  today: number; resolved_today: number; open: number; overdue: number; recent: number; solved: number;
  solved_at_grid: number; avg_close_hours: number | null;
}
interface DivisionRow {
  code: string; name: string; level: 'subdistrict' | 'community'; parent_code: string | null; grids: number;
  households: number; open: number; overdue: number; today: number; recent: number;
}

const per1000 = (n: number, households: number) => (households > 0 ? round((n * 1000) / households, 2) : null);

export function gridMetric(r: GridRow): GridMetric {
  const roles = [...r.roles].sort();
  return {
    gridId: r.id, code: r.code, name: r.name, communityCode: r.community_code, households: r.households,
    open: r.open, overdue: r.overdue, recent: r.recent, per1000: per1000(r.recent, r.households),
    partyBranch: r.branches > 0, partyMembers: r.members, buildingGroups: r.groups, memberHouseholds: r.member_households,
    // The wall's 一格三员 are the three roles; the other duties (民警, 法律顾问 …) are on the roster.
    staffingComplete: STAFF_ROLES.every((x) => roles.includes(x)), staffRoles: roles.filter((x) => (STAFF_ROLES as readonly string[]).includes(x)),
  };
}

/** Counts by "ago" bucket into an array, oldest first. */
function buckets(rows: { kind: string; ago: number; n: number }[], kind: string, size: number): number[] {
  const out = new Array<number>(size).fill(0);
  for (const r of rows) if (r.kind === kind && r.ago >= 0 && r.ago < size) out[size - 1 - r.ago]! += r.n;
  return out;
}

export async function wallMetrics(db: Queryable, f: WallFilter, opts: { windowDays?: number; now?: Date } = {}): Promise<Omit<WallMetrics, 'division' | 'grid'>> {
  const now = opts.now ?? await dbNow(db);
  const windowDays = opts.windowDays ?? 30;
  const dayStart = beijingDayStart(now);
  const windowStart = new Date(now.getTime() - windowDays * DAY);
  const p = params(f);
  const [gridRows, totalRow, seriesRows, divRows] = [
    (await db.query<GridRow>(SQL.grids, [...p, now, windowStart])).rows,
    (await db.query<TotalsRow>(SQL.totals, [...p, now, dayStart, windowStart, RESOLVING])).rows[0]!,
    (await db.query<{ kind: string; ago: number; n: number }>(SQL.series, [...p, now, dayStart])).rows,
    (await db.query<DivisionRow>(SQL.divisions, [...p, now, dayStart, windowStart])).rows,
  ];
  const cov = await wallCoverage(db, f.codes, f.gridId);
  const grids = gridRows.map((r) => ({ ...gridMetric(r), serviceCoverage: cov.grids.get(r.id) ?? null }));
  const covered = grids.filter((g) => g.partyBranch).length;
  const staffed = grids.filter((g) => g.staffingComplete).length;
  const rank = (r: DivisionRow): RankRow => ({
    code: r.code, name: r.name, level: r.level, parentCode: r.parent_code, grids: r.grids, households: r.households,
    open: r.open, overdue: r.overdue, today: r.today, recent: r.recent, per1000: per1000(r.recent, r.households),
  });
  const ranked = divRows.map(rank).sort((a, b) => b.open - a.open || b.recent - a.recent || a.code.localeCompare(b.code));
  return {
    now: now.toISOString(),
    dayStart: dayStart.toISOString(),
    windowDays,
    grids,
    totals: {
      today: totalRow.today,
      resolvedToday: totalRow.resolved_today,
      open: totalRow.open,
      overdue: totalRow.overdue,
      recent: totalRow.recent,
      solved: totalRow.solved,
      solvedAtGrid: totalRow.solved_at_grid,
      gridSolvedShare: share(totalRow.solved_at_grid, totalRow.solved),
      gridSolvedTarget: responsibilitySeed().targets.gridSolvedShare,
      avgCloseHours: round(totalRow.avg_close_hours, 1),
      grids: grids.length,
      households: grids.reduce((s, g) => s + g.households, 0),
      coveredGrids: covered,
      coverage: share(covered, grids.length),
      branches: gridRows.reduce((s, g) => s + g.branches, 0),
      partyMembers: grids.reduce((s, g) => s + g.partyMembers, 0),
      memberHouseholds: grids.reduce((s, g) => s + g.memberHouseholds, 0),
      staffedGrids: staffed,
      staffing: share(staffed, grids.length),
      serviceCoverage: cov.total,
    },
    ranking: { subdistricts: ranked.filter((r) => r.level === 'subdistrict'), communities: ranked.filter((r) => r.level === 'community') },
    series: {
      hourlyCreated: buckets(seriesRows, 'created', 24),
      hourlyResolved: buckets(seriesRows, 'resolved', 24),
      daily: buckets(seriesRows, 'daily', 14),
    },
  };
}

/** Is grid `id` inside the filter's jurisdiction? */
export async function gridInScope(db: Queryable, id: number, f: WallFilter): Promise<boolean> {
  return (await db.query(SQL.gridInScope, [id, f.codes, f.gridId])).rows.length > 0;
}

interface PointRow {
  id: number; lon: number; lat: number; t: number; r: number | null; d: number | null; category: string; grid_id: number | null;
  state_type: string; overdue: boolean;
}

/** Cases reported in [from, to), as parallel columns (a few bytes per case in JSON). */
export async function wallPoints(db: Queryable, f: WallFilter, from: Date, to: Date, limit: number): Promise<WallPoints> {
  const now = await dbNow(db);
  const rows = (await db.query<PointRow>(SQL.points, [...params(f), from, to, limit + 1])).rows;
  const truncated = rows.length > limit;
  if (truncated) rows.length = limit;
  const categories: string[] = [];
  const catIndex = new Map<string, number>();
  const out: WallPoints = {
    from: from.toISOString(), to: to.toISOString(), now: now.toISOString(), truncated, categories,
    id: [], lon: [], lat: [], t: [], r: [], d: [], cat: [], grid: [], open: [], overdue: [],
  };
  for (const r of rows) {
    let c = catIndex.get(r.category);
    if (c === undefined) {
      c = categories.length;
      categories.push(r.category);
      catIndex.set(r.category, c);
    }
    out.id.push(r.id);
    out.lon.push(Math.round(r.lon * 1e6) / 1e6);
    out.lat.push(Math.round(r.lat * 1e6) / 1e6);
    out.t.push(Math.round(r.t));
    out.r.push(r.r == null ? 0 : Math.round(r.r));
    out.d.push(r.d == null ? 0 : Math.round(r.d));
    out.cat.push(c);
    out.grid.push(r.grid_id ?? 0);
    out.open.push(r.state_type === 'open' ? 1 : 0);
    out.overdue.push(r.overdue ? 1 : 0);
  }
  return out;
}

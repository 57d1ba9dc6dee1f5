// Case statistics for leaders (grid solve share against the target, on-time rates per level and
// department, mean time per stage, top categories, hotspot grids per quarter), from the cases and
// their trails. No HTTP here.
import { LEVELS, levelDef, stateDef, WORKFLOW, type Level } from '../../core/workflow.js';
import type { Queryable } from '../db/db.js';
import { loadSql } from '../db/sql.js';
import { responsibilitySeed } from '../reference/reference.js';

const SQL = loadSql(new URL('./reports.sql', import.meta.url), ['summary']);

/** Actions that record who resolved a case (self_resolve, resolve). */
const RESOLVING = WORKFLOW.transitions.filter((t) => t.sets?.includes('resolver')).map((t) => t.action);
const HOTSPOTS_PER_QUARTER = 5;
const TOP_CATEGORIES = 10;

const rate = (part: number, whole: number) => (whole === 0 ? null : Math.round((part / whole) * 10_000) / 10_000);

export interface SummaryFilter {
  from: Date | null;
  to: Date | null;
  communities: string[] | null;
  gridId: number | null;
}

interface Row {
  totals: { total: number; open: number; fixed: number; closed: number; overdue: number; escalated: number };
  grid_solved: { solved: number; atGrid: number };
  on_time_level: { level: Level; total: number; onTime: number }[];
  on_time_department: { code: string; name: string; total: number; onTime: number }[];
  stage_hours: { state: string; count: number; meanHours: number }[];
  top_categories: { category: string; name: string; count: number }[];
  hotspots: { quarter: string; gridId: number; gridName: string; count: number }[];
  ratings: Record<string, number>;
}

export async function summary(db: Queryable, f: SummaryFilter) {
  const r = (await db.query<Row>(SQL.summary, [f.from, f.to, f.communities, f.gridId, RESOLVING, HOTSPOTS_PER_QUARTER, TOP_CATEGORIES])).rows[0]!;
  const target = responsibilitySeed().targets.gridSolvedShare;
  const share = rate(r.grid_solved.atGrid, r.grid_solved.solved);
  const quarters = [...new Set(r.hotspots.map((h) => h.quarter))];
  return {
    period: { from: f.from?.toISOString() ?? null, to: f.to?.toISOString() ?? null },
    cases: r.totals,
    gridSolved: { solved: r.grid_solved.solved, atGrid: r.grid_solved.atGrid, share, target, met: share != null && share >= target },
    onTime: {
      byLevel: LEVELS.flatMap((l) => r.on_time_level.filter((x) => x.level === l))
        .map((x) => ({ level: x.level, name: levelDef(x.level).name, total: x.total, onTime: x.onTime, rate: rate(x.onTime, x.total) })),
      byDepartment: r.on_time_department.map((x) => ({ ...x, rate: rate(x.onTime, x.total) })),
    },
    stageHours: WORKFLOW.states.flatMap((s) => r.stage_hours.filter((x) => x.state === s.code))
      .map((x) => ({ state: x.state, name: stateDef(x.state)?.name ?? x.state, count: x.count, meanHours: Math.round(x.meanHours * 100) / 100 })),
    topCategories: r.top_categories,
    hotspots: quarters.map((q) => ({ quarter: q, grids: r.hotspots.filter((h) => h.quarter === q).map(({ gridId, gridName, count }) => ({ gridId, gridName, count })) })),
    ratings: Object.fromEntries(WORKFLOW.ratings.map((x) => [x.code, r.ratings[x.code] ?? 0])),
  };
}
export type Summary = Awaited<ReturnType<typeof summary>>;

export const CSV_COLUMNS = ['section', 'quarter', 'key', 'name', 'count', 'total', 'rate', 'meanHours', 'target'];

/** The summary as flat rows for a spreadsheet, one section after another. */
export function summaryRows(s: Summary): Record<string, unknown>[] {
  const rows: Record<string, unknown>[] = [];
  for (const [k, v] of Object.entries(s.cases)) rows.push({ section: 'cases', key: k, count: v });
  rows.push({ section: 'grid_solved', key: 'grid', name: levelDef('grid').name, count: s.gridSolved.atGrid, total: s.gridSolved.solved,
    rate: s.gridSolved.share, target: s.gridSolved.target });
  for (const x of s.onTime.byLevel) rows.push({ section: 'on_time_level', key: x.level, name: x.name, count: x.onTime, total: x.total, rate: x.rate });
  for (const x of s.onTime.byDepartment) rows.push({ section: 'on_time_department', key: x.code, name: x.name, count: x.onTime, total: x.total, rate: x.rate });
  for (const x of s.stageHours) rows.push({ section: 'stage_hours', key: x.state, name: x.name, count: x.count, meanHours: x.meanHours });
  for (const x of s.topCategories) rows.push({ section: 'top_category', key: x.category, name: x.name, count: x.count });
  for (const q of s.hotspots) for (const g of q.grids) rows.push({ section: 'hotspot', quarter: q.quarter, key: g.gridId, name: g.gridName, count: g.count });
  for (const [k, v] of Object.entries(s.ratings)) rows.push({ section: 'rating', key: k, name: WORKFLOW.ratings.find((x) => x.code === k)?.name, count: v });
  return rows;
}

// 责任清单 as a table an admin edits: one row per category (the default "*" first), one column per
// level. A category's empty cell follows the default row; the default row must be complete. Pure:
// the tab (responsibility.ts) renders it, the server checks the whole list again (checkRules).
import { DEFAULT_CATEGORY, type ResponsibilityRule } from '../../../../core/routing.js';

export interface LevelInfo { code: string; name: string; handler: string }
export interface Cell {
  /** Hours to resolve at this level; null = follow the default row. */
  deadlineHours: number | null;
  /** Department levels: the department; null = follow the default row. */
  handler: string | null;
  /** Department levels: hours to report in (报到) after 吹哨; null = follow the default row. */
  reportHours: number | null;
}
export interface Row { category: string; cells: Record<string, Cell> }

const EMPTY: Cell = { deadlineHours: null, handler: null, reportHours: null };
const isLadderHandler = (l: LevelInfo) => l.code !== 'department';

/** The table for the rules: the default row, then every category in the given order. */
export function rulesToRows(rules: readonly ResponsibilityRule[], categories: readonly string[], levels: readonly LevelInfo[]): Row[] {
  return [DEFAULT_CATEGORY, ...categories.filter((c) => c !== DEFAULT_CATEGORY)].map((category) => ({
    category,
    cells: Object.fromEntries(levels.map((l) => {
      const r = rules.find((x) => x.category === category && x.level === l.code);
      const cell: Cell = r
        ? { deadlineHours: r.deadlineHours, handler: isLadderHandler(l) ? null : r.handler, reportHours: r.reportHours ?? null }
        : { ...EMPTY };
      return [l.code, cell];
    })),
  }));
}

/**
 * The rules for the table: every default cell, and every category cell with any value, its blanks
 * filled from the default row. Problems (in zh-CN) instead when the default row is incomplete or a
 * number is not positive.
 */
export function rowsToRules(rows: readonly Row[], levels: readonly LevelInfo[],
  catName: (code: string) => string = (c) => c): { rules: ResponsibilityRule[]; problems: string[] } {
  const problems: string[] = [];
  const rules: ResponsibilityRule[] = [];
  const def = rows.find((r) => r.category === DEFAULT_CATEGORY);
  if (!def) return { rules, problems: ['缺少默认行'] };
  for (const l of levels) {
    const d = def.cells[l.code] ?? EMPTY;
    if (d.deadlineHours == null) problems.push(`默认行「${l.name}」须填写办理时限`);
    if (!isLadderHandler(l) && !d.handler) problems.push(`默认行「${l.name}」须选择职能部门`);
  }
  for (const row of rows) {
    for (const l of levels) {
      const c = row.cells[l.code] ?? EMPTY;
      for (const [v, what] of [[c.deadlineHours, '办理时限'], [c.reportHours, '报到时限']] as const) {
        if (v != null && !(Number.isFinite(v) && v > 0)) problems.push(`${row.category === DEFAULT_CATEGORY ? '默认行' : catName(row.category)}「${l.name}」${what}须为正数`);
      }
      const own = row.category === DEFAULT_CATEGORY || c.deadlineHours != null || c.handler != null || c.reportHours != null;
      if (!own) continue;
      const d = def.cells[l.code] ?? EMPTY;
      const deadlineHours = c.deadlineHours ?? d.deadlineHours;
      if (deadlineHours == null) continue; // reported above
      rules.push({
        category: row.category,
        level: l.code as ResponsibilityRule['level'],
        handler: isLadderHandler(l) ? l.handler : (c.handler ?? d.handler ?? ''),
        deadlineHours,
        reportHours: isLadderHandler(l) ? null : (c.reportHours ?? d.reportHours ?? null),
      });
    }
  }
  return { rules, problems };
}

/** Hours as the admin reads them: 4 小时, 2 天, 1.5 天. */
export function hoursLabel(h: number): string {
  return h >= 24 && h % 12 === 0 ? `${h / 24} 天` : `${h} 小时`;
}

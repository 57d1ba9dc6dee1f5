import { describe, expect, it } from 'vitest';
import type { ResponsibilityRule } from '../../../../core/routing.js';
import { hoursLabel, rowsToRules, rulesToRows, type LevelInfo } from './responsibility-model.js';

const LEVELS: LevelInfo[] = [
  { code: 'grid', name: '网格', handler: 'grid_worker' },
  { code: 'community', name: '社区', handler: 'community' },
  { code: 'department', name: '职能部门', handler: 'department' },
];
const RULES: ResponsibilityRule[] = [
  { category: '*', level: 'grid', handler: 'grid_worker', deadlineHours: 24, reportHours: null },
  { category: '*', level: 'community', handler: 'community', deadlineHours: 48, reportHours: null },
  { category: '*', level: 'department', handler: 'chengguan', deadlineHours: 120, reportHours: 2 },
  { category: 'safety_hazard', level: 'grid', handler: 'grid_worker', deadlineHours: 4, reportHours: null },
  { category: 'noise', level: 'department', handler: 'shengtai', deadlineHours: 72, reportHours: 2 },
];
const sort = (r: ResponsibilityRule[]) => [...r].sort((a, b) => `${a.category}|${a.level}`.localeCompare(`${b.category}|${b.level}`));

describe('责任清单 table ⇄ rules', () => {
  it('round-trips the list: the default row first, a category\'s own cells only', () => {
    const rows = rulesToRows(RULES, ['safety_hazard', 'noise', 'parking'], LEVELS);
    expect(rows.map((r) => r.category)).toEqual(['*', 'safety_hazard', 'noise', 'parking']);
    expect(rows[1]!.cells.grid).toEqual({ deadlineHours: 4, handler: null, reportHours: null });
    expect(rows[1]!.cells.community).toEqual({ deadlineHours: null, handler: null, reportHours: null });
    expect(rows[3]!.cells.department).toEqual({ deadlineHours: null, handler: null, reportHours: null });
    const back = rowsToRules(rows, LEVELS);
    expect(back.problems).toEqual([]);
    expect(sort(back.rules)).toEqual(sort(RULES));
  });
  it('fills a category\'s blanks from the default: naming only a department keeps the default deadlines', () => {
    const rows = rulesToRows(RULES, ['parking'], LEVELS);
    rows[1]!.cells.department!.handler = 'gongan';
    rows[1]!.cells.grid!.deadlineHours = 8;
    const out = rowsToRules(rows, LEVELS);
    expect(out.problems).toEqual([]);
    expect(out.rules.filter((r) => r.category === 'parking')).toEqual([
      { category: 'parking', level: 'grid', handler: 'grid_worker', deadlineHours: 8, reportHours: null },
      { category: 'parking', level: 'department', handler: 'gongan', deadlineHours: 120, reportHours: 2 },
    ]);
  });
  it('refuses an incomplete default row and non-positive hours, in Chinese', () => {
    const rows = rulesToRows(RULES, ['noise'], LEVELS);
    rows[0]!.cells.community!.deadlineHours = null;
    rows[0]!.cells.department!.handler = null;
    rows[1]!.cells.grid!.deadlineHours = 0;
    rows[1]!.cells.department!.reportHours = -1;
    expect(rowsToRules(rows, LEVELS, (c) => ({ noise: '噪声扰民' })[c] ?? c).problems).toEqual([
      '默认行「社区」须填写办理时限', '默认行「职能部门」须选择职能部门', '噪声扰民「网格」办理时限须为正数', '噪声扰民「职能部门」报到时限须为正数',
    ]);
  });
  it('reads hours as an admin would', () => {
    expect([hoursLabel(4), hoursLabel(24), hoursLabel(36), hoursLabel(30), hoursLabel(168)]).toEqual(['4 小时', '1 天', '1.5 天', '30 小时', '7 天']);
  });
});

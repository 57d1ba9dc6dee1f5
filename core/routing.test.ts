import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkRules, initialLevel, initialRouting, nextLevel, route, type ResponsibilityRule } from './routing.js';

const read = <T>(f: string) => JSON.parse(readFileSync(new URL(`../data/${f}`, import.meta.url), 'utf8')) as T;
const SEED = read<{ rules: ResponsibilityRule[]; targets: { gridSolvedShare: number } }>('responsibility.json');
const CATEGORIES = read<{ categories: { code: string }[] }>('incident-categories.json').categories.map((c) => c.code);
const DEPARTMENTS = read<{ departments: { code: string }[] }>('demo-departments.json').departments.map((d) => d.code);

const RULES: ResponsibilityRule[] = [
  { category: '*', level: 'grid', handler: 'grid_worker', deadlineHours: 24 },
  { category: '*', level: 'community', handler: 'community', deadlineHours: 48 },
  { category: '*', level: 'subdistrict', handler: 'subdistrict', deadlineHours: 72 },
  { category: '*', level: 'department', handler: 'chengguan', deadlineHours: 120, reportHours: 2 },
  { category: 'safety_hazard', level: 'grid', handler: 'grid_worker', deadlineHours: 4 },
  { category: 'parking', level: 'department', handler: 'gongan', deadlineHours: 48 },
];

describe('routing by the responsibility list', () => {
  it('a category\'s own rule wins over the default; no rule at all is null', () => {
    expect(route('safety_hazard', 'grid', RULES)).toEqual({ handler: 'grid_worker', deadlineHours: 4, reportHours: null });
    expect(route('safety_hazard', 'community', RULES)).toEqual({ handler: 'community', deadlineHours: 48, reportHours: null });
    expect(route('parking', 'department', RULES)).toEqual({ handler: 'gongan', deadlineHours: 48, reportHours: null });
    expect(route('noise', 'department', RULES)).toEqual({ handler: 'chengguan', deadlineHours: 120, reportHours: 2 });
    expect(route('noise', 'grid', [])).toBeNull();
  });

  it('the ladder: grid → community → subdistrict, top stops; a department goes back to the subdistrict', () => {
    expect(nextLevel('grid')).toBe('community');
    expect(nextLevel('community')).toBe('subdistrict');
    expect(nextLevel('subdistrict')).toBeNull();
    expect(nextLevel('department')).toBe('subdistrict');
  });

  it('a new case starts at the lowest level it is located in', () => {
    expect(initialLevel({ gridId: 3, communityCode: 'C', subdistrictCode: 'S' })).toBe('grid');
    expect(initialLevel({ gridId: null, communityCode: 'C', subdistrictCode: 'S' })).toBe('community');
    expect(initialLevel({ gridId: null, communityCode: null, subdistrictCode: 'S' })).toBe('subdistrict');
    expect(initialLevel({ gridId: null, communityCode: null, subdistrictCode: null })).toBe('subdistrict');
    const now = new Date('2026-01-01T00:00:00Z');
    expect(initialRouting('safety_hazard', { gridId: 3, communityCode: 'C', subdistrictCode: 'S' }, RULES, now))
      .toEqual({ level: 'grid', handler: 'grid_worker', deadlineAt: new Date('2026-01-01T04:00:00Z') });
    expect(initialRouting('noise', { gridId: null, communityCode: 'C', subdistrictCode: 'S' }, [], now))
      .toEqual({ level: 'community', handler: 'community', deadlineAt: null });
  });

  it('the seed list is complete and consistent with the categories and demo departments', () => {
    expect(checkRules(SEED.rules, { categories: CATEGORIES, departments: DEPARTMENTS })).toEqual([]);
    expect(SEED.targets.gridSolvedShare).toBe(0.95);
    for (const c of CATEGORIES) for (const l of ['grid', 'community', 'subdistrict', 'department'] as const) expect(route(c, l, SEED.rules)).not.toBeNull();
  });

  it('names every problem of an edited list', () => {
    const bad: ResponsibilityRule[] = [
      { category: '*', level: 'grid', handler: 'community', deadlineHours: 24 },
      { category: '*', level: 'grid', handler: 'grid_worker', deadlineHours: 0 },
      { category: 'ufo', level: 'community', handler: 'community', deadlineHours: 1, reportHours: 1 },
      { category: '*', level: 'department', handler: 'nasa', deadlineHours: 1, reportHours: -1 },
      { category: '*', level: 'moon' as never, handler: 'x', deadlineHours: 1 },
    ];
    expect(checkRules(bad, { categories: CATEGORIES, departments: DEPARTMENTS })).toEqual([
      'rules[0] (*, grid): the handler at this level is grid_worker',
      'rules[1] (*, grid): defined twice',
      'rules[1] (*, grid): deadlineHours must be positive',
      'rules[2] (ufo, community): unknown category',
      'rules[2] (ufo, community): reportHours is for departments only',
      'rules[3] (*, department): unknown department nasa',
      'rules[3] (*, department): reportHours must be positive',
      'rules[4] (*, moon): unknown level',
      'level community needs a default ("*") rule',
      'level subdistrict needs a default ("*") rule',
    ]);
  });
});

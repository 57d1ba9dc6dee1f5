// Routing by the responsibility list (责任清单): category × level → handler and deadline. The list
// is data (seeded from data/responsibility.json, edited by an admin); this file only reads it.
import definition from '../data/incident-workflow.json' with { type: 'json' };
import type { Level, LevelDef } from './workflow.js';

export interface ResponsibilityRule {
  /** An incident category code, or "*" for every category without its own rule. */
  category: string;
  level: Level;
  /** grid_worker | community | subdistrict, or a department code at the department level. */
  handler: string;
  /** Hours to resolve once the case is at this level. */
  deadlineHours: number;
  /** Departments: hours to report in (报到) after being whistled. */
  reportHours?: number | null;
}

export interface Routed {
  handler: string;
  deadlineHours: number;
  reportHours: number | null;
}

export const DEFAULT_CATEGORY = '*';
const LEVEL_DEFS = (definition as unknown as { levels: LevelDef[] }).levels;

/** The rule for a category at a level: its own, else the default ("*"), else null. */
export function route(category: string, level: Level, rules: readonly ResponsibilityRule[]): Routed | null {
  const r = rules.find((x) => x.category === category && x.level === level)
    ?? rules.find((x) => x.category === DEFAULT_CATEGORY && x.level === level);
  return r ? { handler: r.handler, deadlineHours: r.deadlineHours, reportHours: r.reportHours ?? null } : null;
}

/** The level a case goes up to from `level` (escalation; a department returns to the subdistrict). */
export function nextLevel(level: Level): Level | null {
  return LEVEL_DEFS.find((l) => l.code === level)?.up ?? null;
}

/** Where a new case starts: the lowest ladder level it is located in (a grid, else its community …). */
export function initialLevel(loc: { gridId: number | null; communityCode: string | null; subdistrictCode: string | null }): Level {
  const ladder = LEVEL_DEFS.filter((l) => l.ladder);
  return (ladder.find((l) => l.locator && loc[l.locator] != null) ?? ladder.at(-1)!).code;
}

/** Where a new case starts, who handles it and until when. */
export function initialRouting(category: string, loc: Parameters<typeof initialLevel>[0], rules: readonly ResponsibilityRule[], now: Date) {
  const level = initialLevel(loc);
  const r = route(category, level, rules);
  const def = LEVEL_DEFS.find((l) => l.code === level)!;
  return {
    level,
    handler: r?.handler ?? def.handler,
    deadlineAt: r ? new Date(now.getTime() + r.deadlineHours * 3_600_000) : null,
  };
}

/**
 * Problems with a whole responsibility list (empty = usable): unknown categories, levels or
 * departments, handlers that do not match their level, duplicates, and a missing default per level.
 */
export function checkRules(rules: readonly ResponsibilityRule[], known: { categories: readonly string[]; departments: readonly string[] }): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const [i, r] of rules.entries()) {
    const at = `rules[${i}] (${r.category}, ${r.level})`;
    const def = LEVEL_DEFS.find((l) => l.code === r.level);
    if (!def) {
      problems.push(`${at}: unknown level`);
      continue;
    }
    if (r.category !== DEFAULT_CATEGORY && !known.categories.includes(r.category)) problems.push(`${at}: unknown category`);
    const key = `${r.category}\u0000${r.level}`;
    if (seen.has(key)) problems.push(`${at}: defined twice`);
    seen.add(key);
    if (def.ladder) {
      if (r.handler !== def.handler) problems.push(`${at}: the handler at this level is ${def.handler}`);
      if (r.reportHours != null) problems.push(`${at}: reportHours is for departments only`);
    } else if (!known.departments.includes(r.handler)) {
      problems.push(`${at}: unknown department ${r.handler}`);
    }
    if (!(r.deadlineHours > 0)) problems.push(`${at}: deadlineHours must be positive`);
    if (r.reportHours != null && !(r.reportHours > 0)) problems.push(`${at}: reportHours must be positive`);
  }
  for (const l of LEVEL_DEFS) {
    if (!rules.some((r) => r.category === DEFAULT_CATEGORY && r.level === l.code)) problems.push(`level ${l.code} needs a default ("*") rule`);
  }
  return problems;
}

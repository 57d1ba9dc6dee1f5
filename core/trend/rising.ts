// A category rising in an area: the cases of the last 7 days against the same 7 weekdays (and
// times of day) of each of the previous `baselineWeeks` weeks. Under "no change" the weekly counts
// are Poisson with one rate, so this week's count X given the total X + Y of this week and the
// baseline weeks is Binomial(X + Y, 1 / (weeks + 1)): the exact conditional binomial test of a
// Poisson rate ratio (one-sided, rising). All cells tested share the family-wise alpha (Bonferroni).
import { binomialUpperTail } from './stats.js';
import type { RisingThresholds } from './thresholds.js';
import { beijingDate, beijingIsoWeek, DAY_MS } from './time.js';

export const RISING_TEST = 'exact conditional binomial test of a Poisson rate ratio (one-sided), Bonferroni-adjusted';

export interface AreaCase {
  /** The area the case is counted in (a community code). */
  area: string;
  category: string;
  /** Epoch milliseconds. */
  at: number;
}

export interface RisingEvidence {
  test: string;
  pValue: number;
  alpha: number;
  tests: number;
  adjustedAlpha: number;
  current: number;
  baselineTotal: number;
  baselineWeeks: number;
  baselineMean: number;
  /** current / baselineMean (null when the baseline had no case). */
  ratio: number | null;
  window: { from: string; to: string };
  /** Per weekday of the window: this week's count and the baseline's mean on that weekday. */
  byDay: { date: string; current: number; baselineMean: number }[];
}

export interface RisingFinding {
  key: string;
  area: string;
  category: string;
  evidence: RisingEvidence;
}

export function risingCategories(cases: readonly AreaCase[], now: number, t: RisingThresholds): RisingFinding[] {
  if (!t.enabled) return [];
  const weeks = t.baselineWeeks;
  const start = now - 7 * DAY_MS;
  const earliest = start - weeks * 7 * DAY_MS;
  interface Cell { current: number[]; baseline: number[] }
  const cells = new Map<string, Cell>();
  for (const c of cases) {
    if (c.at >= now || c.at < earliest) continue;
    // Whole weeks back (0 = this week) and the day within the aligned 7-day window.
    const back = Math.floor((now - 1 - c.at) / (7 * DAY_MS));
    const offset = 6 - Math.floor(((now - 1 - c.at) % (7 * DAY_MS)) / DAY_MS);
    const key = `${c.area}\u0000${c.category}`;
    let cell = cells.get(key);
    if (!cell) cells.set(key, (cell = { current: new Array<number>(7).fill(0), baseline: new Array<number>(7).fill(0) }));
    (back === 0 ? cell.current : cell.baseline)[offset]! += 1;
  }
  const sum = (a: number[]) => a.reduce((s, x) => s + x, 0);
  const tested = [...cells.entries()].filter(([, c]) => sum(c.current) >= t.minCount);
  const adjusted = t.alpha / Math.max(1, tested.length);
  const week = beijingIsoWeek(now - 1);
  const out: RisingFinding[] = [];
  for (const [key, c] of tested) {
    const x = sum(c.current);
    const y = sum(c.baseline);
    const mean = y / weeks;
    const ratio = mean > 0 ? x / mean : null;
    if (ratio !== null && ratio < t.minRatio) continue;
    const p = binomialUpperTail(x, x + y, 1 / (weeks + 1));
    if (p > adjusted) continue;
    const [area, category] = key.split('\u0000') as [string, string];
    out.push({
      key: `rising:${area}:${category}:${week}`,
      area, category,
      evidence: {
        test: RISING_TEST, pValue: p, alpha: t.alpha, tests: tested.length, adjustedAlpha: adjusted,
        current: x, baselineTotal: y, baselineWeeks: weeks, baselineMean: mean, ratio,
        window: { from: new Date(start).toISOString(), to: new Date(now).toISOString() },
        byDay: c.current.map((n, i) => ({ date: beijingDate(start + i * DAY_MS + DAY_MS / 2), current: n, baselineMean: c.baseline[i]! / weeks })),
      },
    });
  }
  return out.sort((a, b) => a.evidence.pValue - b.evidence.pValue || a.key.localeCompare(b.key));
}

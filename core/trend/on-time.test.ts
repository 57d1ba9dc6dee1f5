import { describe, expect, it } from 'vitest';
import { rng } from '../random.js';
import { onTimeDrops, ON_TIME_TEST, type DeadlineEnd } from './on-time.js';
import { DEFAULT_THRESHOLDS } from './thresholds.js';
import { DAY_MS } from './time.js';

const now = Date.parse('2026-12-05T10:00:00+08:00');
const t = DEFAULT_THRESHOLDS.on_time_drop; // 30 days against the 90 before

/** Deadline ends of 12 grids over 120 days, on time with probability `rate` (per grid, or one for all). */
function stream(seed: number, rate: (grid: number, daysAgo: number) => number): DeadlineEnd[] {
  const r = rng(seed);
  const out: DeadlineEnd[] = [];
  for (let g = 1; g <= 12; g++) for (let k = 0; k < 240; k++) {
    const daysAgo = r() * 120;
    out.push({ gridId: g, at: now - daysAgo * DAY_MS, onTime: r() < rate(g, daysAgo) });
  }
  return out;
}

describe('a grid whose on-time rate drops', () => {
  it('finds the injected drop with its two proportions and the z test', () => {
    const found = onTimeDrops(stream(5, (g, d) => (g === 4 && d < 30 ? 0.55 : 0.9)), now, t);
    expect(found.map((f) => f.gridId)).toEqual([4]);
    const e = found[0]!.evidence;
    expect(e.test).toBe(ON_TIME_TEST);
    expect(e.pValue).toBeLessThan(e.adjustedAlpha);
    expect(e.tests).toBe(12);
    expect(e.current.rate).toBeLessThan(0.75);
    expect(e.baseline.rate).toBeGreaterThan(0.85);
    expect(e.drop).toBeCloseTo(e.baseline.rate - e.current.rate, 12);
    expect(e.current.onTime).toBeLessThanOrEqual(e.current.total);
  });

  it('raises nothing on flat streams (20 seeds), nor on a drop too small to matter', () => {
    for (let seed = 1; seed <= 20; seed++) expect([seed, onTimeDrops(stream(seed, () => 0.85), now, t)]).toEqual([seed, []]);
    expect(onTimeDrops(stream(5, (g, d) => (g === 4 && d < 30 ? 0.55 : 0.9)), now, { ...t, minDrop: 0.6 })).toEqual([]);
    expect(onTimeDrops(stream(5, (g, d) => (g === 4 && d < 30 ? 0.55 : 0.9)), now, { ...t, minCases: 5000 })).toEqual([]);
  });
});

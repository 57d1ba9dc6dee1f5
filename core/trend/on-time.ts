// A grid whose on-time rate drops: the deadlines that ended in the last `windowDays` against those
// of the `baselineDays` before, by a pooled two-proportion z test (one-sided: lower now), with the
// family-wise alpha shared by the grids tested (Bonferroni) and a minimum drop in the rate.
import { twoProportionLower } from './stats.js';
import type { OnTimeDropThresholds } from './thresholds.js';
import { beijingIsoWeek, DAY_MS } from './time.js';

export const ON_TIME_TEST = 'two-proportion z test (pooled, one-sided), Bonferroni-adjusted';

export interface DeadlineEnd {
  gridId: number;
  at: number;
  onTime: boolean;
}

export interface OnTimeEvidence {
  test: string;
  pValue: number;
  z: number;
  alpha: number;
  tests: number;
  adjustedAlpha: number;
  current: { onTime: number; total: number; rate: number; from: string; to: string };
  baseline: { onTime: number; total: number; rate: number; from: string; to: string };
  drop: number;
}

export interface OnTimeFinding {
  key: string;
  gridId: number;
  evidence: OnTimeEvidence;
}

export function onTimeDrops(ends: readonly DeadlineEnd[], now: number, t: OnTimeDropThresholds): OnTimeFinding[] {
  if (!t.enabled) return [];
  const split = now - t.windowDays * DAY_MS;
  const start = split - t.baselineDays * DAY_MS;
  const per = new Map<number, { x1: number; n1: number; x2: number; n2: number }>();
  for (const e of ends) {
    if (e.at >= now || e.at < start) continue;
    let g = per.get(e.gridId);
    if (!g) per.set(e.gridId, (g = { x1: 0, n1: 0, x2: 0, n2: 0 }));
    if (e.at >= split) { g.n1++; if (e.onTime) g.x1++; } else { g.n2++; if (e.onTime) g.x2++; }
  }
  const tested = [...per.entries()].filter(([, g]) => g.n1 >= t.minCases && g.n2 >= t.minCases);
  const adjusted = t.alpha / Math.max(1, tested.length);
  const week = beijingIsoWeek(now - 1);
  const iso = (ms: number) => new Date(ms).toISOString();
  const out: OnTimeFinding[] = [];
  for (const [gridId, g] of tested) {
    const r = twoProportionLower(g.x1, g.n1, g.x2, g.n2);
    const drop = r.p2 - r.p1;
    if (drop < t.minDrop || r.p > adjusted) continue;
    out.push({
      key: `on_time_drop:${gridId}:${week}`, gridId,
      evidence: {
        test: ON_TIME_TEST, pValue: r.p, z: r.z, alpha: t.alpha, tests: tested.length, adjustedAlpha: adjusted,
        current: { onTime: g.x1, total: g.n1, rate: r.p1, from: iso(split), to: iso(now) },
        baseline: { onTime: g.x2, total: g.n2, rate: r.p2, from: iso(start), to: iso(split) },
        drop,
      },
    });
  }
  return out.sort((a, b) => a.evidence.pValue - b.evidence.pValue || a.gridId - b.gridId);
}

// Monthly performance scores (绩效考核) for grids, communities, subdistricts and departments: six
// metrics, each a share in [0, 1] where higher is better, weighted by weights an admin edits.
// A metric without data for a unit (no case solved, nothing rated, no hotline case, no branch
// activity records) is left out of that unit's score and the other weights are scaled up to fill
// its place; the breakdown says so. Score = 100 × Σ wᵢ·vᵢ / Σ wᵢ over the metrics with data, and
// each metric's contribution is its term, so the breakdown sums to the score. Pure.
import { z } from 'zod';

export const METRICS = ['solveInGrid', 'onTime', 'satisfaction', 'verification', 'hotlineRepeat', 'branchActivity'] as const;
export type Metric = (typeof METRICS)[number];

export const METRIC_NAMES: Record<Metric, string> = {
  solveInGrid: '网格内解决率',
  onTime: '按期办结率',
  satisfaction: '群众满意度',
  verification: '核查通过率',
  hotlineRepeat: '热线非重复投诉率',
  branchActivity: '支部活动',
};

export const UNIT_LEVELS = ['grid', 'community', 'subdistrict', 'department'] as const;
export type UnitLevel = (typeof UNIT_LEVELS)[number];
export const UNIT_LEVEL_NAMES: Record<UnitLevel, string> = { grid: '网格', community: '社区', subdistrict: '街道', department: '职能部门' };

export type Weights = Record<Metric, number>;

export const DEFAULT_WEIGHTS: Weights = {
  solveInGrid: 0.25, onTime: 0.25, satisfaction: 0.2, verification: 0.1, hotlineRepeat: 0.1, branchActivity: 0.1,
};

/** Weights as an admin sends them: every metric, non-negative, finite, not all zero. */
export const weightsSchema = z.object(Object.fromEntries(METRICS.map((m) => [m, z.number().min(0).max(1000)])) as Record<Metric, z.ZodNumber>)
  .strict()
  .refine((w) => METRICS.some((m) => w[m] > 0), { message: 'at least one weight must be above zero' });

/** Weights scaled to sum to 1 (`normalised` says whether they had to be). */
export function normaliseWeights(w: Weights): { weights: Weights; normalised: boolean } {
  const sum = METRICS.reduce((s, m) => s + w[m], 0);
  if (!(sum > 0)) throw new Error('weights sum to zero');
  const normalised = Math.abs(sum - 1) > 1e-9;
  return { weights: Object.fromEntries(METRICS.map((m) => [m, w[m] / sum])) as Weights, normalised };
}

/** The counts behind each metric for one unit and month. */
export interface UnitCounts {
  /** Cases solved (fixed or closed), and those of them solved at grid level. */
  solved: number;
  solvedAtGrid: number;
  /** Deadlines that ended, and those met. */
  deadlines: number;
  onTime: number;
  /** Ratings given. */
  satisfied: number;
  basicallySatisfied: number;
  dissatisfied: number;
  /** Verifications (核查) done, and those that failed (核查不通过). */
  verifications: number;
  verificationFailures: number;
  /** Hotline cases, and those with a repeat complaint (the same case called in again). */
  hotline: number;
  hotlineRepeats: number;
  /** Branch activities held in the month, from the Party ledger (null: the unit has no 网格党支部). */
  branchActivities: number | null;
  /** Activities per month that count as full marks (server/performance: two per branch of the unit). */
  branchActivityTarget?: number;
}

/** How much a 基本满意 counts against a 满意 (不满意 counts 0). */
export const BASICALLY_SATISFIED_VALUE = 0.6;

export interface MetricValue {
  metric: Metric;
  name: string;
  /** In [0, 1], null = no data. */
  value: number | null;
  numerator: number;
  denominator: number;
  /** Why there is no value. */
  noData?: string;
}

export function metricValues(c: UnitCounts, level: UnitLevel): MetricValue[] {
  const share = (metric: Metric, num: number, den: number, noData: string): MetricValue =>
    den > 0 ? { metric, name: METRIC_NAMES[metric], value: num / den, numerator: num, denominator: den }
      : { metric, name: METRIC_NAMES[metric], value: null, numerator: num, denominator: den, noData };
  const rated = c.satisfied + c.basicallySatisfied + c.dissatisfied;
  const target = c.branchActivityTarget ?? 2;
  return [
    level === 'department'
      ? { metric: 'solveInGrid', name: METRIC_NAMES.solveInGrid, value: null, numerator: 0, denominator: 0, noData: '职能部门不适用' }
      : share('solveInGrid', c.solvedAtGrid, c.solved, '本月无办结案件'),
    share('onTime', c.onTime, c.deadlines, '本月无到期节点'),
    share('satisfaction', c.satisfied + BASICALLY_SATISFIED_VALUE * c.basicallySatisfied, rated, '本月无评价'),
    share('verification', c.verifications - c.verificationFailures, c.verifications, '本月无核查'),
    share('hotlineRepeat', c.hotline - c.hotlineRepeats, c.hotline, '本月无热线案件'),
    c.branchActivities == null || level === 'department'
      ? { metric: 'branchActivity', name: METRIC_NAMES.branchActivity, value: null, numerator: 0, denominator: 0,
        noData: level === 'department' ? '职能部门不适用' : '暂无支部活动台账数据' }
      : { metric: 'branchActivity', name: METRIC_NAMES.branchActivity, value: Math.min(1, c.branchActivities / target),
        numerator: c.branchActivities, denominator: target },
  ];
}

export interface BreakdownItem extends MetricValue {
  /** The weight as set (normalised over all metrics). */
  weight: number;
  /** The weight in force for this unit (scaled over the metrics with data; 0 without data). */
  effectiveWeight: number;
  /** Points this metric adds to the score (they sum to the score). */
  points: number;
}

export interface UnitScore {
  /** 0–100, null when no metric has data. */
  score: number | null;
  breakdown: BreakdownItem[];
}

export function scoreUnit(c: UnitCounts, level: UnitLevel, weights: Weights): UnitScore {
  const { weights: w } = normaliseWeights(weights);
  const values = metricValues(c, level);
  const avail = values.filter((v) => v.value != null).reduce((s, v) => s + w[v.metric], 0);
  const breakdown = values.map((v) => {
    const effectiveWeight = v.value != null && avail > 0 ? w[v.metric] / avail : 0;
    return { ...v, weight: w[v.metric], effectiveWeight, points: v.value != null ? 100 * effectiveWeight * v.value : 0 };
  });
  return { score: avail > 0 ? breakdown.reduce((s, b) => s + b.points, 0) : null, breakdown };
}

export interface Ranked<T> {
  rank: number | null;
  unit: T;
  score: UnitScore;
}

/** Highest score first; equal scores share a rank (1, 2, 2, 4); units without a score last, unranked. */
export function rankUnits<T>(units: readonly { unit: T; score: UnitScore }[], key: (t: T) => string): Ranked<T>[] {
  const sorted = [...units].sort((a, b) => {
    if (a.score.score == null || b.score.score == null) return a.score.score == null ? (b.score.score == null ? key(a.unit).localeCompare(key(b.unit)) : 1) : -1;
    return b.score.score - a.score.score || key(a.unit).localeCompare(key(b.unit));
  });
  const out: Ranked<T>[] = [];
  sorted.forEach((u, i) => {
    const prev = out[i - 1];
    const rank = u.score.score == null ? null
      : prev && prev.score.score != null && Math.abs(prev.score.score - u.score.score) < 1e-9 ? prev.rank : i + 1;
    out.push({ rank, unit: u.unit, score: u.score });
  });
  return out;
}

import { describe, expect, it } from 'vitest';
import { DEFAULT_WEIGHTS, METRICS, normaliseWeights, rankUnits, scoreUnit, weightsSchema, type UnitCounts } from './scoring.js';

const counts = (o: Partial<UnitCounts> = {}): UnitCounts => ({
  solved: 10, solvedAtGrid: 8, deadlines: 20, onTime: 15, satisfied: 6, basicallySatisfied: 2, dissatisfied: 2,
  verifications: 10, verificationFailures: 1, hotline: 4, hotlineRepeats: 1, branchActivities: null, ...o,
});

describe('performance scoring', () => {
  it('the breakdown sums to the score; metrics without data are left out and the rest scaled', () => {
    const s = scoreUnit(counts(), 'grid', DEFAULT_WEIGHTS);
    expect(s.breakdown.map((b) => b.metric)).toEqual([...METRICS]);
    expect(s.breakdown.reduce((a, b) => a + b.points, 0)).toBeCloseTo(s.score!, 10);
    const branch = s.breakdown.find((b) => b.metric === 'branchActivity')!;
    expect([branch.value, branch.points, branch.effectiveWeight, branch.noData]).toEqual([null, 0, 0, '暂无支部活动台账数据']);
    expect(s.breakdown.reduce((a, b) => a + b.effectiveWeight, 0)).toBeCloseTo(1, 12);
    // By hand: values 0.8, 0.75, (6 + 1.2)/10 = 0.72, 0.9, 0.75; weights .25 .25 .2 .1 .1 over 0.9.
    const expected = (100 * (0.25 * 0.8 + 0.25 * 0.75 + 0.2 * 0.72 + 0.1 * 0.9 + 0.1 * 0.75)) / 0.9;
    expect(s.score).toBeCloseTo(expected, 10);
  });

  it('branch activity counts when recorded; departments have no solve-in-grid share', () => {
    const withBranch = scoreUnit(counts({ branchActivities: 1 }), 'grid', DEFAULT_WEIGHTS);
    expect(withBranch.breakdown.find((b) => b.metric === 'branchActivity')!.value).toBe(0.5);
    const dep = scoreUnit(counts(), 'department', DEFAULT_WEIGHTS);
    expect(dep.breakdown.find((b) => b.metric === 'solveInGrid')!.value).toBeNull();
    expect(dep.breakdown.reduce((a, b) => a + b.points, 0)).toBeCloseTo(dep.score!, 10);
    const empty = scoreUnit(counts({ solved: 0, solvedAtGrid: 0, deadlines: 0, onTime: 0, satisfied: 0, basicallySatisfied: 0, dissatisfied: 0,
      verifications: 0, verificationFailures: 0, hotline: 0, hotlineRepeats: 0 }), 'grid', DEFAULT_WEIGHTS);
    expect(empty.score).toBeNull();
  });

  it('weights: validated, normalised, and they change the ranking', () => {
    expect(weightsSchema.safeParse(DEFAULT_WEIGHTS).success).toBe(true);
    expect(weightsSchema.safeParse({ ...DEFAULT_WEIGHTS, onTime: -0.1 }).success).toBe(false);
    expect(weightsSchema.safeParse({ ...DEFAULT_WEIGHTS, onTime: Number.NaN }).success).toBe(false);
    expect(weightsSchema.safeParse({ ...DEFAULT_WEIGHTS, bogus: 1 }).success).toBe(false);
    const { onTime: _o, ...missing } = DEFAULT_WEIGHTS;
    expect(weightsSchema.safeParse(missing).success).toBe(false);
    expect(weightsSchema.safeParse(Object.fromEntries(METRICS.map((m) => [m, 0]))).success).toBe(false);
    const n = normaliseWeights({ ...DEFAULT_WEIGHTS, onTime: 2.25 });
    expect(n.normalised).toBe(true);
    expect(METRICS.reduce((s, m) => s + n.weights[m], 0)).toBeCloseTo(1, 12);
    expect(normaliseWeights(DEFAULT_WEIGHTS).normalised).toBe(false);

    // A solves at grid level but misses deadlines; B the other way round.
    const a = { unit: 'A', c: counts({ solvedAtGrid: 10, onTime: 5 }) };
    const b = { unit: 'B', c: counts({ solvedAtGrid: 3, onTime: 20 }) };
    const rank = (w: typeof DEFAULT_WEIGHTS) => rankUnits([a, b].map((x) => ({ unit: x.unit, score: scoreUnit(x.c, 'grid', w) })), (u) => u).map((r) => r.unit);
    const only = (m: (typeof METRICS)[number]) => Object.fromEntries(METRICS.map((k) => [k, k === m ? 1 : 0])) as typeof DEFAULT_WEIGHTS;
    expect(rank(only('solveInGrid'))).toEqual(['A', 'B']);
    expect(rank(only('onTime'))).toEqual(['B', 'A']);
  });

  it('ranks: ties share a rank, units without a score come last', () => {
    const s = (score: number | null) => ({ score, breakdown: [] });
    const r = rankUnits([{ unit: 'x', score: s(50) }, { unit: 'y', score: s(null) }, { unit: 'z', score: s(80) }, { unit: 'w', score: s(50) }], (u) => u);
    expect(r.map((x) => [x.unit, x.rank])).toEqual([['z', 1], ['w', 2], ['x', 2], ['y', null]]);
  });
});

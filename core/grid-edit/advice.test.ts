import { describe, expect, it } from 'vitest';
import { rebalanceAdvice, type AdviceGrid } from './advice.js';

const band = { min: 200, max: 300 };
const grid = (key: string, hh: number[], locked = false): AdviceGrid => ({
  key, locked, households: hh.reduce((a, b) => a + b, 0), buildingHouseholds: hh.map((h, i) => ({ id: `${key}${i}`, households: h })),
});
const many = (total: number, each = 10) => Array.from({ length: Math.round(total / each) }, () => each);

describe('rebalanceAdvice', () => {
  it('says nothing when every grid is in the band', () => {
    expect(rebalanceAdvice([grid('a', many(250)), grid('b', many(220))], [[0, 1]], band)).toEqual([]);
  });

  it('merges the touching pair that leaves least outside the band when there are too few households', () => {
    // 190 | 130 | 120 in a row (a–b–c): 440 households need two grids; b + c = 250 is in the band.
    const grids = [grid('a', many(190)), grid('b', many(130)), grid('c', many(120))];
    const advice = rebalanceAdvice(grids, [[0, 1], [1, 2]], band);
    expect(advice).toEqual([{ kind: 'merge', keys: ['b', 'c'], households: 250, cluster: { keys: ['a', 'b', 'c'], households: 440, grids: 3, need: 2 } }]);
  });

  it('splits the fullest grid when there are too many households', () => {
    // 460 | 300 touching: 760 households need three grids.
    const advice = rebalanceAdvice([grid('a', many(460)), grid('b', many(300))], [[0, 1]], band);
    expect(advice).toEqual([{ kind: 'split', keys: ['a'], households: 460, cluster: { keys: ['a', 'b'], households: 760, grids: 2, need: 3 } }]);
  });

  it('names a building over the maximum, which no grid line can help', () => {
    const advice = rebalanceAdvice([grid('a', [355]), grid('b', many(220)), grid('c', many(230))], [[0, 1], [1, 2]], band);
    expect(advice).toEqual([{ kind: 'building_over_max', keys: ['a'], buildingId: 'a0', households: 355 }]);
  });

  it('looks at each cluster of touching grids on its own and leaves locked grids out', () => {
    // Two parts of a community: {a, b} 460 + 300 and {c, d} 120 + 90, which do not touch.
    const grids = [grid('a', many(460)), grid('b', many(300)), grid('c', many(120)), grid('d', many(90))];
    const advice = rebalanceAdvice(grids, [[0, 1], [2, 3]], band);
    expect(advice.map((a) => [a.kind, a.keys])).toEqual([['split', ['a']], ['merge', ['c', 'd']]]);
    // With d locked, c is a cluster of its own: one grid for 120 households, nothing to merge with.
    const locked = rebalanceAdvice([grids[0]!, grids[1]!, grids[2]!, grid('d', many(90), true)], [[0, 1], [2, 3]], band);
    expect(locked.map((a) => a.kind)).toEqual(['split']);
  });
});

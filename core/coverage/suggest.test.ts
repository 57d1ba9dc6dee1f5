import { describe, expect, it } from 'vitest';
import { greedyMaxCover } from './suggest.js';

describe('greedy maximal covering', () => {
  // households of 6 buildings; building 0 is already covered
  const weight = [50, 10, 20, 30, 40, 5];
  const covered = [true, false, false, false, false, false];
  const candidates = [
    { points: [0, 1, 2] },      // new: 30
    { points: [2, 3] },         // new: 50
    { points: [3, 4] },         // new: 70
    { points: [0, 4, 5] },      // new: 45
  ];

  it('picks the largest new gain each round, not counting what is covered', () => {
    const picks = greedyMaxCover(candidates, weight, covered, 3);
    // round 1: c2 (70); round 2: c0 (10+20=30) vs c1 (20) vs c3 (5) → c0; round 3: c3 (5)
    expect(picks.map((p) => [p.candidate, p.gain, p.cumulative])).toEqual([[2, 70, 70], [0, 30, 100], [3, 5, 105]]);
    expect(picks[0]!.points).toEqual([3, 4]);
    expect(picks[1]!.points).toEqual([1, 2]);
  });

  it('stops when nothing more can be covered', () => {
    expect(greedyMaxCover(candidates, weight, covered, 10)).toHaveLength(3);
    expect(greedyMaxCover([{ points: [0] }], weight, covered, 2)).toEqual([]);
  });

  it('breaks ties to the lower candidate', () => {
    const picks = greedyMaxCover([{ points: [1] }, { points: [2] }, { points: [1] }], [0, 7, 7], [false, false, false], 1);
    expect(picks[0]!.candidate).toBe(0);
  });
});

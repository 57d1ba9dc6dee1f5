// Suggested sites: greedy maximal covering. Each candidate site covers the demand points (buildings)
// it reaches within the limit; k times, pick the candidate that newly covers the most weight
// (households) not yet covered, ties to the lower candidate index. Greedy is within 1 − 1/e of the
// optimum for this problem; it is what the API says it uses.

export interface CandidateCover {
  /** Demand points (indices) within the limit of this candidate. */
  points: ArrayLike<number>;
}

export interface Pick {
  candidate: number;
  /** Weight newly covered by this pick. */
  gain: number;
  /** Demand points newly covered by this pick. */
  points: number[];
  /** Weight covered by this pick and the ones before it. */
  cumulative: number;
}

/**
 * Greedy maximal covering. `covered` marks points already covered (not counted again). Stops early
 * when no candidate adds any weight.
 */
export function greedyMaxCover(
  candidates: readonly CandidateCover[], weight: ArrayLike<number>, covered: ArrayLike<boolean | number>, k: number,
): Pick[] {
  const done = new Uint8Array(weight.length);
  for (let i = 0; i < weight.length; i++) done[i] = covered[i] ? 1 : 0;
  // Upper bounds of each candidate's gain (gains only shrink as points get covered: lazy evaluation).
  const bound = candidates.map((c) => gainOf(c, weight, done));
  const used = new Uint8Array(candidates.length);
  const picks: Pick[] = [];
  let cumulative = 0;
  for (let round = 0; round < k; round++) {
    let best = -1, bestGain = 0;
    for (let c = 0; c < candidates.length; c++) {
      if (used[c] || bound[c]! <= bestGain) continue;
      const g = gainOf(candidates[c]!, weight, done);
      bound[c] = g;
      if (g > bestGain) { bestGain = g; best = c; }
    }
    if (best < 0) break;
    used[best] = 1;
    const pts: number[] = [];
    const cand = candidates[best]!;
    for (let i = 0; i < cand.points.length; i++) {
      const p = cand.points[i]!;
      if (!done[p] && weight[p]! > 0) { done[p] = 1; pts.push(p); }
    }
    cumulative += bestGain;
    picks.push({ candidate: best, gain: bestGain, points: pts, cumulative });
  }
  return picks;
}

function gainOf(c: CandidateCover, weight: ArrayLike<number>, done: Uint8Array): number {
  let g = 0;
  for (let i = 0; i < c.points.length; i++) {
    const p = c.points[i]!;
    if (!done[p]) g += weight[p]!;
  }
  return g;
}

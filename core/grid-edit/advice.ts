// What moving buildings cannot fix (issue 11, Rebalance): a building over the band's maximum
// cannot be split, and a cluster of touching grids whose households cannot fill (or are too many
// for) its number of grids needs a grid fewer or more. From the figures after a rebalance, this
// names the grids to merge or split and the buildings that must stand alone, so the analyst can
// re-partition just those grids. Pure.
import { chooseGroupCountForUnits } from '../partition.js';
import type { Band, RebalanceAdvice } from './contract.js';

export interface AdviceGrid {
  key: string;
  households: number;
  locked: boolean;
  /** Households of each building in the grid. */
  buildingHouseholds: readonly { id: number | string; households: number }[];
}

const viol = (h: number, band: Band) => (h < band.min ? band.min - h : h > band.max ? h - band.max : 0);

/**
 * Advice for grids still outside the band. `touches` lists pairs of grid indices that share a
 * boundary. Clusters are the connected sets of unlocked grids; each gets the count of grids its
 * buildings need (core/partition.ts chooseGroupCountForUnits, which gives a too-big building a
 * grid of its own) and, when that differs from what it has, one merge or split to get there.
 */
export function rebalanceAdvice(grids: readonly AdviceGrid[], touches: readonly (readonly [number, number])[], band: Band): RebalanceAdvice[] {
  const out: RebalanceAdvice[] = [];
  if (grids.every((g) => viol(g.households, band) === 0)) return out;
  grids.forEach((g) => {
    for (const b of g.buildingHouseholds) {
      if (b.households > band.max) out.push({ kind: 'building_over_max', keys: [g.key], buildingId: b.id, households: b.households });
    }
  });
  const nb = grids.map(() => new Set<number>());
  for (const [a, b] of touches) if (!grids[a]!.locked && !grids[b]!.locked && a !== b) { nb[a]!.add(b); nb[b]!.add(a); }
  const seen = new Uint8Array(grids.length);
  for (let s = 0; s < grids.length; s++) {
    if (seen[s] || grids[s]!.locked) continue;
    const members = [s];
    seen[s] = 1;
    for (let q = 0; q < members.length; q++) for (const n of nb[members[q]!]!) if (!seen[n]) { seen[n] = 1; members.push(n); }
    members.sort((a, b) => a - b);
    const households = members.reduce((a, i) => a + grids[i]!.households, 0);
    if (members.every((i) => viol(grids[i]!.households, band) === 0)) continue;
    const units = members.flatMap((i) => grids[i]!.buildingHouseholds.map((b) => ({ x: 0, y: 0, households: b.households, area: 0 })));
    const need = chooseGroupCountForUnits(units, band);
    const keys = members.map((i) => grids[i]!.key);
    if (need < members.length) {
      // Merge the touching pair that leaves the least outside the band.
      let best: [number, number] | null = null, bestGain = -Infinity;
      for (const a of members) for (const b of nb[a]!) {
        if (b <= a) continue;
        const ha = grids[a]!.households, hb = grids[b]!.households;
        const gain = viol(ha, band) + viol(hb, band) - viol(ha + hb, band);
        if (gain > bestGain) { bestGain = gain; best = [a, b]; }
      }
      if (best) out.push({ kind: 'merge', keys: best.map((i) => grids[i]!.key), households: grids[best[0]]!.households + grids[best[1]]!.households, cluster: { keys, households, grids: members.length, need } });
    } else if (need > members.length) {
      // Split the fullest grid that has more than one building.
      const cand = members.filter((i) => grids[i]!.buildingHouseholds.length > 1).sort((a, b) => grids[b]!.households - grids[a]!.households || a - b);
      if (cand.length) out.push({ kind: 'split', keys: [grids[cand[0]!]!.key], households: grids[cand[0]!]!.households, cluster: { keys, households, grids: members.length, need } });
    }
  }
  return out;
}

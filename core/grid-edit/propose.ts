// "Partition this community" (issue 11): the product's partition engine (core/partition.ts) run on
// the part of the community not held by locked grids, with the result fitted exactly to that area
// (so the proposal has no gap or overlap against the community boundary or the locked grids).
// Grids never split a building (units are whole buildings with their ground), are contiguous, are
// balanced into the household band, and the plan is deterministic for a seed. Pure.
import { area, bbox, booleanPointInPolygon, difference, feature, featureCollection, intersect, union } from '@turf/turf';
import Flatbush from 'flatbush';
import type { Feature, MultiPolygon, Polygon, Position } from 'geojson';
import { interiorPoint, localProjection, partitionCommunity, segmentsIntersect, type XY } from '../partition.js';
import { asMulti, type AreaGeometry, type Band, type DraftGrid, type GridFigures, type Quality } from './contract.js';
import { quality } from './quality.js';
import { gridFigures, type ValidationBuilding } from './validate.js';

export type ProposalBuilding = ValidationBuilding;

type AreaFeature = Feature<Polygon | MultiPolygon>;
const feat = (g: AreaGeometry) => feature(g) as AreaFeature;

function unionAll(gs: readonly AreaGeometry[]): AreaFeature | null {
  if (gs.length === 0) return null;
  if (gs.length === 1) return feat(gs[0]!);
  return union(featureCollection(gs.map(feat)));
}

function distToSegment(p: XY, a: XY, b: XY): number {
  const dx = b[0] - a[0], dy = b[1] - a[1];
  const l2 = dx * dx + dy * dy;
  const t = l2 > 0 ? Math.max(0, Math.min(1, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / l2)) : 0;
  return Math.hypot(p[0] - a[0] - t * dx, p[1] - a[1] - t * dy);
}

/**
 * Make grids that reach past `boundary` cover it exactly: clip each to the boundary, then give
 * any leftover sliver to the grid it shares the most boundary with. Grids stay disjoint. Grids
 * that neither cross nor touch the boundary are inside it and kept as they are. `union`, the
 * union of all grids when the caller has it exactly (core/partition.ts partitionCommunity), saves
 * computing it.
 */
export function fitToBoundary(grids: readonly MultiPolygon[], boundary: AreaGeometry, unionOfGrids?: MultiPolygon | null): MultiPolygon[] {
  const b = feat(boundary);
  const first = (boundary.type === 'Polygon' ? boundary.coordinates[0]! : boundary.coordinates[0]![0]!)[0]!;
  const proj = localProjection(first[0]!, first[1]!);
  const bRings = (boundary.type === 'Polygon' ? [boundary.coordinates] : boundary.coordinates).flat();
  const bSegs: [XY, XY][] = [];
  for (const r of bRings) for (let k = 0; k + 1 < r.length; k++) bSegs.push([proj.toXY(r[k]!), proj.toXY(r[k + 1]!)]);
  const bIndex = segmentIndex(bSegs);
  const inside = (g: MultiPolygon): boolean => {
    for (const p of g.coordinates) for (const r of p) {
      for (let k = 0; k + 1 < r.length; k++) {
        const a = proj.toXY(r[k]!), c = proj.toXY(r[k + 1]!);
        for (const j of bIndex.search(Math.min(a[0], c[0]), Math.min(a[1], c[1]), Math.max(a[0], c[0]), Math.max(a[1], c[1]))) {
          if (segmentsIntersect(a, c, bSegs[j]![0], bSegs[j]![1])) return false;
        }
      }
    }
    // No crossing: each part is wholly inside or outside, and a boundary hole wholly inside a part or not.
    return g.coordinates.every((p) => booleanPointInPolygon(p[0]![0]!, boundary)) && !bRings.some((r) => booleanPointInPolygon(r[0]!, g));
  };
  const out: (MultiPolygon | null)[] = grids.map((g) => {
    if (inside(g)) return g;
    const x = intersect(featureCollection([feat(g), b]));
    return x ? asMulti(x.geometry) : null;
  });
  const live = out.filter((g): g is MultiPolygon => g !== null);
  const covered = unionOfGrids ? feat(unionOfGrids) : unionAll(live);
  const rest = covered ? difference(featureCollection([b, covered])) : b;
  if (!rest) return live;
  const pieces = rest.geometry.type === 'Polygon' ? [rest.geometry.coordinates] : rest.geometry.coordinates;
  const big = pieces.filter((piece) => area({ type: 'Polygon', coordinates: piece }) >= 0.01);
  if (big.length === 0) return live;
  // Every grid's edges in one index: a sliver goes to the grid with the most of its vertices within 0.5 m.
  const segs: [XY, XY][] = [], segGrid: number[] = [];
  out.forEach((g, i) => {
    if (!g) return;
    for (const p of g.coordinates) for (const r of p) for (let k = 0; k + 1 < r.length; k++) { segs.push([proj.toXY(r[k]!), proj.toXY(r[k + 1]!)]); segGrid.push(i); }
  });
  const index = segmentIndex(segs);
  for (const piece of big) {
    const pg: Polygon = { type: 'Polygon', coordinates: piece };
    const pts = piece[0]!.map((c) => proj.toXY(c));
    const score = new Map<number, number>(), dmin = new Map<number, number>();
    let reach = 0.5;
    for (const p of pts) {
      const near = new Map<number, number>();
      for (const j of index.search(p[0] - reach, p[1] - reach, p[0] + reach, p[1] + reach)) {
        const d = distToSegment(p, segs[j]![0], segs[j]![1]), g = segGrid[j]!;
        if (d < (near.get(g) ?? Infinity)) near.set(g, d);
      }
      for (const [g, d] of near) {
        if (d < 0.5) score.set(g, (score.get(g) ?? 0) + 1);
        if (d < (dmin.get(g) ?? Infinity)) dmin.set(g, d);
      }
    }
    if (score.size === 0) { // nothing within 0.5 m: the nearest grid
      reach = Infinity;
      for (const p of pts) for (let j = 0; j < segs.length; j++) {
        const d = distToSegment(p, segs[j]![0], segs[j]![1]), g = segGrid[j]!;
        if (d < (dmin.get(g) ?? Infinity)) dmin.set(g, d);
      }
    }
    let best = -1, bestScore = -1, bestD = Infinity;
    out.forEach((g, i) => {
      if (!g) return;
      const s = score.get(i) ?? 0, d = dmin.get(i) ?? Infinity;
      if (s > bestScore || (s === bestScore && d < bestD)) { best = i; bestScore = s; bestD = d; }
    });
    if (best < 0) continue;
    const u = union(featureCollection([feat(out[best]!), feat(pg)]));
    if (u) out[best] = asMulti(u.geometry);
  }
  return out.filter((g): g is MultiPolygon => g !== null);
}

function segmentIndex(segs: readonly [XY, XY][]): { search: (x0: number, y0: number, x1: number, y1: number) => number[] } {
  if (segs.length === 0) return { search: () => [] };
  const idx = new Flatbush(segs.length);
  for (const [a, b] of segs) idx.add(Math.min(a[0], b[0]), Math.min(a[1], b[1]), Math.max(a[0], b[0]), Math.max(a[1], b[1]));
  idx.finish();
  return { search: (x0, y0, x1, y1) => idx.search(x0, y0, x1, y1) };
}

export interface ProposeInput {
  community: AreaGeometry;
  /** The current grids; locked ones (lockedKeys or locked: true) are kept as they are. */
  grids: readonly DraftGrid[];
  lockedKeys?: readonly string[];
  buildings: readonly ProposalBuilding[];
  band: Band;
  seed?: number;
  /** Name for grid number n (1-based) that matches no current grid. */
  name?: (n: number) => string;
  /** Balance households by moving boundary buildings (default true; false = bisection only, the benchmark's baseline). */
  refine?: boolean;
}

export interface Proposal {
  grids: DraftGrid[];
  figures: GridFigures[];
  quality: Quality;
  /** Refinement steps (candidate moves considered) and moves applied. */
  stats: { steps: number; moves: number; ms?: number };
}

const now = () => (typeof performance !== 'undefined' ? performance.now() : Date.now());

export function proposePartition(input: ProposeInput): Proposal {
  const t0 = now();
  const lockedSet = new Set(input.lockedKeys ?? []);
  const locked = input.grids.filter((g) => g.locked || lockedSet.has(g.key)).map((g) => ({ ...g, locked: true }));
  const unlocked = input.grids.filter((g) => !(g.locked || lockedSet.has(g.key)));
  const held = unionAll(locked.map((g) => g.geometry));
  const free = held ? difference(featureCollection([feat(input.community), held])) : feat(input.community);
  const stats: Proposal['stats'] = { steps: 0, moves: 0 };
  let proposed: MultiPolygon[] = [];
  if (free && area(free) > 1) {
    const inLocked = (p: Position) => locked.some((g) => booleanPointInPolygon(p, g.geometry));
    const buildings = input.buildings
      .filter((b) => !inLocked(interiorPoint(b.geometry)))
      .map((b) => ({ id: String(b.id), footprint: b.geometry, households: b.households }));
    const r = partitionCommunity({ boundary: free.geometry, buildings, target: input.band, seed: input.seed ?? 0, stats, extendOutside: true, refine: input.refine, spread: true, maxMoves: 5000 });
    proposed = fitToBoundary(r.grids.map((g) => g.geometry), free.geometry, r.union);
  }
  // Keep identities: each proposed grid takes the id, key and name of the unlocked grid it overlaps most (one each).
  const pairs: { p: number; u: number; a: number }[] = [];
  const uBoxes = unlocked.map((ug) => bbox(ug.geometry));
  proposed.forEach((pg, p) => {
    const [x0, y0, x1, y1] = bbox(pg);
    unlocked.forEach((ug, u) => {
      const ub = uBoxes[u]!;
      if (ub[0] > x1 || ub[2] < x0 || ub[1] > y1 || ub[3] < y0) return;
      const x = intersect(featureCollection([feat(pg), feat(ug.geometry)]));
      if (x) pairs.push({ p, u, a: area(x) });
    });
  });
  pairs.sort((x, y) => y.a - x.a || x.p - y.p || x.u - y.u);
  const takenP = new Set<number>(), takenU = new Set<number>();
  const match = new Map<number, number>();
  for (const { p, u } of pairs) if (!takenP.has(p) && !takenU.has(u)) { match.set(p, u); takenP.add(p); takenU.add(u); }
  let n = 0;
  const usedKeys = new Set(input.grids.map((g) => g.key));
  const freshKey = () => { let k: string; do k = `p${input.seed ?? 0}-${++n}`; while (usedKeys.has(k)); usedKeys.add(k); return k; };
  const name = input.name ?? ((i: number) => `新网格${i}`);
  let named = 0;
  const grids: DraftGrid[] = [
    ...locked,
    ...proposed.map((geometry, p) => {
      const u = match.get(p);
      if (u !== undefined) { const g = unlocked[u]!; return { id: g.id, key: g.key, name: g.name, geometry }; }
      return { id: null, key: freshKey(), name: name(++named), geometry };
    }),
  ];
  const { figures, gridOf } = gridFigures(grids, input.buildings, input.band);
  const before = gridFigures(input.grids, input.buildings, input.band).gridOf;
  const keyOf = (gs: readonly DraftGrid[], i: number) => (i >= 0 ? gs[i]!.key : null);
  const moved = input.buildings.filter((_, b) => keyOf(input.grids, before[b]!) !== keyOf(grids, gridOf[b]!)).length;
  const q = quality(grids.map((g, i) => ({ geometry: g.geometry, households: figures[i]!.households })), input.band, moved, now() - t0);
  return { grids, figures, quality: q, stats };
}

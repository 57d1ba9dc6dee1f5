// Live figures for the grid editor (网格划分): households, residents and buildings inside each grid,
// and the buildings a proposed line or boundary would cut. Pure: no I/O.
//
// A building belongs to the grid holding its interior point — the very point PostGIS
// ST_PointOnSurface gives (core/partition.ts interiorPoint) — so the editor's live counts match what
// the server assigns on publish.
import Flatbush from 'flatbush';
import type { MultiPolygon, Polygon, Position } from 'geojson';
import { interiorPoint, localProjection, pointInRings, type LocalProjection, type XY } from '../partition.js';
import type { GridShape, LonLat } from './topology.js';

export interface StatBuilding {
  id: number | string;
  households: number;
  residents: number;
  geometry: Polygon | MultiPolygon;
}

export interface BuildingIndex {
  readonly buildings: readonly StatBuilding[];
  /** Interior point of each building (lon/lat). */
  readonly points: readonly LonLat[];
  /** Footprint rings per building in the local projection: polygons → rings → points. */
  readonly ringsXY: readonly XY[][][][];
  readonly proj: LocalProjection;
  /** R-tree over footprint bounding boxes (projected). */
  readonly tree: Flatbush | null;
}

function polygonsOf(g: Polygon | MultiPolygon): Position[][][] {
  return g.type === 'Polygon' ? [g.coordinates] : g.coordinates;
}

/** Index buildings once per community (interior points, projected rings, an R-tree). */
export function indexBuildings(buildings: readonly StatBuilding[], proj?: LocalProjection): BuildingIndex {
  let a = Infinity, b = Infinity, c = -Infinity, d = -Infinity;
  for (const bl of buildings) for (const p of polygonsOf(bl.geometry)) for (const q of p[0] ?? []) {
    a = Math.min(a, q[0]!); c = Math.max(c, q[0]!); b = Math.min(b, q[1]!); d = Math.max(d, q[1]!);
  }
  const pr = proj ?? (Number.isFinite(a) ? localProjection((a + c) / 2, (b + d) / 2) : localProjection(0, 0));
  const kept = buildings.filter((bl) => polygonsOf(bl.geometry).some((p) => (p[0]?.length ?? 0) >= 3));
  const points = kept.map((bl) => {
    const p = interiorPoint(bl.geometry);
    return [p[0]!, p[1]!] as LonLat;
  });
  const ringsXY = kept.map((bl) => polygonsOf(bl.geometry).map((rings) => rings.map((r) => r.map((q) => pr.toXY(q)))));
  let tree: Flatbush | null = null;
  if (kept.length) {
    tree = new Flatbush(kept.length);
    for (const polys of ringsXY) {
      let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
      for (const rings of polys) for (const q of rings[0] ?? []) { x0 = Math.min(x0, q[0]); x1 = Math.max(x1, q[0]); y0 = Math.min(y0, q[1]); y1 = Math.max(y1, q[1]); }
      tree.add(x0, y0, x1, y1);
    }
    tree.finish();
  }
  return { buildings: kept, points, ringsXY, proj: pr, tree };
}

export interface LiveFigures {
  households: number;
  residents: number;
  buildings: number;
  buildingIds: (number | string)[];
}

const inGeometry = (p: LonLat, g: Polygon | MultiPolygon) => polygonsOf(g).some((rings) => pointInRings(p, rings as unknown as XY[][]));

/**
 * Households, residents and buildings of each grid (by the building's interior point). A building
 * in no grid is counted under `unassigned`.
 */
export function liveFigures(shapes: readonly GridShape[], idx: BuildingIndex): { grids: Map<string, LiveFigures>; unassigned: LiveFigures } {
  const grids = new Map<string, LiveFigures>();
  const empty = (): LiveFigures => ({ households: 0, residents: 0, buildings: 0, buildingIds: [] });
  for (const s of shapes) grids.set(s.key, empty());
  const unassigned = empty();
  const boxes = shapes.map((s) => {
    let a = Infinity, b = Infinity, c = -Infinity, d = -Infinity;
    for (const p of polygonsOf(s.geometry)) for (const q of p[0] ?? []) { a = Math.min(a, q[0]!); c = Math.max(c, q[0]!); b = Math.min(b, q[1]!); d = Math.max(d, q[1]!); }
    return [a, b, c, d] as const;
  });
  idx.buildings.forEach((bl, i) => {
    const p = idx.points[i]!;
    let into = unassigned;
    for (let k = 0; k < shapes.length; k++) {
      const bx = boxes[k]!;
      if (p[0] < bx[0] || p[0] > bx[2] || p[1] < bx[1] || p[1] > bx[3]) continue;
      if (inGeometry(p, shapes[k]!.geometry)) { into = grids.get(shapes[k]!.key)!; break; }
    }
    into.households += bl.households || 0;
    into.residents += bl.residents || 0;
    into.buildings += 1;
    into.buildingIds.push(bl.id);
  });
  return { grids, unassigned };
}

export type BandStatus = 'low' | 'in' | 'high';

export interface Band {
  min: number;
  max: number;
}

/** 低于 / 区间内 / 高于 the household band. */
export function bandStatus(households: number, band: Band): BandStatus {
  return households < band.min ? 'low' : households > band.max ? 'high' : 'in';
}

export const BAND_LABEL: Record<BandStatus, string> = { low: '低于', in: '区间内', high: '高于' };

const WALL_MARGIN_M = 0.05;

function distToRings(p: XY, polys: readonly XY[][][]): number {
  let best = Infinity;
  for (const rings of polys) for (const ring of rings) for (let i = 0; i + 1 < ring.length; i++) {
    const a = ring[i]!, b = ring[i + 1]!;
    const dx = b[0] - a[0], dy = b[1] - a[1];
    const l2 = dx * dx + dy * dy;
    const t = l2 > 0 ? Math.max(0, Math.min(1, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / l2)) : 0;
    best = Math.min(best, Math.hypot(p[0] - a[0] - t * dx, p[1] - a[1] - t * dy));
  }
  return best;
}

function insideLength(P: XY, Q: XY, polys: readonly XY[][][]): number {
  const ts = [0, 1];
  const rx = Q[0] - P[0], ry = Q[1] - P[1];
  for (const rings of polys) for (const ring of rings) {
    for (let i = 0; i + 1 < ring.length; i++) {
      const A = ring[i]!, B = ring[i + 1]!;
      const sx = B[0] - A[0], sy = B[1] - A[1];
      const den = rx * sy - ry * sx;
      if (Math.abs(den) < 1e-12) continue;
      const t = ((A[0] - P[0]) * sy - (A[1] - P[1]) * sx) / den;
      const u = ((A[0] - P[0]) * ry - (A[1] - P[1]) * rx) / den;
      if (t > 0 && t < 1 && u >= 0 && u <= 1) ts.push(t);
    }
  }
  ts.sort((a, b) => a - b);
  const len = Math.hypot(rx, ry);
  let inside = 0;
  for (let k = 0; k + 1 < ts.length; k++) {
    const t0 = ts[k]!, t1 = ts[k + 1]!;
    if (t1 - t0 <= 0) continue;
    const tm = (t0 + t1) / 2;
    const m: XY = [P[0] + rx * tm, P[1] + ry * tm];
    // A piece running along a wall is on the boundary, not inside: require a margin.
    if (polys.some((rings) => pointInRings(m, rings)) && distToRings(m, polys) > WALL_MARGIN_M) inside += (t1 - t0) * len;
  }
  return inside;
}

export interface CutOptions {
  /** A line must run at least this far inside a footprint to cut it, metres (default 0.5). */
  minInsideM?: number;
}

/**
 * Buildings a polyline would cut: those it runs through for more than `minInsideM` metres
 * (running along a wall or grazing a corner is not a cut). Returns indexes into `idx.buildings`.
 */
export function buildingsCutByLines(lines: readonly (readonly LonLat[])[], idx: BuildingIndex, opts: CutOptions = {}): number[] {
  const min = opts.minInsideM ?? 0.5;
  if (!idx.tree) return [];
  const hit = new Map<number, number>();
  for (const line of lines) {
    const xs = line.map((p) => idx.proj.toXY(p));
    for (let s = 0; s + 1 < xs.length; s++) {
      const P = xs[s]!, Q = xs[s + 1]!;
      for (const b of idx.tree.search(Math.min(P[0], Q[0]), Math.min(P[1], Q[1]), Math.max(P[0], Q[0]), Math.max(P[1], Q[1]))) {
        const l = insideLength(P, Q, idx.ringsXY[b]!);
        if (l > 0) hit.set(b, (hit.get(b) ?? 0) + l);
      }
    }
  }
  return [...hit.entries()].filter(([, l]) => l > min).map(([b]) => b).sort((a, b) => a - b);
}

/** Ids of the buildings a polyline would cut. */
export function buildingIdsCutByLine(line: readonly LonLat[], idx: BuildingIndex, opts: CutOptions = {}): (number | string)[] {
  return buildingsCutByLines([line], idx, opts).map((i) => idx.buildings[i]!.id);
}

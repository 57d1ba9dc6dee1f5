// Small planar geometry helpers for label placement and bbox maths (lon/lat treated as planar —
// fine at district scale). Pure functions.
import type { Geometry, MultiPolygon, Polygon, Position } from 'geojson';

export type LonLat = [number, number];

/** Signed area of a ring (shoelace), in squared degrees. */
export function ringArea(ring: readonly Position[]): number {
  let a = 0;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    a += ring[j]![0]! * ring[i]![1]! - ring[i]![0]! * ring[j]![1]!;
  }
  return a / 2;
}

export function pointInRing([x, y]: LonLat, ring: readonly Position[]): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const xi = ring[i]![0]!;
    const yi = ring[i]![1]!;
    const xj = ring[j]![0]!;
    const yj = ring[j]![1]!;
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

export function pointInPolygon(p: LonLat, rings: readonly Position[][]): boolean {
  if (!rings[0] || !pointInRing(p, rings[0])) return false;
  for (let k = 1; k < rings.length; k++) if (pointInRing(p, rings[k]!)) return false;
  return true;
}

/** Is a point inside a Polygon or in any part of a MultiPolygon (holes excluded)? */
export function pointInGeometry(p: LonLat, geom: Polygon | MultiPolygon): boolean {
  const polys = geom.type === 'Polygon' ? [geom.coordinates] : geom.coordinates;
  return polys.some((rings) => pointInPolygon(p, rings));
}

function ringCentroid(ring: readonly Position[]): LonLat | null {
  let a = 0;
  let cx = 0;
  let cy = 0;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [x0, y0] = ring[j] as [number, number];
    const [x1, y1] = ring[i] as [number, number];
    const f = x0 * y1 - x1 * y0;
    a += f;
    cx += (x0 + x1) * f;
    cy += (y0 + y1) * f;
  }
  if (Math.abs(a) < 1e-18) return null;
  return [cx / (3 * a), cy / (3 * a)];
}

function polygonsOf(g: Geometry): Position[][][] {
  if (g.type === 'Polygon') return [g.coordinates];
  if (g.type === 'MultiPolygon') return g.coordinates;
  return [];
}

/**
 * A point for a label: the centroid of the largest polygon part when it lies inside that part,
 * otherwise the midpoint of the widest horizontal span through the part's vertical middle.
 */
export function labelPoint(g: Geometry): LonLat | null {
  if (g.type === 'Point') return [g.coordinates[0]!, g.coordinates[1]!];
  const parts = polygonsOf(g);
  let best: Position[][] | null = null;
  let bestArea = -1;
  for (const p of parts) {
    const a = Math.abs(ringArea(p[0] ?? []));
    if (a > bestArea) {
      bestArea = a;
      best = p;
    }
  }
  if (!best || !best[0] || best[0].length < 3) return null;
  const c = ringCentroid(best[0]);
  if (c && pointInPolygon(c, best)) return c;
  // Scan line through the middle latitude; take the widest inside span.
  const ys = best[0].map((p) => p[1]!);
  const y = c ? c[1] : (Math.min(...ys) + Math.max(...ys)) / 2;
  const xs: number[] = [];
  for (const ring of best) {
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      const [xi, yi] = ring[i] as [number, number];
      const [xj, yj] = ring[j] as [number, number];
      if (yi > y !== yj > y) xs.push(((xj - xi) * (y - yi)) / (yj - yi) + xi);
    }
  }
  xs.sort((a, b) => a - b);
  let span: LonLat | null = null;
  let width = -1;
  for (let k = 0; k + 1 < xs.length; k += 2) {
    const w = xs[k + 1]! - xs[k]!;
    if (w > width) {
      width = w;
      span = [(xs[k]! + xs[k + 1]!) / 2, y];
    }
  }
  return span ?? [best[0][0]![0]!, best[0][0]![1]!];
}

/** [minLon, minLat, maxLon, maxLat] of a geometry. */
export function geometryBBox(g: Geometry): [number, number, number, number] {
  let a = Infinity;
  let b = Infinity;
  let c = -Infinity;
  let d = -Infinity;
  const visit = (p: Position) => {
    if (p[0]! < a) a = p[0]!;
    if (p[1]! < b) b = p[1]!;
    if (p[0]! > c) c = p[0]!;
    if (p[1]! > d) d = p[1]!;
  };
  const walk = (x: unknown): void => {
    if (Array.isArray(x) && typeof x[0] === 'number') visit(x as Position);
    else if (Array.isArray(x)) x.forEach(walk);
  };
  if (g.type === 'GeometryCollection') g.geometries.forEach((gg) => walk((gg as { coordinates?: unknown }).coordinates));
  else walk(g.coordinates);
  return [a, b, c, d];
}

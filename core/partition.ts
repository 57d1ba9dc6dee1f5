// Partitioning an area into management grids (网格划分). Pure: no I/O.
//
// The method is a cell complex: a Voronoi diagram of labelled seed points (building outlines and
// interior points, both sides of roads, water, filler points) computed in a local metric
// projection. Every region we output — grids, communities, subdistricts — is a union of these
// cells. The vertices are rounded once (to 1e-7°) and shared by neighbouring cells, and unions are
// formed by cancelling shared edges, never by floating-point overlay. So two regions that touch
// share exactly the same vertices along their common edge: they cannot overlap, not even by a
// sliver, and a region is covered by its parent exactly. Boundaries are then simplified chain by
// chain (each chain between two junctions is simplified once, for both sides), and a
// simplification that would make chains cross or move a building to the other side is undone.
//
// Grouping cells into grids of a target household range: units (whole buildings with the ground
// around them, or whole road-bounded blocks) are split by recursive weighted bisection, then
// every group is made contiguous and boundary units are moved between neighbouring groups to
// bring household totals into the target range where possible.
import Flatbush from 'flatbush';
import type { MultiPolygon, Polygon, Position } from 'geojson';
import { circumcenter, delaunay, nextHalfedge } from './delaunay.js';

export type XY = [number, number];
/** [minX, minY, maxX, maxY] */
export type Box = [number, number, number, number];

// ---------------------------------------------------------------------------------------------
// Local projection (equirectangular about a centre; metres; good to ~0.1% over a district)

const EARTH_R = 6371008.8;

export interface LocalProjection {
  readonly lon0: number;
  readonly lat0: number;
  toXY(p: Position): XY;
  toLonLat(p: XY): XY;
}

export function localProjection(lon0: number, lat0: number): LocalProjection {
  const ky = (Math.PI / 180) * EARTH_R;
  const kx = ky * Math.cos((lat0 * Math.PI) / 180);
  return {
    lon0,
    lat0,
    toXY: (p) => [(p[0]! - lon0) * kx, (p[1]! - lat0) * ky],
    toLonLat: (p) => [p[0] / kx + lon0, p[1] / ky + lat0],
  };
}

// ---------------------------------------------------------------------------------------------
// Small planar helpers (projected coordinates)

export function ringArea(ring: readonly XY[]): number {
  let a = 0;
  for (let i = 0, n = ring.length; i < n; i++) {
    const p = ring[i]!, q = ring[(i + 1) % n]!;
    a += p[0] * q[1] - q[0] * p[1];
  }
  return a / 2;
}

/** Even-odd point in ring (ring open or closed). */
export function pointInRing(p: XY, ring: readonly XY[]): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const a = ring[i]!, b = ring[j]!;
    if ((a[1] > p[1]) !== (b[1] > p[1]) && p[0] < ((b[0] - a[0]) * (p[1] - a[1])) / (b[1] - a[1]) + a[0]) inside = !inside;
  }
  return inside;
}

/** Point in polygon given as rings (first exterior, rest holes), even-odd over all rings. */
export function pointInRings(p: XY, rings: readonly (readonly XY[])[]): boolean {
  let inside = false;
  for (const r of rings) if (pointInRing(p, r)) inside = !inside;
  return inside;
}

function distToSegment(p: XY, a: XY, b: XY): number {
  const dx = b[0] - a[0], dy = b[1] - a[1];
  const l2 = dx * dx + dy * dy;
  let t = l2 > 0 ? ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / l2 : 0;
  t = Math.max(0, Math.min(1, t));
  return Math.hypot(p[0] - a[0] - t * dx, p[1] - a[1] - t * dy);
}

function orient(a: XY, b: XY, c: XY): number {
  return (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]);
}

/** Do segments ab and cd intersect (touching counts)? */
export function segmentsIntersect(a: XY, b: XY, c: XY, d: XY): boolean {
  const o1 = orient(a, b, c), o2 = orient(a, b, d), o3 = orient(c, d, a), o4 = orient(c, d, b);
  if (((o1 > 0 && o2 < 0) || (o1 < 0 && o2 > 0)) && ((o3 > 0 && o4 < 0) || (o3 < 0 && o4 > 0))) return true;
  const eps = 1e-9;
  return distToSegment(c, a, b) < eps || distToSegment(d, a, b) < eps || distToSegment(a, c, d) < eps || distToSegment(b, c, d) < eps;
}

/**
 * Interior point of a (multi)polygon exactly as GEOS/JTS InteriorPointArea computes it (PostGIS
 * ST_PointOnSurface): the midpoint of the widest interior section of a horizontal scan line
 * through the middle of the polygon. Used so that a building's seed is the very point PostGIS
 * will test when assigning the building to a grid.
 */
export function interiorPoint(geom: Polygon | MultiPolygon): Position {
  const polys = geom.type === 'Polygon' ? [geom.coordinates] : geom.coordinates;
  let best: Position | null = null;
  let bestWidth = -1;
  for (const rings of polys) {
    const shell = rings[0];
    if (!shell || shell.length === 0) continue;
    let minY = Infinity, maxY = -Infinity;
    for (const p of shell) { minY = Math.min(minY, p[1]!); maxY = Math.max(maxY, p[1]!); }
    const centreY = (minY + maxY) / 2;
    let hiY = maxY, loY = minY;
    for (const ring of rings) for (const p of ring) {
      const y = p[1]!;
      if (y <= centreY) { if (y > loY) loY = y; } else if (y < hiY) hiY = y;
    }
    const scanY = (hiY + loY) / 2;
    const xs: number[] = [];
    for (const ring of rings) {
      for (let i = 1; i < ring.length; i++) {
        const p0 = ring[i - 1]!, p1 = ring[i]!;
        const y0 = p0[1]!, y1 = p1[1]!;
        if (y0 > scanY && y1 > scanY) continue;
        if (y0 < scanY && y1 < scanY) continue;
        if (y0 === y1) continue;
        if (y0 === scanY && y1 < scanY) continue;
        if (y1 === scanY && y0 < scanY) continue;
        const x0 = p0[0]!, x1 = p1[0]!;
        xs.push(x0 === x1 ? x0 : x0 + (scanY - y0) / ((y1 - y0) / (x1 - x0)));
      }
    }
    xs.sort((a, b) => a - b);
    let width = 0;
    let pt: Position = [shell[0]![0]!, shell[0]![1]!];
    for (let i = 0; i + 1 < xs.length; i += 2) {
      const w = xs[i + 1]! - xs[i]!;
      if (w > width) { width = w; pt = [(xs[i]! + xs[i + 1]!) / 2, scanY]; }
    }
    if (width > bestWidth) { bestWidth = width; best = pt; }
  }
  if (!best) throw new Error('interiorPoint of an empty polygon');
  return best;
}

// ---------------------------------------------------------------------------------------------
// Seeds

/** Points every `spacing` m along the rings, moved `inset` m to the left (inside a CCW shell). */
export function ringSeeds(rings: readonly (readonly XY[])[], spacing: number, inset: number): XY[] {
  const out: XY[] = [];
  for (const ring of rings) {
    const n = ring.length - (ring.length > 1 && ring[0]![0] === ring.at(-1)![0] && ring[0]![1] === ring.at(-1)![1] ? 1 : 0);
    let carry = 0;
    for (let i = 0; i < n; i++) {
      const a = ring[i]!, b = ring[(i + 1) % n]!;
      const len = Math.hypot(b[0] - a[0], b[1] - a[1]);
      if (len === 0) continue;
      const ux = (b[0] - a[0]) / len, uy = (b[1] - a[1]) / len;
      for (let t = carry; t < len; t += spacing) {
        out.push([a[0] + ux * t - uy * inset, a[1] + uy * t + ux * inset]);
      }
      carry = (((carry - len) % spacing) + spacing) % spacing;
    }
  }
  return out;
}

/** Points every `spacing` m along a line, `offset` m to its left (side 1) and right (side -1). */
export function lineSeeds(line: readonly XY[], spacing: number, offset: number): { p: XY; side: 1 | -1 }[] {
  const out: { p: XY; side: 1 | -1 }[] = [];
  let carry = spacing / 2;
  for (let i = 0; i + 1 < line.length; i++) {
    const a = line[i]!, b = line[i + 1]!;
    const len = Math.hypot(b[0] - a[0], b[1] - a[1]);
    if (len === 0) continue;
    const ux = (b[0] - a[0]) / len, uy = (b[1] - a[1]) / len;
    for (let t = carry; t < len; t += spacing) {
      const x = a[0] + ux * t, y = a[1] + uy * t;
      out.push({ p: [x - uy * offset, y + ux * offset], side: 1 }, { p: [x + uy * offset, y - ux * offset], side: -1 });
    }
    carry = (((carry - len) % spacing) + spacing) % spacing;
  }
  return out;
}

/**
 * Keep seeds in order, dropping any closer than its radius to one already kept (so earlier seeds
 * win). `radius` may vary per seed (e.g. filler points keep well clear of everything). Returns the
 * kept indices.
 */
export function thinSeeds(points: readonly XY[], minDist: number, radius: (i: number) => number = () => minDist): number[] {
  const n = points.length;
  const r = new Float64Array(n);
  let cell = minDist, x0 = Infinity, y0 = Infinity, x1 = -Infinity;
  for (let i = 0; i < n; i++) {
    r[i] = radius(i);
    if (r[i]! > cell) cell = r[i]!;
    const p = points[i]!;
    if (p[0] < x0) x0 = p[0]; if (p[0] > x1) x1 = p[0]; if (p[1] < y0) y0 = p[1];
  }
  // Buckets of `cell` metres, each a linked list of kept points (head per bucket key, next per point).
  const cols = Math.floor((x1 - x0) / cell) + 3;
  const head = new Map<number, number>();
  const next = new Int32Array(n);
  const kept: number[] = [];
  for (let i = 0; i < n; i++) {
    const p = points[i]!, ri = r[i]!;
    const cx = Math.floor((p[0] - x0) / cell) + 1, cy = Math.floor((p[1] - y0) / cell) + 1;
    let ok = true;
    for (let dx = -1; dx <= 1 && ok; dx++) for (let dy = -1; dy <= 1 && ok; dy++) {
      for (let j = head.get((cy + dy) * cols + cx + dx) ?? -1; j >= 0; j = next[j]!) {
        const q = points[j]!;
        if (Math.hypot(q[0] - p[0], q[1] - p[1]) < ri) { ok = false; break; }
      }
    }
    if (!ok) continue;
    kept.push(i);
    const k = cy * cols + cx;
    next[i] = head.get(k) ?? -1;
    head.set(k, i);
  }
  return kept;
}

/** Segment index over polylines, for "does the segment between two seeds cross a road?" tests. */
export class SegmentIndex {
  private readonly segs: [XY, XY][] = [];
  private readonly index: Flatbush | null;
  constructor(lines: readonly (readonly XY[])[]) {
    for (const l of lines) for (let i = 0; i + 1 < l.length; i++) this.segs.push([l[i]!, l[i + 1]!]);
    if (this.segs.length === 0) { this.index = null; return; }
    const idx = new Flatbush(this.segs.length);
    for (const [a, b] of this.segs) idx.add(Math.min(a[0], b[0]), Math.min(a[1], b[1]), Math.max(a[0], b[0]), Math.max(a[1], b[1]));
    idx.finish();
    this.index = idx;
  }
  crosses(a: XY, b: XY): boolean {
    if (!this.index) return false;
    const hits = this.index.search(Math.min(a[0], b[0]), Math.min(a[1], b[1]), Math.max(a[0], b[0]), Math.max(a[1], b[1]));
    return hits.some((i) => { const s = this.segs[i]!; return segmentsIntersect(a, b, s[0], s[1]); });
  }
  near(p: XY, d: number): boolean {
    if (!this.index) return false;
    return this.index.search(p[0] - d, p[1] - d, p[0] + d, p[1] + d).some((i) => {
      const s = this.segs[i]!;
      return distToSegment(p, s[0], s[1]) < d;
    });
  }
}

// ---------------------------------------------------------------------------------------------
// Cell complex

export interface CellComplex {
  /** 10^decimals: node coordinates are integers / scale degrees. */
  readonly scale: number;
  /** Number of nodes. */
  readonly nodeCount: number;
  /** Rounded lon/lat of each node, interleaved [lon0, lat0, lon1, lat1, …]. */
  readonly nodeLonLat: Float64Array;
  /** Projected coordinates of each rounded node, interleaved. */
  readonly nodeXY: Float64Array;
  /** Seed of each cell (projected). */
  readonly seeds: readonly XY[];
  /** Cell c's ring is ringNode[ringStart[c] .. ringStart[c+1]): node ids, counter-clockwise, not closed; empty if it collapsed. */
  readonly ringStart: Int32Array;
  readonly ringNode: Int32Array;
  /** The cell across each ring edge (edge i runs from node i to node i+1 of the ring); -1 on the extent's border. */
  readonly ringAcross: Int32Array;
  /** Cell c's neighbours (sharing an edge) are nbCell[nbStart[c] .. nbStart[c+1]), ascending. */
  readonly nbStart: Int32Array;
  readonly nbCell: Int32Array;
  /** Area of each cell, m². */
  readonly area: Float64Array;
  /** The same as arrays (built on first use): rounded lon/lat and projected position of each node. */
  readonly lonLat: XY[];
  readonly xy: XY[];
  /** Each cell as a ring of node ids (built on first use); empty if it collapsed. */
  readonly cells: number[][];
  /** For each cell, the cell across each ring edge (built on first use). */
  readonly across: number[][];
  /** Cells sharing an edge with each cell (built on first use). */
  readonly neighbours: number[][];
}

class CellComplexArrays implements CellComplex {
  private lazy: { lonLat?: XY[]; xy?: XY[]; cells?: number[][]; across?: number[][]; neighbours?: number[][] } = {};
  constructor(
    readonly scale: number, readonly nodeCount: number, readonly nodeLonLat: Float64Array, readonly nodeXY: Float64Array,
    readonly seeds: readonly XY[], readonly ringStart: Int32Array, readonly ringNode: Int32Array, readonly ringAcross: Int32Array,
    readonly nbStart: Int32Array, readonly nbCell: Int32Array, readonly area: Float64Array,
  ) {}
  private static pairs(a: Float64Array, n: number): XY[] {
    const out: XY[] = new Array(n);
    for (let i = 0; i < n; i++) out[i] = [a[2 * i]!, a[2 * i + 1]!];
    return out;
  }
  private static lists(start: Int32Array, items: Int32Array): number[][] {
    const out: number[][] = new Array(start.length - 1);
    for (let c = 0; c + 1 < start.length; c++) out[c] = Array.from(items.subarray(start[c]!, start[c + 1]!));
    return out;
  }
  get lonLat(): XY[] { return (this.lazy.lonLat ??= CellComplexArrays.pairs(this.nodeLonLat, this.nodeCount)); }
  get xy(): XY[] { return (this.lazy.xy ??= CellComplexArrays.pairs(this.nodeXY, this.nodeCount)); }
  get cells(): number[][] { return (this.lazy.cells ??= CellComplexArrays.lists(this.ringStart, this.ringNode)); }
  get across(): number[][] { return (this.lazy.across ??= CellComplexArrays.lists(this.ringStart, this.ringAcross)); }
  get neighbours(): number[][] { return (this.lazy.neighbours ??= CellComplexArrays.lists(this.nbStart, this.nbCell)); }
}

/**
 * Voronoi cells of the seeds inside `extent` (projected), with vertices rounded to `decimals`
 * decimal degrees and shared between neighbouring cells. Seeds must be distinct and inside the
 * extent (thin them first).
 *
 * The cells are read off a Delaunay triangulation (core/delaunay.ts): the vertices of a cell are
 * the circumcentres of the triangles around its seed, and the edge between two consecutive ones
 * is shared with the seed across the triangles' common edge. Four far points framing the extent
 * close every cell without claiming any point of it; cells are then clipped to the extent, a
 * crossing computed on the shared edge's own line (its endpoints in a fixed order) so both sides
 * get the very same point. Each circumcentre is rounded once, so neighbours share node ids by
 * construction.
 */
export function buildCellComplex(seeds: readonly XY[], extent: Box, proj: LocalProjection, decimals = 7): CellComplex {
  const scale = 10 ** decimals;
  const n = seeds.length;
  const [bx0, by0, bx1, by1] = extent;
  const mx = (bx0 + bx1) / 2, my = (by0 + by1) / 2;
  const far = 3 * (Math.hypot(bx1 - bx0, by1 - by0) || 1);
  const coords = new Float64Array(2 * (n + 4));
  for (let i = 0; i < n; i++) { coords[2 * i] = seeds[i]![0]; coords[2 * i + 1] = seeds[i]![1]; }
  [[-1, -1], [1, -1], [1, 1], [-1, 1]].forEach(([sx, sy], k) => { coords[2 * (n + k)] = mx + sx! * far; coords[2 * (n + k) + 1] = my + sy! * far; });
  const { triangles, halfedges } = delaunay(coords);
  const nt = triangles.length / 3;
  const ccx = new Float64Array(nt), ccy = new Float64Array(nt);
  for (let t = 0; t < nt; t++) {
    const a = triangles[3 * t]!, b = triangles[3 * t + 1]!, c = triangles[3 * t + 2]!;
    const [x, y] = circumcenter(coords[2 * a]!, coords[2 * a + 1]!, coords[2 * b]!, coords[2 * b + 1]!, coords[2 * c]!, coords[2 * c + 1]!);
    ccx[t] = x; ccy[t] = y;
  }
  const inedge = new Int32Array(n).fill(-1);
  for (let e = 0; e < triangles.length; e++) { const p = triangles[nextHalfedge(e)]!; if (p < n && inedge[p] === -1) inedge[p] = e; }

  // Nodes: rounded lon/lat, one id per distinct rounded position (an open-addressing hash on the
  // integer pair). The projection is affine: lon = lonA + x·lonB, lat = latA + y·latB.
  const lonA = proj.toLonLat([0, 0])[0], latA = proj.toLonLat([0, 0])[1];
  const lonB = (proj.toLonLat([1e6, 1e6])[0] - lonA) / 1e6, latB = (proj.toLonLat([1e6, 1e6])[1] - latA) / 1e6;
  const li0 = Math.round((lonA + mx * lonB) * scale), ai0 = Math.round((latA + my * latB) * scale);
  let nodeCount = 0;
  let nodeLonLat = new Float64Array(Math.max(64, 5 * n)), nodeXY = new Float64Array(Math.max(64, 5 * n));
  let cap = 1 << Math.max(10, Math.ceil(Math.log2(8 * n + 64)));
  let hk = new Int32Array(2 * cap), hv = new Int32Array(cap).fill(-1);
  const slot = (kx: number, ky: number, mask: number) => (Math.imul(kx, 0x9e3779b1) ^ Math.imul(ky, 0x85ebca77)) & mask;
  const node = (x: number, y: number): number => {
    const li = Math.round((lonA + x * lonB) * scale), ai = Math.round((latA + y * latB) * scale);
    const kx = li - li0, ky = ai - ai0;
    const mask = cap - 1;
    let s = slot(kx, ky, mask);
    for (;;) {
      const v = hv[s]!;
      if (v < 0) break;
      if (hk[2 * s] === kx && hk[2 * s + 1] === ky) return v;
      s = (s + 1) & mask;
    }
    const id = nodeCount++;
    hk[2 * s] = kx; hk[2 * s + 1] = ky; hv[s] = id;
    if (2 * id + 2 > nodeLonLat.length) {
      const a = new Float64Array(nodeLonLat.length * 2), b = new Float64Array(nodeLonLat.length * 2);
      a.set(nodeLonLat); b.set(nodeXY);
      nodeLonLat = a; nodeXY = b;
    }
    const lon = li / scale, lat = ai / scale;
    const p = proj.toXY([lon, lat]);
    nodeLonLat[2 * id] = lon; nodeLonLat[2 * id + 1] = lat;
    nodeXY[2 * id] = p[0]; nodeXY[2 * id + 1] = p[1];
    if (2 * nodeCount > cap) { // grow
      const ok = hk, ov = hv, ocap = cap;
      cap *= 2;
      hk = new Int32Array(2 * cap); hv = new Int32Array(cap).fill(-1);
      for (let i = 0; i < ocap; i++) {
        if (ov[i]! < 0) continue;
        let t = slot(ok[2 * i]!, ok[2 * i + 1]!, cap - 1);
        while (hv[t]! >= 0) t = (t + 1) & (cap - 1);
        hk[2 * t] = ok[2 * i]!; hk[2 * t + 1] = ok[2 * i + 1]!; hv[t] = ov[i]!;
      }
    }
    return id;
  };
  const triNode = new Int32Array(nt).fill(-1);

  // One cell's vertices: position, node source (triangle, or -1 = a crossing to round), and the
  // leaving edge: the cell across it and its line (two triangles, or -1 - side along the border).
  let CAP = 64;
  const alloc = () => ({ x: new Float64Array(CAP), y: new Float64Array(CAP), t: new Int32Array(CAP), a: new Int32Array(CAP), l0: new Int32Array(CAP), l1: new Int32Array(CAP) });
  let V = alloc(), W = alloc();
  const grow = () => {
    CAP *= 2;
    for (const B of [V, W]) {
      const N = alloc();
      N.x.set(B.x); N.y.set(B.y); N.t.set(B.t); N.a.set(B.a); N.l0.set(B.l0); N.l1.set(B.l1);
      Object.assign(B, N);
    }
  };
  const sideLimit = [bx0, bx1, by0, by1];
  const isIn = (s: number, x: number, y: number) => (s === 0 ? x >= bx0 : s === 1 ? x <= bx1 : s === 2 ? y >= by0 : y <= by1);
  /** Where the leaving edge of vertex i of V crosses side s. */
  const crossing = (s: number, i: number): [number, number] => {
    const X = sideLimit[s]!;
    if (V.l0[i]! < 0) { // along border side -1 - l0: the corner of the two sides
      const b = -1 - V.l0[i]!;
      return s < 2 ? [X, sideLimit[b]!] : [sideLimit[b]!, X];
    }
    const lo = Math.min(V.l0[i]!, V.l1[i]!), hi = Math.max(V.l0[i]!, V.l1[i]!);
    const px = ccx[lo]!, py = ccy[lo]!, qx = ccx[hi]!, qy = ccy[hi]!;
    if (s < 2) return [X, py + ((X - px) / (qx - px)) * (qy - py)];
    return [px + ((X - py) / (qy - py)) * (qx - px), X];
  };

  // Rings in one list (ringStart per cell), with the cell across each edge.
  const ringStart = new Int32Array(n + 1);
  let ringNode = new Int32Array(Math.max(64, 7 * n)), ringAcross = new Int32Array(Math.max(64, 7 * n));
  let len = 0;
  const area = new Float64Array(n);
  for (let c = 0; c < n; c++) {
    ringStart[c] = len;
    const e0 = inedge[c]!;
    let k = 0, open = e0 < 0, outside = false;
    for (let e = e0; !open; ) {
      const t = (e / 3) | 0;
      const out = nextHalfedge(e);
      const r = triangles[nextHalfedge(out)]!;
      const opp = halfedges[out]!;
      if (opp < 0) { open = true; break; }
      if (k + 2 >= CAP) grow();
      const x = ccx[t]!, y = ccy[t]!;
      V.x[k] = x; V.y[k] = y; V.t[k] = t; V.a[k] = r < n ? r : -1; V.l0[k] = t; V.l1[k] = (opp / 3) | 0;
      k++;
      if (!(x >= bx0 && x <= bx1 && y >= by0 && y <= by1)) outside = true;
      e = opp;
      if (e === e0) break;
    }
    if (open) continue;
    if (outside) {
      for (let s = 0; s < 4 && k > 0; s++) {
        let w = 0;
        for (let i = 0; i < k; i++) {
          const j = i + 1 === k ? 0 : i + 1;
          const inI = isIn(s, V.x[i]!, V.y[i]!), inJ = isIn(s, V.x[j]!, V.y[j]!);
          if (w + 2 >= CAP) grow();
          if (inI) { W.x[w] = V.x[i]!; W.y[w] = V.y[i]!; W.t[w] = V.t[i]!; W.a[w] = V.a[i]!; W.l0[w] = V.l0[i]!; W.l1[w] = V.l1[i]!; w++; }
          if (inI !== inJ) {
            const [x, y] = crossing(s, i);
            // Leaving the extent: the next edge runs along side s; entering: it continues the crossed edge.
            W.x[w] = x; W.y[w] = y; W.t[w] = -1;
            if (inI) { W.a[w] = -1; W.l0[w] = W.l1[w] = -1 - s; } else { W.a[w] = V.a[i]!; W.l0[w] = V.l0[i]!; W.l1[w] = V.l1[i]!; }
            w++;
          }
        }
        [V, W] = [W, V];
        k = w;
      }
    }
    if (len + k + 1 > ringNode.length) {
      const a = new Int32Array(2 * (len + k + 1)), b = new Int32Array(2 * (len + k + 1));
      a.set(ringNode.subarray(0, len)); b.set(ringAcross.subarray(0, len));
      ringNode = a; ringAcross = b;
    }
    // Nodes, dropping edges that rounding made zero-length.
    const s0 = len;
    for (let i = 0; i < k; i++) {
      const t = V.t[i]!;
      let id: number;
      if (t >= 0) { id = triNode[t]!; if (id < 0) triNode[t] = id = node(V.x[i]!, V.y[i]!); } else id = node(V.x[i]!, V.y[i]!);
      if (len > s0 && ringNode[len - 1] === id) ringAcross[len - 1] = V.a[i]!;
      else { ringNode[len] = id; ringAcross[len] = V.a[i]!; len++; }
    }
    while (len - s0 > 1 && ringNode[s0] === ringNode[len - 1]) len--;
    const m = len - s0;
    let a = 0;
    for (let i = 0; m >= 3 && i < m; i++) {
      const p = ringNode[s0 + i]!, q = ringNode[s0 + (i + 1 === m ? 0 : i + 1)]!;
      a += nodeXY[2 * p]! * nodeXY[2 * q + 1]! - nodeXY[2 * q]! * nodeXY[2 * p + 1]!;
    }
    a /= 2;
    if (a < 0) {
      // Reverse: node i of the new ring is old node m-1-i; its leaving edge is the old edge into that node.
      const nodes = ringNode.slice(s0, len), acr = ringAcross.slice(s0, len);
      for (let i = 0; i < m; i++) { ringNode[s0 + i] = nodes[m - 1 - i]!; ringAcross[s0 + i] = acr[(2 * m - 2 - i) % m]!; }
      a = -a;
    }
    area[c] = a;
    if (!(a > 0)) len = s0;
  }
  ringStart[n] = len;
  const ringLen = (c: number) => ringStart[c + 1]! - ringStart[c]!;
  // A cell that collapsed in rounding: the cells around it meet across its (zero-width) edges.
  let emptyReferenced = false;
  for (let i = 0; i < len && !emptyReferenced; i++) { const d = ringAcross[i]!; if (d >= 0 && ringLen(d) === 0) emptyReferenced = true; }
  if (emptyReferenced) {
    const K = 2 ** 26;
    const pending = new Map<number, number>();
    for (let c = 0; c < n; c++) {
      const s0 = ringStart[c]!, m = ringLen(c);
      for (let i = 0; i < m; i++) {
        const d = ringAcross[s0 + i]!;
        if (d < 0 || ringLen(d) > 0) continue;
        ringAcross[s0 + i] = -1;
        const a = ringNode[s0 + i]!, b = ringNode[s0 + ((i + 1) % m)]!;
        const key = Math.min(a, b) * K + Math.max(a, b);
        const other = pending.get(key);
        if (other !== undefined) {
          let oc = 0; // the cell holding ring slot `other`
          for (let lo = 0, hi = n; lo < hi; ) { const mid = (lo + hi) >> 1; if (ringStart[mid + 1]! <= other) lo = mid + 1; else { hi = mid; oc = mid; } }
          if (oc !== c) { ringAcross[s0 + i] = oc; ringAcross[other] = c; pending.delete(key); continue; }
        }
        pending.set(key, s0 + i);
      }
    }
  }
  // Neighbours: the distinct cells across a cell's edges, ascending.
  const nbStart = new Int32Array(n + 1);
  const nbCell = new Int32Array(len);
  let nl = 0;
  for (let c = 0; c < n; c++) {
    nbStart[c] = nl;
    const s0 = nl;
    for (let i = ringStart[c]!; i < ringStart[c + 1]!; i++) {
      const d = ringAcross[i]!;
      if (d < 0) continue;
      let j = nl; // insertion sort, skipping duplicates
      while (j > s0 && nbCell[j - 1]! > d) j--;
      if (j > s0 && nbCell[j - 1] === d) continue;
      nbCell.copyWithin(j + 1, j, nl);
      nbCell[j] = d;
      nl++;
    }
  }
  nbStart[n] = nl;
  return new CellComplexArrays(scale, nodeCount, nodeLonLat.slice(0, 2 * nodeCount), nodeXY.slice(0, 2 * nodeCount), seeds,
    ringStart, ringNode.slice(0, len), ringAcross.slice(0, len), nbStart, nbCell.slice(0, nl), area);
}

/** Connected components of the cells where `include` holds, moving only where `pass` allows. */
export function cellComponents(cx: CellComplex, include: (c: number) => boolean, pass: (a: number, b: number) => boolean = () => true): Int32Array {
  const { ringStart, nbStart, nbCell } = cx;
  const nc = ringStart.length - 1;
  const comp = new Int32Array(nc).fill(-1);
  let n = 0;
  for (let s = 0; s < nc; s++) {
    if (comp[s] !== -1 || !include(s) || ringStart[s + 1] === ringStart[s]) continue;
    comp[s] = n;
    const stack = [s];
    while (stack.length) {
      const c = stack.pop()!;
      for (let k = nbStart[c]!; k < nbStart[c + 1]!; k++) {
        const d = nbCell[k]!;
        if (comp[d] !== -1 || !include(d) || ringStart[d + 1] === ringStart[d] || !pass(c, d)) continue;
        comp[d] = n;
        stack.push(d);
      }
    }
    n++;
  }
  return comp;
}

/**
 * Multi-source nearest assignment over the cell graph: every included cell reachable from a
 * labelled cell (`source[c]` ≥ 0) gets the label of the nearest source seed, measured as the
 * straight distance to the source seed it was reached from (so territories follow the bisectors
 * between sources, not the hop pattern of the cells). Unreachable cells stay -1.
 */
export function growLabels(cx: CellComplex, source: Int32Array, include: (c: number) => boolean, pass: (a: number, b: number) => boolean = () => true): Int32Array {
  const { ringStart, nbStart, nbCell } = cx;
  const label = Int32Array.from(source);
  const origin = new Int32Array(ringStart.length - 1).fill(-1);
  const dist = new Float64Array(ringStart.length - 1).fill(Infinity);
  const heap = new MinHeap();
  for (let c = 0; c < label.length; c++) if (label[c]! >= 0 && include(c)) { dist[c] = 0; origin[c] = c; heap.push(0, c); }
  while (heap.size) {
    heap.pop();
    const d = heap.key, c = heap.value;
    if (d > dist[c]!) continue;
    const o = cx.seeds[origin[c]!]!;
    for (let k = nbStart[c]!; k < nbStart[c + 1]!; k++) {
      const n = nbCell[k]!;
      if (!include(n) || ringStart[n + 1] === ringStart[n] || !pass(c, n)) continue;
      const sn = cx.seeds[n]!;
      const nd = Math.max(d, Math.hypot(sn[0] - o[0], sn[1] - o[1]));
      if (nd < dist[n]!) { dist[n] = nd; label[n] = label[c]!; origin[n] = origin[c]!; heap.push(nd, n); }
    }
  }
  return label;
}

/**
 * Make every label one connected piece of cells. Each label keeps its main piece (the one holding
 * `anchor(label)`, else its largest by area); every other piece goes to the neighbouring main
 * piece it shares the most cell edges with, or becomes unlabelled (-1) when it touches none.
 */
export function connectLabels(cx: CellComplex, labelIn: Int32Array, include: (c: number) => boolean, anchor: (label: number) => number = () => -1): Int32Array {
  const { nbStart, nbCell } = cx;
  const label = Int32Array.from(labelIn);
  const n = label.length;
  for (let pass = 0; pass < 64; pass++) {
    const piece = cellComponents(cx, (c) => include(c) && label[c]! >= 0, (a, b) => label[a] === label[b]);
    const np = Math.max(-1, ...piece) + 1;
    const pieceArea = new Float64Array(np);
    const pieceLabel = new Int32Array(np).fill(-1);
    for (let c = 0; c < n; c++) { const p = piece[c]!; if (p >= 0) { pieceArea[p]! += cx.area[c]!; pieceLabel[p] = label[c]!; } }
    const main = new Map<number, number>();
    for (let p = 0; p < np; p++) {
      const l = pieceLabel[p]!, m = main.get(l);
      if (m === undefined || pieceArea[p]! > pieceArea[m]!) main.set(l, p);
    }
    for (const [l, p] of main) { const a = anchor(l); if (a >= 0 && label[a] === l && piece[a]! >= 0 && piece[a] !== p) main.set(l, piece[a]!); }
    const isMain = new Uint8Array(np);
    for (const p of main.values()) isMain[p] = 1;
    if (np === main.size) break;
    // Shared edges from each stray piece to each neighbouring main piece.
    const links = new Map<number, Map<number, number>>();
    for (let c = 0; c < n; c++) {
      const p = piece[c]!;
      if (p < 0 || isMain[p]) continue;
      for (let k = nbStart[c]!; k < nbStart[c + 1]!; k++) {
        const q = piece[nbCell[k]!]!;
        if (q < 0 || !isMain[q]) continue;
        let m = links.get(p);
        if (!m) links.set(p, (m = new Map()));
        m.set(q, (m.get(q) ?? 0) + 1);
      }
    }
    const to = new Int32Array(np).fill(-2); // -2: wait for a later pass
    let progress = false;
    for (const [p, m] of links) {
      let best = -1, bl = 0;
      for (const [q, l] of m) if (l > bl || (l === bl && q < best)) { best = q; bl = l; }
      to[p] = pieceLabel[best]!;
      progress = true;
    }
    for (let c = 0; c < n; c++) {
      const p = piece[c]!;
      if (p < 0 || isMain[p]) continue;
      if (to[p]! !== -2) label[c] = to[p]!;
      else if (!progress) label[c] = -1; // touches no main piece and nothing else moved: unlabelled
    }
  }
  return label;
}

/** Deterministic jitter in [-0.5, 0.5) from two integers (for filler lattices). */
export function jitter(i: number, j: number): number {
  let h = (Math.imul(i, 0x27d4eb2d) ^ Math.imul(j, 0x165667b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 15), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return ((h ^ (h >>> 16)) >>> 0) / 4294967296 - 0.5;
}

/** Binary min-heap of (key, value) pairs in typed arrays; ties go to the smaller value. */
class MinHeap {
  private k = new Float64Array(1024);
  private v = new Int32Array(1024);
  size = 0;
  /** Key and value of the last pop. */
  key = 0;
  value = 0;
  push(key: number, val: number): void {
    if (this.size === this.k.length) {
      const k = new Float64Array(this.size * 2), v = new Int32Array(this.size * 2);
      k.set(this.k); v.set(this.v);
      this.k = k; this.v = v;
    }
    const k = this.k, v = this.v;
    let i = this.size++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (k[p]! < key || (k[p] === key && v[p]! <= val)) break;
      k[i] = k[p]!; v[i] = v[p]!; i = p;
    }
    k[i] = key; v[i] = val;
  }
  /** Removes the smallest pair into `key` and `value`. */
  pop(): void {
    const k = this.k, v = this.v;
    this.key = k[0]!; this.value = v[0]!;
    const n = --this.size;
    if (n === 0) return;
    const lk = k[n]!, lv = v[n]!;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1, r = l + 1;
      let m = i, mk = lk, mv = lv;
      if (l < n && (k[l]! < mk || (k[l] === mk && v[l]! < mv))) { m = l; mk = k[l]!; mv = v[l]!; }
      if (r < n && (k[r]! < mk || (k[r] === mk && v[r]! < mv))) { m = r; }
      if (m === i) break;
      k[i] = k[m]!; v[i] = v[m]!; i = m;
    }
    k[i] = lk; v[i] = lv;
  }
}

// ---------------------------------------------------------------------------------------------
// Coverage: exact unions of labelled cells, with shared-chain simplification

interface Chain {
  nodes: number[];
  orig: number[];
  left: number;
  right: number;
  closed: boolean;
}

export interface CoverageOptions {
  /** Douglas–Peucker tolerance for boundary chains, metres (0 = keep every vertex). */
  tolerance?: number;
  /** Points that must stay inside the region of a label (e.g. building interior points). */
  keepInside?: readonly { p: XY; label: number }[];
}

export interface CoverageStats {
  chains: number;
  reverted: number;
  vertices: number;
}

/**
 * The boundary of a labelling of cells (label -1 = outside), as chains shared by the two sides.
 * `multiPolygons(map)` returns, for every group of labels, its exact union as a MultiPolygon
 * in lon/lat (exterior rings counter-clockwise).
 */
export class Coverage {
  readonly chains: Chain[] = [];
  readonly stats: CoverageStats;

  /** Projected position of each node on a chain (other entries empty). */
  private readonly xy: XY[];

  constructor(private readonly cx: CellComplex, labels: Int32Array, opts: CoverageOptions = {}) {
    this.buildChains(labels);
    this.xy = new Array(cx.nodeCount);
    for (const ch of this.chains) for (const n of ch.orig) this.xy[n] ??= [cx.nodeXY[2 * n]!, cx.nodeXY[2 * n + 1]!];
    const reverted = this.simplify(opts.tolerance ?? 0, opts.keepInside ?? []);
    this.stats = { chains: this.chains.length, reverted, vertices: this.chains.reduce((s, c) => s + c.nodes.length - 1, 0) };
  }

  private buildChains(labels: Int32Array): void {
    const { ringStart, ringNode, ringAcross } = this.cx;
    // Boundary edges, each once, directed with the larger label on its left.
    const ea: number[] = [], eb: number[] = [], el: number[] = [], er: number[] = [];
    for (let c = 0; c + 1 < ringStart.length; c++) {
      const lc = labels[c]!;
      if (lc < 0) continue;
      const s0 = ringStart[c]!, s1 = ringStart[c + 1]!;
      for (let i = s0; i < s1; i++) {
        const other = ringAcross[i]!;
        const lo = other >= 0 ? labels[other]! : -1;
        if (lo >= lc) continue; // interior edge, or recorded from the other side
        ea.push(ringNode[i]!); eb.push(ringNode[i + 1 === s1 ? s0 : i + 1]!); el.push(lc); er.push(lo);
      }
    }
    const inc = new Map<number, number[]>();
    for (let e = 0; e < ea.length; e++) for (const n of [ea[e]!, eb[e]!]) { const l = inc.get(n); if (l) l.push(e); else inc.set(n, [e]); }
    const pairKey = (e: number) => `${el[e]}|${er[e]}`;
    const isJunction = (n: number) => {
      const l = inc.get(n)!;
      return l.length !== 2 || pairKey(l[0]!) !== pairKey(l[1]!);
    };
    const used = new Uint8Array(ea.length);
    const walk = (start: number, e0: number, closed: boolean) => {
      const forward = ea[e0] === start;
      const nodes = [start];
      let e = e0, v = start;
      for (;;) {
        used[e] = 1;
        v = ea[e] === v ? eb[e]! : ea[e]!;
        nodes.push(v);
        if (closed ? v === start : isJunction(v)) break;
        const next = inc.get(v)!.find((x) => x !== e && !used[x]);
        if (next === undefined) break;
        e = next;
      }
      const left = forward ? el[e0]! : er[e0]!, right = forward ? er[e0]! : el[e0]!;
      this.chains.push({ nodes, orig: nodes.slice(), left, right, closed });
    };
    const nodesSorted = [...inc.keys()].sort((a, b) => a - b);
    for (const n of nodesSorted) {
      if (!isJunction(n)) continue;
      for (const e of inc.get(n)!) if (!used[e]) walk(n, e, false);
    }
    for (const n of nodesSorted) for (const e of inc.get(n)!) if (!used[e]) walk(n, e, true);
  }

  private simplify(tol: number, keep: readonly { p: XY; label: number }[]): number {
    if (tol <= 0) return 0;
    const xy = this.xy;
    for (const ch of this.chains) ch.nodes = simplifyChain(ch.orig, xy, tol, ch.closed);
    let reverted = 0;
    for (let round = 0; round < 50; round++) {
      const bad = new Set<number>(this.conflicts());
      if (bad.size === 0 && keep.length) {
        const rings = this.ringsByLabel();
        for (const k of keep) {
          const rs = rings.get(k.label);
          if (rs && pointInRings(k.p, rs)) continue;
          this.chains.forEach((ch, i) => { if ((ch.left === k.label || ch.right === k.label) && ch.nodes.length !== ch.orig.length) bad.add(i); });
        }
      }
      const fix = [...bad].filter((i) => this.chains[i]!.nodes.length !== this.chains[i]!.orig.length);
      if (fix.length === 0) break;
      for (const i of fix) { this.chains[i]!.nodes = this.chains[i]!.orig.slice(); reverted++; }
    }
    return reverted;
  }

  /** Chains whose segments cross, touch or duplicate another's (other than at shared nodes). */
  conflicts(): number[] {
    const xy = this.xy;
    const segs: { a: number; b: number; ch: number }[] = [];
    this.chains.forEach((ch, i) => { for (let j = 0; j + 1 < ch.nodes.length; j++) segs.push({ a: ch.nodes[j]!, b: ch.nodes[j + 1]!, ch: i }); });
    if (segs.length === 0) return [];
    const idx = new Flatbush(segs.length);
    for (const s of segs) {
      const p = xy[s.a]!, q = xy[s.b]!;
      idx.add(Math.min(p[0], q[0]), Math.min(p[1], q[1]), Math.max(p[0], q[0]), Math.max(p[1], q[1]));
    }
    idx.finish();
    const bad = new Set<number>();
    const eps = 1e-6;
    segs.forEach((s, i) => {
      const p = xy[s.a]!, q = xy[s.b]!;
      if (s.a === s.b) { bad.add(s.ch); return; }
      for (const j of idx.search(Math.min(p[0], q[0]) - eps, Math.min(p[1], q[1]) - eps, Math.max(p[0], q[0]) + eps, Math.max(p[1], q[1]) + eps)) {
        if (j <= i) continue;
        const t = segs[j]!;
        const shared = [s.a, s.b].filter((n) => n === t.a || n === t.b).length;
        const r = xy[t.a]!, u = xy[t.b]!;
        let hit: boolean;
        if (shared === 2) hit = true;
        else if (shared === 1) {
          // Touching at the shared node is fine; overlapping along a line is not.
          const sOther = s.a === t.a || s.a === t.b ? q : p;
          const tOther = t.a === s.a || t.a === s.b ? u : r;
          hit = distToSegment(sOther, r, u) < eps || distToSegment(tOther, p, q) < eps;
        } else hit = segmentsIntersect(p, q, r, u);
        if (hit) { bad.add(s.ch); bad.add(t.ch); }
      }
    });
    return [...bad].sort((a, b) => a - b);
  }

  /** Projected rings (closed) of each label, for point-in-polygon tests. */
  ringsByLabel(): Map<number, XY[][]> {
    const out = new Map<number, XY[][]>();
    for (const [label, rings] of this.trace((l) => l)) out.set(label, rings.map((r) => r.map((n) => this.xy[n]!)));
    return out;
  }

  /** Node rings per group: groups are map(label); labels mapping to -1 are outside. */
  private trace(map: (label: number) => number): Map<number, number[][]> {
    const xy = this.xy;
    const byGroup = new Map<number, [number, number][]>();
    const add = (g: number, nodes: number[], reverse: boolean) => {
      let list = byGroup.get(g);
      if (!list) byGroup.set(g, (list = []));
      for (let j = 0; j + 1 < nodes.length; j++) list.push(reverse ? [nodes[j + 1]!, nodes[j]!] : [nodes[j]!, nodes[j + 1]!]);
    };
    for (const ch of this.chains) {
      const gl = ch.left >= 0 ? map(ch.left) : -1;
      const gr = ch.right >= 0 ? map(ch.right) : -1;
      if (gl === gr) continue;
      if (gl >= 0) add(gl, ch.nodes, false);
      if (gr >= 0) add(gr, ch.nodes, true);
    }
    const out = new Map<number, number[][]>();
    for (const [g, edges] of [...byGroup].sort((a, b) => a[0] - b[0])) {
      const outgoing = new Map<number, number[]>();
      edges.forEach(([a], i) => { const l = outgoing.get(a); if (l) l.push(i); else outgoing.set(a, [i]); });
      const used = new Uint8Array(edges.length);
      const rings: number[][] = [];
      for (let s = 0; s < edges.length; s++) {
        if (used[s]) continue;
        const ring = [edges[s]![0]];
        let e = s;
        for (let guard = 0; guard <= edges.length; guard++) {
          used[e] = 1;
          const [u, v] = edges[e]!;
          if (v === ring[0]) break;
          ring.push(v);
          const cands = (outgoing.get(v) ?? []).filter((x) => !used[x]);
          if (cands.length === 0) throw new Error(`open boundary at node ${v}`);
          // Leftmost turn keeps rings minimal (a region pinched at a vertex becomes two rings).
          const d: XY = [xy[v]![0] - xy[u]![0], xy[v]![1] - xy[u]![1]];
          let best = cands[0]!, bestAngle = -Infinity;
          for (const c of cands) {
            const w = edges[c]![1];
            const o: XY = [xy[w]![0] - xy[v]![0], xy[w]![1] - xy[v]![1]];
            const ang = Math.atan2(d[0] * o[1] - d[1] * o[0], d[0] * o[0] + d[1] * o[1]);
            if (ang > bestAngle) { bestAngle = ang; best = c; }
          }
          e = best;
        }
        rings.push(ring);
      }
      out.set(g, rings);
    }
    return out;
  }

  /** Exact unions per group as lon/lat MultiPolygons (shells CCW, holes CW, rings closed). */
  multiPolygons(map: (label: number) => number = (l) => l): Map<number, MultiPolygon> {
    const xy = this.xy, ll = this.cx.nodeLonLat;
    const out = new Map<number, MultiPolygon>();
    for (const [g, rings] of this.trace(map)) {
      const shells: { ring: number[]; area: number; pts: XY[] }[] = [];
      const holes: { ring: number[]; pts: XY[] }[] = [];
      for (const r of rings) {
        const pts = r.map((n) => xy[n]!);
        const a = ringArea(pts);
        if (a > 0) shells.push({ ring: r, area: a, pts });
        else if (a < 0) holes.push({ ring: r, pts });
      }
      shells.sort((a, b) => a.area - b.area);
      const polys: number[][][] = shells.map((s) => [s.ring]);
      for (const h of holes) {
        const p0 = h.pts[0]!, p1 = h.pts[1]!;
        const probe: XY = [(p0[0] + p1[0]) / 2, (p0[1] + p1[1]) / 2];
        const i = shells.findIndex((s) => pointInRing(probe, s.pts));
        if (i < 0) throw new Error(`hole outside every shell in group ${g}`);
        polys[i]!.push(h.ring);
      }
      const coords = polys.map((rs) => rs.map((r) => [...r, r[0]!].map((n) => [ll[2 * n]!, ll[2 * n + 1]!])));
      out.set(g, { type: 'MultiPolygon', coordinates: coords });
    }
    return out;
  }
}

function simplifyChain(nodes: number[], xy: XY[], tol: number, closed: boolean): number[] {
  if (nodes.length <= 2) return nodes.slice();
  if (!closed) return dp(nodes, xy, tol);
  // Closed: split at the node farthest from the start, keep at least a triangle.
  const p0 = xy[nodes[0]!]!;
  let far = 1, fd = -1;
  for (let i = 1; i < nodes.length - 1; i++) {
    const p = xy[nodes[i]!]!;
    const d = Math.hypot(p[0] - p0[0], p[1] - p0[1]);
    if (d > fd) { fd = d; far = i; }
  }
  const a = dp(nodes.slice(0, far + 1), xy, tol);
  const b = dp(nodes.slice(far), xy, tol);
  let out = [...a, ...b.slice(1)];
  if (out.length < 4) {
    // Add the vertex farthest from the line start–far.
    const pf = xy[nodes[far]!]!;
    let best = -1, bd = -1;
    for (let i = 1; i < nodes.length - 1; i++) {
      if (i === far) continue;
      const d = distToSegment(xy[nodes[i]!]!, p0, pf);
      if (d > bd) { bd = d; best = i; }
    }
    if (best < 0) return nodes.slice();
    out = best < far ? [nodes[0]!, nodes[best]!, nodes[far]!, nodes[0]!] : [nodes[0]!, nodes[far]!, nodes[best]!, nodes[0]!];
  }
  return out;
}

function dp(nodes: number[], xy: XY[], tol: number): number[] {
  const keep = new Uint8Array(nodes.length);
  keep[0] = 1; keep[nodes.length - 1] = 1;
  const stack: [number, number][] = [[0, nodes.length - 1]];
  while (stack.length) {
    const [i, j] = stack.pop()!;
    const a = xy[nodes[i]!]!, b = xy[nodes[j]!]!;
    let best = -1, bd = tol;
    for (let k = i + 1; k < j; k++) {
      const d = distToSegment(xy[nodes[k]!]!, a, b);
      if (d > bd) { bd = d; best = k; }
    }
    if (best >= 0) { keep[best] = 1; stack.push([i, best], [best, j]); }
  }
  return nodes.filter((_, i) => keep[i]);
}

// ---------------------------------------------------------------------------------------------
// Grouping units into balanced, contiguous groups

export interface GroupUnit {
  x: number;
  y: number;
  households: number;
  area: number;
}

export interface TargetRange {
  min: number;
  max: number;
}

export const GRID_TARGET: TargetRange = { min: 200, max: 300 };

/**
 * How many grids for an area: household-based (the count whose average is nearest the target
 * range), at least ceil(area / maxArea) when maxArea is given, at least 1.
 */
export function chooseGroupCount(households: number, areaM2: number, target: TargetRange = GRID_TARGET, maxArea?: number): number {
  const mid = (target.min + target.max) / 2;
  const dev = (k: number) => { const a = households / k; return a < target.min ? target.min - a : a > target.max ? a - target.max : 0; };
  let k = Math.max(1, Math.round(households / mid));
  for (const c of [Math.floor(households / mid), Math.ceil(households / mid), Math.ceil(households / target.max), Math.floor(households / target.min)]) {
    if (c >= 1 && (dev(c) < dev(k) || (dev(c) === dev(k) && Math.abs(households / c - mid) < Math.abs(households / k - mid)))) k = c;
  }
  if (maxArea && maxArea > 0) k = Math.max(k, Math.ceil(areaM2 / maxArea));
  return Math.max(1, k);
}

/**
 * How many grids for these units. A unit over the band's maximum (one tall building) cannot be
 * split, so it needs a grid of its own: the count is one per such unit plus chooseGroupCount for
 * the rest — or none for the rest when adding it to those grids leaves less outside the band.
 */
export function chooseGroupCountForUnits(units: readonly GroupUnit[], target: TargetRange = GRID_TARGET, maxArea?: number): number {
  let H = 0, A = 0, big = 0, bigH = 0;
  for (const u of units) { H += u.households; A += u.area; if (u.households > target.max) { big++; bigH += u.households; } }
  if (big === 0) return chooseGroupCount(H, A, target, maxArea);
  const viol = (h: number) => (h < target.min ? target.min - h : h > target.max ? h - target.max : 0);
  const rest = H - bigH;
  const kRest = chooseGroupCount(rest, A, target, maxArea);
  const withRest = (bigH - big * target.max) + (rest > 0 ? kRest * viol(rest / kRest) : 0);
  const without = bigH + rest - big * target.max;
  return rest > 0 && withRest <= without ? big + kRest : big;
}

/** Recursive weighted bisection along the principal axis into k groups (group index per unit). */
export function bisectUnits(units: readonly GroupUnit[], k: number, weight: (u: GroupUnit) => number, seed = 0): Int32Array {
  const group = new Int32Array(units.length).fill(0);
  let next = 0;
  const w = units.map(weight);
  let depth = 0;
  const split = (ids: number[], parts: number) => {
    depth++;
    if (parts <= 1 || ids.length <= 1) { const g = next++; for (const i of ids) group[i] = g; next += parts > 1 ? parts - 1 : 0; return; }
    let W = 0, mx = 0, my = 0;
    for (const i of ids) { const wi = w[i]! + 1e-9; W += wi; mx += wi * units[i]!.x; my += wi * units[i]!.y; }
    mx /= W; my /= W;
    let sxx = 0, syy = 0, sxy = 0;
    for (const i of ids) {
      const wi = w[i]! + 1e-9, dx = units[i]!.x - mx, dy = units[i]!.y - my;
      sxx += wi * dx * dx; syy += wi * dy * dy; sxy += wi * dx * dy;
    }
    // A seed turns each cut off the principal axis by up to ±30° (another plan per seed, the same plan for a seed).
    const theta = 0.5 * Math.atan2(2 * sxy, sxx - syy) + (seed ? jitter(seed, depth) * (Math.PI / 3) : 0);
    const ex = Math.cos(theta), ey = Math.sin(theta);
    const t = (i: number) => (units[i]!.x - mx) * ex + (units[i]!.y - my) * ey;
    const sorted = ids.slice().sort((a, b) => t(a) - t(b) || a - b);
    const k1 = Math.floor(parts / 2);
    const target = (W * k1) / parts;
    let cum = 0, cut = 1, bestD = Infinity;
    for (let j = 0; j < sorted.length - 1; j++) {
      cum += w[sorted[j]!]! + 1e-9;
      const d = Math.abs(cum - target);
      if (d < bestD) { bestD = d; cut = j + 1; }
    }
    split(sorted.slice(0, cut), k1);
    split(sorted.slice(cut), parts - k1);
  };
  split(units.map((_, i) => i), k);
  return renumber(group);
}

function renumber(group: Int32Array): Int32Array {
  const map = new Map<number, number>();
  return group.map((g) => { if (g < 0) return g; let n = map.get(g); if (n === undefined) { n = map.size; map.set(g, n); } return n; });
}

/**
 * Groups' connected pieces; each group keeps its heaviest piece, the rest join the neighbour group
 * they share most links with, or become a group of their own when they have no neighbour at all.
 */
export function repairContiguity(units: readonly GroupUnit[], adj: readonly number[][], groupIn: Int32Array, weight: (u: GroupUnit) => number, minIsland = GRID_TARGET.min / 2): Int32Array {
  const group = Int32Array.from(groupIn);
  for (let iter = 0; iter < 50; iter++) {
    let changed = false;
    const ng = Math.max(-1, ...group) + 1;
    // Pieces of each group.
    const piece = new Int32Array(units.length).fill(-1);
    const pieces: { g: number; ids: number[]; w: number; hh: number }[] = [];
    for (let s = 0; s < units.length; s++) {
      if (piece[s] !== -1) continue;
      const g = group[s]!, ids = [s];
      piece[s] = pieces.length;
      for (let q = 0; q < ids.length; q++) for (const n of adj[ids[q]!]!) if (piece[n] === -1 && group[n] === g) { piece[n] = pieces.length; ids.push(n); }
      pieces.push({ g, ids, w: ids.reduce((a, i) => a + weight(units[i]!) + 1e-9 * units[i]!.area, 0), hh: ids.reduce((a, i) => a + units[i]!.households, 0) });
    }
    const main = new Int32Array(ng).fill(-1);
    pieces.forEach((p, i) => { const m = main[p.g]!; if (m < 0 || p.w > pieces[m]!.w || (p.w === pieces[m]!.w && p.ids.length > pieces[m]!.ids.length)) main[p.g] = i; });
    for (let pi = 0; pi < pieces.length; pi++) {
      const p = pieces[pi]!;
      if (main[p.g] === pi) continue;
      const links = new Map<number, number>();
      for (const i of p.ids) for (const n of adj[i]!) if (piece[n] !== pi) links.set(group[n]!, (links.get(group[n]!) ?? 0) + 1);
      let target = -1, bestL = -1;
      for (const [g, l] of [...links].sort((a, b) => a[0] - b[0])) if (g !== p.g && l > bestL) { bestL = l; target = g; }
      // An island (a part of the community apart from the rest) is a grid of its own when it has
      // households enough; bare or nearly bare islands stay with the grid bisection gave them (an exclave).
      if (target < 0) {
        if (p.hh < minIsland) continue;
        target = Math.max(-1, ...group) + 1;
      }
      for (const i of p.ids) group[i] = target;
      changed = true;
    }
    if (!changed) break;
  }
  return renumber(group);
}

export interface RefineOptions {
  /** Units that may move (default: every unit with households). */
  movable?: (unit: number) => boolean;
  /** Groups that may neither give nor take units (locked grids). */
  fixed?: (group: number) => boolean;
  /** Filled in: steps = candidate moves chosen (applied or refused for contiguity), moves = applied, ms = time spent. */
  stats?: { steps: number; moves: number; ms?: number };
  /**
   * Units that may go along with a moving unit when its group would otherwise fall apart
   * (default: all; units with households must also be `movable`). Rebalance keeps units whose
   * buildings a line cuts where they are.
   */
  carry?: (unit: number) => boolean;
  /** Called after each applied move with the unit and its groups (also for units carried along). */
  onMove?: (unit: number, from: number, to: number) => void;
  /**
   * While some group is out of range, also take moves that leave the total violation as it is but
   * move households from a fuller to an emptier neighbouring group (less variance), so households
   * can pass along a chain of in-range groups to where they are missing. Off for minimal change.
   */
  spread?: boolean;
}

/**
 * Move boundary units between neighbouring groups while that reduces how far group household
 * totals are outside [min, max], keeping every group contiguous and non-empty. Each step takes
 * the single move with the largest gain, so a layout one move away from the band gets exactly
 * that move (minimal change). Units in group -1 (outside every group) stay where they are.
 */
export function refineBalance(units: readonly GroupUnit[], adj: readonly number[][], groupIn: Int32Array, target: TargetRange, maxMoves = 500, opts: RefineOptions = {}): Int32Array {
  const group = Int32Array.from(groupIn);
  const n = units.length;
  let ng = 0;
  for (let i = 0; i < n; i++) if (group[i]! + 1 > ng) ng = group[i]! + 1;
  const hh = new Float64Array(ng);
  const count = new Int32Array(ng);
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) { w[i] = units[i]!.households; const g = group[i]!; if (g >= 0) { hh[g]! += w[i]!; count[g]!++; } }
  const { min, max } = target;
  const viol = (h: number) => (h < min ? min - h : h > max ? h - max : 0);
  const fixedFn = opts.fixed ?? (() => false);
  const fixed = new Uint8Array(ng);
  for (let g = 0; g < ng; g++) fixed[g] = fixedFn(g) ? 1 : 0;
  const movableFn = opts.movable;
  const movable = new Uint8Array(n);
  for (let i = 0; i < n; i++) movable[i] = (movableFn ? movableFn(i) : w[i]! > 0) && w[i]! > 0 ? 1 : 0;
  const spread = opts.spread ?? false;
  const stats = opts.stats ?? { steps: 0, moves: 0 };
  const t0 = performance.now();
  const carryFn = opts.carry ?? (() => true);
  const seen = new Uint32Array(n);
  let stamp = 0;
  const stack = new Int32Array(n);
  const carried: number[] = [];
  let carriedW = 0;
  const pieceUnits: number[] = [];
  const pieceEnds: number[] = [];
  const pieceW: number[] = [];
  /**
   * Can `skip` leave its group g? Without it, g may fall into pieces; the heaviest stays and the
   * others — which all touch `skip` — are listed in `carried` (their households in `carriedW`) to
   * go along with it, so both groups stay connected. Carried units must be allowed to move
   * (`movable` for units with households, `carry` for all); something must remain of g.
   */
  const canLeave = (g: number, skip: number): boolean => {
    carried.length = 0; carriedW = 0;
    pieceUnits.length = 0; pieceEnds.length = 0; pieceW.length = 0;
    stamp++;
    seen[skip] = stamp;
    for (const s0 of adj[skip]!) {
      if (group[s0] !== g || seen[s0] === stamp) continue;
      seen[s0] = stamp;
      pieceUnits.push(s0);
      let top = 0, h = w[s0]!;
      stack[top++] = s0;
      while (top) {
        const c = stack[--top]!;
        for (const d of adj[c]!) if (seen[d] !== stamp && group[d] === g) { seen[d] = stamp; h += w[d]!; pieceUnits.push(d); stack[top++] = d; }
      }
      pieceEnds.push(pieceUnits.length);
      pieceW.push(h);
    }
    if (pieceEnds.length <= 1) return count[g]! > 1;
    let keep = 0;
    const size = (p: number) => pieceEnds[p]! - (p ? pieceEnds[p - 1]! : 0);
    for (let p = 1; p < pieceEnds.length; p++) if (pieceW[p]! > pieceW[keep]! || (pieceW[p] === pieceW[keep] && size(p) > size(keep))) keep = p;
    for (let p = 0; p < pieceEnds.length; p++) {
      if (p === keep) continue;
      for (let k = p ? pieceEnds[p - 1]! : 0; k < pieceEnds[p]!; k++) {
        const c = pieceUnits[k]!;
        if (!carryFn(c) || (w[c]! > 0 && !movable[c])) return false;
        carried.push(c);
      }
      carriedW += pieceW[p]!;
    }
    return count[g]! - 1 - carried.length > 0;
  };
  let V = 0;
  for (let g = 0; g < ng; g++) if (count[g]! > 0) V += viol(hh[g]!);
  // Each pass ranks every unit's best move; moves are tried in that order until one keeps its giving
  // group connected (the refused ones are the steps that do not move) — the same sequence as taking
  // the single best move, refusing it and looking again, without looking again.
  const candTo = new Int32Array(n), candGain = new Float64Array(n), candSpread = new Float64Array(n);
  const order: number[] = [];
  const better = (gain: number, sg: number, bGain: number, bSg: number, spreading: boolean) =>
    spreading ? gain > bGain + 1e-9 || (gain >= bGain - 1e-9 && sg > bSg) : gain > bGain;
  for (let move = 0; move < maxMoves; ) {
    const spreading = spread && V > 1e-9;
    order.length = 0;
    for (let i = 0; i < n; i++) {
      const from = group[i]!;
      if (from < 0 || !movable[i] || fixed[from]) continue;
      const hf = hh[from]!, wi = w[i]!, vf = viol(hf), vf2 = viol(hf - wi);
      const nb = adj[i]!;
      // No gain possible when neither this group nor a neighbouring one is out of range (unless spreading).
      if (!spreading && vf === 0) {
        let any = false;
        for (let k = 0; k < nb.length; k++) { const g = group[nb[k]!]!; if (g >= 0 && viol(hh[g]!) > 0) { any = true; break; } }
        if (!any) continue;
      }
      let tried = -1, bto = -1, bGain = 0, bSg = 0;
      for (let k = 0; k < nb.length; k++) {
        const to = group[nb[k]!]!;
        if (to < 0 || to === from || to === tried || fixed[to]) continue;
        tried = to;
        const ht = hh[to]!;
        const gain = vf + viol(ht) - vf2 - viol(ht + wi);
        // Spreading: violation first, then the drop in Σ(h − mean)², 2w(h_from − h_to − w).
        const sg = spreading ? 2 * wi * (hf - ht - wi) : 0;
        if (spreading ? gain < -1e-9 || (gain <= 1e-9 && sg <= 1e-9) : gain <= 1e-9) continue;
        if (bto < 0 || better(gain, sg, bGain, bSg, spreading)) { bto = to; bGain = gain; bSg = sg; }
      }
      if (bto < 0) continue;
      candTo[i] = bto; candGain[i] = bGain; candSpread[i] = bSg;
      order.push(i);
    }
    if (order.length === 0) break;
    // Best first; among equals the unit met first in the scan (what a strict "better" keeps).
    order.sort((a, b) => (better(candGain[b]!, candSpread[b]!, candGain[a]!, candSpread[a]!, spreading) ? 1
      : better(candGain[a]!, candSpread[a]!, candGain[b]!, candSpread[b]!, spreading) ? -1 : a - b));
    let moved = false;
    for (const bi of order) {
      stats.steps++;
      const from = group[bi]!, bto = candTo[bi]!;
      if (count[from]! <= 1 || !canLeave(from, bi)) continue;
      const W = w[bi]! + carriedW, hf = hh[from]!, ht = hh[bto]!;
      const gain = viol(hf) + viol(ht) - viol(hf - W) - viol(ht + W);
      if (carriedW > 0 && (spreading ? gain < -1e-9 || (gain <= 1e-9 && 2 * W * (hf - ht - W) <= 1e-9) : gain <= 1e-9)) continue;
      V -= gain;
      group[bi] = bto;
      hh[from]! -= W;
      hh[bto]! += W;
      count[from]! -= 1 + carried.length;
      count[bto]! += 1 + carried.length;
      for (const c of carried) group[c] = bto;
      move++;
      stats.moves++;
      opts.onMove?.(bi, from, bto);
      for (const c of carried) opts.onMove?.(c, from, bto);
      moved = true;
      break;
    }
    if (!moved) break;
  }
  stats.ms = (stats.ms ?? 0) + performance.now() - t0;
  return group;
}

/** Is every unit of group g reachable from every other over `adj` (or is g empty)? */
function groupConnected(group: Int32Array, adj: readonly number[][], g: number): boolean {
  let start = -1, total = 0;
  for (let i = 0; i < group.length; i++) if (group[i] === g) { total++; if (start < 0) start = i; }
  if (total === 0) return true;
  const seen = new Uint8Array(group.length);
  const stack = [start];
  seen[start] = 1;
  let found = 1;
  while (stack.length) {
    const c = stack.pop()!;
    for (const d of adj[c]!) if (!seen[d] && group[d] === g) { seen[d] = 1; found++; stack.push(d); }
  }
  return found === total;
}

/**
 * Exchanges between two touching groups: unit a goes from A to B and unit b from B to A, taking
 * the exchange that shrinks the household violation most while both stay connected — for when
 * every single move overshoots (the grids' boundary units are all bigger than what is missing).
 * Repeats while an exchange helps, at most maxSwaps times.
 */
export function swapBalance(units: readonly GroupUnit[], adj: readonly number[][], groupIn: Int32Array, target: TargetRange, maxSwaps = 20, opts: { stats?: { steps: number; moves: number } } = {}): Int32Array {
  const group = Int32Array.from(groupIn);
  const { min, max } = target;
  const viol = (h: number) => (h < min ? min - h : h > max ? h - max : 0);
  let ng = 0;
  for (const g of group) if (g + 1 > ng) ng = g + 1;
  for (let round = 0; round < maxSwaps; round++) {
    const hh = new Float64Array(ng);
    units.forEach((u, i) => { if (group[i]! >= 0) hh[group[i]!]! += u.households; });
    let V = 0;
    for (const h of hh) V += viol(h);
    if (V <= 1e-9) break;
    const cands: { a: number; b: number; gain: number }[] = [];
    for (let a = 0; a < units.length; a++) {
      const A = group[a]!, wa = units[a]!.households;
      if (A < 0 || wa <= 0) continue;
      for (const nb of adj[a]!) {
        const B = group[nb]!;
        if (B < 0 || B === A) continue;
        // b: a unit of B touching A (after a joins B, b must still reach A: it touches A's other units or a's place).
        for (let b = 0; b < units.length; b++) {
          if (group[b] !== B || units[b]!.households <= 0) continue;
          if (!adj[b]!.some((x) => group[x] === A)) continue;
          const wb = units[b]!.households;
          const gain = viol(hh[A]!) + viol(hh[B]!) - viol(hh[A]! - wa + wb) - viol(hh[B]! + wa - wb);
          if (gain > 1e-9) cands.push({ a, b, gain });
        }
      }
    }
    if (cands.length === 0) break;
    cands.sort((x, y) => y.gain - x.gain || x.a - y.a || x.b - y.b);
    let done = false;
    for (const { a, b } of cands) {
      if (opts.stats) opts.stats.steps++;
      const A = group[a]!, B = group[b]!;
      if (A === B) continue;
      group[a] = B; group[b] = A;
      if (groupConnected(group, adj, A) && groupConnected(group, adj, B)) { done = true; if (opts.stats) opts.stats.moves += 2; break; }
      group[a] = A; group[b] = B;
    }
    if (!done) break;
  }
  return group;
}

export interface GroupOptions {
  /** Number of groups; default chooseGroupCount(total households, total area). */
  k?: number;
  target?: TargetRange;
  /** Largest group area (m²) used when choosing k. */
  maxArea?: number;
  /** Share of the balancing weight given to area rather than households (0..1). */
  areaShare?: number;
  /** Move units to bring household totals into the target range (default true). */
  refine?: boolean;
  /** Another plan per seed, the same plan for the same seed (0 = the principal axes). */
  seed?: number;
  /** Refinement counters (see RefineOptions.stats). */
  stats?: { steps: number; moves: number; ms?: number };
  /** Refinement moves at most (default 500). */
  maxMoves?: number;
  /** Plans tried (other cut angles) while the best is outside the band (default 8). */
  restarts?: number;
  /**
   * After the minimal-change refinement, let households pass along chains of groups
   * (RefineOptions.spread), kept only when that brings household totals closer to the range.
   */
  spread?: boolean;
}

/** Balanced contiguous groups of units: bisection, contiguity repair, household refinement. */
export function groupUnits(units: readonly GroupUnit[], adj: readonly number[][], opts: GroupOptions = {}): Int32Array {
  if (units.length === 0) return new Int32Array(0);
  const target = opts.target ?? GRID_TARGET;
  const H = units.reduce((a, u) => a + u.households, 0);
  const A = units.reduce((a, u) => a + u.area, 0);
  const k = Math.min(units.length, opts.k ?? chooseGroupCountForUnits(units, target, opts.maxArea));
  const share = H > 0 ? (opts.areaShare ?? 0.1) : 1;
  const perArea = H > 0 ? (share * H) / (1 - Math.min(share, 0.99)) / Math.max(A, 1) : 1;
  const weight = (u: GroupUnit) => (H > 0 ? u.households : 0) + perArea * u.area;
  const violation = (gr: Int32Array) => {
    const h = new Float64Array(k);
    units.forEach((u, i) => { if (gr[i]! >= 0) h[gr[i]!]! += u.households; });
    let v = 0;
    for (const x of h) v += x < target.min ? target.min - x : x > target.max ? x - target.max : 0;
    return v;
  };
  // Nothing does better than every unit over the maximum alone in its grid.
  let floor = 0;
  for (const u of units) if (u.households > target.max) floor += u.households - target.max;
  const attempt = (seed: number) => {
    let g = repairContiguity(units, adj, bisectUnits(units, k, weight, seed), weight, target.min / 2);
    if (H > 0 && opts.refine !== false) {
      g = refineBalance(units, adj, g, target, opts.maxMoves ?? 500, { stats: opts.stats });
      if (opts.spread) {
        // Passing households along chains moves many units: keep it only when it brings more into the range.
        const before = violation(g);
        if (before > 0) {
          const spread = refineBalance(units, adj, g, target, opts.maxMoves ?? 500, { stats: opts.stats, spread: true });
          if (violation(spread) < before - 1e-9) g = spread;
        }
      }
      if (violation(g) > floor + 1e-9 && units.length <= 3000) g = swapBalance(units, adj, g, target, 20, { stats: opts.stats });
    }
    return g;
  };
  const seed = opts.seed ?? 0;
  let g = attempt(seed);
  if (H > 0 && opts.refine !== false) {
    // Big buildings make some cuts unbalanceable by moving boundary units: when the plan is still
    // outside the band, try other cut angles (seeds derived from this one, so still deterministic).
    let v = violation(g);
    for (let r = 1; r < (opts.restarts ?? (units.length < 2000 ? 32 : 8)) && v > floor + 1e-9; r++) {
      const other = attempt(((seed + 1) * 7919 + r * 104729) | 0);
      const vo = violation(other);
      if (vo < v - 1e-9) { g = other; v = vo; }
    }
  }
  return renumber(g);
}

// ---------------------------------------------------------------------------------------------
// A whole community at once

export interface PartitionBuilding {
  id: string;
  footprint: Polygon | MultiPolygon;
  households: number;
}

export interface PartitionInput {
  /** The community (lon/lat). */
  boundary: Polygon | MultiPolygon;
  buildings: readonly PartitionBuilding[];
  target?: TargetRange;
  /** Largest grid area, m². */
  maxArea?: number;
  /** Boundary simplification tolerance, metres (default 1). */
  tolerance?: number;
  /** Number of grids (default: from households and the target). */
  k?: number;
  /** Another plan per seed; the same plan for the same seed (default 0). */
  seed?: number;
  /** Refinement counters, filled in. */
  stats?: { steps: number; moves: number; ms?: number };
  /** Balance households by moving boundary units (default true; false = bisection only). */
  refine?: boolean;
  /** Let the grids reach a few metres past the boundary (to be clipped to it exactly). */
  extendOutside?: boolean;
  /** Refinement passes households along chains of grids (RefineOptions.spread; default false). */
  spread?: boolean;
  /** Refinement moves at most (default 500). */
  maxMoves?: number;
}

export interface PartitionGrid {
  geometry: MultiPolygon;
  buildingIds: string[];
  households: number;
}

export interface PartitionResult {
  grids: PartitionGrid[];
  /** Buildings whose interior point is outside the boundary (not assigned). */
  outside: string[];
  /** The union of all grids, with the very vertices of their outer edges (null when there is none). */
  union: MultiPolygon | null;
}

const SEED = { building: 4, inset: 0.5, boundary: 3, boundaryOffset: 0.4, filler: 12, minDist: 0.3 };

/**
 * A community as units over a cell complex: each building with the ground nearest to it, and
 * each piece of ground reaching no building. The grid editor's partition and rebalance group
 * these units (units never split a building); `geometries` turns a grouping into exact,
 * vertex-sharing MultiPolygons.
 */
export interface UnitModel {
  proj: LocalProjection;
  cx: CellComplex;
  units: GroupUnit[];
  adj: number[][];
  /** Unit of each cell (-1 outside the boundary). */
  unitOfCell: Int32Array;
  /** Building indices (into input.buildings) per unit. */
  unitBuildings: number[][];
  /** Unit of each building (-1: interior point outside the boundary). */
  unitOfBuilding: Int32Array;
  /** Projected interior point of each building (null outside). */
  interior: (XY | null)[];
  /**
   * Grid geometries of a grouping of units (group per unit, -1 = none), by group. With
   * extendOutside, each cell just outside the boundary joins its nearest labelled neighbour, so
   * the groups reach a few metres past the boundary and clipping them to it covers it exactly.
   */
  geometries(groupOfUnit: Int32Array, tolerance?: number, extendOutside?: boolean): Map<number, MultiPolygon>;
  /** The Coverage behind `geometries` (for other unions of the same boundaries, e.g. all groups at once). */
  coverage(groupOfUnit: Int32Array, tolerance?: number, extendOutside?: boolean): Coverage;
  /** Cell holding each building's interior point (-1 outside). */
  cellOfBuilding: Int32Array;
  /** Building whose footprint seeded each cell (-1: ground, or outside); overlapping buildings seed as their group (overlapOf). */
  buildingOfCell: Int32Array;
  /** Group of overlapping buildings each building is in (the group's first building; see overlapGroups). */
  overlapOf: Int32Array;
  /** Geometries of any labelling of the cells (label per cell, -1 = none), by label. */
  cellGeometries(labelOfCell: Int32Array, tolerance?: number): Map<number, MultiPolygon>;
}

export function buildUnits(input: Pick<PartitionInput, 'boundary' | 'buildings'>): UnitModel {
  const polys = input.boundary.type === 'Polygon' ? [input.boundary.coordinates] : input.boundary.coordinates;
  let minLon = Infinity, minLat = Infinity, maxLon = -Infinity, maxLat = -Infinity;
  for (const p of polys) for (const q of p[0]!) { minLon = Math.min(minLon, q[0]!); maxLon = Math.max(maxLon, q[0]!); minLat = Math.min(minLat, q[1]!); maxLat = Math.max(maxLat, q[1]!); }
  const proj = localProjection((minLon + maxLon) / 2, (minLat + maxLat) / 2);
  const bRings = polys.map((p) => p.map((r) => orientRing(r.map((c) => proj.toXY(c)), false)));
  const inside = (p: XY) => bRings.some((rs) => pointInRings(p, rs));
  const lo = proj.toXY([minLon, minLat]), hi = proj.toXY([maxLon, maxLat]);
  const pad = 50;
  const extent: Box = [lo[0] - pad, lo[1] - pad, hi[0] + pad, hi[1] + pad];

  // Seeds: kind 0 = building (ref = building index), 1 = free inside, 2 = outside.
  const pts: XY[] = [], kind: number[] = [], ref: number[] = [];
  const add = (p: XY, k: number, r: number) => {
    if (!(p[0] > extent[0] && p[0] < extent[2] && p[1] > extent[1] && p[1] < extent[3])) return;
    pts.push(p); kind.push(k); ref.push(r);
  };
  const ips: (XY | null)[] = input.buildings.map((b) => { const p = proj.toXY(interiorPoint(b.footprint)); return inside(p) ? p : null; });
  const ipSeed = new Map<number, number>(); // building -> index in pts

  // Projected footprints; buildings that overlap (mapped twice, or a podium under a tower) are one
  // unit, so no line can pass between them: a seed of one at least SEED.inset inside the other.
  const foot: XY[][][][] = input.buildings.map((b) => (b.footprint.type === 'Polygon' ? [b.footprint.coordinates] : b.footprint.coordinates)
    .map((rings) => rings.map((r, j) => orientRing(r.map((c) => proj.toXY(c)), j > 0))));
  // Points 0.5 m inside each outline: the building's seeds, and the probes for overlaps.
  const inset = foot.map((polys, i) => (!ips[i] ? [] : polys.flatMap((xr) => ringSeeds(xr, SEED.building, SEED.inset).filter((q) => pointInRings(q, xr)))));
  const buildingOf = overlapGroups(foot, ips, inset);
  ips.forEach((p, i) => { if (p) { ipSeed.set(i, pts.length); add(p, 0, buildingOf[i]!); } }); // inside the padded extent
  input.buildings.forEach((_, i) => {
    if (!ips[i]) return;
    for (const q of inset[i]!) if (inside(q)) add(q, 0, buildingOf[i]!);
  });
  for (const rings of bRings) {
    for (const s of ringSeeds(rings, SEED.boundary, SEED.boundaryOffset)) add(s, 1, -1);
    for (const s of ringSeeds(rings, SEED.boundary, -SEED.boundaryOffset)) add(s, 2, -1);
  }
  for (let i = 0, x0 = extent[0] + SEED.filler / 2; x0 < extent[2]; i++, x0 += SEED.filler) {
    for (let j = 0, y0 = extent[1] + SEED.filler / 2; y0 < extent[3]; j++, y0 += SEED.filler) {
      const p: XY = [x0 + jitter(i, j) * SEED.filler * 0.8, y0 + jitter(j + 7919, i) * SEED.filler * 0.8];
      add(p, inside(p) ? 1 : 2, -1);
    }
  }
  const keep = thinSeeds(pts, SEED.minDist);
  const seedOfPt = new Map<number, number>(keep.map((pi, si) => [pi, si]));
  const seeds = keep.map((i) => pts[i]!);
  const skind = keep.map((i) => kind[i]!), sref = keep.map((i) => ref[i]!);
  const cx = buildCellComplex(seeds, extent, proj);
  const isIn = (c: number) => skind[c] !== 2;

  // Units: each building with the ground nearest to it; ground reaching no building is one unit per piece.
  const src = new Int32Array(seeds.length).fill(-1);
  skind.forEach((k, c) => { if (k === 0) src[c] = sref[c]!; });
  // A building belongs to the unit holding its interior point (the cell of that point's seed).
  const ipCell = ips.map((p, i) => {
    if (!p) return -1;
    const si = seedOfPt.get(ipSeed.get(i) ?? -1);
    if (si !== undefined) return si;
    let best = -1, bd = Infinity; // thinned away next to another seed: the cell it lies in
    seeds.forEach((s, c) => { const d = Math.hypot(s[0] - p[0], s[1] - p[1]); if (d < bd) { bd = d; best = c; } });
    return best;
  });
  // Territories can come out in pieces (overlapping footprints interleave their seeds): each keeps
  // the piece holding its building's interior point, so every unit — and every grid — is one piece.
  const territory = connectLabels(cx, growLabels(cx, src, isIn), isIn, (t) => ipCell[t] ?? -1);
  const comp = cellComponents(cx, (c) => isIn(c) && territory[c]! < 0);
  const unitOfCell = new Int32Array(seeds.length).fill(-1);
  const unitOfTerritory = new Int32Array(input.buildings.length).fill(-1);
  const unitOfComp = new Map<number, number>();
  const units: GroupUnit[] = [];
  const unitBuildings: number[][] = [];
  for (let c = 0; c < seeds.length; c++) {
    if (!isIn(c) || cx.ringStart[c + 1] === cx.ringStart[c]) continue;
    const t = territory[c]!;
    let u = t >= 0 ? unitOfTerritory[t]! : (unitOfComp.get(comp[c]!) ?? -1);
    if (u < 0) {
      u = units.length;
      if (t >= 0) unitOfTerritory[t] = u; else unitOfComp.set(comp[c]!, u);
      units.push({ x: 0, y: 0, households: 0, area: 0 });
      unitBuildings.push([]);
    }
    unitOfCell[c] = u;
    const un = units[u]!;
    const a = cx.area[c]!;
    un.x = (un.x * un.area + seeds[c]![0] * a) / (un.area + a || 1);
    un.y = (un.y * un.area + seeds[c]![1] * a) / (un.area + a || 1);
    un.area += a;
  }
  const unitOfBuilding = new Int32Array(input.buildings.length).fill(-1);
  ipCell.forEach((c, i) => {
    const u = c >= 0 ? unitOfCell[c]! : -1;
    if (u < 0) return;
    units[u]!.households += input.buildings[i]!.households;
    unitBuildings[u]!.push(i);
    unitOfBuilding[i] = u;
  });
  const adjSet = units.map(() => new Set<number>());
  for (let c = 0; c < seeds.length; c++) {
    const u = unitOfCell[c]!;
    if (u < 0) continue;
    for (let k = cx.nbStart[c]!; k < cx.nbStart[c + 1]!; k++) { const v = unitOfCell[cx.nbCell[k]!]!; if (v >= 0 && v !== u) adjSet[u]!.add(v); }
  }
  const adj = adjSet.map((s) => [...s].sort((a, b) => a - b));
  const coverage = (groupOfUnit: Int32Array, tolerance = 1, extendOutside = false): Coverage => {
    const labels = new Int32Array(seeds.length).fill(-1);
    for (let c = 0; c < seeds.length; c++) if (unitOfCell[c]! >= 0) labels[c] = groupOfUnit[unitOfCell[c]!]!;
    if (extendOutside) {
      const inner = Int32Array.from(labels);
      for (let c = 0; c < seeds.length; c++) {
        if (skind[c] !== 2 || cx.ringStart[c + 1] === cx.ringStart[c]) continue;
        let best = -1, bd = Infinity;
        for (let k = cx.nbStart[c]!; k < cx.nbStart[c + 1]!; k++) {
          const n = cx.nbCell[k]!;
          if (inner[n]! < 0 || skind[n] === 2) continue;
          const d = Math.hypot(seeds[n]![0] - seeds[c]![0], seeds[n]![1] - seeds[c]![1]);
          if (d < bd) { bd = d; best = n; }
        }
        if (best >= 0) labels[c] = inner[best]!;
      }
    }
    const keepInside: { p: XY; label: number }[] = [];
    ips.forEach((p, i) => { const u = unitOfBuilding[i]!; if (p && u >= 0 && groupOfUnit[u]! >= 0) keepInside.push({ p, label: groupOfUnit[u]! }); });
    return new Coverage(cx, labels, { tolerance, keepInside });
  };
  const geometries = (groupOfUnit: Int32Array, tolerance = 1, extendOutside = false) => coverage(groupOfUnit, tolerance, extendOutside).multiPolygons();
  const cellOfBuilding = Int32Array.from(ipCell);
  const buildingOfCell = new Int32Array(seeds.length).fill(-1);
  skind.forEach((k, c) => { if (k === 0 && unitOfCell[c]! >= 0) buildingOfCell[c] = sref[c]!; });
  const cellGeometries = (labelOfCell: Int32Array, tolerance = 1) => {
    const keepInside: { p: XY; label: number }[] = [];
    ips.forEach((p, i) => { const c = ipCell[i]!; if (p && c >= 0 && labelOfCell[c]! >= 0) keepInside.push({ p, label: labelOfCell[c]! }); });
    return new Coverage(cx, labelOfCell, { tolerance, keepInside }).multiPolygons();
  };
  return { proj, cx, units, adj, unitOfCell, unitBuildings, unitOfBuilding, interior: ips, geometries, coverage, cellOfBuilding, buildingOfCell, overlapOf: buildingOf, cellGeometries };
}

/**
 * Buildings that overlap, as groups: the index of the group's first building for each building
 * (itself when it overlaps none). Two overlap when a point 0.5 m inside one's outline (or its
 * interior point) lies inside the other; buildings that only share a wall do not. `inset`, those
 * points per building when the caller has them already.
 */
export function overlapGroups(foot: readonly (readonly (readonly XY[])[])[][], interior: readonly (XY | null)[], inset?: readonly (readonly XY[])[]): Int32Array {
  const n = foot.length;
  const parent = Int32Array.from({ length: n }, (_, i) => i);
  const find = (i: number): number => { while (parent[i] !== i) { parent[i] = parent[parent[i]!]!; i = parent[i]!; } return i; };
  const live = foot.map((_, i) => interior[i] !== null && foot[i]!.length > 0);
  const count = live.filter(Boolean).length;
  if (count < 2) return parent;
  const idx = new Flatbush(n);
  const boxes = foot.map((polys) => {
    let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
    for (const rings of polys) for (const p of rings[0] ?? []) { x0 = Math.min(x0, p[0]); y0 = Math.min(y0, p[1]); x1 = Math.max(x1, p[0]); y1 = Math.max(y1, p[1]); }
    return [x0, y0, x1, y1] as const;
  });
  for (let i = 0; i < n; i++) { const b = boxes[i]!; if (live[i] && b[0] <= b[2]) idx.add(b[0], b[1], b[2], b[3]); else idx.add(0, 0, 0, 0); }
  idx.finish();
  const inFoot = (p: XY, j: number) => foot[j]!.some((rings) => pointInRings(p, rings));
  for (let i = 0; i < n; i++) {
    if (!live[i]) continue;
    const b = boxes[i]!;
    const probes: XY[] = [interior[i]!, ...(inset?.[i] ?? foot[i]!.flatMap((rings) => ringSeeds(rings, SEED.building, SEED.inset).filter((q) => pointInRings(q, rings))))];
    for (const j of idx.search(b[0], b[1], b[2], b[3])) {
      if (j === i || !live[j] || find(i) === find(j)) continue;
      if (probes.some((p) => inFoot(p, j))) { const a = find(i), c = find(j); parent[Math.max(a, c)] = Math.min(a, c); }
    }
  }
  for (let i = 0; i < n; i++) parent[i] = find(i);
  return parent;
}

/**
 * Split one community into grids. The grids are a partition of (a cell approximation of) the
 * boundary — within about a metre of it — that never cuts a building's interior point; every
 * building whose interior point lies inside is in exactly one grid.
 */
export function partitionCommunity(input: PartitionInput): PartitionResult {
  const m = buildUnits(input);
  const groupOfUnit = groupUnits(m.units, m.adj, { target: input.target, maxArea: input.maxArea, k: input.k, seed: input.seed, stats: input.stats, refine: input.refine, spread: input.spread, maxMoves: input.maxMoves });
  const cov = m.coverage(groupOfUnit, input.tolerance ?? 1, input.extendOutside ?? false);
  const mps = cov.multiPolygons();
  const ng = Math.max(-1, ...groupOfUnit) + 1;
  const grids: PartitionGrid[] = [];
  for (let g = 0; g < ng; g++) grids.push({ geometry: mps.get(g)!, buildingIds: [], households: 0 });
  m.units.forEach((_, i) => {
    const g = grids[groupOfUnit[i]!]!;
    for (const b of m.unitBuildings[i]!) { g.buildingIds.push(input.buildings[b]!.id); g.households += input.buildings[b]!.households; }
  });
  const outside = input.buildings.filter((_, i) => m.unitOfBuilding[i]! < 0).map((b) => b.id);
  return { grids: grids.filter((g) => g.geometry), outside, union: cov.multiPolygons((l) => (l >= 0 ? 0 : -1)).get(0) ?? null };
}

/** Orient a projected ring: counter-clockwise for shells, clockwise for holes; drops closing point. */
export function orientRing(ring: XY[], hole: boolean): XY[] {
  const r = ring.length > 1 && ring[0]![0] === ring.at(-1)![0] && ring[0]![1] === ring.at(-1)![1] ? ring.slice(0, -1) : ring.slice();
  const a = ringArea(r);
  if ((a < 0) !== hole) r.reverse();
  return r;
}

// Shared-vertex topology of one community's grids (网格拓扑), for topological editing. Pure: no I/O.
//
// Every grid is a face whose rings are lists of vertex ids into one shared vertex table. Two grids
// that touch use the very same vertex ids along their common boundary (coincident vertices are
// snapped together and T-junctions noded when the topology is built), so moving a shared vertex
// moves both grids at once: no sliver and no gap can open between them. Shells are counter-
// clockwise and holes clockwise in the local metric projection, so the boundary between two
// neighbours appears once in each direction — which is what merging cancels.
//
// Operations are immutable: each returns a new Topology (the editor keeps old ones for undo) or a
// typed failure with a zh-CN message for the analyst; they never throw on user input.
import { difference, featureCollection, intersect, polygon as turfPolygon, multiPolygon as turfMultiPolygon } from '@turf/turf';
import Flatbush from 'flatbush';
import KDBush from 'kdbush';
import type { Feature, MultiPolygon, Polygon, Position } from 'geojson';
import { localProjection, pointInRing, ringArea, type LocalProjection, type XY } from '../partition.js';

export type LonLat = [number, number];

/** A grid as the editor stores it: a key and a geometry (GeoJSON, WGS84). */
export interface GridShape {
  key: string;
  geometry: Polygon | MultiPolygon;
}

/** A face: polygons → rings (first = shell) → vertex ids (open rings, no repeated closing id). */
export interface Face {
  key: string;
  polys: number[][][];
}

export interface Topology {
  /** Vertex positions, lon/lat. Ids are indexes; unused ids may remain after edits. */
  readonly vertices: readonly LonLat[];
  /** The same vertices in the local metric projection (metres). */
  readonly xy: readonly XY[];
  readonly faces: readonly Face[];
  readonly proj: LocalProjection;
  /** Snapping tolerance used when building and editing, metres. */
  readonly snapM: number;
}

export type TopoErrorCode =
  | 'not_found'
  | 'not_adjacent'
  | 'line_must_cross'
  | 'line_through_hole'
  | 'self_intersection'
  | 'degenerate'
  | 'no_free_area';

export type TopoResult<T> = { ok: true; value: T } | { ok: false; code: TopoErrorCode; message: string };

const ok = <T>(value: T): TopoResult<T> => ({ ok: true, value });
const fail = <T>(code: TopoErrorCode, message: string): TopoResult<T> => ({ ok: false, code, message });

/** Smallest face area kept, m² (a ring below it is a collapse, not a grid). */
const MIN_AREA_M2 = 1;

// ---------------------------------------------------------------------------------------------
// Building

export interface BuildOptions {
  /** Vertices closer than this are one vertex; a vertex this close to an edge is noded into it. Metres, default 0.05. */
  snapM?: number;
  /** Projection to use (default: centred on the grids' bounding box). */
  proj?: LocalProjection;
}

function stripClosing(ring: readonly Position[]): Position[] {
  const n = ring.length;
  if (n > 1 && ring[0]![0] === ring[n - 1]![0] && ring[0]![1] === ring[n - 1]![1]) return ring.slice(0, -1);
  return ring.slice();
}

function polygonsOf(g: Polygon | MultiPolygon): Position[][][] {
  return g.type === 'Polygon' ? [g.coordinates] : g.coordinates;
}

function bboxOf(shapes: readonly GridShape[]): [number, number, number, number] {
  let a = Infinity, b = Infinity, c = -Infinity, d = -Infinity;
  for (const s of shapes) for (const p of polygonsOf(s.geometry)) for (const r of p) for (const q of r) {
    a = Math.min(a, q[0]!); c = Math.max(c, q[0]!); b = Math.min(b, q[1]!); d = Math.max(d, q[1]!);
  }
  return [a, b, c, d];
}

/** A projection centred on the shapes (or on 0,0 when there are none). */
export function projectionFor(shapes: readonly GridShape[]): LocalProjection {
  const [a, b, c, d] = bboxOf(shapes);
  return Number.isFinite(a) ? localProjection((a + c) / 2, (b + d) / 2) : localProjection(0, 0);
}

function ringAreaIds(ring: readonly number[], xy: readonly XY[]): number {
  return ringArea(ring.map((i) => xy[i]!));
}

function dedupeRing(ring: number[]): number[] {
  const out: number[] = [];
  for (const v of ring) if (out[out.length - 1] !== v) out.push(v);
  while (out.length > 1 && out[0] === out[out.length - 1]) out.pop();
  return out;
}

function paramOnSegment(p: XY, a: XY, b: XY): { t: number; d: number } {
  const dx = b[0] - a[0], dy = b[1] - a[1];
  const l2 = dx * dx + dy * dy;
  const t = l2 > 0 ? ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / l2 : 0;
  const tc = Math.max(0, Math.min(1, t));
  return { t, d: Math.hypot(p[0] - a[0] - tc * dx, p[1] - a[1] - tc * dy) };
}

/**
 * Build the topology of a community's grids: coincident vertices (within `snapM`) become one
 * vertex, a vertex lying on another grid's edge is inserted into that edge, rings are oriented
 * (shells counter-clockwise, holes clockwise) and degenerate rings dropped.
 */
export function buildTopology(shapes: readonly GridShape[], opts: BuildOptions = {}): Topology {
  const snapM = opts.snapM ?? 0.05;
  const proj = opts.proj ?? projectionFor(shapes);
  // 1. Every ring point, then clusters of points within snapM (union-find over a KD index).
  const raw: { ll: LonLat; xy: XY }[] = [];
  const shapeRings: number[][][][] = shapes.map((s) =>
    polygonsOf(s.geometry).map((rings) =>
      rings.map((ring) =>
        stripClosing(ring).map((q) => {
          raw.push({ ll: [q[0]!, q[1]!], xy: proj.toXY(q) });
          return raw.length - 1;
        }),
      ),
    ),
  );
  const parent = Int32Array.from(raw, (_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) { parent[i] = parent[parent[i]!]!; i = parent[i]!; }
    return i;
  };
  if (raw.length > 0) {
    const kd = new KDBush(raw.length);
    for (const r of raw) kd.add(r.xy[0], r.xy[1]);
    kd.finish();
    raw.forEach((r, i) => {
      for (const j of kd.within(r.xy[0], r.xy[1], snapM)) {
        const a = find(i), b = find(j);
        if (a !== b) parent[Math.max(a, b)] = Math.min(a, b);
      }
    });
  }
  const vertexOfRoot = new Map<number, number>();
  const vertices: LonLat[] = [];
  const xy: XY[] = [];
  const vid = (rawId: number): number => {
    const root = find(rawId);
    let v = vertexOfRoot.get(root);
    if (v === undefined) {
      v = vertices.length;
      vertexOfRoot.set(root, v);
      vertices.push(raw[root]!.ll);
      xy.push(raw[root]!.xy);
    }
    return v;
  };
  let faces: Face[] = shapes.map((s, si) => ({
    key: s.key,
    polys: shapeRings[si]!.map((rings) => rings.map((ring) => dedupeRing(ring.map(vid)))),
  }));
  // 2. Node T-junctions: a vertex within snapM of the inside of another ring's edge goes into it.
  faces = nodeFaces(faces, xy, snapM);
  // 3. Orientation and degenerate rings.
  faces = faces.map((f) => ({ key: f.key, polys: cleanPolys(f.polys, xy) }));
  return { vertices, xy, faces, proj, snapM };
}

function cleanPolys(polys: number[][][], xy: readonly XY[]): number[][][] {
  const out: number[][][] = [];
  for (const rings of polys) {
    const kept: number[][] = [];
    rings.forEach((ring, i) => {
      const r = dedupeRing(ring);
      if (r.length < 3) return;
      const a = ringAreaIds(r, xy);
      if (Math.abs(a) < (i === 0 ? MIN_AREA_M2 : 1e-6)) return;
      if (i === 0 && kept.length === 0) kept.push(a > 0 ? r : r.slice().reverse());
      else if (kept.length > 0) kept.push(a < 0 ? r : r.slice().reverse());
    });
    if (kept.length > 0) out.push(kept);
  }
  return out;
}

interface SegRef { f: number; p: number; r: number; i: number }

function segments(faces: readonly Face[]): SegRef[] {
  const out: SegRef[] = [];
  faces.forEach((face, f) => face.polys.forEach((rings, p) => rings.forEach((ring, r) => ring.forEach((_, i) => out.push({ f, p, r, i })))));
  return out;
}

function segEnds(faces: readonly Face[], s: SegRef): [number, number] {
  const ring = faces[s.f]!.polys[s.p]![s.r]!;
  return [ring[s.i]!, ring[(s.i + 1) % ring.length]!];
}

function segmentIndex(faces: readonly Face[], xy: readonly XY[], pad = 0): { segs: SegRef[]; index: Flatbush | null } {
  const segs = segments(faces);
  if (segs.length === 0) return { segs, index: null };
  const index = new Flatbush(segs.length);
  for (const s of segs) {
    const [a, b] = segEnds(faces, s);
    const p = xy[a]!, q = xy[b]!;
    index.add(Math.min(p[0], q[0]) - pad, Math.min(p[1], q[1]) - pad, Math.max(p[0], q[0]) + pad, Math.max(p[1], q[1]) + pad);
  }
  index.finish();
  return { segs, index };
}

function nodeFaces(faces: Face[], xy: readonly XY[], snapM: number): Face[] {
  const { segs, index } = segmentIndex(faces, xy, snapM);
  if (!index) return faces;
  const inserts = new Map<string, { t: number; v: number }[]>();
  const used = new Set<number>();
  for (const face of faces) for (const rings of face.polys) for (const ring of rings) for (const v of ring) used.add(v);
  for (const v of used) {
    const p = xy[v]!;
    for (const k of index.search(p[0], p[1], p[0], p[1])) {
      const s = segs[k]!;
      const [a, b] = segEnds(faces, s);
      if (a === v || b === v) continue;
      const { t, d } = paramOnSegment(p, xy[a]!, xy[b]!);
      if (d > snapM || t <= 0 || t >= 1) continue;
      const key = `${s.f}/${s.p}/${s.r}/${s.i}`;
      let list = inserts.get(key);
      if (!list) inserts.set(key, (list = []));
      list.push({ t, v });
    }
  }
  if (inserts.size === 0) return faces;
  return faces.map((face, f) => ({
    key: face.key,
    polys: face.polys.map((rings, p) =>
      rings.map((ring, r) => {
        const out: number[] = [];
        ring.forEach((v, i) => {
          out.push(v);
          const list = inserts.get(`${f}/${p}/${r}/${i}`);
          if (list) for (const x of list.sort((m, n) => m.t - n.t)) out.push(x.v);
        });
        return dedupeRing(out);
      }),
    ),
  }));
}

// ---------------------------------------------------------------------------------------------
// Reading

export function faceIndex(topo: Topology, key: string): number {
  return topo.faces.findIndex((f) => f.key === key);
}

/** A face as GeoJSON (Polygon when it has one part, else MultiPolygon), closed rings. */
export function faceGeometry(topo: Topology, key: string): Polygon | MultiPolygon | null {
  const face = topo.faces.find((f) => f.key === key);
  if (!face || face.polys.length === 0) return null;
  const polys = face.polys.map((rings) => rings.map((ring) => [...ring, ring[0]!].map((v) => [...topo.vertices[v]!] as Position)));
  return polys.length === 1 ? { type: 'Polygon', coordinates: polys[0]! } : { type: 'MultiPolygon', coordinates: polys };
}

/** Every face back as shapes (faces without area are left out). */
export function toShapes(topo: Topology): GridShape[] {
  const out: GridShape[] = [];
  for (const f of topo.faces) {
    const g = faceGeometry(topo, f.key);
    if (g) out.push({ key: f.key, geometry: g });
  }
  return out;
}

/** Face area, m². */
export function faceArea(topo: Topology, key: string): number {
  const face = topo.faces.find((f) => f.key === key);
  if (!face) return 0;
  let a = 0;
  for (const rings of face.polys) for (const ring of rings) a += ringAreaIds(ring, topo.xy);
  return a;
}

const edgeKey = (a: number, b: number) => (a < b ? `${a},${b}` : `${b},${a}`);

/** Undirected edges → keys of the faces using them. */
export function edgeFaces(topo: Topology): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const face of topo.faces) for (const rings of face.polys) for (const ring of rings) {
    ring.forEach((v, i) => {
      const k = edgeKey(v, ring[(i + 1) % ring.length]!);
      const list = m.get(k);
      if (!list) m.set(k, [face.key]);
      else if (!list.includes(face.key)) list.push(face.key);
    });
  }
  return m;
}

/** Keys of the faces sharing at least one edge with `key`. */
export function neighbours(topo: Topology, key: string): string[] {
  const out = new Set<string>();
  for (const keys of edgeFaces(topo).values()) if (keys.includes(key)) for (const k of keys) if (k !== key) out.add(k);
  return [...out];
}

/** Keys of the faces using a vertex. */
export function facesOfVertex(topo: Topology, v: number): string[] {
  return topo.faces.filter((f) => f.polys.some((rings) => rings.some((ring) => ring.includes(v)))).map((f) => f.key);
}

/** Vertex ids used by any face. */
export function usedVertices(topo: Topology): number[] {
  const s = new Set<number>();
  for (const f of topo.faces) for (const rings of f.polys) for (const ring of rings) for (const v of ring) s.add(v);
  return [...s].sort((a, b) => a - b);
}

/** The used vertex nearest to a point, within maxM metres. */
export function nearestVertex(topo: Topology, p: LonLat, maxM: number): number | null {
  const q = topo.proj.toXY(p);
  let best: number | null = null, bd = maxM;
  for (const v of usedVertices(topo)) {
    const d = Math.hypot(topo.xy[v]![0] - q[0], topo.xy[v]![1] - q[1]);
    if (d <= bd) { bd = d; best = v; }
  }
  return best;
}

/** The edge nearest to a point within maxM metres, and the nearest point on it. */
export function nearestEdge(topo: Topology, p: LonLat, maxM: number): { a: number; b: number; point: LonLat; t: number } | null {
  const q = topo.proj.toXY(p);
  let best: { a: number; b: number; point: LonLat; t: number } | null = null, bd = maxM;
  for (const s of segments(topo.faces)) {
    const [a, b] = segEnds(topo.faces, s);
    const A = topo.xy[a]!, B = topo.xy[b]!;
    const { t, d } = paramOnSegment(q, A, B);
    if (d <= bd && t > 0 && t < 1) {
      bd = d;
      best = { a, b, t, point: topo.proj.toLonLat([A[0] + (B[0] - A[0]) * t, A[1] + (B[1] - A[1]) * t]) };
    }
  }
  return best;
}

// ---------------------------------------------------------------------------------------------
// Editing helpers

function withVertices(topo: Topology, vertices: LonLat[], xy: XY[], faces: Face[]): Topology {
  return { vertices, xy, faces, proj: topo.proj, snapM: topo.snapM };
}

function addVertex(vertices: LonLat[], xy: XY[], proj: LocalProjection, p: XY): number {
  xy.push(p);
  vertices.push(roundLL(proj.toLonLat(p)));
  return vertices.length - 1;
}

/** 1e-9° (≈0.1 mm): new vertices stay exact in JSON and PostGIS. */
function roundLL(p: XY | LonLat): LonLat {
  return [Math.round(p[0] * 1e9) / 1e9, Math.round(p[1] * 1e9) / 1e9];
}

/**
 * Insert a new vertex at `p` into the edge a–b of every ring that has it (both neighbours), so the
 * shared boundary stays shared. Returns the new topology and the vertex id.
 */
export function insertVertex(topo: Topology, a: number, b: number, p: LonLat): TopoResult<{ topology: Topology; vertex: number }> {
  const vertices = topo.vertices.slice(), xy = topo.xy.slice();
  const v = vertices.length;
  vertices.push(roundLL(p));
  xy.push(topo.proj.toXY(vertices[v]!));
  let found = false;
  const faces = topo.faces.map((face) => ({
    key: face.key,
    polys: face.polys.map((rings) =>
      rings.map((ring) => {
        const out: number[] = [];
        ring.forEach((u, i) => {
          out.push(u);
          const w = ring[(i + 1) % ring.length]!;
          if ((u === a && w === b) || (u === b && w === a)) { out.push(v); found = true; }
        });
        return out;
      }),
    ),
  }));
  if (!found) return fail('not_found', '所选边不存在');
  return ok({ topology: withVertices(topo, vertices, xy, faces), vertex: v });
}

function segCross(a: XY, b: XY, c: XY, d: XY): boolean {
  const o = (p: XY, q: XY, r: XY) => (q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0]);
  const o1 = o(a, b, c), o2 = o(a, b, d), o3 = o(c, d, a), o4 = o(c, d, b);
  const eps = 1e-9;
  if (((o1 > eps && o2 < -eps) || (o1 < -eps && o2 > eps)) && ((o3 > eps && o4 < -eps) || (o3 < -eps && o4 > eps))) return true;
  // touching / collinear overlap
  const on = (p: XY, q: XY, r: XY) => Math.abs(o(p, q, r)) <= 1e-6 * Math.max(1, Math.hypot(q[0] - p[0], q[1] - p[1])) && paramOnSegment(r, p, q).d < 1e-3;
  return on(a, b, c) || on(a, b, d) || on(c, d, a) || on(c, d, b);
}

/**
 * Do any two edges of the topology cross or touch other than at a shared vertex? Only edges touching
 * `only` (vertex ids) are checked against the rest when given.
 */
export function findCrossing(topo: Topology, only?: ReadonlySet<number>): [number, number, number, number] | null {
  const { segs, index } = segmentIndex(topo.faces, topo.xy);
  if (!index) return null;
  const seen = new Set<string>();
  for (const s of segs) {
    const [a, b] = segEnds(topo.faces, s);
    if (only && !only.has(a) && !only.has(b)) continue;
    const A = topo.xy[a]!, B = topo.xy[b]!;
    for (const k of index.search(Math.min(A[0], B[0]), Math.min(A[1], B[1]), Math.max(A[0], B[0]), Math.max(A[1], B[1]))) {
      const [c, d] = segEnds(topo.faces, segs[k]!);
      if (c === a || c === b || d === a || d === b) continue;
      const key = `${edgeKey(a, b)}|${edgeKey(c, d)}`;
      if (seen.has(key)) continue;
      seen.add(key);
      if (segCross(A, B, topo.xy[c]!, topo.xy[d]!)) return [a, b, c, d];
    }
  }
  return null;
}

/**
 * Move vertices (topological editing): every ring using a vertex moves with it, so both grids on a
 * shared boundary reshape together. Refused when an edge would cross another or a ring collapse
 * or turn inside out.
 */
export function moveVertices(topo: Topology, moves: ReadonlyMap<number, LonLat>): TopoResult<Topology> {
  const vertices = topo.vertices.slice(), xy = topo.xy.slice();
  for (const [v, p] of moves) {
    if (v < 0 || v >= vertices.length) return fail('not_found', '顶点不存在');
    vertices[v] = roundLL(p);
    xy[v] = topo.proj.toXY(vertices[v]!);
  }
  const next = withVertices(topo, vertices, xy, topo.faces as Face[]);
  const moved = new Set(moves.keys());
  for (const face of topo.faces) for (const rings of face.polys) rings.forEach((ring, i) => {
    if (!ring.some((v) => moved.has(v))) return;
    const before = ringAreaIds(ring, topo.xy), after = ringAreaIds(ring, xy);
    if (Math.sign(before) !== Math.sign(after) || Math.abs(after) < (i === 0 ? MIN_AREA_M2 : 1e-6)) moved.add(-1);
  });
  if (moved.has(-1)) return fail('degenerate', '移动后网格面积塌缩或翻转，已取消');
  if (findCrossing(next, moved)) return fail('self_intersection', '移动后边界相交，已取消');
  return ok(next);
}

/** Move one vertex (all grids using it follow). */
export function moveVertex(topo: Topology, v: number, to: LonLat): TopoResult<Topology> {
  return moveVertices(topo, new Map([[v, to]]));
}

/** Move an edge a–b by a displacement in metres (both endpoints; both neighbours follow). */
export function moveEdge(topo: Topology, a: number, b: number, dx: number, dy: number): TopoResult<Topology> {
  const m = new Map<number, LonLat>();
  for (const v of [a, b]) {
    const p = topo.xy[v];
    if (!p) return fail('not_found', '顶点不存在');
    m.set(v, topo.proj.toLonLat([p[0] + dx, p[1] + dy]));
  }
  return moveVertices(topo, m);
}

// ---------------------------------------------------------------------------------------------
// Split

interface Crossing { s: number; t: number; ring: number; i: number; u: number; p: XY }

function lineRingCrossings(line: readonly XY[], ringXY: readonly XY[], snapM: number): Crossing[] {
  const out: Crossing[] = [];
  const n = ringXY.length;
  for (let s = 0; s + 1 < line.length; s++) {
    const P = line[s]!, Q = line[s + 1]!;
    const rx = Q[0] - P[0], ry = Q[1] - P[1];
    for (let i = 0; i < n; i++) {
      const A = ringXY[i]!, B = ringXY[(i + 1) % n]!;
      const sx = B[0] - A[0], sy = B[1] - A[1];
      const den = rx * sy - ry * sx;
      if (Math.abs(den) < 1e-12) continue; // parallel: running along a boundary is not a crossing
      const t = ((A[0] - P[0]) * sy - (A[1] - P[1]) * sx) / den;
      const u = ((A[0] - P[0]) * ry - (A[1] - P[1]) * rx) / den;
      const lenL = Math.hypot(rx, ry), lenR = Math.hypot(sx, sy);
      const tolT = snapM / Math.max(lenL, 1e-9), tolU = snapM / Math.max(lenR, 1e-9);
      if (t < -tolT || t > 1 + tolT || u < -tolU || u > 1 + tolU) continue;
      out.push({ s, t: Math.max(0, Math.min(1, t)), ring: 0, i, u: Math.max(0, Math.min(1, u)), p: [P[0] + rx * t, P[1] + ry * t] });
    }
  }
  out.sort((a, b) => a.s + a.t - (b.s + b.t));
  // A line through a vertex crosses two ring edges at one point: keep one.
  const dedup: Crossing[] = [];
  for (const c of out) {
    const last = dedup[dedup.length - 1];
    if (last && Math.hypot(last.p[0] - c.p[0], last.p[1] - c.p[1]) <= snapM) continue;
    dedup.push(c);
  }
  return dedup;
}

function pointAlong(line: readonly XY[], pos: number): XY {
  const s = Math.min(Math.floor(pos), line.length - 2), t = pos - s;
  const P = line[s]!, Q = line[s + 1]!;
  return [P[0] + (Q[0] - P[0]) * t, P[1] + (Q[1] - P[1]) * t];
}

function insideRingsXY(p: XY, rings: readonly (readonly XY[])[]): boolean {
  let inside = false;
  for (const r of rings) if (pointInRing(p, r)) inside = !inside;
  return inside;
}

export interface SplitOptions {
  /** Key for each additional piece (the largest piece keeps the face's key). */
  newKey: () => string;
}

/**
 * Split a face by a polyline (lon/lat). The line must cross the grid: every stretch of it inside
 * the grid, from one boundary crossing to the next, cuts the grid into one more piece (a line
 * crossing once gives two). Crossing points are inserted into the neighbours' rings too, so shared
 * boundaries stay shared. The largest piece keeps `key`; the others get `newKey()`.
 */
export function splitFace(topo: Topology, key: string, line: readonly LonLat[], opts: SplitOptions): TopoResult<{ topology: Topology; keys: string[] }> {
  const fi = faceIndex(topo, key);
  if (fi < 0) return fail('not_found', '网格不存在');
  if (line.length < 2) return fail('line_must_cross', '分割线至少需要两个点');
  const lineXY = line.map((p) => topo.proj.toXY(p));
  let t = topo;
  let face = t.faces[fi]!;
  // Which part (polygon of a multipolygon) the line crosses: the first with a chord inside it.
  let part = -1;
  let chords: { from: Crossing; to: Crossing }[] = [];
  for (let p = 0; p < face.polys.length && part < 0; p++) {
    const rings = face.polys[p]!;
    const ringsXY = rings.map((r) => r.map((v) => t.xy[v]!));
    const cr = lineRingCrossings(lineXY, ringsXY[0]!, t.snapM);
    const found: { from: Crossing; to: Crossing }[] = [];
    for (let k = 0; k + 1 < cr.length; k++) {
      const a = cr[k]!, b = cr[k + 1]!;
      const mid = pointAlong(lineXY, (a.s + a.t + b.s + b.t) / 2);
      if (insideRingsXY(mid, ringsXY.slice(0, 1))) found.push({ from: a, to: b });
    }
    if (found.length > 0) {
      for (let h = 1; h < ringsXY.length; h++) {
        if (lineRingCrossings(lineXY, ringsXY[h]!, t.snapM).length > 0) return fail('line_through_hole', '分割线穿过了网格内的空洞，请换一条线');
      }
      part = p;
      chords = found;
    }
  }
  if (part < 0) return fail('line_must_cross', '分割线必须完整穿过网格（从网格外画到网格外）');

  // Insert the crossing points as vertices (reusing a ring vertex within snapM).
  const chordIds: number[][] = [];
  for (const ch of chords) {
    const ids: number[] = [];
    for (const c of [ch.from, ch.to]) {
      const ring = t.faces[fi]!.polys[part]![0]!;
      // Find the ring edge again (earlier insertions shift indexes): the edge whose segment holds p.
      let vid = -1;
      for (const v of ring) if (Math.hypot(t.xy[v]![0] - c.p[0], t.xy[v]![1] - c.p[1]) <= t.snapM) { vid = v; break; }
      if (vid < 0) {
        let bestI = -1, bd = Infinity;
        ring.forEach((v, i) => {
          const w = ring[(i + 1) % ring.length]!;
          const { t: tt, d } = paramOnSegment(c.p, t.xy[v]!, t.xy[w]!);
          if (tt > 0 && tt < 1 && d < bd) { bd = d; bestI = i; }
        });
        if (bestI < 0) return fail('line_must_cross', '分割线与网格边界的交点无法确定');
        const r = insertVertex(t, ring[bestI]!, ring[(bestI + 1) % ring.length]!, t.proj.toLonLat(c.p));
        if (!r.ok) return r;
        t = r.value.topology;
        vid = r.value.vertex;
      }
      ids.push(vid);
    }
    if (ids[0] === ids[1]) return fail('line_must_cross', '分割线必须完整穿过网格（从网格外画到网格外）');
    // Interior points of the line between the two crossings.
    const vertices = t.vertices.slice(), xy = t.xy.slice();
    const inner: number[] = [];
    for (let s = ch.from.s + 1; s <= ch.to.s; s++) {
      const p = lineXY[s]!;
      if (Math.hypot(p[0] - ch.from.p[0], p[1] - ch.from.p[1]) <= t.snapM) continue;
      if (Math.hypot(p[0] - ch.to.p[0], p[1] - ch.to.p[1]) <= t.snapM) continue;
      inner.push(addVertex(vertices, xy, t.proj, p));
    }
    t = withVertices(t, vertices, xy, t.faces as Face[]);
    chordIds.push([ids[0]!, ...inner, ids[1]!]);
  }

  // Cut the part ring by ring: each chord splits the piece whose shell holds both its ends.
  face = t.faces[fi]!;
  const partRings = face.polys[part]!;
  let pieces: number[][] = [partRings[0]!];
  for (const chord of chordIds) {
    const P = chord[0]!, Q = chord[chord.length - 1]!;
    const pi = pieces.findIndex((r) => r.includes(P) && r.includes(Q));
    if (pi < 0) return fail('line_must_cross', '分割线自相交或多次穿越，请重画');
    const R = pieces[pi]!;
    const i = R.indexOf(P), j = R.indexOf(Q);
    const walk = (from: number, to: number) => {
      const out: number[] = [];
      for (let k = from; ; k = (k + 1) % R.length) { out.push(R[k]!); if (k === to) break; }
      return out;
    };
    const innerIds = chord.slice(1, -1);
    const r1 = [...walk(i, j), ...innerIds.slice().reverse()];
    const r2 = [...walk(j, i), ...innerIds];
    pieces.splice(pi, 1, r1, r2);
  }
  pieces = pieces.map(dedupeRing);
  const areas = pieces.map((r) => ringAreaIds(r, t.xy));
  if (areas.some((a) => a < MIN_AREA_M2)) return fail('degenerate', '分割后出现面积过小或方向错误的碎片，请调整分割线');
  // Holes go to the piece holding them.
  const piecePolys: number[][][] = pieces.map((r) => [r]);
  for (const hole of partRings.slice(1)) {
    const probe = t.xy[hole[0]!]!;
    const k = pieces.findIndex((r) => pointInRing(probe, r.map((v) => t.xy[v]!)));
    piecePolys[k >= 0 ? k : 0]!.push(hole);
  }
  const order = areas.map((a, i) => [a, i] as const).sort((x, y) => y[0] - x[0]).map(([, i]) => i);
  const keys = order.map((_, n) => (n === 0 ? key : opts.newKey()));
  const others = face.polys.filter((_, p) => p !== part);
  const newFaces: Face[] = order.map((pi, n) => ({ key: keys[n]!, polys: n === 0 ? [piecePolys[pi]!, ...others] : [piecePolys[pi]!] }));
  const faces = [...t.faces.slice(0, fi), ...newFaces, ...t.faces.slice(fi + 1)];
  const next = withVertices(t, t.vertices as LonLat[], t.xy as XY[], faces);
  const touched = new Set(chordIds.flat());
  if (findCrossing(next, touched)) return fail('self_intersection', '分割线与边界相交异常，请重画');
  return ok({ topology: next, keys });
}

// ---------------------------------------------------------------------------------------------
// Merge and delete

function traceRings(directed: [number, number][], xy: readonly XY[]): number[][] {
  const out = new Map<number, number[]>();
  for (const [u, v] of directed) {
    const l = out.get(u);
    if (l) l.push(v);
    else out.set(u, [v]);
  }
  const rings: number[][] = [];
  for (;;) {
    const start = [...out.entries()].find(([, l]) => l.length > 0);
    if (!start) break;
    const u0 = start[0];
    let prev = u0, cur = start[1].shift()!;
    const ring = [u0];
    let guard = directed.length + 2;
    while (cur !== u0 && guard-- > 0) {
      ring.push(cur);
      const cands = out.get(cur) ?? [];
      if (cands.length === 0) break;
      let pick = 0;
      if (cands.length > 1) {
        // Keep the face on the left: take the outgoing edge turning most to the left.
        const r = Math.atan2(xy[prev]![1] - xy[cur]![1], xy[prev]![0] - xy[cur]![0]);
        let best = -Infinity;
        cands.forEach((w, k) => {
          let a = Math.atan2(xy[w]![1] - xy[cur]![1], xy[w]![0] - xy[cur]![0]) - r;
          while (a <= 0) a += 2 * Math.PI;
          while (a > 2 * Math.PI) a -= 2 * Math.PI;
          if (a > best) { best = a; pick = k; }
        });
      }
      const next = cands.splice(pick, 1)[0]!;
      prev = cur;
      cur = next;
    }
    if (ring.length >= 3) rings.push(ring);
  }
  return rings;
}

/** Rings (shells CCW, holes CW) → polygons, each hole under the smallest shell holding it. */
function assemble(rings: number[][], xy: readonly XY[]): number[][][] {
  const shells = rings.filter((r) => ringAreaIds(r, xy) > 0).map((r) => ({ r, a: ringAreaIds(r, xy), holes: [] as number[][] }));
  shells.sort((a, b) => a.a - b.a);
  for (const h of rings.filter((r) => ringAreaIds(r, xy) < 0)) {
    const probe = xy[h[0]!]!;
    const s = shells.find((sh) => pointInRing(probe, sh.r.map((v) => xy[v]!)));
    if (s) s.holes.push(h);
  }
  return shells.sort((a, b) => b.a - a.a).map((s) => [s.r, ...s.holes]);
}

/**
 * Merge face `b` into face `a` (neighbours sharing at least one edge): their common boundary is
 * cancelled edge by edge, so the result is exact. The merged face keeps key `a`.
 */
export function mergeFaces(topo: Topology, a: string, b: string): TopoResult<Topology> {
  const ia = faceIndex(topo, a), ib = faceIndex(topo, b);
  if (ia < 0 || ib < 0 || a === b) return fail('not_found', '请选择两个不同的网格');
  if (!neighbours(topo, a).includes(b)) return fail('not_adjacent', '只能合并相邻（有公共边）的网格');
  const directed: [number, number][] = [];
  for (const f of [topo.faces[ia]!, topo.faces[ib]!]) for (const rings of f.polys) for (const ring of rings) ring.forEach((v, i) => directed.push([v, ring[(i + 1) % ring.length]!]));
  // Each shared edge appears once in each direction (shells CCW, holes CW): cancel the pairs.
  const count = new Map<string, number>();
  for (const [u, v] of directed) count.set(`${u}>${v}`, (count.get(`${u}>${v}`) ?? 0) + 1);
  for (const [u, v] of directed) {
    const own = `${u}>${v}`, rev = `${v}>${u}`;
    const m = Math.min(count.get(own) ?? 0, count.get(rev) ?? 0);
    if (m > 0) { count.set(own, count.get(own)! - m); count.set(rev, count.get(rev)! - m); }
  }
  const remaining: [number, number][] = [];
  for (const [u, v] of directed) {
    const k = `${u}>${v}`;
    const c = count.get(k) ?? 0;
    if (c > 0) { remaining.push([u, v]); count.set(k, c - 1); }
  }
  const polys = assemble(traceRings(remaining, topo.xy), topo.xy);
  if (polys.length === 0) return fail('degenerate', '合并结果为空');
  const faces = topo.faces.filter((_, i) => i !== ib).map((f) => (f.key === a ? { key: a, polys } : f));
  return ok(withVertices(topo, topo.vertices as LonLat[], topo.xy as XY[], faces));
}

/**
 * Delete a face. With `giveTo` (a neighbour) its area joins that grid; without, it becomes a gap
 * that validation reports until something covers it.
 */
export function deleteFace(topo: Topology, key: string, giveTo?: string): TopoResult<Topology> {
  if (faceIndex(topo, key) < 0) return fail('not_found', '网格不存在');
  if (giveTo) return mergeFaces(topo, giveTo, key);
  return ok(withVertices(topo, topo.vertices as LonLat[], topo.xy as XY[], topo.faces.filter((f) => f.key !== key)));
}

/** Rename a face's key (e.g. a saved draft gives a new grid its id). */
export function renameFace(topo: Topology, from: string, to: string): Topology {
  return withVertices(topo, topo.vertices as LonLat[], topo.xy as XY[], topo.faces.map((f) => (f.key === from ? { key: to, polys: f.polys } : f)));
}

// ---------------------------------------------------------------------------------------------
// Drawing a new grid

function toFeature(g: Polygon | MultiPolygon): Feature<Polygon | MultiPolygon> {
  return g.type === 'Polygon' ? turfPolygon(g.coordinates) : turfMultiPolygon(g.coordinates);
}

/**
 * Add a drawn polygon as a new grid, avoiding overlaps (as GIS "avoid intersections" does): the new
 * grid is the drawn area inside `clip` (the community) that no other grid covers yet. Its boundary
 * is snapped and noded into the neighbours', so it shares their vertices.
 */
export function addDrawnFace(topo: Topology, key: string, drawn: Polygon, clip: Polygon | MultiPolygon | null): TopoResult<{ topology: Topology; geometry: Polygon | MultiPolygon }> {
  if (faceIndex(topo, key) >= 0) return fail('not_found', '网格编号重复');
  let free: Feature<Polygon | MultiPolygon> | null = toFeature(drawn);
  if (clip) free = intersect(featureCollection([free, toFeature(clip)]));
  const shapes = toShapes(topo);
  for (const s of shapes) {
    if (!free) break;
    free = difference(featureCollection([free, toFeature(s.geometry)]));
  }
  if (!free) return fail('no_free_area', '绘制范围内没有空白区域（已被其他网格覆盖或在社区外）；调整已有网格请用“修改”或“分割”');
  const geometry = free.geometry;
  const rebuilt = buildTopology([...shapes, { key, geometry }], { snapM: Math.max(topo.snapM, 0.05), proj: topo.proj });
  if (faceArea(rebuilt, key) < MIN_AREA_M2) return fail('no_free_area', '绘制范围内没有足够的空白区域');
  return ok({ topology: rebuilt, geometry: faceGeometry(rebuilt, key)! });
}

// ---------------------------------------------------------------------------------------------
// Snapping

export interface SnapSources {
  /** Vertices of neighbouring grids (or of the current topology). */
  gridVertices?: readonly LonLat[];
  /** Grid edges (for snapping onto a boundary between vertices). */
  gridEdges?: readonly (readonly LonLat[])[];
  /** Road centre lines. */
  roads?: readonly (readonly LonLat[])[];
  /** Building outlines (rings). */
  buildings?: readonly (readonly LonLat[])[];
}

export type SnapKind = 'grid-vertex' | 'grid-edge' | 'road-vertex' | 'road' | 'building-vertex' | 'building-edge';

export interface SnapHit {
  point: LonLat;
  kind: SnapKind;
  distanceM: number;
}

export interface Snapper {
  /** The snapped point for `p` within `toleranceM`, or null. Vertices win over edges; grids over roads over buildings. */
  snap(p: LonLat, toleranceM: number): SnapHit | null;
}

const VERTEX_KIND: Record<'grid' | 'road' | 'building', SnapKind> = { grid: 'grid-vertex', road: 'road-vertex', building: 'building-vertex' };
const EDGE_KIND: Record<'grid' | 'road' | 'building', SnapKind> = { grid: 'grid-edge', road: 'road', building: 'building-edge' };
const PRIORITY: Record<SnapKind, number> = { 'grid-vertex': 0, 'road-vertex': 1, 'building-vertex': 2, 'grid-edge': 3, road: 4, 'building-edge': 5 };

/**
 * A snapper over grid vertices/edges, roads and building outlines: points in a KD index (kdbush),
 * segments in an R-tree (flatbush), all in a local metric projection.
 */
export function createSnapper(src: SnapSources, proj?: LocalProjection): Snapper {
  const all: LonLat[] = [
    ...(src.gridVertices ?? []),
    ...(src.gridEdges ?? []).flat(),
    ...(src.roads ?? []).flat(),
    ...(src.buildings ?? []).flat(),
  ];
  const pr = proj ?? (all.length ? projectionFor([{ key: '', geometry: { type: 'Polygon', coordinates: [all.map((p) => [...p])] } }]) : localProjection(0, 0));
  const pts: { xy: XY; ll: LonLat; src: 'grid' | 'road' | 'building' }[] = [];
  const segs: { a: XY; b: XY; src: 'grid' | 'road' | 'building' }[] = [];
  const addLine = (line: readonly LonLat[], s: 'grid' | 'road' | 'building', closed: boolean, withPoints: boolean) => {
    const xs = line.map((p) => pr.toXY(p));
    if (withPoints) line.forEach((p, i) => pts.push({ xy: xs[i]!, ll: [p[0], p[1]], src: s }));
    for (let i = 0; i + 1 < xs.length; i++) segs.push({ a: xs[i]!, b: xs[i + 1]!, src: s });
    if (closed && xs.length > 2) segs.push({ a: xs[xs.length - 1]!, b: xs[0]!, src: s });
  };
  for (const p of src.gridVertices ?? []) pts.push({ xy: pr.toXY(p), ll: [p[0], p[1]], src: 'grid' });
  for (const l of src.gridEdges ?? []) addLine(l, 'grid', false, false);
  for (const l of src.roads ?? []) addLine(l, 'road', false, true);
  for (const l of src.buildings ?? []) addLine(l, 'building', true, true);
  let kd: KDBush | null = null;
  if (pts.length) {
    kd = new KDBush(pts.length);
    for (const p of pts) kd.add(p.xy[0], p.xy[1]);
    kd.finish();
  }
  let fb: Flatbush | null = null;
  if (segs.length) {
    fb = new Flatbush(segs.length);
    for (const s of segs) fb.add(Math.min(s.a[0], s.b[0]), Math.min(s.a[1], s.b[1]), Math.max(s.a[0], s.b[0]), Math.max(s.a[1], s.b[1]));
    fb.finish();
  }
  return {
    snap(p, tol) {
      const q = pr.toXY(p);
      let best: SnapHit | null = null;
      const consider = (hit: SnapHit) => {
        if (!best || PRIORITY[hit.kind] < PRIORITY[best.kind] || (PRIORITY[hit.kind] === PRIORITY[best.kind] && hit.distanceM < best.distanceM)) best = hit;
      };
      if (kd) for (const i of kd.within(q[0], q[1], tol)) {
        const pt = pts[i]!;
        consider({ point: pt.ll, kind: VERTEX_KIND[pt.src], distanceM: Math.hypot(pt.xy[0] - q[0], pt.xy[1] - q[1]) });
      }
      if (best) return best;
      if (fb) for (const i of fb.search(q[0] - tol, q[1] - tol, q[0] + tol, q[1] + tol)) {
        const s = segs[i]!;
        const { t, d } = paramOnSegment(q, s.a, s.b);
        if (d > tol) continue;
        const tc = Math.max(0, Math.min(1, t));
        consider({ point: roundLL(pr.toLonLat([s.a[0] + (s.b[0] - s.a[0]) * tc, s.a[1] + (s.b[1] - s.a[1]) * tc])), kind: EDGE_KIND[s.src], distanceM: d });
      }
      return best;
    },
  };
}

/** Metres per CSS pixel at a web-mercator zoom and latitude (to turn a pixel tolerance into metres). */
export function metresPerPixel(zoom: number, lat: number): number {
  return (156543.03392 * Math.cos((lat * Math.PI) / 180)) / 2 ** zoom;
}

/**
 * Edges used by two or more faces (the boundaries between grids), as 2-point lines. With `near`,
 * only edges touching those vertex ids.
 */
export function sharedEdgeLines(topo: Topology, near?: ReadonlySet<number>): LonLat[][] {
  const out: LonLat[][] = [];
  for (const [k, keys] of edgeFaces(topo)) {
    if (keys.length < 2) continue;
    const [a, b] = k.split(',').map(Number) as [number, number];
    if (near && !near.has(a) && !near.has(b)) continue;
    out.push([topo.vertices[a]!, topo.vertices[b]!]);
  }
  return out;
}

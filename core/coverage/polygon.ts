// Isochrone polygons from reached street pieces, in memory: the set of ground points within
// `radius` metres of a reached piece (the same shape as buffering the pieces), traced on a fine grid.
// Every grid node near the edge of that set gets its exact distance to the nearest reached segment,
// then marching squares draws the line where that distance equals the radius (linear interpolation
// along grid edges, exact for a straight street). Nodes well inside are only marked inside.
// One band costs a few milliseconds where a PostGIS buffer of the same lines cost hundreds, so an
// isochrone follows a click. The shape hugs the streets like a buffer: a block whose streets the walk
// does not reach stays outside, and no convex or alpha hull is involved.
//
// Bands drawn in one call share one grid: a smaller band's pieces lie on a larger band's, so its
// distances are never smaller at any node and its polygon lies inside the larger one (ambiguous
// "saddle" cells are decided by the same cell-centre rule for every band).
//
// Hand-written because the contouring libraries at hand work on GeoJSON point grids (@turf/isobands
// builds a Feature per grid node and sorts them), which alone costs more than this whole function.
import { pointAlong, type WalkGraph } from './graph.js';
import type { EdgePiece } from './isochrone.js';

export interface PolygonOptions {
  /** Buffer radius in metres. */
  radius: number;
  /** Grid spacing in metres (the drawn edge is within about a tenth of it of the exact buffer on straight streets). */
  cell: number;
  /** Most grid nodes per call; a larger area gets a coarser grid. */
  maxNodes?: number;
}

export const POLYGON_DEFAULTS: PolygonOptions = { radius: 25, cell: 5, maxNodes: 4_000_000 };

/** GeoJSON MultiPolygon coordinates ([lon, lat], outer rings counter-clockwise, holes clockwise). */
export type MultiPolygonCoords = [number, number][][][];

/** The pieces' straight stretches in local metres, flat: x0, y0, x1, y1 per stretch. */
function segmentsOf(g: WalkGraph, pieces: readonly EdgePiece[]): number[] {
  const out: number[] = [];
  for (const p of pieces) {
    const s = g.edgeGeomStart[p.edge]!, t = g.edgeGeomStart[p.edge + 1]!;
    const before = out.length;
    for (let v = s; v < t - 1; v++) {
      const d0 = g.vd[v]!, d1 = g.vd[v + 1]!;
      if (d1 < p.a || d0 > p.b) continue;
      const x0 = g.vx[v]!, y0 = g.vy[v]!, x1 = g.vx[v + 1]!, y1 = g.vy[v + 1]!;
      const len = d1 - d0;
      const ta = len > 0 ? Math.max(0, (p.a - d0) / len) : 0;
      const tb = len > 0 ? Math.min(1, (p.b - d0) / len) : 1;
      out.push(x0 + ta * (x1 - x0), y0 + ta * (y1 - y0), x0 + tb * (x1 - x0), y0 + tb * (y1 - y0));
    }
    if (out.length === before) { // a piece of no length: its point
      const [x, y] = pointAlong(g, p.edge, p.a);
      out.push(x, y, x, y);
    }
  }
  return out;
}

/**
 * The x-range [lo, hi] of the points of the horizontal line at height y within distance R of the
 * segment (a capsule: the rectangle along the segment and the discs at its ends); false if none.
 */
function capsuleRow(x0: number, y0: number, x1: number, y1: number, y: number, R: number, out: Float64Array): boolean {
  let lo = Infinity, hi = -Infinity;
  let h = y - y0;
  if (h <= R && h >= -R) { const w = Math.sqrt(R * R - h * h); lo = x0 - w; hi = x0 + w; }
  h = y - y1;
  if (h <= R && h >= -R) { const w = Math.sqrt(R * R - h * h); if (x1 - w < lo) lo = x1 - w; if (x1 + w > hi) hi = x1 + w; }
  const dx = x1 - x0, dy = y1 - y0, l2 = dx * dx + dy * dy;
  if (l2 > 0) {
    // with u = x − x0 and v = y − y0: 0 ≤ u·dx + v·dy ≤ l2 (between the ends) and |u·dy − v·dx| ≤ R·len
    const v = y - y0, rl = R * Math.sqrt(l2);
    let a = -Infinity, b = Infinity;
    if (dx !== 0) {
      const p = -v * dy / dx, q = (l2 - v * dy) / dx;
      a = Math.max(a, Math.min(p, q)); b = Math.min(b, Math.max(p, q));
    } else if (v * dy < 0 || v * dy > l2) b = -Infinity;
    if (dy !== 0) {
      const p = (v * dx - rl) / dy, q = (v * dx + rl) / dy;
      a = Math.max(a, Math.min(p, q)); b = Math.min(b, Math.max(p, q));
    } else if (Math.abs(v * dx) > rl) b = -Infinity;
    if (a <= b) { if (x0 + a < lo) lo = x0 + a; if (x0 + b > hi) hi = x0 + b; }
  }
  out[0] = lo; out[1] = hi;
  return lo <= hi;
}

interface Grid {
  ox: number;
  oy: number;
  cell: number;
  nx: number;
  ny: number;
}

/** The nodes i0..i1 × j0..j1 of the grid that one band uses (its pieces' box plus the margin). */
interface Window {
  i0: number;
  i1: number;
  j0: number;
  j1: number;
}

/** The segments' bounding box (null for none). */
function segmentsBox(segs: readonly number[]): [number, number, number, number] | null {
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  for (let k = 0; k < segs.length; k += 2) {
    const x = segs[k]!, y = segs[k + 1]!;
    if (x < minX) minX = x; if (x > maxX) maxX = x;
    if (y < minY) minY = y; if (y > maxY) maxY = y;
  }
  return minX === Infinity ? null : [minX, minY, maxX, maxY];
}

/**
 * The squared distance from each node of the window to the nearest segment, where it matters: exact
 * between `inner` and `outer`; 0 for nodes nearer than `inner` (none of them borders a node at or
 * beyond the contour level, so their exact value never enters the drawing); `outer` beyond. The
 * value is a non-decreasing function of the exact distance, so a band with more pieces never has a
 * larger value anywhere. The window must hold every node within `outer` of a segment.
 */
function distanceField(segs: readonly number[], grid: Grid, w: Window, inner: number, outer: number, field: Float32Array): void {
  const { ox, oy, cell, nx } = grid;
  const outer2 = outer * outer;
  for (let j = w.j0; j <= w.j1; j++) field.fill(outer2, j * nx + w.i0, j * nx + w.i1 + 1);
  const inv = 1 / cell;
  const span = new Float64Array(2);
  for (let s = 0; s < segs.length; s += 4) {
    const x0 = segs[s]!, y0 = segs[s + 1]!, x1 = segs[s + 2]!, y1 = segs[s + 3]!;
    const dx = x1 - x0, dy = y1 - y0;
    const l2 = dx * dx + dy * dy;
    const il2 = l2 > 0 ? 1 / l2 : 0;
    const j0 = Math.max(w.j0, Math.ceil((Math.min(y0, y1) - outer - oy) * inv));
    const j1 = Math.min(w.j1, Math.floor((Math.max(y0, y1) + outer - oy) * inv));
    for (let j = j0; j <= j1; j++) {
      const y = oy + j * cell;
      const row = j * nx;
      if (!capsuleRow(x0, y0, x1, y1, y, outer, span)) continue;
      const a = Math.max(w.i0, Math.ceil((span[0]! - ox) * inv)), b = Math.min(w.i1, Math.floor((span[1]! - ox) * inv));
      // the nodes nearer than `inner` in one fill, then the exact distance of the rest of the row's span
      let fa = b + 1, fb = b;
      if (inner > 0 && capsuleRow(x0, y0, x1, y1, y, inner, span)) {
        fa = Math.max(a, Math.ceil((span[0]! - ox) * inv)); fb = Math.min(b, Math.floor((span[1]! - ox) * inv));
        if (fa <= fb) { for (let k = row + fa, end = row + fb; k <= end; k++) field[k] = 0; } else { fa = b + 1; fb = b; }
      }
      for (let i = a; i <= b; i++) {
        if (i === fa) { i = fb; continue; }
        const k = row + i;
        if (field[k] === 0) continue;
        const x = ox + i * cell;
        let t = ((x - x0) * dx + (y - y0) * dy) * il2;
        t = t < 0 ? 0 : t > 1 ? 1 : t;
        const ex = x0 + t * dx - x, ey = y0 + t * dy - y;
        const d2 = ex * ex + ey * ey;
        if (d2 < field[k]!) field[k] = d2;
      }
    }
  }
}

/** A ring as flat local coordinates x0, y0, x1, y1, …, closed (the last point repeats the first). */
type FlatRing = number[];

/** Signed area of a ring (positive = counter-clockwise). */
function ringArea(r: FlatRing): number {
  let a = 0;
  for (let i = 0; i + 3 < r.length; i += 2) a += (r[i]! - r[i + 2]!) * (r[i + 1]! + r[i + 3]!);
  return a / 2;
}

function pointInRing(x: number, y: number, r: FlatRing): boolean {
  let inside = false;
  for (let i = 0; i + 3 < r.length; i += 2) {
    const xi = r[i]!, yi = r[i + 1]!, xj = r[i + 2]!, yj = r[i + 3]!;
    if ((yi > y) !== (yj > y) && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/**
 * Marching-squares links per cell case (corner bits: bottom-left 1, bottom-right 2, top-right 4,
 * top-left 8; 1 = inside) and per saddle decision: pairs [exit edge, enter edge] with the cell's
 * edges numbered bottom 0, right 1, top 2, left 3. Derived from one rule rather than typed in:
 * walking the cell's edges counter-clockwise, a crossing that leaves the inside (an exit) is joined
 * to an enter, so the inside lies on the left of every contour segment.
 */
const LINKS: number[][][] = Array.from({ length: 16 }, (_, c) => [false, true].map((centreInside) => {
  const ins = [1, 2, 4, 8].map((bit) => (c & bit) !== 0);
  const order: [number, boolean][] = []; // [edge, isExit] counter-clockwise
  for (let s = 0; s < 4; s++) {
    if (ins[s] && !ins[(s + 1) % 4]) order.push([s, true]);
    else if (!ins[s] && ins[(s + 1) % 4]) order.push([s, false]);
  }
  const out: number[] = [];
  order.forEach(([edge, exit], i) => {
    if (!exit) return;
    // one exit: its only enter; a saddle: the next enter when the centre joins the inside corners, else the previous
    const j = order.length === 2 ? 1 - i : (i + (centreInside ? 1 : 3)) % 4;
    out.push(edge, order[j]![0]);
  });
  return out;
}));

/**
 * Rings where the distance crosses `level` (inside = nearer), inside on the left: outer rings
 * counter-clockwise, holes clockwise, in local metres. `field` holds squared distances; `link` is
 * scratch space of 2 entries per grid node, all -1, and is left so.
 */
function contour(field: Float32Array, inside: Uint8Array, link: Int32Array, grid: Grid, w: Window, level: number): FlatRing[] {
  const { ox, oy, cell, nx, ny } = grid;
  const H = nx * ny; // vertical grid edges are numbered after the horizontal ones
  const level2 = level * level;
  for (let j = w.j0; j <= w.j1; j++) for (let k = j * nx + w.i0, end = j * nx + w.i1; k <= end; k++) inside[k] = field[k]! < level2 ? 1 : 0;
  const starts: number[] = [];
  const edgeId = [0, 0, 0, 0];
  for (let j = w.j0; j < w.j1; j++) {
    for (let i = w.i0, k = j * nx + w.i0; i < w.i1; i++, k++) {
      const c = inside[k]! | (inside[k + 1]! << 1) | (inside[k + nx + 1]! << 2) | (inside[k + nx]! << 3);
      if (c === 0 || c === 15) continue;
      const centreInside = (c === 5 || c === 10)
        && (Math.sqrt(field[k]!) + Math.sqrt(field[k + 1]!) + Math.sqrt(field[k + nx + 1]!) + Math.sqrt(field[k + nx]!)) / 4 < level;
      const links = LINKS[c]![centreInside ? 1 : 0]!;
      edgeId[0] = k; edgeId[1] = H + k + 1; edgeId[2] = k + nx; edgeId[3] = H + k;
      for (let m = 0; m < links.length; m += 2) {
        const from = edgeId[links[m]!]!;
        link[from] = edgeId[links[m + 1]!]!;
        starts.push(from);
      }
    }
  }
  const rings: FlatRing[] = [];
  for (const start of starts) {
    if (link[start] === -1) continue; // already on a ring
    const ring: FlatRing = [];
    let id = start;
    do {
      // the crossing on grid edge `id`, measured from its lower node so both cells sharing it agree
      const vert = id >= H;
      const k = vert ? id - H : id;
      const i = k % nx, j = (k - i) / nx;
      const a = Math.sqrt(field[k]!), b = Math.sqrt(field[vert ? k + nx : k + 1]!);
      let t = (level - a) / (b - a);
      t = t < 1e-4 ? 1e-4 : t > 1 - 1e-4 ? 1 - 1e-4 : t; // never exactly on a node: rings stay apart
      if (vert) ring.push(ox + i * cell, oy + (j + t) * cell); else ring.push(ox + (i + t) * cell, oy + j * cell);
      const n = link[id]!;
      link[id] = -1;
      id = n;
    } while (id !== start && id !== -1 && link[id] !== -1);
    if (ring.length >= 6) { ring.push(ring[0]!, ring[1]!); rings.push(ring); }
  }
  return rings;
}

/**
 * The ring without the vertices that lie on a straight line between the ones kept (all within
 * `tol` metres of the chord that replaces them). Along a straight street the traced edge is
 * straight, so most vertices go and the edge moves by float noise only. The vertices that bend
 * (off the line through their two neighbours) are kept first and the straight runs between them
 * are thinned from their start, so where two bands share a stretch of edge both keep the same
 * vertices there and the smaller band stays inside the larger.
 */
function dropStraight(r: FlatRing, tol: number): FlatRing {
  const n = r.length / 2 - 1; // points; the last repeats the first
  if (n <= 3) return r;
  const tol2 = tol * tol;
  // within tol of the chord a → b, and between its ends?
  const near = (a: number, k: number, b: number) => {
    const ax = r[2 * a]!, ay = r[2 * a + 1]!;
    const dx = r[2 * b]! - ax, dy = r[2 * b + 1]! - ay, l2 = dx * dx + dy * dy;
    const px = r[2 * k]! - ax, py = r[2 * k + 1]! - ay;
    const cross = px * dy - py * dx, t = px * dx + py * dy;
    return l2 > 0 && (cross * cross) / l2 <= tol2 && t > 0 && t < l2;
  };
  const out: FlatRing = [r[0]!, r[1]!];
  let a = 0; // last kept
  let j = 1;
  while (j < n) {
    // extend the chord from a while every vertex in between stays near it and none of them bends
    let ok = !near(j - 1, j, j + 1) ? false : true;
    if (ok) for (let k = a + 1; ok && k <= j; k++) ok = near(a, k, j + 1);
    if (!ok) { out.push(r[2 * j]!, r[2 * j + 1]!); a = j; }
    j++;
  }
  out.push(r[2 * n]!, r[2 * n + 1]!);
  return out.length >= 8 ? out : r;
}

/** Outer rings with the holes inside them, each a polygon (first ring outer). */
function nest(rings: FlatRing[]): FlatRing[][] {
  const outers: { ring: FlatRing; area: number; box: [number, number, number, number]; holes: FlatRing[] }[] = [];
  const holes: FlatRing[] = [];
  for (const r of rings) {
    const a = ringArea(r);
    if (a > 0) {
      const box: [number, number, number, number] = [Infinity, Infinity, -Infinity, -Infinity];
      for (let k = 0; k < r.length; k += 2) {
        box[0] = Math.min(box[0], r[k]!); box[1] = Math.min(box[1], r[k + 1]!);
        box[2] = Math.max(box[2], r[k]!); box[3] = Math.max(box[3], r[k + 1]!);
      }
      outers.push({ ring: r, area: a, box, holes: [] });
    } else if (a < 0) holes.push(r);
  }
  outers.sort((x, y) => x.area - y.area); // the first that contains a hole is its own outer ring
  for (const h of holes) {
    const x = h[0]!, y = h[1]!;
    // every hole lies in some outer ring: when one box alone holds it, no ring needs walking
    const boxed = outers.filter((o) => x >= o.box[0] && x <= o.box[2] && y >= o.box[1] && y <= o.box[3]);
    const o = boxed.length === 1 ? boxed[0] : boxed.find((c) => pointInRing(x, y, c.ring));
    if (o) o.holes.push(h);
  }
  return outers.map((o) => [o.ring, ...o.holes]);
}

const round8 = (v: number) => Math.round(v * 1e8) / 1e8;

/**
 * Polygons of ground within `radius` of each band's reached pieces (GeoJSON MultiPolygon
 * coordinates, [lon, lat] rounded to 8 decimals, about a millimetre: at 7 the rounding of two bands' edges
 * alone could poke a smaller band out of a larger by a square metre); an empty band gives an empty MultiPolygon.
 */
export function piecePolygons(
  g: WalkGraph, bands: readonly (readonly EdgePiece[])[], options: Partial<PolygonOptions> = {},
): MultiPolygonCoords[] {
  const o = { ...POLYGON_DEFAULTS, ...options };
  const segs = bands.map((pieces) => segmentsOf(g, pieces));
  const boxes = segs.map(segmentsBox);
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  for (const b of boxes) if (b) {
    minX = Math.min(minX, b[0]); minY = Math.min(minY, b[1]); maxX = Math.max(maxX, b[2]); maxY = Math.max(maxY, b[3]);
  }
  if (minX === Infinity) return bands.map(() => []);
  // A margin of two cells beyond the radius around a band's box keeps its window's border outside;
  // bands share the grid (and so nest) but each works in its own window.
  let cell = o.cell;
  const span = (c: number) => ((maxX - minX + 2 * (o.radius + 2 * c)) / c + 1) * ((maxY - minY + 2 * (o.radius + 2 * c)) / c + 1);
  while (span(cell) > (o.maxNodes ?? Infinity)) cell *= 1.5;
  const margin = o.radius + 2 * cell;
  const grid: Grid = {
    ox: minX - margin, oy: minY - margin, cell,
    nx: Math.ceil((maxX - minX + 2 * margin) / cell) + 1, ny: Math.ceil((maxY - minY + 2 * margin) / cell) + 1,
  };
  // Exact values are needed within 1.5 cells of the level: a crossing joins a node below the level
  // to its neighbour (one cell further at most), a saddle's centre averages nodes within 1.42 cells.
  const inner = o.radius - 1.5 * cell, outer = o.radius + 1.5 * cell;
  const field = new Float32Array(grid.nx * grid.ny);
  const inside = new Uint8Array(grid.nx * grid.ny);
  const link = new Int32Array(2 * grid.nx * grid.ny).fill(-1);
  return bands.map((_, n) => {
    const b = boxes[n];
    if (!b) return [];
    const w: Window = {
      i0: Math.max(0, Math.floor((b[0] - margin - grid.ox) / cell)), i1: Math.min(grid.nx - 1, Math.ceil((b[2] + margin - grid.ox) / cell)),
      j0: Math.max(0, Math.floor((b[1] - margin - grid.oy) / cell)), j1: Math.min(grid.ny - 1, Math.ceil((b[3] + margin - grid.oy) / cell)),
    };
    distanceField(segs[n]!, grid, w, inner, outer, field);
    const { lon0, lat0, kx, ky } = g.proj;
    return nest(contour(field, inside, link, grid, w, o.radius).map((r) => dropStraight(r, 1e-3))).map((poly) => poly.map((ring) => {
      const out: [number, number][] = [];
      let lx = NaN, ly = NaN;
      for (let k = 0; k < ring.length; k += 2) {
        const lon = round8(lon0 + ring[k]! / kx), lat = round8(lat0 + ring[k + 1]! / ky); // as toLonLat
        if (lon !== lx || lat !== ly) out.push([lon, lat]);
        lx = lon; ly = lat;
      }
      return out;
    }).filter((ring) => ring.length >= 4));
  });
}

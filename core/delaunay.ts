// Delaunay triangulation of points in the plane, in flat typed arrays. Pure.
//
// The partition engine's cell complex (core/partition.ts) is the Voronoi diagram of ~20 seeds per
// building; the sweep-line Voronoi it used (d3-voronoi via turf) spent seconds and most of the
// garbage collector's time on a 5,000-building community. This is the sweep-hull algorithm of
// mapbox/delaunator (v5; the package is not a dependency here), which triangulates 100,000
// points in tens of milliseconds without allocating per point; the Voronoi cells are read off the
// triangles (circumcentres around each point).
//
// Ported from Delaunator, ISC License, Copyright (c) 2021, Mapbox:
//   Permission to use, copy, modify, and/or distribute this software for any purpose with or
//   without fee is hereby granted, provided that the above copyright notice and this permission
//   notice appear in all copies. THE SOFTWARE IS PROVIDED "AS IS" AND THE AUTHOR DISCLAIMS ALL
//   WARRANTIES WITH REGARD TO THIS SOFTWARE INCLUDING ALL IMPLIED WARRANTIES OF MERCHANTABILITY
//   AND FITNESS. IN NO EVENT SHALL THE AUTHOR BE LIABLE FOR ANY SPECIAL, DIRECT, INDIRECT, OR
//   CONSEQUENTIAL DAMAGES OR ANY DAMAGES WHATSOEVER RESULTING FROM LOSS OF USE, DATA OR PROFITS,
//   WHETHER IN AN ACTION OF CONTRACT, NEGLIGENCE OR OTHER TORTIOUS ACTION, ARISING OUT OF OR IN
//   CONNECTION WITH THE USE OR PERFORMANCE OF THIS SOFTWARE.
// Orientation uses Delaunator 5.0's "sure or ask the other two corners" test instead of an
// exact-arithmetic predicate.

export interface Triangulation {
  /** Point ids, three per triangle, clockwise with y up (counter-clockwise on a y-down screen). */
  triangles: Uint32Array;
  /** The opposite half-edge of each half-edge (-1 on the hull). Half-edge e runs from triangles[e] to triangles[next(e)]. */
  halfedges: Int32Array;
  /** Convex hull, point ids counter-clockwise. */
  hull: Uint32Array;
}

const EPSILON = 2 ** -52;

export const nextHalfedge = (e: number): number => (e % 3 === 2 ? e - 2 : e + 1);
export const prevHalfedge = (e: number): number => (e % 3 === 0 ? e + 2 : e - 1);

/** Triangulate points given as [x0, y0, x1, y1, …]. Exact duplicates are skipped (they get no triangle). */
export function delaunay(coords: ArrayLike<number>): Triangulation {
  const n = coords.length >> 1;
  const maxTriangles = Math.max(2 * n - 5, 0);
  const triangles = new Uint32Array(maxTriangles * 3);
  const halfedges = new Int32Array(maxTriangles * 3);
  const hashSize = Math.max(1, Math.ceil(Math.sqrt(n)));
  const hullPrev = new Uint32Array(n), hullNext = new Uint32Array(n), hullTri = new Uint32Array(n);
  const hullHash = new Int32Array(hashSize).fill(-1);
  const ids = new Uint32Array(n);
  const dists = new Float64Array(n);
  const edgeStack = new Uint32Array(512);
  let trianglesLen = 0;
  let hullStart = 0;
  let cx = 0, cy = 0;

  const hashKey = (x: number, y: number) => Math.floor(pseudoAngle(x - cx, y - cy) * hashSize) % hashSize;
  const link = (a: number, b: number) => { halfedges[a] = b; if (b !== -1) halfedges[b] = a; };
  const addTriangle = (i0: number, i1: number, i2: number, a: number, b: number, c: number) => {
    const t = trianglesLen;
    triangles[t] = i0; triangles[t + 1] = i1; triangles[t + 2] = i2;
    link(t, a); link(t + 1, b); link(t + 2, c);
    trianglesLen += 3;
    return t;
  };
  const legalize = (start: number): number => {
    let a = start, i = 0, ar = 0;
    for (;;) {
      const b = halfedges[a]!;
      const a0 = a - (a % 3);
      ar = a0 + ((a + 2) % 3);
      if (b === -1) { if (i === 0) break; a = edgeStack[--i]!; continue; }
      const b0 = b - (b % 3);
      const al = a0 + ((a + 1) % 3);
      const bl = b0 + ((b + 2) % 3);
      const p0 = triangles[ar]!, pr = triangles[a]!, pl = triangles[al]!, p1 = triangles[bl]!;
      const illegal = inCircle(coords[2 * p0]!, coords[2 * p0 + 1]!, coords[2 * pr]!, coords[2 * pr + 1]!,
        coords[2 * pl]!, coords[2 * pl + 1]!, coords[2 * p1]!, coords[2 * p1 + 1]!);
      if (illegal) {
        triangles[a] = p1;
        triangles[b] = p0;
        const hbl = halfedges[bl]!;
        if (hbl === -1) { // edge swapped on the other side of the hull (rare): fix the hull's triangle reference
          let e = hullStart;
          do { if (hullTri[e] === bl) { hullTri[e] = a; break; } e = hullPrev[e]!; } while (e !== hullStart);
        }
        link(a, hbl);
        link(b, halfedges[ar]!);
        link(ar, bl);
        const br = b0 + ((b + 1) % 3);
        if (i < edgeStack.length) edgeStack[i++] = br;
      } else {
        if (i === 0) break;
        a = edgeStack[--i]!;
      }
    }
    return ar;
  };

  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  for (let i = 0; i < n; i++) {
    const x = coords[2 * i]!, y = coords[2 * i + 1]!;
    if (x < minX) minX = x; if (y < minY) minY = y; if (x > maxX) maxX = x; if (y > maxY) maxY = y;
    ids[i] = i;
  }
  const mx = (minX + maxX) / 2, my = (minY + maxY) / 2;
  let i0 = 0, i1 = 0, i2 = 0;
  for (let i = 0, best = Infinity; i < n; i++) {
    const d = dist(mx, my, coords[2 * i]!, coords[2 * i + 1]!);
    if (d < best) { i0 = i; best = d; }
  }
  const i0x = coords[2 * i0]!, i0y = coords[2 * i0 + 1]!;
  for (let i = 0, best = Infinity; i < n; i++) {
    if (i === i0) continue;
    const d = dist(i0x, i0y, coords[2 * i]!, coords[2 * i + 1]!);
    if (d < best && d > 0) { i1 = i; best = d; }
  }
  let i1x = coords[2 * i1]!, i1y = coords[2 * i1 + 1]!;
  let minRadius = Infinity;
  for (let i = 0; i < n; i++) {
    if (i === i0 || i === i1) continue;
    const r = circumradius(i0x, i0y, i1x, i1y, coords[2 * i]!, coords[2 * i + 1]!);
    if (r < minRadius) { i2 = i; minRadius = r; }
  }
  let i2x = coords[2 * i2]!, i2y = coords[2 * i2 + 1]!;
  if (n < 3 || minRadius === Infinity) {
    // All points collinear (or fewer than three): no triangles; the hull is the points in order along the line.
    for (let i = 0; i < n; i++) dists[i] = coords[2 * i]! - coords[0]! || coords[2 * i + 1]! - coords[1]!;
    quicksort(ids, dists, 0, n - 1);
    const hull: number[] = [];
    for (let j = 0, d0 = -Infinity; j < n; j++) { const id = ids[j]!; if (dists[id]! > d0) { hull.push(id); d0 = dists[id]!; } }
    return { triangles: new Uint32Array(0), halfedges: new Int32Array(0), hull: Uint32Array.from(hull) };
  }
  if (orient(i0x, i0y, i1x, i1y, i2x, i2y)) { // make the seed triangle counter-clockwise
    const i = i1, x = i1x, y = i1y;
    i1 = i2; i1x = i2x; i1y = i2y;
    i2 = i; i2x = x; i2y = y;
  }
  [cx, cy] = circumcenter(i0x, i0y, i1x, i1y, i2x, i2y);
  for (let i = 0; i < n; i++) dists[i] = dist(coords[2 * i]!, coords[2 * i + 1]!, cx, cy);
  quicksort(ids, dists, 0, n - 1);

  hullStart = i0;
  let hullSize = 3;
  hullNext[i0] = hullPrev[i2] = i1;
  hullNext[i1] = hullPrev[i0] = i2;
  hullNext[i2] = hullPrev[i1] = i0;
  hullTri[i0] = 0; hullTri[i1] = 1; hullTri[i2] = 2;
  hullHash[hashKey(i0x, i0y)] = i0;
  hullHash[hashKey(i1x, i1y)] = i1;
  hullHash[hashKey(i2x, i2y)] = i2;
  addTriangle(i0, i1, i2, -1, -1, -1);

  for (let k = 0, xp = 0, yp = 0; k < n; k++) {
    const i = ids[k]!;
    const x = coords[2 * i]!, y = coords[2 * i + 1]!;
    if (k > 0 && Math.abs(x - xp) <= EPSILON && Math.abs(y - yp) <= EPSILON) continue; // near-duplicate
    xp = x; yp = y;
    if (i === i0 || i === i1 || i === i2) continue;
    // A visible edge of the hull, found through the angular hash.
    let start = 0;
    for (let j = 0, key = hashKey(x, y); j < hashSize; j++) {
      start = hullHash[(key + j) % hashSize]!;
      if (start !== -1 && start !== hullNext[start]) break;
    }
    start = hullPrev[start]!;
    let e = start, q = hullNext[e]!;
    while (!orient(x, y, coords[2 * e]!, coords[2 * e + 1]!, coords[2 * q]!, coords[2 * q + 1]!)) {
      e = q;
      if (e === start) { e = -1; break; }
      q = hullNext[e]!;
    }
    if (e === -1) continue; // a near-duplicate point: skip it
    let t = addTriangle(e, i, hullNext[e]!, -1, -1, hullTri[e]!);
    hullTri[i] = legalize(t + 2);
    hullTri[e] = t;
    hullSize++;
    // Walk forward through the hull, adding triangles and flipping.
    let m = hullNext[e]!;
    q = hullNext[m]!;
    while (orient(x, y, coords[2 * m]!, coords[2 * m + 1]!, coords[2 * q]!, coords[2 * q + 1]!)) {
      t = addTriangle(m, i, q, hullTri[i]!, -1, hullTri[m]!);
      hullTri[i] = legalize(t + 2);
      hullNext[m] = m; // removed
      hullSize--;
      m = q;
      q = hullNext[m]!;
    }
    // Walk backward from the other side.
    if (e === start) {
      q = hullPrev[e]!;
      while (orient(x, y, coords[2 * q]!, coords[2 * q + 1]!, coords[2 * e]!, coords[2 * e + 1]!)) {
        t = addTriangle(q, i, e, -1, hullTri[e]!, hullTri[q]!);
        legalize(t + 2);
        hullTri[q] = t;
        hullNext[e] = e; // removed
        hullSize--;
        e = q;
        q = hullPrev[e]!;
      }
    }
    hullStart = hullPrev[i] = e;
    hullNext[e] = hullPrev[m] = i;
    hullNext[i] = m;
    hullHash[hashKey(x, y)] = i;
    hullHash[hashKey(coords[2 * e]!, coords[2 * e + 1]!)] = e;
  }
  const hull = new Uint32Array(hullSize);
  for (let i = 0, e = hullStart; i < hullSize; i++) { hull[i] = e; e = hullNext[e]!; }
  return { triangles: triangles.subarray(0, trianglesLen), halfedges: halfedges.subarray(0, trianglesLen), hull };
}

/** Circumcentre of a triangle. */
export function circumcenter(ax: number, ay: number, bx: number, by: number, cx: number, cy: number): [number, number] {
  const dx = bx - ax, dy = by - ay, ex = cx - ax, ey = cy - ay;
  const bl = dx * dx + dy * dy, cl = ex * ex + ey * ey;
  const d = 0.5 / (dx * ey - dy * ex);
  return [ax + (ey * bl - dy * cl) * d, ay + (dx * cl - ex * bl) * d];
}

function pseudoAngle(dx: number, dy: number): number {
  const p = dx / (Math.abs(dx) + Math.abs(dy));
  return (dy > 0 ? 3 - p : 1 + p) / 4; // [0..1], increasing with the angle
}

function dist(ax: number, ay: number, bx: number, by: number): number {
  const dx = ax - bx, dy = ay - by;
  return dx * dx + dy * dy;
}

function orientIfSure(px: number, py: number, rx: number, ry: number, qx: number, qy: number): number {
  const l = (ry - py) * (qx - px), r = (rx - px) * (qy - py);
  return Math.abs(l - r) >= 3.3306690738754716e-16 * Math.abs(l + r) ? l - r : 0;
}

/** Delaunator's orientation test of r, q, p; gives the same answer for a triangle whichever corner is asked first. */
function orient(rx: number, ry: number, qx: number, qy: number, px: number, py: number): boolean {
  return (orientIfSure(px, py, rx, ry, qx, qy) || orientIfSure(rx, ry, qx, qy, px, py) || orientIfSure(qx, qy, px, py, rx, ry)) < 0;
}

function inCircle(ax: number, ay: number, bx: number, by: number, cx: number, cy: number, px: number, py: number): boolean {
  const dx = ax - px, dy = ay - py, ex = bx - px, ey = by - py, fx = cx - px, fy = cy - py;
  const ap = dx * dx + dy * dy, bp = ex * ex + ey * ey, cp = fx * fx + fy * fy;
  return dx * (ey * cp - bp * fy) - dy * (ex * cp - bp * fx) + ap * (ex * fy - ey * fx) < 0;
}

function circumradius(ax: number, ay: number, bx: number, by: number, cx: number, cy: number): number {
  const dx = bx - ax, dy = by - ay, ex = cx - ax, ey = cy - ay;
  const bl = dx * dx + dy * dy, cl = ex * ex + ey * ey;
  const d = 0.5 / (dx * ey - dy * ex);
  const x = (ey * bl - dy * cl) * d, y = (dx * cl - ex * bl) * d;
  return x * x + y * y;
}

function quicksort(ids: Uint32Array, dists: Float64Array, left: number, right: number): void {
  if (right - left <= 20) {
    for (let i = left + 1; i <= right; i++) {
      const temp = ids[i]!, tempDist = dists[temp]!;
      let j = i - 1;
      while (j >= left && dists[ids[j]!]! > tempDist) { ids[j + 1] = ids[j]!; j--; }
      ids[j + 1] = temp;
    }
    return;
  }
  const median = (left + right) >> 1;
  let i = left + 1, j = right;
  swap(ids, median, i);
  if (dists[ids[left]!]! > dists[ids[right]!]!) swap(ids, left, right);
  if (dists[ids[i]!]! > dists[ids[right]!]!) swap(ids, i, right);
  if (dists[ids[left]!]! > dists[ids[i]!]!) swap(ids, left, i);
  const temp = ids[i]!, tempDist = dists[temp]!;
  for (;;) {
    do i++; while (dists[ids[i]!]! < tempDist);
    do j--; while (dists[ids[j]!]! > tempDist);
    if (j < i) break;
    swap(ids, i, j);
  }
  ids[left + 1] = ids[j]!;
  ids[j] = temp;
  if (right - i + 1 >= j - left) { quicksort(ids, dists, i, right); quicksort(ids, dists, left, j - 1); }
  else { quicksort(ids, dists, left, j - 1); quicksort(ids, dists, i, right); }
}

function swap(arr: Uint32Array, i: number, j: number): void {
  const t = arr[i]!;
  arr[i] = arr[j]!;
  arr[j] = t;
}

import { describe, expect, it } from 'vitest';
import { circumcenter, delaunay, nextHalfedge } from './delaunay.js';
import { jitter } from './partition.js';

function check(coords: number[]) {
  const n = coords.length / 2;
  const d = delaunay(coords);
  const nt = d.triangles.length / 3;
  const pt = (i: number) => [coords[2 * i]!, coords[2 * i + 1]!] as const;
  let emptyCircleViolations = 0, notClockwise = 0, asymmetric = 0;
  for (let e = 0; e < d.halfedges.length; e++) {
    const o = d.halfedges[e]!;
    if (o >= 0 && (d.halfedges[o] !== e || d.triangles[o] !== d.triangles[nextHalfedge(e)])) asymmetric++;
  }
  for (let t = 0; t < nt; t++) {
    const [a, b, c] = [pt(d.triangles[3 * t]!), pt(d.triangles[3 * t + 1]!), pt(d.triangles[3 * t + 2]!)];
    if ((b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]) >= 0) notClockwise++;
    const [x, y] = circumcenter(a[0], a[1], b[0], b[1], c[0], c[1]);
    const r = Math.hypot(a[0] - x, a[1] - y);
    for (let i = 0; i < n; i++) if (Math.hypot(coords[2 * i]! - x, coords[2 * i + 1]! - y) < r * (1 - 1e-9)) { emptyCircleViolations++; break; }
  }
  return { d, nt, emptyCircleViolations, notClockwise, asymmetric };
}

describe('delaunay', () => {
  it('triangulates scattered points: every circumcircle empty, 2n − 2 − hull triangles, half-edges paired', () => {
    const coords: number[] = [];
    for (let i = 0; i < 600; i++) coords.push((jitter(i, 1) + 0.5) * 1000, (jitter(i, 2) + 0.5) * 700);
    const r = check(coords);
    expect(r.nt).toBe(2 * 600 - 2 - r.d.hull.length);
    expect(r.emptyCircleViolations).toBe(0);
    expect(r.notClockwise).toBe(0);
    expect(r.asymmetric).toBe(0);
  });

  it('handles a square lattice, where four points share every circle', () => {
    const coords: number[] = [];
    for (let x = 0; x < 25; x++) for (let y = 0; y < 25; y++) coords.push(x * 4, y * 4);
    const r = check(coords);
    expect(r.nt).toBe(2 * 24 * 24);
    expect(r.d.hull.length).toBe(4 * 24); // collinear points on the sides are on the hull
    expect(r.emptyCircleViolations).toBe(0);
    expect(r.asymmetric).toBe(0);
  });

  it('returns no triangles for collinear points, and skips a duplicate', () => {
    const line = delaunay([0, 0, 1, 2, 2, 4, 3, 6]);
    expect(line.triangles).toHaveLength(0);
    expect([...line.hull]).toEqual([0, 1, 2, 3]);
    const dup = delaunay([0, 0, 10, 0, 0, 10, 10, 10, 10, 10]);
    expect(dup.triangles.length / 3).toBe(2);
  });
});

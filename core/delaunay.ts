// Delaunay triangulation of points in the plane, in flat typed arrays. Pure.
//
// The partition engine's cell complex (core/partition.ts) is the Voronoi diagram of ~20 seeds per
// building; the sweep-line Voronoi it used (d3-voronoi via turf) spent seconds and most of the
// garbage collector's time on a 5,000-building community. Delaunator (mapbox/delaunator, a
// dependency) triangulates 100,000 points in tens of milliseconds without allocating per point,
// with robust orientation predicates; the Voronoi cells are read off the triangles (circumcentres
// around each point). This module only adapts its answer to the engine's shape.
import Delaunator from 'delaunator';

export interface Triangulation {
  /** Point ids, three per triangle (Delaunator's order). */
  triangles: Uint32Array;
  /** The opposite half-edge of each half-edge (-1 on the hull). Half-edge e runs from triangles[e] to triangles[next(e)]. */
  halfedges: Int32Array;
  /** Convex hull, point ids. */
  hull: Uint32Array;
}

export const nextHalfedge = (e: number): number => (e % 3 === 2 ? e - 2 : e + 1);
export const prevHalfedge = (e: number): number => (e % 3 === 0 ? e + 2 : e - 1);

/** Triangulate points given as [x0, y0, x1, y1, …]. Exact duplicates are skipped (they get no triangle). */
export function delaunay(coords: ArrayLike<number>): Triangulation {
  const d = new Delaunator(coords instanceof Float64Array ? coords : Float64Array.from(coords));
  return { triangles: d.triangles, halfedges: d.halfedges, hull: d.hull };
}

/** Circumcentre of a triangle. */
export function circumcenter(ax: number, ay: number, bx: number, by: number, cx: number, cy: number): [number, number] {
  const dx = bx - ax, dy = by - ay, ex = cx - ax, ey = cy - ay;
  const bl = dx * dx + dy * dy, cl = ex * ex + ey * ey;
  const d = 0.5 / (dx * ey - dy * ex);
  return [ax + (ey * bl - dy * cl) * d, ay + (dx * cl - ex * bl) * d];
}

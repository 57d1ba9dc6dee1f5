// The street pieces reached within a walking distance: whole edges, and the partial stretches of
// edges whose far end lies beyond the limit (entered from either end, or from a source on the edge
// itself). Polygons are made from these pieces by buffering them (server: ST_Buffer in PostGIS), so
// the shape hugs the streets and never covers a block the walk does not reach.
import { edgePiece, type WalkGraph } from './graph.js';
import type { Searcher } from './search.js';

export interface EdgePiece {
  edge: number;
  /** metres from the edge's first vertex, a < b */
  a: number;
  b: number;
}

export interface ReachedNetwork {
  pieces: EdgePiece[];
  /** Edges reached fully or partly. */
  edges: number;
  /** Total reached length in metres. */
  lengthM: number;
}

/**
 * Pieces reached within `radius` metres by the last run of `searcher` (run with cutoff ≥ radius).
 * Overlapping stretches of one edge are merged.
 */
export function reachedPieces(searcher: Searcher, radius: number): ReachedNetwork {
  const g = searcher.g;
  if (radius > searcher.cutoff + 1e-9) throw new Error(`radius ${radius} beyond the search cutoff ${searcher.cutoff}`);
  const dist = searcher.dist;
  const sources = searcher.lastSources;
  const seen = new Set<number>();
  const candidates: number[] = [];
  for (const n of searcher.touchedNodes()) {
    if (dist[n]! > radius) continue;
    for (let k = g.adjStart[n]!; k < g.adjStart[n + 1]!; k++) {
      const e = g.adjEdge[k]!;
      if (!seen.has(e)) { seen.add(e); candidates.push(e); }
    }
  }
  const onEdge = new Map<number, number[]>();
  sources.forEach((s, i) => {
    if (s.extra >= radius) return;
    const l = onEdge.get(s.edge);
    if (l) l.push(i); else onEdge.set(s.edge, [i]);
    if (!seen.has(s.edge)) { seen.add(s.edge); candidates.push(s.edge); }
  });
  const pieces: EdgePiece[] = [];
  let lengthM = 0, edges = 0;
  for (const e of candidates) {
    const len = g.edgeLen[e]!;
    const iv: [number, number][] = [];
    const du = dist[g.edgeFrom[e]!]!, dv = dist[g.edgeTo[e]!]!;
    if (du < radius) iv.push([0, Math.min(len, radius - du)]);
    if (dv < radius) iv.push([Math.max(0, len - (radius - dv)), len]);
    for (const i of onEdge.get(e) ?? []) {
      const s = sources[i]!;
      const r = radius - s.extra;
      iv.push([Math.max(0, s.offset - r), Math.min(len, s.offset + r)]);
    }
    if (iv.length === 0) continue;
    iv.sort((x, y) => x[0] - y[0]);
    const merged: [number, number][] = [];
    for (const x of iv) {
      const last = merged[merged.length - 1];
      if (last && x[0] <= last[1]) last[1] = Math.max(last[1], x[1]);
      else merged.push([x[0], x[1]]);
    }
    let any = false;
    for (const [a, b] of merged) {
      if (b - a <= 1e-9 && len > 0) continue;
      pieces.push({ edge: e, a, b });
      lengthM += b - a;
      any = true;
    }
    if (any) edges++;
  }
  return { pieces, edges, lengthM };
}

/** The pieces as GeoJSON MultiLineString coordinates ([lon, lat]). */
export function piecesLonLat(g: WalkGraph, pieces: readonly EdgePiece[]): [number, number][][] {
  return pieces.map((p) => edgePiece(g, p.edge, p.a, p.b));
}

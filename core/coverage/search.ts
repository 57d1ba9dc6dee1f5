// Bounded multi-source Dijkstra on the walking graph (flatqueue binary heap, typed arrays). All the
// facilities of a class start together, each at its snapped point with its connector already
// walked, so one pass gives every node its distance to the nearest facility. A Searcher keeps its
// buffers between runs and resets only the nodes the last run touched, so a small search (an
// interactive isochrone, one added facility) costs what it reaches, not the size of the graph.
import FlatQueue from 'flatqueue';
import type { Snap, WalkGraph } from './graph.js';

/** A start point: on edge `edge` at `offset` metres, having walked `extra` metres to get there. */
export interface Source {
  edge: number;
  offset: number;
  extra: number;
}

export const sourceOf = (s: Snap): Source => ({ edge: s.edge, offset: s.offset, extra: s.dist });

/** A source exactly at graph node n (on one of its edges, at that end); null for an isolated node. */
export function nodeSource(g: WalkGraph, n: number): Source | null {
  if (g.adjStart[n] === g.adjStart[n + 1]) return null;
  const e = g.adjEdge[g.adjStart[n]!]!;
  return { edge: e, offset: g.edgeFrom[e] === n ? 0 : g.edgeLen[e]!, extra: 0 };
}

export interface PointHit {
  /** metres from the nearest source, connectors included; Infinity beyond the cutoff. */
  dist: number;
  /** index of that source in the run's sources, -1 when none. */
  source: number;
}

export class Searcher {
  readonly g: WalkGraph;
  /** Distance of each node from the nearest source (Infinity = not reached within the cutoff). */
  readonly dist: Float64Array;
  /** Index of the source that reached each node. */
  readonly from: Int32Array;
  private touched: Int32Array;
  private touchedCount = 0;
  private q: FlatQueue<number>;
  private sources: readonly Source[] = [];
  /** Sources by edge as linked lists: srcHead[edge] → first source index, srcNext[i] → next (-1 ends). */
  private srcHead: Int32Array;
  private srcNext = new Int32Array(16);
  private srcEdges: number[] = [];
  cutoff = 0;
  /** Nodes settled in the last run (for benchmarks and statistics). */
  settled = 0;

  constructor(g: WalkGraph) {
    this.g = g;
    this.dist = new Float64Array(g.nodeCount).fill(Infinity);
    this.from = new Int32Array(g.nodeCount).fill(-1);
    this.touched = new Int32Array(g.nodeCount);
    this.srcHead = new Int32Array(g.edgeCount).fill(-1);
    this.q = new FlatQueue<number>(2 * g.edgeCount + 16, Float64Array, Uint32Array);
  }

  get lastSources(): readonly Source[] { return this.sources; }

  /** Edges holding at least one source of the last run. */
  sourceEdges(): readonly number[] { return this.srcEdges; }

  /** Nodes reached by the last run (distance ≤ cutoff or tentatively set). */
  touchedNodes(): Int32Array { return this.touched.subarray(0, this.touchedCount); }

  private reset(): void {
    for (let i = 0; i < this.touchedCount; i++) {
      const n = this.touched[i]!;
      this.dist[n] = Infinity;
      this.from[n] = -1;
    }
    this.touchedCount = 0;
    for (const e of this.srcEdges) this.srcHead[e] = -1;
    this.srcEdges = [];
    this.q.clear();
  }

  private relax(n: number, d: number, s: number): void {
    if (d >= this.dist[n]!) return;
    if (this.dist[n] === Infinity) this.touched[this.touchedCount++] = n;
    this.dist[n] = d;
    this.from[n] = s;
    if (d <= this.cutoff) this.q.push(n, d);
  }

  /** One multi-source pass, stopping at `cutoff` metres. */
  run(sources: readonly Source[], cutoff: number): this {
    this.reset();
    this.sources = sources;
    this.cutoff = cutoff;
    const g = this.g;
    const need = 2 * g.edgeCount + 2 * sources.length + 16;
    if (this.q.capacity < need) this.q = new FlatQueue<number>(need, Float64Array, Uint32Array);
    if (this.srcNext.length < sources.length) this.srcNext = new Int32Array(sources.length);
    for (let i = 0; i < sources.length; i++) {
      const s = sources[i]!;
      if (s.extra > cutoff) continue;
      if (this.srcHead[s.edge] === -1) this.srcEdges.push(s.edge);
      this.srcNext[i] = this.srcHead[s.edge]!;
      this.srcHead[s.edge] = i;
      this.relax(g.edgeFrom[s.edge]!, s.extra + s.offset, i);
      this.relax(g.edgeTo[s.edge]!, s.extra + (g.edgeLen[s.edge]! - s.offset), i);
    }
    // The hot loop: locals only, lengths stored per adjacency entry (no edge indirection).
    const { adjStart, adjNode, adjLen } = g;
    const dist = this.dist, from = this.from, q = this.q, touched = this.touched;
    let tc = this.touchedCount;
    let settled = 0;
    while (q.length > 0) {
      const d = q.peekValue()!;
      const u = q.pop()!;
      if (d > dist[u]!) continue; // stale entry
      settled++;
      const src = from[u]!;
      for (let k = adjStart[u]!, end = adjStart[u + 1]!; k < end; k++) {
        const v = adjNode[k]!;
        const nd = d + adjLen[k]!;
        const dv = dist[v]!;
        if (nd < dv) {
          if (dv === Infinity) touched[tc++] = v;
          dist[v] = nd;
          from[v] = src;
          if (nd <= cutoff) q.push(v, nd);
        }
      }
    }
    this.touchedCount = tc;
    this.settled = settled;
    return this;
  }

  /**
   * Distance from the nearest source to a snapped point, its connector included: via either end of
   * its edge, or straight along the edge from a source on the same edge.
   */
  pointHit(s: Snap): PointHit {
    const dist = this.pointDist(s);
    return { dist, source: this.lastSource };
  }

  /** The source of the last pointDist() answer (-1 = none). */
  lastSource = -1;

  /** As pointHit, without allocating: the source is left in lastSource. */
  pointDist(s: Snap): number {
    const g = this.g;
    const e = s.edge;
    let best = Infinity, src = -1;
    const a = g.edgeFrom[e]!, b = g.edgeTo[e]!;
    const df = this.dist[a]! + s.offset;
    if (df < best) { best = df; src = this.from[a]!; }
    const dt = this.dist[b]! + (g.edgeLen[e]! - s.offset);
    if (dt < best) { best = dt; src = this.from[b]!; }
    for (let i = this.srcHead[e]!; i !== -1; i = this.srcNext[i]!) {
      const o = this.sources[i]!;
      const d = o.extra + Math.abs(o.offset - s.offset);
      if (d < best) { best = d; src = i; }
    }
    best += s.dist;
    if (best <= this.cutoff) { this.lastSource = src; return best; }
    this.lastSource = -1;
    return Infinity;
  }
}

/**
 * Points grouped by edge (CSR), so a small search can find the points it reached from the edges
 * around the nodes it touched, without looking at every point.
 */
export interface PointsByEdge {
  start: Int32Array;
  items: Int32Array;
}

export function pointsByEdge(g: WalkGraph, snaps: readonly (Snap | null)[]): PointsByEdge {
  const start = new Int32Array(g.edgeCount + 1);
  for (const s of snaps) if (s) start[s.edge + 1]!++;
  for (let e = 0; e < g.edgeCount; e++) start[e + 1]! += start[e]!;
  const fill = start.slice(0, g.edgeCount);
  const items = new Int32Array(start[g.edgeCount]!);
  snaps.forEach((s, i) => { if (s) items[fill[s.edge]!++] = i; });
  return { start, items };
}

/**
 * Points (indices into snaps) that the last run of `searcher` may have reached: those on an edge
 * incident to a touched node or on an edge holding a source. Each point appears once.
 */
export function reachedPoints(searcher: Searcher, index: PointsByEdge): number[] {
  const g = searcher.g;
  const seen = new Set<number>();
  const out: number[] = [];
  const addEdge = (e: number) => {
    if (seen.has(e)) return;
    seen.add(e);
    for (let k = index.start[e]!; k < index.start[e + 1]!; k++) out.push(index.items[k]!);
  };
  for (const n of searcher.touchedNodes()) {
    for (let k = g.adjStart[n]!; k < g.adjStart[n + 1]!; k++) addEdge(g.adjEdge[k]!);
  }
  for (const e of searcher.sourceEdges()) addEdge(e);
  return out;
}

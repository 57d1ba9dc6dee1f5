import { describe, expect, it } from 'vitest';
import { PROJ, riverRoads } from './fixture.js';
import { buildGraph, projection, snapXY, walkGraph, type WalkGraph } from './graph.js';
import { nodeSource, pointsByEdge, reachedPoints, Searcher, sourceOf, type Source } from './search.js';

/** Deterministic PRNG for the generated networks below. */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => { a = (a * 1664525 + 1013904223) >>> 0; return a / 4294967296; };
}

/**
 * A random connected-ish network whose edges range from 1 cm to 120 m (many shorter than the
 * search's bucket width), straight edges between random points.
 */
function randomGraph(seed: number, nodes: number, edges: number): WalkGraph {
  const r = rng(seed);
  const nodeX = new Float64Array(nodes), nodeY = new Float64Array(nodes);
  for (let i = 0; i < nodes; i++) { nodeX[i] = r() * 1000; nodeY[i] = r() * 1000; }
  const ef: number[] = [], et: number[] = [];
  for (let i = 1; i < nodes; i++) {
    // a close partner for most nodes: many edges from a centimetre to a few metres
    const j = r() < 0.5 ? i - 1 : Math.floor(r() * i);
    if (r() < 0.4) { nodeX[i] = nodeX[j]! + (r() - 0.5) * 0.05; nodeY[i] = nodeY[j]! + (r() - 0.5) * 3; }
    ef.push(j); et.push(i);
  }
  while (ef.length < edges) {
    const a = Math.floor(r() * nodes), b = Math.floor(r() * nodes);
    if (a !== b && Math.hypot(nodeX[a]! - nodeX[b]!, nodeY[a]! - nodeY[b]!) < 120) { ef.push(a); et.push(b); }
  }
  const E = ef.length;
  const geom = new Int32Array(E + 1), vx = new Float64Array(2 * E), vy = new Float64Array(2 * E);
  for (let e = 0; e < E; e++) {
    geom[e] = 2 * e;
    vx[2 * e] = nodeX[ef[e]!]!; vy[2 * e] = nodeY[ef[e]!]!; vx[2 * e + 1] = nodeX[et[e]!]!; vy[2 * e + 1] = nodeY[et[e]!]!;
  }
  geom[E] = 2 * E;
  return buildGraph({
    proj: projection(121.49, 31.24), nodeX, nodeY, edgeFrom: Int32Array.from(ef), edgeTo: Int32Array.from(et),
    edgeRoad: Int32Array.from({ length: E }, (_, i) => i + 1), edgeSnappable: new Uint8Array(E).fill(1),
    edgeGeomStart: geom, vx, vy, excludedRoads: 0,
  });
}

/** Textbook Dijkstra (linear scan for the minimum): the reference for the bucket queue. */
function reference(g: WalkGraph, sources: readonly Source[], cutoff: number): Float64Array {
  const dist = new Float64Array(g.nodeCount).fill(Infinity);
  const done = new Uint8Array(g.nodeCount);
  for (const s of sources) {
    if (s.extra > cutoff) continue;
    const a = g.edgeFrom[s.edge]!, b = g.edgeTo[s.edge]!;
    dist[a] = Math.min(dist[a]!, s.extra + s.offset);
    dist[b] = Math.min(dist[b]!, s.extra + (g.edgeLen[s.edge]! - s.offset));
  }
  for (;;) {
    let u = -1;
    for (let i = 0; i < g.nodeCount; i++) if (!done[i] && dist[i]! <= cutoff && (u === -1 || dist[i]! < dist[u]!)) u = i;
    if (u === -1) break;
    done[u] = 1;
    for (let k = g.adjStart[u]!; k < g.adjStart[u + 1]!; k++) {
      const v = g.adjNode[k]!;
      dist[v] = Math.min(dist[v]!, dist[u]! + g.adjLen[k]!);
    }
  }
  return dist;
}

const at = (g: ReturnType<typeof walkGraph>, x: number, y: number) => snapXY(g, x, y, 300)!;

describe('bounded multi-source search', () => {
  it('walks connector + street + connector (hand-measured)', () => {
    const g = walkGraph(riverRoads(true), PROJ);
    const s = new Searcher(g).run([sourceOf(at(g, -10, 0))], 10_000);
    expect(s.pointDist(at(g, 20, 300))).toBeCloseTo(10 + 300 + 20, 6);
    // across the bridge: 10 + 200 up W + 300 bridge + 20
    expect(s.pointDist(at(g, 320, 200))).toBeCloseTo(530, 6);
    // and down the east bank to (300,50): 10 + 200 + 300 + 150 + 10
    expect(s.pointDist(at(g, 310, 50))).toBeCloseTo(670, 6);
  });

  it('does not cross the river without a bridge, nor over a flyover or motorway', () => {
    const g = walkGraph(riverRoads(false), PROJ);
    const s = new Searcher(g).run([sourceOf(at(g, -10, 0))], 10_000);
    expect(s.pointDist(at(g, 20, 300))).toBeCloseTo(330, 6);
    expect(s.pointDist(at(g, 320, 200))).toBe(Infinity);
    expect(s.pointDist(at(g, 310, 50))).toBe(Infinity);
  });

  it('reaches a point on the source\'s own edge directly along it', () => {
    const g = walkGraph(riverRoads(true), PROJ);
    const s = new Searcher(g).run([sourceOf(at(g, -5, 250))], 10_000);
    expect(s.pointDist(at(g, 5, 280))).toBeCloseTo(5 + 30 + 5, 6);
    expect(s.pointDist(at(g, 5, 150))).toBeCloseTo(5 + 50 + 50 + 5, 6);
  });

  it('takes the nearest of several sources in one pass and names it', () => {
    const g = walkGraph(riverRoads(true), PROJ);
    const s = new Searcher(g).run([sourceOf(at(g, -10, 0)), sourceOf(at(g, 310, 390))], 10_000);
    const h = s.pointHit(at(g, 320, 200)); // 10 + 190 + 20 from the second, 530 from the first
    expect(h.dist).toBeCloseTo(220, 6);
    expect(h.source).toBe(1);
    expect(s.pointHit(at(g, 20, 300)).source).toBe(0);
  });

  it('stops at the cutoff and resets between runs', () => {
    const g = walkGraph(riverRoads(true), PROJ);
    const s = new Searcher(g);
    s.run([sourceOf(at(g, -10, 0))], 329);
    expect(s.pointDist(at(g, 20, 300))).toBe(Infinity); // 330 > 329
    expect(s.pointDist(at(g, 20, 100))).toBeCloseTo(130, 6);
    s.run([sourceOf(at(g, 310, 390))], 100);
    expect(s.pointDist(at(g, 20, 100))).toBe(Infinity); // nothing left over from the first run
    expect(s.pointDist(at(g, 300, 350))).toBeCloseTo(10 + 40, 6);
  });

  it('finds the points a small search may have reached from the edges it touched', () => {
    const g = walkGraph(riverRoads(true), PROJ);
    const pts = [at(g, 20, 300), at(g, 320, 200), at(g, 310, 50), at(g, 5, 100)];
    const idx = pointsByEdge(g, pts);
    const s = new Searcher(g).run([sourceOf(at(g, -10, 0))], 150);
    const near = reachedPoints(s, idx).sort();
    // candidates: the west bank's edges around touched nodes, never the east bank
    expect(near).toEqual([0, 3]);
    expect(s.pointDist(pts[3]!)).toBeCloseTo(10 + 100 + 5, 6);
    expect(s.pointDist(pts[0]!)).toBe(Infinity); // 330 m, beyond the 150 m cutoff
  });

  it('gives exactly the textbook Dijkstra distances, also over edges shorter than its bucket width', () => {
    for (const seed of [1, 2, 3]) {
      const g = randomGraph(seed, 400, 900);
      const s = new Searcher(g);
      expect(s.delta).toBe(0.5); // the shortest edges are centimetres: the bucket width's floor
      const r = rng(seed + 10);
      for (const cutoff of [60, 250, 5000]) {
        const sources = [0, 1, 2].map(() => nodeSource(g, Math.floor(r() * g.nodeCount))).filter((x): x is Source => x !== null);
        sources.push(sourceOf(snapXY(g, r() * 1000, r() * 1000, 1000)!));
        s.run(sources, cutoff);
        const want = reference(g, sources, cutoff);
        for (let n = 0; n < g.nodeCount; n++) {
          // nodes beyond the cutoff keep their tentative distance in both; only those within matter
          if (want[n]! <= cutoff || s.dist[n]! <= cutoff) expect(s.dist[n]).toBe(want[n]);
        }
      }
    }
  });

  it('reads every packed point exactly as one by one', () => {
    const g = randomGraph(7, 300, 700);
    const r = rng(8);
    const pts = Array.from({ length: 200 }, () => snapXY(g, r() * 1000, r() * 1000, 40));
    const packed = pointsByEdge(g, pts);
    expect(packed.size).toBe(200);
    const s = new Searcher(g).run([sourceOf(snapXY(g, 500, 500, 1000)!), sourceOf(pts.find((p) => p)!)], 1500);
    const out = new Float64Array(200).fill(-1), src = new Int32Array(200).fill(-2);
    s.pointDists(packed, out, src);
    let reached = 0;
    pts.forEach((p, i) => {
      if (!p) { expect(out[i]).toBe(-1); return; }
      expect(out[i]).toBe(s.pointDist(p));
      expect(src[i]).toBe(s.lastSource);
      if (out[i] !== Infinity) reached++;
    });
    expect(reached).toBeGreaterThan(10);
    expect(reached).toBeLessThan(pts.filter((p) => p).length);
  });
});

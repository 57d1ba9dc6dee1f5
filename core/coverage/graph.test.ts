import { describe, expect, it } from 'vitest';
import { PROJ, ll, riverRoads } from './fixture.js';
import { buildGraph, edgePiece, localityOrder, projection, snapXY, toXY, walkGraph, type NodedInput } from './graph.js';

describe('walking graph', () => {
  it('nodes ways at shared vertices only and leaves out motorways and non-walkable rows', () => {
    const g = walkGraph(riverRoads(true), PROJ);
    // nodes: W(0,0) W(0,200) W(0,400) E(300,0) E(300,200) E(300,400) and the flyover's two ends
    expect(g.nodeCount).toBe(8);
    // edges: W 2, E 2, bridge 1, flyover 1 (it crosses W and E without a shared vertex)
    expect(g.edgeCount).toBe(6);
    expect(g.excludedRoads).toBe(2); // motorway, subway
    const lens = Array.from(g.edgeLen).map((l) => Math.round(l * 1000) / 1000).sort((a, b) => a - b);
    expect(lens).toEqual([200, 200, 200, 200, 300, 400]);
    // west bank + bridge + east bank are one piece; the flyover is its own
    expect(g.componentCount).toBe(2);
  });

  it('without the bridge the east bank is an island', () => {
    const g = walkGraph(riverRoads(false), PROJ);
    expect(g.componentCount).toBe(3);
    expect(g.edgeCount).toBe(3); // W, E and the flyover, each one edge now
  });

  it('snaps a point onto the nearest snappable edge, projected, exactly', () => {
    const g = walkGraph(riverRoads(true), PROJ);
    const s = snapXY(g, 20, 300, 300)!;
    expect(s.dist).toBeCloseTo(20, 6);
    expect(s.offset).toBeCloseTo(100, 6); // on W(0,200)→W(0,400), 100 m in
    expect(g.edgeRoad[s.edge]).toBe(1);
    // (150,110) is 10 m from the flyover but the flyover is a bridge: it snaps to neither bank
    // within 140 m, and to the west bank's street at 150 m
    expect(snapXY(g, 150, 110, 140)).toBeNull();
    expect(snapXY(g, 150, 110, 300)!.dist).toBeCloseTo(150, 6);
    expect(snapXY(g, 1000, 1000, 300)).toBeNull();
  });

  it('finds the truly nearest segment, not the nearest bounding box', () => {
    // a long diagonal whose box contains the point, and a short street 5 m away
    const g = walkGraph([
      { id: 1, kind: 'path', walkable: true, coords: [ll(0, 0), ll(1000, 1000)] },
      { id: 2, kind: 'path', walkable: true, coords: [ll(800, 205), ll(900, 205)] },
    ], PROJ);
    const s = snapXY(g, 850, 200, 300)!;
    expect(g.edgeRoad[s.edge]).toBe(2);
    expect(s.dist).toBeCloseTo(5, 6);
  });

  it('cuts an edge piece at offsets, keeping inner vertices', () => {
    const g = walkGraph([{ id: 1, kind: 'path', walkable: true, coords: [ll(0, 0), ll(100, 0), ll(100, 100)] }], PROJ);
    const piece = edgePiece(g, 0, 50, 150).map(([lon, lat]) => toXY(PROJ, lon, lat).map((v) => Math.round(v * 1e6) / 1e6));
    expect(piece).toEqual([[50, 0], [100, 0], [100, 50]]);
  });

  it('renumbers nodes for memory locality without changing any edge, shape or length', () => {
    // a 30 × 30 street grid numbered column-major, each edge with one bend
    const side = 30, N = side * side;
    const nodeX = new Float64Array(N), nodeY = new Float64Array(N);
    for (let i = 0; i < N; i++) { nodeX[i] = Math.floor(i / side) * 80; nodeY[i] = (i % side) * 80 + (i % 7); }
    const ef: number[] = [], et: number[] = [], vx: number[] = [], vy: number[] = [], gs: number[] = [];
    for (let i = 0; i < N; i++) for (const j of [i + 1, i + side]) {
      if (j >= N || (j === i + 1 && j % side === 0)) continue;
      ef.push(i); et.push(j); gs.push(vx.length);
      vx.push(nodeX[i]!, (nodeX[i]! + nodeX[j]!) / 2 + 3, nodeX[j]!); vy.push(nodeY[i]!, (nodeY[i]! + nodeY[j]!) / 2, nodeY[j]!);
    }
    gs.push(vx.length);
    const E = ef.length;
    const input: NodedInput = {
      proj: projection(121.49, 31.24), nodeX, nodeY, edgeFrom: Int32Array.from(ef), edgeTo: Int32Array.from(et),
      edgeRoad: Int32Array.from({ length: E }, (_, i) => i), edgeSnappable: new Uint8Array(E).fill(1), edgeGeomStart: Int32Array.from(gs),
      vx: Float64Array.from(vx), vy: Float64Array.from(vy), excludedRoads: 0,
    };
    const o = localityOrder(input);
    expect(Array.from(o.edgeFrom)).not.toEqual(ef); // really renumbered
    const g = buildGraph(input);
    expect([g.nodeCount, g.edgeCount]).toEqual([N, E]);
    const seen = new Set<number>();
    for (let e = 0; e < E; e++) {
      const k = g.edgeRoad[e]!; // the input edge it came from
      seen.add(k);
      expect([g.nodeX[g.edgeFrom[e]!], g.nodeY[g.edgeFrom[e]!]]).toEqual([nodeX[ef[k]!], nodeY[ef[k]!]]);
      expect([g.nodeX[g.edgeTo[e]!], g.nodeY[g.edgeTo[e]!]]).toEqual([nodeX[et[k]!], nodeY[et[k]!]]);
      expect(Array.from(g.vx.subarray(g.edgeGeomStart[e]!, g.edgeGeomStart[e + 1]!))).toEqual(vx.slice(gs[k]!, gs[k + 1]!));
      expect(Array.from(g.vy.subarray(g.edgeGeomStart[e]!, g.edgeGeomStart[e + 1]!))).toEqual(vy.slice(gs[k]!, gs[k + 1]!));
    }
    expect(seen.size).toBe(E);
    // neighbours on the ground are neighbours in memory: most edges join nodes numbered close together
    let near = 0;
    for (let e = 0; e < E; e++) if (Math.abs(g.edgeFrom[e]! - g.edgeTo[e]!) < 16) near++;
    expect(near / E).toBeGreaterThan(0.7);
    // column-major input: half the edges (along rows) join nodes 30 apart
    let before = 0;
    for (let e = 0; e < E; e++) if (Math.abs(ef[e]! - et[e]!) < 16) before++;
    expect(before / E).toBeLessThan(0.55);
  });
});

import { describe, expect, it } from 'vitest';
import { PROJ, riverRoads } from './fixture.js';
import { snapXY, walkGraph } from './graph.js';
import { pointsByEdge, reachedPoints, Searcher, sourceOf } from './search.js';

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
});

import { describe, expect, it } from 'vitest';
import { buffer, booleanContains, booleanIntersects, featureCollection, lineString, multiLineString, point, polygon, union } from '@turf/turf';
import type { Feature, MultiPolygon, Polygon } from 'geojson';
import { PROJ, ll, riverRoads } from './fixture.js';
import { snapXY, walkGraph } from './graph.js';
import { piecesLonLat, reachedPieces } from './isochrone.js';
import { Searcher, sourceOf } from './search.js';

function shape(lines: [number, number][][]): Feature<Polygon | MultiPolygon> {
  const parts = lines.map((l) => buffer(lineString(l), 25, { units: 'meters' })!);
  return parts.length === 1 ? parts[0]! : union(featureCollection(parts))!;
}

describe('reached street pieces', () => {
  it('includes whole edges and partial ones at the limit (hand-measured)', () => {
    const g = walkGraph(riverRoads(true), PROJ);
    const s = new Searcher(g).run([sourceOf(snapXY(g, -10, 0, 300)!)], 250);
    const r = reachedPieces(s, 250);
    // 10 m connector, W(0,0)→W(0,200) whole (210), then 40 m further up W and 40 m onto the bridge
    expect(r.lengthM).toBeCloseTo(200 + 40 + 40, 6);
    expect(r.edges).toBe(3);
    const bridge = r.pieces.find((p) => g.edgeRoad[p.edge] === 6)!;
    expect(bridge.b - bridge.a).toBeCloseTo(40, 6);
  });

  it('covers a source\'s own edge both ways from the source', () => {
    const g = walkGraph(riverRoads(true), PROJ);
    const s = new Searcher(g).run([sourceOf(snapXY(g, -5, 250, 300)!)], 35);
    const r = reachedPieces(s, 35);
    expect(r.pieces).toHaveLength(1);
    expect(r.pieces[0]!.a).toBeCloseTo(20, 6);
    expect(r.pieces[0]!.b).toBeCloseTo(80, 6);
  });

  it('the buffered shape holds the reached streets and not the block across the river', () => {
    const g = walkGraph(riverRoads(false), PROJ);
    const s = new Searcher(g).run([sourceOf(snapXY(g, -10, 0, 300)!)], 1000);
    const r = reachedPieces(s, 1000);
    const lines = piecesLonLat(g, r.pieces);
    const iso = shape(lines);
    for (const l of lines) expect(booleanContains(iso, lineString(l))).toBe(true);
    // the east bank (an island without the bridge) is 300 m away in a straight line but unreached
    expect(booleanIntersects(iso, multiLineString([[ll(300, 0), ll(300, 400)]]))).toBe(false);
    const eastBlock = polygon([[ll(260, 20), ll(290, 20), ll(290, 380), ll(260, 380), ll(260, 20)]]);
    expect(booleanIntersects(iso, eastBlock)).toBe(false);
    // a convex hull of the reached points would have covered the river; the shape does not
    expect(booleanContains(iso, point(ll(150, 250)))).toBe(false);
    // with the bridge the east bank is reached and inside
    const g2 = walkGraph(riverRoads(true), PROJ);
    const s2 = new Searcher(g2).run([sourceOf(snapXY(g2, -10, 0, 300)!)], 1000);
    const iso2 = shape(piecesLonLat(g2, reachedPieces(s2, 1000).pieces));
    expect(booleanContains(iso2, point(ll(300, 250)))).toBe(true);
  });

  it('refuses a radius beyond the search cutoff', () => {
    const g = walkGraph(riverRoads(true), PROJ);
    const s = new Searcher(g).run([sourceOf(snapXY(g, -10, 0, 300)!)], 100);
    expect(() => reachedPieces(s, 200)).toThrow(/cutoff/);
  });
});

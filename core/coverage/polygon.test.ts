import { describe, expect, it } from 'vitest';
import { area, booleanContains, booleanIntersects, booleanPointInPolygon, buffer, difference, featureCollection, lineString, multiLineString, multiPolygon, point, polygon, union } from '@turf/turf';
import type { Feature, MultiPolygon, Polygon } from 'geojson';
import { PROJ, ll, riverRoads } from './fixture.js';
import { snapXY, walkGraph } from './graph.js';
import { piecesLonLat, reachedPieces } from './isochrone.js';
import { piecePolygons } from './polygon.js';
import { Searcher, sourceOf } from './search.js';

/** turf's buffer of the same lines (an independent reference shape). */
function turfShape(lines: [number, number][][]): Feature<Polygon | MultiPolygon> {
  const parts = lines.map((l) => buffer(lineString(l), 25, { units: 'meters' })!);
  return parts.length === 1 ? parts[0]! : union(featureCollection(parts))!;
}

/** A 200 m square block with streets all round, and a dead end leaving its south-west corner. */
const blockRoads = () => [
  { id: 1, kind: 'residential', walkable: true, coords: [ll(0, 0), ll(200, 0), ll(200, 200), ll(0, 200), ll(0, 0)] },
  { id: 2, kind: 'residential', walkable: true, coords: [ll(0, 0), ll(-150, -150)] },
];

describe('isochrone polygons traced from reached pieces', () => {
  it('hold every reached street, keep to the streets and leave the unreached bank out', () => {
    const g = walkGraph(riverRoads(false), PROJ);
    const s = new Searcher(g).run([sourceOf(snapXY(g, -10, 0, 300)!)], 1000);
    const r = reachedPieces(s, 1000);
    const [coords] = piecePolygons(g, [r.pieces]);
    const iso = multiPolygon(coords!);
    for (const l of piecesLonLat(g, r.pieces)) expect(booleanContains(iso, lineString(l))).toBe(true);
    // the east bank (an island without the bridge) is 300 m away in a straight line but unreached
    expect(booleanIntersects(iso, multiLineString([[ll(300, 0), ll(300, 400)]]))).toBe(false);
    expect(booleanIntersects(iso, polygon([[ll(260, 20), ll(290, 20), ll(290, 380), ll(260, 380), ll(260, 20)]]))).toBe(false);
    // the river between the banks is not filled in: 150 m from the west street
    expect(booleanPointInPolygon(point(ll(150, 250)), iso)).toBe(false);
    // 20 m beside the street is inside, 30 m is not (25 m buffer)
    expect(booleanPointInPolygon(point(ll(-20, 250)), iso)).toBe(true);
    expect(booleanPointInPolygon(point(ll(-30, 250)), iso)).toBe(false);
    // and the shape is the 25 m buffer: turf's buffer of the same lines has the same area within 1 %
    const ref = area(turfShape(piecesLonLat(g, r.pieces)));
    expect(Math.abs(area(iso) - ref) / ref).toBeLessThan(0.01);
    // with the bridge the east bank is reached and inside
    const g2 = walkGraph(riverRoads(true), PROJ);
    const s2 = new Searcher(g2).run([sourceOf(snapXY(g2, -10, 0, 300)!)], 1000);
    const [c2] = piecePolygons(g2, [reachedPieces(s2, 1000).pieces]);
    expect(booleanPointInPolygon(point(ll(300, 250)), multiPolygon(c2!))).toBe(true);
  });

  it('leave a hole for a block whose streets are all reached, and nest the bands', () => {
    const g = walkGraph(blockRoads(), PROJ);
    const s = new Searcher(g).run([sourceOf(snapXY(g, -100, -90, 300)!)], 900);
    const bands = [150, 400, 900].map((m) => reachedPieces(s, m).pieces);
    const polys = piecePolygons(g, bands).map((c) => multiPolygon(c));
    // 900 m reaches the whole block: one polygon with the block's inside (150 × 150 m) as a hole
    const big = polys[2]!.geometry.coordinates;
    expect(big).toHaveLength(1);
    expect(big[0]!).toHaveLength(2);
    expect(booleanPointInPolygon(point(ll(100, 100)), polys[2]!)).toBe(false);
    // the hole is the 150 × 150 m square left inside the 25 m buffer, its corners traced within a cell
    expect(area(polygon([big[0]![1]!]))).toBeGreaterThan(150 * 150 * 0.99);
    expect(area(polygon([big[0]![1]!]))).toBeLessThan(150 * 150 * 1.01);
    // 150 m: only the dead end and a little of the block's corner
    expect(booleanPointInPolygon(point(ll(100, 0)), polys[0]!)).toBe(false);
    expect(booleanPointInPolygon(point(ll(-75, -75)), polys[0]!)).toBe(true);
    // each band lies inside the next
    for (let i = 0; i < 2; i++) {
      const d = difference(featureCollection([polys[i]!, polys[i + 1]!]));
      expect(d === null ? 0 : area(d)).toBeLessThan(0.01);
      expect(area(polys[i]!)).toBeLessThan(area(polys[i + 1]!));
    }
    // outer rings counter-clockwise and holes clockwise (RFC 7946)
    const signed = (ring: number[][]) => ring.slice(1).reduce((a, p, i) => a + (ring[i]![0]! - p[0]!) * (ring[i]![1]! + p[1]!), 0);
    expect(signed(big[0]![0]!)).toBeGreaterThan(0);
    expect(signed(big[0]![1]!)).toBeLessThan(0);
  });

  it('give an empty MultiPolygon for an empty band and a disc around a piece of no length', () => {
    const g = walkGraph(blockRoads(), PROJ);
    const s = new Searcher(g).run([sourceOf(snapXY(g, 100, -10, 300)!)], 300);
    const [empty, dot] = piecePolygons(g, [[], [{ edge: reachedPieces(s, 300).pieces[0]!.edge, a: 50, b: 50 }]]);
    expect(empty).toEqual([]);
    expect(dot).toHaveLength(1);
    const a = area(multiPolygon(dot!));
    expect(a).toBeGreaterThan(Math.PI * 25 * 25 * 0.97);
    expect(a).toBeLessThan(Math.PI * 25 * 25 * 1.01);
  });

  it('give each hole to the polygon around it when there are several', () => {
    // two 200 m blocks 1 km apart, each walked all round from its own start, and a third, smaller
    // block to the east whose ring sits inside the bounding box of nothing else
    const block = (id: number, x: number, y: number, d: number) => ({
      id, kind: 'residential', walkable: true, coords: [ll(x, y), ll(x + d, y), ll(x + d, y + d), ll(x, y + d), ll(x, y)],
    });
    const g = walkGraph([block(1, 0, 0, 200), block(2, 1000, 0, 200), block(3, 2000, 500, 120)], PROJ);
    const starts = [[-10, 100], [990, 100], [1990, 560]].map(([x, y]) => sourceOf(snapXY(g, x!, y!, 50)!));
    const s = new Searcher(g).run(starts, 1000);
    const [coords] = piecePolygons(g, [reachedPieces(s, 1000).pieces]);
    expect(coords).toHaveLength(3);
    for (const [cx, cy] of [[100, 100], [1100, 100], [2060, 560]]) {
      const poly = coords!.find((p) => booleanPointInPolygon(point(ll(cx! - 90 * (cx! < 2000 ? 1 : 0.6), cy!)), polygon([p[0]!])))!;
      expect(poly).toHaveLength(2); // its outer ring and its own hole
      expect(booleanPointInPolygon(point(ll(cx!, cy!)), polygon([poly[1]!]))).toBe(true);
    }
  });
});

import { readFileSync } from 'node:fs';
import { area as turfArea, polygon } from '@turf/turf';
import type { FeatureCollection, MultiPolygon, Polygon } from 'geojson';
import { describe, expect, it } from 'vitest';
import {
  addDrawnFace,
  buildTopology,
  createSnapper,
  deleteFace,
  faceArea,
  faceGeometry,
  facesOfVertex,
  findCrossing,
  insertVertex,
  mergeFaces,
  moveEdge,
  moveVertex,
  nearestEdge,
  nearestVertex,
  neighbours,
  sharedEdgeLines,
  splitFace,
  toShapes,
  type GridShape,
  type LonLat,
  type Topology,
} from './topology.js';

// A 2×1 block of ~95 m × 111 m squares near the demo district (Shanghai).
const X0 = 121.49, Y0 = 31.24, D = 0.001;
const sq = (i: number, j: number, extra: LonLat[] = []): Polygon => ({
  type: 'Polygon',
  coordinates: [[[X0 + i * D, Y0 + j * D], [X0 + (i + 1) * D, Y0 + j * D], ...extra, [X0 + (i + 1) * D, Y0 + (j + 1) * D], [X0 + i * D, Y0 + (j + 1) * D], [X0 + i * D, Y0 + j * D]]],
});
const two = (): GridShape[] => [
  { key: 'A', geometry: sq(0, 0) },
  { key: 'B', geometry: sq(1, 0) },
];
const total = (t: Topology) => t.faces.reduce((s, f) => s + faceArea(t, f.key), 0);
let n = 0;
const newKey = () => `new-${++n}`;
const must = <T>(r: { ok: true; value: T } | { ok: false; code: string; message: string }): T => {
  if (!r.ok) throw new Error(`${r.code}: ${r.message}`);
  return r.value;
};
const vertexAt = (t: Topology, p: LonLat) => nearestVertex(t, p, 0.5);

describe('buildTopology', () => {
  it('shares coincident vertices between neighbours and finds them adjacent', () => {
    const t = buildTopology(two());
    expect(t.faces.map((f) => f.polys[0]![0]!.length)).toEqual([4, 4]);
    const shared = vertexAt(t, [X0 + D, Y0])!;
    expect(facesOfVertex(t, shared).sort()).toEqual(['A', 'B']);
    expect(neighbours(t, 'A')).toEqual(['B']);
    expect(sharedEdgeLines(t)).toHaveLength(1);
  });

  it('snaps vertices a few centimetres apart into one', () => {
    const off = 2e-7; // ~2 cm
    const b: Polygon = { type: 'Polygon', coordinates: [sq(1, 0).coordinates[0]!.map(([x, y]) => [x! + (Math.abs(x! - (X0 + D)) < 1e-9 ? off : 0), y!])] };
    const t = buildTopology([{ key: 'A', geometry: sq(0, 0) }, { key: 'B', geometry: b }]);
    expect(neighbours(t, 'A')).toEqual(['B']);
  });

  it('nodes a T-junction: a neighbour vertex on my edge becomes my vertex too', () => {
    const mid: LonLat = [X0 + D, Y0 + D / 2];
    // B has a vertex in the middle of the shared edge; A does not.
    const b: Polygon = { type: 'Polygon', coordinates: [[[X0 + D, Y0], [X0 + 2 * D, Y0], [X0 + 2 * D, Y0 + D], [X0 + D, Y0 + D], mid, [X0 + D, Y0]]] };
    const t = buildTopology([{ key: 'A', geometry: sq(0, 0) }, { key: 'B', geometry: b }]);
    const v = vertexAt(t, mid)!;
    expect(facesOfVertex(t, v).sort()).toEqual(['A', 'B']);
    expect(sharedEdgeLines(t)).toHaveLength(2);
  });

  it('orients shells counter-clockwise and round-trips the geometry', () => {
    const cw: Polygon = { type: 'Polygon', coordinates: [sq(0, 0).coordinates[0]!.slice().reverse()] };
    const t = buildTopology([{ key: 'A', geometry: cw }]);
    expect(faceArea(t, 'A')).toBeGreaterThan(0);
    const g = faceGeometry(t, 'A') as Polygon;
    expect(turfArea(polygon(g.coordinates))).toBeCloseTo(turfArea(polygon(sq(0, 0).coordinates)), -1);
  });
});

describe('moving shared vertices (topological editing)', () => {
  it('moves both grids with a shared vertex: no gap, no overlap', () => {
    const t = buildTopology(two());
    const before = total(t);
    const v = vertexAt(t, [X0 + D, Y0 + D])!;
    const moved = must(moveVertex(t, v, [X0 + D * 1.3, Y0 + D]));
    // The outline is unchanged (the vertex slides along it), so the areas still add up exactly.
    expect(total(moved)).toBeCloseTo(before, 3);
    expect(faceArea(moved, 'A')).toBeGreaterThan(faceArea(t, 'A'));
    expect(faceArea(moved, 'B')).toBeLessThan(faceArea(t, 'B'));
    // Both geometries carry the new position.
    for (const k of ['A', 'B']) expect(JSON.stringify(faceGeometry(moved, k))).toContain(String(X0 + D * 1.3).slice(0, 9));
    expect(findCrossing(moved)).toBeNull();
  });

  it('inserts a vertex into the shared edge of both grids and drags the boundary', () => {
    const t = buildTopology(two());
    const e = nearestEdge(t, [X0 + D + 1e-6, Y0 + D / 2], 5)!;
    const { topology, vertex } = must(insertVertex(t, e.a, e.b, e.point));
    expect(facesOfVertex(topology, vertex).sort()).toEqual(['A', 'B']);
    const bent = must(moveVertex(topology, vertex, [X0 + D * 1.4, Y0 + D / 2]));
    expect(total(bent)).toBeCloseTo(total(t), 3);
    expect(faceArea(bent, 'A') - faceArea(t, 'A')).toBeCloseTo(faceArea(t, 'B') - faceArea(bent, 'B'), 3);
  });

  it('moves a whole shared edge by an offset', () => {
    const t = buildTopology(two());
    const a = vertexAt(t, [X0 + D, Y0])!, b = vertexAt(t, [X0 + D, Y0 + D])!;
    const moved = must(moveEdge(t, a, b, -20, 0));
    expect(total(moved)).toBeCloseTo(total(t), 3);
    expect(faceArea(moved, 'A')).toBeLessThan(faceArea(t, 'A'));
  });

  it('refuses a move that makes boundaries cross or turns a grid inside out', () => {
    const t = buildTopology(two());
    const v = vertexAt(t, [X0 + D, Y0 + D])!;
    const r = moveVertex(t, v, [X0 + D * 2.5, Y0 - D * 0.5]);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(['self_intersection', 'degenerate']).toContain(r.code);
  });
});

describe('splitFace', () => {
  it('splits a grid by a line crossing it into two polygons; the neighbour shares the new vertex', () => {
    const t = buildTopology(two());
    // A vertical line through B at 30 % of its width, from below to above.
    const x = X0 + D * 1.3;
    const r = must(splitFace(t, 'B', [[x, Y0 - D * 0.2], [x, Y0 + D * 1.2]], { newKey }));
    expect(r.keys).toHaveLength(2);
    expect(r.keys[0]).toBe('B'); // the larger piece keeps its key
    const [big, small] = r.keys.map((k) => faceArea(r.topology, k));
    expect(big! + small!).toBeCloseTo(faceArea(t, 'B'), 3);
    expect(small! / (big! + small!)).toBeCloseTo(0.3, 2);
    expect(neighbours(r.topology, r.keys[1]!).sort()).toEqual(['A', 'B']);
    expect(findCrossing(r.topology)).toBeNull();
  });

  it('splits along a line through the shared edge: the crossing point is inserted into the neighbour too', () => {
    const t = buildTopology(two());
    // Horizontal line across both squares, but only B is split.
    const y = Y0 + D * 0.5;
    const r = must(splitFace(t, 'B', [[X0 + D * 0.5, y], [X0 + D * 2.5, y]], { newKey }));
    const v = vertexAt(r.topology, [X0 + D, y])!;
    expect(v).not.toBeNull();
    expect(facesOfVertex(r.topology, v).sort()).toEqual(['A', ...r.keys].sort());
    // A is unchanged in area but has one more vertex.
    expect(faceArea(r.topology, 'A')).toBeCloseTo(faceArea(t, 'A'), 3);
    expect(r.topology.faces.find((f) => f.key === 'A')!.polys[0]![0]).toHaveLength(5);
  });

  it('keeps a bent line as the new boundary', () => {
    const t = buildTopology(two());
    const line: LonLat[] = [[X0 + D * 1.2, Y0 - D * 0.1], [X0 + D * 1.5, Y0 + D * 0.5], [X0 + D * 1.2, Y0 + D * 1.1]];
    const r = must(splitFace(t, 'B', line, { newKey }));
    const small = r.topology.faces.find((f) => f.key === r.keys[1])!;
    expect(small.polys[0]![0]!.length).toBeGreaterThanOrEqual(4); // includes the bend
    expect(faceArea(r.topology, 'B') + faceArea(r.topology, r.keys[1]!)).toBeCloseTo(faceArea(t, 'B'), 3);
  });

  it('refuses a line that does not cross the grid', () => {
    const t = buildTopology(two());
    const inside = splitFace(t, 'B', [[X0 + D * 1.2, Y0 + D * 0.2], [X0 + D * 1.8, Y0 + D * 0.8]], { newKey });
    expect(inside).toMatchObject({ ok: false, code: 'line_must_cross' });
    const outside = splitFace(t, 'B', [[X0 + D * 3, Y0], [X0 + D * 4, Y0 + D]], { newKey });
    expect(outside).toMatchObject({ ok: false, code: 'line_must_cross' });
    expect(splitFace(t, 'nope', [[0, 0], [1, 1]], { newKey })).toMatchObject({ ok: false, code: 'not_found' });
  });

  it('cuts a concave grid crossed twice into three pieces', () => {
    // A U shape: the line crosses both arms.
    const u: Polygon = {
      type: 'Polygon',
      coordinates: [[[X0, Y0], [X0 + 3 * D, Y0], [X0 + 3 * D, Y0 + 2 * D], [X0 + 2 * D, Y0 + 2 * D], [X0 + 2 * D, Y0 + D], [X0 + D, Y0 + D], [X0 + D, Y0 + 2 * D], [X0, Y0 + 2 * D], [X0, Y0]]],
    };
    const t = buildTopology([{ key: 'U', geometry: u }]);
    const y = Y0 + D * 1.5;
    const r = must(splitFace(t, 'U', [[X0 - D * 0.5, y], [X0 + D * 3.5, y]], { newKey }));
    expect(r.keys).toHaveLength(3);
    expect(r.keys.reduce((s, k) => s + faceArea(r.topology, k), 0)).toBeCloseTo(faceArea(t, 'U'), 3);
  });
});

describe('merge and delete', () => {
  it('merges two neighbours exactly (the shared edge disappears)', () => {
    const t = buildTopology(two());
    const m = must(mergeFaces(t, 'A', 'B'));
    expect(m.faces.map((f) => f.key)).toEqual(['A']);
    expect(m.faces[0]!.polys).toHaveLength(1);
    expect(m.faces[0]!.polys[0]).toHaveLength(1); // no hole
    expect(faceArea(m, 'A')).toBeCloseTo(total(t), 3);
    expect(sharedEdgeLines(m)).toHaveLength(0);
  });

  it('merging around a grid leaves it as a hole, and a 3-way split merges back', () => {
    // A ring of grids: left, right halves of a frame around a centre square.
    const frameL: Polygon = { type: 'Polygon', coordinates: [[[X0, Y0], [X0 + 1.5 * D, Y0], [X0 + 1.5 * D, Y0 + D], [X0 + D, Y0 + D], [X0 + D, Y0 + 2 * D], [X0 + 1.5 * D, Y0 + 2 * D], [X0 + 1.5 * D, Y0 + 3 * D], [X0, Y0 + 3 * D], [X0, Y0]]] };
    const frameR: Polygon = { type: 'Polygon', coordinates: [[[X0 + 1.5 * D, Y0], [X0 + 3 * D, Y0], [X0 + 3 * D, Y0 + 3 * D], [X0 + 1.5 * D, Y0 + 3 * D], [X0 + 1.5 * D, Y0 + 2 * D], [X0 + 2 * D, Y0 + 2 * D], [X0 + 2 * D, Y0 + D], [X0 + 1.5 * D, Y0 + D], [X0 + 1.5 * D, Y0]]] };
    const t = buildTopology([{ key: 'L', geometry: frameL }, { key: 'R', geometry: frameR }, { key: 'C', geometry: sq(1, 1) }]);
    const m = must(mergeFaces(t, 'L', 'R'));
    const polys = m.faces.find((f) => f.key === 'L')!.polys;
    expect(polys).toHaveLength(1);
    expect(polys[0]).toHaveLength(2); // shell + hole where C is
    expect(faceArea(m, 'L')).toBeCloseTo(faceArea(t, 'L') + faceArea(t, 'R'), 3);
  });

  it('refuses to merge grids that do not touch', () => {
    const t = buildTopology([{ key: 'A', geometry: sq(0, 0) }, { key: 'C', geometry: sq(3, 0) }]);
    expect(mergeFaces(t, 'A', 'C')).toMatchObject({ ok: false, code: 'not_adjacent' });
  });

  it('deletes a grid into a neighbour or leaves a gap', () => {
    const t = buildTopology(two());
    const gap = must(deleteFace(t, 'B'));
    expect(gap.faces.map((f) => f.key)).toEqual(['A']);
    const given = must(deleteFace(t, 'B', 'A'));
    expect(faceArea(given, 'A')).toBeCloseTo(total(t), 3);
  });
});

describe('addDrawnFace (avoid overlaps)', () => {
  it('keeps only the free part of the community and shares the neighbour boundary', () => {
    const community = { type: 'Polygon', coordinates: [[[X0, Y0], [X0 + 2 * D, Y0], [X0 + 2 * D, Y0 + D], [X0, Y0 + D], [X0, Y0]]] } as Polygon;
    const t = buildTopology([{ key: 'A', geometry: sq(0, 0) }]);
    // Drawn far too big: over A and beyond the community.
    const drawn: Polygon = { type: 'Polygon', coordinates: [[[X0 - D, Y0 - D], [X0 + 3 * D, Y0 - D], [X0 + 3 * D, Y0 + 2 * D], [X0 - D, Y0 + 2 * D], [X0 - D, Y0 - D]]] };
    const r = must(addDrawnFace(t, 'new', drawn, community));
    expect(faceArea(r.topology, 'new')).toBeCloseTo(faceArea(t, 'A'), -1);
    expect(neighbours(r.topology, 'new')).toEqual(['A']);
    expect(toShapes(r.topology)).toHaveLength(2);
    // Nothing free left: refused.
    expect(addDrawnFace(r.topology, 'x', drawn, community)).toMatchObject({ ok: false, code: 'no_free_area' });
  });
});

describe('snapping', () => {
  const snapper = createSnapper({
    gridVertices: [[X0, Y0]],
    gridEdges: [[[X0, Y0], [X0 + D, Y0]]],
    roads: [[[X0, Y0 + D * 0.5], [X0 + D, Y0 + D * 0.5]]],
    buildings: [[[X0 + D * 0.2, Y0 + D * 0.2], [X0 + D * 0.3, Y0 + D * 0.2], [X0 + D * 0.3, Y0 + D * 0.3], [X0 + D * 0.2, Y0 + D * 0.3]]],
  });
  it('prefers a grid vertex, then lines; nothing beyond the tolerance', () => {
    expect(snapper.snap([X0 + 2e-5, Y0 + 2e-5], 5)).toMatchObject({ kind: 'grid-vertex', point: [X0, Y0] });
    const onEdge = snapper.snap([X0 + D * 0.5, Y0 + 2e-5], 5)!;
    expect(onEdge.kind).toBe('grid-edge');
    expect(onEdge.point[1]).toBeCloseTo(Y0, 8);
    expect(snapper.snap([X0 + D * 0.7, Y0 + D * 0.5 + 2e-5], 5)).toMatchObject({ kind: 'road' });
    expect(snapper.snap([X0 + D * 0.3 + 1e-5, Y0 + D * 0.3], 5)).toMatchObject({ kind: 'building-vertex' });
    expect(snapper.snap([X0 + D * 0.7, Y0 + D * 0.8], 5)).toBeNull();
  });
});

describe('the demo district grids', () => {
  const fc = JSON.parse(readFileSync(new URL('../../geojson/demo/grids.geojson', import.meta.url), 'utf8')) as FeatureCollection<MultiPolygon, { code: string; communityCode: string }>;
  const byCommunity = new Map<string, GridShape[]>();
  for (const f of fc.features) {
    const l = byCommunity.get(f.properties.communityCode) ?? [];
    l.push({ key: f.properties.code, geometry: f.geometry });
    byCommunity.set(f.properties.communityCode, l);
  }
  it('every community builds into a clean topology whose grids touch their neighbours', () => {
    for (const [code, shapes] of byCommunity) {
      const t = buildTopology(shapes);
      expect(findCrossing(t), code).toBeNull();
      for (const s of shapes) {
        expect(Math.abs(faceArea(t, s.key) - turfArea({ type: 'Feature', properties: {}, geometry: s.geometry })) / faceArea(t, s.key), `${code} ${s.key}`).toBeLessThan(0.01);
        if (shapes.length > 1) expect(neighbours(t, s.key).length, `${code} ${s.key}`).toBeGreaterThan(0);
      }
      // Merging two neighbours keeps the total area.
      const [a] = shapes;
      const nb = neighbours(t, a!.key)[0];
      if (nb) expect(faceArea(must(mergeFaces(t, a!.key, nb)), a!.key)).toBeCloseTo(faceArea(t, a!.key) + faceArea(t, nb), 0);
    }
  });
});

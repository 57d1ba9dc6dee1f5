import { area, booleanValid, featureCollection, intersect, kinks, polygon as turfPolygon, feature } from '@turf/turf';
import type { MultiPolygon, Polygon, Position } from 'geojson';
import { describe, expect, it } from 'vitest';
import { estimateHouseholds } from './households.js';
import {
  bisectUnits, buildCellComplex, chooseGroupCount, chooseGroupCountForUnits, connectLabels, Coverage, GRID_TARGET, groupUnits, interiorPoint, jitter, localProjection,
  overlapGroups, partitionCommunity, pointInRings, refineBalance, repairContiguity, swapBalance, type GroupUnit, type PartitionBuilding, type XY,
} from './partition.js';

// A synthetic community near Lujiazui: metres → lon/lat.
const LON0 = 121.51, LAT0 = 31.235;
const proj = localProjection(LON0, LAT0);
const ll = (x: number, y: number): Position => proj.toLonLat([x, y]);
const rect = (x: number, y: number, w: number, h: number): Polygon =>
  ({ type: 'Polygon', coordinates: [[ll(x, y), ll(x + w, y), ll(x + w, y + h), ll(x, y + h), ll(x, y)]] });

/** An L-shaped community, 500 × 400 m with the north-east quarter missing, lined with 8-storey slabs. */
function lShapedCommunity(): { boundary: Polygon; buildings: PartitionBuilding[] } {
  const boundary: Polygon = { type: 'Polygon', coordinates: [[ll(0, 0), ll(500, 0), ll(500, 200), ll(250, 200), ll(250, 400), ll(0, 400), ll(0, 0)]] };
  const buildings: PartitionBuilding[] = [];
  let i = 0;
  for (let y = 15; y < 390; y += 32) {
    for (let x = 12; x < 490; x += 58) {
      const fp = rect(x, y, 44 - (i % 3) * 6, 12);
      const inside = x + 44 < 500 && (y + 12 < 200 || x + 44 < 250);
      if (inside) buildings.push({ id: `b${i}`, footprint: fp, households: estimateHouseholds(area(fp), 8) });
      i++;
    }
  }
  // One building outside the boundary (in the missing quarter).
  buildings.push({ id: 'outside', footprint: rect(400, 300, 30, 12), households: 20 });
  return { boundary, buildings };
}

const toXY = (g: Polygon | MultiPolygon): XY[][][] =>
  (g.type === 'Polygon' ? [g.coordinates] : g.coordinates).map((p) => p.map((r) => r.map((c) => proj.toXY(c))));

describe('partitionCommunity', () => {
  const input = lShapedCommunity();
  const result = partitionCommunity(input);
  const inside = input.buildings.filter((b) => b.id !== 'outside');
  const total = inside.reduce((a, b) => a + b.households, 0);

  it('assigns every building inside exactly once and reports the rest', () => {
    const seen = result.grids.flatMap((g) => g.buildingIds);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.sort()).toEqual(inside.map((b) => b.id).sort());
    expect(result.outside).toEqual(['outside']);
    expect(result.grids.reduce((a, g) => a + g.households, 0)).toBe(total);
  });

  it('keeps household totals in or near the target range', () => {
    expect(total).toBeGreaterThan(2000);
    expect(result.grids.length).toBe(chooseGroupCount(total, 0));
    const biggest = Math.max(...inside.map((b) => b.households));
    for (const g of result.grids) {
      expect(g.households).toBeGreaterThanOrEqual(GRID_TARGET.min - biggest);
      expect(g.households).toBeLessThanOrEqual(GRID_TARGET.max + biggest);
    }
    const inRange = result.grids.filter((g) => g.households >= GRID_TARGET.min && g.households <= GRID_TARGET.max).length;
    expect(inRange / result.grids.length).toBeGreaterThanOrEqual(0.7);
  });

  it('returns valid polygons that do not overlap and cover the community', () => {
    for (const g of result.grids) {
      const f = feature(g.geometry);
      expect(booleanValid(f)).toBe(true);
      expect(kinks(f).features).toHaveLength(0);
    }
    for (let i = 0; i < result.grids.length; i++) {
      for (let j = i + 1; j < result.grids.length; j++) {
        const x = intersect(featureCollection([feature(result.grids[i]!.geometry), feature(result.grids[j]!.geometry)]));
        expect(x ? area(x) : 0).toBeLessThan(0.01); // m²: touching only
      }
    }
    const covered = result.grids.reduce((a, g) => a + area(g.geometry), 0);
    expect(Math.abs(covered / area(input.boundary) - 1)).toBeLessThan(0.01);
  });

  it('puts each building’s interior point (ST_PointOnSurface) inside its grid', () => {
    for (const g of result.grids) {
      const rings = toXY(g.geometry);
      for (const id of g.buildingIds) {
        const b = input.buildings.find((x) => x.id === id)!;
        const p = proj.toXY(interiorPoint(b.footprint));
        expect(rings.some((rs) => pointInRings(p, rs))).toBe(true);
      }
    }
  });

  it('is deterministic', () => {
    expect(JSON.stringify(partitionCommunity(lShapedCommunity()))).toBe(JSON.stringify(result));
  });
});

describe('grouping', () => {
  it('chooses the grid count whose average is nearest 200–300 households', () => {
    expect(chooseGroupCount(1000, 0)).toBe(4);
    expect(chooseGroupCount(250, 0)).toBe(1);
    expect(chooseGroupCount(90, 0)).toBe(1);
    expect(chooseGroupCount(620, 0)).toBe(3); // 207 is in the range
    expect(chooseGroupCount(350, 0)).toBe(2); // 175 is nearer the range than 350
    expect(chooseGroupCount(0, 1_200_000, GRID_TARGET, 500_000)).toBe(3);
    expect(chooseGroupCount(100, 1_200_000, GRID_TARGET, 500_000)).toBe(3);
  });

  it('bisects weighted units into balanced groups', () => {
    const units: GroupUnit[] = [];
    for (let x = 0; x < 10; x++) for (let y = 0; y < 4; y++) units.push({ x: x * 10, y: y * 10, households: 25, area: 100 });
    const g = bisectUnits(units, 4, (u) => u.households);
    const sums = [0, 0, 0, 0];
    units.forEach((u, i) => { sums[g[i]!]! += u.households; });
    expect(sums).toEqual([250, 250, 250, 250]);
  });

  it('makes groups contiguous', () => {
    // A path of 5 units; group 0 is split in two by group 1.
    const units: GroupUnit[] = [0, 1, 2, 3, 4].map((x) => ({ x, y: 0, households: 10, area: 1 }));
    const adj = [[1], [0, 2], [1, 3], [2, 4], [3]];
    const g = repairContiguity(units, adj, Int32Array.from([0, 0, 1, 0, 1]), (u) => u.households);
    expect([...g]).toEqual([0, 0, 1, 1, 1]);
  });

  it('refines household totals into the range', () => {
    // A row of 12 units of 50 households: 600 in two groups of 300 after refinement.
    const units: GroupUnit[] = Array.from({ length: 12 }, (_, x) => ({ x, y: 0, households: 50, area: x < 4 ? 1000 : 1 }));
    const adj = units.map((_, i) => [i - 1, i + 1].filter((j) => j >= 0 && j < 12));
    const g = groupUnits(units, adj, { k: 2, areaShare: 0.5 });
    const sums = [0, 0];
    units.forEach((u, i) => { sums[g[i]!]! += u.households; });
    for (const s of sums) expect(s).toBeLessThanOrEqual(300);
  });

  it('passes households along a chain of full grids only when spreading', () => {
    // A row of 110 units of 10 households in four groups: 320 | 300 | 300 | 180. Only the first is over
    // and the last under; the two between are full, so no single move shrinks the violation.
    const units: GroupUnit[] = Array.from({ length: 110 }, (_, x) => ({ x, y: 0, households: 10, area: 1 }));
    const adj = units.map((_, i) => [i - 1, i + 1].filter((j) => j >= 0 && j < 110));
    const plan = Int32Array.from(units.map((_, i) => (i < 32 ? 0 : i < 62 ? 1 : i < 92 ? 2 : 3)));
    const sums = (g: Int32Array) => { const s = [0, 0, 0, 0]; units.forEach((u, i) => { s[g[i]!]! += u.households; }); return s; };
    const minimal = refineBalance(units, adj, plan, GRID_TARGET, 1000);
    expect(sums(minimal)[0]).toBe(320);
    const stats = { steps: 0, moves: 0 };
    const spread = refineBalance(units, adj, plan, GRID_TARGET, 1000, { spread: true, stats });
    for (const s of sums(spread)) { expect(s).toBeGreaterThanOrEqual(200); expect(s).toBeLessThanOrEqual(300); }
    expect(stats.moves).toBeGreaterThan(3);
    // Still contiguous: each group is one run of the row.
    for (let i = 1; i < 110; i++) expect(spread[i]!).toBeGreaterThanOrEqual(spread[i - 1]!);
  });
});

describe('big buildings, islands and dangling pieces', () => {
  const unit = (households: number, x = 0): GroupUnit => ({ x, y: 0, households, area: 1 });

  it('gives a building over the maximum a grid of its own when choosing the count', () => {
    // 455 | 285 | 258 in small buildings: three grids (the 455 one cannot be helped), not four.
    const units = [unit(455), unit(285), ...Array.from({ length: 12 }, () => unit(21.5))];
    expect(chooseGroupCount(998, 0)).toBe(4);
    expect(chooseGroupCountForUnits(units)).toBe(3);
    // 593 and 55 more: one grid of 648 is nearer the band than 593 + a grid of 55.
    expect(chooseGroupCountForUnits([unit(593), unit(49), unit(6)])).toBe(1);
    // Without big buildings it is chooseGroupCount.
    expect(chooseGroupCountForUnits(Array.from({ length: 30 }, () => unit(25)))).toBe(chooseGroupCount(750, 30));
  });

  it('makes a part of the community apart from the rest a grid of its own when it has households enough', () => {
    // Units 0–2 and 3–4 are not connected; bisection put unit 3 with 0–2.
    const units = [unit(100), unit(100), unit(100), unit(120), unit(120)];
    const adj = [[1], [0, 2], [1], [4], [3]];
    const g = repairContiguity(units, adj, Int32Array.from([0, 0, 0, 0, 1]), (u) => u.households);
    expect([...g]).toEqual([0, 0, 0, 1, 1]);
    // A bare island stays with the grid it was given (an exclave) rather than becoming an empty grid.
    const bare = repairContiguity([unit(100), unit(100), unit(0)], [[1], [0], []], Int32Array.from([0, 1, 0]), (u) => u.households);
    expect(new Set(bare).size).toBe(2);
    const islands = repairContiguity(units, adj, Int32Array.from([0, 0, 1, 0, 1]), (u) => u.households);
    expect(islands[3]).toBe(islands[4]); // the units 3–4 end up together
  });

  it('moves a unit together with the piece of its grid that hangs on it', () => {
    // Group 0 = a 455 building with a tail of 19 and 36 hanging on it: 455 – 19 – 36; group 1 (186)
    // touches only the 19. Moving the 19 alone would cut the 36 off; the tail moves as one.
    const units = [unit(455), unit(19), unit(36), unit(186)];
    const adj = [[1], [0, 2, 3], [1], [1]];
    const stats = { steps: 0, moves: 0 };
    const g = refineBalance(units, adj, Int32Array.from([0, 0, 0, 1]), GRID_TARGET, 100, { stats });
    expect([...g]).toEqual([0, 1, 1, 1]);
    expect(stats.moves).toBe(1);
    // Not when the piece may not be carried (a building a line cuts).
    const kept = refineBalance(units, adj, Int32Array.from([0, 0, 0, 1]), GRID_TARGET, 100, { carry: (i) => i !== 2 });
    expect([...kept]).toEqual([0, 0, 0, 1]);
  });

  it('carries bare ground that hangs on a moving unit, and nothing else', () => {
    // Group 0: 300 – 40 – bare ground, 340 households; group 1: 160, touching the 40. The 40 moves
    // (300 | 200) and the bare ground hanging on it goes along; the 300 stays.
    const units = [unit(300), unit(40), unit(0), unit(160)];
    const adj = [[1], [0, 2, 3], [1], [1]];
    const stats = { steps: 0, moves: 0 };
    const g = refineBalance(units, adj, Int32Array.from([0, 0, 0, 1]), GRID_TARGET, 100, { stats });
    expect([...g]).toEqual([0, 1, 1, 1]);
    expect(stats.moves).toBe(1);
  });

  it('keeps overlapping buildings together and lets buildings that share a wall apart', () => {
    const sq = (x: number, y: number, w: number, h: number): XY[][] => [[[x, y], [x + w, y], [x + w, y + h], [x, y + h]]];
    // 0 and 1 overlap by 3 m; 2 shares a wall with 1; 3 stands apart; 4 overlaps 3 and 2 overlaps nothing else.
    const foot = [[sq(0, 0, 10, 10)], [sq(7, 0, 10, 10)], [sq(17, 0, 10, 10)], [sq(40, 0, 10, 10)], [sq(45, 5, 10, 10)]];
    const interior: XY[] = [[5, 5], [12, 5], [22, 5], [45, 5], [50, 10]];
    expect([...overlapGroups(foot, interior)]).toEqual([0, 0, 2, 3, 3]);
  });

  it('never draws a line between overlapping buildings', () => {
    // Two rows of buildings; in the middle, a podium that overlaps two towers, where the grids meet.
    const buildings: PartitionBuilding[] = [];
    const box = (x: number, y: number, w: number, h: number): Polygon => ({ type: 'Polygon', coordinates: [[ll(x, y), ll(x + w, y), ll(x + w, y + h), ll(x, y + h), ll(x, y)]] });
    for (let i = 0; i < 10; i++) for (let j = 0; j < 2; j++) buildings.push({ id: `b${i}-${j}`, footprint: box(10 + i * 20, 10 + j * 30, 12, 12), households: 25 });
    buildings.push({ id: 'podium', footprint: box(95, 15, 30, 30), households: 0 });
    const r = partitionCommunity({ boundary: box(0, 0, 220, 60), buildings, k: 2, refine: true });
    const gridOf = new Map<string, number>();
    r.grids.forEach((g, i) => { for (const id of g.buildingIds) gridOf.set(id, i); });
    expect(gridOf.get('podium')).toBe(gridOf.get('b4-0'));
    expect(gridOf.get('podium')).toBe(gridOf.get('b5-1'));
    for (const g of r.grids) {
      const x = intersect(featureCollection<Polygon | MultiPolygon>([feature(g.geometry), feature(box(95, 15, 30, 30))]));
      if (x) expect([0, 900].some((a) => Math.abs(area(x) - a) < 20)).toBe(true); // the podium wholly in one grid
    }
  });

  it('exchanges two units between grids when every single move overshoots', () => {
    // A = 100 + 84 + 13 = 197 (3 short), B = 16 + 100 + 91 = 207. Moving the 13 or the 16 alone
    // leaves more outside the band; exchanging them gives 200 | 204.
    const units = [unit(100), unit(84), unit(13), unit(16), unit(100), unit(91)];
    const adj = [[1], [0, 2, 3], [1, 3, 4], [1, 2, 4, 5], [2, 3, 5], [3, 4]];
    const plan = Int32Array.from([0, 0, 0, 1, 1, 1]);
    expect([...refineBalance(units, adj, plan, GRID_TARGET, 100)]).toEqual([...plan]);
    const g = swapBalance(units, adj, plan, GRID_TARGET);
    expect([...g]).toEqual([0, 0, 1, 0, 1, 1]);
    // Not when the exchange would cut a grid in two: without the 16's link to the 84, A would be 100–84 and a lone 16.
    const cut = adj.map((a, i) => a.filter((j) => !((i === 1 && j === 3) || (i === 3 && j === 1))));
    expect([...swapBalance(units, cut, plan, GRID_TARGET)]).toEqual([...plan]);
  });

  it('reconnects labels that came out in pieces, keeping the anchored piece', () => {
    // Nine cells in a row; label 0 has cells 0–1 and a stray cell 5, which cuts label 1's cell 6 off.
    // Cell 5 joins label 1's main piece beside it; cell 6, touching only label 2's, joins label 2.
    const seeds: XY[] = Array.from({ length: 9 }, (_, i) => [5 + i * 10, 5]);
    const cx = buildCellComplex(seeds, [0, 0, 90, 10], proj);
    const label = Int32Array.from([0, 0, 1, 1, 1, 0, 1, 2, 2]);
    const out = connectLabels(cx, label, () => true, (l) => (l === 0 ? 0 : -1));
    expect([...out]).toEqual([0, 0, 1, 1, 1, 1, 2, 2, 2]);
    // The anchor decides which piece stays: anchored at cell 5, cells 0–1 go to label 1.
    const moved = connectLabels(cx, Int32Array.from([0, 0, 1, 1, 1, 0, 0, 0, 2]), () => true, (l) => (l === 0 ? 5 : -1));
    expect([...moved]).toEqual([1, 1, 1, 1, 1, 0, 0, 0, 2]);
  });
});

describe('coverage', () => {
  // Four seeds in a row inside a 40 × 10 box: cells are 10 × 10 squares.
  const cx = buildCellComplex([[5, 5], [15, 5], [25, 5], [35, 5]], [0, 0, 40, 10], proj);

  it('unions cells exactly, sharing vertices with the neighbour', () => {
    const cov = new Coverage(cx, Int32Array.from([0, 0, 1, 1]));
    const mp = cov.multiPolygons();
    const a = mp.get(0)!, b = mp.get(1)!;
    expect(a.coordinates).toHaveLength(1);
    const key = (p: Position) => `${p[0]},${p[1]}`;
    const shared = a.coordinates[0]![0]!.map(key).filter((k) => b.coordinates[0]![0]!.map(key).includes(k));
    expect(new Set(shared).size).toBe(2); // the common edge, same coordinates on both sides
    expect(area(a)).toBeCloseTo(200, 0);
    expect(cov.multiPolygons(() => 0).get(0)!.coordinates).toHaveLength(1);
  });

  it('leaves label -1 outside and splits a group into parts when it is not connected', () => {
    const mp = new Coverage(cx, Int32Array.from([0, -1, 0, 1])).multiPolygons();
    expect(mp.get(0)!.coordinates).toHaveLength(2);
    for (const p of mp.get(0)!.coordinates) expect(booleanValid(turfPolygon(p))).toBe(true);
  });

  it('keeps a hole as an interior ring', () => {
    const seeds: XY[] = [];
    for (let x = 0; x < 3; x++) for (let y = 0; y < 3; y++) seeds.push([x * 10 + 5, y * 10 + 5]);
    const c3 = buildCellComplex(seeds, [0, 0, 30, 30], proj);
    const labels = Int32Array.from(seeds.map((_, i) => (i === 4 ? 1 : 0)));
    const mp = new Coverage(c3, labels).multiPolygons();
    expect(mp.get(0)!.coordinates).toHaveLength(1);
    expect(mp.get(0)!.coordinates[0]).toHaveLength(2);
    expect(area(mp.get(0)!)).toBeCloseTo(800, 0);
  });
});

describe('buildCellComplex', () => {
  // 3,000 jittered seeds, a lattice part (four seeds on a circle everywhere) and seeds near the edge.
  const seeds: XY[] = [];
  for (let i = 0; i < 2000; i++) seeds.push([2 + (jitter(i, 1) + 0.5) * 296, 2 + (jitter(i, 2) + 0.5) * 196]);
  for (let x = 0; x < 20; x++) for (let y = 0; y < 20; y++) seeds.push([310 + x * 4, 5 + y * 4]);
  const extent: [number, number, number, number] = [0, 0, 400, 200];
  const cx = buildCellComplex(seeds, extent, proj);
  const n = seeds.length;
  const ring = (c: number) => Array.from(cx.ringNode.subarray(cx.ringStart[c]!, cx.ringStart[c + 1]!));
  const acr = (c: number) => Array.from(cx.ringAcross.subarray(cx.ringStart[c]!, cx.ringStart[c + 1]!));

  it('tiles the extent: cell areas add up to it and every cell is counter-clockwise around its seed', () => {
    let total = 0;
    for (let c = 0; c < n; c++) total += cx.area[c]!;
    expect(total).toBeCloseTo(400 * 200, -1); // vertices rounded to 1e-7°
    for (let c = 0; c < n; c++) {
      const pts = ring(c).map((k) => [cx.nodeXY[2 * k]!, cx.nodeXY[2 * k + 1]!] as XY);
      expect(pts.length, `cell ${c}`).toBeGreaterThanOrEqual(3);
      expect(pointInRings(seeds[c]!, [pts]), `cell ${c}`).toBe(true);
    }
  });

  it('shares each edge with the cell across it, in the opposite direction, and lists neighbours both ways', () => {
    for (let c = 0; c < n; c++) {
      const r = ring(c), a = acr(c);
      r.forEach((u, i) => {
        const v = r[(i + 1) % r.length]!, d = a[i]!;
        if (d < 0) { // on the border of the extent
          const p = [cx.nodeXY[2 * u]!, cx.nodeXY[2 * u + 1]!], q = [cx.nodeXY[2 * v]!, cx.nodeXY[2 * v + 1]!];
          const onSide = (k: 0 | 1, val: number) => Math.abs(p[k]! - val) < 0.02 && Math.abs(q[k]! - val) < 0.02;
          expect(onSide(0, 0) || onSide(0, 400) || onSide(1, 0) || onSide(1, 200), `cell ${c} edge ${i}`).toBe(true);
          return;
        }
        const rd = ring(d), j = rd.indexOf(v);
        expect(j, `cell ${c} edge ${i}`).toBeGreaterThanOrEqual(0);
        expect(rd[(j + 1) % rd.length]).toBe(u);
        expect(acr(d)[j]).toBe(c);
      });
      expect(cx.neighbours[c]).toEqual([...new Set(a.filter((d) => d >= 0))].sort((x, y) => x - y));
    }
  });

  it('is the Voronoi diagram: each cell vertex is as near its seed as any seed', () => {
    for (let c = 0; c < n; c += 7) {
      for (const k of ring(c)) {
        const p: XY = [cx.nodeXY[2 * k]!, cx.nodeXY[2 * k + 1]!];
        const own = Math.hypot(p[0] - seeds[c]![0], p[1] - seeds[c]![1]);
        const nearest = Math.min(...seeds.map((s) => Math.hypot(p[0] - s[0], p[1] - s[1])));
        expect(own - nearest, `cell ${c}`).toBeLessThan(0.05); // rounding to 1e-7° moves a vertex by up to ~1 cm
      }
    }
  });
});

describe('interiorPoint', () => {
  it('matches GEOS InteriorPointArea on simple shapes', () => {
    const sq: Polygon = { type: 'Polygon', coordinates: [[[0, 0], [4, 0], [4, 2], [0, 2], [0, 0]]] };
    expect(interiorPoint(sq)).toEqual([2, 1]);
    // L shape: scan line halfway between the vertex Ys around the middle (1 and 4); PostGIS gives POINT(0.5 2.5).
    const l: Polygon = { type: 'Polygon', coordinates: [[[0, 0], [4, 0], [4, 1], [1, 1], [1, 4], [0, 4], [0, 0]]] };
    expect(interiorPoint(l)).toEqual([0.5, 2.5]);
    // Multipolygon: the part with the widest section wins.
    const mp: MultiPolygon = { type: 'MultiPolygon', coordinates: [sq.coordinates, [[[10, 0], [20, 0], [20, 1], [10, 1], [10, 0]]]] };
    expect(interiorPoint(mp)).toEqual([15, 0.5]);
  });
});

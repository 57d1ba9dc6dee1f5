import type { Polygon, Position } from 'geojson';
import { describe, expect, it } from 'vitest';
import { localProjection } from '../partition.js';
import type { DraftGrid } from './contract.js';
import { rebalance } from './rebalance.js';
import { gridFigures, validateGrids, type ValidationBuilding } from './validate.js';

// A 300 × 100 m community, one row of six buildings; the grid line at x = 150 leaves the west
// grid with 320 households and the east with 180. Moving the building next to the line fixes both.
const proj = localProjection(121.5, 31.23);
const ll = (x: number, y: number): Position => proj.toLonLat([x, y]);
const rect = (x: number, y: number, w: number, h: number): Polygon =>
  ({ type: 'Polygon', coordinates: [[ll(x, y), ll(x + w, y), ll(x + w, y + h), ll(x, y + h), ll(x, y)]] });
const community = rect(0, 0, 300, 100);
const hh = [120, 100, 100, 60, 60, 60];
const xs = [10, 55, 105, 160, 205, 255];
const buildings: ValidationBuilding[] = hh.map((h, i) => ({ id: i + 1, geometry: rect(xs[i]!, 40, 30, 20), households: h, residents: h * 2 }));
const band = { min: 200, max: 300 };
const grids: DraftGrid[] = [
  { id: 1, key: 'w', name: '西', geometry: rect(0, 0, 150, 100) },
  { id: 2, key: 'e', name: '东', geometry: rect(150, 0, 150, 100) },
];

describe('rebalance', () => {
  it('needs exactly one move and makes one, at the shared boundary', () => {
    const r = rebalance({ community, grids, buildings, band });
    expect(r.moves).toEqual([{ buildingId: 3, fromKey: 'w', toKey: 'e', households: 100 }]);
    expect(r.figures.map((f) => f.households)).toEqual([220, 280]);
    expect(r.quality).toMatchObject({ inBand: 2, buildingsMoved: 1 });
    const v = validateGrids({ grids: r.grids, community, buildings, band });
    expect(v.problems).toEqual([]);
    for (const g of r.grids) expect(g.geometry.type === 'Polygon' || g.geometry.coordinates.length === 1).toBe(true);
  });

  it('moves nothing when every grid is in the band, and leaves the geometry alone', () => {
    const balanced = [{ ...grids[0]!, geometry: rect(0, 0, 95, 100) }, { ...grids[1]!, geometry: rect(95, 0, 205, 100) }]; // 220 | 280
    const r = rebalance({ community, grids: balanced, buildings, band });
    expect(r.moves).toEqual([]);
    expect(r.grids).toEqual(balanced);
  });

  it('does not take buildings from or give them to a locked grid', () => {
    const r = rebalance({ community, grids, buildings, band, lockedKeys: ['w'] });
    expect(r.moves).toEqual([]);
  });

  it('follows slanted lines drawn through buildings\' ground and never leaves a grid in pieces', () => {
    // 12 × 6 buildings of 10 households on a jittered lattice (columns 24 m apart, a gap of at least
    // 8 m between them); two slanted lines in the gaps make grids of 240 | 120 | 360 households. The
    // lines run between buildings but across their ground (the cells follow the gaps' middles).
    const bs: ValidationBuilding[] = [];
    for (let i = 0; i < 12; i++) for (let j = 0; j < 6; j++) {
      const x = 8 + i * 24 + ((i * 7 + j * 3) % 5), y = 8 + j * 15 + ((i * 3 + j * 5) % 4);
      bs.push({ id: bs.length + 1, geometry: rect(x, y, 12, 8), households: 10, residents: 20 });
    }
    const poly = (pts: [number, number][]): DraftGrid['geometry'] => ({ type: 'MultiPolygon', coordinates: [[[...pts, pts[0]!].map(([x, y]) => ll(x, y))]] });
    const wide = rect(0, 0, 300, 100);
    const layout: DraftGrid[] = [
      { id: 1, key: 'a', name: 'A', geometry: poly([[0, 0], [103, 0], [97, 100], [0, 100]]) },
      { id: 2, key: 'b', name: 'B', geometry: poly([[103, 0], [145, 0], [151, 100], [97, 100]]) },
      { id: 3, key: 'c', name: 'C', geometry: poly([[145, 0], [300, 0], [300, 100], [151, 100]]) },
    ];
    expect(validateGrids({ grids: layout, community: wide, buildings: bs, band }).problems.map((p) => p.code)).toEqual(['out_of_band', 'out_of_band']);
    const hh = gridFigures(layout, bs, band).figures.map((f) => f.households);
    expect(hh).toEqual([240, 120, 360]);
    const r = rebalance({ community: wide, grids: layout, buildings: bs, band });
    expect(r.figures.map((f) => f.households).every((h) => h >= 200 && h <= 300)).toBe(true);
    for (const g of r.grids) expect(g.geometry.type === 'Polygon' || g.geometry.coordinates.length === 1, g.key).toBe(true);
    const v = validateGrids({ grids: r.grids, community: wide, buildings: bs, band });
    expect(v.problems.map((p) => `${p.code} ${p.message} ${JSON.stringify(p.geometry)}`)).toEqual([]); // no overlap, gap, cut building or part outside
    expect(r.moves.length).toBe(r.quality.buildingsMoved);
    expect(r.advice).toEqual([]);
  });

  it('says what moving buildings cannot fix: too few households for the grids', () => {
    // 192 | 108 households: 300 households cannot fill two grids of at least 200; merged, they are one.
    const fewer = buildings.map((b) => ({ ...b, households: Math.round(b.households * 0.6) }));
    const r = rebalance({ community, grids, buildings: fewer, band });
    expect(r.figures.map((f) => f.households)).toEqual([192, 108]);
    expect(r.advice.some((a) => a.kind === 'merge' && a.keys.join() === 'w,e')).toBe(true);
  });
});

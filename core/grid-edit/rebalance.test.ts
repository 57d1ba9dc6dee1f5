import type { Polygon, Position } from 'geojson';
import { describe, expect, it } from 'vitest';
import { localProjection } from '../partition.js';
import type { DraftGrid } from './contract.js';
import { rebalance } from './rebalance.js';
import { validateGrids, type ValidationBuilding } from './validate.js';

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
});

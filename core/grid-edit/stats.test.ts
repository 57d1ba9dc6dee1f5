import type { Polygon } from 'geojson';
import { describe, expect, it } from 'vitest';
import { bandStatus, buildingIdsCutByLine, liveFigures, indexBuildings, type StatBuilding } from './stats.js';
import type { LonLat } from './topology.js';

const X0 = 121.49, Y0 = 31.24, D = 0.001;
const rect = (x0: number, y0: number, x1: number, y1: number): Polygon => ({
  type: 'Polygon',
  coordinates: [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]],
});
// Two grids side by side; buildings: one in each, one straddling the boundary (its interior point
// on the right), one outside both.
const grids = [
  { key: 'A', geometry: rect(X0, Y0, X0 + D, Y0 + D) },
  { key: 'B', geometry: rect(X0 + D, Y0, X0 + 2 * D, Y0 + D) },
];
const buildings: StatBuilding[] = [
  { id: 1, households: 40, residents: 100, geometry: rect(X0 + 0.2 * D, Y0 + 0.2 * D, X0 + 0.4 * D, Y0 + 0.4 * D) },
  { id: 2, households: 60, residents: 150, geometry: rect(X0 + 1.5 * D, Y0 + 0.5 * D, X0 + 1.7 * D, Y0 + 0.7 * D) },
  { id: 3, households: 10, residents: 30, geometry: rect(X0 + 0.9 * D, Y0 + 0.8 * D, X0 + 1.3 * D, Y0 + 0.9 * D) },
  { id: 4, households: 5, residents: 9, geometry: rect(X0 + 3 * D, Y0, X0 + 3.1 * D, Y0 + 0.1 * D) },
];
const idx = indexBuildings(buildings);

describe('liveFigures', () => {
  it('counts households, residents and buildings by each building’s interior point', () => {
    const { grids: g, unassigned } = liveFigures(grids, idx);
    expect(g.get('A')).toMatchObject({ households: 40, residents: 100, buildings: 1, buildingIds: [1] });
    // Building 3 straddles the boundary; its interior point (PostGIS ST_PointOnSurface) is in B.
    expect(g.get('B')).toMatchObject({ households: 70, residents: 180, buildings: 2, buildingIds: [2, 3] });
    expect(unassigned).toMatchObject({ households: 5, buildings: 1, buildingIds: [4] });
  });
});

describe('bandStatus', () => {
  it('says 低于 / 区间内 / 高于 the household band, bounds included', () => {
    const band = { min: 200, max: 300 };
    expect([199, 200, 300, 301].map((h) => bandStatus(h, band))).toEqual(['low', 'in', 'in', 'high']);
  });
});

describe('buildings cut by a line', () => {
  it('finds a building the line runs through, not one it passes by or runs along', () => {
    const through: LonLat[] = [[X0 + 0.3 * D, Y0 - 0.1 * D], [X0 + 0.3 * D, Y0 + 1.1 * D]];
    expect(buildingIdsCutByLine(through, idx)).toEqual([1]);
    const beside: LonLat[] = [[X0 + 0.6 * D, Y0 - 0.1 * D], [X0 + 0.6 * D, Y0 + 1.1 * D]];
    expect(buildingIdsCutByLine(beside, idx)).toEqual([]);
    // Along building 1's west wall: touches it but cuts nothing.
    const along: LonLat[] = [[X0 + 0.2 * D, Y0 - 0.1 * D], [X0 + 0.2 * D, Y0 + 1.1 * D]];
    expect(buildingIdsCutByLine(along, idx)).toEqual([]);
  });
  it('finds a building a bent line crosses with a later segment, and several at once', () => {
    const bent: LonLat[] = [[X0 + 0.1 * D, Y0 - 0.1 * D], [X0 + 0.1 * D, Y0 + 0.6 * D], [X0 + 1.8 * D, Y0 + 0.6 * D]];
    expect(buildingIdsCutByLine(bent, idx)).toEqual([2]);
    const diag: LonLat[] = [[X0 - 0.1 * D, Y0 + 0.208 * D], [X0 + 2 * D, Y0 + 0.692 * D]];
    expect(buildingIdsCutByLine(diag, idx).sort()).toEqual([1, 2]);
  });
});

import type { Polygon, Position } from 'geojson';
import { describe, expect, it } from 'vitest';
import { localProjection } from '../partition.js';
import type { DraftGrid, ProblemCode } from './contract.js';
import { validateGrids, type ValidationBuilding } from './validate.js';

// A 200 × 100 m community near the Bund, two grids of 100 × 100 m; coordinates in metres → lon/lat.
const proj = localProjection(121.49, 31.235);
const ll = (x: number, y: number): Position => proj.toLonLat([x, y]);
const poly = (...pts: [number, number][]): Polygon => ({ type: 'Polygon', coordinates: [[...pts, pts[0]!].map(([x, y]) => ll(x, y))] });
const rect = (x: number, y: number, w: number, h: number) => poly([x, y], [x + w, y], [x + w, y + h], [x, y + h]);

const community = rect(0, 0, 200, 100);
const west = (geometry = rect(0, 0, 100, 100)): DraftGrid => ({ id: 1, key: '1', name: '西网格', geometry });
const east = (geometry = rect(100, 0, 100, 100)): DraftGrid => ({ id: 2, key: '2', name: '东网格', geometry });
/** Two buildings of 240 households, one in each half, clear of x = 100. */
const buildings: ValidationBuilding[] = [
  { id: 11, name: '1号楼', geometry: rect(30, 40, 40, 12), households: 240, residents: 600 },
  { id: 12, name: '2号楼', geometry: rect(130, 40, 40, 12), households: 240, residents: 600 },
];
const band = { min: 200, max: 300 };
const run = (grids: DraftGrid[], extra: Partial<Parameters<typeof validateGrids>[0]> = {}) =>
  validateGrids({ grids, community, buildings, band, ...extra });
const codes = (grids: DraftGrid[], extra = {}) => run(grids, extra).problems.map((p) => p.code).sort() as ProblemCode[];

describe('validateGrids', () => {
  it('accepts a clean layout and counts households by interior point', () => {
    const v = run([west(), east()]);
    expect(v.problems).toEqual([]);
    expect(v.ok).toBe(true);
    expect(v.grids).toEqual([
      { key: '1', households: 240, residents: 600, buildings: 1, inBand: true },
      { key: '2', households: 240, residents: 600, buildings: 1, inBand: true },
    ]);
  });

  it('names a self-intersecting (bow-tie) grid and where it crosses', () => {
    const bowtie = poly([0, 0], [100, 100], [100, 0], [0, 100]);
    const v = run([west(bowtie), east()]);
    const p = v.problems.find((x) => x.code === 'self_intersection')!;
    expect(p.gridKeys).toEqual(['1']);
    expect(p.message).toContain('西网格');
    expect(p.geometry?.type).toBe('MultiPoint');
    expect(v.ok).toBe(false);
  });

  it('refuses an unclosed ring as invalid geometry', () => {
    const open = rect(0, 0, 100, 100);
    open.coordinates[0]!.pop();
    open.coordinates[0]!.push(ll(1, 1));
    expect(codes([west(open), east()])).toContain('invalid_geometry');
  });

  it('reports an empty (zero-area) grid', () => {
    expect(codes([west(), east(), { id: null, key: 'new-1', name: '空网格', geometry: poly([10, 10], [20, 20], [30, 30]) }])).toContain('empty');
  });

  it('refuses more vertices than the cap', () => {
    const ring: [number, number][] = [];
    for (let i = 0; i < 5001; i++) { const t = (2 * Math.PI * i) / 5001; ring.push([50 + 40 * Math.cos(t), 50 + 40 * Math.sin(t)]); }
    const v = run([west(poly(...ring)), east()]);
    expect(v.problems.map((p) => p.code)).toContain('too_many_vertices');
    expect(v.ok).toBe(false);
  });

  it('finds overlaps between grids with their area', () => {
    const v = run([west(rect(0, 0, 110, 100)), east()]);
    const p = v.problems.find((x) => x.code === 'overlap')!;
    expect(p.gridKeys).toEqual(['1', '2']);
    expect(p.message).toMatch(/重叠 (99\d|100\d) 平方米/);
  });

  it('finds a gap inside the community', () => {
    const v = run([west(rect(0, 0, 90, 100)), east()]);
    const p = v.problems.find((x) => x.code === 'gap')!;
    expect(p.gridKeys).toEqual([]);
    expect(p.geometry?.type).toBe('MultiPolygon');
    expect(p.message).toMatch(/(99\d|100\d) 平方米/);
  });

  it('finds the part of a grid outside the community', () => {
    const v = run([west(), east(rect(100, 0, 120, 100))]);
    expect(v.problems.find((x) => x.code === 'outside_community')!.gridKeys).toEqual(['2']);
  });

  it('checks nesting: a community reaching outside its subdistrict', () => {
    const v = run([west(), east()], { parents: [{ level: 'subdistrict', name: '外滩街道', geometry: rect(0, 0, 150, 100) }] });
    const p = v.problems.find((x) => x.code === 'nesting')!;
    expect(p.message).toContain('外滩街道');
  });

  it('flags a grid line that cuts a building, not one that only grazes it', () => {
    // The boundary at x = 50 runs through 1号楼 (x 30–70).
    const cut = run([west(rect(0, 0, 50, 100)), east(poly([50, 0], [200, 0], [200, 100], [50, 100]))]);
    const p = cut.problems.find((x) => x.code === 'cuts_building')!;
    expect(p.buildingId).toBe(11);
    expect(p.gridKeys.sort()).toEqual(['1', '2']);
    expect(p.message).toContain('1号楼');
    // 0.3 m into the building: within the tolerance.
    const graze = run([west(rect(0, 0, 30.3, 100)), east(poly([30.3, 0], [200, 0], [200, 100], [30.3, 100]))]);
    expect(graze.problems.map((x) => x.code)).not.toContain('cuts_building');
  });

  it('warns about households out of the band without blocking', () => {
    const v = run([west(), east()], { band: { min: 250, max: 300 } });
    expect(v.problems.map((p) => p.code)).toEqual(['out_of_band', 'out_of_band']);
    expect(v.ok).toBe(true);
    expect(v.grids.every((g) => !g.inBand)).toBe(true);
  });
});

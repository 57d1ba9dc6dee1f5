import type { Polygon, Position } from 'geojson';
import { describe, expect, it } from 'vitest';
import { localProjection } from '../partition.js';
import type { DraftGrid } from './contract.js';
import { proposePartition } from './propose.js';
import { validateGrids, type ValidationBuilding } from './validate.js';

// A 480 × 300 m community of slab buildings (8 rows × 8 columns, 36–44 households each).
const proj = localProjection(121.5, 31.23);
const ll = (x: number, y: number): Position => proj.toLonLat([x, y]);
const rect = (x: number, y: number, w: number, h: number): Polygon =>
  ({ type: 'Polygon', coordinates: [[ll(x, y), ll(x + w, y), ll(x + w, y + h), ll(x, y + h), ll(x, y)]] });
const community = rect(0, 0, 480, 300);
const buildings: ValidationBuilding[] = [];
for (let r = 0; r < 8; r++) for (let c = 0; c < 8; c++) {
  const i = r * 8 + c;
  buildings.push({ id: i + 1, name: `${i + 1}号楼`, geometry: rect(12 + c * 58, 10 + r * 36, 40, 14), households: 36 + (i % 5) * 2, residents: 100 });
}
const total = buildings.reduce((s, b) => s + b.households, 0);
const band = { min: 200, max: 300 };
const current: DraftGrid[] = [
  { id: 7, key: '7', name: '西网格', geometry: rect(0, 0, 120, 300) },
  { id: 8, key: '8', name: '东网格', geometry: rect(120, 0, 360, 300) },
];
const blocking = (grids: DraftGrid[]) =>
  validateGrids({ grids, community, buildings, band }).problems.filter((p) => p.code !== 'out_of_band');

describe('proposePartition', () => {
  const p = proposePartition({ community, grids: current, lockedKeys: ['7'], buildings, band, seed: 1 });

  it('keeps the locked grid and partitions the rest without gaps, overlaps or cut buildings', () => {
    expect(p.grids[0]).toEqual({ ...current[0], locked: true });
    expect(blocking(p.grids)).toEqual([]);
    expect(p.figures.reduce((s, f) => s + f.households, 0)).toBe(total);
  });

  it('makes contiguous grids in or near the band', () => {
    const biggest = Math.max(...buildings.map((b) => b.households));
    for (const [i, g] of p.grids.entries()) {
      if (i === 0) continue;
      expect(g.geometry.type === 'Polygon' || g.geometry.coordinates.length === 1).toBe(true);
      expect(p.figures[i]!.households).toBeGreaterThanOrEqual(band.min - biggest);
      expect(p.figures[i]!.households).toBeLessThanOrEqual(band.max + biggest);
    }
    expect(p.quality.inBand).toBeGreaterThanOrEqual(p.quality.grids - 2);
    expect(p.quality.polsbyPopperMin).toBeGreaterThan(0.3);
  });

  it('keeps the unlocked grid’s identity for the proposal overlapping it most', () => {
    expect(p.grids.filter((g) => g.id === 8)).toHaveLength(1);
    expect(p.grids.filter((g) => g.id === null).length).toBe(p.grids.length - 2);
    expect(new Set(p.grids.map((g) => g.key)).size).toBe(p.grids.length);
  });

  it('is deterministic for a seed', () => {
    const again = proposePartition({ community, grids: current, lockedKeys: ['7'], buildings, band, seed: 1 });
    expect(JSON.stringify(again.grids)).toBe(JSON.stringify(p.grids));
    const other = proposePartition({ community, grids: current, lockedKeys: ['7'], buildings, band, seed: 2 });
    expect(blocking(other.grids)).toEqual([]);
  });

  it('partitions the whole community when nothing is locked', () => {
    const all = proposePartition({ community, grids: [], buildings, band });
    expect(blocking(all.grids)).toEqual([]);
    expect(all.quality.grids).toBeGreaterThanOrEqual(Math.floor(total / band.max));
  });
});

import type { Polygon, Position } from 'geojson';
import { describe, expect, it } from 'vitest';
import { localProjection } from '../partition.js';
import { polsbyPopper, quality } from './quality.js';

const proj = localProjection(121.49, 31.235);
const ll = (x: number, y: number): Position => proj.toLonLat([x, y]);
const rect = (w: number, h: number): Polygon => ({ type: 'Polygon', coordinates: [[ll(0, 0), ll(w, 0), ll(w, h), ll(0, h), ll(0, 0)]] });

describe('quality', () => {
  it('Polsby–Popper is π/4 for a square and smaller for a long strip', () => {
    expect(polsbyPopper(rect(100, 100))).toBeCloseTo(Math.PI / 4, 2);
    expect(polsbyPopper(rect(400, 25))).toBeLessThan(0.3);
  });

  it('summarises households per grid against the band', () => {
    const q = quality([
      { geometry: rect(100, 100), households: 200 },
      { geometry: rect(100, 100), households: 300 },
      { geometry: rect(400, 25), households: 310 },
    ], { min: 200, max: 300 }, 3, 12.4);
    expect(q).toMatchObject({ grids: 3, householdsMin: 200, householdsMax: 310, householdsMean: 270, inBand: 2, buildingsMoved: 3, ms: 12 });
    expect(q.householdsStd).toBeCloseTo(49.7, 1);
    expect(q.polsbyPopperMin).toBeLessThan(0.3);
    expect(q.polsbyPopperMean).toBeGreaterThan(q.polsbyPopperMin);
  });

  it('is all zeros for no grids', () => {
    expect(quality([], { min: 200, max: 300 })).toMatchObject({ grids: 0, householdsMin: 0, householdsMax: 0, inBand: 0, polsbyPopperMean: 0 });
  });
});

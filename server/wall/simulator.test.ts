// The synthetic stream: deterministic for a seed, inside the grids, following the daily rhythm.
import { describe, expect, it } from 'vitest';
import { rng } from '../../core/random.js';
import { HOURLY_RHYTHM, inGeometry, Simulator, type SimGrid } from './simulator.js';

const square = (id: number, x: number, y: number, households: number): SimGrid => ({
  id, communityCode: 'C1', households,
  geometry: { type: 'Polygon', coordinates: [[[x, y], [x + 0.01, y], [x + 0.01, y + 0.01], [x, y + 0.01], [x, y]]] },
});
const GRIDS = [square(1, 121.49, 31.23, 300), square(2, 121.50, 31.23, 100), square(3, 121.49, 31.24, 0)];
const CATS = ['sanitation', 'city_order', 'property', 'parking', 'safety_hazard', 'neighbour', 'facility_damage', 'greening', 'noise', 'other'];
const DAY = new Date('2025-03-09T16:00:00Z'); // Beijing midnight
const sim = (seed = 7) => new Simulator({ seed, grids: GRIDS, categories: CATS });

describe('simulator', () => {
  it('is deterministic for a seed', () => {
    expect(rng(1)()).toBe(rng(1)());
    expect(sim().day(DAY, 300)).toEqual(sim().day(DAY, 300));
    expect(sim(8).day(DAY, 300)).not.toEqual(sim().day(DAY, 300));
  });

  it('draws cases inside the grids, with known categories, sources and unique keys', () => {
    const cases = sim().day(DAY, 500);
    expect(cases.length).toBeGreaterThan(400);
    expect(cases.length).toBeLessThan(600);
    for (const c of cases) {
      const grid = GRIDS.find((g) => g.id === c.gridId)!;
      expect(inGeometry(c.lon, c.lat, grid.geometry)).toBe(true);
      expect(CATS).toContain(c.category);
      expect(['patrol', 'hotline_12345', 'hotline_8890', 'photo']).toContain(c.source);
      expect(c.synthetic).toBe(true);
      expect(c.description).toMatch(/（模拟）$/);
      expect(c.at.getTime()).toBeGreaterThanOrEqual(DAY.getTime());
      expect(c.at.getTime()).toBeLessThan(DAY.getTime() + 86_400_000);
      const times = [c.at, ...c.steps.map((s) => s.at)].map((d) => d.getTime());
      expect(times).toEqual([...times].sort((a, b) => a - b));
    }
    expect(new Set(cases.map((c) => c.clientKey)).size).toBe(cases.length);
    // About a third at the hotspots; patrols by day only (mostly).
    const hot = cases.filter((c) => c.hotspot !== null).length / cases.length;
    expect(hot).toBeGreaterThan(0.2);
    expect(hot).toBeLessThan(0.5);
  });

  it('follows the daily rhythm and plans most cases to resolution', () => {
    const cases = sim(3).day(DAY, 5000);
    const byHour = new Array(24).fill(0);
    for (const c of cases) byHour[(c.at.getUTCHours() + 8) % 24]++;
    expect(byHour[10]).toBeGreaterThan(byHour[3] * 5);
    const expected = HOURLY_RHYTHM[10]! / HOURLY_RHYTHM[3]!;
    expect(byHour[10] / byHour[3]).toBeGreaterThan(expected * 0.6);
    const resolved = cases.filter((c) => c.steps.some((s) => s.action === 'resolve')).length / cases.length;
    expect(resolved).toBeGreaterThan(0.7);
    expect(resolved).toBeLessThan(0.9);
    const night = cases.filter((c) => { const h = (c.at.getUTCHours() + 8) % 24; return h < 6; });
    expect(night.filter((c) => c.source === 'patrol').length / night.length).toBeLessThan(0.1);
  });
});

import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  SERVICE_CLASSES, buildingLines, divisionLines, facilityLines, gridBuildings, gridLines, partyOrgCount, partyOrgLines, planCity, roadLines, staffLines,
  type CityPlan,
} from './city.js';
import { incidentLines } from './incidents.js';

const IDS = { grid: 100, building: 5000, partyOrg: 70 };
const TABLES = [divisionLines, gridLines, buildingLines, roadLines, facilityLines, partyOrgLines, staffLines];
const digest = (p: CityPlan) => {
  const h = createHash('sha256');
  for (const t of TABLES) for (const l of t(p)) h.update(l);
  for (const l of incidentLines(p, { total: 3000, days: 30, end: '2026-06-01' })) h.update(l);
  return h.digest('hex');
};
const parse = (line: string) => line.slice(0, -1).split('\t');
const rectOf = (wkt: string) => {
  const xs = [...wkt.matchAll(/(-?[\d.]+) (-?[\d.]+)/g)].map((m) => [Number(m[1]), Number(m[2])] as const);
  return { x0: Math.min(...xs.map((p) => p[0])), x1: Math.max(...xs.map((p) => p[0])), y0: Math.min(...xs.map((p) => p[1])), y1: Math.max(...xs.map((p) => p[1])) };
};

describe('synthetic city rows', () => {
  it('are byte-identical for the same seed and differ for another seed', () => {
    const a = digest(planCity(40, 1, 'city-1', IDS));
    expect(digest(planCity(40, 1, 'city-1', IDS))).toBe(a);
    expect(digest(planCity(40, 2, 'city-1', IDS))).not.toBe(a);
  });

  it('put every building strictly inside its grid, about 33 per grid, households 200–300 per grid', () => {
    const p = planCity(120, 3, 'c', IDS);
    const grids = new Map([...gridLines(p)].map(parse).map((f) => [Number(f[0]), { rect: rectOf(f[4]!), households: Number(f[5]), community: f[3] }]));
    const rows = [...buildingLines(p)].map(parse);
    expect(rows.length).toBe(p.buildingStart[120]);
    expect(rows.length / 120).toBeGreaterThan(28);
    expect(rows.length / 120).toBeLessThan(38);
    const sums = new Map<number, number>();
    rows.forEach((f, i) => {
      expect(Number(f[0])).toBe(IDS.building + i);
      const g = grids.get(Number(f[12]))!;
      const b = rectOf(f[4]!);
      expect(b.x0 > g.rect.x0 && b.x1 < g.rect.x1 && b.y0 > g.rect.y0 && b.y1 < g.rect.y1).toBe(true);
      expect(f[13]).toBe(g.community);
      sums.set(Number(f[12]), (sums.get(Number(f[12])) ?? 0) + Number(f[9]));
    });
    for (const [id, g] of grids) {
      expect(sums.get(id)).toBe(g.households);
      expect(g.households).toBeGreaterThanOrEqual(190);
      expect(g.households).toBeLessThanOrEqual(310);
    }
  });

  it('offer facilities of all 16 classes, each inside the grid it names', () => {
    const p = planCity(400, 4, 'c', IDS);
    const grids = new Map([...gridLines(p)].map(parse).map((f) => [Number(f[0]), rectOf(f[4]!)]));
    const rows = [...facilityLines(p)].map(parse);
    expect(new Set(rows.map((f) => f[3]))).toEqual(new Set(SERVICE_CLASSES));
    for (const f of rows) {
      const [x, y] = f[4]!.match(/POINT\(([\d.]+) ([\d.]+)\)/)!.slice(1).map(Number) as [number, number];
      const g = grids.get(Number(f[6]))!;
      expect(x > g.x0 && x < g.x1 && y > g.y0 && y < g.y1).toBe(true);
      expect(f[1]).toMatch(/（合成）$/);
    }
  });

  it('build the Party tree parents first, ids base + position, groups in residential buildings of their grid', () => {
    const p = planCity(60, 5, 'c', IDS);
    const rows = [...partyOrgLines(p)].map(parse);
    expect(rows.length).toBe(partyOrgCount(p));
    const seen = new Set<number>();
    rows.forEach((f, i) => {
      expect(Number(f[0])).toBe(IDS.partyOrg + i);
      if (f[1] !== '\\N') expect(seen.has(Number(f[1]))).toBe(true);
      seen.add(Number(f[0]));
      if (f[2] === 'building_group') {
        const g = Number(f[5]) - IDS.grid;
        const b = Number(f[6]) - IDS.building - p.buildingStart[g]!;
        expect(gridBuildings(5, p.city.grids[g]!)[b]!.residential).toBe(true);
      }
    });
    expect(rows.filter((f) => f[2] === 'grid_branch')).toHaveLength(60);
    expect([...staffLines(p)]).toHaveLength(180);
  });

  it('lay streets along grid edges, noded where they meet', () => {
    const p = planCity(40, 6, 'c', IDS);
    const roads = [...roadLines(p)].map(parse);
    const vertices = new Map<string, number>();
    for (const f of roads) for (const m of f[3]!.matchAll(/([\d.]+) ([\d.]+)/g)) vertices.set(m[0], (vertices.get(m[0]) ?? 0) + 1);
    // every street end is shared with another street (the network has no dead ends)
    for (const f of roads) {
      const pts = [...f[3]!.matchAll(/([\d.]+) ([\d.]+)/g)].map((m) => m[0]);
      expect(vertices.get(pts[0]!)).toBeGreaterThan(1);
      expect(vertices.get(pts[pts.length - 1]!)).toBeGreaterThan(1);
      expect(Number(f[4])).toBeGreaterThan(0);
    }
  });
});

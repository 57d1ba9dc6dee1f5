// The partition engine and Rebalance on every community of the committed demo district (real OSM
// building footprints, synthetic households): what an analyst gets when pressing the buttons.
// Reads the demo GeoJSON as a fixture; no database.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { area, booleanPointInPolygon } from '@turf/turf';
import type { Feature, MultiPolygon, Polygon } from 'geojson';
import { describe, expect, it } from 'vitest';
import { interiorPoint } from '../partition.js';
import { asMulti, DEFAULT_BAND, type DraftGrid } from './contract.js';
import { proposePartition } from './propose.js';
import { rebalance } from './rebalance.js';
import { validateGrids, type ValidationBuilding } from './validate.js';

const dir = resolve(import.meta.dirname, '../../geojson/demo');
const layer = (name: string) => (JSON.parse(readFileSync(resolve(dir, `${name}.geojson`), 'utf8')) as { features: Feature<Polygon | MultiPolygon, Record<string, unknown>>[] }).features;
const divisions = layer('divisions'), buildingsAll = layer('buildings'), gridsAll = layer('grids');
const band = DEFAULT_BAND;
const communities = divisions.filter((d) => d.properties.level === 'community').map((d) => {
  const code = String(d.properties.code);
  const buildings: ValidationBuilding[] = buildingsAll.filter((b) => b.properties.communityCode === code)
    .map((b, i) => ({ id: i + 1, geometry: b.geometry, households: Number(b.properties.households ?? 0), residents: 0 }));
  const grids: DraftGrid[] = gridsAll.filter((g) => g.properties.communityCode === code)
    .map((g, i) => ({ id: i + 1, key: String(g.properties.code), name: String(g.properties.name), geometry: asMulti(g.geometry) }));
  return { code, boundary: asMulti(d.geometry), buildings, grids };
});
const onePiece = (g: DraftGrid) => g.geometry.type === 'Polygon' || g.geometry.coordinates.length === 1;
const viol = (h: number) => (h < band.min ? band.min - h : h > band.max ? h - band.max : 0);

/** Households of each part of the community (a MultiPolygon's polygons), by the buildings' interior points. */
function partHouseholds(boundary: MultiPolygon, buildings: readonly ValidationBuilding[]): number[] {
  return boundary.coordinates.map((p) => buildings.filter((b) => booleanPointInPolygon(interiorPoint(b.geometry), { type: 'Polygon', coordinates: p })).reduce((a, b) => a + b.households, 0));
}
const fillable = (h: number) => { for (let k = 1; k * band.min <= h; k++) if (h <= k * band.max) return true; return h === 0; };

describe('demo district: "Partition this community"', () => {
  expect(communities.length).toBeGreaterThan(10);
  for (const c of communities) {
    it(`${c.code}: contiguous grids covering the community, in the band wherever the buildings allow`, () => {
      const p = proposePartition({ community: c.boundary, grids: [], buildings: c.buildings, band, seed: 1 });
      const v = validateGrids({ grids: p.grids, community: c.boundary, buildings: c.buildings, band });
      expect(v.problems.filter((x) => x.code !== 'out_of_band').map((x) => x.message)).toEqual([]);
      const parts = partHouseholds(c.boundary, c.buildings);
      const bigParts = c.boundary.coordinates.filter((q) => area({ type: 'Polygon', coordinates: q }) > 1000).length;
      // One piece each (a community in several parts may leave a bare sliver part with a neighbour grid).
      expect(p.grids.filter((g) => !onePiece(g)).length).toBeLessThanOrEqual(Math.max(0, c.boundary.coordinates.length - bigParts));
      expect(p.figures.reduce((a, f) => a + f.households, 0)).toBe(c.buildings.reduce((a, b) => a + b.households, 0));
      // A grid outside the band holds a building over the maximum, or lies in a part of the community
      // whose households no number of grids can hold in the band.
      p.grids.forEach((g, i) => {
        const h = p.figures[i]!.households;
        if (viol(h) === 0) return;
        const big = c.buildings.some((b) => b.households > band.max && booleanPointInPolygon(interiorPoint(b.geometry), g.geometry));
        const infeasible = parts.some((ph) => !fillable(ph));
        expect(big || infeasible, `${g.name}: ${h} households`).toBe(true);
      });
    });
  }
});

describe('demo district: Rebalance from the demo grids', () => {
  for (const c of communities) {
    it(`${c.code}: never worse, never in pieces, no new problem`, () => {
      const before = validateGrids({ grids: c.grids, community: c.boundary, buildings: c.buildings, band });
      const r = rebalance({ community: c.boundary, grids: c.grids, buildings: c.buildings, band });
      const after = validateGrids({ grids: r.grids, community: c.boundary, buildings: c.buildings, band });
      const codes = (x: typeof before) => [...new Set(x.problems.filter((p) => p.code !== 'out_of_band').map((p) => p.code))].sort();
      expect(codes(after)).toEqual(codes(before));
      for (const g of r.grids) expect(onePiece(g) || !onePiece(c.grids.find((x) => x.key === g.key)!), g.name).toBe(true);
      const total = (v: typeof before) => v.grids.reduce((a, f) => a + viol(f.households), 0);
      expect(total(after)).toBeLessThanOrEqual(total(before));
      if (total(after) > 0) expect(r.advice.length, 'what moving cannot fix is said').toBeGreaterThan(0);
      else expect(r.advice).toEqual([]);
    });
  }
});

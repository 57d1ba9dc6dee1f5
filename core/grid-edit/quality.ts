// Quality figures of a grid layout (issue 11): households per grid (min, max, mean, standard
// deviation, how many in the band), compactness (Polsby–Popper 4πA/P², 1 for a circle) and how
// many buildings a proposal moved. Pure.
import { area, feature, length, polygonToLine } from '@turf/turf';
import type { Feature } from 'geojson';
import type { AreaGeometry, Band, Quality } from './contract.js';

export interface QualityGrid {
  geometry: AreaGeometry;
  households: number;
}

/** 4πA/P² of a (multi)polygon with geodesic area and perimeter (holes count in the perimeter). */
export function polsbyPopper(g: AreaGeometry): number {
  const a = area(g);
  const p = length(polygonToLine(feature(g)) as Feature, { units: 'meters' });
  return p > 0 ? (4 * Math.PI * a) / (p * p) : 0;
}

const round = (n: number, d: number) => Math.round(n * 10 ** d) / 10 ** d;

export function quality(grids: readonly QualityGrid[], band: Band, buildingsMoved = 0, ms = 0): Quality {
  const hh = grids.map((g) => g.households);
  const n = hh.length;
  const mean = n ? hh.reduce((a, b) => a + b, 0) / n : 0;
  const std = n ? Math.sqrt(hh.reduce((a, b) => a + (b - mean) ** 2, 0) / n) : 0;
  const pp = grids.map((g) => polsbyPopper(g.geometry));
  return {
    grids: n,
    householdsMin: n ? Math.min(...hh) : 0,
    householdsMax: n ? Math.max(...hh) : 0,
    householdsMean: round(mean, 1),
    householdsStd: round(std, 1),
    inBand: hh.filter((h) => h >= band.min && h <= band.max).length,
    polsbyPopperMean: n ? round(pp.reduce((a, b) => a + b, 0) / n, 3) : 0,
    polsbyPopperMin: n ? round(Math.min(...pp), 3) : 0,
    buildingsMoved,
    ms: Math.round(ms),
  };
}

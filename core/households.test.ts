import { describe, expect, it } from 'vitest';
import {
  classifyResidential, estimateBuilding, estimateHouseholds, estimateLevels, estimateResidents, levelsFromHeight,
} from './households.js';

describe('household estimate', () => {
  it('applies footprint × levels × 0.8 / 90', () => {
    expect(estimateHouseholds(900, 6)).toBe(48); // 900·6·0.8/90
    expect(estimateHouseholds(1000, 30)).toBe(267);
    expect(estimateHouseholds(0, 6)).toBe(0);
    expect(estimateHouseholds(500, 0)).toBe(0);
    expect(estimateHouseholds(Number.NaN, 6)).toBe(0);
  });

  it('derives levels from height, with defaults when unknown', () => {
    expect(levelsFromHeight(18)).toBe(6);
    expect(levelsFromHeight(100)).toBe(33);
    expect(levelsFromHeight(1)).toBe(1);
    expect(levelsFromHeight(null)).toBeNull();
    expect(levelsFromHeight(0)).toBeNull();
    expect(estimateLevels(null, 'landuse')).toBe(6);
    expect(estimateLevels(undefined, 'assumed')).toBe(3);
    expect(estimateLevels(45, 'assumed')).toBe(15);
  });

  it('residents ≈ households × 2.6', () => {
    expect(estimateResidents(100)).toBe(260);
    expect(estimateResidents(0)).toBe(0);
    expect(estimateResidents(3)).toBe(8);
  });

  it('classifies residential buildings', () => {
    expect(classifyResidential({ kindDetail: 'apartments', footprintM2: 500 })).toBe('tagged');
    expect(classifyResidential({ kindDetail: 'house', footprintM2: 80 })).toBe('tagged');
    expect(classifyResidential({ footprintM2: 500, inResidentialLanduse: true })).toBe('landuse');
    expect(classifyResidential({ kindDetail: 'commercial', footprintM2: 500, inResidentialLanduse: true })).toBeNull();
    expect(classifyResidential({ kind: 'building_part', kindDetail: 'apartments', footprintM2: 500 })).toBeNull();
    expect(classifyResidential({ footprintM2: 500 })).toBeNull();
    const untagged = { footprintM2: 300 };
    expect(classifyResidential(untagged, { assumeUntagged: true })).toBe('assumed');
    expect(classifyResidential({ ...untagged, name: '某大厦' }, { assumeUntagged: true })).toBeNull();
    expect(classifyResidential({ ...untagged, heightM: 60 }, { assumeUntagged: true })).toBeNull();
    expect(classifyResidential({ ...untagged, inOtherLanduse: true }, { assumeUntagged: true })).toBeNull();
    expect(classifyResidential({ footprintM2: 10 }, { assumeUntagged: true })).toBeNull();
    expect(classifyResidential({ footprintM2: 9000 }, { assumeUntagged: true })).toBeNull();
  });

  it('estimates a whole building', () => {
    expect(estimateBuilding({ kindDetail: 'residential', heightM: 30, footprintM2: 600 })).toEqual({
      residential: true, basis: 'tagged', levels: 10, levelsUsed: 10, households: 53, residents: 138,
    });
    expect(estimateBuilding({ kindDetail: 'office', heightM: 30, footprintM2: 600 })).toEqual({
      residential: false, basis: null, levels: 10, levelsUsed: 10, households: 0, residents: 0,
    });
    expect(estimateBuilding({ footprintM2: 450, inResidentialLanduse: true }).households).toBe(24);
  });
});

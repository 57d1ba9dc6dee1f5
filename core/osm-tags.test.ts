import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  POI_RULES, SERVICE_CLASS_CODES, areaInfo, buildingInfo, classifyPoi, featureName, isAreaWay, isPoiCandidate,
  parseLevels, parseMeters, poiKind, roadInfo,
} from './osm-tags.js';

describe('service classes', () => {
  it('match data/service-classes.json exactly', () => {
    const file = JSON.parse(readFileSync(new URL('../data/service-classes.json', import.meta.url), 'utf8')) as { classes: { code: string }[] };
    expect([...SERVICE_CLASS_CODES].sort()).toEqual(file.classes.map((c) => c.code).sort());
  });

  it('every rule points at a known class', () => {
    for (const r of POI_RULES) expect(SERVICE_CLASS_CODES).toContain(r.serviceClass);
  });
});

describe('classifyPoi', () => {
  const cases: [Record<string, string>, string | null][] = [
    [{ amenity: 'school' }, 'education'],
    [{ amenity: 'kindergarten' }, 'child_care'],
    [{ amenity: 'childcare' }, 'child_care'],
    [{ amenity: 'hospital' }, 'health'],
    [{ amenity: 'clinic' }, 'health'],
    [{ amenity: 'doctors' }, 'health'],
    [{ healthcare: 'centre' }, 'health'],
    [{ amenity: 'pharmacy' }, 'pharmacy'],
    [{ amenity: 'social_facility', 'social_facility:for': 'senior' }, 'elderly_care'],
    [{ amenity: 'social_facility', social_facility: 'nursing_home' }, 'elderly_care'],
    [{ amenity: 'social_facility', social_facility: 'outreach' }, 'social_security'],
    [{ amenity: 'library' }, 'culture'],
    [{ amenity: 'theatre' }, 'culture'],
    [{ amenity: 'arts_centre' }, 'culture'],
    [{ amenity: 'community_centre' }, 'community_centre'],
    [{ amenity: 'townhall' }, 'social_security'],
    [{ office: 'employment_agency' }, 'employment'],
    [{ leisure: 'park' }, 'park'],
    [{ leisure: 'sports_centre' }, 'sports'],
    [{ leisure: 'pitch', sport: 'basketball' }, 'sports'],
    [{ leisure: 'fitness_centre' }, 'sports'],
    [{ shop: 'supermarket' }, 'commerce'],
    [{ shop: 'convenience' }, 'commerce'],
    [{ shop: 'greengrocer' }, 'food_market'],
    [{ amenity: 'marketplace' }, 'food_market'],
    [{ amenity: 'police' }, 'public_safety'],
    [{ amenity: 'fire_station' }, 'public_safety'],
    [{ highway: 'bus_stop', public_transport: 'platform' }, 'transit'],
    [{ railway: 'station', station: 'subway' }, 'transit'],
    [{ railway: 'subway_entrance' }, 'transit'],
    // Not services of the 15-minute circle.
    [{ amenity: 'restaurant' }, null],
    [{ amenity: 'university' }, null],
    [{ amenity: 'parking' }, null],
    [{ public_transport: 'stop_position', bus: 'yes' }, null],
    [{ highway: 'traffic_signals' }, null],
    // "no" means absent.
    [{ amenity: 'no' }, null],
  ];
  it.each(cases)('%o → %s', (tags, cls) => {
    expect(classifyPoi(tags)?.serviceClass ?? null).toBe(cls);
  });

  it('reports the deciding tag value as kind', () => {
    expect(classifyPoi({ amenity: 'social_facility', social_facility: 'nursing_home' })).toEqual({ serviceClass: 'elderly_care', kind: 'nursing_home' });
    expect(classifyPoi({ leisure: 'park', name: '近春园' })).toEqual({ serviceClass: 'park', kind: 'park' });
  });

  it('falls back to Chinese names only for POI-like or building features', () => {
    expect(classifyPoi({ office: 'yes', name: '五道口社区党群服务中心' })?.serviceClass).toBe('party_centre');
    expect(classifyPoi({ building: 'yes', name: '社区服务中心' })?.serviceClass).toBe('community_centre');
    expect(classifyPoi({ building: 'yes', name: '清华大学附属中学' })?.serviceClass).toBe('education');
    expect(classifyPoi({ amenity: 'yes', name: '东升农贸市场' })?.serviceClass).toBe('food_market');
    expect(classifyPoi({ building: 'yes', name: '清华大学' })).toBeNull();
    expect(classifyPoi({ highway: 'residential', name: '中学路' })).toBeNull();
    expect(classifyPoi({ name: '某某幼儿园' })).toBeNull(); // a bare name is not a POI
    // Tags win over names.
    expect(classifyPoi({ amenity: 'school', name: '清华大学洁华幼儿园' })?.serviceClass).toBe('education');
  });

  it('knows what a POI is', () => {
    expect(isPoiCandidate({ amenity: 'restaurant' })).toBe(true);
    expect(isPoiCandidate({ highway: 'bus_stop' })).toBe(true);
    expect(isPoiCandidate({ highway: 'crossing' })).toBe(false);
    expect(isPoiCandidate({ barrier: 'gate' })).toBe(false);
    expect(poiKind({ name: 'x', amenity: 'cafe' })).toBe('amenity=cafe');
  });
});

describe('roadInfo', () => {
  it.each([
    [{ highway: 'primary' }, { kind: 'primary', walkable: true, footway: false }],
    [{ highway: 'motorway' }, { kind: 'motorway', walkable: false, footway: false }],
    [{ highway: 'trunk' }, { kind: 'trunk', walkable: false, footway: false }],
    [{ highway: 'motorway_link' }, { kind: 'motorway_link', walkable: false, footway: false }],
    [{ highway: 'footway' }, { kind: 'footway', walkable: true, footway: true }],
    [{ highway: 'steps' }, { kind: 'steps', walkable: true, footway: true }],
    [{ highway: 'living_street' }, { kind: 'living_street', walkable: true, footway: true }],
    [{ highway: 'track' }, { kind: 'track', walkable: true, footway: true }],
    [{ highway: 'cycleway' }, { kind: 'cycleway', walkable: true, footway: false }],
    [{ highway: 'cycleway', foot: 'designated' }, { kind: 'cycleway', walkable: true, footway: true }],
    [{ highway: 'service', access: 'private' }, { kind: 'service', walkable: false, footway: false }],
    [{ highway: 'service', access: 'no', foot: 'yes' }, { kind: 'service', walkable: true, footway: false }],
    [{ highway: 'service', access: 'permissive' }, { kind: 'service', walkable: true, footway: false }],
    [{ highway: 'footway', foot: 'no' }, { kind: 'footway', walkable: false, footway: false }],
  ])('%o', (tags, want) => {
    expect(roadInfo(tags)).toEqual(want);
  });

  it('rejects non-roads and areas', () => {
    expect(roadInfo({ highway: 'platform' })).toBeNull();
    expect(roadInfo({ highway: 'construction' })).toBeNull();
    expect(roadInfo({ highway: 'pedestrian', area: 'yes' })).toBeNull();
    expect(roadInfo({ building: 'yes' })).toBeNull();
  });
});

describe('buildings', () => {
  it('reads height, levels and min height', () => {
    expect(buildingInfo({ building: 'residential', height: '45 m', 'building:levels': '15', min_height: '3' }))
      .toEqual({ kind: 'residential', heightM: 45, minHeightM: 3, levels: 15, residential: true });
    expect(buildingInfo({ building: 'yes', 'building:height': '12m' })?.heightM).toBe(12);
    expect(buildingInfo({ building: 'dormitory' })).toEqual({ kind: 'dormitory', heightM: null, minHeightM: 0, levels: null, residential: true });
    expect(buildingInfo({ building: 'no' })).toBeNull();
    expect(buildingInfo({ amenity: 'school' })).toBeNull();
  });

  it('parses lengths and levels leniently', () => {
    expect(parseMeters('12')).toBe(12);
    expect(parseMeters('12.5 m')).toBe(12.5);
    expect(parseMeters('12,5')).toBe(12.5);
    expect(parseMeters('100 ft')).toBeCloseTo(30.48);
    expect(parseMeters("10'6\"")).toBeCloseTo(3.2);
    expect(parseMeters('tall')).toBeNull();
    expect(parseMeters('-3')).toBeNull();
    expect(parseMeters(undefined)).toBeNull();
    expect(parseLevels('6')).toBe(6);
    expect(parseLevels('5;6')).toBe(5);
    expect(parseLevels('many')).toBeNull();
  });
});

describe('base layers', () => {
  it('maps areas and lines to layers', () => {
    expect(areaInfo({ landuse: 'residential' }, 'polygon')).toEqual({ layer: 'landuse', kind: 'residential' });
    expect(areaInfo({ natural: 'water' }, 'polygon')).toEqual({ layer: 'water', kind: 'water' });
    expect(areaInfo({ waterway: 'river' }, 'line')).toEqual({ layer: 'water', kind: 'river' });
    expect(areaInfo({ waterway: 'river' }, 'polygon')).toBeNull();
    expect(areaInfo({ boundary: 'administrative', admin_level: '6' }, 'polygon')).toEqual({ layer: 'boundary', kind: 'admin_level_6' });
    expect(areaInfo({ leisure: 'park' }, 'polygon')).toEqual({ layer: 'landuse', kind: 'park' });
    expect(areaInfo({ railway: 'subway' }, 'line')).toEqual({ layer: 'transit', kind: 'subway' });
    expect(areaInfo({ place: 'neighbourhood' }, 'point')).toEqual({ layer: 'place', kind: 'neighbourhood' });
    expect(areaInfo({ highway: 'primary' }, 'line')).toBeNull();
  });

  it('tells closed areas from closed lines', () => {
    expect(isAreaWay({ building: 'yes' })).toBe(true);
    expect(isAreaWay({ landuse: 'grass' })).toBe(true);
    expect(isAreaWay({ highway: 'service' })).toBe(false);
    expect(isAreaWay({ highway: 'pedestrian', area: 'yes' })).toBe(true);
    expect(isAreaWay({ barrier: 'fence' })).toBe(false);
    expect(isAreaWay({ waterway: 'river' })).toBe(false);
  });

  it('prefers name, then name:zh', () => {
    expect(featureName({ 'name:zh': '五道口', 'name:en': 'Wudaokou' })).toBe('五道口');
    expect(featureName({ name: ' ' })).toBeNull();
  });
});

// Pure tests of the GeoJSON reader: CRS handling, layer detection, validation (no database).
import type { Point } from 'geojson';
import { describe, expect, it } from 'vitest';
import { ImportError } from './features.js';
import { readGeoJson, resolveCrs } from './geojson.js';

const fc = (features: unknown[], extra: Record<string, unknown> = {}) => JSON.stringify({ type: 'FeatureCollection', ...extra, features });
const feature = (geometry: unknown, properties: Record<string, unknown> = {}) => ({ type: 'Feature', properties, geometry });
const pt = (x: number, y: number) => ({ type: 'Point', coordinates: [x, y] });
const square = (x: number, y: number, s = 0.001) => ({
  type: 'Polygon', coordinates: [[[x, y], [x + s, y], [x + s, y + s], [x, y + s], [x, y]]],
});

describe('resolveCrs', () => {
  it.each([
    ['wgs84', 'wgs84'], ['EPSG:4326', 'wgs84'], ['epsg:4326', 'wgs84'], ['urn:ogc:def:crs:OGC:1.3:CRS84', 'wgs84'],
    ['urn:ogc:def:crs:EPSG::4326', 'wgs84'], ['cgcs2000', 'cgcs2000'], ['EPSG:4490', 'cgcs2000'],
    ['urn:ogc:def:crs:EPSG::4490', 'cgcs2000'], ['http://www.opengis.net/def/crs/EPSG/0/4490', 'cgcs2000'],
    ['gcj02', 'gcj02'], ['GCJ-02', 'gcj02'], ['bd09', 'bd09'],
  ])('%s → %s', (name, crs) => {
    expect(resolveCrs(name)).toBe(crs);
  });

  it.each(['EPSG:3857', 'EPSG:4547', 'urn:ogc:def:crs:EPSG::32650', 'mercator', ''])('rejects %j', (name) => {
    expect(() => resolveCrs(name)).toThrow(/^unsupported CRS/);
  });
});

describe('readGeoJson', () => {
  it('rejects malformed input with one-line ImportErrors', () => {
    const bad: [string, RegExp][] = [
      ['', /empty file/],
      ['{"type": "FeatureCollection", "features": [', /^invalid JSON: /],
      ['[1,2]', /not a GeoJSON FeatureCollection/],
      [JSON.stringify(feature(pt(116, 40))), /not a GeoJSON FeatureCollection \(type is "Feature"\)/],
      ['{"type":"FeatureCollection"}', /no "features" array/],
      [fc([]), /empty FeatureCollection/],
      [fc([feature(pt(450000, 4430000))]), /not longitude\/latitude/],
      [fc([feature(pt(40, 116))]), /swapped axes/],
    ];
    for (const [text, re] of bad) {
      expect(() => readGeoJson(text)).toThrow(ImportError);
      expect(() => readGeoJson(text)).toThrow(re);
    }
    expect(() => readGeoJson(fc([feature(pt(116, 40))]), { crs: 'EPSG:3857' })).toThrow(/unsupported CRS "EPSG:3857"/);
    expect(() => readGeoJson(fc([feature(pt(116, 40))], { crs: { type: 'name', properties: { name: 'urn:ogc:def:crs:EPSG::2385' } } })))
      .toThrow(/unsupported CRS/);
  });

  it('honours the crs member and lets --crs override it', () => {
    const text = fc([feature(pt(116.3, 40), { amenity: 'school' })], { crs: { type: 'name', properties: { name: 'urn:ogc:def:crs:EPSG::4490' } } });
    expect(readGeoJson(text)).toMatchObject({ crs: 'cgcs2000', crsSource: 'file' });
    const r = readGeoJson(text, { crs: 'gcj02' });
    expect(r).toMatchObject({ crs: 'gcj02', crsSource: 'option' });
    const p = r.features.facilities[0]!.geom as Point;
    expect(p.coordinates[0]).toBeLessThan(116.3); // GCJ-02 is shifted east in Beijing; WGS84 lies west of it
    expect(readGeoJson(fc([feature(pt(116.3, 40), { amenity: 'school' })]))).toMatchObject({ crs: 'wgs84', crsSource: 'default' });
  });

  it('detects layers from OSM-style properties', () => {
    const r = readGeoJson(fc([
      feature(square(116.3, 40), { building: 'yes', height: '20' }),
      feature({ type: 'LineString', coordinates: [[116.3, 40], [116.31, 40]] }, { highway: 'footway', name: '小路' }),
      feature(pt(116.3, 40), { amenity: 'pharmacy' }),
      feature(pt(116.3, 40), { amenity: 'restaurant' }),
      feature(square(116.31, 40), { leisure: 'park' }),
      feature(square(116.32, 40), { natural: 'water' }),
      feature(pt(116.3, 40), { service_class: 'party_centre', name: '党群服务中心' }),
      feature(pt(116.3, 40), { service_class: 'nonsense' }),
      feature(square(116.33, 40), { foo: 'bar' }),
      feature(null, { amenity: 'school' }),
    ]));
    const f = r.features;
    expect(f.buildings.map((b) => b.heightM)).toEqual([20]);
    expect(f.roads.map((x) => [x.kind, x.footway, x.name])).toEqual([['footway', true, '小路']]);
    expect(f.facilities.map((x) => x.serviceClass)).toEqual(['pharmacy', 'park', 'party_centre']);
    expect(f.base.map((b) => [b.layer, b.kind])).toEqual([['landuse', 'park'], ['water', 'water']]);
    expect(f.skipped).toEqual({
      'POI without a service class': 1,
      'unknown service class': 1,
      'layer not detected (pass --layer)': 1,
      'no geometry': 1,
    });
  });

  it('uses the file name as a hint, and --layer forces a layer', () => {
    const text = fc([feature(square(116.3, 40), { floors: 6 }), feature(square(116.31, 40), { kind: 'school' })]);
    expect(readGeoJson(text, { fileName: 'haidian-buildings.geojson' }).features.buildings.map((b) => b.levels)).toEqual([6, null]);
    const lu = readGeoJson(text, { layer: 'landuse' }).features;
    expect(lu.base.map((b) => [b.layer, b.kind])).toEqual([['landuse', null], ['landuse', 'school']]);
    const roads = readGeoJson(text, { layer: 'roads' }).features;
    expect(roads.roads).toEqual([]);
    expect(roads.skipped).toEqual({ 'Polygon geometry in layer roads': 2 });
    const pois = readGeoJson(fc([feature({ type: 'MultiPoint', coordinates: [[116.3, 40], [116.31, 40]] }, { service_class: 'transit' })]),
      { layer: 'pois' }).features;
    expect(pois.facilities).toHaveLength(2);
  });

  it('repairs what it can before the database and skips the rest, with reasons', () => {
    const r = readGeoJson(fc([
      // unclosed ring → closed
      feature({ type: 'Polygon', coordinates: [[[116.3, 40], [116.301, 40], [116.301, 40.001], [116.3, 40.001]]] }, { building: 'yes' }),
      // too few points
      feature({ type: 'Polygon', coordinates: [[[116.3, 40], [116.301, 40], [116.3, 40]]] }, { building: 'yes' }),
      // degenerate hole dropped
      feature({ type: 'Polygon', coordinates: [square(116.3, 40, 0.01).coordinates[0], [[116.302, 40.002], [116.303, 40.002], [116.302, 40.002]]] }, { building: 'yes' }),
      // NaN / null coordinates
      feature({ type: 'Point', coordinates: [null, 40] }, { amenity: 'school' }),
      feature({ type: 'LineString', coordinates: [[116.3, 40], [116.3, 40]] }, { highway: 'service' }),
      feature({ type: 'Point', coordinates: 'x' }, { amenity: 'school' }),
      feature({ type: 'GeometryCollection', geometries: [pt(116.3, 40)] }, { amenity: 'school' }),
    ]));
    expect(r.features.buildings).toHaveLength(2);
    expect(r.features.buildings[1]!.geom.coordinates).toHaveLength(1);
    expect(r.features.repaired).toEqual({ 'unclosed ring closed': 1, 'degenerate hole dropped': 1 });
    expect(r.features.skipped).toEqual({
      'polygon ring with fewer than 4 points': 1,
      'non-numeric coordinate': 1,
      'line with fewer than 2 distinct points': 1,
      'malformed geometry': 1,
      'unsupported geometry GeometryCollection': 1,
    });
  });
});

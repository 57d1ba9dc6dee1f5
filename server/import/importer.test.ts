// The importer against a real database (embedded PGlite by default, PostGIS with GC_TEST_DB=postgres).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, testDbKind, type TestDb } from '../testing/db.js';
import { ImportError, ParsedFeatures } from './features.js';
import { importFile, parseImportFile, writeImport, type ImportSummary } from './importer.js';

const WUDAOKOU = fileURLToPath(new URL('../../geojson/fixtures/wudaokou.osm', import.meta.url));
const BOUNDS = { minLon: 116.3084, minLat: 39.9905, maxLon: 116.332, maxLat: 40.0123 };

let t: TestDb;
let dir: string;
beforeAll(async () => {
  t = await createTestDb();
  dir = mkdtempSync(join(tmpdir(), 'gc-import-'));
}, 180_000);
afterAll(async () => {
  await t?.drop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const write = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};
const fc = (features: unknown[], extra: Record<string, unknown> = {}) => JSON.stringify({ type: 'FeatureCollection', ...extra, features });
const feature = (geometry: unknown, properties: Record<string, unknown> = {}) => ({ type: 'Feature', properties, geometry });

async function one<R>(sql: string, params: unknown[] = []): Promise<R> {
  return (await t.db.query<R>(sql, params)).rows[0]!;
}

/** Row counts of every table the importer writes, plus each dataset's summary. */
async function snapshot() {
  return one<Record<string, unknown>>(`SELECT
    (SELECT count(*)::int FROM dataset) AS datasets, (SELECT count(*)::int FROM building) AS buildings,
    (SELECT count(*)::int FROM road) AS roads, (SELECT count(*)::int FROM base_feature) AS base,
    (SELECT count(*)::int FROM facility) AS facilities,
    (SELECT json_agg(json_build_object('id', id, 'summary', summary) ORDER BY id) FROM dataset) AS summaries`);
}

async function countsOf(datasetId: string) {
  return one<{ buildings: number; roads: number; facilities: number; base: number }>(`SELECT
    (SELECT count(*)::int FROM building WHERE dataset_id = $1) AS buildings,
    (SELECT count(*)::int FROM road WHERE dataset_id = $1) AS roads,
    (SELECT count(*)::int FROM facility WHERE dataset_id = $1) AS facilities,
    (SELECT count(*)::int FROM base_feature WHERE dataset_id = $1) AS base`, [datasetId]);
}

describe(`OSM import on ${testDbKind()}`, () => {
  let first: ImportSummary;

  it('imports the real Wudaokou extract', async () => {
    const t0 = performance.now();
    first = await importFile(t.db, WUDAOKOU);
    const ms = performance.now() - t0;
    console.log(`wudaokou.osm on ${testDbKind()}: ${Math.round(ms)} ms`, first.counts);
    expect(first.datasetId).toBe('osm:wudaokou.osm');
    expect(first.replaced).toBe(false);
    // Reference conversions: buildings.geojson 520, roads.geojson 684 (44 of them platforms), pois.geojson 339
    // (all POI kinds; only 15-minute-circle services become facilities here, bus stops included).
    expect(first.counts.buildings).toBeGreaterThanOrEqual(500);
    expect(first.counts.roads).toBeGreaterThanOrEqual(600);
    expect(first.counts.facilities).toBeGreaterThanOrEqual(120);
    expect(first.counts.landuse).toBeGreaterThanOrEqual(50);
    expect(first.counts.water).toBeGreaterThanOrEqual(5);
    for (const cls of ['education', 'transit', 'park', 'sports', 'commerce', 'health']) expect(first.facilitiesByClass[cls]).toBeGreaterThan(0);
    expect(first.skipped['POI without a service class']).toBeGreaterThan(100);
    expect(first.unclassifiedPois['amenity=restaurant']).toBeGreaterThan(0);
    expect(first.clipped).toBeGreaterThan(0);

    const c = await countsOf('osm:wudaokou.osm');
    expect(c).toEqual({
      buildings: first.counts.buildings, roads: first.counts.roads, facilities: first.counts.facilities,
      base: first.counts.landuse + first.counts.water + first.counts.boundaries + first.counts.transit + first.counts.places,
    });
  });

  it('stores the dataset with attribution, summary and a bbox inside the file bounds', async () => {
    const d = await one<{ source: string; attribution: string; synthetic: boolean; summary: ImportSummary; minx: number; miny: number; maxx: number; maxy: number }>(
      `SELECT source, attribution, synthetic, summary,
              ST_XMin(bbox) AS minx, ST_YMin(bbox) AS miny, ST_XMax(bbox) AS maxx, ST_YMax(bbox) AS maxy
       FROM dataset WHERE id = 'osm:wudaokou.osm'`);
    expect(d).toMatchObject({ source: 'osm', attribution: '© OpenStreetMap contributors', synthetic: false });
    expect(d.summary.counts).toEqual(first.counts);
    const eps = 1e-9;
    expect(d.minx).toBeGreaterThanOrEqual(BOUNDS.minLon - eps);
    expect(d.miny).toBeGreaterThanOrEqual(BOUNDS.minLat - eps);
    expect(d.maxx).toBeLessThanOrEqual(BOUNDS.maxLon + eps);
    expect(d.maxy).toBeLessThanOrEqual(BOUNDS.maxLat + eps);
    expect(d.maxx - d.minx).toBeGreaterThan(0.02); // covers the extract, not a corner of it
    expect(first.bbox![0]).toBeCloseTo(d.minx, 9);
  });

  it('writes only valid geometry of the right types', async () => {
    const bad = await one<Record<string, number>>(`SELECT
      (SELECT count(*)::int FROM building WHERE NOT ST_IsValid(geom) OR ST_IsEmpty(geom)) AS buildings,
      (SELECT count(*)::int FROM road WHERE NOT ST_IsValid(geom) OR length_m <= 0) AS roads,
      (SELECT count(*)::int FROM base_feature WHERE NOT ST_IsValid(geom) OR ST_IsEmpty(geom)) AS base,
      (SELECT count(*)::int FROM facility WHERE NOT ST_IsValid(geom)) AS facilities,
      (SELECT count(*)::int FROM base_feature WHERE layer IN ('landuse') AND GeometryType(geom) <> 'MULTIPOLYGON') AS landuse_not_multi`);
    expect(bad).toEqual({ buildings: 0, roads: 0, base: 0, facilities: 0, landuse_not_multi: 0 });
    const lengths = await one<{ km: number; walk_km: number; foot: number }>(
      `SELECT sum(length_m) / 1000 AS km, sum(length_m) FILTER (WHERE walkable) / 1000 AS walk_km,
              count(*) FILTER (WHERE footway)::int AS foot FROM road`);
    expect(lengths.km).toBeGreaterThan(50); // ~2 km × 2.4 km of dense campus and city streets
    expect(lengths.km).toBeLessThan(200);
    expect(lengths.walk_km).toBeLessThan(lengths.km);
    expect(lengths.foot).toBeGreaterThan(100);
  });

  it('keeps names and tags: Tsinghua and Wudaokou features are there', async () => {
    const named = async (table: string, name: string) =>
      (await one<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE name = $1`, [name])).n;
    expect(await named('road', '清华路')).toBeGreaterThan(0);
    expect(await named('road', '清华西路')).toBeGreaterThan(0);
    expect(await named('facility', '清华附中')).toBeGreaterThan(0);
    expect(await named('facility', '五道口')).toBeGreaterThan(0);
    expect(await named('building', '清华学堂')).toBe(1);
    expect(await named('base_feature', '清华大学')).toBe(1);
    const school = await one<{ service_class: string; kind: string; tags: Record<string, string> }>(
      `SELECT service_class, kind, props AS tags FROM facility WHERE name = '清华大学附属中学' LIMIT 1`);
    expect(school).toMatchObject({ service_class: 'education', kind: 'school' });
    expect(school.tags['amenity']).toBe('school');
    const motorway = await one<{ walkable: boolean }>(`SELECT bool_or(walkable) AS walkable FROM road WHERE kind = 'motorway'`);
    expect(motorway.walkable).toBe(false);
    const sc = await one<{ n: number }>('SELECT count(*)::int AS n FROM service_class');
    expect(sc.n).toBe(16);
  });

  it('re-import replaces the dataset: same counts, no duplicates', async () => {
    const before = await countsOf('osm:wudaokou.osm');
    const again = await importFile(t.db, WUDAOKOU);
    expect(again.replaced).toBe(true);
    expect(again.counts).toEqual(first.counts);
    expect(await countsOf('osm:wudaokou.osm')).toEqual(before);
    const dup = await one<{ n: number }>(
      `SELECT count(*)::int AS n FROM (SELECT osm_id FROM building GROUP BY osm_id HAVING count(*) > 1) x`);
    expect(dup.n).toBe(0);
  });

  it('--no-clip keeps whole ways and a second dataset id lives beside the first', async () => {
    const s = await importFile(t.db, WUDAOKOU, { datasetId: 'osm:wudaokou-whole', clip: false, layer: 'roads' });
    expect(s.counts.buildings).toBe(0);
    expect(s.counts.roads).toBeGreaterThanOrEqual(first.counts.roads - 10);
    expect(s.bbox![0]).toBeLessThan(BOUNDS.minLon); // ways reach beyond the requested area
    expect(s.clipped).toBe(0);
    expect((await countsOf('osm:wudaokou.osm')).roads).toBe(first.counts.roads);
  });
});

describe(`rejected files change nothing (${testDbKind()})`, () => {
  it('leaves every table as it was', async () => {
    const before = await snapshot();
    expect(before['datasets']).toBeGreaterThan(0);
    const truncated = write('wudaokou.osm', (await import('node:fs')).readFileSync(WUDAOKOU, 'utf8').slice(0, 1_200_000));
    const cases: [string, object, RegExp][] = [
      [truncated, {}, /^broken XML at line \d+/],
      [write('broken.geojson', '{"type":"FeatureCollection","features":[{"type":"Feature"'), {}, /^invalid JSON/],
      [write('feature.geojson', JSON.stringify(feature({ type: 'Point', coordinates: [116.3, 40] }))), {}, /not a GeoJSON FeatureCollection/],
      [write('empty.geojson', ''), {}, /empty file/],
      [write('none.geojson', fc([])), {}, /empty FeatureCollection/],
      [write('projected.geojson', fc([feature({ type: 'Point', coordinates: [441000, 4428000] }, { amenity: 'school' })])), {}, /not longitude\/latitude/],
      [write('ok.geojson', fc([feature({ type: 'Point', coordinates: [116.3, 40] }, { amenity: 'school' })])), { crs: 'EPSG:3857' }, /unsupported CRS "EPSG:3857"/],
      [write('useless.geojson', fc([feature({ type: 'Point', coordinates: [116.3, 40] }, { amenity: 'restaurant' })])), {}, /no importable features \(skipped — POI without a service class: 1\)/],
      [write('x.osm.pbf', 'binary'), {}, /PBF is not supported/],
      [join(dir, 'missing.osm'), {}, /cannot read file \(ENOENT\)/],
    ];
    for (const [path, opts, re] of cases) {
      const err = await importFile(t.db, path, { ...opts, datasetId: 'osm:wudaokou.osm' }).catch((e: unknown) => e);
      expect(err, path).toBeInstanceOf(ImportError);
      expect((err as Error).message).toMatch(re);
      expect((err as Error).message).not.toContain('\n');
    }
    expect(await snapshot()).toEqual(before);
  });

  it('rolls back a replacement that fails half-way through writing', async () => {
    const before = await snapshot();
    const parsed = await parseImportFile(write('half.geojson', fc([
      feature({ type: 'Polygon', coordinates: [[[116.31, 40], [116.311, 40], [116.311, 40.001], [116.31, 40]]] }, { building: 'yes' }),
      feature({ type: 'Point', coordinates: [116.31, 40] }, { amenity: 'school' }),
    ])), { datasetId: 'osm:wudaokou.osm' });
    // Corrupt the last row so that PostGIS refuses it after the old dataset was deleted and buildings written.
    const f = parsed.features as ParsedFeatures;
    (f.facilities[0]!.geom as unknown as { type: string }).type = 'Bogus';
    await expect(writeImport(t.db, parsed)).rejects.toThrow();
    expect(await snapshot()).toEqual(before);
  });
});

describe(`GeoJSON import on ${testDbKind()}`, () => {
  // Independent WGS84 → GCJ-02 forward transform (the published Krasovsky-ellipsoid formula),
  // to check the import's GCJ-02 → WGS84 conversion (gcoord) without trusting gcoord.
  function wgsToGcj(lon: number, lat: number): [number, number] {
    const a = 6378245.0;
    const ee = 0.00669342162296594323;
    const x = lon - 105;
    const y = lat - 35;
    let dLat = -100 + 2 * x + 3 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x));
    dLat += ((20 * Math.sin(6 * x * Math.PI) + 20 * Math.sin(2 * x * Math.PI)) * 2) / 3;
    dLat += ((20 * Math.sin(y * Math.PI) + 40 * Math.sin((y / 3) * Math.PI)) * 2) / 3;
    dLat += ((160 * Math.sin((y / 12) * Math.PI) + 320 * Math.sin((y * Math.PI) / 30)) * 2) / 3;
    let dLon = 300 + x + 2 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x));
    dLon += ((20 * Math.sin(6 * x * Math.PI) + 20 * Math.sin(2 * x * Math.PI)) * 2) / 3;
    dLon += ((20 * Math.sin(x * Math.PI) + 40 * Math.sin((x / 3) * Math.PI)) * 2) / 3;
    dLon += ((150 * Math.sin((x / 12) * Math.PI) + 300 * Math.sin((x / 30) * Math.PI)) * 2) / 3;
    const radLat = (lat / 180) * Math.PI;
    let magic = Math.sin(radLat);
    magic = 1 - ee * magic * magic;
    const sqrtMagic = Math.sqrt(magic);
    dLat = (dLat * 180) / (((a * (1 - ee)) / (magic * sqrtMagic)) * Math.PI);
    dLon = (dLon * 180) / ((a / sqrtMagic) * Math.cos(radLat) * Math.PI);
    return [lon + dLon, lat + dLat];
  }

  it('converts GCJ-02 (--crs gcj02) to WGS84 within 1 m', async () => {
    const truth: [number, number] = [116.3376, 39.9929]; // 五道口 station, WGS84
    const gcj = wgsToGcj(...truth);
    const shift = await one<{ m: number }>(
      `SELECT ST_Distance(ST_MakePoint($1, $2)::geography, ST_MakePoint($3, $4)::geography) AS m`, [...truth, ...gcj]);
    expect(shift.m).toBeGreaterThan(300); // the datum shift is real (~500 m in Beijing)…
    const s = await importFile(t.db, write('amap.geojson', fc([feature({ type: 'Point', coordinates: gcj }, { amenity: 'pharmacy', name: '药店' })])),
      { crs: 'gcj02' });
    expect(s).toMatchObject({ crs: 'gcj02', datasetId: 'geojson:amap.geojson', counts: { facilities: 1 } });
    const d = await one<{ m: number }>(
      `SELECT ST_Distance(geom::geography, ST_MakePoint($1, $2)::geography) AS m FROM facility WHERE dataset_id = 'geojson:amap.geojson'`, truth);
    expect(d.m).toBeLessThan(1); // …and undone to within a metre
  });

  it('imports a CGCS2000 layer file, repairs a self-intersecting polygon with ST_MakeValid and attaches facilities to grids', async () => {
    // A community with one grid around the test area.
    await t.db.query(`INSERT INTO division (code, level, name, geom) VALUES ('T-C1', 'community', '测试社区',
      ST_Multi(ST_MakeEnvelope(116.40, 39.90, 116.42, 39.92, 4326))) ON CONFLICT DO NOTHING`);
    await t.db.query(`INSERT INTO grid (code, name, community_code, geom) VALUES ('T-G1', '测试网格1', 'T-C1',
      ST_Multi(ST_MakeEnvelope(116.40, 39.90, 116.41, 39.92, 4326))) ON CONFLICT DO NOTHING`);
    const crs = { type: 'name', properties: { name: 'urn:ogc:def:crs:EPSG::4490' } };
    const s = await importFile(t.db, write('haidian.geojson', fc([
      feature({ type: 'Polygon', coordinates: [[[116.401, 39.901], [116.402, 39.902], [116.402, 39.901], [116.401, 39.902], [116.401, 39.901]]] },
        { building: 'residential', 'building:levels': '6' }),
      feature({ type: 'Point', coordinates: [116.405, 39.905] }, { service_class: 'party_centre', name: '党群服务中心' }),
      feature({ type: 'Point', coordinates: [116.415, 39.905] }, { amenity: 'kindergarten' }),
      feature({ type: 'Point', coordinates: [116.5, 39.5] }, { amenity: 'school' }),
      feature({ type: 'LineString', coordinates: [[116.40, 39.90], [116.41, 39.90]] }, { highway: 'residential' }),
    ], { crs })));
    expect(s.crs).toBe('cgcs2000');
    expect(s.counts).toMatchObject({ buildings: 1, facilities: 3, roads: 1 });
    expect(s.repaired).toEqual({ 'invalid geometry fixed with ST_MakeValid': 1 });
    const b = await one<{ valid: boolean; parts: number; levels: number; residential: boolean; grid: string | null }>(
      `SELECT ST_IsValid(b.geom) AS valid, ST_NumGeometries(b.geom) AS parts, levels, residential, g.code AS grid
       FROM building b LEFT JOIN grid g ON g.id = b.grid_id WHERE b.dataset_id = 'geojson:haidian.geojson'`);
    expect(b).toEqual({ valid: true, parts: 2, levels: 6, residential: true, grid: 'T-G1' });
    const f = await one<{ rows: { cls: string; grid: string | null; community: string | null }[] }>(
      `SELECT json_agg(json_build_object('cls', f.service_class, 'grid', g.code, 'community', f.community_code) ORDER BY ST_X(f.geom), ST_Y(f.geom)) AS rows
       FROM facility f LEFT JOIN grid g ON g.id = f.grid_id WHERE f.dataset_id = 'geojson:haidian.geojson'`);
    expect(f.rows).toEqual([
      { cls: 'party_centre', grid: 'T-G1', community: 'T-C1' },
      { cls: 'child_care', grid: null, community: 'T-C1' },
      { cls: 'education', grid: null, community: null },
    ]);
    const r = await one<{ m: number }>(`SELECT length_m AS m FROM road WHERE dataset_id = 'geojson:haidian.geojson'`);
    expect(r.m).toBeGreaterThan(850); // 0.01° of longitude at 39.9°N ≈ 853 m
    expect(r.m).toBeLessThan(856);
  });
});

// Grid import (GeoJSON, zipped Shapefile, datum choice) and export (GeoJSON, Shapefile) on the
// fixture district, both engines: bad files are refused with the problem named and nothing saved.
import JSZip from 'jszip';
import { parseZip } from 'shpjs';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { fromWgs84 } from '../../core/crs.js';
import { fixtureApi } from '../testing/api.js';

const f = fixtureApi();
const A = '/api/grid-editor/communities/T0101';
const auth = () => ({ Authorization: `Bearer ${f.who.tokens.analyst}` });
const ring = (x0: number, y0: number, x1: number, y1: number) => [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]];
const fc = (rings: number[][][], names: string[]) => ({
  type: 'FeatureCollection',
  features: rings.map((r, i) => ({ type: 'Feature', properties: { name: names[i] }, geometry: { type: 'Polygon', coordinates: [r] } })),
});
const revision = async () => (await request(f.app).get(A).set(auth())).body.revision as number;
const importJson = (body: object, query = '') => request(f.app).post(`${A}/import${query}`).set(auth()).send(body);

describe('grid export', () => {
  it('exports the published grids as GeoJSON with attributes, attribution and the synthetic flag', async () => {
    const r = await request(f.app).get(`${A}/export?format=geojson`).set(auth());
    expect(r.status).toBe(200);
    expect(r.headers['content-disposition']).toContain('grids-T0101.geojson');
    const body = JSON.parse(r.text);
    expect(body.metadata).toMatchObject({ community: 'T0101', attribution: '© OpenStreetMap contributors', synthetic: true, draft: false });
    expect(body.features.map((x: { properties: object }) => x.properties)).toEqual([
      expect.objectContaining({ id: f.grids.gridA1, code: 'T0101-01', name: '甲社区第01网格', households: 240, buildings: 1, synthetic: true }),
      expect.objectContaining({ id: f.grids.gridA2, code: 'T0101-02', households: 260, buildings: 0 }),
    ]);
  });

  it('exports a zipped Shapefile that imports again unchanged', async () => {
    const r = await request(f.app).get(`${A}/export?format=shp`).set(auth()).buffer(true)
      .parse((res, cb) => { const chunks: Buffer[] = []; res.on('data', (c: Buffer) => chunks.push(c)); res.on('end', () => cb(null, Buffer.concat(chunks))); });
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toContain('application/zip');
    // The archive: geometry, index, attributes, projection and the code page (UTF-8, for the Chinese names).
    const archive = await JSZip.loadAsync(r.body as Buffer);
    const names = Object.keys(archive.files).sort();
    expect(names.map((n) => n.replace(/^.*\./, ''))).toEqual(['cpg', 'dbf', 'prj', 'shp', 'shx']);
    expect(await archive.file(names[0]!)!.async('string')).toBe('UTF-8');
    expect(await archive.file(names[2]!)!.async('string')).toMatch(/^GEOGCS\["GCS_WGS_1984"/);
    const gj = await parseZip(r.body as Buffer);
    const layer = Array.isArray(gj) ? gj[0]! : gj;
    expect(layer.features.map((x) => [x.properties?.name, x.properties?.households])).toEqual([['甲社区第01网格', 240], ['甲社区第02网格', 260]]);
    const before = await revision();
    const back = await request(f.app).post(`${A}/import?crs=wgs84`).set(auth()).set('Content-Type', 'application/zip').send(r.body as Buffer);
    expect(back.status).toBe(200);
    expect(back.body).toMatchObject({ revision: before + 1, grids: 2 });
    expect(back.body.validation.problems.filter((p: { code: string }) => p.code !== 'out_of_band'), JSON.stringify(back.body.validation.problems).slice(0, 600)).toEqual([]);
    const draft = (await request(f.app).get(A).set(auth())).body.grids as { id: number | null }[];
    expect(draft.map((g) => g.id)).toEqual([f.grids.gridA1, f.grids.gridA2]); // ids kept from the attribute table
  });
});

describe('grid import', () => {
  it('converts GCJ-02 coordinates to WGS84', async () => {
    const gcj = (r: number[][]) => r.map(([x, y]) => fromWgs84([x!, y!], 'gcj02'));
    const body = fc([gcj(ring(121.49, 31.23, 121.495, 31.24)), gcj(ring(121.495, 31.23, 121.50, 31.24))], ['西', '东']);
    const r = await importJson(body, '?crs=gcj02');
    expect(r.status).toBe(200);
    const grids = (await request(f.app).get(A).set(auth())).body.grids as { name: string; geometry: { coordinates: number[][][] } }[];
    expect(grids.map((g) => g.name)).toEqual(['西', '东']);
    const p = grids[0]!.geometry.coordinates[0]![0]!;
    expect(Math.abs(p[0]! - 121.49)).toBeLessThan(2e-6);
    expect(Math.abs(p[1]! - 31.23)).toBeLessThan(2e-6);
  });

  it('refuses metres, an unknown or projected CRS, non-polygons and self-intersections, saving nothing', async () => {
    const before = await revision();
    const metres = await importJson(fc([ring(351000, 3456000, 351500, 3456500)], ['米']));
    expect(metres.status).toBe(400);
    expect(metres.body.error.code).toBe('invalid_crs');
    expect(metres.body.error.message).toContain('米');
    expect((await importJson(fc([ring(121.49, 31.23, 121.5, 31.24)], ['x']), '?crs=epsg:3857')).body.error.code).toBe('invalid_crs');
    const declared = { ...fc([ring(121.49, 31.23, 121.5, 31.24)], ['x']), crs: { type: 'name', properties: { name: 'urn:ogc:def:crs:EPSG::32651' } } };
    expect((await importJson(declared)).body.error.code).toBe('invalid_crs');
    const line = await importJson({ type: 'Feature', properties: { name: '线' }, geometry: { type: 'LineString', coordinates: [[121.49, 31.23], [121.5, 31.24]] } });
    expect(line.body.error).toMatchObject({ code: 'invalid_geometry', message: expect.stringContaining('线') });
    const bow = await importJson(fc([[[121.49, 31.23], [121.5, 31.24], [121.5, 31.23], [121.49, 31.24], [121.49, 31.23]]], ['蝴蝶']));
    expect(bow.status).toBe(422);
    expect(bow.body.error.code).toBe('validation_failed');
    expect(bow.body.error.message).toContain('蝴蝶');
    expect((await request(f.app).post(`${A}/import`).set(auth()).set('Content-Type', 'application/zip').send(Buffer.from('not a zip'))).status).toBe(400);
    expect(await revision()).toBe(before);
    const audit = (await f.t.db.query<{ outcome: string }>(`SELECT outcome FROM audit_log WHERE action = 'grid_import' ORDER BY id`)).rows.map((r) => r.outcome);
    expect(audit.filter((o) => o === 'failed').length).toBeGreaterThanOrEqual(6);
  });

  it('is for analysts only', async () => {
    const r = await request(f.app).post(`${A}/import`).set({ Authorization: `Bearer ${f.who.tokens.communityA}` }).send(fc([ring(121.49, 31.23, 121.5, 31.24)], ['x']));
    expect(r.status).toBe(403);
    expect((await request(f.app).get(`${A}/export`).set({ Authorization: `Bearer ${f.who.tokens.leader}` })).status).toBe(403);
  });
});

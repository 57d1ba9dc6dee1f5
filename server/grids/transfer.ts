// Import and export of a community's grids (issue 11).
// Import: a GeoJSON body (application/json) or a zipped Shapefile (application/zip, raw body; shpjs
// reads it and reprojects by its .prj), coordinates in the chosen datum (?crs=wgs84|cgcs2000|gcj02|
// bd09, converted with gcoord). Projected (metre) coordinates or an unknown CRS are refused as
// invalid_crs; grids with broken geometry (self-intersection, empty, too many vertices) are refused
// naming the problem; nothing is saved then. Otherwise the grids replace the draft's (optimistic
// lock: ?baseRevision=, default the current revision) and the validation is returned.
// Export: the draft (or the published grids) as GeoJSON or a zipped Shapefile with attributes.
import express, { Router } from 'express';
import type { Feature, FeatureCollection, Geometry, MultiPolygon, Polygon, Position } from 'geojson';
import { z } from 'zod';
import { MAX_DRAFT_GRIDS, type DraftGrid, type ExportGridProps, type Problem } from '../../core/grid-edit/contract.js';
import { isLonLat, parseCrs, toWgs84 } from '../../core/crs.js';
import type { InputCrs } from '../../core/types.js';
import { audit, guard, principalOf } from '../auth/principal.js';
import type { Config } from '../config.js';
import type { Db } from '../db/db.js';
import { fail, ok, route, type Result } from '../http/errors.js';
import { validate } from '../http/validate.js';
import { bandOf, communityFor, gridsOut, OSM_ATTRIBUTION, publishedGrids, saveDraft } from './editor.js';
import { SQL, validateOnServer } from './validation.js';

const ZIP_TYPES = ['application/zip', 'application/x-zip-compressed', 'application/octet-stream'];
/** Problems that make an import refused outright (the rest are saved in the draft to be fixed). */
const REFUSE_IMPORT: readonly Problem['code'][] = ['invalid_geometry', 'self_intersection', 'empty', 'too_many_vertices'];

type Parsed = { name: string | null; id: number | null; geometry: Geometry | null };

/** Features of a GeoJSON object (FeatureCollection, Feature or bare geometry). */
function featuresOf(body: unknown): Result<Parsed[]> {
  const o = body as { type?: string; features?: unknown[]; geometry?: unknown; properties?: Record<string, unknown> } | null;
  if (!o || typeof o !== 'object' || typeof o.type !== 'string') return fail('invalid_request', '不是 GeoJSON（GeoJSON object expected）');
  const crsName = (o as { crs?: { properties?: { name?: string } } }).crs?.properties?.name;
  if (crsName && !/(4326|4490|CRS84)\b/i.test(crsName)) return fail('invalid_crs', `GeoJSON 声明的坐标系 ${crsName} 不是经纬度坐标（WGS84/CGCS2000），请先转换`);
  const one = (f: { geometry?: unknown; properties?: Record<string, unknown> | null }): Parsed => {
    const p = f.properties ?? {};
    const name = [p.name, p.NAME, p.Name, p['名称'], p.mc].find((v) => typeof v === 'string' && v.trim()) as string | undefined;
    const idv = Number(p.id ?? p.ID ?? p.grid_id);
    return { name: name?.trim().slice(0, 64) ?? null, id: Number.isInteger(idv) && idv > 0 ? idv : null, geometry: (f.geometry ?? null) as Geometry | null };
  };
  if (o.type === 'FeatureCollection') return Array.isArray(o.features) ? ok(o.features.map((f) => one(f as Feature))) : fail('invalid_request', 'features 必须是数组');
  if (o.type === 'Feature') return ok([one(o)]);
  return ok([{ name: null, id: null, geometry: o as Geometry }]);
}

function mapCoords(g: Polygon | MultiPolygon, fn: (p: Position) => Position): Polygon | MultiPolygon {
  return g.type === 'Polygon'
    ? { type: 'Polygon', coordinates: g.coordinates.map((r) => r.map(fn)) }
    : { type: 'MultiPolygon', coordinates: g.coordinates.map((p) => p.map((r) => r.map(fn))) };
}

/** Parsed features → draft grids in WGS84; metres or non-polygons are refused. */
export function toDraftGrids(parsed: Parsed[], crs: InputCrs): Result<DraftGrid[]> {
  if (parsed.length === 0) return fail('invalid_request', '文件中没有网格（no features）');
  if (parsed.length > MAX_DRAFT_GRIDS) return fail('invalid_request', `网格过多：${parsed.length} 个，上限 ${MAX_DRAFT_GRIDS}`);
  const out: DraftGrid[] = [];
  for (const [i, f] of parsed.entries()) {
    const label = f.name ? `「${f.name}」` : `第 ${i + 1} 个要素`;
    const g = f.geometry;
    if (!g || (g.type !== 'Polygon' && g.type !== 'MultiPolygon') || !Array.isArray(g.coordinates)) {
      return fail('invalid_geometry', `${label}不是面（Polygon/MultiPolygon）：${g?.type ?? '无几何'}`);
    }
    let bad: Position | null = null;
    const converted = mapCoords(g, (p) => {
      if (!Array.isArray(p) || p.length < 2 || !isLonLat([p[0]!, p[1]!]) || (Math.abs(p[0]!) <= 1e-9 && Math.abs(p[1]!) <= 1e-9)) { bad ??= p; return p; }
      // 1e-7° (≈1 cm), the precision grids are stored and served at: removes reprojection noise.
      const [x, y] = toWgs84([p[0]!, p[1]!], crs);
      return [Math.round(x * 1e7) / 1e7, Math.round(y * 1e7) / 1e7];
    });
    if (bad) return fail('invalid_crs', `${label}的坐标 ${JSON.stringify(bad)} 不是经纬度（疑似以米为单位的投影坐标），请选择经纬度坐标系的数据`);
    out.push({ id: f.id, key: f.id != null ? String(f.id) : `import-${i + 1}`, name: f.name ?? `导入网格${i + 1}`, geometry: converted });
  }
  return ok(out);
}

export function transferRoutes(db: Db, base: string, config: Config): Router {
  const r = Router();
  const raw = express.raw({ type: ZIP_TYPES, limit: Math.max(config.maxBodyBytes, 20 * 2 ** 20) });

  r.post(`${base}/communities/:code/import`, guard('update', 'grid_edit'), raw, route(async (req) => {
    const c = await communityFor(db, principalOf(req).scope, String(req.params.code));
    if (!c.ok) return c;
    const q = validate(z.object({ crs: z.string().optional(), baseRevision: z.coerce.number().int().min(0).optional() }), req.query);
    if (!q.ok) return q;
    const crs = parseCrs(q.value.crs);
    if (!crs) {
      await audit(db, req, { action: 'grid_import', resource: 'grid_edit', resourceId: c.value.code, outcome: 'failed', detail: { code: 'invalid_crs', crs: q.value.crs } });
      return fail('invalid_crs', `未知坐标系 ${q.value.crs}：可选 wgs84、cgcs2000、gcj02、bd09`);
    }
    let parsed: Result<Parsed[]>;
    if (req.is('application/json')) parsed = featuresOf(req.body);
    else if (Buffer.isBuffer(req.body) && req.body.length) {
      try {
        const { parseZip } = await import('shpjs');
        const gj = await parseZip(req.body);
        const layers = Array.isArray(gj) ? gj : [gj];
        parsed = featuresOf({ type: 'FeatureCollection', features: layers.flatMap((l) => l.features) });
      } catch (e) {
        parsed = fail('invalid_request', `无法读取 Shapefile 压缩包：${(e as Error).message}`);
      }
    } else return fail('unsupported_media_type', 'send GeoJSON (application/json) or a zipped Shapefile (application/zip)');
    const grids = parsed.ok ? toDraftGrids(parsed.value, crs) : parsed;
    const refuse = async (res: { ok: false; error: ReturnType<typeof fail>['error'] }) => {
      await audit(db, req, { action: 'grid_import', resource: 'grid_edit', resourceId: c.value.code, outcome: 'failed', detail: { code: res.error.code, crs } });
      return res;
    };
    if (!grids.ok) return refuse(grids);
    // Ids of grids of another community are not kept.
    const known = new Set((await db.query<{ id: number }>(SQL.gridCodes, [grids.value.map((g) => g.id).filter((i) => i != null), c.value.code])).rows.map((x) => x.id));
    const seen = new Set<number>();
    for (const g of grids.value) if (g.id != null && (!known.has(g.id) || seen.has(g.id))) { g.id = null; g.key = `import-${g.key}`; } else if (g.id != null) seen.add(g.id);
    const current = (await db.query<{ revision: number }>(SQL.draftState, [c.value.code])).rows[0]?.revision ?? 0;
    const saved = await saveDraftChecked(db, req, c.value, q.value.baseRevision ?? current, grids.value);
    if (!saved.ok) return refuse(saved);
    await audit(db, req, {
      action: 'grid_import', resource: 'grid_edit', resourceId: c.value.code,
      detail: { crs, grids: grids.value.length, revision: saved.value.revision, households: saved.value.validation.grids.map((g) => g.households) },
    });
    return ok({ revision: saved.value.revision, grids: grids.value.length, validation: saved.value.validation });
  }));

  r.get(`${base}/communities/:code/export`, guard('read', 'grid_edit'), route(async (req, res) => {
    const c = await communityFor(db, principalOf(req).scope, String(req.params.code));
    if (!c.ok) return c;
    const q = validate(z.object({ format: z.enum(['geojson', 'shp']).default('geojson') }), req.query);
    if (!q.ok) return q;
    const grids = c.value.draft_grids ? await gridsOut(db, c.value.code, c.value.draft_grids, bandOf(c.value)) : await publishedGrids(db, c.value.code);
    const synthetic = (await db.query<{ synthetic: boolean }>(SQL.buildings, [c.value.code])).rows.some((b) => b.synthetic);
    const fc: FeatureCollection<MultiPolygon, ExportGridProps> & { metadata: Record<string, unknown> } = {
      type: 'FeatureCollection',
      metadata: { community: c.value.code, name: c.value.name, draft: !!c.value.draft_grids, attribution: OSM_ATTRIBUTION, synthetic, crs: 'EPSG:4326' },
      features: grids.map((g) => ({
        type: 'Feature',
        geometry: g.geometry.type === 'Polygon' ? { type: 'MultiPolygon', coordinates: [g.geometry.coordinates] } : g.geometry,
        properties: { id: g.id, code: g.code, name: g.name, households: g.households, residents: g.residents, buildings: g.buildings, synthetic, attribution: OSM_ATTRIBUTION },
      })),
    };
    const file = `grids-${c.value.code}${c.value.draft_grids ? '-draft' : ''}`;
    if (q.value.format === 'geojson') {
      res.setHeader('Content-Disposition', `attachment; filename="${file}.geojson"`);
      res.type('application/geo+json').send(JSON.stringify(fc));
      return undefined;
    }
    const shpwrite = (await import('@mapbox/shp-write')).default;
    // dBASE fields: short names; the attribution travels in each row and in the .geojson export.
    // The dbf writer stores one byte per character: text goes in as its UTF-8 bytes (readers that
    // take UTF-8 — shpjs, QGIS, GDAL with SHAPE_ENCODING=UTF-8 — get the Chinese names back).
    const utf8 = (t: string) => Buffer.from(t, 'utf8').toString('latin1');
    const rows = { type: 'FeatureCollection' as const, features: fc.features.map((f) => ({ ...f, properties: {
      id: f.properties.id ?? 0, code: f.properties.code ?? '', name: utf8(f.properties.name), households: f.properties.households,
      residents: f.properties.residents, buildings: f.properties.buildings, synthetic: f.properties.synthetic ? 1 : 0, source: utf8(OSM_ATTRIBUTION),
    } })) };
    const shp = await shpwrite.zip<'nodebuffer'>(rows, { outputType: 'nodebuffer', compression: 'DEFLATE', types: { polygon: file, multipolygon: file } });
    // A .cpg beside the .dbf tells QGIS / ArcGIS / GDAL the text is UTF-8 (shp-write writes none).
    const JSZip = (await import('jszip')).default;
    const archive = await JSZip.loadAsync(shp);
    for (const dbf of archive.file(/\.dbf$/i)) archive.file(dbf.name.replace(/\.dbf$/i, '.cpg'), 'UTF-8');
    const zip = await archive.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' });
    res.setHeader('Content-Disposition', `attachment; filename="${file}.zip"`);
    res.type('application/zip').send(zip);
    return undefined;
  }));
  return r;
}

/** Save imported grids unless they have a geometry problem that makes them no grids at all. */
async function saveDraftChecked(db: Db, req: express.Request, c: Parameters<typeof saveDraft>[2], baseRevision: number, grids: DraftGrid[]) {
  const v = await validateOnServer(db, c.code, grids, bandOf(c));
  const broken = v.problems.filter((p) => REFUSE_IMPORT.includes(p.code));
  if (broken.length) return fail('validation_failed', `导入的网格有问题，未保存：${broken.slice(0, 3).map((p) => p.message).join('；')}`, { problems: broken });
  return saveDraft(db, principalOf(req), c, baseRevision, grids);
}

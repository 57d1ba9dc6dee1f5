// /api/facilities/* writes: the facility editor (issue 17). Planners and admins (core/permissions.ts,
// resource `facility`) add a facility at a point, move it, retag its class or name, delete it, or
// import a CSV — always inside their jurisdiction (rules.ts), each change in one transaction with
// its audit row. Facilities added by hand are source 'manual' (no dataset); imported ones keep
// their dataset and its attribution. After a change the coverage engine is dropped, so the next
// coverage request rebuilds from the changed facilities (its fingerprint also covers them).
import { Router, type Request } from 'express';
import { parseCrs, toWgs84 } from '../../core/crs.js';
import { audit, guard, principalOf } from '../auth/principal.js';
import { dropEngine } from '../coverage/engine.js';
import type { Db, Queryable } from '../db/db.js';
import { loadSql } from '../db/sql.js';
import { fail, ok, route, type Result } from '../http/errors.js';
import { idParam, validate } from '../http/validate.js';
import { featureCollection, scopedDivision, type FeatureRow } from '../layers/filters.js';
import { MAX_IMPORT_ROWS, readFacilityCsv, type CsvRowError } from './csv.js';
import { inJurisdiction, type Placed } from './rules.js';
import { createBody, importBody, listQuery, updateBody } from './schema.js';

export const SQL = loadSql(new URL('./facilities.sql', import.meta.url), [
  'locate', 'list', 'one', 'oneForUpdate', 'insertMany', 'update', 'delete', 'classes',
]);

interface Located extends Placed { i: number; subdistrict_code: string | null; district_code: string | null }
interface OneRow {
  id: number; name: string | null; kind: string | null; service_class: string; source: 'import' | 'manual'; osm_id: string | null;
  attribution: string | null; synthetic: boolean; grid_id: number | null; community_code: string | null;
  updated_at: Date | null; updated_by: string | null; lon: number; lat: number;
}

/** A facility as the editor's API answers it. */
export function present(r: OneRow) {
  return {
    id: r.id, name: r.name, kind: r.kind, serviceClass: r.service_class, source: r.source, osmId: r.osm_id,
    attribution: r.attribution, synthetic: r.synthetic, gridId: r.grid_id, communityCode: r.community_code,
    updatedAt: r.updated_at, updatedBy: r.updated_by, lon: r.lon, lat: r.lat,
  };
}

/** Every accepted spelling of a class (its code and its zh-CN name) → its code. */
async function classMap(db: Queryable): Promise<Map<string, string>> {
  const rows = (await db.query<{ code: string; name: string }>(SQL.classes)).rows;
  const m = new Map<string, string>();
  for (const r of rows) { m.set(r.code, r.code); m.set(r.name, r.code); }
  return m;
}

/** Degrees in a request's crs → WGS84, or the stable error. */
function toPoint(lon: number, lat: number, crsName: string | undefined): Result<{ lon: number; lat: number }> {
  const crs = parseCrs(crsName);
  if (!crs) return fail('invalid_crs', `unknown crs ${crsName}: use wgs84, cgcs2000, gcj02 or bd09`);
  if (Math.abs(lon) > 180 || Math.abs(lat) > 90) return fail('invalid_crs', 'lon/lat must be degrees (WGS84, CGCS2000, GCJ-02 or BD-09), not projected metres');
  const [x, y] = toWgs84([lon, lat], crs);
  return ok({ lon: x, lat: y });
}

async function locate(db: Queryable, points: { lon: number; lat: number }[]): Promise<Located[]> {
  if (points.length === 0) return [];
  return (await db.query<Located>(SQL.locate, [JSON.stringify(points.map((p, i) => ({ i, lon: p.lon, lat: p.lat })))])).rows;
}

/** Where one point goes: its grid and community, or outside_district / forbidden. */
async function placeOne(db: Queryable, req: Request, p: { lon: number; lat: number }): Promise<Result<Placed>> {
  const [loc] = await locate(db, [p]);
  if (!loc?.district_code) return fail('outside_district', 'the point is outside the district', p);
  if (!inJurisdiction(principalOf(req).scope, loc)) return fail('forbidden', 'the point is outside your jurisdiction', p);
  return ok({ grid_id: loc.grid_id, community_code: loc.community_code });
}

const actor = (req: Request) => principalOf(req).name;

export function facilityRoutes(db: Db): Router {
  const r = Router();

  /** The facilities the caller may edit, with source and attribution, and the classes. */
  r.get('/api/facilities/editor', guard('read', 'facility'), route(async (req, res) => {
    const q = validate(listQuery, req.query);
    if (!q.ok) return q;
    const classes = await classMap(db);
    if (q.value.class && classes.get(q.value.class) !== q.value.class) return fail('unknown_service_class', `unknown service class ${q.value.class}`);
    const f = await scopedDivision(db, principalOf(req).scope, q.value.division);
    if (!f.ok) return f;
    const rows = (await db.query<FeatureRow>(SQL.list, [f.value.communities, f.value.gridId, q.value.class ?? null, q.value.limit])).rows;
    res.type('application/geo+json');
    return ok(featureCollection(rows, q.value.limit));
  }));

  r.get('/api/facilities/:id', guard('read', 'facility'), route(async (req) => {
    const p = validate(idParam, req.params);
    if (!p.ok) return p;
    const row = (await db.query<OneRow>(SQL.one, [p.value.id])).rows[0];
    if (!row || !inJurisdiction(principalOf(req).scope, row)) return fail('not_found', `facility ${p.value.id} not found`);
    return ok(present(row));
  }));

  r.post('/api/facilities', guard('create', 'facility'), route(async (req, res) => {
    const b = validate(createBody, req.body);
    if (!b.ok) return b;
    const code = (await classMap(db)).get(b.value.serviceClass);
    if (code !== b.value.serviceClass) return fail('unknown_service_class', `unknown service class ${b.value.serviceClass}`);
    const pt = toPoint(b.value.lon, b.value.lat, b.value.crs);
    if (!pt.ok) return pt;
    const out = await db.transaction(async (tx): Promise<Result<OneRow>> => {
      const place = await placeOne(tx, req, pt.value);
      if (!place.ok) return place;
      const [{ id }] = (await tx.query<{ id: number }>(SQL.insertMany, [JSON.stringify([{
        name: b.value.name, serviceClass: code, lon: pt.value.lon, lat: pt.value.lat, gridId: place.value.grid_id, communityCode: place.value.community_code,
      }]), actor(req)])).rows as [{ id: number }];
      await audit(tx, req, { action: 'create', resource: 'facility', resourceId: id, detail: {
        name: b.value.name, serviceClass: code, lon: pt.value.lon, lat: pt.value.lat, crs: b.value.crs ?? 'wgs84', source: 'manual',
      } });
      return ok((await tx.query<OneRow>(SQL.one, [id])).rows[0]!);
    });
    if (!out.ok) return out;
    dropEngine(db);
    res.status(201);
    return ok(present(out.value));
  }));

  r.patch('/api/facilities/:id', guard('update', 'facility'), route(async (req) => {
    const p = validate(idParam, req.params);
    if (!p.ok) return p;
    const b = validate(updateBody, req.body);
    if (!b.ok) return b;
    let code: string | undefined;
    if (b.value.serviceClass !== undefined) {
      code = (await classMap(db)).get(b.value.serviceClass);
      if (code !== b.value.serviceClass) return fail('unknown_service_class', `unknown service class ${b.value.serviceClass}`);
    }
    let to: { lon: number; lat: number } | null = null;
    if (b.value.lon !== undefined && b.value.lat !== undefined) {
      const pt = toPoint(b.value.lon, b.value.lat, b.value.crs);
      if (!pt.ok) return pt;
      to = pt.value;
    }
    const out = await db.transaction(async (tx): Promise<Result<OneRow>> => {
      const was = (await tx.query<OneRow>(SQL.oneForUpdate, [p.value.id])).rows[0];
      if (!was || !inJurisdiction(principalOf(req).scope, was)) return fail('not_found', `facility ${p.value.id} not found`);
      let place: Placed = { grid_id: was.grid_id, community_code: was.community_code };
      if (to) {
        const pl = await placeOne(tx, req, to);
        if (!pl.ok) return pl;
        place = pl.value;
      }
      const after = { name: b.value.name ?? was.name, serviceClass: code ?? was.service_class, lon: to?.lon ?? was.lon, lat: to?.lat ?? was.lat };
      await tx.query(SQL.update, [was.id, after.name, after.serviceClass, after.lon, after.lat, place.grid_id, place.community_code, actor(req)]);
      await audit(tx, req, { action: 'update', resource: 'facility', resourceId: was.id, detail: {
        before: { name: was.name, serviceClass: was.service_class, lon: was.lon, lat: was.lat }, after, source: was.source,
        ...(to ? { crs: b.value.crs ?? 'wgs84' } : {}),
      } });
      return ok((await tx.query<OneRow>(SQL.one, [was.id])).rows[0]!);
    });
    if (!out.ok) return out;
    dropEngine(db);
    return ok(present(out.value));
  }));

  r.delete('/api/facilities/:id', guard('delete', 'facility'), route(async (req) => {
    const p = validate(idParam, req.params);
    if (!p.ok) return p;
    const out = await db.transaction(async (tx): Promise<Result<{ id: number }>> => {
      const was = (await tx.query<OneRow>(SQL.oneForUpdate, [p.value.id])).rows[0];
      if (!was || !inJurisdiction(principalOf(req).scope, was)) return fail('not_found', `facility ${p.value.id} not found`);
      await tx.query(SQL.delete, [was.id]);
      await audit(tx, req, { action: 'delete', resource: 'facility', resourceId: was.id, detail: {
        before: { name: was.name, serviceClass: was.service_class, lon: was.lon, lat: was.lat, source: was.source, osmId: was.osm_id },
      } });
      return ok({ id: was.id });
    });
    if (!out.ok) return out;
    dropEngine(db);
    return ok({ deleted: out.value.id });
  }));

  /**
   * A CSV of new facilities (name, class, lon, lat in the given crs). All rows or none: any bad row
   * answers 422 validation_failed with every row's problems in details.errors, and saves nothing.
   */
  r.post('/api/facilities/import', guard('create', 'facility'), route(async (req, res) => {
    const b = validate(importBody, req.body);
    if (!b.ok) return b;
    const crs = parseCrs(b.value.crs);
    if (!crs) return fail('invalid_crs', `unknown crs ${b.value.crs}: use wgs84, cgcs2000, gcj02 or bd09`);
    const lines = b.value.csv.split('\n').length;
    if (lines > MAX_IMPORT_ROWS + 2) return fail('payload_too_large', `at most ${MAX_IMPORT_ROWS} rows per import`);
    const { rows, errors } = readFacilityCsv(b.value.csv, await classMap(db));
    if (rows.length > MAX_IMPORT_ROWS) return fail('payload_too_large', `at most ${MAX_IMPORT_ROWS} rows per import`);
    const points = rows.map((x) => { const [lon, lat] = toWgs84([x.lon, x.lat], crs); return { lon, lat }; });
    const scope = principalOf(req).scope;
    const locs = await locate(db, points);
    const placeErrors: CsvRowError[] = [];
    rows.forEach((x, i) => {
      const loc = locs[i]!;
      if (!loc.district_code) placeErrors.push({ row: x.row, field: 'lon', code: 'outside_district', message: 'the point is outside the district' });
      else if (!inJurisdiction(scope, loc)) placeErrors.push({ row: x.row, field: 'lon', code: 'outside_jurisdiction', message: 'the point is outside your jurisdiction' });
    });
    const all = [...errors, ...placeErrors].sort((a, c) => a.row - c.row);
    if (all.length === 0 && rows.length === 0) all.push({ row: 1, field: null, code: 'missing_field', message: 'the file has no rows' });
    if (all.length > 0) {
      await audit(db, req, { action: 'import', resource: 'facility', outcome: 'failed', detail: { crs, rows: rows.length, errors: all.length } });
      return fail('validation_failed', `${all.length} problem(s) in the file; nothing was imported`, { errors: all.slice(0, 500), total: all.length });
    }
    const ids = await db.transaction(async (tx) => {
      const input = rows.map((x, i) => ({ name: x.name, serviceClass: x.serviceClass, ...points[i]!, gridId: locs[i]!.grid_id, communityCode: locs[i]!.community_code }));
      const got = (await tx.query<{ id: number }>(SQL.insertMany, [JSON.stringify(input), actor(req)])).rows.map((x) => x.id).sort((a, c) => a - c);
      await audit(tx, req, { action: 'import', resource: 'facility', detail: { crs, rows: rows.length, ids: got } });
      return got;
    });
    dropEngine(db);
    res.status(201);
    return ok({ imported: ids.length, ids, crs });
  }));

  return r;
}

// /api/coverage/*: the 15-minute life circle (issue 12). Reading needs coverage:read; saving a
// scenario or recomputing needs coverage:create; exports also need export:read. Every figure is
// limited to the caller's jurisdiction. Contract: core/coverage/contract.ts.
import { Router, type Request } from 'express';
import { z } from 'zod';
import {
  buildingsQuery, compareQuery, facilityIsochroneQuery, gapsQuery, gridsQuery, isochroneQuery, isochronesExportQuery,
  scenarioCreateBody, suggestBody, summaryQuery, whatIfBody, type RecomputeResult,
} from '../../core/coverage/contract.js';
import { toWgs84 } from '../../core/crs.js';
import { toCsv } from '../admin/csv.js';
import { audit, guard, principalOf } from '../auth/principal.js';
import type { Config } from '../config.js';
import type { Db } from '../db/db.js';
import { fail, ok, route } from '../http/errors.js';
import { bboxParam, validate } from '../http/validate.js';
import { getEngine, SQL, type CoverageEngine } from './engine.js';
import { facilityIsochrones } from './export.js';
import { isochroneAt } from './isochrone.js';
import { compareScenarios, createScenario, getScenario, listScenarios } from './scenarios.js';
import { suggest } from './suggest.js';
import { buildingsGeo, coverageScope, CSV_COLUMNS, csvRows, gaps, grids, summary } from './summary.js';
import { knownClass, whatIf } from './whatif.js';

const idParam = z.coerce.number().int().positive().max(2 ** 31 - 1);

export function coverageRoutes(db: Db, config: Config): Router {
  const r = Router();
  const engine = () => getEngine(db, config.walkSpeedMps);
  const scopeOf = (req: Request) => coverageScope(db, principalOf(req).scope);
  const limitOf = (e: CoverageEngine, cls: string, limit: number | undefined) =>
    limit ?? e.classes.find((c) => c.code === cls)!.walkMinutes;
  const read = guard('read', 'coverage');

  r.get('/api/coverage/summary', read, route(async (req) => {
    const q = validate(summaryQuery, req.query);
    if (!q.ok) return q;
    const e = await engine();
    return ok(await summary(db, e, await scopeOf(req), q.value.limit ?? null));
  }));

  r.get('/api/coverage/grids', read, route(async (req) => {
    const q = validate(gridsQuery, req.query);
    if (!q.ok) return q;
    const e = await engine();
    if (q.value.class) { const k = knownClass(e, q.value.class); if (!k.ok) return k; }
    return ok(await grids(db, e, await scopeOf(req), q.value.class ?? null, q.value.limit ?? null));
  }));

  r.get('/api/coverage/buildings', read, route(async (req, res) => {
    const q = validate(buildingsQuery, req.query);
    if (!q.ok) return q;
    const bbox = bboxParam(q.value.bbox);
    if (!bbox.ok) return bbox;
    const e = await engine();
    const k = knownClass(e, q.value.class);
    if (!k.ok) return k;
    res.type('application/geo+json');
    return ok(await buildingsGeo(db, e, await scopeOf(req), q.value.class, limitOf(e, q.value.class, q.value.limit), bbox.value, q.value.all, config.maxFeatures));
  }));

  const gapsRoute = (download: boolean) => route(async (req, res) => {
    const q = validate(gapsQuery, req.query);
    if (!q.ok) return q;
    const e = await engine();
    const k = knownClass(e, q.value.class);
    if (!k.ok) return k;
    const s = await scopeOf(req);
    if (q.value.community && s.communities !== null && !s.communities.includes(q.value.community)) {
      return fail('forbidden', `community ${q.value.community} is outside your jurisdiction`);
    }
    const fc = await gaps(db, s, q.value.class, limitOf(e, q.value.class, q.value.limit), q.value.community ?? null);
    res.type('application/geo+json');
    if (download) {
      await audit(db, req, { action: 'export', resource: 'coverage', detail: { format: 'geojson', what: 'gaps', class: q.value.class } });
      res.attachment(`coverage-gaps-${q.value.class}.geojson`);
    }
    return ok(fc);
  });
  r.get('/api/coverage/gaps', read, gapsRoute(false));
  r.get('/api/coverage/gaps.geojson', read, guard('read', 'export'), gapsRoute(true));

  r.get('/api/coverage/isochrone', read, route(async (req) => {
    const q = validate(isochroneQuery, req.query);
    if (!q.ok) return q;
    const [lon, lat] = toWgs84([q.value.lon, q.value.lat], q.value.crs);
    return isochroneAt(await engine(), lon, lat, q.value.bands, {}, q.value.shape);
  }));

  r.get('/api/coverage/facilities/:id/isochrone', read, route(async (req) => {
    const id = validate(idParam, req.params.id);
    if (!id.ok) return id;
    const q = validate(facilityIsochroneQuery, req.query);
    if (!q.ok) return q;
    const f = (await db.query<{ id: number; service_class: string; lon: number; lat: number; community_code: string | null; grid_id: number | null }>(
      SQL.facilityById, [id.value])).rows[0];
    const s = await scopeOf(req);
    const visible = f && (s.communities === null || (f.community_code !== null && s.communities.includes(f.community_code)))
      && (s.gridId === null || f.grid_id === s.gridId);
    if (!visible) return fail('not_found', `facility ${id.value} not found`);
    const e = await engine();
    const minutes = q.value.minutes ?? limitOf(e, f.service_class, undefined);
    return isochroneAt(e, f.lon, f.lat, [minutes], { facilityId: f.id, class: f.service_class });
  }));

  r.get('/api/coverage/isochrones.geojson', read, guard('read', 'export'), route(async (req, res) => {
    const q = validate(isochronesExportQuery, req.query);
    if (!q.ok) return q;
    const e = await engine();
    const k = knownClass(e, q.value.class);
    if (!k.ok) return k;
    const fc = await facilityIsochrones(db, e, await scopeOf(req), q.value.class, limitOf(e, q.value.class, q.value.limit));
    await audit(db, req, { action: 'export', resource: 'coverage', detail: { format: 'geojson', what: 'isochrones', class: q.value.class } });
    res.type('application/geo+json').attachment(`coverage-isochrones-${q.value.class}.geojson`);
    return ok(fc);
  }));

  r.get('/api/coverage/export.csv', read, guard('read', 'export'), route(async (req, res) => {
    const q = validate(summaryQuery, req.query);
    if (!q.ok) return q;
    const sum = await summary(db, await engine(), await scopeOf(req), q.value.limit ?? null);
    await audit(db, req, { action: 'export', resource: 'coverage', detail: { format: 'csv', limit: q.value.limit ?? null } });
    res.type('text/csv; charset=utf-8').attachment('coverage-15min.csv').send(toCsv(csvRows(sum), CSV_COLUMNS));
    return undefined;
  }));

  r.post('/api/coverage/what-if', read, route(async (req) => {
    const b = validate(whatIfBody, req.body);
    if (!b.ok) return b;
    const { limit, ...changes } = b.value;
    return whatIf(db, await engine(), await scopeOf(req), changes, limit);
  }));

  r.post('/api/coverage/suggest', read, route(async (req) => {
    const b = validate(suggestBody, req.body);
    if (!b.ok) return b;
    return suggest(db, await engine(), await scopeOf(req), b.value);
  }));

  r.get('/api/coverage/scenarios', read, route(async (req) => ok(await listScenarios(db, await scopeOf(req)))));

  r.get('/api/coverage/scenarios/compare', read, route(async (req) => {
    const q = validate(compareQuery, req.query);
    if (!q.ok) return q;
    return compareScenarios(db, await engine(), await scopeOf(req), q.value.a, q.value.b, q.value.limit ?? null);
  }));

  r.get('/api/coverage/scenarios/:id', read, route(async (req) => {
    const id = validate(idParam, req.params.id);
    if (!id.ok) return id;
    return getScenario(db, await engine(), await scopeOf(req), id.value);
  }));

  r.post('/api/coverage/scenarios', guard('create', 'coverage'), route(async (req, res) => {
    const b = validate(scenarioCreateBody, req.body);
    if (!b.ok) return b;
    const out = await createScenario(db, await engine(), await scopeOf(req), principalOf(req), b.value);
    if (out.ok) {
      await audit(db, req, { action: 'create', resource: 'coverage', resourceId: out.value.id, detail: { scenario: b.value.name } });
      res.status(201);
    }
    return out;
  }));

  r.post('/api/coverage/recompute', guard('create', 'coverage'), route(async (req) => {
    const t0 = performance.now();
    const e = await getEngine(db, config.walkSpeedMps, { force: true });
    await audit(db, req, { action: 'recompute', resource: 'coverage' });
    const out: RecomputeResult = {
      computedAt: e.computedAt.toISOString(), ms: Math.round(performance.now() - t0),
      graph: { nodes: e.graph.nodeCount, edges: e.graph.edgeCount }, classes: e.classes.length,
    };
    return ok(out);
  }));

  return r;
}


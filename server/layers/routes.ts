// Buildings, facilities and reference lists.
import { Router } from 'express';
import { z } from 'zod';
import { guard, principalOf } from '../auth/principal.js';
import type { Config } from '../config.js';
import type { Db } from '../db/db.js';
import { loadSql } from '../db/sql.js';
import { fail, ok, route } from '../http/errors.js';
import { validate } from '../http/validate.js';
import { featureCollection, listQuery, type FeatureRow } from './filters.js';

const SQL = loadSql(new URL('./layers.sql', import.meta.url), ['buildings', 'facilities', 'serviceClasses', 'categories']);
const NO_BBOX = [null, null, null, null];

export function layerRoutes(db: Db, config: Config): Router {
  const r = Router();
  r.get('/api/buildings', guard('read', 'map'), route(async (req, res) => {
    const q = await listQuery(db, req.query, config.maxFeatures, principalOf(req).scope);
    if (!q.ok) return q;
    const out = await db.query<FeatureRow>(SQL.buildings,
      [...(q.value.bbox ?? NO_BBOX), q.value.communities, q.value.limit, q.value.gridId]);
    res.type('application/geo+json');
    return ok(featureCollection(out.rows, q.value.limit));
  }));
  r.get('/api/facilities', guard('read', 'map'), route(async (req, res) => {
    const { class: cls, ...rest } = req.query as Record<string, unknown>;
    const c = validate(z.string().min(1).max(64).optional(), cls);
    if (!c.ok) return c;
    if (c.value) {
      const known = await db.query('SELECT 1 FROM service_class WHERE code = $1', [c.value]);
      if (known.rows.length === 0) return fail('invalid_request', `unknown service class ${c.value}`);
    }
    const q = await listQuery(db, rest, config.maxFeatures, principalOf(req).scope);
    if (!q.ok) return q;
    const out = await db.query<FeatureRow>(SQL.facilities,
      [...(q.value.bbox ?? NO_BBOX), q.value.communities, q.value.limit, c.value ?? null, q.value.gridId]);
    res.type('application/geo+json');
    return ok(featureCollection(out.rows, q.value.limit));
  }));
  r.get('/api/service-classes', guard('read', 'map'), route(async () => ok((await db.query(SQL.serviceClasses)).rows)));
  r.get('/api/incident-categories', guard('read', 'map'), route(async () => ok((await db.query(SQL.categories)).rows)));
  return r;
}

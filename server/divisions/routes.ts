import { Router } from 'express';
import { z } from 'zod';
import { guard, principalOf } from '../auth/principal.js';
import type { Config } from '../config.js';
import type { Db } from '../db/db.js';
import { fail, ok, route } from '../http/errors.js';
import { validate } from '../http/validate.js';
import { divisionsGeoJson, getDistrict, getTree } from './queries.js';

export function divisionRoutes(db: Db, config: Config): Router {
  const r = Router();
  r.get('/api/district', guard('read', 'map'), route(async (req) => {
    const d = await getDistrict(db, principalOf(req).scope, config.basemapUrl);
    return d ? ok(d) : fail('not_found', 'no district loaded');
  }));
  r.get('/api/divisions', guard('read', 'map'), route(async (req) => {
    const tree = await getTree(db, principalOf(req).scope);
    return tree ? ok({ tree }) : fail('not_found', 'no district loaded');
  }));
  const levelQuery = z.object({ level: z.enum(['district', 'subdistrict', 'community']).default('community') });
  r.get('/api/divisions.geojson', guard('read', 'map'), route(async (req, res) => {
    const q = validate(levelQuery, req.query);
    if (!q.ok) return q;
    res.type('application/geo+json');
    return ok(await divisionsGeoJson(db, q.value.level, principalOf(req).scope));
  }));
  return r;
}

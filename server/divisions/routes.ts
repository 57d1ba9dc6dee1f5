import { Router } from 'express';
import { z } from 'zod';
import type { Config } from '../config.js';
import type { Db } from '../db/db.js';
import { fail, ok, route } from '../http/errors.js';
import { validate } from '../http/validate.js';
import { divisionsGeoJson, getDistrict, getTree } from './queries.js';

export function divisionRoutes(db: Db, config: Config): Router {
  const r = Router();
  r.get('/api/district', route(async () => {
    const d = await getDistrict(db, config.basemapUrl);
    return d ? ok(d) : fail('not_found', 'no district loaded');
  }));
  r.get('/api/divisions', route(async () => {
    const tree = await getTree(db);
    return tree ? ok({ tree }) : fail('not_found', 'no district loaded');
  }));
  const levelQuery = z.object({ level: z.enum(['district', 'subdistrict', 'community']).default('community') });
  r.get('/api/divisions.geojson', route(async (req, res) => {
    const q = validate(levelQuery, req.query);
    if (!q.ok) return q;
    res.type('application/geo+json');
    return ok(await divisionsGeoJson(db, q.value.level));
  }));
  return r;
}

// GET /api/geocode?q=&limit= — places in the district matching an address or a name, best first,
// from the district's own OSM data (© OpenStreetMap contributors).
import { Router } from 'express';
import { z } from 'zod';
import { MAX_ADDRESS } from '../../core/incident-schema.js';
import { guard } from '../auth/principal.js';
import type { Db } from '../db/db.js';
import { ok, route } from '../http/errors.js';
import { validate } from '../http/validate.js';
import { geocode } from './geocode.js';

const query = z.object({
  q: z.string().trim().min(1).max(MAX_ADDRESS),
  limit: z.coerce.number().int().positive().max(50).default(10),
});

export function geocodeRoutes(db: Db): Router {
  const r = Router();
  r.get('/api/geocode', guard('read', 'map'), route(async (req) => {
    const q = validate(query, req.query);
    if (!q.ok) return q;
    const g = await geocode(db, q.value.q, q.value.limit);
    return ok({ ...g, attribution: '© OpenStreetMap contributors' });
  }));
  return r;
}

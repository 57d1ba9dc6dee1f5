import { Router } from 'express';
import { incidentCreateSchema, incidentListSchema } from '../../core/incident-schema.js';
import type { Db } from '../db/db.js';
import type { EventBus } from '../events/bus.js';
import { ok, route } from '../http/errors.js';
import { validate } from '../http/validate.js';
import { divisionFilter } from '../layers/filters.js';
import { createIncident, listIncidents } from './commands.js';

export function incidentRoutes(db: Db, bus: EventBus): Router {
  const r = Router();
  r.post('/api/incidents', route(async (req, res) => {
    const input = validate(incidentCreateSchema, req.body);
    if (!input.ok) return input;
    const out = await createIncident(db, bus, input.value);
    if (!out.ok) return out;
    res.status(out.value.created ? 201 : 200);
    if (!out.value.created) res.setHeader('Idempotent-Replayed', 'true');
    return ok(out.value.incident);
  }));
  r.get('/api/incidents', route(async (req) => {
    const q = validate(incidentListSchema, req.query);
    if (!q.ok) return q;
    const div = await divisionFilter(db, q.value.division);
    if (!div.ok) return div;
    const now = (await db.query<{ now: Date }>('SELECT now() AS now')).rows[0]!.now;
    const incidents = await listIncidents(db, q.value.since, div.value, q.value.limit);
    return ok({ incidents, now: new Date(now).toISOString() });
  }));
  return r;
}

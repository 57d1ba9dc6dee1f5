import { Router } from 'express';
import { rateLimit } from 'express-rate-limit';
import { incidentCreateSchema, incidentListSchema } from '../../core/incident-schema.js';
import { audit, guard, principalOf } from '../auth/principal.js';
import type { Config } from '../config.js';
import type { Db } from '../db/db.js';
import type { EventBus } from '../events/bus.js';
import { fail, ok, route, sendError } from '../http/errors.js';
import { validate } from '../http/validate.js';
import { scopedDivision } from '../layers/filters.js';
import { createIncident, listIncidents } from './commands.js';

export function incidentRoutes(db: Db, bus: EventBus, config: Config): Router {
  const r = Router();
  const intakeLimiter = rateLimit({
    windowMs: 60_000,
    limit: config.intakeRateLimit,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    keyGenerator: (req) => `${req.principal?.kind}:${req.principal?.id}`,
    handler: (_req, res) => sendError(res, fail('rate_limited', 'too many reports; slow down').error),
  });
  r.post('/api/incidents', guard('create', 'incident'), intakeLimiter, route(async (req, res) => {
    const input = validate(incidentCreateSchema, req.body);
    if (!input.ok) return input;
    const out = await createIncident(db, bus, input.value, principalOf(req).scope);
    if (!out.ok) return out;
    if (out.value.created) {
      await audit(db, req, { action: 'create', resource: 'incident', resourceId: out.value.incident.id });
    }
    res.status(out.value.created ? 201 : 200);
    if (!out.value.created) res.setHeader('Idempotent-Replayed', 'true');
    return ok(out.value.incident);
  }));
  r.get('/api/incidents', guard('read', 'incident'), route(async (req) => {
    const q = validate(incidentListSchema, req.query);
    if (!q.ok) return q;
    const scope = principalOf(req).scope;
    const filter = await scopedDivision(db, scope, q.value.division);
    if (!filter.ok) return filter;
    const now = (await db.query<{ now: Date }>('SELECT now() AS now')).rows[0]!.now;
    const incidents = await listIncidents(db, q.value.since, filter.value, q.value.limit, scope);
    return ok({ incidents, now: new Date(now).toISOString() });
  }));
  return r;
}

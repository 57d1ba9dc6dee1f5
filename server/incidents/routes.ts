import { Router, type Request } from 'express';
import { rateLimit } from 'express-rate-limit';
import { z } from 'zod';
import { ERROR_STATUS } from '../../core/errors.js';
import { incidentBatchSchema, incidentCreateSchema, incidentListSchema, MAX_PHOTOS } from '../../core/incident-schema.js';
import { can } from '../../core/permissions.js';
import { ACTIONS, LEVELS, RATINGS, WORKFLOW } from '../../core/workflow.js';
import { noStore } from '../auth/no-store.js';
import { audit, guard, principalOf } from '../auth/principal.js';
import type { Config } from '../config.js';
import type { Db } from '../db/db.js';
import type { EventBus } from '../events/bus.js';
import { fail, ok, route, sendError, type Result } from '../http/errors.js';
import { idParam, validate } from '../http/validate.js';
import { scopedDivision } from '../layers/filters.js';
import { photosOfIncident } from '../photos/access.js';
import { reportRoutes } from '../reports/routes.js';
import { act, actorOf, caseDetail, duplicateCandidates, type ActionRequest, type Who } from './actions.js';
import { caseInScope, createIncident, createIncidents, listIncidents, WF_SQL } from './commands.js';
import { contactsOf, presentContact } from './contacts.js';
import type { CaseRow, IncidentView } from './presenter.js';
import { responsibilityRoutes } from './responsibility.js';
import { sharedRateLimitStore } from '../scale/rate-limit.js';

const STATE_CODES = WORKFLOW.states.map((s) => s.code);

const listSchema = incidentListSchema.extend({
  /** One or more states, comma-separated. */
  state: z.string().max(500).transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean))
    .pipe(z.array(z.enum(STATE_CODES as [string, ...string[]])).min(1)).optional(),
  overdue: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
  level: z.enum(LEVELS).optional(),
});

/** Uploaded photo ids (POST /api/photos), or free-form references kept in the trail as given. */
const photos = z.array(z.union([z.number().int().positive().max(2 ** 31 - 1), z.string().min(1).max(500)])).max(MAX_PHOTOS);
const actionSchema = z.object({
  action: z.enum(ACTIONS as [string, ...string[]]),
  note: z.string().max(2000).optional(),
  photos: photos.optional(),
  level: z.enum(LEVELS).optional(),
  departmentCode: z.string().min(1).max(64).optional(),
  rating: z.enum(RATINGS).optional(),
  into: z.number().int().positive().max(2 ** 31 - 1).optional(),
  // locate (定位落图): a point in a datum (checked by the action: unknown datum or metres → invalid_crs), or a grid.
  lon: z.number().finite().optional(),
  lat: z.number().finite().optional(),
  crs: z.string().max(32).optional(),
  gridId: z.number().int().positive().max(2 ** 31 - 1).optional(),
});
const mergeSchema = z.object({
  into: z.number().int().positive().max(2 ** 31 - 1),
  note: z.string().max(2000).optional(),
  photos: photos.optional(),
});

async function who(db: Db, req: Request): Promise<Who> {
  const p = principalOf(req);
  return { actor: await actorOf(db, p), scope: p.scope };
}

/** Callers' contacts, masked, for roles that may read personal data (others get no caller field). */
async function withCallers<T extends { id: number }>(db: Db, req: Request, cases: T[]): Promise<(T & { caller?: ReturnType<typeof presentContact> | null })[]> {
  if (!can(principalOf(req).role, 'read', 'resident_pii')) return cases;
  const contacts = await contactsOf(db, cases.map((c) => c.id));
  return cases.map((c) => {
    const row = contacts.get(c.id);
    return { ...c, caller: row ? presentContact(row, false) : null };
  });
}

export function incidentRoutes(db: Db, bus: EventBus, config: Config): Router {
  const r = Router();
  const intakeLimiter = rateLimit({
    windowMs: 60_000,
    limit: config.intakeRateLimit,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    keyGenerator: (req) => `${req.principal?.kind}:${req.principal?.id}`,
    store: sharedRateLimitStore(db, config, 'intake'), // counted across server processes when there are several
    handler: (_req, res) => sendError(res, fail('rate_limited', 'too many reports; slow down').error),
  });
  r.post('/api/incidents', guard('create', 'incident'), intakeLimiter, route(async (req, res) => {
    const input = validate(incidentCreateSchema, req.body);
    if (!input.ok) return input;
    const w = await who(db, req);
    const out = await createIncident(db, bus, input.value, w.scope, w.actor);
    if (!out.ok) return out;
    if (out.value.created) {
      await audit(db, req, { action: 'create', resource: 'incident', resourceId: out.value.incident.id });
    }
    res.status(out.value.created ? 201 : 200);
    if (!out.value.created) res.setHeader('Idempotent-Replayed', 'true');
    return ok(out.value.incident);
  }));
  // Many reports in one request, one transaction: validated whole (a malformed batch stores
  // nothing), then each report stored, replayed or refused on its own, with its HTTP status.
  r.post('/api/incidents/batch', guard('create', 'incident'), intakeLimiter, route(async (req) => {
    const input = validate(incidentBatchSchema, req.body);
    if (!input.ok) return input;
    const w = await who(db, req);
    const outs = await createIncidents(db, bus, input.value.incidents, w.scope, w.actor);
    const created = outs.flatMap((o) => (o.ok && o.value.created ? [o.value.incident.id] : []));
    if (created.length) await audit(db, req, { action: 'create', resource: 'incident', detail: { batch: outs.length, ids: created } });
    const results = outs.map((o) => (o.ok
      ? { status: o.value.created ? 201 : 200, incident: o.value.incident }
      : { status: ERROR_STATUS[o.error.code], error: { code: o.error.code, message: o.error.message, ...(o.error.details === undefined ? {} : { details: o.error.details }) } }));
    return ok({
      created: created.length, replayed: outs.filter((o) => o.ok && !o.value.created).length, failed: outs.filter((o) => !o.ok).length, results,
    });
  }));
  r.get('/api/incidents', guard('read', 'incident'), route(async (req) => {
    const q = validate(listSchema, req.query);
    if (!q.ok) return q;
    const scope = principalOf(req).scope;
    const filter = await scopedDivision(db, scope, q.value.division);
    if (!filter.ok) return filter;
    const now = (await db.query<{ now: Date }>('SELECT now() AS now')).rows[0]!.now;
    const incidents = await listIncidents(db, { since: q.value.since, states: q.value.state, overdue: q.value.overdue, level: q.value.level },
      filter.value, q.value.limit, scope);
    return ok({ incidents: await withCallers(db, req, incidents), now: new Date(now).toISOString() });
  }));

  // The workflow itself, for forms and legends: states, levels, actions, ratings.
  r.get('/api/workflow', guard('read', 'incident'), route(async () => ok({
    states: WORKFLOW.states,
    levels: WORKFLOW.levels.map((l) => ({ code: l.code, name: l.name, up: l.up })),
    ratings: WORKFLOW.ratings,
    transitions: WORKFLOW.transitions.map((t) => ({ action: t.action, name: t.name, from: t.from, to: t.to, roles: t.roles })),
    events: WORKFLOW.events,
  })));

  // One case with its readable trail (who, when, what, notes, photos) and the caller's next actions.
  r.get('/api/incidents/:id', guard('read', 'incident'), route(async (req) => {
    const p = validate(idParam, req.params);
    if (!p.ok) return p;
    const detail = await caseDetail(db, p.value.id, await who(db, req), can(principalOf(req).role, 'update', 'incident'));
    if (!detail) return fail('not_found', `incident ${p.value.id} not found`);
    const [incident] = await withCallers(db, req, [detail.incident]);
    return ok({ ...detail, incident: incident!, photos: await photosOfIncident(db, p.value.id) });
  }));

  // The caller's contact details: masked, or in full (?full=1) for roles with read_full, audited.
  r.get('/api/incidents/:id/contact', guard('read', 'resident_pii'), noStore, route(async (req) => {
    const p = validate(idParam, req.params);
    if (!p.ok) return p;
    const full = validate(z.object({ full: z.enum(['0', '1']).default('0') }), { full: req.query.full });
    if (!full.ok) return full;
    const me = principalOf(req);
    const row = (await db.query<CaseRow>(WF_SQL.caseById, [p.value.id])).rows[0];
    if (!row || !caseInScope(me.scope, row)) return fail('not_found', `incident ${p.value.id} not found`);
    const contact = (await contactsOf(db, [row.id])).get(row.id);
    if (!contact) return fail('not_found', `incident ${row.id} has no caller details`);
    if (full.value.full === '1') {
      if (!can(me.role, 'read_full', 'resident_pii')) {
        await audit(db, req, { action: 'read_full', resource: 'incident_contact', resourceId: row.id, outcome: 'denied' });
        return fail('forbidden', `role ${me.role} may not see unmasked personal data`);
      }
      await audit(db, req, { action: 'read_full', resource: 'incident_contact', resourceId: row.id });
      return ok(presentContact(contact, true));
    }
    return ok(presentContact(contact, false));
  }));

  r.get('/api/incidents/:id/duplicates', guard('read', 'incident'), route(async (req) => {
    const p = validate(idParam, req.params);
    if (!p.ok) return p;
    const found = await duplicateCandidates(db, p.value.id, principalOf(req).scope, config.duplicateRadiusM, config.duplicateWindowHours);
    if (!found) return fail('not_found', `incident ${p.value.id} not found`);
    return ok({ radiusM: config.duplicateRadiusM, windowHours: config.duplicateWindowHours, duplicates: found });
  }));

  /** Act, audit (refusals for lack of right too), and return the changed case(s). */
  const perform = async (req: Request, id: number, body: ActionRequest): Promise<Result<{ incident: IncidentView; into?: IncidentView }>> => {
    const out = await act(db, bus, id, await who(db, req), body);
    if (!out.ok) {
      if (out.error.code === 'forbidden') {
        await audit(db, req, { action: body.action, resource: 'incident', resourceId: id, outcome: 'denied', detail: { reason: out.error.message } });
      }
      return out;
    }
    const { incident, into } = out.value;
    await audit(db, req, { action: body.action, resource: 'incident', resourceId: id,
      detail: { status: incident.status, level: incident.level, ...(into ? { into: into.id } : {}) } });
    return out;
  };

  r.post('/api/incidents/:id/actions', guard('update', 'incident'), route(async (req) => {
    const p = validate(idParam, req.params);
    if (!p.ok) return p;
    const body = validate(actionSchema, req.body);
    if (!body.ok) return body;
    const out = await perform(req, p.value.id, body.value);
    return out.ok ? ok(out.value.incident) : out;
  }));

  r.post('/api/incidents/:id/merge', guard('update', 'incident'), route(async (req) => {
    const p = validate(idParam, req.params);
    if (!p.ok) return p;
    const body = validate(mergeSchema, req.body);
    if (!body.ok) return body;
    // The merged case (now a duplicate) and the surviving case with every reporter.
    const out = await perform(req, p.value.id, { action: 'merge', ...body.value });
    return out.ok ? ok({ merged: out.value.incident, into: out.value.into }) : out;
  }));

  r.use(responsibilityRoutes(db));
  r.use(reportRoutes(db));
  return r;
}

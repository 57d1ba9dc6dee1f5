// Open311 GeoReport v2 (JSON only): services from the incident categories, service requests from
// cases. Clients authenticate with api_key (an API token, looked up exactly as a Bearer token is;
// an Authorization: Bearer header works too; cookie sessions do not), send form-encoded or JSON
// bodies, and get errors in the spec's format [{"code":400,"description":"…"}] with the same HTTP
// status. Idempotency: attribute[client_key] when the client sends one; otherwise the same token,
// device_id and parameters within OPEN311_REPLAY_WINDOW_MINUTES are one request (see georeport.ts).
import express, { Router, type NextFunction, type Request, type Response } from 'express';
import { rateLimit } from 'express-rate-limit';
import { z } from 'zod';
import { incidentCreateSchema } from '../../core/incident-schema.js';
import type { Role } from '../../core/permissions.js';
import { audit, guard, principalOf, sha256, SQL as AUTH_SQL } from '../auth/principal.js';
import { mapFilter, resolveScope, type Binding } from '../auth/scope.js';
import type { Config } from '../config.js';
import type { Db } from '../db/db.js';
import { loadSql } from '../db/sql.js';
import type { EventBus } from '../events/bus.js';
import { fail, ok, route, sendError, type Result } from '../http/errors.js';
import { refuseNotText } from '../http/input.js';
import { validate } from '../http/validate.js';
import { actorOf } from '../incidents/actions.js';
import { sharedRateLimitStore } from '../scale/rate-limit.js';
import { createIncident } from '../incidents/commands.js';
import {
  CLIENT_KEY, clientKeyAttribute, derivedKeys, postRequestSchema, presentRequest, serviceNotice, statesFor, toIncident,
  type RequestRow,
} from './georeport.js';

const SQL = loadSql(new URL('./open311.sql', import.meta.url), ['services', 'requests', 'keyCreated']);
const BASE = '/open311/v2';
const DAY = 86_400_000;
/** Spec default for GET requests.json without dates: the last 90 days, at most 1000 requests. */
const DEFAULT_DAYS = 90;
const MAX_REQUESTS = 1000;

/** Our error bodies in the spec's format; an unknown or missing api_key is 403 as the spec says. */
function open311Errors(_req: Request, res: Response, next: NextFunction): void {
  const json = res.json.bind(res);
  res.json = (body: unknown) => {
    const e = (body as { error?: { code?: unknown; message?: unknown } } | null)?.error;
    if (res.statusCode >= 400 && e && typeof e.code === 'string') {
      const status = res.statusCode === 401 ? 403 : res.statusCode;
      res.status(status);
      return json([{ code: status, description: String(e.message) }]);
    }
    return json(body);
  };
  next();
}

const bearer = (req: Request) => /^Bearer\s+(\S{1,200})$/.exec(req.headers.authorization?.trim() ?? '')?.[1];

/** api_key (body or query) or Bearer → the token's principal, by the same sha256 lookup as authenticate(). */
function apiKeyAuth(db: Db) {
  return async (req: Request, res: Response, next: NextFunction) => {
    try {
      const param = (req.body as Record<string, unknown> | undefined)?.api_key ?? req.query.api_key;
      const key = param === undefined ? bearer(req) : param;
      if (typeof key !== 'string' || !/^[\x21-\x7e]{1,200}$/.test(key)) {
        return sendError(res, fail('unauthorized', 'api_key is required').error);
      }
      const t = (await db.query<Binding & { id: number; name: string; kind: 'api' | 'kiosk'; role: Role }>(
        AUTH_SQL.tokenLookup, [sha256(key)])).rows[0];
      if (!t) return sendError(res, fail('unauthorized', 'invalid api_key').error);
      await db.query(AUTH_SQL.touchToken, [t.id]);
      req.principal = {
        kind: 'token', id: t.id, name: t.name, displayName: t.name, role: t.role, binding: t, scope: await resolveScope(db, t),
        via: 'bearer', tokenKind: t.kind, mustChangePassword: false,
      };
      next();
    } catch (e) {
      next(e);
    }
  };
}

const list = (s: string) => s.split(',').map((x) => x.trim()).filter(Boolean);
const requestsQuery = z.object({
  service_request_id: z.string().max(2000).optional(),
  service_code: z.string().max(2000).optional(),
  start_date: z.iso.datetime({ offset: true }).optional(),
  end_date: z.iso.datetime({ offset: true }).optional(),
  status: z.string().max(100).transform(list).pipe(z.array(z.enum(['open', 'closed'])).min(1)).optional(),
});
const idList = (s: string | undefined): Result<number[] | null> => {
  if (s === undefined) return ok(null);
  const ids = list(s);
  if (ids.length === 0 || ids.length > MAX_REQUESTS || !ids.every((x) => /^\d{1,9}$/.test(x))) {
    return fail('invalid_request', 'service_request_id: one or more request ids, comma-separated');
  }
  return ok(ids.map(Number));
};

export function open311Routes(db: Db, bus: EventBus, config: Config): Router {
  const r = Router();
  r.use('/open311', open311Errors);
  r.use(BASE, (req, res, next) => {
    const hasBody = req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
    if (req.method === 'POST' && hasBody && !req.is(['application/x-www-form-urlencoded', 'application/json'])) {
      return sendError(res, fail('unsupported_media_type', 'send application/x-www-form-urlencoded or application/json').error);
    }
    next();
  });
  // Form fields stay flat ("attribute[client_key]"), as the spec writes them.
  r.use(BASE, express.urlencoded({ extended: false, limit: config.maxBodyBytes, parameterLimit: 100 }));
  r.use(BASE, express.json({ limit: config.maxBodyBytes, strict: true }));
  // NUL bytes and lone surrogates in form, JSON or query fields: 400 naming the field (spec format).
  r.use(BASE, refuseNotText);

  const intakeLimiter = rateLimit({
    windowMs: 60_000,
    limit: config.intakeRateLimit,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    keyGenerator: (req) => `open311:${req.principal?.kind}:${req.principal?.id}`,
    store: sharedRateLimitStore(db, config, 'open311'), // counted across server processes when there are several
    handler: (_req, res) => sendError(res, fail('rate_limited', 'too many requests; slow down').error),
  });

  // Public, as in the spec: the service list is reference data.
  r.get(`${BASE}/services.json`, route(async () => {
    const rows = (await db.query<{ code: string; name: string; group_name: string | null; deadline_hours: number | null }>(SQL.services)).rows;
    return ok(rows.map((s) => ({
      service_code: s.code,
      service_name: s.name,
      description: s.deadline_hours == null ? s.name : `${s.name}：网格受理后 ${s.deadline_hours} 小时内处置，逾期逐级上报`,
      metadata: false,
      type: 'realtime',
      keywords: [s.code, s.name].join(', '),
      group: s.group_name ?? '其他',
    })));
  }));
  r.get(`${BASE}/services/:code.json`, route(async (req) => {
    const rows = (await db.query<{ code: string }>(SQL.services)).rows;
    const code = String(req.params.code);
    if (!rows.some((s) => s.code === code)) return fail('not_found', `service_code ${code} not found`);
    return ok({ service_code: code, attributes: [] });
  }));

  r.post(`${BASE}/requests.json`, apiKeyAuth(db), guard('create', 'incident'), intakeLimiter, route(async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const params = validate(postRequestSchema, body);
    if (!params.ok) return params;
    const me = principalOf(req);
    let clientKey: string;
    const given = clientKeyAttribute(body);
    if (given !== undefined) {
      if (typeof given !== 'string' || !CLIENT_KEY.test(given)) {
        return fail('invalid_request', 'attribute[client_key]: 8–120 letters, digits, _ . : -');
      }
      clientKey = `o311:${given}`;
    } else {
      const keys = derivedKeys(me, params.value, config.open311ReplayWindowMs);
      const prev = (await db.query<{ created_at: Date }>(SQL.keyCreated, [keys.previous])).rows[0];
      const recent = prev && Date.now() - new Date(prev.created_at).getTime() <= config.open311ReplayWindowMs;
      clientKey = recent ? keys.previous : keys.current;
    }
    const input = validate(incidentCreateSchema, toIncident(params.value, clientKey));
    if (!input.ok) return input;
    const out = await createIncident(db, bus, input.value, me.scope, await actorOf(db, me));
    if (!out.ok) return out;
    const { incident, created } = out.value;
    if (created) await audit(db, req, { action: 'create', resource: 'incident', resourceId: incident.id, detail: { via: 'open311' } });
    res.status(created ? 201 : 200);
    if (!created) res.setHeader('Idempotent-Replayed', 'true');
    return ok([{ service_request_id: String(incident.id), service_notice: serviceNotice(incident), account_id: params.value.account_id ?? null }]);
  }));

  const find = async (req: Request, ids: number[] | null, q: z.infer<typeof requestsQuery>) => {
    const scope = principalOf(req).scope;
    const f = mapFilter(scope);
    let start = q.start_date ?? null;
    if (ids === null && !q.start_date) start = new Date(Date.parse(q.end_date ?? new Date().toISOString()) - DEFAULT_DAYS * DAY).toISOString();
    const rows = (await db.query<RequestRow>(SQL.requests, [
      ids, q.service_code ? list(q.service_code) : null, ids === null ? start : null, ids === null ? q.end_date ?? null : null,
      ids === null && q.status ? statesFor(q.status) : null, f.communities, f.gridId,
      scope.kind === 'department' ? scope.departmentId : null, MAX_REQUESTS,
    ])).rows;
    return rows.map(presentRequest);
  };

  r.get(`${BASE}/requests.json`, apiKeyAuth(db), guard('read', 'incident'), route(async (req) => {
    const q = validate(requestsQuery, req.query);
    if (!q.ok) return q;
    // The spec's name is service_request_id (comma-separated); service_request_ids is accepted too.
    const raw = req.query.service_request_id ?? req.query.service_request_ids;
    const ids = idList(typeof raw === 'string' ? raw : raw === undefined ? undefined : '');
    if (!ids.ok) return ids;
    // With ids, the spec ignores every other filter.
    return ok(await find(req, ids.value, ids.value ? {} : q.value));
  }));

  r.get(`${BASE}/requests/:id.json`, apiKeyAuth(db), guard('read', 'incident'), route(async (req) => {
    const id = String(req.params.id);
    const found = /^\d{1,9}$/.test(id) ? await find(req, [Number(id)], {}) : [];
    return found.length ? ok(found) : fail('not_found', `service request ${id} not found`);
  }));

  r.all(/^\/open311\/v2\/.+\.xml$/, (_req, res) => sendError(res, fail('invalid_request', 'only JSON is served: use the .json endpoints').error));
  r.all(/^\/open311(\/.*)?$/, (req, res) => sendError(res, fail('not_found', `no Open311 endpoint ${req.method} ${req.path}`).error));
  // Body parser refusals (too large, malformed, too many fields) in the spec's format.
  r.use('/open311', (err: unknown, _req: Request, res: Response, next: NextFunction) => {
    const e = err as { type?: unknown; status?: unknown; message?: unknown };
    if (typeof e?.type === 'string' && typeof e.status === 'number' && e.status >= 400 && e.status < 500) {
      const code = e.status === 413 ? 'payload_too_large' : e.status === 415 ? 'unsupported_media_type' : e.type === 'entity.parse.failed' ? 'malformed_json' : 'invalid_request';
      return sendError(res, fail(code, e.type === 'entity.parse.failed' ? 'request body is not valid JSON' : String(e.message)).error);
    }
    next(err);
  });
  return r;
}

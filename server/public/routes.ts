// The public pages' API (/api/public/…): no account. What residents send is proven by secrets the
// server handed out, in custom headers (so a cross-site form cannot send them and no cookie is
// involved: CSRF does not apply): X-Resident-Ticket (a verified phone), X-Track-Token (a report's
// private link), X-Vote-Link (a one-time voting link from the desk). Every write is rate-limited per
// address, codes per phone as well; answers carry no personal data (phones masked, and only to
// their owner). Staff routes beside them (the desk's codes and voting links, projects, points) go
// through guard() like every other route. Unknown /api/public routes answer as any unknown /api
// route does (401 without credentials).
import { join } from 'node:path';
import { Router, type Request, type Response } from 'express';
import { rateLimit } from 'express-rate-limit';
import multer from 'multer';
import { z } from 'zod';
import { pointsRulesSchema } from '../../core/points.js';
import type { CodeIssued, PublicDistrict, TicketIssued } from '../../core/public-contract.js';
import { maskPhone } from '../../core/permissions.js';
import { OSM_ATTRIBUTION } from '../../core/types.js';
import { noStore } from '../auth/no-store.js';
import { audit, guard, principalOf } from '../auth/principal.js';
import { mapFilter, type Scope } from '../auth/scope.js';
import type { Config } from '../config.js';
import type { Db } from '../db/db.js';
import type { EventBus } from '../events/bus.js';
import { fail, ok, route, sendError, type Result } from '../http/errors.js';
import { idParam, validate } from '../http/validate.js';
import { WF_SQL, caseInScope } from '../incidents/commands.js';
import type { CaseRow } from '../incidents/presenter.js';
import { createPhotoStorage, StorageUnavailableError, type PhotoStorage } from '../photos/storage.js';
import { preparePhoto, storePrepared } from '../photos/store.js';
import { sharedRateLimitStore } from '../scale/rate-limit.js';
import { renderTile, type TileEncoder } from '../tiles/encode.js';
import { TILE_LAYERS } from '../tiles/layers.js';
import {
  addProject, castVote, communityOf, dbNow, issueVoteLink, projectRow, results, setProjectStatus, summary,
} from './community.js';
import { deskCodes, markDeskCode, voteLinks } from './desk.js';
import { issueCode, liveCode, phoneHash, phoneOf, SQL, ticketOf, verifyCode } from './identity.js';
import { adjust, awardOnVerify, getRules, leaderboard, ledger, rejectReport, setRules, settle } from './points.js';
import { fileReport, rateCase, residentPhoto, staffReports, trackedCase } from './reports.js';
import {
  adjustSchema, awardSchema, codeRequestSchema, communityCodeParam, deskCodeSchema, deskListQuery, ledgerQuery, projectSchema, projectStatusSchema,
  rateSchema, rejectSchema, reportSchema, staffReportsQuery, verifySchema, voteLinkListQuery, voteLinkSchema, voteSchema, yearQuery,
} from './schema.js';

export const TICKET_HEADER = 'x-resident-ticket';
export const TRACK_HEADER = 'x-track-token';
export const VOTE_LINK_HEADER = 'x-vote-link';
const PHOTO_FIELD = 'photo';

/** Per-address limit on the public writes (the limit answers 429 rate_limited). */
function publicLimiter(db: Db, config: Config, prefix: string) {
  return rateLimit({
    windowMs: 60_000,
    limit: config.publicRateLimit,
    store: sharedRateLimitStore(db, config, prefix), // counted across server processes when there are several
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    handler: (_req, res) => sendError(res, fail('rate_limited', 'too many requests from this address; slow down').error),
  });
}

/** A community in the principal's jurisdiction (staff routes). */
export function communityInScope(scope: Scope, code: string): boolean {
  switch (scope.kind) {
    case 'all': return true;
    case 'division': return scope.codes.includes(code);
    case 'grid': return scope.communityCode === code;
    case 'department': return false;
  }
}

const header = (req: Request, name: string) => {
  const v = req.headers[name];
  return typeof v === 'string' ? v.trim() : undefined;
};

/** The photo upload (multipart): mounted before the app's JSON-only rule, like /api/photos. */
export function publicUploadRoutes(db: Db, config: Config, opts: { storage?: PhotoStorage; log?: (m: string, e?: unknown) => void } = {}): Router {
  const r = Router();
  const storage = opts.storage ?? createPhotoStorage(config);
  const log = opts.log ?? (() => undefined);
  const upload = multer({ storage: multer.memoryStorage(), limits: { fileSize: config.maxPhotoBytes, files: 1, fields: 5, fieldSize: 1024, parts: 6 } })
    .single(PHOTO_FIELD);
  const receive = (req: Request, res: Response) => new Promise<Result<Express.Multer.File>>((resolve, reject) => {
    if (!req.is('multipart/form-data')) {
      resolve(fail('unsupported_media_type', `send multipart/form-data with one image in the field "${PHOTO_FIELD}"`));
      return;
    }
    upload(req, res, (err: unknown) => {
      if (err instanceof multer.MulterError) {
        resolve(err.code === 'LIMIT_FILE_SIZE' ? fail('payload_too_large', `a photo may have at most ${config.maxPhotoBytes} bytes`)
          : fail('invalid_request', `${err.message}: send one image in the field "${PHOTO_FIELD}"`));
      } else if (err) {
        if (err instanceof Error && /multipart|boundary|unexpected end/i.test(err.message)) resolve(fail('invalid_request', 'malformed multipart body'));
        else reject(err);
      } else if (!req.file) resolve(fail('invalid_request', `no file in the field "${PHOTO_FIELD}"`));
      else resolve(ok(req.file));
    });
  });
  r.post('/api/public/photos', publicLimiter(db, config, 'public-photo'), noStore, route(async (req, res) => {
    // The ticket first: nothing is read or stored for a caller who has not verified a phone.
    const who = await ticketOf(db, header(req, TICKET_HEADER), 'report');
    if (!who.ok) return who;
    const file = await receive(req, res);
    if (!file.ok) return file;
    const prepared = await preparePhoto(file.value.buffer);
    if (!prepared.ok) return prepared;
    try {
      await storePrepared(storage, prepared.value);
    } catch (e) {
      if (!(e instanceof StorageUnavailableError)) throw e;
      log('public photo refused: storage unavailable', e);
      res.setHeader('Retry-After', '30');
      return fail('storage_unavailable', 'photo storage is unavailable; try again later');
    }
    const p = await residentPhoto(db, prepared.value.file, who.value);
    res.status(p.created ? 201 : 200);
    const f = prepared.value.file;
    return ok({ id: p.id, mime: f.mime, bytes: f.bytes, width: f.width, height: f.height });
  }));
  return r;
}

export function publicRoutes(db: Db, bus: EventBus, config: Config, encoder: TileEncoder, log: (m: string, e?: unknown) => void): Router {
  const r = Router();
  const limiter = publicLimiter(db, config, 'public');
  awardOnVerify(db, bus, log);

  // ---- For everyone ----
  r.get('/api/public/district', route(async () => {
    const d = (await db.query<{ code: string; name: string; xmin: number; ymin: number; xmax: number; ymax: number }>(SQL.district)).rows[0];
    if (!d) return fail('not_found', 'no district loaded');
    const communities = (await db.query<{ code: string; name: string }>(SQL.communities)).rows;
    const categories = (await db.query<{ code: string; name: string }>(SQL.categories)).rows;
    return ok({
      code: d.code, name: d.name, bbox: [d.xmin, d.ymin, d.xmax, d.ymax], tilesUrl: '/api/public/tiles/base/{z}/{x}/{y}.pbf',
      attribution: OSM_ATTRIBUTION, communities, categories,
    } satisfies PublicDistrict);
  }));

  // The district's own base map (OSM water, land use, roads, buildings, boundaries: no case, no person).
  const tileParams = z.object({ z: z.coerce.number().int().min(0).max(22), x: z.coerce.number().int().min(0), y: z.coerce.number().int().min(0) })
    .refine((p) => p.x < 2 ** p.z && p.y < 2 ** p.z, 'x and y must be within the zoom level');
  r.get('/api/public/tiles/base/:z/:x/:y.pbf', route(async (req, res) => {
    const p = validate(tileParams, req.params);
    if (!p.ok) return p;
    const base = TILE_LAYERS.base!;
    const tile = await renderTile(db, encoder, base.sources, p.value.z, p.value.x, p.value.y, { communities: null, gridId: null, departmentId: null });
    res.setHeader('Cache-Control', `public, max-age=${base.maxAge}`);
    if (tile.length === 0) {
      res.status(204).end();
      return undefined;
    }
    res.type('application/vnd.mapbox-vector-tile').send(Buffer.from(tile.buffer, tile.byteOffset, tile.byteLength));
    return undefined;
  }));

  r.post('/api/public/codes', limiter, noStore, route(async (req, res) => {
    const body = validate(codeRequestSchema, req.body);
    if (!body.ok) return body;
    const phone = phoneOf(body.value.phone);
    if (!phone.ok) return phone;
    const issued = await issueCode(db, phone.value, body.value.purpose, 'self');
    if (!issued.ok) {
      const after = (issued.error.details as { retryAfterS?: number } | undefined)?.retryAfterS;
      if (after) res.setHeader('Retry-After', String(after));
      return issued;
    }
    // No SMS gateway is configured here: with SMS_MODE=dev the answer carries the code; otherwise
    // the desk reads it out (POST /api/public/desk/codes), and a gateway would be called here.
    if (config.smsMode === 'dev') log(`SMS_MODE=dev: code ${issued.value.code} for ${maskPhone(phone.value)}`);
    res.status(201);
    return ok({
      purpose: body.value.purpose, phone: maskPhone(phone.value), delivery: config.smsMode, expiresAt: issued.value.expiresAt.toISOString(),
      ...(config.smsMode === 'dev' ? { devCode: issued.value.code } : {}),
    } satisfies CodeIssued);
  }));

  r.post('/api/public/verify', limiter, noStore, route(async (req) => {
    const body = validate(verifySchema, req.body);
    if (!body.ok) return body;
    const phone = phoneOf(body.value.phone);
    if (!phone.ok) return phone;
    const t = await verifyCode(db, phone.value, body.value.purpose, body.value.code);
    if (!t.ok) return t;
    return ok({ ticket: t.value.token, purpose: body.value.purpose, phone: maskPhone(phone.value), expiresAt: t.value.expiresAt.toISOString() } satisfies TicketIssued);
  }));

  r.post('/api/public/reports', limiter, noStore, route(async (req, res) => {
    const who = await ticketOf(db, header(req, TICKET_HEADER), 'report');
    if (!who.ok) return who;
    const body = validate(reportSchema, req.body);
    if (!body.ok) return body;
    const phone = phoneOf(body.value.phone);
    if (!phone.ok) return phone;
    if (await phoneHash(db, phone.value) !== who.value.phoneHash) return fail('verification_required', 'the phone is not the one verified');
    const out = await fileReport(db, bus, who.value, phone.value, body.value, config.publicDailyReports);
    if (!out.ok) return out;
    if (out.value.created) {
      await audit(db, req, { action: 'create', resource: 'incident', resourceId: out.value.caseId, actor: `居民${who.value.phoneMasked}`, detail: { via: 'public_report' } });
    }
    res.status(out.value.created ? 201 : 200);
    if (!out.value.created) res.setHeader('Idempotent-Replayed', 'true');
    return out;
  }));

  r.get('/api/public/case', noStore, route(async (req) => {
    const c = await trackedCase(db, header(req, TRACK_HEADER));
    if (!c.ok) return c;
    const { reportId: _r, ...view } = c.value;
    return ok(view);
  }));

  r.post('/api/public/case/rating', limiter, noStore, route(async (req) => {
    const c = await trackedCase(db, header(req, TRACK_HEADER));
    if (!c.ok) return c;
    const body = validate(rateSchema, req.body);
    if (!body.ok) return body;
    const out = await rateCase(db, bus, c.value.reportId, body.value.rating, body.value.note);
    if (!out.ok) return out;
    const again = await trackedCase(db, header(req, TRACK_HEADER));
    if (!again.ok) return again;
    const { reportId: _r, ...view } = again.value;
    return ok(view);
  }));

  const community = async (req: Request): Promise<Result<{ code: string; name: string }>> => {
    const p = validate(communityCodeParam, req.params);
    if (!p.ok) return p;
    const c = await communityOf(db, p.value.code);
    return c ? ok(c) : fail('not_found', `community ${p.value.code} not found`);
  };
  r.get('/api/public/communities/:code/summary', route(async (req, res) => {
    const c = await community(req);
    if (!c.ok) return c;
    res.setHeader('Cache-Control', 'public, max-age=60');
    return ok(await summary(db, c.value));
  }));
  // The year's vote results (the wall shows them too).
  r.get('/api/public/communities/:code/votes', route(async (req, res) => {
    const c = await community(req);
    if (!c.ok) return c;
    const q = validate(yearQuery, req.query);
    if (!q.ok) return q;
    res.setHeader('Cache-Control', 'no-cache');
    return ok(await results(db, c.value, q.value.year));
  }));
  r.get('/api/public/communities/:code/leaderboard', route(async (req, res) => {
    const c = await community(req);
    if (!c.ok) return c;
    res.setHeader('Cache-Control', 'no-cache');
    return ok(await leaderboard(db, c.value.code, c.value.name));
  }));
  r.post('/api/public/communities/:code/votes', limiter, noStore, route(async (req, res) => {
    const c = await community(req);
    if (!c.ok) return c;
    const body = validate(voteSchema, req.body);
    if (!body.ok) return body;
    const link = header(req, VOTE_LINK_HEADER);
    let by: { residentId: number } | { linkToken: string };
    if (link !== undefined) {
      if (!/^[A-Za-z0-9_-]{20,100}$/.test(link)) return fail('verification_required', 'this voting link is not valid');
      by = { linkToken: link };
    } else {
      const who = await ticketOf(db, header(req, TICKET_HEADER), 'vote');
      if (!who.ok) return who;
      by = { residentId: who.value.residentId };
    }
    const out = await castVote(db, c.value.code, body.value.projectId, by);
    if (!out.ok) return out;
    res.status(201);
    return out;
  }));

  // ---- Staff ----
  // The desk (服务台): the live code a resident asked for, or a new one, read out to them; audited.
  r.post('/api/public/desk/codes', guard('read_full', 'resident_pii'), noStore, route(async (req, res) => {
    const body = validate(deskCodeSchema, req.body);
    if (!body.ok) return body;
    const phone = phoneOf(body.value.phone);
    if (!phone.ok) return phone;
    let code = await liveCode(db, phone.value, body.value.purpose);
    let issued: 'live' | 'new' = 'live';
    if (!code) {
      const n = await issueCode(db, phone.value, body.value.purpose, 'desk');
      if (!n.ok) return n;
      code = n.value;
      issued = 'new';
      res.status(201);
    }
    // The desk's own list (GET below) shows what it handed out.
    await markDeskCode(db, phone.value, body.value.purpose, principalOf(req).name);
    await audit(db, req, { action: 'read_full', resource: 'public_code', detail: { phone: maskPhone(phone.value), purpose: body.value.purpose, issued } });
    return ok({ phone: maskPhone(phone.value), purpose: body.value.purpose, code: code.code, expiresAt: code.expiresAt.toISOString(), issued });
  }));
  // The codes this desk account handed out: masked phones and states, never the codes.
  r.get('/api/public/desk/codes', guard('read_full', 'resident_pii'), noStore, route(async (req) => {
    const q = validate(deskListQuery, req.query);
    if (!q.ok) return q;
    return ok({ codes: await deskCodes(db, principalOf(req).name, q.value.limit) });
  }));
  // The one-time voting links of the communities in the caller's jurisdiction (never the tokens).
  r.get('/api/public/desk/vote-links', guard('update', 'incident'), noStore, route(async (req) => {
    const q = validate(voteLinkListQuery, req.query);
    if (!q.ok) return q;
    const scope = principalOf(req).scope;
    if (scope.kind === 'department') return fail('forbidden', 'departments issue no voting links');
    if (q.value.community && !communityInScope(scope, q.value.community)) return fail('not_found', `community ${q.value.community} not found`);
    const communities = q.value.community ? [q.value.community]
      : scope.kind === 'all' ? null : scope.kind === 'grid' ? [scope.communityCode] : scope.codes;
    return ok({ links: await voteLinks(db, communities, q.value.year ?? null, q.value.limit, await dbNow(db)) });
  }));

  r.post('/api/public/desk/vote-links', guard('update', 'incident'), noStore, route(async (req, res) => {
    const body = validate(voteLinkSchema, req.body);
    if (!body.ok) return body;
    const me = principalOf(req);
    const c = await communityOf(db, body.value.communityCode);
    if (!c || !communityInScope(me.scope, c.code)) return fail('not_found', `community ${body.value.communityCode} not found`);
    const link = await issueVoteLink(db, c.code, body.value.year, me.displayName);
    await audit(db, req, { action: 'create', resource: 'public_vote_link', detail: { community: c.code, year: link.year } });
    res.status(201);
    return ok(link);
  }));

  r.post('/api/public/projects', guard('update', 'incident'), route(async (req, res) => {
    const body = validate(projectSchema, req.body);
    if (!body.ok) return body;
    const me = principalOf(req);
    const c = await communityOf(db, body.value.communityCode);
    if (!c || !communityInScope(me.scope, c.code)) return fail('not_found', `community ${body.value.communityCode} not found`);
    const p = await addProject(db, c.code, body.value.year, body.value.title, body.value.description, me.displayName);
    await audit(db, req, { action: 'create', resource: 'public_project', resourceId: p.id, detail: { community: c.code, year: p.year } });
    res.status(201);
    return ok(p);
  }));
  r.post('/api/public/projects/:id/status', guard('update', 'incident'), route(async (req) => {
    const p = validate(idParam, req.params);
    if (!p.ok) return p;
    const body = validate(projectStatusSchema, req.body);
    if (!body.ok) return body;
    const found = await projectRow(db, p.value.id);
    if (!found || !communityInScope(principalOf(req).scope, found.communityCode)) return fail('not_found', `project ${p.value.id} not found`);
    const next = await setProjectStatus(db, found.id, body.value.status);
    await audit(db, req, { action: 'update', resource: 'public_project', resourceId: found.id, detail: { from: found.status, to: next.status } });
    return ok(next);
  }));

  // Points: rules (admin), awards and adjustments (admin), invalid reports (case handlers), the ledger.
  r.get('/api/public/points/rules', route(async () => ok(await getRules(db))));
  r.put('/api/public/points/rules', guard('update', 'workflow'), route(async (req) => {
    const body = validate(pointsRulesSchema, req.body);
    if (!body.ok) return body;
    const before = await getRules(db);
    const after = await setRules(db, body.value, principalOf(req).displayName);
    await audit(db, req, { action: 'update', resource: 'points_rule', detail: { before, after: body.value } });
    return ok(after);
  }));
  r.post('/api/public/points/award', guard('update', 'workflow'), route(async (req, res) => {
    const body = validate(awardSchema, req.body);
    if (!body.ok) return body;
    const out = await settle(db, body.value.incidentId, principalOf(req).displayName);
    await audit(db, req, { action: 'create', resource: 'points_ledger', resourceId: body.value.incidentId, outcome: out.ok ? 'ok' : 'denied',
      detail: out.ok ? { delta: out.value.delta } : { refused: out.error.code } });
    if (out.ok) res.status(201);
    return out;
  }));
  r.post('/api/public/points/adjust', guard('update', 'workflow'), route(async (req, res) => {
    const body = validate(adjustSchema, req.body);
    if (!body.ok) return body;
    if (!(await communityOf(db, body.value.communityCode))) return fail('not_found', `community ${body.value.communityCode} not found`);
    const out = await adjust(db, body.value.residentId, body.value.communityCode, body.value.delta, body.value.note, principalOf(req).displayName);
    if (!out.ok) return out;
    await audit(db, req, { action: 'create', resource: 'points_ledger', resourceId: out.value.id, detail: { delta: out.value.delta } });
    res.status(201);
    return out;
  }));
  r.post('/api/public/reports/:id/invalid', guard('update', 'incident'), route(async (req) => {
    const p = validate(idParam, req.params);
    if (!p.ok) return p;
    const body = validate(rejectSchema, req.body);
    if (!body.ok) return body;
    const row = (await db.query<CaseRow>(WF_SQL.caseById, [p.value.id])).rows[0];
    if (!row || !caseInScope(principalOf(req).scope, row)) return fail('not_found', `incident ${p.value.id} not found`);
    const out = await rejectReport(db, p.value.id, body.value.note, principalOf(req).displayName);
    if (!out.ok) return out;
    await audit(db, req, { action: 'update', resource: 'public_report', resourceId: p.value.id, detail: { invalid: true, reversed: out.value.reversed?.delta ?? 0 } });
    return out;
  }));
  // The latest resident reports in the caller's jurisdiction, with their case, state, invalid mark
  // and points: the list staff mark invalid from (and an admin adjusts points from).
  r.get('/api/public/reports', guard('read', 'incident'), noStore, route(async (req) => {
    const q = validate(staffReportsQuery, req.query);
    if (!q.ok) return q;
    const scope = principalOf(req).scope;
    if (scope.kind === 'department') return fail('forbidden', 'departments see no resident reports list');
    if (q.value.community && !communityInScope(scope, q.value.community)) return fail('not_found', `community ${q.value.community} not found`);
    const f = mapFilter(scope);
    return ok({ reports: await staffReports(db, { communities: q.value.community ? [q.value.community] : f.communities, gridId: f.gridId }, q.value.limit) });
  }));
  r.get('/api/public/points/ledger', guard('read', 'incident'), noStore, route(async (req) => {
    const q = validate(ledgerQuery, req.query);
    if (!q.ok) return q;
    const scope = principalOf(req).scope;
    if (scope.kind === 'department') return fail('forbidden', 'departments see no points ledger');
    if (q.value.community && !communityInScope(scope, q.value.community)) return fail('not_found', `community ${q.value.community} not found`);
    const communities = q.value.community ? [q.value.community]
      : scope.kind === 'all' ? null : scope.kind === 'grid' ? [scope.communityCode] : scope.codes;
    return ok({ entries: await ledger(db, communities, q.value.limit) });
  }));

  // The community page itself: /public/<code> is public.html (the page reads the code from its path).
  r.get('/public/:code', (req, res, next) => {
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(String(req.params.code))) return next();
    res.sendFile(join(config.clientDist, 'public.html'), (err) => { if (err) next(); });
  });
  return r;
}


// /api/grid-editor (issue 11): the analyst's grid editor. Permissions: guard(·, 'grid_edit');
// jurisdiction: a community outside the principal's scope is 404. Every draft save, discard,
// publish, rollback and import is audited with the household figures. The contract is
// core/grid-edit/contract.ts.
import { Router, type Request } from 'express';
import { z } from 'zod';
import {
  discardDraftRequestSchema, publishRequestSchema, rollbackRequestSchema, saveDraftRequestSchema, setBandRequestSchema, validateRequestSchema,
} from '../../core/grid-edit/contract.js';
import { audit, guard, principalOf } from '../auth/principal.js';
import type { Config } from '../config.js';
import type { Db } from '../db/db.js';
import type { EventBus } from '../events/bus.js';
import { fail, ok, route, sendError } from '../http/errors.js';
import { validate } from '../http/validate.js';
import { bandOf, communityFor, listCommunities, loadCommunity, saveDraft, setDistrictBand } from './editor.js';
import { proposalRoutes } from './proposals.js';
import { announcePublish, publishDraft } from './publish.js';
import { transferRoutes } from './transfer.js';
import { validateOnServer } from './validation.js';
import { compareVersions, presentVersion, versionDraft, versionFor } from './versions.js';

const BASE = '/api/grid-editor';
const codeParam = z.object({ code: z.string().min(1).max(64) });
const idParam = z.coerce.number().int().positive().max(2 ** 31 - 1);

export function gridEditorRoutes(db: Db, bus: EventBus, config: Config): Router {
  const r = Router();
  // Mounted before the app's JSON-only rule (import takes a raw zip): apply it here to the rest.
  r.use(BASE, (req, res, next) => {
    const hasBody = req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
    if (['POST', 'PUT', 'PATCH', 'DELETE'].includes(req.method) && hasBody && !req.is('application/json') && !/\/import$/.test(req.path)) {
      sendError(res, fail('unsupported_media_type', 'send application/json').error);
      return;
    }
    next();
  });

  const community = async (req: Request) => {
    const p = validate(codeParam, req.params);
    if (!p.ok) return p;
    return communityFor(db, principalOf(req).scope, p.value.code);
  };

  r.get(`${BASE}/communities`, guard('read', 'grid_edit'), route(async (req) => ok(await listCommunities(db, principalOf(req).scope))));

  r.get(`${BASE}/communities/:code`, guard('read', 'grid_edit'), route(async (req) => {
    const c = await community(req);
    if (!c.ok) return c;
    return ok(await loadCommunity(db, c.value, principalOf(req).scope));
  }));

  // A district's household band (the editor's colours, validation, partition and rebalance).
  r.put(`${BASE}/districts/:code/band`, guard('update', 'grid_edit'), route(async (req) => {
    const p = validate(codeParam, req.params);
    if (!p.ok) return p;
    const body = validate(setBandRequestSchema, req.body);
    if (!body.ok) return body;
    const out = await setDistrictBand(db, principalOf(req).scope, p.value.code, body.value.band);
    await audit(db, req, {
      action: 'grid_band_set', resource: 'grid_edit', resourceId: p.value.code, outcome: out.ok ? 'ok' : 'failed',
      detail: out.ok ? { before: out.value.before, after: body.value.band } : { code: out.error.code },
    });
    return out.ok ? ok(out.value.response) : out;
  }));

  r.put(`${BASE}/communities/:code/draft`, guard('update', 'grid_edit'), route(async (req) => {
    const c = await community(req);
    if (!c.ok) return c;
    const body = validate(saveDraftRequestSchema, req.body);
    if (!body.ok) return body;
    const out = await saveDraft(db, principalOf(req), c.value, body.value.baseRevision, body.value.grids);
    await audit(db, req, {
      action: 'grid_draft_save', resource: 'grid_edit', resourceId: c.value.code, outcome: out.ok ? 'ok' : 'failed',
      detail: out.ok
        ? { revision: out.value.revision, grids: body.value.grids.length, households: out.value.validation.grids.map((g) => g.households), problems: out.value.validation.problems.length }
        : { code: out.error.code, baseRevision: body.value.baseRevision },
    });
    return out;
  }));

  r.delete(`${BASE}/communities/:code/draft`, guard('update', 'grid_edit'), route(async (req) => {
    const c = await community(req);
    if (!c.ok) return c;
    const body = validate(discardDraftRequestSchema, req.body ?? {});
    if (!body.ok) return body;
    const out = await saveDraft(db, principalOf(req), c.value, body.value.baseRevision, null);
    await audit(db, req, {
      action: 'grid_draft_discard', resource: 'grid_edit', resourceId: c.value.code, outcome: out.ok ? 'ok' : 'failed',
      detail: out.ok ? { revision: out.value.revision } : { code: out.error.code },
    });
    return out.ok ? ok({ revision: out.value.revision }) : out;
  }));

  r.post(`${BASE}/communities/:code/validate`, guard('read', 'grid_edit'), route(async (req) => {
    const c = await community(req);
    if (!c.ok) return c;
    const body = validate(validateRequestSchema, req.body);
    if (!body.ok) return body;
    return ok(await validateOnServer(db, c.value.code, body.value.grids, body.value.band ?? bandOf(c.value)));
  }));

  r.post(`${BASE}/communities/:code/publish`, guard('update', 'grid_edit'), route(async (req) => {
    const c = await community(req);
    if (!c.ok) return c;
    const body = validate(publishRequestSchema, req.body);
    if (!body.ok) return body;
    const out = await publishDraft(db, c.value, { baseRevision: body.value.baseRevision, note: body.value.note, who: principalOf(req) });
    await audit(db, req, {
      action: 'grid_publish', resource: 'grid_edit', resourceId: c.value.code, outcome: out.ok ? 'ok' : 'failed',
      detail: out.ok
        ? { version: out.value.version.id, revision: out.value.revision, households: out.value.households, moved: out.value.moved, note: body.value.note ?? null,
            grids: out.value.lineage.filter((l) => l.status !== 'retired').length, retired: out.value.lineage.filter((l) => l.status === 'retired').map((l) => l.gridId) }
        : { code: out.error.code, baseRevision: body.value.baseRevision },
    });
    if (!out.ok) return out;
    await announcePublish(db, bus, c.value.code, out.value);
    const { movedIncidents: _m, households: _h, ...response } = out.value;
    return ok(response);
  }));

  r.get(`${BASE}/versions/:id`, guard('read', 'grid_edit'), route(async (req) => {
    const id = validate(idParam, req.params.id);
    if (!id.ok) return id;
    const v = await versionFor(db, principalOf(req).scope, id.value);
    return v.ok ? ok(presentVersion(v.value)) : v;
  }));

  r.get(`${BASE}/versions/:a/compare/:b`, guard('read', 'grid_edit'), route(async (req) => {
    const a = validate(idParam, req.params.a), b = validate(idParam, req.params.b);
    if (!a.ok) return a;
    if (!b.ok) return b;
    const va = await versionFor(db, principalOf(req).scope, a.value);
    if (!va.ok) return va;
    const vb = await versionFor(db, principalOf(req).scope, b.value);
    if (!vb.ok) return vb;
    if (va.value.communityCode !== vb.value.communityCode) return fail('invalid_request', 'compare two versions of the same community');
    return ok(await compareVersions(db, va.value, vb.value));
  }));

  r.post(`${BASE}/versions/:id/rollback`, guard('update', 'grid_edit'), route(async (req) => {
    const id = validate(idParam, req.params.id);
    if (!id.ok) return id;
    const body = validate(rollbackRequestSchema, req.body);
    if (!body.ok) return body;
    const v = await versionFor(db, principalOf(req).scope, id.value);
    if (!v.ok) return v;
    const c = await communityFor(db, principalOf(req).scope, v.value.communityCode);
    if (!c.ok) return c;
    const out = await saveDraft(db, principalOf(req), c.value, body.value.baseRevision, versionDraft(v.value));
    await audit(db, req, {
      action: 'grid_rollback', resource: 'grid_edit', resourceId: c.value.code, outcome: out.ok ? 'ok' : 'failed',
      detail: out.ok
        ? { version: v.value.id, revision: out.value.revision, households: out.value.validation.grids.map((g) => g.households) }
        : { version: v.value.id, code: out.error.code },
    });
    return out;
  }));

  r.use(proposalRoutes(db, BASE));
  r.use(transferRoutes(db, BASE, config));
  return r;
}

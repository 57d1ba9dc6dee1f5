// The Party branch ledger (支部台账) and 一格三员 rosters over HTTP, inside the caller's jurisdiction
// (outside it a branch, grid or person reads as absent: 404):
//   GET  /api/party/branches?division=            branches with members, 30-day activity, 无活动 flag
//   GET  /api/party/branches/:id                  one branch's ledger (members, activities, monthly counts, 中心户, roster)
//   POST /api/party/branches/:id/activities       record an activity (422 invalid_activity with the rules broken; nothing written)
//   POST /api/party/branches/:id/members          add a member
//   POST   /api/party/households/:id/buildings    link a 党员中心户 to a building it serves (refusals: 400 with a zh-CN message, details.reason)
//   DELETE /api/party/households/:id/buildings/:buildingId   end that link
//   GET  /api/party/grids/:id/buildings           the grid's buildings a 中心户 may serve (households, houses, outline)
//   GET  /api/party/monthly?division=&months=     activities per branch and month
//   GET  /api/party/grid-activity?division=       支部活动(30天) per grid (map, wall)
//   GET  /api/party/grids/:id/roster              一格三员 by duty, numbers masked
//   GET  /api/party/contacts/:kind/:id            one full number (read_full on staff_contact; audited, refusals too)
import { Router } from 'express';
import { z } from 'zod';
import { activityInput, beijingDate, householdLinkInput, memberInput, type ContactView } from '../../core/party-ledger.js';
import { can } from '../../core/permissions.js';
import { noStore } from '../auth/no-store.js';
import { audit, guard, principalOf } from '../auth/principal.js';
import { mapFilter } from '../auth/scope.js';
import type { Db } from '../db/db.js';
import { fail, ok, route } from '../http/errors.js';
import { idParam, idValue, validate } from '../http/validate.js';
import { scopedDivision } from '../layers/filters.js';
import {
  activityByGrid, addMember, branchDetail, gridBuildings, gridRoster, linkHousehold, listBranches, monthlyByBranch, recordActivity, SQL,
  unlinkHousehold,
} from './ledger.js';

const divisionQuery = z.object({ division: z.string().min(1).max(64).optional() }).strict();
const today = () => beijingDate(Date.now());

/**
 * The 中心户 link routes answer the /party page in zh-CN, which shows the message as it is: a body
 * or path zod refuses gets a zh-CN sentence here (the issues stay in details).
 */
function linkRequestProblem(e: { message: string; details?: unknown }) {
  const paths = Array.isArray(e.details) ? e.details.map((i: { path?: string }) => i.path ?? '') : [];
  const message = paths.includes('households') ? '服务户数须为 1 至 500 的整数'
    : paths.some((x) => x === 'buildingId') ? '请选择要关联的楼栋'
      : `请求内容不正确（${e.message}）`;
  return fail('invalid_request', message, e.details);
}
const linkParams = z.object({ id: idValue, buildingId: idValue });

export function ledgerRoutes(db: Db): Router {
  const r = Router();
  r.use(['/api/party/branches', '/api/party/grids', '/api/party/contacts'], noStore);

  r.get('/api/party/branches', guard('read', 'party'), route(async (req) => {
    const q = validate(divisionQuery, req.query);
    if (!q.ok) return q;
    const f = await scopedDivision(db, principalOf(req).scope, q.value.division);
    if (!f.ok) return f;
    return ok({ branches: await listBranches(db, f.value, today()) });
  }));

  r.get('/api/party/branches/:id', guard('read', 'party'), route(async (req) => {
    const p = validate(idParam, req.params);
    if (!p.ok) return p;
    const me = principalOf(req);
    return branchDetail(db, p.value.id, mapFilter(me.scope), today(), me.role, can(me.role, 'create', 'party'));
  }));

  r.post('/api/party/branches/:id/activities', guard('create', 'party'), route(async (req, res) => {
    const p = validate(idParam, req.params);
    if (!p.ok) return p;
    const body = validate(activityInput, req.body);
    if (!body.ok) return body;
    const me = principalOf(req);
    const done = await recordActivity(db, p.value.id, mapFilter(me.scope), body.value, { kind: me.kind, id: me.id, label: me.displayName }, today());
    if (!done.ok) return done;
    await audit(db, req, { action: 'create', resource: 'party_activity', resourceId: done.value.id, detail: { branchId: p.value.id, kind: body.value.kind } });
    res.status(201);
    return done;
  }));

  r.post('/api/party/branches/:id/members', guard('create', 'party'), route(async (req, res) => {
    const p = validate(idParam, req.params);
    if (!p.ok) return p;
    const body = validate(memberInput, req.body);
    if (!body.ok) return body;
    const me = principalOf(req);
    const done = await addMember(db, p.value.id, mapFilter(me.scope), body.value, today());
    if (!done.ok) return done;
    await audit(db, req, { action: 'create', resource: 'party_member', resourceId: done.value.id, detail: { branchId: p.value.id } });
    res.status(201);
    return done;
  }));

  r.post('/api/party/households/:id/buildings', guard('create', 'party'), route(async (req, res) => {
    const p = validate(idParam, req.params);
    if (!p.ok) return linkRequestProblem(p.error);
    const body = validate(householdLinkInput, req.body);
    if (!body.ok) return linkRequestProblem(body.error);
    const me = principalOf(req);
    const done = await linkHousehold(db, p.value.id, mapFilter(me.scope), body.value);
    if (!done.ok) return done;
    await audit(db, req, { action: 'update', resource: 'party_household', resourceId: p.value.id, detail: body.value });
    res.status(201);
    return done;
  }));

  // Ending a link is guarded like making one ('create' on party): a grid worker keeps the 中心户
  // links of their grid both ways, and has no 'delete' on the ledger (core/permissions.ts).
  r.delete('/api/party/households/:id/buildings/:buildingId', guard('create', 'party'), route(async (req) => {
    const p = validate(linkParams, req.params);
    if (!p.ok) return linkRequestProblem(p.error);
    const me = principalOf(req);
    const done = await unlinkHousehold(db, p.value.id, p.value.buildingId, mapFilter(me.scope));
    if (!done.ok) return done;
    await audit(db, req, { action: 'update', resource: 'party_household', resourceId: p.value.id,
      detail: { buildingId: p.value.buildingId, unlinked: true, households: done.value.households } });
    return done;
  }));

  r.get('/api/party/grids/:id/buildings', guard('read', 'party'), route(async (req) => {
    const p = validate(idParam, req.params);
    if (!p.ok) return p;
    return gridBuildings(db, p.value.id, mapFilter(principalOf(req).scope));
  }));

  r.get('/api/party/monthly', guard('read', 'party'), route(async (req) => {
    const q = validate(z.object({ division: z.string().min(1).max(64).optional(), months: z.coerce.number().int().min(1).max(36).default(12) }).strict(), req.query);
    if (!q.ok) return q;
    const f = await scopedDivision(db, principalOf(req).scope, q.value.division);
    if (!f.ok) return f;
    return ok(await monthlyByBranch(db, f.value, today(), q.value.months));
  }));

  r.get('/api/party/grid-activity', guard('read', 'party'), route(async (req) => {
    const q = validate(divisionQuery, req.query);
    if (!q.ok) return q;
    const f = await scopedDivision(db, principalOf(req).scope, q.value.division);
    if (!f.ok) return f;
    return ok({ today: today(), windowDays: 30, grids: await activityByGrid(db, f.value, today()), synthetic: true });
  }));

  r.get('/api/party/grids/:id/roster', guard('read', 'staff_contact'), route(async (req) => {
    const p = validate(idParam, req.params);
    if (!p.ok) return p;
    const me = principalOf(req);
    return gridRoster(db, p.value.id, mapFilter(me.scope), me.role);
  }));

  r.get('/api/party/contacts/:kind/:id', guard('read', 'staff_contact'), route(async (req) => {
    const p = validate(z.object({ kind: z.enum(['staff', 'member']), id: idValue }), req.params);
    if (!p.ok) return p;
    const me = principalOf(req);
    const f = mapFilter(me.scope);
    const row = (await db.query<{ id: number; name: string; phone: string | null }>(p.value.kind === 'staff' ? SQL.staffOne : SQL.memberOne,
      [p.value.id, f.communities, f.gridId])).rows[0];
    if (!row) return fail('not_found', `${p.value.kind} ${p.value.id} not found`);
    const resource = p.value.kind === 'staff' ? 'grid_staff_contact' : 'party_member_contact';
    if (!can(me.role, 'read_full', 'staff_contact')) {
      await audit(db, req, { action: 'read_full', resource, resourceId: row.id, outcome: 'denied' });
      return fail('forbidden', `role ${me.role} may not see full contact numbers`);
    }
    await audit(db, req, { action: 'read_full', resource, resourceId: row.id });
    const body: ContactView = { kind: p.value.kind, id: row.id, name: row.name, phone: row.phone };
    return ok(body);
  }));
  return r;
}

// Trend early-warnings (趋势预警): the list in the caller's jurisdiction, a scan on demand,
// acknowledge / assign / close (each audited, each published as a diff), and the thresholds an
// admin edits.
import { Router } from 'express';
import { z } from 'zod';
import { can, type Role } from '../../core/permissions.js';
import { assigneeCovers } from '../../core/trend/assign.js';
import { WARNING_STATUSES } from '../../core/trend/contract.js';
import { THRESHOLD_SCHEMAS, WARNING_KINDS } from '../../core/trend/thresholds.js';
import { noStore } from '../auth/no-store.js';
import { audit, guard, principalOf } from '../auth/principal.js';
import { mapFilter } from '../auth/scope.js';
import type { Db } from '../db/db.js';
import type { EventBus } from '../events/bus.js';
import { fail, ok, route } from '../http/errors.js';
import { idParam, validate } from '../http/validate.js';
import { scopedDivision } from '../layers/filters.js';
import { listWarnings, SQL } from './queries.js';
import { loadThresholds, runScan } from './scan.js';

const listQuery = z.object({
  status: z.enum([...WARNING_STATUSES, 'active', 'all']).default('active'),
  kind: z.enum(WARNING_KINDS).optional(),
  division: z.string().min(1).max(64).optional(),
  limit: z.coerce.number().int().positive().max(2000).default(500),
});
const note = z.string().trim().min(1).max(500).optional();
const ackBody = z.object({ note }).strict();
const assignBody = z.object({ accountId: z.number().int().positive(), note }).strict();

/** Roles a warning may be assigned to: those who may act on warnings or on cases. */
const ASSIGNABLE: Role[] = ['district_center', 'subdistrict_staff', 'community_staff', 'grid_worker'];

export function warningRoutes(db: Db, bus: EventBus): Router {
  const r = Router();
  r.use('/api/warnings', noStore);

  r.get('/api/warnings', guard('read', 'warning'), route(async (req) => {
    const q = validate(listQuery, req.query);
    if (!q.ok) return q;
    const f = await scopedDivision(db, principalOf(req).scope, q.value.division);
    if (!f.ok) return f;
    const statuses = q.value.status === 'active' ? ['open', 'acknowledged'] as const
      : q.value.status === 'all' ? WARNING_STATUSES : [q.value.status];
    return ok({ warnings: await listWarnings(db, { ...f.value, statuses: [...statuses], kind: q.value.kind ?? null, limit: q.value.limit }) });
  }));

  r.get('/api/warnings/thresholds', guard('read', 'warning'), route(async () => ok({ thresholds: await loadThresholds(db) })));

  r.put('/api/warnings/thresholds/:kind', guard('update', 'governance_rule'), route(async (req) => {
    const k = validate(z.object({ kind: z.enum(WARNING_KINDS) }), req.params);
    if (!k.ok) return k;
    const body = validate(THRESHOLD_SCHEMAS[k.value.kind], req.body);
    if (!body.ok) return body;
    const me = principalOf(req);
    const before = (await db.query<{ before: unknown }>(SQL.setThreshold, [k.value.kind, JSON.stringify(body.value), me.name])).rows[0];
    if (!before) return fail('not_found', `no thresholds for ${k.value.kind}`);
    await audit(db, req, { action: 'update', resource: 'warning_threshold', resourceId: k.value.kind, detail: { before: before.before, after: body.value } });
    return ok({ kind: k.value.kind, params: body.value });
  }));

  r.get('/api/warnings/assignees', guard('update', 'warning'), route(async (req) => {
    const f = mapFilter(principalOf(req).scope);
    const rows = (await db.query<{ id: number; display_name: string; role: string; division_code: string | null; grid_id: number | null; grid_community_code: string | null }>(
      SQL.assignees, [ASSIGNABLE, f.communities, f.gridId])).rows;
    // With each account its binding, so a desk offers for a warning only those whose jurisdiction covers it.
    return ok({ accounts: rows.map((a) => ({ id: a.id, name: a.display_name, role: a.role, divisionCode: a.division_code, gridId: a.grid_id, gridCommunityCode: a.grid_community_code })) });
  }));

  r.post('/api/warnings/scan', guard('create', 'warning'), route(async (req) => {
    const result = await runScan(db, bus);
    await audit(db, req, { action: 'scan', resource: 'warning', detail: { ...result } });
    return ok(result);
  }));

  r.get('/api/warnings/:id', guard('read', 'warning'), route(async (req) => {
    const p = validate(idParam, req.params);
    if (!p.ok) return p;
    const w = (await listWarnings(db, { ...mapFilter(principalOf(req).scope), ids: [p.value.id], limit: 1 }))[0];
    return w ? ok(w) : fail('not_found', `warning ${p.value.id} not found`);
  }));

  /** acknowledge / assign / close one warning in the caller's jurisdiction; audited; a diff to its rooms. */
  const act = (action: 'acknowledge' | 'assign' | 'close') => route(async (req) => {
    const p = validate(idParam, req.params);
    if (!p.ok) return p;
    const body = validate(action === 'assign' ? assignBody : ackBody, req.body ?? {});
    if (!body.ok) return body;
    const me = principalOf(req);
    const before = (await listWarnings(db, { ...mapFilter(me.scope), ids: [p.value.id], limit: 1 }))[0];
    if (!before) return fail('not_found', `warning ${p.value.id} not found`);
    const b = body.value as { note?: string; accountId?: number };
    if (action === 'assign') {
      const a = (await db.query<{ id: number; role: Role; active: boolean; display_name: string; division_code: string | null; grid_id: number | null; grid_community_code: string | null }>(
        SQL.assignee, [b.accountId])).rows[0];
      if (!a || !a.active) return fail('not_found', `account ${b.accountId} not found`);
      if (!ASSIGNABLE.includes(a.role) || !can(a.role, 'read', 'warning')) return fail('invalid_request', `role ${a.role} cannot take warnings`);
      // The assignee must be able to see and act on the warning: its jurisdiction covers the warning's grid or area.
      if (!assigneeCovers(before, { divisionCode: a.division_code, gridId: a.grid_id, gridCommunityCode: a.grid_community_code })) {
        return fail('assignee_outside_area', `account ${a.id} (${a.display_name}) has no jurisdiction over the area of warning ${before.id}`);
      }
    }
    // The desk shows who acted by their display name (the audit log keeps the login name).
    const changed = action === 'assign'
      ? (await db.query(SQL.assign, [p.value.id, b.accountId, me.displayName, b.note ?? null])).rows[0]
      : (await db.query(SQL[action], [p.value.id, me.displayName, b.note ?? null])).rows[0];
    if (!changed) return fail('invalid_transition', `warning ${p.value.id} is ${before.status}: cannot ${action}`);
    const after = (await listWarnings(db, { communities: null, gridId: null, ids: [p.value.id], limit: 1 }))[0]!;
    await audit(db, req, {
      action, resource: 'warning', resourceId: p.value.id,
      detail: { from: before.status, to: after.status, ...(action === 'assign' ? { assignedTo: b.accountId, before: before.assignedTo?.id ?? null } : {}), note: b.note ?? null },
    });
    bus.publish('warnings.changed', action === 'close' ? { add: [], update: [], remove: [after.id], removed: [after] } : { add: [], update: [after], remove: [] });
    return ok(after);
  });
  r.post('/api/warnings/:id/acknowledge', guard('update', 'warning'), act('acknowledge'));
  r.post('/api/warnings/:id/assign', guard('update', 'warning'), act('assign'));
  r.post('/api/warnings/:id/close', guard('update', 'warning'), act('close'));
  return r;
}

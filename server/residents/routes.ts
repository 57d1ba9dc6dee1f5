// Residents in special-care groups: personal data. Lists are masked for everyone; the full record
// is shown only to roles with read_full on resident_pii, and every full view is audited.
import { Router } from 'express';
import { z } from 'zod';
import { can, maskPhone } from '../../core/permissions.js';
import { noStore } from '../auth/no-store.js';
import { audit, guard, principalOf } from '../auth/principal.js';
import { mapFilter } from '../auth/scope.js';
import type { Db } from '../db/db.js';
import { loadSql } from '../db/sql.js';
import { fail, ok, route } from '../http/errors.js';
import { idParam, validate } from '../http/validate.js';
import { scopedDivision } from '../layers/filters.js';

export const SQL = loadSql(new URL('./residents.sql', import.meta.url), ['list', 'one', 'seedSynthetic', 'byGrid']);

interface Row { id: number; grid_id: number; grid_name: string; building_id: number | null; name: string; phone: string; care_group: string; synthetic: boolean }

/** The special-care groups, in display order (labels: client/src/pages/residents). */
export const CARE_GROUPS = ['dibao', 'empty_nest_elderly', 'disabled', 'veteran', 'left_behind_child'] as const;

export const maskName = (name: string) => (name.length <= 1 ? '*' : `${name[0]}${'*'.repeat(name.length - 1)}`);

function present(r: Row, full: boolean) {
  return {
    id: r.id, gridId: r.grid_id, gridName: r.grid_name, buildingId: r.building_id, careGroup: r.care_group,
    name: full ? r.name : maskName(r.name), phone: full ? r.phone : maskPhone(r.phone), masked: !full, synthetic: r.synthetic,
  };
}

export function residentRoutes(db: Db): Router {
  const r = Router();
  r.use('/api/residents', noStore);
  const listSchema = z.object({
    division: z.string().min(1).max(64).optional(),
    careGroup: z.enum(CARE_GROUPS).optional(),
    limit: z.coerce.number().int().positive().max(5000).default(500),
  });
  r.get('/api/residents', guard('read', 'resident_pii'), route(async (req) => {
    const q = validate(listSchema, req.query);
    if (!q.ok) return q;
    const f = await scopedDivision(db, principalOf(req).scope, q.value.division);
    if (!f.ok) return f;
    const rows = (await db.query<Row>(SQL.list, [f.value.communities, f.value.gridId, q.value.careGroup ?? null, q.value.limit])).rows;
    return ok({ residents: rows.map((x) => present(x, false)), synthetic: true });
  }));
  /** Counts per grid and care group (no personal data): the residents screen's map. */
  r.get('/api/residents/by-grid', guard('read', 'resident_pii'), route(async (req) => {
    const q = validate(z.object({ division: z.string().min(1).max(64).optional() }), req.query);
    if (!q.ok) return q;
    const f = await scopedDivision(db, principalOf(req).scope, q.value.division);
    if (!f.ok) return f;
    const rows = (await db.query<{ grid_id: number; grid_name: string; community_code: string; households: number; groups: Record<string, number>; total: number }>(
      SQL.byGrid, [f.value.communities, f.value.gridId])).rows;
    return ok({
      grids: rows.map((x) => ({ gridId: x.grid_id, gridName: x.grid_name, communityCode: x.community_code, households: x.households, groups: x.groups, total: x.total })),
      groups: CARE_GROUPS, synthetic: true,
    });
  }));
  r.get('/api/residents/:id', guard('read', 'resident_pii'), route(async (req) => {
    const p = validate(idParam, req.params);
    if (!p.ok) return p;
    const full = validate(z.object({ full: z.enum(['0', '1']).default('0') }), { full: req.query.full });
    if (!full.ok) return full;
    const me = principalOf(req);
    const f = mapFilter(me.scope);
    const row = (await db.query<Row>(SQL.one, [p.value.id, f.communities, f.gridId])).rows[0];
    if (!row) return fail('not_found', `resident ${p.value.id} not found`);
    if (full.value.full === '1') {
      if (!can(me.role, 'read_full', 'resident_pii')) {
        await audit(db, req, { action: 'read_full', resource: 'resident', resourceId: row.id, outcome: 'denied' });
        return fail('forbidden', `role ${me.role} may not see unmasked personal data`);
      }
      await audit(db, req, { action: 'read_full', resource: 'resident', resourceId: row.id });
      return ok(present(row, true));
    }
    return ok(present(row, false));
  }));
  return r;
}

// GET /api/grids/:id/summary: the grid info card's staff (一格三员, names masked per role), Party
// branch and case figures (open, overdue, reported this month). The grid is looked up inside the
// caller's jurisdiction (outside it reads as absent, 404); case figures follow the case rules
// (none for roles that may not read cases, a department's own cases only).
import { Router } from 'express';
import { can } from '../../core/permissions.js';
import { beijingMonthStart, maskPersonName, seesStaffNames, STAFF_ROLE_NAMES, type GridSummary, type StaffRole } from '../../core/grid-summary.js';
import { guard, principalOf } from '../auth/principal.js';
import { mapFilter } from '../auth/scope.js';
import type { Db } from '../db/db.js';
import { loadSql } from '../db/sql.js';
import { fail, ok, route } from '../http/errors.js';
import { idParam, validate } from '../http/validate.js';
import { dbNow } from '../incidents/commands.js';

export type { GridSummary };

const SQL = loadSql(new URL('./summary.sql', import.meta.url), ['grid', 'staff', 'party', 'cases']);
const STAFF_ROLES = Object.keys(STAFF_ROLE_NAMES) as StaffRole[];

export function gridSummaryRoutes(db: Db): Router {
  const r = Router();
  r.get('/api/grids/:id/summary', guard('read', 'map'), route(async (req) => {
    const p = validate(idParam, req.params);
    if (!p.ok) return p;
    const me = principalOf(req);
    const f = mapFilter(me.scope);
    const grid = (await db.query<{ id: number; name: string }>(SQL.grid, [p.value.id, f.communities, f.gridId])).rows[0];
    if (!grid) return fail('not_found', `grid ${p.value.id} not found`);
    const id = grid.id;
    const full = seesStaffNames(me.role);
    const staff = (await db.query<{ role: StaffRole; name: string; synthetic: boolean }>(SQL.staff, [id])).rows
      .map((s) => ({ role: s.role, name: full ? s.name : maskPersonName(s.name), synthetic: s.synthetic }));
    const party = (await db.query<{ branches: { name: string; members: number }[]; building_groups: number; member_households: number; synthetic: boolean }>(SQL.party, [id])).rows[0]!;
    let cases: GridSummary['cases'] = null;
    if (can(me.role, 'read', 'incident')) {
      const now = await dbNow(db);
      const departmentId = me.scope.kind === 'department' ? me.scope.departmentId : null;
      const c = (await db.query<{ open: number; overdue: number; this_month: number }>(SQL.cases, [id, beijingMonthStart(now.getTime()), departmentId, now])).rows[0]!;
      cases = { open: c.open, overdue: c.overdue, thisMonth: c.this_month };
    }
    const body: GridSummary = {
      gridId: id,
      name: grid.name,
      staff,
      staffMasked: !full,
      staffMissing: STAFF_ROLES.filter((role) => !staff.some((s) => s.role === role)),
      party: { branches: party.branches, buildingGroups: party.building_groups, memberHouseholds: party.member_households, synthetic: party.synthetic },
      cases,
    };
    return ok(body);
  }));
  return r;
}

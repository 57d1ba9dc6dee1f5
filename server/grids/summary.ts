// GET /api/grids/:id/summary: the grid info card's staff (一格三员, names masked per role), Party
// branch and case figures (total, open, overdue, reported this month). The grid is looked up inside
// the caller's jurisdiction (outside it reads as absent, 404); case figures follow the case rules
// (none for roles that may not read cases, a department's own cases only).
// GET /api/grids/case-figures?division=: the same figures for the jurisdiction (or a division in it),
// so a map that loads the latest cases up to a cap can say how many there are in all.
import { Router } from 'express';
import { z } from 'zod';
import { can, maskPhone } from '../../core/permissions.js';
import { beijingMonthStart, maskPersonName, REQUIRED_STAFF_ROLES, seesStaffNames, STAFF_ROLE_NAMES, type CaseFigures, type GridSummary, type StaffRole } from '../../core/grid-summary.js';
import { guard, principalOf } from '../auth/principal.js';
import { mapFilter } from '../auth/scope.js';
import type { Db } from '../db/db.js';
import { loadSql } from '../db/sql.js';
import { fail, ok, route } from '../http/errors.js';
import { idParam, validate } from '../http/validate.js';
import { dbNow } from '../incidents/commands.js';
import type { Scope } from '../auth/scope.js';
import { scopedDivision } from '../layers/filters.js';

export type { CaseFigures, GridSummary };

const SQL = loadSql(new URL('./summary.sql', import.meta.url), ['grid', 'staff', 'party', 'cases']);
const STAFF_ROLES = Object.keys(STAFF_ROLE_NAMES) as StaffRole[];

async function caseFigures(db: Db, scope: Scope, where: { gridId: number | null; communities: string[] | null; scopeGrid: number | null }): Promise<CaseFigures> {
  const now = await dbNow(db);
  const departmentId = scope.kind === 'department' ? scope.departmentId : null;
  const c = (await db.query<{ total: number; open: number; overdue: number; this_month: number }>(SQL.cases,
    [where.gridId, beijingMonthStart(now.getTime()), departmentId, now, where.communities, where.scopeGrid])).rows[0]!;
  return { total: c.total, open: c.open, overdue: c.overdue, thisMonth: c.this_month };
}

/** Registered before /api/grids/:id (gridRoutes), so that `case-figures` is not taken for an id. */
export function gridSummaryRoutes(db: Db): Router {
  const r = Router();
  r.get('/api/grids/case-figures', guard('read', 'incident'), route(async (req) => {
    const q = validate(z.object({ division: z.string().min(1).max(64).optional() }).strict(), req.query);
    if (!q.ok) return q;
    const scope = principalOf(req).scope;
    const f = await scopedDivision(db, scope, q.value.division);
    if (!f.ok) return f;
    return ok(await caseFigures(db, scope, { gridId: null, communities: f.value.communities, scopeGrid: f.value.gridId }));
  }));
  r.get('/api/grids/:id/summary', guard('read', 'map'), route(async (req) => {
    const p = validate(idParam, req.params);
    if (!p.ok) return p;
    const me = principalOf(req);
    const f = mapFilter(me.scope);
    const grid = (await db.query<{ id: number; name: string }>(SQL.grid, [p.value.id, f.communities, f.gridId])).rows[0];
    if (!grid) return fail('not_found', `grid ${p.value.id} not found`);
    const id = grid.id;
    const full = seesStaffNames(me.role);
    const phones = can(me.role, 'read', 'staff_contact');
    const staff = (await db.query<{ role: StaffRole; name: string; phone: string | null; synthetic: boolean }>(SQL.staff, [id, STAFF_ROLES])).rows
      .map((s) => ({ role: s.role, name: full ? s.name : maskPersonName(s.name), phone: phones && s.phone ? maskPhone(s.phone) : null, synthetic: s.synthetic }));
    const party = (await db.query<{ branches: { name: string; members: number }[]; building_groups: number; member_households: number; synthetic: boolean }>(SQL.party, [id])).rows[0]!;
    let cases: GridSummary['cases'] = null;
    if (can(me.role, 'read', 'incident')) cases = await caseFigures(db, me.scope, { gridId: id, communities: null, scopeGrid: null });
    const body: GridSummary = {
      gridId: id,
      name: grid.name,
      staff,
      staffMasked: !full,
      staffMissing: REQUIRED_STAFF_ROLES.filter((role) => !staff.some((s) => s.role === role)),
      party: { branches: party.branches, buildingGroups: party.building_groups, memberHouseholds: party.member_households, synthetic: party.synthetic },
      cases,
    };
    return ok(body);
  }));
  return r;
}

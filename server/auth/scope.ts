// Jurisdiction: which part of the division tree a principal may see. Resolved once per request
// from the account's (or token's) binding; every query takes the resulting filter.
import type { Scope } from '../../core/contract.js';
import type { Queryable } from '../db/db.js';
import { loadSql } from '../db/sql.js';

const SQL = loadSql(new URL('./auth.sql', import.meta.url), ['subtree', 'gridScope', 'ancestors', 'otherDistricts']);

/** The shape is part of the wire contract (GET /api/auth/me shows it): core/contract.ts. */
export type { Scope };

export interface Binding {
  division_code: string | null;
  grid_id: number | null;
  department_id: number | null;
}

export async function resolveScope(db: Queryable, b: Binding): Promise<Scope> {
  if (b.grid_id != null) {
    const g = (await db.query<{ community_code: string }>(SQL.gridScope, [b.grid_id])).rows[0];
    if (!g) throw new Error(`grid ${b.grid_id} of a principal is missing`);
    const anc = (await db.query<{ code: string }>(SQL.ancestors, [g.community_code])).rows.map((r) => r.code);
    return { kind: 'grid', gridId: b.grid_id, communityCode: g.community_code, ancestors: anc };
  }
  if (b.department_id != null) return { kind: 'department', departmentId: b.department_id };
  if (b.division_code != null) {
    const codes = (await db.query<{ code: string; level: string }>(SQL.subtree, [b.division_code])).rows;
    // The district node itself means "everything" when it is the only district; with several, a
    // district-bound account (leader, command centre …) sees its own district's subtree only.
    if (codes[0]?.level === 'district'
      && !(await db.query<{ other: boolean }>(SQL.otherDistricts, [b.division_code])).rows[0]?.other) return { kind: 'all' };
    const anc = (await db.query<{ code: string }>(SQL.ancestors, [b.division_code])).rows.map((r) => r.code);
    return { kind: 'division', code: b.division_code, codes: codes.map((c) => c.code), ancestors: anc };
  }
  return { kind: 'all' };
}

/** SQL parameters every spatial list takes: community codes and one grid id (null = no limit). */
export interface MapFilter {
  communities: string[] | null;
  gridId: number | null;
}

export function mapFilter(scope: Scope): MapFilter {
  switch (scope.kind) {
    case 'all':
    case 'department':
      return { communities: null, gridId: null };
    case 'division':
      return { communities: scope.codes, gridId: null };
    case 'grid':
      return { communities: [scope.communityCode], gridId: scope.gridId };
  }
}

/** Is the division node `code` visible (in the subtree, or an ancestor on the way to it)? */
export function divisionVisible(scope: Scope, code: string): boolean {
  switch (scope.kind) {
    case 'all':
    case 'department':
      return true;
    case 'division':
      return scope.codes.includes(code) || scope.ancestors.includes(code);
    case 'grid':
      return scope.communityCode === code || scope.ancestors.includes(code);
  }
}

/** Socket rooms a principal may join. */
export function roomAllowed(scope: Scope, room: { division?: string; grid?: number }): boolean {
  switch (scope.kind) {
    case 'all':
      return true;
    case 'department':
      return false; // departments follow their own case list, not the map's rooms
    case 'division':
      return room.division !== undefined ? scope.codes.includes(room.division) : false;
    case 'grid':
      return room.grid === scope.gridId;
  }
}

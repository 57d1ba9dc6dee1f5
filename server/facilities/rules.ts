// Who may edit which facility. The role grant (facility: create/update/delete) is data in
// core/permissions.ts and checked by guard(); this is the second check, jurisdiction: a facility
// is editable when the caller's map shows it, and may be put only where the caller's map would
// still show it (a planner bound to a subdistrict cannot move a facility into another one).
import { mapFilter, type Scope } from '../auth/scope.js';

export interface Placed {
  grid_id: number | null;
  community_code: string | null;
}

/** Is a facility (or a point, once located) inside the caller's jurisdiction? */
export function inJurisdiction(scope: Scope, p: Placed): boolean {
  if (scope.kind === 'department') return false; // departments see their cases, they do not edit the map
  const f = mapFilter(scope);
  if (f.gridId !== null && p.grid_id !== f.gridId) return false;
  if (f.communities !== null && (p.community_code === null || !f.communities.includes(p.community_code))) return false;
  return true;
}

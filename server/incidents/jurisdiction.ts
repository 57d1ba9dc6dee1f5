// Is a case inside a principal's jurisdiction? One rule, used by intake, the workflow and photos.
import type { CaseLocation } from '../../core/workflow.js';
import type { Scope } from '../auth/scope.js';

export interface Located {
  grid_id: number | null; community_code: string | null; subdistrict_code: string | null; district_code: string | null;
  /** The department a case is with (departments see only those). */
  department_id?: number | null;
}

/** A database row's divisions as the workflow's location (routing, 定位落图, 派往指定网格). */
export const caseLocation = (l: Located): CaseLocation => ({ gridId: l.grid_id, communityCode: l.community_code, subdistrictCode: l.subdistrict_code });

/** Is a located case inside a jurisdiction? */
export function caseInScope(scope: Scope, loc: Located): boolean {
  switch (scope.kind) {
    case 'all': return true;
    case 'department': return loc.department_id != null && loc.department_id === scope.departmentId;
    case 'division': return [loc.community_code, loc.subdistrict_code, loc.district_code].some((c) => c != null && scope.codes.includes(c));
    case 'grid': return loc.grid_id === scope.gridId;
  }
}

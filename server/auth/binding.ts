// Checks that a jurisdiction fits a role (a grid worker binds to a grid, a community worker to a
// community …) and that the target exists. Shared by accounts and tokens.
import { ROLE_BINDING, type Role } from '../../core/permissions.js';
import type { Queryable } from '../db/db.js';
import { fail, ok, type Result } from '../http/errors.js';
import type { Binding } from './scope.js';

export interface BindingInput {
  divisionCode?: string | null;
  gridId?: number | null;
  departmentId?: number | null;
}

export async function checkBinding(db: Queryable, role: Role, b: BindingInput): Promise<Result<Binding>> {
  const want = ROLE_BINDING[role];
  const given = [b.divisionCode, b.gridId, b.departmentId].filter((v) => v != null).length;
  if (given > 1) return fail('invalid_request', 'give one of divisionCode, gridId, departmentId');
  const binding: Binding = { division_code: b.divisionCode ?? null, grid_id: b.gridId ?? null, department_id: b.departmentId ?? null };
  if (given === 0) {
    return role === 'admin' ? ok(binding) : fail('invalid_request', `role ${role} needs a jurisdiction`);
  }
  if (binding.grid_id != null) {
    if (want !== 'grid' && want !== 'any') return fail('invalid_request', `role ${role} binds to a ${want}, not a grid`);
    const g = await db.query('SELECT 1 FROM grid WHERE id = $1', [binding.grid_id]);
    return g.rows.length ? ok(binding) : fail('not_found', `grid ${binding.grid_id} not found`);
  }
  if (binding.department_id != null) {
    if (want !== 'department' && want !== 'any') return fail('invalid_request', `role ${role} binds to a ${want}, not a department`);
    const d = await db.query('SELECT 1 FROM department WHERE id = $1', [binding.department_id]);
    return d.rows.length ? ok(binding) : fail('not_found', `department ${binding.department_id} not found`);
  }
  const d = (await db.query<{ level: string }>('SELECT level FROM division WHERE code = $1', [binding.division_code])).rows[0];
  if (!d) return fail('not_found', `division ${binding.division_code} not found`);
  if (want !== 'any' && want !== d.level) return fail('invalid_request', `role ${role} binds to a ${want}, not a ${d.level}`);
  return ok(binding);
}

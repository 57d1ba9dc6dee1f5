// Test principals for the fixture district: one bearer token per role and jurisdiction (fast: no
// password hashing), plus an admin account with a known password for session tests.
import type { Role } from '../../core/permissions.js';
import { hashPassword } from '../auth/passwords.js';
import { newSecret, sha256, SQL } from '../auth/principal.js';
import type { Db } from '../db/db.js';
import { SQL as RESIDENT_SQL } from '../residents/routes.js';

export const ADMIN_PASSWORD = 'admin-pass-2026';

export interface Principals {
  tokens: Record<
    'leader' | 'center' | 'subdistrict' | 'communityA' | 'communityB' | 'gridA1' | 'gridB1' | 'department' | 'analyst' | 'planner' | 'kiosk',
    string
  >;
  roles: Record<string, Role>;
  departmentId: number;
}

export async function loadPrincipals(db: Db, g: { gridA1: number; gridB1: number }): Promise<Principals> {
  const dep = (await db.query<{ id: number }>(`INSERT INTO department (code, name) VALUES ('cg', '城管') RETURNING id`)).rows[0]!.id;
  await db.query(SQL.insertAccount, ['admin', '管理员', await hashPassword(ADMIN_PASSWORD), 'admin', null, null, null, false]);
  const spec: [keyof Principals['tokens'], 'api' | 'kiosk', Role, string | null, number | null, number | null][] = [
    ['leader', 'api', 'district_leader', 'T00', null, null],
    ['center', 'api', 'district_center', 'T00', null, null],
    ['subdistrict', 'api', 'subdistrict_staff', 'T01', null, null],
    ['communityA', 'api', 'community_staff', 'T0101', null, null],
    ['communityB', 'api', 'community_staff', 'T0102', null, null],
    ['gridA1', 'api', 'grid_worker', null, g.gridA1, null],
    ['gridB1', 'api', 'grid_worker', null, g.gridB1, null],
    ['department', 'api', 'department', null, null, dep],
    ['analyst', 'api', 'analyst', 'T00', null, null],
    ['planner', 'api', 'planner', 'T00', null, null],
    ['kiosk', 'kiosk', 'kiosk', 'T00', null, null],
  ];
  const tokens = {} as Principals['tokens'];
  const roles: Record<string, Role> = {};
  for (const [key, kind, role, div, grid, depId] of spec) {
    const secret = newSecret('gct');
    await db.query(`INSERT INTO api_token (token_hash, prefix, name, kind, role, division_code, grid_id, department_id)
                    VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, [sha256(secret), secret.slice(0, 8), key, kind, role, div, grid, depId]);
    tokens[key] = secret;
    roles[key] = role;
  }
  await db.query(RESIDENT_SQL.seedSynthetic);
  return { tokens, roles, departmentId: dep };
}

/** One more API token with a secret of the test's choosing (e.g. the Open311 spec's api_key "xyz"). */
export async function insertToken(db: Db, secret: string, name: string, role: Role,
  b: { divisionCode?: string; gridId?: number; departmentId?: number }): Promise<number> {
  return (await db.query<{ id: number }>(`INSERT INTO api_token (token_hash, prefix, name, kind, role, division_code, grid_id, department_id)
                    VALUES ($1, $2, $3, 'api', $4, $5, $6, $7) RETURNING id`,
  [sha256(secret), secret.slice(0, 8), name, role, b.divisionCode ?? null, b.gridId ?? null, b.departmentId ?? null])).rows[0]!.id;
}

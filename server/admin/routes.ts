// Administration: accounts with roles and jurisdictions, API and kiosk tokens, departments, the
// audit log (viewable and exportable as CSV). Every write is audited.
import { Router } from 'express';
import { z } from 'zod';
import { ROLE_CODES, type Role } from '../../core/permissions.js';
import { checkBinding } from '../auth/binding.js';
import { hashPassword, passwordWeakness, randomPassword } from '../auth/passwords.js';
import { noStore } from '../auth/no-store.js';
import { audit, guard, newSecret, principalOf, sha256, SQL as AUTH_SQL } from '../auth/principal.js';
import type { Db } from '../db/db.js';
import type { EventBus } from '../events/bus.js';
import { loadSql } from '../db/sql.js';
import { fail, ok, route } from '../http/errors.js';
import { idParam, validate } from '../http/validate.js';
import { toCsv } from './csv.js';

const SQL = loadSql(new URL('./admin.sql', import.meta.url), [
  'listAccounts', 'updateAccount', 'resetPassword', 'endSessions', 'listTokens', 'insertToken', 'revokeToken',
  'tokenById', 'rotateToken', 'listDepartments', 'insertDepartment', 'listAudit',
]);

const accountRoles = ROLE_CODES.filter((r) => r !== 'kiosk') as [Role, ...Role[]];
const bindingFields = {
  divisionCode: z.string().min(1).max(64).nullish(),
  gridId: z.number().int().positive().nullish(),
  departmentId: z.number().int().positive().nullish(),
};

/** Postgres unique violation → a typed conflict. */
const isUnique = (e: unknown) => (e as { code?: string })?.code === '23505';

export function adminRoutes(db: Db, bus: EventBus): Router {
  const r = Router();

  r.get('/api/accounts', guard('read', 'account'), noStore, route(async () => ok((await db.query(SQL.listAccounts)).rows)));

  const createSchema = z.object({
    username: z.string().regex(/^[A-Za-z0-9_.-]{3,64}$/, '3–64 letters, digits, _ . -'),
    displayName: z.string().min(1).max(100),
    role: z.enum(accountRoles),
    password: z.string().max(200).optional(),
    ...bindingFields,
  });
  r.post('/api/accounts', guard('create', 'account'), route(async (req, res) => {
    const input = validate(createSchema, req.body);
    if (!input.ok) return input;
    const v = input.value;
    const b = await checkBinding(db, v.role, v);
    if (!b.ok) return b;
    let password = v.password;
    if (password) {
      const weak = passwordWeakness(password);
      if (weak) return fail('weak_password', weak);
    } else {
      password = randomPassword();
    }
    try {
      const row = (await db.query<{ id: number }>(AUTH_SQL.insertAccount, [
        v.username, v.displayName, await hashPassword(password), v.role,
        b.value.division_code, b.value.grid_id, b.value.department_id, !v.password,
      ])).rows[0]!;
      await audit(db, req, { action: 'create', resource: 'account', resourceId: row.id, detail: { username: v.username, role: v.role, ...b.value } });
      res.status(201);
      // A generated password is shown once, and must be changed at first login.
      return ok({ id: row.id, username: v.username, ...(v.password ? {} : { initialPassword: password }) });
    } catch (e) {
      if (isUnique(e)) return fail('conflict', `username ${v.username} is taken`);
      throw e;
    }
  }));

  const patchSchema = z.object({
    displayName: z.string().min(1).max(100).optional(),
    role: z.enum(accountRoles).optional(),
    active: z.boolean().optional(),
    resetPassword: z.boolean().optional(),
    ...bindingFields,
  });
  r.patch('/api/accounts/:id', guard('update', 'account'), route(async (req) => {
    const p = validate(idParam, req.params);
    if (!p.ok) return p;
    const input = validate(patchSchema, req.body);
    if (!input.ok) return input;
    const v = input.value;
    const current = (await db.query<{ role: Role; division_code: string | null; grid_id: number | null; department_id: number | null }>(
      AUTH_SQL.accountById, [p.value.id])).rows[0];
    if (!current) return fail('not_found', `account ${p.value.id} not found`);
    const me = principalOf(req);
    if (me.kind === 'account' && me.id === p.value.id && (v.active === false || (v.role && v.role !== 'admin'))) {
      return fail('conflict', 'you cannot disable or demote yourself');
    }
    const rebind = v.divisionCode !== undefined || v.gridId !== undefined || v.departmentId !== undefined;
    const role = v.role ?? current.role;
    const b = await checkBinding(db, role, rebind ? v : {
      divisionCode: current.division_code, gridId: current.grid_id, departmentId: current.department_id,
    });
    if (!b.ok) return b;
    await db.transaction(async (tx) => {
      await tx.query(SQL.updateAccount, [p.value.id, v.displayName ?? null, v.role ?? null, true,
        b.value.division_code, b.value.grid_id, b.value.department_id, v.active ?? null]);
      // Any change of role, jurisdiction or status ends the account's sessions.
      await tx.query(SQL.endSessions, [p.value.id]);
    });
    let initialPassword: string | undefined;
    if (v.resetPassword) {
      initialPassword = randomPassword();
      await db.query(SQL.resetPassword, [p.value.id, await hashPassword(initialPassword)]);
    }
    await audit(db, req, { action: 'update', resource: 'account', resourceId: p.value.id,
      detail: { ...v, resetPassword: v.resetPassword ?? false } });
    // Its sessions ended above: so do its live sockets.
    bus.publish('auth.revoked', { accountId: p.value.id });
    return ok({ id: p.value.id, ...(initialPassword ? { initialPassword } : {}) });
  }));

  // Tokens: machine (api) and wall-screen (kiosk), scoped like an account, shown once.
  r.get('/api/tokens', guard('read', 'token'), route(async () => ok((await db.query(SQL.listTokens)).rows)));
  const tokenSchema = z.object({
    name: z.string().min(1).max(100),
    kind: z.enum(['api', 'kiosk']),
    role: z.enum(ROLE_CODES as [Role, ...Role[]]).optional(),
    ...bindingFields,
  });
  r.post('/api/tokens', guard('create', 'token'), route(async (req, res) => {
    const input = validate(tokenSchema, req.body);
    if (!input.ok) return input;
    const v = input.value;
    const role: Role = v.kind === 'kiosk' ? 'kiosk' : v.role ?? 'district_leader';
    if (v.kind === 'kiosk' && v.role && v.role !== 'kiosk') return fail('invalid_request', 'kiosk tokens have the kiosk role');
    if (v.kind === 'api' && (role === 'admin' || role === 'kiosk')) return fail('invalid_request', `api tokens cannot have the ${role} role`);
    const b = await checkBinding(db, role, v);
    if (!b.ok) return b;
    if (b.value.division_code == null && b.value.grid_id == null && b.value.department_id == null) {
      return fail('invalid_request', 'a token needs a jurisdiction');
    }
    const secret = newSecret(v.kind === 'kiosk' ? 'gck' : 'gct');
    const row = (await db.query<{ id: number; created_at: Date }>(SQL.insertToken, [
      sha256(secret), secret.slice(0, 8), v.name, v.kind, role, b.value.division_code, b.value.grid_id,
      b.value.department_id, principalOf(req).kind === 'account' ? principalOf(req).id : null,
    ])).rows[0]!;
    await audit(db, req, { action: 'create', resource: 'token', resourceId: row.id, detail: { name: v.name, kind: v.kind, role, ...b.value } });
    res.status(201);
    return ok({ id: row.id, name: v.name, kind: v.kind, role, token: secret,
      ...(v.kind === 'kiosk' ? { wallUrl: `/wall?kiosk=${encodeURIComponent(secret)}` } : {}) });
  }));
  r.post('/api/tokens/:id/rotate', guard('update', 'token'), route(async (req) => {
    const p = validate(idParam, req.params);
    if (!p.ok) return p;
    const secretPrefix = ((await db.query<{ kind: string }>(SQL.tokenById, [p.value.id])).rows[0]?.kind === 'kiosk') ? 'gck' : 'gct';
    const secret = newSecret(secretPrefix);
    const done = await db.query(SQL.rotateToken, [p.value.id, sha256(secret), secret.slice(0, 8)]);
    if (done.rows.length === 0) return fail('not_found', `token ${p.value.id} not found or revoked`);
    await audit(db, req, { action: 'rotate', resource: 'token', resourceId: p.value.id });
    bus.publish('auth.revoked', { tokenId: p.value.id });
    return ok({ id: p.value.id, token: secret });
  }));
  r.delete('/api/tokens/:id', guard('delete', 'token'), route(async (req) => {
    const p = validate(idParam, req.params);
    if (!p.ok) return p;
    const done = await db.query(SQL.revokeToken, [p.value.id]);
    if (done.rows.length === 0) return fail('not_found', `token ${p.value.id} not found or already revoked`);
    await audit(db, req, { action: 'revoke', resource: 'token', resourceId: p.value.id });
    bus.publish('auth.revoked', { tokenId: p.value.id });
    return ok({ id: p.value.id, revoked: true });
  }));

  r.get('/api/departments', guard('read', 'map'), route(async () => ok((await db.query(SQL.listDepartments)).rows)));
  r.post('/api/departments', guard('create', 'account'), route(async (req, res) => {
    const input = validate(z.object({ code: z.string().regex(/^[A-Za-z0-9_-]{2,32}$/), name: z.string().min(1).max(100) }), req.body);
    if (!input.ok) return input;
    try {
      const row = (await db.query<{ id: number }>(SQL.insertDepartment, [input.value.code, input.value.name, false])).rows[0]!;
      await audit(db, req, { action: 'create', resource: 'department', resourceId: row.id, detail: input.value });
      res.status(201);
      return ok({ id: row.id, ...input.value });
    } catch (e) {
      if (isUnique(e)) return fail('conflict', `department ${input.value.code} exists`);
      throw e;
    }
  }));

  const auditQuery = z.object({
    since: z.iso.datetime({ offset: true }).optional(),
    limit: z.coerce.number().int().positive().max(50_000).default(500),
    format: z.enum(['json', 'csv']).default('json'),
  });
  r.get('/api/audit', guard('read', 'audit'), noStore, route(async (req, res) => {
    const q = validate(auditQuery, req.query);
    if (!q.ok) return q;
    const rows = (await db.query<Record<string, unknown>>(SQL.listAudit, [q.value.since ?? null, q.value.limit])).rows;
    await audit(db, req, { action: 'export', resource: 'audit', detail: { format: q.value.format, rows: rows.length } });
    if (q.value.format === 'csv') {
      res.type('text/csv; charset=utf-8').attachment('audit-log.csv')
        .send(toCsv(rows, ['id', 'at', 'actor', 'action', 'resource', 'resource_id', 'outcome', 'ip', 'user_agent', 'detail']));
      return undefined;
    }
    return ok(rows);
  }));
  return r;
}

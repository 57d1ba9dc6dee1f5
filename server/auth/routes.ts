// Login, logout, who am I, password change.
import { randomBytes } from 'node:crypto';
import { Router, type Request, type Response } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import { z } from 'zod';
import type { Account } from '../../core/contract.js';
import { ROLES } from '../../core/permissions.js';
import type { Config } from '../config.js';
import type { Db } from '../db/db.js';
import type { EventBus } from '../events/bus.js';
import { fail, ok, route, sendError } from '../http/errors.js';
import { validate } from '../http/validate.js';
import { sharedRateLimitStore } from '../scale/rate-limit.js';
import { dummyHash, hashPassword, passwordWeakness, verifyPassword } from './passwords.js';
import { audit, CSRF_HEADER, guard, principalOf, SESSION_COOKIE, sha256, SQL, type Principal } from './principal.js';

export function presentPrincipal(p: Principal): Account {
  return {
    kind: p.kind,
    id: p.id,
    username: p.name,
    displayName: p.displayName,
    role: p.role,
    roleName: ROLES[p.role],
    divisionCode: p.binding.division_code,
    gridId: p.binding.grid_id,
    departmentId: p.binding.department_id,
    scope: p.scope.kind === 'division' ? { kind: 'division', code: p.scope.code }
      : p.scope.kind === 'grid' ? { kind: 'grid', gridId: p.scope.gridId, communityCode: p.scope.communityCode }
      : p.scope,
    mustChangePassword: p.mustChangePassword,
    ...(p.via === 'session' ? { csrfToken: p.csrfToken } : {}),
  };
}

export function authRoutes(db: Db, config: Config, bus: EventBus): Router {
  const r = Router();
  // Failed logins are counted per username from any address (rotating X-Forwarded-For behind a
  // proxy, or many machines, gain nothing) and per address across usernames (password spraying).
  // Only failures count, and a window is fixed from its first failure: a locked username opens
  // again LOGIN_LOCKOUT_MINUTES later at the latest, and further attempts do not extend it.
  const loginLimiter = (limit: number, key: (req: Request) => string) => rateLimit({
    windowMs: config.loginLockoutMs,
    limit,
    skipSuccessfulRequests: true,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    keyGenerator: key,
    store: sharedRateLimitStore(db, config, 'login'), // counted across server processes when there are several
    handler: (_req, res) => sendError(res, fail('rate_limited', 'too many login attempts; wait and try again').error),
  });
  const perUsername = loginLimiter(config.loginRateLimit,
    (req) => `user|${String((req.body as { username?: unknown })?.username ?? '').toLowerCase()}`);
  const perAddress = loginLimiter(config.loginAddressRateLimit, (req) => `addr|${ipKeyGenerator(req.ip ?? '')}`);

  const cookieOpts = (req: Request) => ({
    httpOnly: true,
    sameSite: 'strict' as const,
    secure: config.cookieSecure === 'auto' ? req.secure : config.cookieSecure === 'true',
    path: '/',
    maxAge: config.sessionHours * 3600_000,
  });

  const loginSchema = z.object({ username: z.string().min(1).max(64), password: z.string().min(1).max(200) });
  r.post('/api/auth/login', perAddress, perUsername, route(async (req: Request, res: Response) => {
    const input = validate(loginSchema, req.body);
    if (!input.ok) return input;
    const a = (await db.query<{ id: number; password_hash: string; active: boolean }>(SQL.accountByUsername, [input.value.username])).rows[0];
    const good = await verifyPassword(a?.password_hash ?? (await dummyHash()), input.value.password);
    if (!a || !good || !a.active) {
      await audit(db, req, { action: 'login_failed', resource: 'account', actor: input.value.username, outcome: 'failed' });
      return fail('invalid_credentials', 'wrong username or password');
    }
    const secret = randomBytes(32).toString('base64url');
    const csrf = randomBytes(24).toString('base64url');
    await db.query(SQL.insertSession, [sha256(secret), a.id, csrf, config.sessionHours * 3600, req.ip ?? null,
      (req.get('user-agent') ?? '').slice(0, 300)]);
    res.cookie(SESSION_COOKIE, secret, cookieOpts(req));
    const { resolveScope } = await import('./scope.js');
    const row = (await db.query<{ id: number; username: string; display_name: string; role: Principal['role']; division_code: string | null; grid_id: number | null; department_id: number | null; must_change_password: boolean }>(SQL.accountById, [a.id])).rows[0]!;
    req.principal = {
      kind: 'account', id: row.id, name: row.username, displayName: row.display_name, role: row.role,
      binding: row, scope: await resolveScope(db, row), via: 'session', csrfToken: csrf,
      mustChangePassword: row.must_change_password,
    };
    await audit(db, req, { action: 'login', resource: 'account', resourceId: a.id });
    // Scripts may log in and use the cookie; the CSRF token comes back in the body and a header.
    res.setHeader(CSRF_HEADER, csrf);
    return ok({ account: presentPrincipal(req.principal) });
  }));

  r.post('/api/auth/logout', guard('read', 'map', { allowPasswordChange: true }), route(async (req, res) => {
    const p = principalOf(req);
    if (p.sessionId) await db.query(SQL.deleteSession, [p.sessionId]);
    res.clearCookie(SESSION_COOKIE, { path: '/' });
    await audit(db, req, { action: 'logout', resource: 'account', resourceId: p.id });
    // The session's live sockets end with it.
    if (p.sessionId) bus.publish('auth.revoked', { sessionId: p.sessionId });
    return ok({ ok: true });
  }));

  r.get('/api/auth/me', (req, res) => {
    if (!req.principal) return sendError(res, fail('unauthorized', 'not logged in').error);
    res.json({ account: presentPrincipal(req.principal) });
  });

  const pwSchema = z.object({ currentPassword: z.string().min(1).max(200), newPassword: z.string().min(1).max(200) });
  r.post('/api/auth/password', guard('read', 'map', { allowPasswordChange: true }), route(async (req) => {
    const p = principalOf(req);
    if (p.kind !== 'account') return fail('forbidden', 'tokens have no password');
    const input = validate(pwSchema, req.body);
    if (!input.ok) return input;
    const a = (await db.query<{ password_hash: string }>(SQL.accountByUsername, [p.name])).rows[0]!;
    if (!(await verifyPassword(a.password_hash, input.value.currentPassword))) {
      await audit(db, req, { action: 'password_change', resource: 'account', resourceId: p.id, outcome: 'failed' });
      return fail('invalid_credentials', 'current password is wrong');
    }
    // The current password was just verified, so equality means reuse (e.g. keeping the initial one).
    if (input.value.newPassword === input.value.currentPassword) {
      return fail('password_reused', 'the new password must differ from the current one');
    }
    const weak = passwordWeakness(input.value.newPassword);
    if (weak) return fail('weak_password', weak);
    await db.query(SQL.setPassword, [p.id, await hashPassword(input.value.newPassword)]);
    // Other sessions of this account end; this one stays.
    await db.query(SQL.deleteAccountSessions, [p.id, p.sessionId ?? null]);
    await audit(db, req, { action: 'password_change', resource: 'account', resourceId: p.id });
    bus.publish('auth.revoked', { accountId: p.id, ...(p.sessionId ? { exceptSessionId: p.sessionId } : {}) });
    return ok({ ok: true });
  }));
  return r;
}

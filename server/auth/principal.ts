// Who is asking: an account (cookie session) or a token (Authorization: Bearer, kiosk or api).
import { createHash, randomBytes } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { can, type Action, type Resource, type Role } from '../../core/permissions.js';
import type { Db, Queryable } from '../db/db.js';
import { isOutOfSpace } from '../db/errors.js';
import { loadSql } from '../db/sql.js';
import { fail, ok, sendError, type Result } from '../http/errors.js';
import { resolveScope, type Binding, type Scope } from './scope.js';

export const SQL = loadSql(new URL('./auth.sql', import.meta.url), [
  'accountByUsername', 'accountById', 'countAccounts', 'insertAccount', 'insertSession', 'sessionLookup',
  'deleteSession', 'deleteAccountSessions', 'tokenLookup', 'touchToken', 'insertAudit', 'setPassword',
]);

export const SESSION_COOKIE = 'gc_session';
export const CSRF_HEADER = 'x-csrf-token';

export interface Principal {
  kind: 'account' | 'token';
  id: number;
  name: string;
  displayName: string;
  role: Role;
  binding: Binding;
  scope: Scope;
  via: 'session' | 'bearer';
  tokenKind?: 'api' | 'kiosk';
  sessionId?: string;
  csrfToken?: string;
  mustChangePassword: boolean;
}

declare module 'express-serve-static-core' {
  interface Request {
    principal?: Principal;
  }
}

export const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
export const newSecret = (prefix: string) => `${prefix}_${randomBytes(24).toString('base64url')}`;

/** What a caller presents: a session cookie's secret and/or a bearer token (null = not sent). */
export interface Credentials {
  cookie?: string | null;
  bearer?: string | null;
}

const TOKEN_SHAPE = /^[A-Za-z0-9_\-.]{10,200}$/;

type TokenRow = Binding & { id: number; name: string; kind: 'api' | 'kiosk'; role: Role };
type SessionRow = Binding & {
  session_id: string; csrf_token: string; id: number; username: string; display_name: string;
  role: Role; must_change_password: boolean;
};

/**
 * The one way credentials become a principal, for HTTP requests (authenticate) and socket
 * handshakes alike. A bearer token wins over a cookie; a malformed, unknown or revoked token is
 * `unauthorized`; no credentials, or a session that ended or expired (or whose account is
 * disabled), is no principal (ok(null)): whoever asks decides what needs one.
 */
export async function resolvePrincipal(db: Queryable, c: Credentials): Promise<Result<Principal | null>> {
  if (c.bearer != null) {
    if (!TOKEN_SHAPE.test(c.bearer)) return fail('unauthorized', 'malformed token');
    const t = (await db.query<TokenRow>(SQL.tokenLookup, [sha256(c.bearer)])).rows[0];
    if (!t) return fail('unauthorized', 'unknown or revoked token');
    // "Last used" is bookkeeping: on a full disk a token must still read (writes answer 503 themselves).
    await db.query(SQL.touchToken, [t.id]).catch((e: unknown) => { if (!isOutOfSpace(e)) throw e; });
    return ok({
      kind: 'token', id: t.id, name: t.name, displayName: t.name, role: t.role,
      binding: t, scope: await resolveScope(db, t), via: 'bearer', tokenKind: t.kind, mustChangePassword: false,
    });
  }
  if (c.cookie) {
    const s = (await db.query<SessionRow>(SQL.sessionLookup, [sha256(c.cookie)])).rows[0];
    if (s) {
      return ok({
        kind: 'account', id: s.id, name: s.username, displayName: s.display_name, role: s.role,
        binding: s, scope: await resolveScope(db, s), via: 'session', sessionId: s.session_id,
        csrfToken: s.csrf_token, mustChangePassword: s.must_change_password,
      });
    }
  }
  return ok(null);
}

/** The bearer token of an Authorization header: null without the header, '' when it is not a Bearer one. */
function bearerOf(header: string | undefined): string | null {
  if (header == null) return null;
  return /^Bearer\s+(\S+)$/.exec(header.trim())?.[1] ?? '';
}

/** Identify the principal; never rejects by itself (guards do). A malformed or unknown token is 401. */
export function authenticate(db: Db) {
  return async (req: Request, res: Response, next: NextFunction) => {
    try {
      const found = await resolvePrincipal(db, {
        bearer: bearerOf(req.headers.authorization),
        cookie: req.cookies?.[SESSION_COOKIE] as string | undefined,
      });
      if (!found.ok) return sendError(res, found.error);
      if (found.value) req.principal = found.value;
      next();
    } catch (e) {
      next(e);
    }
  };
}

/**
 * The rules every entrance applies to a principal, HTTP guards and socket handshakes alike: 401
 * without one, 403 password_change_required until a forced password change is done, 403 forbidden
 * when the role lacks the grant.
 */
export function permit(p: Principal | null | undefined, action: Action, resource: Resource,
  opts: { allowPasswordChange?: boolean } = {}): Result<Principal> {
  if (!p) return fail('unauthorized', 'log in or send a token');
  if (p.mustChangePassword && !opts.allowPasswordChange) return fail('password_change_required', 'change your password first');
  if (!can(p.role, action, resource)) return fail('forbidden', `role ${p.role} may not ${action} ${resource}`);
  return ok(p);
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * The one place permissions are checked: 401 without a principal, 403 when the role lacks the
 * grant, 403 csrf_failed for a cookie session's write without the CSRF header.
 */
export function guard(action: Action, resource: Resource, opts: { allowPasswordChange?: boolean } = {}) {
  return (req: Request, res: Response, next: NextFunction) => {
    const p = req.principal;
    if (!p) return sendError(res, fail('unauthorized', 'log in or send a token').error);
    if (p.via === 'session' && UNSAFE.has(req.method) && req.get(CSRF_HEADER) !== p.csrfToken) {
      return sendError(res, fail('csrf_failed', 'missing or wrong X-CSRF-Token header').error);
    }
    const allowed = permit(p, action, resource, opts);
    if (!allowed.ok) return sendError(res, allowed.error);
    next();
  };
}

/** For handlers behind guard(): the principal is there. */
export function principalOf(req: Request): Principal {
  if (!req.principal) throw new Error('principalOf called on a route without guard()');
  return req.principal;
}

export interface AuditEntry {
  action: string;
  resource: string;
  resourceId?: string | number | null;
  outcome?: 'ok' | 'denied' | 'failed';
  detail?: Record<string, unknown>;
  actor?: string;
}

/**
 * Write one audit row for something the server did on its own (the escalation clock): no account,
 * token, address or browser; the actor is the system's label.
 */
export async function auditSystem(db: Pick<Db, 'query'>, actor: string, e: Omit<AuditEntry, 'actor'>): Promise<void> {
  await db.query(SQL.insertAudit, [
    null, null, actor, e.action, e.resource, e.resourceId == null ? null : String(e.resourceId), e.outcome ?? 'ok',
    null, null, JSON.stringify(e.detail ?? {}),
  ]);
}

/** Write one audit row for the request's principal (or the given actor for failed logins). */
export async function audit(db: Pick<Db, 'query'>, req: Request, e: AuditEntry): Promise<void> {
  const p = req.principal;
  await db.query(SQL.insertAudit, [
    p?.kind === 'account' ? p.id : null,
    p?.kind === 'token' ? p.id : null,
    e.actor ?? p?.name ?? 'anonymous',
    e.action, e.resource, e.resourceId == null ? null : String(e.resourceId), e.outcome ?? 'ok',
    req.ip ?? null, (req.get('user-agent') ?? '').slice(0, 300), JSON.stringify(e.detail ?? {}),
  ]);
}

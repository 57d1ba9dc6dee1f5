// socket.io: clients authenticate like HTTP requests — the same resolvePrincipal() and permit()
// as the HTTP middleware and guards, from the session cookie or a token in `auth.token` — join
// rooms per division or grid inside their jurisdiction, and receive domain events as diffs in the
// rooms of every division an incident falls in. Only reacts to domain events: `auth.revoked`
// disconnects the sockets of ended sessions, disabled or changed accounts and revoked tokens;
// `grids.published` tells the screens of that community's divisions to reload their grids.
import type { IncomingMessage, Server as HttpServer } from 'node:http';
import { Server } from 'socket.io';
import { z } from 'zod';
import { roomForDivision, roomForGrid, type ClientToServerEvents, type ServerToClientEvents } from '../../core/events.js';
import type { Incident } from '../../core/types.js';
import { permit, resolvePrincipal, SESSION_COOKIE, type Credentials, type Principal } from '../auth/principal.js';
import { roomAllowed } from '../auth/scope.js';
import type { Db } from '../db/db.js';
import type { Result } from '../http/errors.js';
import type { SocketAdapter } from './adapter.js';
import { roomsForWarning } from '../warnings/rooms.js';
import type { DomainEvents, EventBus } from './bus.js';

const subscribeSchema = z.object({
  divisions: z.array(z.string().min(1).max(64)).max(200).optional(),
  grids: z.array(z.number().int().positive()).max(2000).optional(),
});

export function roomsForIncident(i: Incident): string[] {
  const rooms: string[] = [];
  for (const code of [i.districtCode, i.subdistrictCode, i.communityCode]) if (code) rooms.push(roomForDivision(code));
  if (i.gridId != null) rooms.push(roomForGrid(i.gridId));
  return rooms;
}

/** Rooms naming the credentials a socket was opened with (never joined or left by clients). */
const AUTH_ROOM = 'auth:';
const sessionRoom = (id: string) => `${AUTH_ROOM}session:${id}`;
const accountRoom = (id: number) => `${AUTH_ROOM}account:${id}`;
const tokenRoom = (id: number) => `${AUTH_ROOM}token:${id}`;
export function credentialRooms(p: Principal): string[] {
  if (p.kind === 'token') return [tokenRoom(p.id)];
  return [accountRoom(p.id), ...(p.sessionId ? [sessionRoom(p.sessionId)] : [])];
}

function cookieValue(req: IncomingMessage, name: string): string | null {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) {
      try { return decodeURIComponent(part.slice(i + 1).trim()); } catch { return null; }
    }
  }
  return null;
}

/** The handshake's credentials: a token in `auth.token` (anything else there is malformed), else the session cookie. */
function handshakeCredentials(req: IncomingMessage, auth: unknown): Credentials {
  const token = (auth as { token?: unknown } | undefined)?.token;
  if (token !== undefined) return { bearer: typeof token === 'string' ? token : '' };
  return { cookie: cookieValue(req, SESSION_COOKIE) };
}

/** Who may watch incidents live: the HTTP rules for `read incident`, nothing else. */
async function admit(db: Db, c: Credentials): Promise<Result<Principal>> {
  const found = await resolvePrincipal(db, c);
  return found.ok ? permit(found.value, 'read', 'incident') : found;
}

/**
 * The socket handshake's Origin: none (a script or device with a token), the server's own (the
 * Host the page was loaded from, or X-Forwarded-Host behind a trusted proxy), or one of
 * ALLOWED_ORIGINS. Anything else is refused before any credential is read, so another site cannot
 * open a socket with a visitor's cookie.
 */
export function originAllowed(origin: string | undefined, hosts: readonly (string | undefined)[], allowed: readonly string[]): boolean {
  if (origin === undefined) return true;
  let u: URL;
  try {
    u = new URL(origin);
  } catch {
    return false;
  }
  const web = u.protocol === 'http:' || u.protocol === 'https:';
  if (web && hosts.some((h) => h !== undefined && h.trim().toLowerCase() === u.host)) return true;
  return allowed.includes(u.origin);
}

const firstHeader = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v)?.split(',')[0];

export interface SocketOptions {
  /** Origins allowed besides the server's own (config ALLOWED_ORIGINS), as `scheme://host[:port]`. */
  allowedOrigins?: readonly string[];
  /** Behind a trusted reverse proxy (TRUST_PROXY): its X-Forwarded-Host names the server too. */
  trustProxy?: boolean;
  /** How often open sockets' credentials are checked again (expired sessions), ms; default 60 s. */
  recheckMs?: number;
  /**
   * Rooms shared with other server processes (server/events/adapter.ts): every emit and
   * disconnectSockets() below then reaches their sockets too, so each domain event must be
   * published in one process only — the one whose command committed it.
   */
  adapter?: SocketAdapter | null;
  /** This process is a node cluster worker behind @socket.io/sticky's primary (WORKERS > 1). */
  stickyWorker?: (io: Server) => void;
}

interface SocketData {
  principal: Principal;
  credentials: Credentials;
}

export function attachSockets(http: HttpServer, db: Db, bus: EventBus, opts: SocketOptions = {}) {
  const allowedOrigins = opts.allowedOrigins ?? [];
  const io = new Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>(http, {
    serveClient: false,
    maxHttpBufferSize: 64 * 1024,
    allowRequest: (req, callback) => callback(null, originAllowed(req.headers.origin,
      [req.headers.host, ...(opts.trustProxy ? [firstHeader(req.headers['x-forwarded-host'])] : [])], allowedOrigins)),
  });
  opts.adapter?.install(io);
  opts.stickyWorker?.(io);

  io.use((socket, next) => {
    const credentials = handshakeCredentials(socket.request, socket.handshake.auth);
    admit(db, credentials)
      .then((p) => {
        if (!p.ok) {
          // The client sees the HTTP error code as the error's message and the full error as its data.
          const err = new Error(p.error.code) as Error & { data?: unknown };
          err.data = { code: p.error.code, message: p.error.message };
          return next(err);
        }
        socket.data.principal = p.value;
        socket.data.credentials = credentials;
        next();
      })
      .catch(next);
  });

  io.on('connection', (socket) => {
    void socket.join(credentialRooms(socket.data.principal));
    const handle = (join: boolean) => async (req: unknown, ack: unknown) => {
      const reply = typeof ack === 'function' ? (ack as (r: unknown) => void) : () => undefined;
      const parsed = subscribeSchema.safeParse(req);
      if (!parsed.success) {
        reply({ ok: false, rooms: [], error: { code: 'invalid_request', message: parsed.error.issues[0]?.message ?? 'invalid' } });
        return;
      }
      const codes = parsed.data.divisions ?? [];
      const grids = parsed.data.grids ?? [];
      // Unknown ids are refused, not silently joined; so is anything outside the jurisdiction.
      if (codes.length) {
        const known = await db.query<{ code: string }>('SELECT code FROM division WHERE code = ANY($1::text[])', [codes]);
        if (known.rows.length !== new Set(codes).size) {
          reply({ ok: false, rooms: [], error: { code: 'not_found', message: 'unknown division code' } });
          return;
        }
      }
      const scope = socket.data.principal.scope;
      if (join && (!codes.every((d) => roomAllowed(scope, { division: d })) || !grids.every((g) => roomAllowed(scope, { grid: g })))) {
        reply({ ok: false, rooms: [], error: { code: 'forbidden', message: 'outside your jurisdiction' } });
        return;
      }
      const rooms = [...codes.map(roomForDivision), ...grids.map(roomForGrid)];
      for (const r of rooms) {
        if (join) await socket.join(r);
        else await socket.leave(r);
      }
      reply({ ok: true, rooms: [...socket.rooms].filter((r) => r !== socket.id && !r.startsWith(AUTH_ROOM)) });
    };
    socket.on('subscribe', handle(true));
    socket.on('unsubscribe', handle(false));
  });

  const push = (kind: 'add' | 'update') => ({ incident, before }: DomainEvents['incident.updated']) => {
    const rooms = roomsForIncident(incident);
    if (rooms.length) io.to(rooms).emit('incidents:diff', { add: kind === 'add' ? [incident] : [], update: kind === 'update' ? [incident] : [], remove: [] });
    // A case that moved (派往指定网格, 定位落图) leaves the screens of the grid or divisions it left.
    const left = before ? roomsForIncident({ ...incident, ...before }).filter((r) => !rooms.includes(r)) : [];
    if (left.length) io.to(left).except(rooms).emit('incidents:diff', { add: [], update: [], remove: [incident.id] });
  };
  // Ended credentials: their sockets are disconnected now (the client does not reconnect by itself
  // after a server-side disconnect; a page that opens a new socket must present valid credentials).
  const revoke = (e: DomainEvents['auth.revoked']) => {
    const rooms = [
      ...(e.sessionId ? [sessionRoom(e.sessionId)] : []),
      ...(e.accountId != null ? [accountRoom(e.accountId)] : []),
      ...(e.tokenId != null ? [tokenRoom(e.tokenId)] : []),
    ];
    if (!rooms.length) return;
    const target = io.in(rooms);
    (e.exceptSessionId ? target.except(sessionRoom(e.exceptSessionId)) : target).disconnectSockets(true);
  };
  // A published grid layout: the screens of its community, subdistrict and district (and of the grids
  // named) reload their grid layers.
  const gridsPublished = async (e: DomainEvents['grids.published']) => {
    const up = await db.query<{ code: string }>(
      `WITH RECURSIVE up AS (SELECT code, parent_code FROM division WHERE code = $1
         UNION ALL SELECT d.code, d.parent_code FROM division d JOIN up ON d.code = up.parent_code)
       SELECT code FROM up`, [e.communityCode]);
    const diff = { add: e.grids?.add ?? [], update: e.grids?.update ?? [], remove: e.grids?.remove ?? [] };
    const rooms = [...up.rows.map((r) => roomForDivision(r.code)), ...[...diff.add, ...diff.update, ...diff.remove].map(roomForGrid)];
    if (rooms.length) io.to(rooms).emit('grids:changed', { communityCode: e.communityCode, versionId: e.versionId, ...diff });
  };
  const offs = [
    bus.subscribe('incident.created', push('add')),
    bus.subscribe('incident.updated', push('update')),
    bus.subscribe('auth.revoked', revoke),
    bus.subscribe('grids.published', (e) => { gridsPublished(e).catch(() => undefined); }), // the database did not answer: pages keep their grids
    // Trend early-warnings: each warning to its own rooms (a closed one leaves them).
    bus.subscribe('warnings.changed', (d) => {
      const send = (w: (typeof d.add)[number], diff: DomainEvents['warnings.changed']) => {
        const rooms = roomsForWarning(w);
        if (rooms.length) io.to(rooms).emit('warnings:diff', { add: diff.add, update: diff.update, remove: diff.remove });
      };
      for (const w of d.add) send(w, { add: [w], update: [], remove: [] });
      for (const w of d.update) send(w, { add: [], update: [w], remove: [] });
      for (const w of d.removed ?? []) send(w, { add: [], update: [], remove: [w.id] });
    }),
  ];

  // A safety net for what publishes no event (a session reaching its expiry, a grid redrawn under
  // a grid worker, a change made in the database directly): every socket's credentials are checked
  // again now and then with the handshake's rules. Credentials no longer valid lose the socket;
  // valid ones bound elsewhere now keep it but leave the rooms outside their new jurisdiction.
  const stillAllowed = (p: Principal, room: string): boolean => {
    const division = /^division:(.+)$/.exec(room);
    if (division) return roomAllowed(p.scope, { division: division[1]! });
    const grid = /^grid:(\d+)$/.exec(room);
    if (grid) return roomAllowed(p.scope, { grid: Number(grid[1]) });
    return true;
  };
  const recheck = async () => {
    for (const socket of [...io.of('/').sockets.values()]) {
      if (!socket.connected || !socket.data.principal) continue;
      const now = await admit(db, socket.data.credentials).catch(() => null);
      if (now === null) continue; // the database did not answer: not a revocation
      if (!now.ok) {
        socket.disconnect(true);
        continue;
      }
      socket.data.principal = now.value;
      for (const room of [...socket.rooms]) if (!stillAllowed(now.value, room)) await socket.leave(room);
    }
  };
  let rechecking = false;
  const timer = setInterval(() => {
    if (rechecking) return;
    rechecking = true;
    recheck().finally(() => { rechecking = false; });
  }, opts.recheckMs ?? 60_000);
  timer.unref();

  return {
    io,
    close: () => new Promise<void>((resolve) => {
      clearInterval(timer);
      offs.forEach((f) => f());
      io.close(() => { void (opts.adapter?.close() ?? Promise.resolve()).catch(() => undefined).then(() => resolve()); });
    }),
  };
}

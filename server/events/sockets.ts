// socket.io: clients authenticate like HTTP requests (session cookie or a token in
// `auth.token`), join rooms per division or grid inside their jurisdiction, and receive domain
// events as diffs in the rooms of every division an incident falls in. Only reacts to domain events.
import type { IncomingMessage, Server as HttpServer } from 'node:http';
import { Server } from 'socket.io';
import { z } from 'zod';
import { roomForDivision, roomForGrid, type ClientToServerEvents, type ServerToClientEvents } from '../../core/events.js';
import { can } from '../../core/permissions.js';
import type { Incident } from '../../core/types.js';
import { SESSION_COOKIE, SQL as AUTH_SQL, sha256, type Principal } from '../auth/principal.js';
import { resolveScope, roomAllowed, type Binding } from '../auth/scope.js';
import type { Db } from '../db/db.js';
import type { EventBus, IncidentPlace } from './bus.js';

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

function cookieValue(req: IncomingMessage, name: string): string | null {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) {
      try { return decodeURIComponent(part.slice(i + 1).trim()); } catch { return null; }
    }
  }
  return null;
}

type PrincipalRow = Binding & { id: number; role: Principal['role'] };

async function socketPrincipal(db: Db, req: IncomingMessage, token: unknown): Promise<Pick<Principal, 'role' | 'scope' | 'name'> | null> {
  if (typeof token === 'string' && token.length >= 10 && token.length <= 200) {
    const t = (await db.query<PrincipalRow & { name: string }>(AUTH_SQL.tokenLookup, [sha256(token)])).rows[0];
    return t ? { role: t.role, name: t.name, scope: await resolveScope(db, t) } : null;
  }
  const c = cookieValue(req, SESSION_COOKIE);
  if (!c) return null;
  const s = (await db.query<PrincipalRow & { username: string }>(AUTH_SQL.sessionLookup, [sha256(c)])).rows[0];
  return s ? { role: s.role, name: s.username, scope: await resolveScope(db, s) } : null;
}

export function attachSockets(http: HttpServer, db: Db, bus: EventBus) {
  const io = new Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, { principal: Pick<Principal, 'role' | 'scope' | 'name'> }>(http, {
    serveClient: false,
    maxHttpBufferSize: 64 * 1024,
  });

  io.use((socket, next) => {
    socketPrincipal(db, socket.request, (socket.handshake.auth as { token?: unknown } | undefined)?.token)
      .then((p) => {
        if (!p || !can(p.role, 'read', 'incident')) return next(new Error('unauthorized'));
        socket.data.principal = p;
        next();
      })
      .catch(next);
  });

  io.on('connection', (socket) => {
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
      reply({ ok: true, rooms: [...socket.rooms].filter((r) => r !== socket.id) });
    };
    socket.on('subscribe', handle(true));
    socket.on('unsubscribe', handle(false));
  });

  const push = (kind: 'add' | 'update') => ({ incident, before }: { incident: Incident; before?: IncidentPlace }) => {
    const rooms = roomsForIncident(incident);
    if (rooms.length) io.to(rooms).emit('incidents:diff', { add: kind === 'add' ? [incident] : [], update: kind === 'update' ? [incident] : [], remove: [] });
    // A case that moved (派往指定网格, 定位落图) leaves the screens of the grid or divisions it left.
    const left = before ? roomsForIncident({ ...incident, ...before }).filter((r) => !rooms.includes(r)) : [];
    if (left.length) io.to(left).except(rooms).emit('incidents:diff', { add: [], update: [], remove: [incident.id] });
  };
  const offs = [bus.subscribe('incident.created', push('add')), bus.subscribe('incident.updated', push('update'))];

  return {
    io,
    close: () => new Promise<void>((resolve) => {
      offs.forEach((f) => f());
      io.close(() => resolve());
    }),
  };
}

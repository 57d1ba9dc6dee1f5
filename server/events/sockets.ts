// socket.io: clients join rooms per division (and grid); domain events are pushed as diffs to the
// rooms of every division an incident falls in. Only reacts to domain events.
import type { Server as HttpServer } from 'node:http';
import { Server } from 'socket.io';
import { z } from 'zod';
import { roomForDivision, roomForGrid, type ClientToServerEvents, type ServerToClientEvents } from '../../core/events.js';
import type { Incident } from '../../core/types.js';
import type { Db } from '../db/db.js';
import type { EventBus } from './bus.js';

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

export function attachSockets(http: HttpServer, db: Db, bus: EventBus) {
  const io = new Server<ClientToServerEvents, ServerToClientEvents>(http, {
    serveClient: false,
    maxHttpBufferSize: 64 * 1024,
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
      // Unknown ids are refused, not silently joined.
      if (codes.length) {
        const known = await db.query<{ code: string }>('SELECT code FROM division WHERE code = ANY($1::text[])', [codes]);
        if (known.rows.length !== new Set(codes).size) {
          reply({ ok: false, rooms: [], error: { code: 'not_found', message: 'unknown division code' } });
          return;
        }
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

  const push = (kind: 'add' | 'update') => ({ incident }: { incident: Incident }) => {
    const rooms = roomsForIncident(incident);
    if (rooms.length === 0) return;
    io.to(rooms).emit('incidents:diff', { add: kind === 'add' ? [incident] : [], update: kind === 'update' ? [incident] : [], remove: [] });
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

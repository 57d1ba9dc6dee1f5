// A live screen as the browser runs it (client/src/api/socket.ts), for the scale-out test and
// benchmark: a socket.io client that subscribes to its rooms on every (re)connect and then catches
// up over HTTP with `GET /api/incidents?since=<server time of its last fetch>`. It records every
// case it received live (to count losses and duplicates) and every case it knows of.
import { io as connect, type Socket } from 'socket.io-client';
import type { IncidentView } from '../../core/contract.js';
import type { ClientToServerEvents, ServerToClientEvents, SubscribeAck, SubscribeRequest } from '../../core/events.js';

type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export interface LiveClient {
  name: string;
  socket: ClientSocket;
  /** Live `add` deliveries per case id (a count above 1 is a duplicate). */
  adds: Map<number, number>;
  /** Cases known from live diffs and HTTP catch-ups. */
  known: Set<number>;
  /** Cases learnt only from an HTTP catch-up (missed while disconnected). */
  caughtUp: Set<number>;
  /** Successful subscriptions (1 + reconnects). */
  subscriptions: number;
  /** Resolves after the first subscription and its catch-up. */
  ready: Promise<void>;
  /** Called for each live add with the case (latency measurements). */
  onAdd?: (i: IncidentView, at: number) => void;
  /** Catch-ups finished (one per subscription). */
  catchUps: number;
  close(): void;
}

export interface LiveClientOptions {
  name: string;
  /** Where the client connects: a server or the front in front of it. */
  url: string;
  token: string;
  rooms: SubscribeRequest;
  /** Milliseconds before a reconnect attempt (default 300). */
  reconnectMs?: number;
  /** Engine.IO transports (default WebSocket only; ['polling'] exercises sticky sessions). */
  transports?: ('websocket' | 'polling')[];
  /** Skip the HTTP catch-up (benchmarks with many clients). */
  noCatchUp?: boolean;
}

export function liveClient(o: LiveClientOptions): LiveClient {
  const socket: ClientSocket = connect(o.url, {
    transports: o.transports ?? ['websocket'], upgrade: false, forceNew: true, auth: { token: o.token },
    reconnection: true, reconnectionDelay: o.reconnectMs ?? 300, reconnectionDelayMax: o.reconnectMs ?? 300, randomizationFactor: 0,
  });
  let lastNow: string | undefined;
  let resolveReady: () => void = () => undefined;
  let rejectReady: (e: Error) => void = () => undefined;
  const c: LiveClient = {
    name: o.name, socket, adds: new Map(), known: new Set(), caughtUp: new Set(), subscriptions: 0, catchUps: 0,
    ready: new Promise<void>((res, rej) => { resolveReady = res; rejectReady = rej; }),
    close: () => { socket.close(); },
  };
  const fetchSince = async () => {
    const q = new URLSearchParams({ limit: '500', ...(lastNow ? { since: lastNow } : {}) });
    const r = await fetch(`${o.url}/api/incidents?${q}`, { headers: { Authorization: `Bearer ${o.token}` } });
    if (r.status !== 200) throw new Error(`${o.name}: catch-up ${r.status} ${await r.text()}`);
    const body = (await r.json()) as { incidents: IncidentView[]; now: string };
    for (const i of body.incidents) {
      if (!c.known.has(i.id)) c.caughtUp.add(i.id);
      c.known.add(i.id);
    }
    lastNow = body.now;
  };
  socket.on('incidents:diff', (d) => {
    const at = performance.now();
    for (const i of d.add) {
      c.adds.set(i.id, (c.adds.get(i.id) ?? 0) + 1);
      c.known.add(i.id);
      c.onAdd?.(i, at);
    }
    for (const i of d.update) c.known.add(i.id);
  });
  socket.on('connect', () => {
    socket.timeout(10_000).emit('subscribe', o.rooms, (err: Error | null, ack: SubscribeAck) => {
      if (err || !ack.ok) {
        rejectReady(new Error(`${o.name}: subscribe failed: ${err?.message ?? ack.error?.code}`));
        return;
      }
      c.subscriptions++;
      if (o.noCatchUp) {
        c.catchUps++;
        resolveReady();
        return;
      }
      // As the browser: catch up after every subscription (the first is the initial load).
      fetchSince().then(() => { c.catchUps++; resolveReady(); }, (e: Error) => rejectReady(e));
    });
  });
  return c;
}

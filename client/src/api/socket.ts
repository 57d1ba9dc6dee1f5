// Typed socket.io client: subscribes to division rooms and feeds incident diffs into an IncidentStore.
import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents, SubscribeAck } from '../../../core/events.js';
import type { Api } from './http.js';
import type { IncidentStore } from './incident-store.js';

export type GcSocket = Socket<ServerToClientEvents, ClientToServerEvents>;
export type LiveStatus = 'connecting' | 'live' | 'offline';

export interface LiveIncidentsOptions {
  api: Api;
  store: IncidentStore;
  divisions: string[];
  /** Most incidents fetched at start. */
  limit?: number;
  onStatus?: (s: LiveStatus) => void;
  /** Socket.io URL; same origin by default. */
  url?: string;
}

/**
 * Initial HTTP load + live socket diffs. After every (re)connect it re-subscribes and catches up
 * over HTTP with `since` = the server time of the last successful fetch, so nothing is missed.
 */
export function startLiveIncidents(opts: LiveIncidentsOptions): { socket: GcSocket; initial: Promise<void>; close(): void } {
  const { api, store, divisions } = opts;
  const division = divisions[0];
  let lastNow: string | undefined;
  let closed = false;

  const fetchSince = async (since?: string) => {
    const res = await api.incidents({ since, division, limit: opts.limit ?? 300 });
    store.merge(res.incidents);
    lastNow = res.now;
  };

  const initial = fetchSince(undefined);
  // Default transports (HTTP long-polling, upgraded to WebSocket): works behind proxies that block WebSockets.
  const socket: GcSocket = opts.url ? io(opts.url) : io();
  opts.onStatus?.('connecting');

  socket.on('incidents:diff', (diff) => {
    store.apply(diff, true);
  });

  socket.on('connect', () => {
    socket
      .timeout(5000)
      .emit('subscribe', { divisions }, (err: Error | null, ack: SubscribeAck) => {
        if (closed) return;
        if (err || !ack?.ok) {
          console.warn('[gc] subscribe failed', err ?? ack?.error);
          opts.onStatus?.('offline');
          return;
        }
        opts.onStatus?.('live');
        // Catch up on anything created between the last fetch and this subscription
        // (the initial load racing the first subscribe, or time spent disconnected).
        initial
          .catch(() => undefined)
          .then(() => fetchSince(lastNow))
          .catch((e) => console.warn('[gc] catch-up failed', e));
      });
  });
  socket.on('disconnect', () => opts.onStatus?.('offline'));
  socket.on('connect_error', () => opts.onStatus?.('offline'));


  return {
    socket,
    initial,
    close() {
      closed = true;
      socket.close();
    },
  };
}

// Live cases for the wall: the shared live client (client/src/api/socket.ts: an HTTP load, then
// socket.io diffs in the rooms of the caller's jurisdiction — with the kiosk token on a kiosk wall —
// and after every reconnect a catch-up over HTTP from the server time of the last fetch, so
// nothing is missed). The store applies every case by id (newest version wins), so nothing is
// shown twice; here it is also capped, so a wall that runs for weeks keeps a bounded memory.
import { api } from '../../api/http.js';
import { IncidentStore } from '../../api/incident-store.js';
import { startLiveIncidents, type GcSocket, type LiveStatus } from '../../api/socket.js';

export interface WallLive {
  store: IncidentStore;
  socket: GcSocket;
  initial: Promise<void>;
  /** Reconnects so far (for the status line and tests). */
  reconnects: number;
  close(): void;
}

/** The store keeps at most this many cases (newest first); the ticker and alerts need far fewer. */
export const STORE_CAP = 1500;

export function startLive(opts: { divisions: string[]; onStatus: (s: LiveStatus) => void; limit?: number }): WallLive {
  const store = new IncidentStore();
  const live = startLiveIncidents({ api, store, divisions: opts.divisions, limit: opts.limit ?? 400, onStatus: opts.onStatus });
  const out: WallLive = { store, socket: live.socket, initial: live.initial, reconnects: 0, close: live.close };
  let connected = false;
  live.socket.on('connect', () => {
    if (connected) out.reconnects++;
    connected = true;
  });
  // Drop the oldest cases beyond the cap (they stay on the server and in the heat map's columns).
  store.subscribe(() => {
    if (store.size <= STORE_CAP) return;
    const old = store.list().slice(STORE_CAP).map((i) => i.id);
    queueMicrotask(() => store.apply({ add: [], update: [], remove: old }, false));
  });
  return out;
}

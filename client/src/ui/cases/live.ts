// Cases kept current on a page: the shell's live socket (startLiveIncidents: initial load,
// jurisdiction rooms, diffs, catch-up after reconnect) feeding an IncidentStore, plus loads of
// the states a screen needs however old they are (open cases of last month are still work).
import { api } from '../../api/http.js';
import type { IncidentStore } from '../../api/incident-store.js';
import { startLiveIncidents, type GcSocket, type LiveStatus } from '../../api/socket.js';
import { caseApi } from './case-api.js';
import type { ServerClock } from './model.js';

export interface CaseFeedOptions {
  store: IncidentStore;
  clock: ServerClock;
  /** The district code (the socket fits it to the jurisdiction). */
  district: string;
  /** State sets loaded in full at start, each with its limit. */
  loads: { state: string[]; limit: number }[];
  onStatus?: (s: LiveStatus) => void;
}

export interface CaseFeed {
  /** Resolves after the first loads (rejects if they failed). */
  initial: Promise<void>;
  /** Load again (after coming back online, or by hand). */
  refresh(): Promise<void>;
  close(): void;
  /** The page's live socket (other live events, e.g. warnings:diff, ride on it). */
  socket: GcSocket;
}

export function startCaseFeed(o: CaseFeedOptions): CaseFeed {
  const live = startLiveIncidents({ api, store: o.store, divisions: [o.district], limit: 500, onStatus: o.onStatus });
  const loadAll = async () => {
    const lists = await Promise.all(o.loads.map((l) => caseApi.list({ state: l.state, limit: l.limit })));
    for (const l of lists) {
      o.clock.sync(l.now);
      o.store.merge(l.incidents);
    }
  };
  const initial = Promise.all([live.initial, loadAll()]).then(() => undefined);
  return { initial, refresh: loadAll, close: () => live.close(), socket: live.socket };
}


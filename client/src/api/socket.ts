// Typed socket.io client: subscribes to the rooms of the principal's jurisdiction and feeds
// incident diffs into an IncidentStore. In kiosk mode the tab's token goes in `auth.token`.
import { io, type ManagerOptions, type Socket, type SocketOptions } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents, SubscribeAck, SubscribeRequest } from '../../../core/events.js';
import { currentAccount, kioskToken, type Account, type Api } from './http.js';
import type { IncidentStore } from './incident-store.js';

export type GcSocket = Socket<ServerToClientEvents, ClientToServerEvents>;
/** 'polling': no live room for this principal (a department); incidents are re-fetched periodically. */
export type LiveStatus = 'connecting' | 'live' | 'offline' | 'polling';

export interface LiveIncidentsOptions {
  api: Api;
  store: IncidentStore;
  /** Division codes the page wants (usually the district code); fitted to the jurisdiction. */
  divisions: string[];
  /** Grid ids the page wants, in addition. */
  grids?: number[];
  /** Most incidents fetched at start. */
  limit?: number;
  onStatus?: (s: LiveStatus) => void;
  /** Socket.io URL; same origin by default. */
  url?: string;
  /** Who is asking (default: GET /api/auth/me of this tab, shared with the header). */
  account?: () => Promise<Account | null>;
  /** Re-fetch interval for principals without live rooms, ms (default 30 s). */
  pollMs?: number;
}

/** Socket options of this tab: the kiosk token as `auth.token` (cookie sessions need nothing). */
export function socketOptions(): Partial<ManagerOptions & SocketOptions> {
  const token = kioskToken();
  return token ? { auth: { token } } : {};
}

/**
 * The subscriptions to try, in order, for what the page asked and who is asking: everything for
 * the whole district; a division's own code for division staff (after what the page asked, which
 * may be a narrower division inside it); the grid for a grid worker; nothing for a department
 * (departments follow their own case list; the server refuses them map rooms).
 */
export function subscriptionPlan(account: Pick<Account, 'scope'> | null, want: SubscribeRequest): SubscribeRequest[] {
  const scope = account?.scope;
  if (!scope || scope.kind === 'all') return [want];
  switch (scope.kind) {
    case 'division': {
      const own: SubscribeRequest = { divisions: [scope.code] };
      const asks = want.divisions ?? [];
      if (asks.length === 1 && asks[0] === scope.code && !want.grids?.length) return [own];
      return [want, own];
    }
    case 'grid':
      return [{ grids: [scope.gridId] }];
    case 'department':
      return [];
  }
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
  let pollTimer: ReturnType<typeof setInterval> | undefined;

  const fetchSince = async (since?: string) => {
    const res = await api.incidents({ since, division, limit: opts.limit ?? 300 });
    store.merge(res.incidents);
    lastNow = res.now;
  };

  const initial = fetchSince(undefined);
  const plan = (opts.account ?? (() => currentAccount()))()
    .catch(() => null)
    .then((a) => subscriptionPlan(a, { divisions, ...(opts.grids?.length ? { grids: opts.grids } : {}) }));
  // Default transports (HTTP long-polling, upgraded to WebSocket): works behind proxies that block WebSockets.
  // Connects once the plan is known (a principal without live rooms does not connect at all).
  const sockOpts = { ...socketOptions(), autoConnect: false };
  const socket: GcSocket = opts.url ? io(opts.url, sockOpts) : io(sockOpts);
  opts.onStatus?.('connecting');
  void plan.then((steps) => {
    if (closed) return;
    if (steps.length) {
      socket.connect();
      return;
    }
    // No live room for this principal: keep the list fresh over HTTP instead.
    opts.onStatus?.('polling');
    pollTimer = setInterval(() => {
      if (!closed) fetchSince(lastNow).catch((e) => console.warn('[gc] incident refresh failed', e));
    }, opts.pollMs ?? 30_000);
  });

  socket.on('incidents:diff', (diff) => {
    store.apply(diff, true);
  });

  const subscribe = (req: SubscribeRequest) =>
    new Promise<SubscribeAck>((resolve) => {
      socket.timeout(5000).emit('subscribe', req, (err: Error | null, ack: SubscribeAck) => {
        resolve(err ? { ok: false, rooms: [], error: { code: 'timeout', message: err.message } } : ack);
      });
    });

  socket.on('connect', async () => {
    const steps = await plan;
    if (closed) return;
    let ack: SubscribeAck | undefined;
    for (const req of steps) {
      ack = await subscribe(req);
      if (closed) return;
      if (ack?.ok || ack?.error?.code !== 'forbidden') break;
    }
    if (!ack?.ok) {
      console.warn('[gc] subscribe failed', ack?.error);
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
  socket.on('disconnect', () => opts.onStatus?.('offline'));
  socket.on('connect_error', () => opts.onStatus?.('offline'));

  return {
    socket,
    initial,
    close() {
      closed = true;
      if (pollTimer) clearInterval(pollTimer);
      socket.close();
    },
  };
}

// The phone page's service worker (/mobile-sw.js, scope /mobile): lets 小屏办 reload with no network.
//
// - Precache (workbox-precaching): the page's HTML, JS chunks, CSS and assets, listed at build time
//   from the bundle graph by vite.config.ts (mobilePrecache plugin → client/src/sw/precache-manifest.ts)
//   and injected here as __GC_PRECACHE__. Served cache first. A new build is a new manifest: the
//   new worker installs it, takes over at once, and drops files the new build no longer has.
// - Runtime (workbox-strategies NetworkFirst): GET /api/… and /tiles/… the page makes, network
//   first, falling back to the cache — one cache per account; the page says who is logged in
//   (message 'account'), and nothing is cached or served from cache until it has.
// - Never touched: POST/PUT/PATCH/DELETE (the outbox sends reports itself), /api/auth/*, the
//   socket, live catch-ups (routes.ts decides).
import { cacheNames, clientsClaim, setCacheNameDetails } from 'workbox-core';
import { CacheableResponsePlugin } from 'workbox-cacheable-response';
import { ExpirationPlugin } from 'workbox-expiration';
import { cleanupOutdatedCaches, createHandlerBoundToURL, getCacheKeyForURL, precacheAndRoute } from 'workbox-precaching';
import { NavigationRoute, registerRoute } from 'workbox-routing';
import { NetworkFirst } from 'workbox-strategies';
import type { PrecacheEntry } from './precache-manifest.js';
import { accountOfCache, apiCacheName, classify, nextAccount, PAGE_URL, staleCaches } from './routes.js';

// The DOM lib has no service-worker types (and cannot be mixed with the WebWorker lib in one
// program): the little this file uses, declared here.
interface ExtendableEvent extends Event {
  waitUntil(p: Promise<unknown>): void;
}
interface ExtendableMessageEvent extends ExtendableEvent {
  readonly data: unknown;
  readonly ports: readonly MessagePort[];
}
interface SwGlobal {
  readonly location: Location;
  skipWaiting(): Promise<void>;
  addEventListener(type: 'install' | 'activate', fn: (e: ExtendableEvent) => void): void;
  addEventListener(type: 'message', fn: (e: ExtendableMessageEvent) => void): void;
}
declare const self: SwGlobal;
declare const __GC_PRECACHE__: PrecacheEntry[];
declare const __GC_SW_VERSION__: string;

/** Messages from the page (client/src/pages/mobile/offline.ts), each answered on its port. */
export type SwRequest =
  | { type: 'account'; account: string | null; verified: boolean }
  | { type: 'logout' }
  | { type: 'warm'; urls: string[] }
  | { type: 'status' };

export interface SwStatus {
  version: string;
  account: string | null;
  precacheTotal: number;
  precacheMissing: number;
}
export interface WarmResult {
  account: string | null;
  cached: number;
  present: number;
  /** Refused by the server (a merged case's 404, a 403): nothing to keep, and not a failure. */
  refused: number;
  /** Network errors and server errors: not kept yet. */
  failed: string[];
}

const MANIFEST = __GC_PRECACHE__;
const VERSION = __GC_SW_VERSION__;
const META_CACHE = 'gc-mobile-meta-v1';
const ACCOUNT_KEY = '/__gc-mobile-sw/account';

setCacheNameDetails({ prefix: 'gc-mobile', suffix: 'v1', precache: 'precache', runtime: 'runtime' });

// ---------------------------------------------------------------------------------------------
// Lifecycle: a new build takes over at once; caches of older schemes are dropped.

self.addEventListener('install', () => {
  void self.skipWaiting();
});
clientsClaim();
cleanupOutdatedCaches();
self.addEventListener('activate', (e) => {
  e.waitUntil((async () => {
    const keep = [cacheNames.precache, META_CACHE];
    for (const name of staleCaches(await caches.keys(), keep)) await caches.delete(name);
  })());
});

// ---------------------------------------------------------------------------------------------
// Precache and the page itself

precacheAndRoute(MANIFEST, { cleanURLs: true, ignoreURLParametersMatching: [/.*/] });
registerRoute(new NavigationRoute(createHandlerBoundToURL(PAGE_URL), {
  allowlist: [/^\/mobile(?:\.html)?(?:\?.*)?$/],
}));

// ---------------------------------------------------------------------------------------------
// Who is logged in (kept in a cache, because the browser stops idle service workers)

let account: string | null | undefined;

async function currentAccount(): Promise<string | null> {
  if (account === undefined) {
    try {
      const res = await (await caches.open(META_CACHE)).match(ACCOUNT_KEY);
      account = res ? ((await res.json()) as { account: string | null }).account : null;
    } catch {
      account = null;
    }
  }
  return account;
}

async function storeAccount(a: string | null): Promise<void> {
  account = a;
  await (await caches.open(META_CACHE)).put(ACCOUNT_KEY, new Response(JSON.stringify({ account: a }), { headers: { 'content-type': 'application/json' } }));
}

const strategies = new Map<string, { strategy: NetworkFirst; expiration: ExpirationPlugin }>();
function forAccount(a: string): { strategy: NetworkFirst; expiration: ExpirationPlugin } {
  let s = strategies.get(a);
  if (!s) {
    const expiration = new ExpirationPlugin({ maxEntries: 4000, maxAgeSeconds: 30 * 24 * 3600, purgeOnQuotaError: true });
    s = {
      expiration,
      strategy: new NetworkFirst({
        cacheName: apiCacheName(a),
        // A weak signal: after a few seconds show the last answer rather than nothing.
        networkTimeoutSeconds: 6,
        plugins: [new CacheableResponsePlugin({ statuses: [200, 204] }), expiration],
      }),
    };
    strategies.set(a, s);
  }
  return s;
}

async function dropAccountCaches(keep: string | null): Promise<void> {
  for (const name of await caches.keys()) {
    const a = accountOfCache(name);
    if (a === null || a === keep) continue;
    await forAccount(a).expiration.deleteCacheAndMetadata().catch(() => caches.delete(name));
    strategies.delete(a);
  }
}

// ---------------------------------------------------------------------------------------------
// Runtime: the page's own GETs

registerRoute(
  ({ request }) => classify({ method: request.method, url: request.url, mode: request.mode }, self.location.origin) === 'runtime',
  async ({ request, event }) => {
    const a = await currentAccount();
    if (!a) return fetch(request); // nobody confirmed yet: no cache at all
    return forAccount(a).strategy.handle({ request, event });
  },
);

// ---------------------------------------------------------------------------------------------
// Messages from the page

async function warm(urls: string[], event: ExtendableEvent): Promise<WarmResult> {
  const a = await currentAccount();
  const out: WarmResult = { account: a, cached: 0, present: 0, refused: 0, failed: [] };
  if (!a) return out;
  const cache = await caches.open(apiCacheName(a));
  const todo = [...new Set(urls.map((u) => new URL(u, self.location.origin).href))]
    .filter((u) => classify({ method: 'GET', url: u, mode: 'cors' }, self.location.origin) === 'runtime');
  const worker = async () => {
    for (let u = todo.shift(); u; u = todo.shift()) {
      if (await cache.match(u)) {
        out.present++;
        continue;
      }
      try {
        const [response, done] = forAccount(a).strategy.handleAll({ request: new Request(u, { credentials: 'same-origin' }), event });
        const res = await response;
        await done;
        if ((res.status === 200 || res.status === 204) && (await cache.match(u))) out.cached++;
        else if (res.status >= 400 && res.status < 500) out.refused++;
        else out.failed.push(`${res.status} ${u}`);
      } catch (e) {
        out.failed.push(`${(e as Error).message} ${u}`);
      }
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
  return out;
}

async function status(): Promise<SwStatus> {
  const precache = await caches.open(cacheNames.precache);
  let missing = 0;
  for (const e of MANIFEST) {
    const key = getCacheKeyForURL(e.url);
    if (!key || !(await precache.match(key))) missing++;
  }
  return { version: VERSION, account: await currentAccount(), precacheTotal: MANIFEST.length, precacheMissing: missing };
}

self.addEventListener('message', (e) => {
  const msg = e.data as SwRequest | null;
  const port = e.ports[0];
  if (!msg || typeof msg !== 'object' || !port) return;
  const answer = async (): Promise<unknown> => {
    switch (msg.type) {
      case 'account': {
        const next = nextAccount(await currentAccount(), msg);
        if (next.dropOthers) await dropAccountCaches(next.account);
        await storeAccount(next.account);
        return { account: next.account };
      }
      case 'logout': {
        await storeAccount(null);
        await dropAccountCaches(null);
        return { account: null };
      }
      case 'warm':
        return warm(Array.isArray(msg.urls) ? msg.urls.filter((u) => typeof u === 'string') : [], e);
      case 'status':
        return status();
      default:
        return { error: 'unknown message' };
    }
  };
  e.waitUntil(answer().then((r) => port.postMessage(r), (err: unknown) => port.postMessage({ error: String((err as Error)?.message ?? err) })));
});

// What the phone page's service worker does with a request. Pure: used by client/src/sw/mobile-sw.ts
// and its unit test.
//
// - 'page':    a navigation to the phone page (/mobile, /mobile.html): the precached HTML.
// - 'runtime': a GET of the page's own data (/api/…, /tiles/…): network first, falling back to the
//              cache of the logged-in account.
// - 'bypass':  everything else goes to the network untouched — every POST/PUT/PATCH/DELETE (the
//              outbox owns sending), sign-in/out and "who am I", the socket, live catch-ups
//              (`since=`), other origins, other pages.
// Precached build files are answered by workbox-precaching's own route before this one is asked.

export type RouteKind = 'page' | 'runtime' | 'bypass';

export interface RequestInfo {
  method: string;
  url: string;
  /** Request.mode ('navigate' for a page load). */
  mode: string;
}

/** The paths the phone page is served at. */
export const PAGE_PATHS: readonly string[] = ['/mobile', '/mobile.html'];
/** The precache key of the page's HTML. */
export const PAGE_URL = '/mobile.html';

export function classify(req: RequestInfo, origin: string): RouteKind {
  if (req.method.toUpperCase() !== 'GET') return 'bypass';
  let u: URL;
  try {
    u = new URL(req.url);
  } catch {
    return 'bypass';
  }
  if (u.origin !== origin) return 'bypass';
  const p = u.pathname;
  if (req.mode === 'navigate') return PAGE_PATHS.includes(p) ? 'page' : 'bypass';
  if (p.startsWith('/socket.io/') || p === '/socket.io') return 'bypass';
  if (p.startsWith('/api/auth/') || p === '/api/health') return 'bypass';
  // Live catch-ups ask for "what changed since <time>": a cached answer to that would be wrong.
  if (u.searchParams.has('since')) return 'bypass';
  // Exports and personal data shown in full are never kept on the phone.
  if (u.searchParams.get('format') === 'csv' || u.searchParams.get('full') === '1') return 'bypass';
  if (p.startsWith('/api/') || p.startsWith('/tiles/')) return 'runtime';
  return 'bypass';
}

/** The runtime cache of one account (API answers are never shared between accounts). */
export const API_CACHE_PREFIX = 'gc-mobile-api-v1:';
export function apiCacheName(account: string): string {
  return `${API_CACHE_PREFIX}${account}`;
}
/** The account a runtime cache belongs to, or null for other caches. */
export function accountOfCache(cacheName: string): string | null {
  return cacheName.startsWith(API_CACHE_PREFIX) ? cacheName.slice(API_CACHE_PREFIX.length) : null;
}

/**
 * Caches to delete when the service worker activates: ours ('gc-mobile-…') that this version does
 * not use (an older precache or runtime-cache scheme). Others' caches are left alone.
 */
export function staleCaches(names: readonly string[], keep: readonly string[]): string[] {
  return names.filter((n) => n.startsWith('gc-mobile-') && !keep.includes(n) && accountOfCache(n) === null);
}

/**
 * The account whose cached answers may be served after the page says who is logged in: a claim
 * verified by the server replaces the stored account; an unverified one (offline, from the
 * phone's memory) is accepted only when it matches; otherwise nothing is served from cache.
 */
export function nextAccount(stored: string | null, claim: { account: string | null; verified: boolean }): { account: string | null; dropOthers: boolean } {
  if (claim.account === null) return { account: null, dropOthers: false };
  if (claim.verified) return { account: claim.account, dropOthers: true };
  return { account: stored === claim.account ? stored : null, dropOthers: false };
}

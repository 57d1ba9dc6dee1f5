// The phone page's side of its service worker (client/src/sw/mobile-sw.ts): register it (scope
// /mobile only), tell it who is logged in, have it keep what this page showed (grid data, queue,
// base-map tiles), and show the grid worker whether the page will open without a network.
import type { SwStatus, WarmResult } from '../../sw/mobile-sw.js';

export const SW_URL = '/mobile-sw.js';
export const SW_SCOPE = '/mobile';

export type OfflineState = 'unsupported' | 'preparing' | 'ready' | 'partial' | 'error';

const LABELS: Record<OfflineState, string> = {
  unsupported: '此浏览器不支持离线使用',
  preparing: '正在准备离线使用…',
  ready: '已可离线使用',
  partial: '离线数据未全部保存，联网后重试',
  error: '离线功能不可用',
};

/** Paint #offline-state: a short Chinese status and data-state for tests and styles. */
export function paintOffline(state: OfflineState, detail = ''): void {
  const el = document.getElementById('offline-state');
  if (!el) return;
  el.dataset.state = state;
  const offline = !navigator.onLine;
  el.textContent = state === 'ready' && offline ? '离线使用中 · 本机已保存' : LABELS[state];
  el.title = detail || (state === 'ready' ? '断网后也能打开本页：网格地图、待办与待发送上报都保存在本机' : LABELS[state]);
  document.body.dataset.offline = state;
}

export const swSupported = (): boolean => 'serviceWorker' in navigator && window.isSecureContext;

let registration: Promise<ServiceWorkerRegistration | null> | null = null;

/**
 * The Vite dev server (it has no /mobile-sw.js). Not import.meta.env.DEV: a build made with
 * NODE_ENV=test (the browser tests) has DEV set, yet is a real build with a service worker.
 */
const devServer = (): boolean => !!import.meta.hot;

/** Register the worker once (built client only). */
export function registerOfflineWorker(): Promise<ServiceWorkerRegistration | null> {
  if (!registration) {
    registration = !swSupported() || devServer()
      ? Promise.resolve(null)
      : navigator.serviceWorker.register(SW_URL, { scope: SW_SCOPE, updateViaCache: 'none' }).catch((e: unknown) => {
        console.warn('[offline] service worker registration failed', e);
        return null;
      });
  }
  return registration;
}

/** Send a message to the worker that serves this page and wait for its answer. */
async function ask<T>(msg: unknown, timeoutMs: number): Promise<T | null> {
  if (!swSupported()) return null;
  const target = navigator.serviceWorker.controller ?? (await registration)?.active ?? null;
  if (!target) return null;
  return new Promise<T | null>((resolve) => {
    const ch = new MessageChannel();
    const timer = setTimeout(() => {
      ch.port1.close();
      resolve(null);
    }, timeoutMs);
    ch.port1.onmessage = (e) => {
      clearTimeout(timer);
      ch.port1.close();
      resolve(e.data as T);
    };
    target.postMessage(msg, [ch.port2]);
  });
}

/**
 * Who is logged in, before the page asks for any data: the worker keeps and serves cached answers
 * of this account only. `verified`: the server said so (online); otherwise the phone's memory.
 */
export async function tellAccount(account: string, verified: boolean): Promise<void> {
  await ask({ type: 'account', account, verified }, 4_000);
}

/** Logging out: the worker forgets the account and deletes its cached answers. */
export async function forgetAccount(): Promise<void> {
  await ask({ type: 'logout' }, 4_000);
}

/** Wait until a service worker controls this page (first visit: right after it activates). */
function controlled(timeoutMs: number): Promise<boolean> {
  if (navigator.serviceWorker.controller) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(!!navigator.serviceWorker.controller), timeoutMs);
    navigator.serviceWorker.addEventListener('controllerchange', () => {
      clearTimeout(timer);
      resolve(true);
    }, { once: true });
  });
}

// The page's own GETs (grid, categories, cases, photos), from the resource timeline. An observer
// rather than getEntriesByType: the timeline's buffer stops at 250 entries.
const seenData = new Set<string>();
function noteResource(e: PerformanceEntry): void {
  let u: URL;
  try {
    u = new URL(e.name);
  } catch {
    return;
  }
  if (u.origin !== location.origin) return;
  if (!/^\/(api|tiles)\//.test(u.pathname) || u.pathname.startsWith('/api/auth/') || u.searchParams.has('since')) return;
  const it = (e as PerformanceResourceTiming).initiatorType;
  if (it !== 'fetch' && it !== 'xmlhttprequest' && it !== 'img' && it !== 'other') return;
  seenData.add(u.pathname + u.search);
}
try {
  new PerformanceObserver((list) => list.getEntries().forEach(noteResource)).observe({ type: 'resource', buffered: true });
} catch {
  // no observer (very old browsers): what the buffer still holds is read below
}

/** The page's own data URLs requested so far. */
export function dataUrlsSeen(): string[] {
  for (const e of performance.getEntriesByType('resource')) noteResource(e);
  return [...seenData];
}

/**
 * Keep the base-map tiles the map loaded (maplibre fetches them in its worker, out of this page's
 * resource timeline): listens to the map's `sourcedata` events.
 */
export function trackTiles(map: { on(type: 'sourcedata', fn: (e: { sourceId?: string; coord?: { canonical?: { z: number; x: number; y: number } }; tile?: unknown }) => void): unknown }, sourceId: string, template: string): { urls(): string[] } {
  const seen = new Set<string>();
  map.on('sourcedata', (e) => {
    const c = e.coord?.canonical;
    if (e.sourceId !== sourceId || !e.tile || !c) return;
    seen.add(template.replace('{z}', String(c.z)).replace('{x}', String(c.x)).replace('{y}', String(c.y)));
  });
  return { urls: () => [...seen] };
}

/**
 * Make sure the page opens offline: the worker is active and controls the page, its precache is
 * complete, and what this page showed is in the account's cache (a first visit was not yet
 * controlled when it loaded, so the worker fetches those answers once more).
 */
export async function prepareOffline(o: { account: string; verified: boolean; urls: () => string[] }): Promise<OfflineState> {
  if (!swSupported()) {
    paintOffline('unsupported', window.isSecureContext ? '' : '离线使用需通过 HTTPS（或本机地址）访问本页');
    return 'unsupported';
  }
  const reg = await registerOfflineWorker();
  if (!reg) {
    paintOffline(devServer() ? 'unsupported' : 'error', devServer() ? '开发模式不启用离线功能' : '');
    return 'error';
  }
  if (document.body.dataset.offline !== 'ready') paintOffline('preparing');
  await navigator.serviceWorker.ready;
  if (!(await controlled(20_000))) {
    paintOffline('partial', '离线功能尚未接管本页，请刷新页面');
    return 'partial';
  }
  await tellAccount(o.account, o.verified);
  const st = await ask<SwStatus>({ type: 'status' }, 10_000);
  if (!st || st.precacheMissing > 0) {
    paintOffline('partial', st ? `离线包缺少 ${st.precacheMissing} 个文件` : '离线功能无应答');
    return 'partial';
  }
  if (navigator.onLine) {
    const w = await ask<WarmResult>({ type: 'warm', urls: o.urls() }, 120_000);
    if (!w || w.failed.length > 0 || w.account !== o.account) {
      if (w?.failed.length) console.warn('[offline] not cached:', w.failed.slice(0, 5));
      paintOffline('partial', w ? `${w.failed.length} 项数据未保存` : '离线功能无应答');
      return 'partial';
    }
    document.body.dataset.offlineVersion = st.version;
  } else if (st.account !== o.account) {
    paintOffline('partial', '本机没有该账号的离线数据');
    return 'partial';
  }
  paintOffline('ready');
  return 'ready';
}

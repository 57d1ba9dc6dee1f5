// 小屏办 (/mobile) on a 390×844 phone, as a grid worker, in real Chromium against a real server:
// a report in three taps (GPS, category, submit) that arrives on the server and in my queue; then
// offline: two reports kept on the device across a reload and sent exactly once when the network
// comes back, even when the answer to one of them is lost and it is sent again; then with no
// network at all: the page reloads from its service worker with my grid, map and queue, queues two
// reports, and they arrive exactly once when the network is back.
import type { Feature, FeatureCollection, MultiPolygon, Polygon } from 'geojson';
import type { Browser, Page, Route } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, type TestContext } from 'vitest';
import {
  apiClient,
  createAccount,
  describeStats,
  interiorPoint,
  launchBrowser,
  loginInPage,
  openPage,
  reportFailure,
  screenshotPage,
  sleep,
  startServer,
  usePhone,
  waitForNonBlank,
  waitForReady,
  type ApiClient,
  type TestAccount,
  type TestPage,
  type TestServer,
} from './harness.js';

let server: TestServer;
let browser: Browser;
let admin: ApiClient;
let worker: TestAccount;
let grid: Feature<Polygon | MultiPolygon, { id: number; name: string }>;
let otherGrid: Feature<Polygon | MultiPolygon, { id: number; name: string }>;
let spot: [number, number];
let phone: TestPage | undefined;

interface Case { id: number; clientKey: string; category: string; gridId: number | null; source: string; status: string; description: string }

beforeAll(async () => {
  [server, browser] = await Promise.all([startServer(), launchBrowser()]);
  admin = await apiClient(server);
  const d = (await admin.get<{ bbox: number[] }>('api/district')).body;
  const grids = (await admin.get<FeatureCollection<Polygon | MultiPolygon, { id: number; name: string }>>(`api/grids?bbox=${d.bbox.join(',')}`)).body;
  grid = grids.features[0]!;
  otherGrid = grids.features.find((f) => f.properties.name.split(/[・·•]/).pop() !== grid.properties.name.split(/[・·•]/).pop())!;
  spot = await interiorPoint(grid);
  worker = await createAccount(admin, { username: 'gw.mobile', displayName: '王网格', role: 'grid_worker', gridId: grid.properties.id });
}, 300_000);

afterAll(async () => {
  await phone?.close().catch(() => undefined);
  await browser?.close();
  await server?.stop();
});

type OnFailed = TestContext['onTestFailed'];

/** Every case on the server (admin sees the whole district). */
async function allCases(): Promise<Case[]> {
  const res = await admin.get<{ incidents: Case[] }>('api/incidents?limit=5000');
  expect(res.status).toBe(200);
  return res.body.incidents;
}

const pending = async (tp: TestPage) => Number(await tp.page.locator('#pending-count').innerText());

/**
 * Report by a tap on the map (offset a few pixels from `spot`), a category and a note, while
 * offline: it joins the outbox. Returns the outbox's client keys once `expected` reports wait.
 */
async function reportByTap(page: Page, tp: TestPage, at: [number, number], offset: [number, number], category: string, note: string, expected: number): Promise<string[]> {
  const canvas = await page.locator('#map canvas').boundingBox();
  const xy = await page.evaluate(([lon, lat]) => (window as unknown as { __gcMobile: { project(a: number, b: number): [number, number] } }).__gcMobile.project(lon, lat), at);
  await page.mouse.click(canvas!.x + xy[0] + offset[0], canvas!.y + xy[1] + offset[1]);
  await expect.poll(() => page.locator('#step-location.done').count(), { timeout: 10_000 }).toBe(1);
  await page.locator(`[data-category="${category}"]`).click();
  await page.locator('#note').fill(note);
  await page.locator('#btn-submit').click();
  await expect.poll(() => pending(tp)).toBe(expected);
  await page.locator('#outbox-chip').click();
  return page.locator('#outbox [data-client-key]').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.clientKey!));
}

/** The phone page, logged in as the grid worker, shared by the tests (loading the map is the slow part). */
let phoneReady: Promise<void> | undefined;
async function openPhone(onTestFailed: OnFailed, name: string): Promise<TestPage> {
  if (!phone) {
    const tp = await openPage(browser, server, { login: false });
    phone = tp;
    phoneReady = (async () => {
      await usePhone(tp, server, spot);
      const how = await loginInPage(tp, server, worker, '/mobile');
      console.log(`[mobile] logged in via ${how}`);
      await waitForReady(tp, 120_000);
    })();
  }
  reportFailure(onTestFailed, server, phone, name);
  await phoneReady;
  return phone;
}

describe('小屏办 /mobile at 390×844', () => {
  it('reports a case in three taps; it reaches the server and my queue', async ({ onTestFailed }) => {
    const tp = await openPhone(onTestFailed, 'mobile-report');
    const { page } = tp;
    expect(page.viewportSize()).toEqual({ width: 390, height: 844 });
    const before = await allCases();

    // Tap 1: location from GPS (the point shows on the map, inside my grid).
    await page.locator('#btn-gps').click();
    await expect.poll(() => page.locator('#step-location.done').count(), { timeout: 15_000 }).toBe(1);
    await expect(page.locator('#loc-text').innerText()).resolves.toContain(grid.properties.name.split(/[・·•]/).pop()!);
    // Tap 2: a category (big buttons from /api/incident-categories).
    const cats = page.locator('#categories [data-category]');
    expect(await cats.count()).toBeGreaterThanOrEqual(5);
    const box = await cats.first().boundingBox();
    expect(box!.height).toBeGreaterThanOrEqual(44); // thumb-sized
    await page.locator('[data-category="sanitation"]').click();
    // Tap 3: submit.
    await page.locator('#btn-submit').click();

    // On the server: one new case, in my grid, with the GPS position.
    let created: Case | undefined;
    await expect.poll(async () => {
      const now = await allCases();
      const fresh = now.filter((c) => !before.some((b) => b.id === c.id));
      created = fresh[0];
      return fresh.length;
    }, { timeout: 20_000 }).toBe(1);
    expect(created).toMatchObject({ category: 'sanitation', gridId: grid.properties.id, source: 'patrol', status: 'reported' });
    expect(created!.clientKey).toMatch(/^[A-Za-z0-9_.:-]{8,128}$/);
    await expect.poll(() => pending(tp), { timeout: 10_000 }).toBe(0);

    // In my queue, with a ticking deadline and the actions I may take.
    await page.locator('.gm-tabs [data-tab="queue"]').click();
    const card = page.locator(`#queue [data-case-id="${created!.id}"]`);
    await card.waitFor({ timeout: 20_000 });
    await expect.poll(() => card.locator('.gw-cd').innerText(), { timeout: 10_000 }).toMatch(/^\d{2}:\d{2}:\d{2}$/);
    const t1 = await card.locator('.gw-cd').innerText();
    await expect.poll(() => card.locator('.gw-cd').innerText(), { timeout: 5_000 }).not.toBe(t1); // ticks every second
    const actions = await card.locator('[data-open-action]').allInnerTexts();
    expect(actions).toContain('受理');
    expect(actions).toContain('自办自结');

    // The map is drawn.
    const stats = await waitForNonBlank(page, '#map canvas', 'mobile-map', 30_000);
    console.log(`[mobile] map canvas ${describeStats(stats)}`);
    expect(stats.contentShare, describeStats(stats)).toBeGreaterThan(0.05);
    expect(stats.distinctColors, describeStats(stats)).toBeGreaterThanOrEqual(8);
    await screenshotPage(page, 'mobile-queue');
    expect(tp.problems.pageErrors).toEqual([]);
    expect(tp.problems.serverErrors).toEqual([]);
  }, 180_000);

  it('offline: two reports wait on the device across a reload and arrive exactly once', async ({ onTestFailed }) => {
    const tp = await openPhone(onTestFailed, 'mobile-offline');
    const { page, context } = tp;
    await page.locator('.gm-tabs [data-tab="report"]').click();
    const before = await allCases();

    await context.setOffline(true);
    await expect.poll(() => page.locator('#net').getAttribute('data-state')).toBe('offline');

    // Report 1: GPS, category, submit.
    await page.locator('#btn-gps').click();
    await expect.poll(() => page.locator('#step-location.done').count(), { timeout: 15_000 }).toBe(1);
    await page.locator('[data-category="parking"]').click();
    await expect(page.locator('#btn-submit').innerText()).resolves.toContain('离线');
    await page.locator('#btn-submit').click();
    await expect.poll(() => pending(tp)).toBe(1);
    // Report 2: a tap on the map, category, note, submit.
    const keys = await reportByTap(page, tp, spot, [6, 4], 'noise', '离线上报：夜间施工噪声', 2);
    expect(keys).toHaveLength(2);
    expect(new Set(keys).size).toBe(2);
    expect((await allCases()).length).toBe(before.length);
    await screenshotPage(page, 'mobile-offline');

    // Reload while the server's API is unreachable (the page itself loads; the next test takes the
    // whole network away): the outbox comes back from IndexedDB. The routes are on the context so
    // that they also catch the service worker's own requests.
    const unreachable = (r: Route) => r.abort('internetdisconnected');
    const apiUrl = (u: URL) => u.pathname.startsWith('/api/') || u.pathname.startsWith('/socket.io/') || u.pathname.startsWith('/tiles/');
    await context.route(apiUrl, unreachable);
    await context.setOffline(false);
    await page.reload({ waitUntil: 'domcontentloaded' });
    await page.waitForFunction(() => document.body.dataset.outbox === 'ready', undefined, { timeout: 30_000 });
    await expect.poll(() => pending(tp), { timeout: 10_000 }).toBe(2);
    await page.locator('#outbox-chip').click();
    expect(await page.locator('#outbox [data-client-key]').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.clientKey!))).toEqual(keys);
    await sleep(1_500);
    expect((await allCases()).length).toBe(before.length); // still nothing sent

    // Back online. The first report's answer is lost on the way back (the server stored it), so
    // the phone sends it again with the same clientKey: the server must replay, not duplicate.
    await context.setOffline(true);
    await context.unroute(apiUrl, unreachable);
    const posts: { status: number; replayed: boolean; key: string }[] = [];
    let lost = 0;
    await context.route((u) => u.pathname === '/api/incidents', async (route) => {
      if (route.request().method() !== 'POST') return route.continue();
      const key = (JSON.parse(route.request().postData() ?? '{}') as { clientKey: string }).clientKey;
      const res = await route.fetch();
      posts.push({ status: res.status(), replayed: res.headers()['idempotent-replayed'] === 'true', key });
      if (lost++ === 0) return route.abort('connectionreset');
      return route.fulfill({ response: res });
    });
    await context.setOffline(false);
    await expect.poll(() => pending(tp), { timeout: 45_000 }).toBe(0);

    const after = await allCases();
    const fresh = after.filter((c) => !before.some((b) => b.id === c.id));
    expect(fresh.map((c) => c.clientKey).sort()).toEqual([...keys].sort());
    expect(fresh.map((c) => c.category).sort()).toEqual(['noise', 'parking']);
    expect(fresh.find((c) => c.category === 'noise')?.description).toBe('离线上报：夜间施工噪声');
    expect(posts.filter((p) => p.status === 201)).toHaveLength(2);
    expect(posts.some((p) => p.status === 200 && p.replayed && p.key === posts[0]!.key)).toBe(true);

    // A second trip offline and back: nothing more is sent, nothing doubled.
    await context.setOffline(true);
    await context.setOffline(false);
    await sleep(3_000);
    expect((await allCases()).length).toBe(before.length + 2);
    await context.unrouteAll({ behavior: 'ignoreErrors' });
    await page.reload({ waitUntil: 'domcontentloaded' });
    await page.waitForFunction(() => document.body.dataset.outbox === 'ready', undefined, { timeout: 30_000 });
    expect(await pending(tp)).toBe(0);
    await sleep(1_000);
    expect((await allCases()).length).toBe(before.length + 2);

    // Both show up in my queue once the page is back.
    await waitForReady(tp, 90_000);
    await page.locator('.gm-tabs [data-tab="queue"]').click();
    for (const c of fresh) await page.locator(`#queue [data-case-id="${c.id}"]`).waitFor({ timeout: 20_000 });
    await screenshotPage(page, 'mobile-synced');
    expect(tp.problems.pageErrors).toEqual([]);
    // Offline requests fail on purpose; no server error may occur.
    expect(tp.problems.serverErrors.filter((e) => /^5\d\d /.test(e))).toEqual([]);
  }, 240_000);

  it('no network at all: the page reloads from its service worker with my grid, map and queue; reports queue and arrive once', async ({ onTestFailed }) => {
    const tp = await openPhone(onTestFailed, 'mobile-sw');
    const { page, context } = tp;
    const origin = new URL(server.url).origin;
    const gridName = grid.properties.name.split(/[・·•]/).pop()!;

    // The service worker script: never cached by the browser, allowed to control /mobile only.
    const sw = await fetch(new URL('mobile-sw.js', server.url));
    expect(sw.status).toBe(200);
    expect(sw.headers.get('cache-control')).toBe('no-cache');
    expect(sw.headers.get('service-worker-allowed')).toBe('/mobile');
    expect(sw.headers.get('content-type')).toMatch(/javascript/);
    const swText = await sw.text();
    expect(swText).toContain('/mobile.html');
    expect(swText).not.toMatch(/cesium-view|\/cesium\//); // Cesium is never precached

    // Online, the page says when it is ready for offline use.
    await page.waitForFunction(() => document.querySelector('#offline-state')?.getAttribute('data-state') === 'ready', undefined, { timeout: 120_000, polling: 250 });
    expect(await page.locator('#offline-state').innerText()).toContain('已可离线使用');
    const reg = await page.evaluate(async () => {
      const r = await navigator.serviceWorker.getRegistration();
      return { scope: r?.scope, script: r?.active?.scriptURL, controlled: !!navigator.serviceWorker.controller, caches: await caches.keys() };
    });
    expect(reg).toMatchObject({ scope: `${origin}/mobile`, script: `${origin}/mobile-sw.js`, controlled: true });
    expect(reg.caches).toContain('gc-mobile-precache-v1');
    expect(reg.caches).toContain(`gc-mobile-api-v1:${worker.username}`);
    await page.locator('.gm-tabs [data-tab="queue"]').click();
    await expect.poll(() => page.evaluate(() => document.body.dataset.queue ?? ''), { timeout: 30_000 }).not.toBe('');
    const queue = (await page.evaluate(() => document.body.dataset.queue!)).split(',').sort();
    await page.locator('.gm-tabs [data-tab="report"]').click();
    const before = await allCases();

    // Writes and requests the service worker itself makes, from here on.
    const swWrites: string[] = [];
    const postsFromSw: string[] = [];
    const onRequest = (r: import('playwright-core').Request) => { if (r.serviceWorker() && r.method() !== 'GET') swWrites.push(`${r.method()} ${r.url()}`); };
    const onResponse = (r: import('playwright-core').Response) => { if (r.request().method() !== 'GET' && r.fromServiceWorker()) postsFromSw.push(`${r.request().method()} ${r.url()}`); };
    context.on('request', onRequest);
    context.on('response', onResponse);

    // No network at all, for the page and for its service worker.
    await context.setOffline(true);
    expect(await page.evaluate(() => fetch('/api/health').then(() => 'reachable', () => 'unreachable'))).toBe('unreachable');
    expect(await page.evaluate(() => fetch('/api/district?never-cached=1').then(() => 'reachable', () => 'unreachable'))).toBe('unreachable');
    expect(await page.evaluate(() => fetch('/').then(() => 'reachable', () => 'unreachable'))).toBe('unreachable'); // other pages are not the worker's

    // Full reload: the document, its scripts and styles come from the service worker.
    const started = Date.now();
    const doc = await page.reload({ waitUntil: 'domcontentloaded', timeout: 60_000 });
    expect(doc?.fromServiceWorker()).toBe(true);
    await waitForReady(tp, 120_000);
    console.log(`[mobile] offline reload ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    expect(await page.evaluate(() => navigator.onLine)).toBe(false);
    await expect.poll(() => page.locator('#net').getAttribute('data-state')).toBe('offline');
    await expect.poll(() => page.locator('#offline-state').getAttribute('data-state'), { timeout: 30_000 }).toBe('ready');
    expect(await page.locator('#offline-state').innerText()).toContain('离线使用中');
    // My grid: its name in the header, the base map from cached tiles, the grid drawn.
    await expect.poll(() => page.locator('#who').innerText(), { timeout: 15_000 }).toContain(gridName);
    const baseFeatures = await page.evaluate(() => {
      const map = (window as unknown as { __gcMobile: { view: { map: { querySourceFeatures(s: string, o: { sourceLayer: string }): unknown[] } } } }).__gcMobile.view.map;
      return ['roads', 'buildings', 'water', 'landuse'].reduce((n, l) => n + map.querySourceFeatures('base', { sourceLayer: l }).length, 0);
    });
    expect(baseFeatures, 'base-map features from cached tiles').toBeGreaterThan(20);
    const stats = await waitForNonBlank(page, '#map canvas', 'mobile-sw-offline-map', 30_000);
    console.log(`[mobile] offline map canvas ${describeStats(stats)}`);
    expect(stats.contentShare, describeStats(stats)).toBeGreaterThan(0.05);
    expect(stats.distinctColors, describeStats(stats)).toBeGreaterThanOrEqual(8);
    // My queue, from the cache.
    await page.locator('.gm-tabs [data-tab="queue"]').click();
    await expect.poll(async () => (await page.evaluate(() => document.body.dataset.queue ?? '')).split(',').sort(), { timeout: 30_000 }).toEqual(queue);
    await page.locator(`#queue [data-case-id="${queue[0]}"]`).waitFor({ timeout: 10_000 });
    await screenshotPage(page, 'mobile-sw-offline');

    // Two reports with no network: they wait in the outbox.
    await page.locator('.gm-tabs [data-tab="report"]').click();
    await page.locator('#btn-gps').click();
    await expect.poll(() => page.locator('#step-location.done').count(), { timeout: 15_000 }).toBe(1);
    await page.locator('[data-category="sanitation"]').click();
    await expect(page.locator('#btn-submit').innerText()).resolves.toContain('离线');
    await page.locator('#btn-submit').click();
    await expect.poll(() => pending(tp)).toBe(1);
    const keys = await reportByTap(page, tp, spot, [-5, 3], 'parking', '断网上报：地下车库入口占道', 2);
    expect(keys).toHaveLength(2);
    expect(new Set(keys).size).toBe(2);
    await sleep(1_000);
    expect((await allCases()).length).toBe(before.length);

    // Network back: exactly these two arrive, none doubled, none through the service worker.
    await context.setOffline(false);
    await expect.poll(() => pending(tp), { timeout: 45_000 }).toBe(0);
    await expect.poll(async () => (await allCases()).length, { timeout: 20_000 }).toBe(before.length + 2);
    const fresh = (await allCases()).filter((c) => !before.some((b) => b.id === c.id));
    expect(fresh.map((c) => c.clientKey).sort()).toEqual([...keys].sort());
    expect(fresh.map((c) => c.category).sort()).toEqual(['parking', 'sanitation']);
    expect(fresh.every((c) => c.gridId === grid.properties.id)).toBe(true);
    expect(fresh.find((c) => c.category === 'parking')?.description).toBe('断网上报：地下车库入口占道');
    await sleep(2_000);
    expect((await allCases()).length).toBe(before.length + 2);
    context.off('request', onRequest);
    context.off('response', onResponse);
    expect(swWrites).toEqual([]);
    expect(postsFromSw).toEqual([]);

    // Logging out deletes this account's cached answers (the page and its files stay).
    await page.locator('#who-btn').click();
    await page.locator('#menu-logout').click();
    await page.waitForURL((u) => u.pathname === '/login.html', { timeout: 30_000 });
    expect(await page.evaluate(() => navigator.serviceWorker.controller)).toBeNull(); // other pages are not the worker's
    const left = await page.evaluate(() => caches.keys());
    expect(left).toContain('gc-mobile-precache-v1');
    expect(left.filter((n) => n.startsWith('gc-mobile-api-'))).toEqual([]);

    // Another grid worker on the same phone: the worker keeps only their answers, and offline the
    // page shows their grid, never the first account's.
    const other = await createAccount(admin, { username: 'gw.mobile2', displayName: '李网格', role: 'grid_worker', gridId: otherGrid.properties.id });
    const otherName = otherGrid.properties.name.split(/[・·•]/).pop()!;
    await loginInPage(tp, server, other, '/mobile');
    await waitForReady(tp, 120_000);
    await page.waitForFunction(() => document.querySelector('#offline-state')?.getAttribute('data-state') === 'ready', undefined, { timeout: 120_000, polling: 250 });
    const keys2 = await page.evaluate(() => caches.keys());
    expect(keys2.filter((n) => n.startsWith('gc-mobile-api-'))).toEqual([`gc-mobile-api-v1:${other.username}`]);
    await context.setOffline(true);
    await page.reload({ waitUntil: 'domcontentloaded', timeout: 60_000 });
    await waitForReady(tp, 120_000);
    await expect.poll(() => page.locator('#who').innerText(), { timeout: 15_000 }).toContain(otherName);
    expect(await page.locator('#who').innerText()).not.toContain(gridName);
    const gridsShown = await page.evaluate(async () => {
      const cache = await caches.open(`gc-mobile-api-v1:${'gw.mobile2'}`);
      const res = (await cache.keys()).find((r) => new URL(r.url).pathname === '/api/grids');
      return res ? ((await (await cache.match(res))!.json()) as { features: { properties: { id: number } }[] }).features.map((f) => f.properties.id) : null;
    });
    expect(gridsShown).toEqual([otherGrid.properties.id]);
    await context.setOffline(false);

    expect(tp.problems.pageErrors).toEqual([]);
    // Requests fail on purpose while offline; no server error may occur.
    expect(tp.problems.serverErrors.filter((e) => /^5\d\d /.test(e))).toEqual([]);
  }, 300_000);
});

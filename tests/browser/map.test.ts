// The portal and the 2D map (/map.html: maplibre + deck.gl) in real Chromium against a real
// server with the demo district: the map renders grids, a new incident arrives over socket.io
// without a reload, clicking a grid opens its info panel with staff, Party branch and case figures,
// the case figure is the true count beside the capped load, the portal's tree reaches grids, and a
// planner (no case access) gets a map without case panels and without a refused request.
import { randomUUID } from 'node:crypto';
import { pointOnFeature } from '@turf/turf';
import type { Feature, FeatureCollection, MultiPolygon, Polygon } from 'geojson';
import type { Browser, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, type TestContext } from 'vitest';
import {
  apiClient,
  createAccount,
  describeStats,
  gcState,
  launchBrowser,
  loginInPage,
  openPage,
  reportFailure,
  screenshotPage,
  startServer,
  tokenClient,
  waitForNonBlank,
  waitForReady,
  type ApiClient,
  type GcHooks,
  type TestPage,
  type TestServer,
} from './harness.js';

const MAP_CANVAS = 'canvas.maplibregl-canvas';

let server: TestServer;
let browser: Browser;
let api: ApiClient;
let mapPage: TestPage | undefined;

beforeAll(async () => {
  [server, browser] = await Promise.all([startServer(), launchBrowser()]);
  api = await apiClient(server);
}, 300_000);

afterAll(async () => {
  await mapPage?.close().catch(() => undefined);
  await browser?.close();
  await server?.stop();
});

type OnFailed = TestContext['onTestFailed'];


async function getJson<T>(path: string): Promise<T> {
  const res = await api.get<T>(path);
  expect(res.status, `GET ${path}: ${JSON.stringify(res.body).slice(0, 300)}`).toBe(200);
  return res.body;
}

interface District { code: string; name: string; bbox: [number, number, number, number]; center: [number, number] }
type GridFC = FeatureCollection<Polygon | MultiPolygon, { id: number; code: string; name: string }>;

async function districtGrids(): Promise<GridFC> {
  const d = await getJson<District>('api/district');
  const grids = await getJson<GridFC>(`api/grids?bbox=${d.bbox.join(',')}`);
  expect(grids.features.length).toBeGreaterThan(0);
  return grids;
}

const gridId = (f: Feature<Polygon | MultiPolygon, { id: number }>) => String(f.properties?.id ?? f.id);

/**
 * The 2D page, opened once per file and shared by the tests below (loading it is the slow part).
 * Failure reporting is registered before waiting, so a page that never gets ready is reported too;
 * if it never got ready, later tests fail at once instead of waiting again.
 */
let mapReady: Promise<void> | undefined;
async function openMap(onTestFailed: OnFailed, name: string): Promise<TestPage> {
  if (!mapPage) {
    const tp = await openPage(browser, server);
    mapPage = tp;
    mapReady = (async () => {
      await tp.page.goto(new URL('map.html', server.url).toString(), { waitUntil: 'domcontentloaded' });
      await waitForReady(tp, 150_000);
    })();
  }
  reportFailure(onTestFailed, server, mapPage, name);
  await mapReady;
  return mapPage;
}

describe('portal /', () => {
  it('shows the database status and links to both maps', async ({ onTestFailed }) => {
    const tp = await openPage(browser, server);
    reportFailure(onTestFailed, server, tp, 'portal');
    try {
      await tp.page.goto(server.url, { waitUntil: 'domcontentloaded' });
      await expect.poll(() => tp.page.locator('body').innerText(), { timeout: 30_000 }).toContain('数据库');
      await expect(tp.page.locator('a[href$="map.html"]').count()).resolves.toBeGreaterThan(0);
      await expect(tp.page.locator('a[href$="3d.html"]').count()).resolves.toBeGreaterThan(0);
      // The division tree reaches grids: a community opens on its grids, each linking to its card on /map.
      const community = tp.page.locator('#division-tree li[data-community]').first();
      const code = await community.getAttribute('data-community');
      const want = (await getJson<GridFC>(`api/grids?division=${code}`)).features;
      expect(want.length).toBeGreaterThan(0);
      await community.locator('.gc-tree-toggle').click();
      await expect.poll(() => community.locator('li[data-grid-id]').count(), { timeout: 15_000 }).toBe(want.length);
      const first = community.locator('li[data-grid-id] a').first();
      expect(await first.getAttribute('href')).toMatch(/^\/map\.html\?grid=\d+$/);
      expect(want.map((f) => f.properties.name)).toContain(await first.getAttribute('title'));
      await screenshotPage(tp.page, 'portal');
      expect(tp.problems.pageErrors).toEqual([]);
      expect(tp.problems.serverErrors).toEqual([]);
    } finally {
      await tp.close();
    }
  });
});

describe('2D map /map.html', () => {
  it('renders a non-blank map with grid polygons', async ({ onTestFailed }) => {
    const tp = await openMap(onTestFailed, 'map2d');
    const state = await gcState(tp.page);
    expect(state.ready).toBe(true);
    expect(state.gridCount).toBeGreaterThan(0);
    const stats = await waitForNonBlank(tp.page, MAP_CANVAS, 'map2d', 30_000);
    console.log(`[map2d] ${state.gridCount} grids; canvas ${describeStats(stats)}`);
    expect(stats.contentShare, describeStats(stats)).toBeGreaterThan(0.05);
    expect(stats.distinctColors, describeStats(stats)).toBeGreaterThanOrEqual(16);
    await screenshotPage(tp.page, 'map2d-page');
    expect(tp.problems.pageErrors).toEqual([]);
    expect(tp.problems.serverErrors).toEqual([]);
  }, 240_000);

  it('shows an incident POSTed to /api/incidents in the feed via socket.io, without reload', async ({ onTestFailed }) => {
    const tp = await openMap(onTestFailed, 'incident-feed');
    const { page } = tp;
    // A point inside a grid, so that the incident belongs to a grid, community and district.
    const grid = (await districtGrids()).features[0]!;
    const [lon, lat] = pointOnFeature(grid).geometry.coordinates as [number, number];
    // HTTP incident fetches after the POST would mean the item did not come over the socket.
    const isIncidentsGet = (r: Request) => r.method() === 'GET' && new URL(r.url()).pathname === '/api/incidents';
    let inflight = 0;
    let lastActivity = Date.now();
    let recording = false;
    const httpFetches: string[] = [];
    const onRequest = (r: Request) => {
      if (!isIncidentsGet(r)) return;
      inflight++;
      lastActivity = Date.now();
      if (recording) httpFetches.push(r.url());
    };
    const onDone = (r: Request) => {
      if (!isIncidentsGet(r)) return;
      inflight--;
      lastActivity = Date.now();
    };
    page.on('request', onRequest);
    page.on('requestfinished', onDone);
    page.on('requestfailed', onDone);
    // Wait until the socket is subscribed (the header's live indicator) and the catch-up fetch
    // that follows a subscription is over, so that what follows can only arrive over the socket.
    await page.waitForFunction(
      () => (window as unknown as { __gc?: { live?: boolean } }).__gc?.live === true || !!document.querySelector('.gc-live.live'),
      undefined, { timeout: 30_000, polling: 250 });
    await expect.poll(() => inflight <= 0 && Date.now() - lastActivity > 750, { timeout: 15_000, interval: 100 }).toBe(true);
    const before = (await gcState(page)).incidentCount;
    await page.evaluate(() => { (window as unknown as { __noReload: boolean }).__noReload = true; });
    recording = true;

    const key = `browser-test-${randomUUID()}`;
    const description = `浏览器测试 ${key}`;
    // Reported by a grid worker of that grid (admin may read incidents but not create them).
    const worker = await tokenClient(server, api, { role: 'grid_worker', gridId: Number(gridId(grid)) });
    const res = await worker.post<{ id?: number; gridId?: number | null }>('api/incidents',
      { lon, lat, category: 'sanitation', description, source: 'patrol', clientKey: key });
    const body = res.body;
    expect(res.status, JSON.stringify(body)).toBe(201);
    expect(body.id).toBeTypeOf('number');
    expect(String(body.gridId)).toBe(gridId(grid));

    const item = page.locator(`#incident-feed li[data-incident-id="${body.id}"]`);
    await item.waitFor({ state: 'attached', timeout: 30_000 });
    await expect.poll(async () => (await gcState(page)).incidentCount, { timeout: 10_000 }).toBeGreaterThan(before);
    page.off('request', onRequest);
    page.off('requestfinished', onDone);
    page.off('requestfailed', onDone);
    // Same document (no reload) and no HTTP re-fetch: the item came over the socket.
    expect(await page.evaluate(() => (window as unknown as { __noReload?: boolean }).__noReload)).toBe(true);
    expect(httpFetches).toEqual([]);
    await screenshotPage(page, 'incident-feed');
    expect(tp.problems.pageErrors).toEqual([]);
    expect(tp.problems.serverErrors).toEqual([]);
  });

  it('opens the info panel of the grid that was clicked', async ({ onTestFailed }) => {
    const tp = await openMap(onTestFailed, 'grid-click');
    const { page } = tp;
    const grids = await districtGrids();
    const candidates = grids.features.slice(0, 300).map((f) => {
      const [lon, lat] = pointOnFeature(f).geometry.coordinates as [number, number];
      return { id: gridId(f), name: f.properties?.name ?? '', code: f.properties?.code ?? '', lon, lat };
    });

    // Screen points (page CSS pixels) of those grids that are visible and not covered by a panel.
    const visible = await page.evaluate(({ list, selector }) => {
      const gc = (window as unknown as { __gc: GcHooks }).__gc;
      if (typeof gc.project !== 'function') throw new Error('window.__gc.project(lon, lat) is missing');
      const canvas = document.querySelector(selector)!;
      const box = canvas.getBoundingClientRect();
      const out: { id: string; name: string; code: string; x: number; y: number }[] = [];
      for (const c of list) {
        const [px, py] = gc.project(c.lon, c.lat);
        const x = box.left + px;
        const y = box.top + py;
        if (x < box.left + 20 || x > box.right - 20 || y < box.top + 20 || y > box.bottom - 20) continue;
        const hit = document.elementFromPoint(x, y);
        if (hit?.tagName !== 'CANVAS') continue; // under a panel, legend or control
        out.push({ id: c.id, name: c.name, code: c.code, x, y });
      }
      return out;
    }, { list: candidates, selector: MAP_CANVAS });
    expect(visible.length, 'no grid is visible on the map, uncovered by panels').toBeGreaterThan(0);

    // An incident marker may sit on the chosen point; try a few grids before giving up.
    const panel = page.locator('#info-panel');
    let opened: string | null = null;
    let target = visible[0]!;
    const tried: string[] = [];
    for (const c of visible.slice(0, 3)) {
      target = c;
      await page.mouse.click(c.x, c.y);
      try {
        await expect.poll(() => panel.getAttribute('data-grid-id'), { timeout: 10_000 }).toBe(c.id);
        opened = c.id;
        break;
      } catch {
        const shown = await panel.getAttribute('data-grid-id').catch(() => null);
        // Another grid's id (not an earlier attempt's) is a picking bug, not a marker in the way.
        if (shown && !tried.includes(shown)) throw new Error(`clicked inside grid ${c.id}, panel shows grid ${shown}`);
      }
      tried.push(c.id);
    }
    expect(opened, `clicking inside grids ${visible.slice(0, 3).map((v) => v.id).join(', ')} opened no grid panel`).toBe(target.id);
    expect(await panel.isVisible()).toBe(true);
    const text = await panel.innerText();
    expect(text.includes(target.name) || text.includes(target.code), `panel text: ${text}`).toBe(true);
    // Beyond households: 一格三员, the Party branch and the case figures, as the server has them.
    const summary = await getJson<{ staff: { name: string }[]; staffMissing: string[]; party: { branches: { name: string }[] }; cases: Record<'open' | 'overdue' | 'thisMonth' | 'total', number> }>(`api/grids/${target.id}/summary`);
    await expect.poll(() => panel.locator('[data-grid-summary]').getAttribute('data-grid-summary'), { timeout: 15_000 }).toBe('ready');
    expect(await panel.locator('.gc-grid-staff dd.staff-name').allInnerTexts()).toEqual(summary.staff.map((x) => x.name));
    expect(await panel.locator('.gc-grid-staff dd.missing').count()).toBe(summary.staffMissing.length);
    const party = await panel.locator('.gc-grid-party').innerText();
    for (const b of summary.party.branches) expect(party).toContain(b.name);
    if (!summary.party.branches.length) expect(party).toContain('未建网格党支部');
    const figure = (k: string) => panel.locator(`.gc-grid-cases [data-figure="${k}"] b`).innerText();
    for (const [k, v] of [['open', summary.cases.open], ['overdue', summary.cases.overdue], ['month', summary.cases.thisMonth], ['total', summary.cases.total]] as const) {
      expect(await figure(k), k).toBe(v.toLocaleString('zh-CN'));
    }
    await screenshotPage(page, 'grid-click');
    expect(tp.problems.pageErrors).toEqual([]);
    expect(tp.problems.serverErrors).toEqual([]);
  });
});

describe('cases on /map.html: the true count, and nothing for a role without case access', () => {
  it('shows how many cases the page loaded out of the true count', async ({ onTestFailed }) => {
    const tp = await openMap(onTestFailed, 'case-count');
    const district = await getJson<District>('api/district');
    const hooks = () => tp.page.evaluate(() => {
      const gc = (window as unknown as { __gc: { incidentCount: number; caseTotal?: number } }).__gc;
      return { incidentCount: gc.incidentCount, caseTotal: gc.caseTotal ?? -1 };
    });
    await expect.poll(async () => {
      const f = await getJson<{ total: number }>(`api/grids/case-figures?division=${district.code}`);
      return (await hooks()).caseTotal === f.total;
    }, { timeout: 20_000 }).toBe(true);
    const { incidentCount, caseTotal } = await hooks();
    const listed = (await getJson<{ incidents: unknown[] }>(`api/incidents?division=${district.code}&limit=5000`)).incidents.length;
    expect(caseTotal).toBe(listed);
    const fmt = (n: number) => n.toLocaleString('zh-CN');
    expect(await tp.page.locator('#feed-count').innerText()).toBe(caseTotal > incidentCount ? `显示 ${fmt(incidentCount)} / 共 ${fmt(caseTotal)}` : `共 ${fmt(caseTotal)}`);
    expect(await tp.page.locator('#sum-inc').innerText()).toBe(fmt(caseTotal));
    console.log(`[map2d] ${incidentCount} cases loaded of ${caseTotal}`);
    // Case dots have a legend of their own, apart from the facility classes.
    expect(await tp.page.locator('#case-legend [data-phase]').count()).toBe(3);
  });

  it('a planner gets the map, no case panel or layer, and no failed request', async ({ onTestFailed }) => {
    const district = await getJson<District>('api/district');
    const planner = await createAccount(api, { username: 'planner.map', role: 'planner', divisionCode: district.code });
    const tp = await openPage(browser, server, { login: false });
    reportFailure(onTestFailed, server, tp, 'map-planner');
    try {
      const failed: string[] = [];
      const asked: string[] = [];
      const origin = new URL(server.url).origin;
      tp.page.on('response', (r) => { if (r.url().startsWith(origin) && r.status() >= 400 && !new URL(r.url()).pathname.startsWith('/api/auth/')) failed.push(`${r.status()} ${r.url()}`); });
      tp.page.on('request', (r) => { const path = new URL(r.url()).pathname; if (path.startsWith('/api/incidents') || path.startsWith('/socket.io') || path.includes('case-figures')) asked.push(r.url()); });
      await loginInPage(tp, server, planner, '/map.html');
      await waitForReady(tp, 150_000);
      expect(await tp.page.locator('#feed-panel').isHidden()).toBe(true);
      expect(await tp.page.locator('#case-legend-section').isHidden()).toBe(true);
      expect(await tp.page.locator('[data-layer="incidents"], [data-layer="heat"]').count()).toBe(0);
      expect(await tp.page.locator('header .gc-live').isHidden()).toBe(true);
      expect(await tp.page.locator('header [data-nav="wall"]').count()).toBe(0);
      expect(await tp.page.locator('#layer-toggles [data-layer="grids"]').count()).toBe(1);
      await screenshotPage(tp.page, 'map-planner');
      expect(asked).toEqual([]);
      expect(failed).toEqual([]);
      // (the login page's who-am-I before signing in is a 401, and not this page's doing)
      expect(tp.problems.consoleErrors.filter((e) => !/status of 401/.test(e))).toEqual([]);
      expect(tp.problems.pageErrors).toEqual([]);
    } finally {
      await tp.close();
    }
  });
});

// The 2D map in a district larger than the server sends at once (issue 13: "no page loads all grids
// of a city as one GeoJSON; queries bounded by viewport and zoom"). The server runs with
// MAX_FEATURES=12 on the demo district (41 grids), so the district's grids arrive truncated, as a
// city-sized district's would at the default 5,000:
// - at the district view no grid is drawn, a notice asks to zoom in, and the summary still gives
//   the district's true totals (from the division tree);
// - opening one grid (/map.html?grid=<id>) frames it and the grids of that view are asked for by
//   bbox; zooming in step by step, as a user would, a view small enough gets its grids complete,
//   drawn and clickable;
// - zooming back out to the district hides them again;
// - /3d and /dispatch do the same; on /dispatch a point picked where no grid is drawn (the district
//   view) is still placed in its grid (asked of the server at that point).
import type { Feature, FeatureCollection, MultiPolygon, Polygon } from 'geojson';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  apiClient, createAccount, describeStats, interiorPoint, launchBrowser, loginInPage, openPage, reportFailure, startServer, waitForNonBlank, waitForReady,
  type ApiClient, type TestPage, type TestServer,
} from './harness.js';

const MAP_CANVAS = 'canvas.maplibregl-canvas';
const CAP = 12;
type BBox = [number, number, number, number];
type GridFc = FeatureCollection<Polygon | MultiPolygon, { id: number; name: string }> & { truncated?: boolean };

let server: TestServer;
let browser: Browser;
let api: ApiClient;
let tp: TestPage | undefined;

beforeAll(async () => {
  [server, browser] = await Promise.all([startServer({ MAX_FEATURES: String(CAP) }), launchBrowser()]);
  api = await apiClient(server);
}, 300_000);

afterAll(async () => {
  await tp?.close().catch(() => undefined);
  await browser?.close();
  await server?.stop();
});

interface PageGrids { truncated: boolean; count: number; notice: string | null; sumGrids: string | null }
const pageGrids = (t: TestPage) => t.page.evaluate((): PageGrids => {
  const gc = (window as unknown as { __gc: { gridsTruncated?: boolean; gridCount: number } }).__gc;
  const n = document.querySelector<HTMLElement>('#map-notice')!;
  return { truncated: Boolean(gc.gridsTruncated), count: gc.gridCount, notice: n.hidden ? null : n.textContent, sumGrids: document.querySelector('#sum-grids')?.textContent ?? null };
});

/** Jump the view (no animation) and wait until the page's grid requests for it have settled. */
async function jump(t: TestPage, target: { center: [number, number]; zoom: number } | { bbox: BBox }, settleMs = 400) {
  await t.page.evaluate((tg) => (window as unknown as { __gcView: { flyTo(t: unknown, o: unknown): void } }).__gcView.flyTo(tg, { animate: false }), target);
  // The loader waits 250 ms after the view settles before it asks (Cesium reports the end of a move a few frames later).
  await t.page.waitForTimeout(settleMs);
  await t.page.evaluate(() => (window as unknown as { __gc: { gridsIdle(): Promise<void> } }).__gc.gridsIdle());
}

describe('2D map of a district larger than MAX_FEATURES', () => {
  it('draws grids only for a view small enough, asked by bbox, and keeps the district totals', async ({ onTestFailed }) => {
    const district = (await api.get<{ code: string; bbox: BBox }>('api/district')).body;
    const tree = (await api.get<{ tree: { gridCount: number; households: number } }>('api/divisions')).body.tree;
    const whole = (await api.get<GridFc>(`api/grids?bbox=${district.bbox.join(',')}`)).body;
    expect(tree.gridCount).toBeGreaterThan(CAP);
    expect([whole.truncated, whole.features.length]).toEqual([true, CAP]);
    const target = whole.features[0]!;

    tp = await openPage(browser, server);
    reportFailure(onTestFailed, server, tp, 'map-viewport');
    const asked: BBox[] = [];
    tp.page.on('request', (r) => {
      const u = new URL(r.url());
      if (u.pathname === '/api/grids' && u.searchParams.get('bbox')) asked.push(u.searchParams.get('bbox')!.split(',').map(Number) as BBox);
    });
    // The district first: too many grids for one answer.
    await tp.page.goto(new URL('map.html?debug', server.url).toString(), { waitUntil: 'domcontentloaded' });
    await waitForReady(tp, 150_000);
    let s = await pageGrids(tp);
    expect(s.truncated).toBe(true);
    expect(s.count).toBe(0);
    expect(s.notice).toContain('请放大地图');
    expect(s.sumGrids).toBe(String(tree.gridCount));

    // One grid, asked for by id (the portal's tree links like this): framed, its card open.
    await tp.page.goto(new URL(`map.html?debug&grid=${target.properties.id}`, server.url).toString(), { waitUntil: 'domcontentloaded' });
    await waitForReady(tp, 150_000);
    await expect.poll(() => tp!.page.locator('#info-panel').getAttribute('data-grid-id'), { timeout: 15_000 }).toBe(String(target.properties.id));
    const [lon, lat] = await interiorPoint(target as Feature<Polygon | MultiPolygon>);

    // Zoom in as a user would until the view's grids come complete.
    let zoom = 15;
    for (; zoom <= 19; zoom++) {
      await jump(tp, { center: [lon, lat], zoom });
      s = await pageGrids(tp);
      if (!s.truncated && s.count > 0) break;
    }
    console.log(`[map-viewport] grids complete from zoom ${zoom}: ${s.count} grids; ${asked.length} bbox requests in all`);
    expect(zoom, 'even at zoom 19 the view held too many grids').toBeLessThanOrEqual(19);
    expect(s.notice).toBeNull();
    expect(s.sumGrids).toBe(String(tree.gridCount));
    // Beside the district's own (one per page load), every request was a box inside it, smaller than it.
    const area = (b: BBox) => (b[2] - b[0]) * (b[3] - b[1]);
    const viewAsks = asked.filter((b) => area(b) < 0.99 * area(district.bbox));
    expect(viewAsks.length).toBeGreaterThan(0);
    expect(asked.length - viewAsks.length).toBe(2);
    for (const b of viewAsks) {
      expect(b[0]).toBeGreaterThanOrEqual(district.bbox[0] - 1e-6);
      expect(b[1]).toBeGreaterThanOrEqual(district.bbox[1] - 1e-6);
      expect(b[2]).toBeLessThanOrEqual(district.bbox[2] + 1e-6);
      expect(b[3]).toBeLessThanOrEqual(district.bbox[3] + 1e-6);
      expect(area(b)).toBeLessThan(area(district.bbox));
    }
    // What is drawn is what the server has for the last box asked.
    const last = asked[asked.length - 1]!;
    const server12 = (await api.get<GridFc>(`api/grids?bbox=${last.join(',')}`)).body;
    expect(server12.truncated).toBe(false);
    expect(s.count).toBe(server12.features.length);

    const stats = await waitForNonBlank(tp.page, MAP_CANVAS, 'map-viewport', 30_000);
    console.log(`[map-viewport] canvas ${describeStats(stats)}`);

    // A drawn grid of the view (not the one already open) opens its card when clicked.
    const candidates = await Promise.all(server12.features.filter((f) => f.properties.id !== target.properties.id).map(async (f) => {
      const [x, y] = await interiorPoint(f);
      return { id: f.properties.id, lon: x, lat: y };
    }));
    const onScreen = await tp.page.evaluate(({ list, selector }) => {
      const gc = (window as unknown as { __gc: { project(lon: number, lat: number): [number, number] } }).__gc;
      const box = document.querySelector(selector)!.getBoundingClientRect();
      return list.flatMap((c) => {
        const [px, py] = gc.project(c.lon, c.lat);
        const x = box.left + px;
        const y = box.top + py;
        if (x < box.left + 20 || x > box.right - 20 || y < box.top + 20 || y > box.bottom - 20) return [];
        const el = document.elementFromPoint(x, y);
        return el?.tagName === 'CANVAS' ? [{ id: c.id, x, y }] : [];
      });
    }, { list: candidates, selector: MAP_CANVAS });
    if (onScreen.length === 0) {
      // Only the opened grid is uncovered: clicking it again must keep its card.
      const [px, py] = await tp.page.evaluate(([a, b]) => (window as unknown as { __gc: { project(lon: number, lat: number): [number, number] } }).__gc.project(a!, b!), [lon, lat]);
      const box = (await tp.page.locator(MAP_CANVAS).boundingBox())!;
      await tp.page.mouse.click(box.x + px, box.y + py);
      await expect.poll(() => tp!.page.locator('#info-panel').getAttribute('data-grid-id')).toBe(String(target.properties.id));
    } else {
      const c = onScreen[0]!;
      await tp.page.mouse.click(c.x, c.y);
      await expect.poll(() => tp!.page.locator('#info-panel').getAttribute('data-grid-id'), { timeout: 10_000 }).toBe(String(c.id));
    }

    // Back to the whole district: too many again, none drawn, the notice back.
    await jump(tp, { bbox: district.bbox });
    s = await pageGrids(tp);
    expect([s.truncated, s.count]).toEqual([true, 0]);
    expect(s.notice).toContain('请放大地图');
    expect([...tp.problems.pageErrors, ...tp.problems.serverErrors]).toEqual([]);
  });

  it('the 3D city does the same: no grids at the district view, the view\'s grids once zoomed in', async ({ onTestFailed }) => {
    await tp?.close();
    const district = (await api.get<{ bbox: BBox }>('api/district')).body;
    const tree = (await api.get<{ tree: { gridCount: number } }>('api/divisions')).body.tree;
    const target = (await api.get<GridFc>(`api/grids?bbox=${district.bbox.join(',')}`)).body.features[0]!;
    tp = await openPage(browser, server);
    reportFailure(onTestFailed, server, tp, 'map-viewport-3d');
    let views = 0;
    const buildingAsks: string[] = [];
    tp.page.on('request', (r) => {
      const u = new URL(r.url());
      const b = u.searchParams.get('bbox');
      const whole = b === district.bbox.map((x) => +x.toFixed(6)).join(',');
      if (u.pathname === '/api/grids' && b && !whole) views++;
      if (u.pathname === '/api/buildings' && b && !whole) buildingAsks.push(b);
    });
    // The demo's buildings are more than the cap too: none drawn at the district view.
    const allBuildings = (await api.get<{ truncated?: boolean }>(`api/buildings?bbox=${district.bbox.join(',')}`)).body;
    expect(allBuildings.truncated).toBe(true);
    await tp.page.goto(new URL('3d.html?debug', server.url).toString(), { waitUntil: 'domcontentloaded' });
    await waitForReady(tp, 150_000);
    let s = await pageGrids(tp);
    expect([s.truncated, s.count, s.sumGrids]).toEqual([true, 0, String(tree.gridCount)]);
    expect(s.notice).toContain('请放大地图');
    const buildingCount = () => tp!.page.evaluate(() => (window as unknown as { __gc: { buildingCount?: number } }).__gc.buildingCount);
    expect(await buildingCount()).toBe(0);

    const center = await interiorPoint(target as Feature<Polygon | MultiPolygon>);
    let zoom = 15;
    for (; zoom <= 19; zoom++) {
      await jump(tp, { center, zoom }, 1_000);
      // Software GL renders slowly: give the move's end a few seconds to be reported and answered.
      const complete = await tp.page.waitForFunction(() => {
        const gc = (window as unknown as { __gc: { gridsTruncated?: boolean; gridCount: number } }).__gc;
        return !gc.gridsTruncated && gc.gridCount > 0;
      }, undefined, { timeout: 4_000, polling: 200 }).then(() => true, () => false);
      s = await pageGrids(tp);
      if (complete) break;
    }
    console.log(`[map-viewport] 3D: grids complete from zoom ${zoom}: ${s.count} grids; ${views} view requests`);
    expect(zoom, 'even at zoom 19 the 3D view held too many grids').toBeLessThanOrEqual(19);
    expect(views).toBeGreaterThan(0);
    expect(s.notice).toBeNull();
    expect(s.sumGrids).toBe(String(tree.gridCount));
    // The buildings were asked for by the view's box too, and the page has what the server has for
    // the last box (none when even that box holds more than the cap).
    await tp.page.evaluate(() => (window as unknown as { __gc: { buildingsIdle(): Promise<void> } }).__gc.buildingsIdle());
    expect(buildingAsks.length).toBeGreaterThan(0);
    const lastBuildings = (await api.get<{ truncated?: boolean; features: unknown[] }>(`api/buildings?bbox=${buildingAsks[buildingAsks.length - 1]}`)).body;
    expect(await buildingCount()).toBe(lastBuildings.truncated ? 0 : lastBuildings.features.length);
    console.log(`[map-viewport] 3D buildings: ${buildingAsks.length} view requests, ${await buildingCount()} on the page (last box truncated: ${Boolean(lastBuildings.truncated)})`);
    const stats = await waitForNonBlank(tp.page, '.cesium-widget canvas', 'map-viewport-3d', 60_000);
    console.log(`[map-viewport] 3D canvas ${describeStats(stats)}`);

    await jump(tp, { bbox: district.bbox }, 1_000);
    await expect.poll(async () => { const g = await pageGrids(tp!); return [g.truncated, g.count]; }, { timeout: 10_000 }).toEqual([true, 0]);
    expect([...tp.problems.pageErrors, ...tp.problems.serverErrors]).toEqual([]);
  });

  it('/dispatch draws the view\'s grids only, and a point picked at the district view still finds its grid', async ({ onTestFailed }) => {
    await tp?.close();
    const district = (await api.get<{ bbox: BBox }>('api/district')).body;
    const target = (await api.get<GridFc>(`api/grids?bbox=${district.bbox.join(',')}`)).body.features[3]!;
    // A district-centre operator: the desk that takes hotline calls.
    const districtCode = (await api.get<{ code: string }>('api/district')).body.code;
    const operator = await createAccount(api, { username: 'vp.desk', displayName: '视野接线', role: 'district_center', divisionCode: districtCode });
    tp = await openPage(browser, server, { login: false });
    reportFailure(onTestFailed, server, tp, 'map-viewport-dispatch');
    const { page } = tp;
    await page.setViewportSize({ width: 1440, height: 900 });
    await loginInPage(tp, server, operator, '/dispatch');
    await page.goto(new URL('dispatch.html?debug', server.url).toString(), { waitUntil: 'domcontentloaded' });
    await waitForReady(tp, 150_000);
    let s = await pageGrids(tp);
    expect([s.truncated, s.count]).toEqual([true, 0]);
    expect(s.notice).toContain('请放大地图');

    // 热线受理 → 在地图上点选位置, at the district view (no grid drawn there): the grid is found.
    await page.locator('#hotline-open').click();
    await page.locator('[data-hl-pick]').click();
    const [lon, lat] = await interiorPoint(target as Feature<Polygon | MultiPolygon>);
    const [x, y] = await page.evaluate(([a, b]) => (window as unknown as { __gc: { project(lon: number, lat: number): [number, number] } }).__gc.project(a!, b!), [lon, lat]);
    const box = (await page.locator('#map canvas').first().boundingBox())!;
    expect(x > 0 && y > 0 && x < box.width && y < box.height, `the grid is on screen at ${x},${y}`).toBe(true);
    await page.mouse.click(box.x + x, box.y + y);
    const where = page.locator('[data-hl-where]');
    await expect.poll(() => where.getAttribute('data-grid-id'), { timeout: 10_000 }).toBe(String(target.properties.id));
    expect(await where.innerText()).toContain(target.properties.name);

    // Zoomed in on that grid: the view's grids arrive complete and are drawn.
    let zoom = 15;
    for (; zoom <= 19; zoom++) {
      await jump(tp, { center: [lon, lat], zoom });
      s = await pageGrids(tp);
      if (!s.truncated && s.count > 0) break;
    }
    console.log(`[map-viewport] /dispatch: grids complete from zoom ${zoom}: ${s.count} grids`);
    expect(zoom, 'even at zoom 19 the view held too many grids').toBeLessThanOrEqual(19);
    expect(s.notice).toBeNull();
    const stats = await waitForNonBlank(page, '#map canvas', 'map-viewport-dispatch', 30_000);
    console.log(`[map-viewport] /dispatch canvas ${describeStats(stats)}`);
    expect([...tp.problems.pageErrors, ...tp.problems.serverErrors]).toEqual([]);
  });
});

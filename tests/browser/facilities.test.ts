// 设施编辑 (/facilities) in real Chromium against a real server with the demo district: a planner
// adds a facility by clicking the map — it is drawn, listed as 手工添加, and the 15-minute coverage
// of its class counts it; a CSV with one bad row lists that row's problem and saves nothing; a
// role without the grant is not offered the page.
import type { FeatureCollection, MultiPolygon, Point } from 'geojson';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  apiClient, createAccount, describeStats, launchBrowser, loginInPage, openPage, reportFailure, screenshotPage, startServer,
  waitForNonBlank, waitForReady, type ApiClient, type TestAccount, type TestPage, type TestServer,
} from './harness.js';

const MAP_CANVAS = '#map canvas.maplibregl-canvas';
type Buildings = FeatureCollection<MultiPolygon, { id: number; households: number; minutes: number | null; covered: boolean; reachable: boolean }>;
interface Summary { district: { cells: Record<string, { coveredHouseholds: number }> } }
interface Hooks { facilities: { count: number; cls: string; selected: number | null; covered: number | null; busy: number; importErrors: number; saved: number } }

let server: TestServer;
let browser: Browser;
let admin: ApiClient;
let planner: TestAccount;
let plannerApi: ApiClient;
let tp: TestPage | undefined;

beforeAll(async () => {
  [server, browser] = await Promise.all([startServer(), launchBrowser()]);
  admin = await apiClient(server);
  const d = (await admin.get<{ code: string }>('api/district')).body;
  planner = await createAccount(admin, { username: 'planner.fac', displayName: '李规划', role: 'planner', divisionCode: d.code });
  plannerApi = await apiClient(server, planner.username, planner.password);
}, 300_000);

afterAll(async () => {
  await tp?.close().catch(() => undefined);
  await browser?.close();
  await server?.stop();
});

const hooks = (page: Page) => page.evaluate(() => (window as unknown as { __gc: Hooks }).__gc.facilities);
const idle = (page: Page) => page.waitForFunction(() => {
  const g = (window as unknown as { __gc: Hooks & { mapMoving(): boolean } }).__gc;
  return g.facilities.busy === 0 && !g.mapMoving();
}, undefined, { timeout: 60_000 });
async function getJson<T>(path: string): Promise<T> {
  const r = await plannerApi.get<T>(path);
  expect(r.status, `GET ${path}`).toBe(200);
  return r.body;
}
const facilityCount = async () => (await getJson<FeatureCollection<Point>>('api/facilities/editor')).features.length;

describe('设施编辑 /facilities', () => {
  it('a planner adds a pharmacy by clicking the map: drawn, listed as hand-added, counted by coverage; dragged to move it; a CSV with a bad row saves nothing', async ({ onTestFailed }) => {
    tp = await openPage(browser, server, { login: false });
    const page = tp.page;
    reportFailure(onTestFailed, server, tp, 'facilities');
    await page.setViewportSize({ width: 1440, height: 900 });
    await loginInPage(tp, server, planner, '/facilities?class=pharmacy');
    await waitForReady(tp, 180_000);
    expect(await page.locator('header [data-nav="facilities"]').count()).toBe(1);
    const start = await hooks(page);
    expect(start.cls).toBe('pharmacy');
    expect(await page.locator('#list li').count()).toBe(start.count);
    const coveredBefore = (await getJson<Summary>('api/coverage/summary')).district.cells.pharmacy!.coveredHouseholds;
    expect(start.covered).toBe(coveredBefore);

    // the largest uncovered, reachable home: a pharmacy on it covers it
    const b = (await getJson<Buildings>('api/coverage/buildings?class=pharmacy')).features
      .filter((f) => !f.properties.covered && f.properties.reachable && f.properties.households > 0)
      .sort((x, y) => y.properties.households - x.properties.households)[0]!;
    expect(b).toBeDefined();
    const { pointOnFeature } = await import('@turf/turf');
    const at = pointOnFeature(b).geometry.coordinates as [number, number];
    // centre the map there (the hooks' project() is what the test clicks by)
    await page.evaluate(([lon, lat]) => (window as unknown as { __gc: { flyTo(a: number, b: number): void } }).__gc.flyTo(lon!, lat!), at);
    await idle(page);

    await page.locator('#add-name').fill('便民药房（测试）');
    await page.locator('#add-class').selectOption('pharmacy');
    await page.locator('#add-tool').click();
    const box = (await page.locator(MAP_CANVAS).boundingBox())!;
    const [x, y] = await page.evaluate(([lon, lat]) => (window as unknown as { __gc: { project(a: number, b: number): [number, number] } }).__gc.project(lon!, lat!), at);
    await page.mouse.click(box.x + x, box.y + y);
    await expect.poll(async () => (await hooks(page)).count, { timeout: 60_000 }).toBe(start.count + 1);
    await idle(page);
    const after = await hooks(page);
    expect(after.selected).not.toBeNull();
    expect(after.covered!).toBeGreaterThanOrEqual(coveredBefore + b.properties.households);
    expect((await getJson<Summary>('api/coverage/summary')).district.cells.pharmacy!.coveredHouseholds).toBe(after.covered);
    await expect.poll(() => page.locator(`#list li[data-id="${after.selected}"]`).innerText()).toContain('手工添加');
    expect(await page.locator('#edit-info').innerText()).toContain('手工添加');
    const stats = await waitForNonBlank(page, MAP_CANVAS, 'facilities-map', 60_000);
    console.log(`[facilities] pharmacy ${start.count} → ${after.count}, covered households ${coveredBefore} → ${after.covered}; canvas ${describeStats(stats)}`);
    expect(stats.contentShare, describeStats(stats)).toBeGreaterThan(0.05);
    await screenshotPage(page, 'facilities-added');

    // drag it 60 px east: moved on the server, audited as an update
    const id = after.selected!;
    const [fx, fy] = await page.evaluate(([lon, lat]) => (window as unknown as { __gc: { project(a: number, b: number): [number, number] } }).__gc.project(lon!, lat!), at);
    const saved = (await hooks(page)).saved;
    await page.mouse.move(box.x + fx, box.y + fy);
    await page.mouse.down();
    for (let i = 1; i <= 6; i++) await page.mouse.move(box.x + fx + i * 10, box.y + fy, { steps: 2 });
    await page.mouse.up();
    await expect.poll(async () => (await hooks(page)).saved, { timeout: 30_000 }).toBe(saved + 1);
    const moved = (await getJson<FeatureCollection<Point, { id: number }>>('api/facilities/editor?class=pharmacy')).features.find((x) => x.properties.id === id)!;
    expect(moved.geometry.coordinates[0]).toBeGreaterThan(at[0] + 1e-5);
    expect(Math.abs(moved.geometry.coordinates[1]! - at[1])).toBeLessThan(2e-5);
    await idle(page);

    // CSV: one bad row (unknown class) → its row listed, nothing saved
    const total = await facilityCount();
    const csv = `name,class,lon,lat\n药店甲,pharmacy,${at[0] + 0.001},${at[1]}\n药店乙,赌场,${at[0] + 0.002},${at[1]}\n`;
    await page.locator('#csv-text').fill(csv);
    await page.locator('#csv-import').click();
    await expect.poll(async () => (await hooks(page)).importErrors, { timeout: 30_000 }).toBe(1);
    const row = page.locator('#csv-errors tbody tr');
    expect(await row.count()).toBe(1);
    expect(await row.first().getAttribute('data-row')).toBe('3');
    expect(await row.first().innerText()).toContain('未知的服务类别');
    expect(await page.locator('#csv-result').innerText()).toContain('未导入任何设施');
    expect(await facilityCount()).toBe(total);
    expect((await hooks(page)).count).toBe(after.count);
    await screenshotPage(page, 'facilities-csv-error');
    expect(tp.problems.serverErrors).toEqual([]);
    expect(tp.problems.pageErrors).toEqual([]);
  });

  it('a role without the grant (community staff) is not offered the page', async ({ onTestFailed }) => {
    const d = (await admin.get<{ tree?: unknown }>('api/divisions')).body as { tree: { children?: { children?: { code: string }[] }[] } };
    const community = d.tree.children?.[0]?.children?.[0]?.code;
    expect(community).toBeDefined();
    const staff = await createAccount(admin, { username: 'community.fac', role: 'community_staff', divisionCode: community! });
    await tp?.close();
    tp = await openPage(browser, server, { login: false });
    reportFailure(onTestFailed, server, tp, 'facilities-denied');
    await loginInPage(tp, server, staff, '/');
    await tp.page.waitForFunction(() => { const u = document.querySelector('header .gc-user'); return !!u && !u.hasAttribute('hidden'); }, undefined, { timeout: 60_000 });
    expect(await tp.page.locator('header [data-nav="facilities"]').count()).toBe(0);
    expect(await tp.page.locator('#link-facilities').isHidden()).toBe(true);
  });
});

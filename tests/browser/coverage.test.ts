// 15分钟生活圈 (/coverage) in real Chromium against a real server with the demo district: a planner
// sees the community × class checklist; selecting a cell shows the map with that class's gap
// polygons; adding a facility on the map (what-if) raises the covered share at once; an isochrone
// from a clicked point has its 5/10/15-minute bands.
import { pointOnFeature } from '@turf/turf';
import type { Feature, FeatureCollection, MultiPolygon } from 'geojson';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  apiClient,
  createAccount,
  describeStats,
  launchBrowser,
  loginInPage,
  openPage,
  reportFailure,
  screenshotPage,
  startServer,
  waitForNonBlank,
  waitForReady,
  type ApiClient,
  type TestAccount,
  type TestPage,
  type TestServer,
} from './harness.js';

const MAP_CANVAS = '#map canvas.maplibregl-canvas';

interface Cell { households: number; coveredHouseholds: number; householdsShare: number | null }
interface Area { code: string; name: string; households: number; cells: Record<string, Cell> }
interface Summary { classes: { code: string; name: string; facilities: number }[]; communities: Area[]; district: Area }
type Buildings = FeatureCollection<MultiPolygon, { id: number; households: number; communityCode: string | null; minutes: number | null; covered: boolean; reachable: boolean }>;
interface CoverageHooks { coverage: { community: string | null; cls: string | null; gapCount: number | null; share: number | null; shareAfter: number | null; whatIfBusy: boolean; isochroneBands: number } }

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
  planner = await createAccount(admin, { username: 'planner.e2e', displayName: '王规划', role: 'planner', divisionCode: d.code });
  plannerApi = await apiClient(server, planner.username, planner.password);
}, 300_000);

afterAll(async () => {
  await tp?.close().catch(() => undefined);
  await browser?.close();
  await server?.stop();
});

async function getJson<T>(path: string): Promise<T> {
  const r = await plannerApi.get<T>(path);
  expect(r.status, `GET ${path}: ${JSON.stringify(r.body).slice(0, 300)}`).toBe(200);
  return r.body;
}

const coverage = (page: Page) => page.evaluate(() => (window as unknown as { __gc: CoverageHooks }).__gc.coverage);

/** Click the map at lon/lat if that spot is the map canvas (not a panel over it); false otherwise. */
async function clickMapAt(page: Page, lonLat: [number, number]): Promise<boolean> {
  const box = (await page.locator(MAP_CANVAS).boundingBox())!;
  const [x, y] = await page.evaluate(([lon, lat]) => (window as unknown as { __gc: { project(a: number, b: number): [number, number] } }).__gc.project(lon!, lat!), lonLat);
  const px = box.x + x;
  const py = box.y + y;
  const onCanvas = await page.evaluate(([cx, cy]) => document.elementFromPoint(cx!, cy!)?.classList.contains('maplibregl-canvas') ?? false, [px, py]);
  if (!onCanvas) return false;
  await page.mouse.click(px, py);
  return true;
}

describe('15分钟生活圈 /coverage', () => {
  it('a planner sees the matrix, drills to gap polygons, and a what-if facility raises the share', async ({ onTestFailed }) => {
    tp = await openPage(browser, server, { login: false });
    const page = tp.page;
    reportFailure(onTestFailed, server, tp, 'coverage');
    await page.setViewportSize({ width: 1440, height: 900 });
    await loginInPage(tp, server, planner, '/coverage');
    await waitForReady(tp, 180_000);

    // 1. The checklist: one row per community, one cell per class, the jurisdiction's row.
    const summary = await getJson<Summary>('api/coverage/summary');
    expect(summary.classes).toHaveLength(16);
    await expect.poll(() => page.locator('#matrix tbody tr').count(), { timeout: 30_000 }).toBe(summary.communities.length);
    expect(await page.locator('#matrix tbody td.cell').count()).toBe(summary.communities.length * summary.classes.length);
    expect(await page.locator('#matrix tfoot tr.district td.cell').count()).toBe(summary.classes.length);
    expect(await page.locator('header [data-nav="coverage"]').count()).toBe(1);
    expect(await page.locator('body').innerText()).toContain('合成');

    // 2. The cell with the most uncovered households: a class with facilities that misses homes.
    let best: { area: Area; cls: string; uncovered: number } | null = null;
    for (const a of summary.communities) for (const c of summary.classes) {
      const cell = a.cells[c.code];
      if (!cell || c.facilities === 0) continue;
      const uncovered = cell.households - cell.coveredHouseholds;
      if (uncovered > 0 && (!best || uncovered > best.uncovered)) best = { area: a, cls: c.code, uncovered };
    }
    expect(best, 'a community × class with uncovered households').not.toBeNull();
    const { area, cls } = best!;
    const shareBefore = area.cells[cls]!.householdsShare!;
    await page.locator(`#matrix td.cell[data-community="${area.code}"][data-class="${cls}"]`).click();
    await expect.poll(async () => (await coverage(page)).gapCount ?? -1, { timeout: 60_000 }).toBeGreaterThan(0);
    const gapText = await page.locator('#side [data-gap-count]').getAttribute('data-gap-count');
    expect(Number(gapText)).toBeGreaterThan(0);
    expect(Number(await page.locator('#side [data-share]').first().getAttribute('data-share'))).toBeCloseTo(shareBefore, 6);
    await page.waitForFunction(() => document.body.dataset.ready === 'true');
    const stats = await waitForNonBlank(page, MAP_CANVAS, 'coverage-map', 60_000);
    console.log(`[coverage] ${area.name} × ${cls}: ${gapText} gaps, share ${shareBefore}; canvas ${describeStats(stats)}`);
    expect(stats.contentShare, describeStats(stats)).toBeGreaterThan(0.05);
    expect(stats.distinctColors).toBeGreaterThanOrEqual(16);
    await screenshotPage(page, 'coverage-cell');

    // 3. What-if: a facility added on an uncovered home of that community covers it.
    const buildings = await getJson<Buildings>(`api/coverage/buildings?class=${cls}`);
    const candidates = buildings.features
      .filter((f) => f.properties.communityCode === area.code && !f.properties.covered && f.properties.reachable && f.properties.households > 0)
      .sort((a, b) => b.properties.households - a.properties.households);
    expect(candidates.length).toBeGreaterThan(0);
    await page.locator('#toolbar [data-tool="add"]').click();
    // The fly to the community has settled.
    await page.waitForFunction(() => !(window as unknown as { __gc: { mapMoving(): boolean } }).__gc.mapMoving(), undefined, { timeout: 30_000 });
    let added = false;
    for (const f of candidates.slice(0, 30)) {
      const at = pointOnFeature(f as Feature<MultiPolygon>).geometry.coordinates as [number, number];
      if (await clickMapAt(page, at)) {
        added = true;
        break;
      }
    }
    expect(added, 'an uncovered building of the community is visible on the map').toBe(true);
    await expect.poll(async () => (await coverage(page)).shareAfter ?? -1, { timeout: 60_000 }).toBeGreaterThan(shareBefore);
    const after = await coverage(page);
    expect(after.whatIfBusy).toBe(false);
    await expect.poll(async () => Number(await page.locator('#side [data-share]').first().getAttribute('data-share')), { timeout: 10_000 }).toBeGreaterThan(shareBefore);
    expect(await page.locator(`#matrix td.cell.whatif[data-community="${area.code}"][data-class="${cls}"]`).count()).toBe(1);
    expect(await page.locator('#side [data-whatif-list] li').count()).toBe(1);
    console.log(`[coverage] what-if: share ${shareBefore} → ${after.shareAfter}`);
    await screenshotPage(page, 'coverage-whatif');

    // Nothing was saved: the server's figures are unchanged.
    const again = await getJson<Summary>('api/coverage/summary');
    expect(again.communities.find((a) => a.code === area.code)!.cells[cls]!.householdsShare).toBe(shareBefore);

    // 4. An isochrone from a clicked point, with its bands.
    await page.locator('#toolbar [data-tool="isochrone"]').click();
    let clicked = false;
    for (const f of candidates.slice(0, 30)) {
      const at = pointOnFeature(f as Feature<MultiPolygon>).geometry.coordinates as [number, number];
      if (await clickMapAt(page, at)) {
        clicked = true;
        break;
      }
    }
    expect(clicked).toBe(true);
    await expect.poll(async () => (await coverage(page)).isochroneBands, { timeout: 60_000 }).toBe(3);
    expect(await page.locator('#side [data-isochrone-bands="3"]').count()).toBe(1);
    await screenshotPage(page, 'coverage-isochrone');

    expect(tp.problems.pageErrors).toEqual([]);
    expect(tp.problems.serverErrors).toEqual([]);
  }, 420_000);
});

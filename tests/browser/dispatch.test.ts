// 中屏干 (/dispatch) with 小屏办 (/mobile), in real Chromium against a real server: one case driven
// end to end through both screens (report on the phone → the community desk sees it arrive live,
// accepts and dispatches → the grid worker starts and resolves with a photo → a different person
// verifies on the desk → close → 满意); the resolver cannot verify (the server's reason is shown);
// duplicates are offered and merged; and, when there is a wall screen, it shows a new case live.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Feature, FeatureCollection, MultiPolygon, Polygon } from 'geojson';
import type { Browser, Page } from 'playwright-core';
import { PNG } from 'pngjs';
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
  ROOT,
  screenshotPage,
  startServer,
  tokenClient,
  usePhone,
  waitForNonBlank,
  waitForReady,
  type ApiClient,
  type TestAccount,
  type TestPage,
  type TestServer,
} from './harness.js';

const HAS_WALL = existsSync(join(ROOT, 'client/wall.html'));

type GridFeature = Feature<Polygon | MultiPolygon, { id: number; name: string; communityCode: string }>;
interface Case { id: number; clientKey: string; category: string; description: string; status: string; rating: string | null; resolvedBy: string | null; verifiedBy: string | null; mergedInto: number | null; reporters: number; gridId: number | null; level: string }
interface Detail { incident: Case; events: { action: string; actor: { label: string }; photos: string[]; detail?: Record<string, unknown> }[] }

let server: TestServer;
let browser: Browser;
let admin: ApiClient;
let worker: TestAccount;
let staff: TestAccount;
/** The grid worker's API token (cases made without the UI) and the community staff's session. */
let workerApi: ApiClient;
let staffApi: ApiClient;
let grid: GridFeature;
let spot: [number, number];
let desk: TestPage | undefined;
let phone: TestPage | undefined;

beforeAll(async () => {
  [server, browser] = await Promise.all([startServer(), launchBrowser()]);
  admin = await apiClient(server);
  const d = (await admin.get<{ bbox: number[] }>('api/district')).body;
  grid = (await admin.get<FeatureCollection<Polygon | MultiPolygon, GridFeature['properties']>>(`api/grids?bbox=${d.bbox.join(',')}`)).body.features[0]!;
  spot = await interiorPoint(grid);
  worker = await createAccount(admin, { username: 'gw.e2e', displayName: '李网格', role: 'grid_worker', gridId: grid.properties.id });
  staff = await createAccount(admin, { username: 'cs.e2e', displayName: '张社区', role: 'community_staff', divisionCode: grid.properties.communityCode });
  workerApi = await tokenClient(server, admin, { role: 'grid_worker', gridId: grid.properties.id });
  staffApi = await apiClient(server, staff.username, staff.password);
}, 300_000);

afterAll(async () => {
  await desk?.close().catch(() => undefined);
  await phone?.close().catch(() => undefined);
  await browser?.close();
  await server?.stop();
});

type OnFailed = TestContext['onTestFailed'];

let deskReady: Promise<void> | undefined;
async function openDesk(onTestFailed: OnFailed, name: string): Promise<TestPage> {
  if (!desk) {
    const tp = await openPage(browser, server, { login: false });
    desk = tp;
    deskReady = (async () => {
      await tp.page.setViewportSize({ width: 1440, height: 900 });
      await loginInPage(tp, server, staff, '/dispatch');
      await waitForReady(tp, 120_000);
      await tp.page.locator('.gc-live.live').waitFor({ timeout: 30_000 });
    })();
  }
  reportFailure(onTestFailed, server, desk, `${name}-desk`);
  await deskReady;
  return desk;
}

let phoneReady: Promise<void> | undefined;
async function openPhone(onTestFailed: OnFailed, name: string): Promise<TestPage> {
  if (!phone) {
    const tp = await openPage(browser, server, { login: false });
    phone = tp;
    phoneReady = (async () => {
      await usePhone(tp, server, spot);
      await loginInPage(tp, server, worker, '/mobile');
      await waitForReady(tp, 120_000);
    })();
  }
  reportFailure(onTestFailed, server, phone, `${name}-phone`);
  await phoneReady;
  return phone;
}

/** Take `action` on the case open in `scope` (#detail on the desk, #sheet-body on the phone) and wait for `state`. */
async function act(page: Page, scope: string, action: string, state: string, fill: (form: ReturnType<Page['locator']>) => Promise<void> = async () => undefined) {
  await page.locator(`${scope} .gw-act-btn[data-action="${action}"]`).click();
  const form = page.locator(`${scope} .gw-act-form[data-action="${action}"]`);
  await form.waitFor();
  await fill(form);
  await form.locator('.gw-act-submit').click();
  await page.locator(`${scope} [data-status="${state}"]`).first().waitFor({ timeout: 20_000 });
}

async function detail(id: number): Promise<Detail> {
  const res = await admin.get<Detail>(`api/incidents/${id}`);
  expect(res.status).toBe(200);
  return res.body;
}

async function findByDescription(text: string): Promise<Case> {
  let found: Case | undefined;
  await expect.poll(async () => {
    found = (await admin.get<{ incidents: Case[] }>('api/incidents?limit=5000')).body.incidents.find((c) => c.description === text);
    return !!found;
  }, { timeout: 20_000 }).toBe(true);
  return found!;
}

/** A report made by the grid worker's token at the grid's interior point (plus a few metres). */
async function apiReport(category: string, description: string, nudge = 0): Promise<Case> {
  const res = await workerApi.post<Case>('api/incidents', {
    lon: spot[0] + nudge * 0.00001, lat: spot[1], category, description, source: 'patrol', clientKey: `e2e-${Date.now()}-${Math.random().toString(36).slice(2)}`,
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

function tinyPng(): Buffer {
  const png = new PNG({ width: 48, height: 48 });
  for (let i = 0; i < png.data.length; i += 4) {
    const p = i / 4;
    png.data[i] = (p * 7) % 255;
    png.data[i + 1] = 120;
    png.data[i + 2] = (p * 3) % 255;
    png.data[i + 3] = 255;
  }
  return PNG.sync.write(png);
}

describe('中屏干 /dispatch with 小屏办 /mobile', () => {
  it('drives one case end to end: phone report → desk accepts and dispatches (live) → phone starts and resolves → another person verifies → close → 满意', async ({ onTestFailed }) => {
    const [d, p] = await Promise.all([openDesk(onTestFailed, 'e2e'), openPhone(onTestFailed, 'e2e')]);
    // A mark on the desk's window: still there at the end means the page never reloaded.
    await d.page.evaluate(() => { (window as unknown as { __noReload: boolean }).__noReload = true; });
    const notReloaded = () => d.page.evaluate(() => (window as unknown as { __noReload?: boolean }).__noReload === true);
    const tag = `E2E 井盖松动 ${Date.now()}`;

    // 1. The grid worker reports on the phone in three taps (plus a note).
    await p.page.locator('#btn-gps').click();
    await expect.poll(() => p.page.locator('#step-location.done').count(), { timeout: 15_000 }).toBe(1);
    await p.page.locator('[data-category="facility_damage"]').click();
    await p.page.locator('#note').fill(tag);
    await p.page.locator('#btn-submit').click();
    const kase = await findByDescription(tag);
    const id = kase.id;

    // 2. The desk sees it arrive without a reload, in 待受理, marked new.
    const item = d.page.locator(`#case-list .gd-item[data-case-id="${id}"]`);
    await item.waitFor({ timeout: 20_000 });
    expect(await item.getAttribute('class')).toContain('fresh');
    expect(await notReloaded()).toBe(true);
    await item.click();
    await d.page.locator(`#detail .gd-d[data-case-id="${id}"]`).waitFor();
    // Countdowns say what they count: 剩余 before the deadline, 超期 after it.
    await expect.poll(() => d.page.locator('#detail .gw-cd').innerText()).toMatch(/^(剩余|超期) (\d+天 )?\d{2}:\d{2}:\d{2}$/);
    await expect.poll(() => item.locator('.gw-cd').innerText()).toMatch(/^剩余 (\d+天 )?\d{2}:\d{2}:\d{2}$/);
    await act(d.page, '#detail', 'accept', 'accepted');
    await act(d.page, '#detail', 'dispatch', 'dispatched', async (form) => {
      await form.locator('select[name="level"]').selectOption('grid');
      await form.locator('textarea').fill('请网格员到场处置');
    });
    await screenshotPage(d.page, 'dispatch-dispatched');

    // 3. On the phone it is in my queue with 开始处置; start and resolve it, with a photo.
    await p.page.locator('.gm-tabs [data-tab="queue"]').click();
    const card = p.page.locator(`#queue [data-case-id="${id}"]`);
    await card.locator('[data-open-action="start"]').waitFor({ timeout: 30_000 });
    await card.locator('.gm-case-desc').click();
    await p.page.locator(`#sheet-body .gm-detail[data-case-id="${id}"]`).waitFor();
    await act(p.page, '#sheet-body', 'start', 'in_progress');
    await act(p.page, '#sheet-body', 'resolve', 'resolved', async (form) => {
      await form.locator('textarea').fill('已更换井盖');
      await form.locator('input[type="file"]').setInputFiles({ name: 'fixed.png', mimeType: 'image/png', buffer: tinyPng() });
      await form.locator('.gw-act-preview img').waitFor();
    });
    await screenshotPage(p.page, 'dispatch-phone-resolved');

    // 4. The desk's open case follows live; a different person (the desk) verifies, closes, rates.
    await d.page.locator(`#detail .gd-d[data-case-id="${id}"][data-status="resolved"]`).waitFor({ timeout: 20_000 });
    await d.page.locator('#detail .gw-trail li[data-action="resolve"] .gw-photo img').waitFor();
    await act(d.page, '#detail', 'verify', 'verified');
    await act(d.page, '#detail', 'close', 'closed');
    await act(d.page, '#detail', 'rate', 'rated', async (form) => {
      await form.locator('label.gw-rate', { hasText: '满意' }).first().click();
    });
    await screenshotPage(d.page, 'dispatch-rated');

    const out = await detail(id);
    expect(out.incident).toMatchObject({ status: 'rated', rating: 'satisfied', resolvedBy: '李网格', verifiedBy: '张社区' });
    expect(out.events.map((e) => e.action)).toEqual(['report', 'accept', 'dispatch', 'start', 'resolve', 'verify', 'close', 'rate']);
    expect(out.events.find((e) => e.action === 'resolve')!.photos).toHaveLength(1);
    expect(out.events.find((e) => e.action === 'verify')!.actor.label).toBe('张社区');
    expect(await notReloaded()).toBe(true); // all of it without a reload

    // Both maps are drawn.
    for (const [tp, name] of [[d, 'dispatch-map'], [p, 'dispatch-phone-map']] as const) {
      const stats = await waitForNonBlank(tp.page, '#map canvas', name, 30_000);
      console.log(`[dispatch] ${name} ${describeStats(stats)}`);
      expect(stats.contentShare, describeStats(stats)).toBeGreaterThan(0.05);
      expect(stats.distinctColors, describeStats(stats)).toBeGreaterThanOrEqual(8);
    }
    for (const tp of [d, p]) {
      expect(tp.problems.pageErrors).toEqual([]);
      expect(tp.problems.serverErrors).toEqual([]);
    }
  }, 240_000);

  it('派往指定网格: the desk hands a case to another grid of the community; the old grid\'s phone drops it live', async ({ onTestFailed }) => {
    const [d, p] = await Promise.all([openDesk(onTestFailed, 'handover'), openPhone(onTestFailed, 'handover')]);
    const all = (await staffApi.get<FeatureCollection<Polygon | MultiPolygon, GridFeature['properties']>>('api/grids')).body.features;
    const other = all.find((f) => f.properties.communityCode === grid.properties.communityCode && f.properties.id !== grid.properties.id);
    expect(other, 'the demo community has a second grid').toBeTruthy();
    const kase = await apiReport('sanitation', `E2E 改派 ${Date.now()}`);
    expect(kase.gridId).toBe(grid.properties.id);

    // The grid worker has it in their queue on the phone (the last test may have left a case open).
    if (await p.page.locator('#sheet-back').isVisible()) await p.page.locator('#sheet-back').click();
    await p.page.locator('.gm-tabs [data-tab="queue"]').click();
    const card = p.page.locator(`#queue [data-case-id="${kase.id}"]`);
    await card.waitFor({ timeout: 30_000 });

    // The desk dispatches it to the grid level, naming the other grid.
    const item = d.page.locator(`#case-list .gd-item[data-case-id="${kase.id}"]`);
    await item.waitFor({ timeout: 20_000 });
    await item.click();
    await d.page.locator(`#detail .gd-d[data-case-id="${kase.id}"]`).waitFor();
    await act(d.page, '#detail', 'dispatch', 'dispatched', async (form) => {
      await form.locator('select[name="level"]').selectOption('grid');
      const gridSel = form.locator('select[name="gridId"]');
      expect(await gridSel.inputValue()).toBe(String(grid.properties.id)); // the case's own grid first
      await gridSel.selectOption(String(other!.properties.id));
      await form.locator('textarea').fill('位于相邻网格责任区，改派');
    });
    await screenshotPage(d.page, 'dispatch-handover');
    await expect.poll(() => d.page.locator('#detail').innerText(), { timeout: 15_000 }).toContain(other!.properties.name.split(/[・·•]/).pop()!.trim());

    const out = await detail(kase.id);
    expect(out.incident).toMatchObject({ gridId: other!.properties.id, level: 'grid', status: 'dispatched' });
    expect(out.events.at(-1)).toMatchObject({ action: 'dispatch', detail: { grid: other!.properties.id } });
    // The old grid's phone drops it without a reload (a remove diff over the socket).
    await expect.poll(() => card.count(), { timeout: 20_000 }).toBe(0);
    for (const tp of [d, p]) {
      expect(tp.problems.pageErrors).toEqual([]);
      expect(tp.problems.serverErrors).toEqual([]);
    }
  }, 180_000);

  it('shows the server\'s reason when the person who resolved a case tries to verify it (巡办分离)', async ({ onTestFailed }) => {
    const d = await openDesk(onTestFailed, 'separation');
    const kase = await apiReport('greening', '绿化带破损（巡办分离）');
    for (const action of ['accept', 'start', 'resolve']) {
      const res = await staffApi.post(`api/incidents/${kase.id}/actions`, { action, ...(action === 'resolve' ? { note: '社区自行处置' } : {}) });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
    }
    await d.page.locator('#tabs [data-tab="check"]').click();
    const item = d.page.locator(`#case-list .gd-item[data-case-id="${kase.id}"]`);
    await item.waitFor({ timeout: 20_000 });
    await item.click();
    await d.page.locator(`#detail .gd-d[data-case-id="${kase.id}"][data-status="resolved"]`).waitFor();
    const verify = d.page.locator('#detail .gw-act-btn[data-action="verify"]');
    expect(await verify.getAttribute('data-locked')).toBe('true');
    await verify.click();
    await d.page.locator('#detail .gw-act-form[data-action="verify"] .gw-act-submit').click();
    const error = d.page.locator('#detail .gw-act-error');
    await error.waitFor();
    await expect.poll(() => error.innerText()).toContain('巡办分离');
    expect(await error.getAttribute('data-code')).toBe('forbidden');
    expect((await detail(kase.id)).incident.status).toBe('resolved');
    await screenshotPage(d.page, 'dispatch-separation');
    expect(d.problems.pageErrors).toEqual([]);
  }, 120_000);

  it('offers duplicates and merges the newer report into the older case', async ({ onTestFailed }) => {
    const d = await openDesk(onTestFailed, 'merge');
    const older = await apiReport('city_order', '占道经营（先报）');
    const newer = await apiReport('city_order', '占道经营（后报）', 1);
    await d.page.locator('#tabs [data-tab="new"]').click();
    const item = d.page.locator(`#case-list .gd-item[data-case-id="${newer.id}"]`);
    await item.waitFor({ timeout: 20_000 });
    await item.click();
    const dup = d.page.locator(`#detail .gd-dups li[data-case-id="${older.id}"]`);
    await dup.waitFor({ timeout: 20_000 });
    const merge = dup.locator('.gd-merge');
    expect(await merge.getAttribute('data-merge-from')).toBe(String(newer.id));
    expect(await merge.getAttribute('data-merge-into')).toBe(String(older.id));
    d.page.once('dialog', (dialog) => void dialog.accept());
    await merge.click();
    await d.page.locator(`#detail .gd-d[data-case-id="${newer.id}"][data-status="duplicate"]`).waitFor({ timeout: 20_000 });
    const merged = (await detail(newer.id)).incident;
    expect(merged).toMatchObject({ status: 'duplicate', mergedInto: older.id });
    expect((await detail(older.id)).incident.reporters).toBe(2);
    expect(d.problems.pageErrors).toEqual([]);
  }, 120_000);

  it('reports (/reports): the figures against the 95% target, and the same as CSV', async ({ onTestFailed }) => {
    const d = await openDesk(onTestFailed, 'reports');
    await d.page.goto(new URL('reports?preset=all', server.url).toString(), { waitUntil: 'domcontentloaded' });
    await d.page.waitForFunction(() => document.body.dataset.ready === 'true', undefined, { timeout: 30_000 });
    const summary = (await staffApi.get<{ cases: { total: number }; gridSolved: { share: number | null; target: number } }>('api/reports/summary')).body;
    expect(summary.cases.total).toBeGreaterThanOrEqual(3); // the merged duplicate counts with its survivor
    await expect.poll(() => d.page.locator('#kpis .gr-kpi b').first().innerText()).toBe(String(summary.cases.total));
    expect(await d.page.locator('#card-grid .gr-target-meta').innerText()).toContain('95.0%');
    expect(await d.page.locator('#card-grid .gr-big').innerText()).toBe(summary.gridSolved.share == null ? '—' : `${(Math.round(summary.gridSolved.share * 1000) / 10).toFixed(1)}%`);
    expect(await d.page.locator('#card-cats .gr-bar').count()).toBeGreaterThan(0);
    expect(await d.page.locator('#card-hot .gr-quarter').count()).toBeGreaterThan(0);
    // Hot grids: the bars wrap and carry the full name as a tooltip; the table lists the full names.
    const hot = (await staffApi.get<{ hotspots: { grids: { gridName: string }[] }[] }>('api/reports/summary')).body.hotspots.flatMap((q) => q.grids.map((g) => g.gridName));
    expect((await d.page.locator('#hot-table td.name').allInnerTexts()).sort()).toEqual([...hot].sort());
    expect(hot).toContain(await d.page.locator('#card-hot .gr-bar-l span').first().getAttribute('title'));
    // 导出 CSV: the link downloads the server's CSV for the same filters.
    const href = await d.page.locator('#export').getAttribute('href');
    expect(href).toContain('format=csv');
    const csv = await d.page.evaluate(async (url) => {
      const r = await fetch(url!);
      return { type: r.headers.get('content-type'), text: await r.text() };
    }, href);
    expect(csv.type).toContain('text/csv');
    expect(csv.text).toMatch(/section,quarter,key,name,count,total,rate,meanHours,target/);
    expect(csv.text).toContain('grid_solved');
    await screenshotPage(d.page, 'reports-page');
    expect(d.problems.pageErrors).toEqual([]);
  }, 60_000);

  it.skipIf(!HAS_WALL)(`the wall (/wall) shows a new case live${HAS_WALL ? '' : ' — skipped: client/wall.html does not exist'}`, async ({ onTestFailed }) => {
    const tp = await openPage(browser, server);
    reportFailure(onTestFailed, server, tp, 'wall');
    try {
      await tp.page.goto(new URL('wall', server.url).toString(), { waitUntil: 'domcontentloaded' });
      // The cases are loaded and the socket is live (the 3D scene may take longer to finish drawing
      // in software WebGL; the live case list does not wait for it).
      const count = () => tp.page.evaluate(() => (window as unknown as { __gc?: { incidentCount?: number } }).__gc?.incidentCount ?? 0);
      await expect.poll(count, { timeout: 150_000, interval: 1_000 }).toBeGreaterThan(0);
      await tp.page.locator('.wall-live.live').waitFor({ timeout: 60_000 });
      const before = await count();
      const kase = await apiReport('safety_hazard', '大屏联动：外墙脱落隐患');
      await expect.poll(() => tp.page.evaluate((id) => {
        const gc = (window as unknown as { __gc?: { lastPulse?: { id: number } | null } }).__gc;
        return gc?.lastPulse?.id === id || !!document.querySelector(`[data-id="${id}"]`);
      }, kase.id), { timeout: 45_000 }).toBe(true);
      expect(await count()).toBe(before + 1);
      await screenshotPage(tp.page, 'dispatch-wall');
      expect(tp.problems.pageErrors).toEqual([]);
    } finally {
      await tp.close();
    }
  }, 240_000);
});

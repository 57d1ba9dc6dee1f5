// Governance in real Chromium against a real server with the demo district (issue 14):
// - 预警: a stream with an injected trend (parking cases in one community: a few a week before,
//   many in the last days; synthetic, through the admin's backfill) is found by a scan; the warning
//   reaches the dispatch desk live (warnings:diff), with its test and p-value, and is acknowledged
//   and assigned there (the server has both, audited).
// - 绩效考核: the performance page ranks communities with each score's breakdown; the admin edits
//   the weights on the page and the ranking follows; printed (print media), the page is the monthly
//   report without its controls.
import type { Browser } from 'playwright-core';
import { pointOnFeature } from '@turf/turf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  apiClient, createAccount, launchBrowser, loginInPage, openPage, reportFailure, screenshotPage, startServer, waitForReady,
  type ApiClient, type TestPage, type TestServer,
} from './harness.js';

interface GridFc { features: { geometry: GeoJSON.MultiPolygon; properties: { id: number; name: string; communityCode: string } }[] }

let server: TestServer;
let browser: Browser;
let admin: ApiClient;
let districtCode = '';
let tp: TestPage | undefined;
const grids: { id: number; name: string; community: string; lon: number; lat: number }[] = [];

const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();

beforeAll(async () => {
  [server, browser] = await Promise.all([startServer({ WARNING_SCAN_INTERVAL_SECONDS: '0' }), launchBrowser()]);
  admin = await apiClient(server);
  districtCode = (await admin.get<{ code: string }>('api/district')).body.code;
  const fc = (await admin.get<GridFc>('api/grids')).body;
  // One grid in each of two communities.
  const seen = new Set<string>();
  for (const f of fc.features) {
    if (seen.has(f.properties.communityCode)) continue;
    seen.add(f.properties.communityCode);
    const [lon, lat] = pointOnFeature({ type: 'Feature', geometry: f.geometry, properties: {} }).geometry.coordinates as [number, number];
    grids.push({ id: f.properties.id, name: f.properties.name, community: f.properties.communityCode, lon, lat });
    if (grids.length === 2) break;
  }
  expect(grids).toHaveLength(2);
}, 300_000);

afterAll(async () => {
  await tp?.close().catch(() => undefined);
  await browser?.close();
  await server?.stop();
});

describe('预警 on the dispatch desk and 绩效考核', () => {
  it('an injected trend becomes a warning on the desk, live; it is acknowledged and assigned there', async ({ onTestFailed }) => {
    const now = Date.now();
    const [g] = grids;
    const spot = (k: number) => ({ lon: g!.lon + ((k % 5) - 2) * 0.00005, lat: g!.lat + (Math.floor(k / 5) - 1) * 0.00005 });
    // 1 parking case a week in the three weeks before, 12 in the last 5 days (synthetic).
    const stream = [
      ...[8, 15, 22].map((d, k) => ({ at: now - d * DAY - 3_600_000, k })),
      ...Array.from({ length: 12 }, (_, k) => ({ at: now - (0.2 + k * 0.4) * DAY, k: k + 3 })),
    ];
    const r = await admin.post<{ created: number }>('api/wall/backfill', {
      incidents: stream.map((s) => ({ clientKey: `gov-trend-${s.k}-${now}`, category: 'parking', source: 'patrol', description: '占道停车（合成数据）', ...spot(s.k), at: iso(s.at), steps: [] })),
    });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body.created).toBe(15);

    const center = await createAccount(admin, { username: 'center.warn', role: 'district_center', divisionCode: districtCode, displayName: '指挥中心值班员' });
    const worker = await createAccount(admin, { username: 'worker.warn', role: 'grid_worker', gridId: g!.id, displayName: '预警网格员' });
    const centerApi = await apiClient(server, center.username, center.password);

    tp = await openPage(browser, server, { login: false });
    const page = tp.page;
    reportFailure(onTestFailed, server, tp, 'governance-warnings');
    await page.setViewportSize({ width: 1440, height: 900 });
    await loginInPage(tp, server, center, '/dispatch.html');
    await waitForReady(tp, 180_000);
    await page.waitForFunction(() => (window as unknown as { __gc: { live?: boolean } }).__gc.live === true, null, { timeout: 30_000 });
    expect(await page.locator('#warnings-count').innerText()).toBe('0');

    // A scan elsewhere (the periodic one, or another desk): the warning arrives over the socket.
    const scan = await centerApi.post<{ added: number }>('api/warnings/scan', {});
    expect(scan.status).toBe(200);
    expect(scan.body.added).toBeGreaterThanOrEqual(1);
    const item = page.locator(`#warnings-list li[data-kind="rising"]`).filter({ hasText: '停车管理' });
    await page.locator('#warnings-toggle').click();
    await item.first().waitFor({ timeout: 15_000 });
    expect(await item.count()).toBe(1);
    const text = await item.innerText();
    expect(text).toContain('近7天 12 件');
    expect(text).toContain('binomial');
    expect(text).toMatch(/p = /);
    expect(text).toContain('合成数据');
    const id = Number(await item.getAttribute('data-id'));

    await item.locator('[data-act="acknowledge"]').click();
    await page.locator(`#warnings-list li[data-id="${id}"][data-status="acknowledged"]`).waitFor({ timeout: 10_000 });
    await page.locator(`#warnings-list li[data-id="${id}"] select[data-act="assignee"]`).selectOption(String(worker.id));
    await page.locator(`#warnings-list li[data-id="${id}"] [data-act="assign"]`).click();
    await page.locator(`#warnings-list li[data-id="${id}"] [data-assignee="${worker.id}"]`).waitFor({ timeout: 10_000 });
    expect(await page.locator(`#warnings-list li[data-id="${id}"]`).innerText()).toContain('指派：预警网格员');

    const w = (await centerApi.get<{ status: string; assignedTo: { id: number } | null; acknowledgedBy: string }>(`api/warnings/${id}`)).body;
    expect([w.status, w.assignedTo?.id, w.acknowledgedBy]).toEqual(['acknowledged', worker.id, '指挥中心值班员']);
    expect([...tp.problems.pageErrors, ...tp.problems.serverErrors]).toEqual([]);
    await tp.close();
    tp = undefined;
  });

  it('the performance page ranks with a breakdown, and edited weights change the ranking', async ({ onTestFailed }) => {
    const now = Date.now();
    // Community 1 solves at grid level but late; community 2 sends cases up and the community solves them in time.
    const late = grids[0]!;
    const upward = grids[1]!;
    const mk = (g: typeof late, k: number, steps: { action: string; at: number; by?: string; note?: string }[], at: number) => ({
      clientKey: `gov-perf-${g.id}-${k}-${now}`, category: 'sanitation', source: 'patrol', description: '垃圾堆放（合成数据）',
      lon: g.lon, lat: g.lat, at: iso(at), steps: steps.map((s) => ({ ...s, at: iso(s.at) })),
    });
    const t0 = now - 3 * DAY;
    // Scores count cases reported in a Beijing month: open the month the cases were reported in (early
    // in a month, three days ago is last month).
    const month = new Date(t0 + 8 * 3_600_000).toISOString().slice(0, 7);
    const cases = [
      ...[0, 1, 2].map((k) => mk(late, k, [{ action: 'accept', at: t0 + 3_600_000 }, { action: 'start', at: t0 + 2 * 3_600_000 },
        { action: 'resolve', at: t0 + 2 * DAY }], t0 + k * 60_000)),
      ...[0, 1, 2].map((k) => mk(upward, k, [{ action: 'escalate', at: t0 + 3_600_000, note: '需社区协调' },
        { action: 'start', at: t0 + 3 * 3_600_000, by: 'community_staff' },
        { action: 'resolve', at: t0 + 5 * 3_600_000, by: 'community_staff' }], t0 + k * 60_000)),
    ];
    const r = await admin.post<{ created: number; stepErrors: number }>('api/wall/backfill', { incidents: cases });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body.stepErrors).toBe(0);

    tp = await openPage(browser, server, { login: false });
    const page = tp.page;
    reportFailure(onTestFailed, server, tp, 'governance-performance');
    await page.setViewportSize({ width: 1440, height: 900 });
    await loginInPage(tp, server, { username: 'admin', password: server.adminPassword }, `/performance.html?level=community&month=${month}`);
    await waitForReady(tp, 120_000);
    expect(await page.locator('header [data-nav="performance"]').count()).toBe(1);
    const ranked = async () => page.locator('#ranking tbody tr').evaluateAll((trs) => trs
      .filter((tr) => (tr as HTMLElement).dataset.rank).map((tr) => (tr as HTMLElement).dataset.key));
    const keys = [late.community, upward.community];
    expect((await ranked()).filter((k) => keys.includes(k!)).sort()).toEqual([...keys].sort());

    // The breakdown of a unit: its points add up to its score.
    await page.locator(`#ranking tbody tr[data-key="${late.community}"]`).click();
    await page.locator('#breakdown-table').waitFor();
    const points = await page.locator('#breakdown-table tbody td.points').allInnerTexts();
    const score = Number(await page.locator('#breakdown-score').innerText());
    expect(points).toHaveLength(6);
    expect(Math.abs(points.reduce((s, p) => s + Number(p), 0) - score)).toBeLessThan(0.1);
    // 支部活动 comes from the Party ledger (the demo seeds activities): the row shows the server's
    // count against the target for this community, or says there is no ledger data.
    const api = await admin.get<{ units: { key: string; breakdown: { metric: string; value: number | null; numerator: number; denominator: number; noData?: string }[] }[] }>(
      `api/performance?level=community&month=${new URL(page.url()).searchParams.get('month')}`);
    const branchItem = api.body.units.find((u) => u.key === late.community)!.breakdown.find((b) => b.metric === 'branchActivity')!;
    const branchRow = await page.locator('#breakdown-table tr[data-metric="branchActivity"]').innerText();
    expect(branchRow).toContain(branchItem.value == null ? branchItem.noData! : `${branchItem.numerator} / ${branchItem.denominator}`);

    const setWeights = async (only: string) => {
      for (const m of ['solveInGrid', 'onTime', 'satisfaction', 'verification', 'hotlineRepeat', 'branchActivity']) {
        await page.locator(`#weights input[data-metric="${m}"]`).fill(m === only ? '1' : '0');
      }
      const reloaded = page.waitForResponse((res) => res.url().includes('/api/performance?') && res.request().method() === 'GET');
      await page.locator('#weights-save').click();
      await reloaded;
      await page.waitForFunction(() => document.body.dataset.loading === 'false');
    };
    const order = async () => (await ranked()).filter((k) => keys.includes(k!));
    await setWeights('solveInGrid');
    expect(await order()).toEqual([late.community, upward.community]);
    await setWeights('onTime');
    expect(await order()).toEqual([upward.community, late.community]);
    expect((await admin.get<{ weights: Record<string, number> }>('api/performance/weights')).body.weights.onTime).toBe(1);
    // The CSV of the same view.
    const csv = await admin.get<string>(`api/performance?level=community&month=${month}&format=csv`);
    expect(csv.status).toBe(200);
    expect(String(csv.body)).toContain(late.community);

    // 打印月报: printed, the page is the monthly report (title with month and level, the period and
    // weights as text, the ranking) without the top bar, pickers, buttons or the weights form.
    await page.emulateMedia({ media: 'print' });
    const title = page.locator('#title');
    expect(await title.isVisible()).toBe(true);
    expect(await title.innerText()).toBe(`${month.slice(0, 4)} 年 ${month.slice(5)} 月 社区绩效考核`);
    expect(await page.locator('#ranking').isVisible()).toBe(true);
    expect(await page.locator('#ranking thead').innerText()).toContain('按期办结率');
    for (const k of keys) expect(await page.locator(`#ranking tbody tr[data-key="${k}"]`).isVisible()).toBe(true);
    const printed = await page.locator('#print-weights').innerText();
    expect(printed).toContain(`统计期 ${month}-01 至 ${month}-`);
    expect(printed).toContain('按期办结率 100.0%');
    for (const sel of ['#app-header', '#month', '#level', '#export', '#print', '#weights', '#weights-save', '#weights input[data-metric="onTime"]']) {
      expect([sel, await page.locator(sel).isVisible()]).toEqual([sel, false]);
    }
    expect(await page.locator('button:visible, input:visible, select:visible, a.gp-btn:visible').count()).toBe(0);
    // Black on white paper.
    expect(await page.evaluate(() => [getComputedStyle(document.body).backgroundColor, getComputedStyle(document.getElementById('title')!).color]))
      .toEqual(['rgb(255, 255, 255)', 'rgb(0, 0, 0)']);
    await screenshotPage(page, 'performance-print');
    // Back on screen, the controls are there again and the printed-only line is not.
    await page.emulateMedia({ media: 'screen' });
    expect(await page.locator('#weights-save').isVisible()).toBe(true);
    expect(await page.locator('#print-weights').isVisible()).toBe(false);
    expect([...tp.problems.pageErrors, ...tp.problems.serverErrors]).toEqual([]);
  });
});

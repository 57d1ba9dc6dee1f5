// 重点人群 (/residents) in real Chromium against a real server with the demo district: district
// command-centre staff see the grids shaded by the count of special-care residents (synthetic) and
// a masked list; a planner, who may not see residents' data, is not offered the page and, opening
// it anyway, makes no request for it.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  apiClient, createAccount, describeStats, launchBrowser, loginInPage, openPage, reportFailure, screenshotPage, startServer,
  waitForNonBlank, waitForReady, type ApiClient, type TestPage, type TestServer,
} from './harness.js';

const MAP_CANVAS = '#map canvas.maplibregl-canvas';
interface Hooks { residents: { grids: number; listed: number; total: number; group: string; maxCount: number } }

let server: TestServer;
let browser: Browser;
let admin: ApiClient;
let districtCode = '';
let tp: TestPage | undefined;

beforeAll(async () => {
  [server, browser] = await Promise.all([startServer(), launchBrowser()]);
  admin = await apiClient(server);
  districtCode = (await admin.get<{ code: string }>('api/district')).body.code;
}, 300_000);

afterAll(async () => {
  await tp?.close().catch(() => undefined);
  await browser?.close();
  await server?.stop();
});

describe('重点人群 /residents', () => {
  it('command-centre staff see counts per grid on the map and a masked list', async ({ onTestFailed }) => {
    const center = await createAccount(admin, { username: 'center.res', role: 'district_center', divisionCode: districtCode });
    const centerApi = await apiClient(server, center.username, center.password);
    const by = (await centerApi.get<{ grids: { total: number; groups: Record<string, number> }[] }>('api/residents/by-grid')).body;
    const total = by.grids.reduce((n, g) => n + g.total, 0);
    expect(total).toBeGreaterThan(0);
    tp = await openPage(browser, server, { login: false });
    const page = tp.page;
    reportFailure(onTestFailed, server, tp, 'residents');
    await page.setViewportSize({ width: 1440, height: 900 });
    await loginInPage(tp, server, center, '/residents');
    await waitForReady(tp, 180_000);
    expect(await page.locator('header [data-nav="residents"]').count()).toBe(1);
    const h = await page.evaluate(() => (window as unknown as { __gc: Hooks }).__gc.residents);
    expect(h.grids).toBe(by.grids.length);
    expect(h.total).toBe(total);
    expect(h.maxCount).toBeGreaterThan(0);
    expect(await page.locator('#kpi-total').innerText()).toBe(total.toLocaleString('zh-CN'));
    expect(await page.locator('body').innerText()).toContain('合成数据');
    const rows = page.locator('#list tbody tr');
    expect(await rows.count()).toBe(Math.min(500, total));
    for (const i of [0, 1, 2]) {
      expect(await rows.nth(i).locator('td.name').innerText()).toMatch(/^.\*+$/);
      expect(await rows.nth(i).locator('td.phone').innerText()).toMatch(/^\d{3}\*{4}\d{4}$/);
    }
    // one group: the list and the total follow
    await page.locator('#group').selectOption('dibao');
    const dibao = by.grids.reduce((n, g) => n + (g.groups.dibao ?? 0), 0);
    await expect.poll(() => page.evaluate(() => (window as unknown as { __gc: Hooks }).__gc.residents.total)).toBe(dibao);
    await expect.poll(() => page.locator('#list tbody tr').count()).toBe(Math.min(500, dibao));
    expect(await page.locator('#list tbody tr td:nth-child(3)').allInnerTexts()).toEqual(Array(Math.min(500, dibao)).fill('低保'));
    const stats = await waitForNonBlank(page, MAP_CANVAS, 'residents-map', 60_000);
    console.log(`[residents] ${by.grids.length} grids, ${total} residents (${dibao} 低保); canvas ${describeStats(stats)}`);
    expect(stats.contentShare, describeStats(stats)).toBeGreaterThan(0.05);
    expect(stats.distinctColors).toBeGreaterThanOrEqual(16);
    await screenshotPage(page, 'residents');
    expect(tp.problems.serverErrors).toEqual([]);
    expect(tp.problems.pageErrors).toEqual([]);
  });

  it('a planner gets no menu entry and no failed request', async ({ onTestFailed }) => {
    const planner = await createAccount(admin, { username: 'planner.res', role: 'planner', divisionCode: districtCode });
    await tp?.close();
    tp = await openPage(browser, server, { login: false });
    const page = tp.page;
    reportFailure(onTestFailed, server, tp, 'residents-planner');
    const asked: string[] = [];
    const failed: string[] = [];
    page.on('request', (r) => { if (new URL(r.url()).pathname.startsWith('/api/residents')) asked.push(r.url()); });
    page.on('response', (r) => { if (r.status() >= 400 && new URL(r.url()).pathname.startsWith('/api/')) failed.push(`${r.status()} ${r.url()}`); });
    await loginInPage(tp, server, planner, '/');
    await page.waitForFunction(() => { const u = document.querySelector('header .gc-user'); return !!u && !u.hasAttribute('hidden'); }, undefined, { timeout: 60_000 });
    expect(await page.locator('header [data-nav="residents"]').count()).toBe(0);
    expect(await page.locator('#link-residents').isHidden()).toBe(true);
    await page.goto(new URL('/residents', server.url).toString(), { waitUntil: 'domcontentloaded' });
    await expect.poll(() => page.locator('body').innerText(), { timeout: 30_000 }).toContain('无权查看重点人群');
    expect(asked).toEqual([]);
    expect(failed.filter((f) => !f.includes('/api/auth/'))).toEqual([]);
  });
});

// 热线受理 on 中屏干 (/dispatch), in real Chromium against a real server with the demo district: a
// 12345 operator registers a call with the caller's details and an address. A real OSM address is
// placed by the district gazetteer and dispatched at once (caller masked in the case); a call whose
// address cannot be placed goes to the district desk (未定位), never lost.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  apiClient,
  createAccount,
  launchBrowser,
  loginInPage,
  openPage,
  reportFailure,
  screenshotPage,
  startServer,
  waitForReady,
  type ApiClient,
  type TestAccount,
  type TestPage,
  type TestServer,
} from './harness.js';

interface Case {
  id: number; source: string; category: string; gridId: number | null; gridName: string | null; unlocated: boolean;
  address: string | null; lon: number | null; lat: number | null; level: string; caller?: { name?: string | null; phone?: string | null } | null;
}
interface Detail { incident: Case; events: { action: string; detail: Record<string, unknown> }[] }

let server: TestServer;
let browser: Browser;
let admin: ApiClient;
let operator: TestAccount;
let tp: TestPage | undefined;

beforeAll(async () => {
  [server, browser] = await Promise.all([startServer(), launchBrowser()]);
  admin = await apiClient(server);
  const d = (await admin.get<{ code: string }>('api/district')).body;
  operator = await createAccount(admin, { username: 'rx.e2e', displayName: '李接线', role: 'district_center', divisionCode: d.code });
}, 300_000);

afterAll(async () => {
  await tp?.close().catch(() => undefined);
  await browser?.close();
  await server?.stop();
});

/** The operator's own cases: newest first, as the API lists them. */
async function newestCase(): Promise<Case> {
  const list = (await admin.get<{ incidents: Case[] }>('api/incidents?limit=5')).body.incidents;
  return list.reduce((a, b) => (b.id > a.id ? b : a));
}

describe('热线受理 on /dispatch', () => {
  it('an address the gazetteer knows is dispatched at once; one it cannot place goes to 未定位', async ({ onTestFailed }) => {
    tp = await openPage(browser, server, { login: false });
    const page = tp.page;
    reportFailure(onTestFailed, server, tp, 'hotline');
    await page.setViewportSize({ width: 1440, height: 900 });
    await loginInPage(tp, server, operator, '/dispatch');
    await waitForReady(tp, 120_000);

    // 1. A call about 中山东一路20号 (a real address in the OSM data of the demo).
    const open = page.locator('#hotline-open');
    await open.waitFor({ state: 'visible', timeout: 30_000 });
    await open.click();
    const form = page.locator('#detail [data-hotline]');
    await form.waitFor({ timeout: 10_000 });
    await form.locator('[data-hl-name]').fill('李先生');
    await form.locator('[data-hl-phone]').fill('13700001234');
    await form.locator('[data-hl-category]').selectOption('sanitation');
    await form.locator('[data-hl-description]').fill('来电反映楼前垃圾桶满溢（E2E）');
    await form.locator('[data-hl-address]').fill('上海市黄浦区中山东一路20号');
    await form.locator('[data-locate-find]').click();
    const first = form.locator('[data-locate-found] .gd-locate-cand').first();
    await first.waitFor({ timeout: 20_000 });
    expect(await first.getAttribute('data-certain')).toBe('true');
    expect(await first.innerText()).toContain('中山东一路20号');
    await screenshotPage(page, 'hotline-form');
    await form.locator('[data-hl-submit]').click();

    // The toast says where it went; the case panel opens on the new case, the caller masked.
    const toast = page.locator('#gd-toast');
    await expect.poll(() => toast.innerText(), { timeout: 20_000 }).toContain('已受理');
    const c = await newestCase();
    expect(c).toMatchObject({ source: 'hotline_12345', category: 'sanitation', unlocated: false, address: '上海市黄浦区中山东一路20号' });
    expect(c.gridId).not.toBeNull();
    await page.locator(`#detail .gd-d[data-case-id="${c.id}"]`).waitFor({ timeout: 20_000 });
    const panel = await page.locator('#detail').innerText();
    expect(panel).toContain('137****1234');
    expect(panel).not.toContain('13700001234');
    const d = (await admin.get<Detail>(`api/incidents/${c.id}`)).body;
    expect(d.events[0]!.detail.geocoded).toMatchObject({ precision: 'address', matched: '中山东一路20号' });

    // 2. A call the gazetteer cannot place: kept, at the district desk (the 未定位 tab here).
    await open.click();
    await form.waitFor({ timeout: 10_000 });
    await form.locator('[data-hl-source]').selectOption('hotline_8890');
    await form.locator('[data-hl-phone]').fill('13800005678');
    await form.locator('[data-hl-description]').fill('来电反映噪音扰民（E2E）');
    await form.locator('[data-hl-address]').fill('老城厢某弄堂深处');
    await form.locator('[data-hl-submit]').click();
    await expect.poll(() => toast.innerText(), { timeout: 20_000 }).toContain('未定位');
    const u = await newestCase();
    expect(u).toMatchObject({ source: 'hotline_8890', unlocated: true, address: '老城厢某弄堂深处', lon: null });
    await page.locator('#tabs [data-tab="unlocated"]').click();
    await page.locator(`#case-list .gd-item[data-case-id="${u.id}"]`).waitFor({ timeout: 20_000 });

    expect(tp.problems.pageErrors).toEqual([]);
    expect(tp.problems.serverErrors).toEqual([]);
  }, 240_000);
});

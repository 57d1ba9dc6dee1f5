// The staff screens of the public side on /admin.html (issue 14), in real Chromium with the demo:
// - 积分规则: the admin edits a reporter-points rule on the page (a bad value is refused on the page
//   and nothing changes; the saved rule is what the API reads, and the change is audited).
// - 服务台 and 一年一事: community staff (offered 服务台 in the top bar) add a candidate project, issue a
//   verification code for a phone (it verifies on the public API, and the desk's list says so) and a
//   one-time voting link (the resident votes with it once; the list shows it used).
// - The account scope editor loads grids one community at a time: no request for a city's grids.
// - 预警阈值: the admin edits the trend-warning thresholds; a value the server refuses is shown with
//   its error code and the stored thresholds stay.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  apiClient, createAccount, launchBrowser, loginInPage, openPage, reportFailure, screenshotPage, startServer,
  type ApiClient, type TestPage, type TestServer,
} from './harness.js';

let server: TestServer;
let browser: Browser;
let admin: ApiClient;
let community = '';
const pages: TestPage[] = [];

beforeAll(async () => {
  [server, browser] = await Promise.all([startServer({ WARNING_SCAN_INTERVAL_SECONDS: '0' }), launchBrowser()]);
  admin = await apiClient(server);
  const communities = (await admin.get<{ features: { properties: { code: string } }[] }>('api/divisions.geojson?level=community')).body.features;
  community = communities[0]!.properties.code;
}, 300_000);

afterAll(async () => {
  for (const p of pages) await p.close().catch(() => undefined);
  await browser?.close();
  await server?.stop();
});

describe('/admin.html: 积分规则, 服务台, 一年一事', () => {
  it('the admin edits a point rule on the page; the scope editor never loads all grids', async ({ onTestFailed }) => {
    const tp = await openPage(browser, server);
    pages.push(tp);
    reportFailure(onTestFailed, server, tp, 'admin-points');
    const { page } = tp;
    const gridRequests: string[] = [];
    page.on('request', (r) => { if (new URL(r.url()).pathname === '/api/grids') gridRequests.push(r.url()); });
    await page.goto(new URL('admin.html#points', server.url).toString(), { waitUntil: 'domcontentloaded' });
    const per = page.locator('#points-form input[data-rule="perValidReport"]');
    await expect.poll(() => per.inputValue(), { timeout: 30_000 }).toBe('10');

    // A bad value: refused on the page, nothing sent, nothing changed.
    await per.fill('-5');
    await page.locator('#points-save').click();
    await expect.poll(() => page.locator('#points-error').innerText()).toContain('每件有效随手拍');
    expect((await admin.get<{ perValidReport: number }>('api/public/points/rules')).body.perValidReport).toBe(10);

    await per.fill('15');
    await page.locator('#points-form input[data-rule="dailyCap"]').fill('60');
    const saved = page.waitForResponse((r) => r.url().endsWith('/api/public/points/rules') && r.request().method() === 'PUT');
    await page.locator('#points-save').click();
    expect((await saved).status()).toBe(200);
    await expect.poll(() => page.locator('#points-updated').innerText()).toContain('最近修改');
    expect((await admin.get<Record<string, number>>('api/public/points/rules')).body).toMatchObject({ perValidReport: 15, photoBonus: 2, dailyCap: 60 });
    const rows = (await admin.get<{ resource: string; detail: { after: Record<string, number> } }[]>('api/audit?limit=20')).body;
    expect(rows.find((a) => a.resource === 'points_rule')?.detail.after).toEqual({ perValidReport: 15, photoBonus: 2, dailyCap: 60 });

    // The account scope editor: a grid worker's grid is chosen community first, then its grids.
    await page.goto(new URL('admin.html#accounts', server.url).toString(), { waitUntil: 'domcontentloaded' });
    await page.locator('table.accounts tr[data-username="admin"]').waitFor({ timeout: 30_000 });
    await page.click('#new-account');
    const dlg = page.locator('#account-dialog');
    await dlg.locator('select[name="role"]').selectOption('grid_worker');
    await dlg.locator('select[name="grid-community"]').selectOption(community);
    const ofCommunity = (await admin.get<{ features: { properties: { id: number } }[] }>(`api/grids?division=${community}`)).body.features;
    await dlg.locator('select[name="jurisdiction"] option[value^="g:"]').first().waitFor({ state: 'attached', timeout: 15_000 });
    // Exactly the chosen community's grids are offered (the first community's, loaded when the
    // role changed, went when the community did).
    const offered = await dlg.locator('select[name="jurisdiction"] option[value^="g:"]').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
    expect(offered.sort()).toEqual(ofCommunity.map((f) => `g:${f.properties.id}`).sort());
    expect(gridRequests.length).toBeGreaterThan(0);
    expect(gridRequests.filter((u) => !new URL(u).searchParams.get('division') && !new URL(u).searchParams.get('bbox')), 'unbounded /api/grids requests').toEqual([]);
    expect([...tp.problems.pageErrors, ...tp.problems.serverErrors]).toEqual([]);
  }, 240_000);

  it('the admin edits the warning thresholds (预警阈值); a value the server refuses shows its code and changes nothing', async ({ onTestFailed }) => {
    type Stored = { thresholds: Record<string, Record<string, number | boolean>> };
    const stored = async () => (await admin.get<Stored>('api/warnings/thresholds')).body.thresholds;
    const before = await stored();
    const tp = await openPage(browser, server);
    pages.push(tp);
    reportFailure(onTestFailed, server, tp, 'admin-thresholds');
    const { page } = tp;
    await page.goto(new URL('admin.html#thresholds', server.url).toString(), { waitUntil: 'domcontentloaded' });
    const field = (kind: string, key: string) => page.locator(`#thresholds-${kind} [data-field="${key}"]`);
    const save = async (kind: string) => {
      const put = page.waitForResponse((r) => r.url().endsWith(`/api/warnings/thresholds/${kind}`) && r.request().method() === 'PUT');
      await page.locator(`#thresholds-${kind} [data-act="save"]`).click();
      return (await put).status();
    };
    // Each kind with its zh-CN name, explanation and units; the stored values (a share in percentage points).
    await expect.poll(() => field('cluster', 'radiusM').inputValue(), { timeout: 30_000 }).toBe(String(before.cluster!.radiusM));
    expect(await page.locator('#thresholds-rising h3').innerText()).toBe('类别上升');
    expect(await page.locator('#thresholds-cluster').innerText()).toContain('米');
    expect(await page.locator('#thresholds-on_time_drop').innerText()).toContain('个百分点');
    expect(await field('on_time_drop', 'minDrop').inputValue()).toBe(String(Number(before.on_time_drop!.minDrop) * 100));
    expect(await field('rising', 'enabled').isChecked()).toBe(true);

    // Edited and saved: the API reads the new values (the share back in 0–1), and the change is audited.
    await field('cluster', 'radiusM').fill('80');
    await field('cluster', 'sameCategory').uncheck();
    expect(await save('cluster')).toBe(200);
    await field('on_time_drop', 'minDrop').fill('20');
    expect(await save('on_time_drop')).toBe(200);
    const after = await stored();
    expect(after.cluster).toEqual({ ...before.cluster, radiusM: 80, sameCategory: false });
    expect(after.on_time_drop).toEqual({ ...before.on_time_drop, minDrop: 0.2 });
    const audits = (await admin.get<{ resource: string; resource_id: string | null; detail: { after: Record<string, unknown> } }[]>('api/audit?limit=20')).body;
    expect(audits.find((a) => a.resource === 'warning_threshold' && a.resource_id === 'cluster')?.detail.after).toMatchObject({ radiusM: 80, sameCategory: false });

    // A value outside the schema: the server refuses it; the page shows its code and the field's
    // rule, the stored thresholds are unchanged, and 还原 shows the stored value again.
    await field('rising', 'alpha').fill('0.5');
    expect(await save('rising')).toBe(400);
    const err = page.locator('#thresholds-error-rising');
    await expect.poll(() => err.innerText()).toContain('invalid_request');
    expect(await err.innerText()).toContain('显著性水平 α 应为 0 至 0.2（不含 0）');
    expect(await page.locator('#thresholds-rising').getAttribute('data-refused')).toBe('invalid_request');
    expect((await stored()).rising).toEqual(before.rising);
    await page.locator('#thresholds-rising [data-act="revert"]').click();
    expect(await field('rising', 'alpha').inputValue()).toBe(String(before.rising!.alpha));
    expect(await err.isHidden()).toBe(true);
    await screenshotPage(page, 'admin-thresholds');
    expect([...tp.problems.pageErrors, ...tp.problems.serverErrors]).toEqual([]);
  }, 240_000);

  it('community staff add a candidate project, issue a code and a one-time voting link at the desk', async ({ onTestFailed }) => {
    const staff = await createAccount(admin, { username: 'desk.staff', role: 'community_staff', divisionCode: community, displayName: '社区服务台' });
    const tp = await openPage(browser, server, { login: false });
    pages.push(tp);
    reportFailure(onTestFailed, server, tp, 'admin-desk');
    const { page } = tp;
    await page.setViewportSize({ width: 1440, height: 900 });
    await loginInPage(tp, server, staff, '/');
    // The top bar offers the desk to community staff.
    await page.locator('header [data-nav="desk"]').click();
    await page.waitForURL((u) => u.pathname === '/admin.html' && u.hash === '#desk', { timeout: 30_000 });
    expect(await page.locator('[data-tab="accounts"]').count()).toBe(0);
    // Warning thresholds are the admin's (governance_rule): not offered to desk staff.
    expect(await page.locator('[data-tab="thresholds"]').count()).toBe(0);

    // 一年一事: a candidate project for this year.
    await page.locator('[data-tab="projects"]').click();
    await page.locator('#projects-community').selectOption(community);
    await page.locator('#projects-form input[name="title"]').fill('老旧小区加装电梯（测试）');
    await page.locator('#projects-add').click();
    const project = page.locator('#projects-list tr[data-project-id]').filter({ hasText: '老旧小区加装电梯（测试）' });
    await project.waitFor({ timeout: 15_000 });
    const projectId = Number(await project.getAttribute('data-project-id'));

    // 服务台: a code for a phone, read out; the public page's verification accepts it.
    await page.locator('[data-tab="desk"]').click();
    await page.locator('#desk-code-form input[name="phone"]').fill('12345');
    await page.locator('#desk-code-issue').click();
    await expect.poll(() => page.locator('#desk-code-error').innerText()).toContain('手机号');
    await page.locator('#desk-code-form input[name="phone"]').fill('138 0000 0021');
    await page.locator('#desk-code-form select[name="purpose"]').selectOption('vote');
    await page.locator('#desk-code-issue').click();
    await page.locator('#desk-code-result:not([hidden])').waitFor({ timeout: 15_000 });
    const code = await page.locator('#desk-code-result').getAttribute('data-code');
    expect(code).toMatch(/^\d{6}$/);
    const row = page.locator('#desk-codes tr[data-code-id]').first();
    await expect.poll(() => row.innerText(), { timeout: 10_000 }).toContain('138****0021');
    expect(await row.getAttribute('data-state')).toBe('live');
    expect(await page.locator('#desk-codes').innerText()).not.toContain(code!);
    const verify = await fetch(new URL('api/public/verify', server.url), {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ phone: '13800000021', purpose: 'vote', code }),
    });
    expect(verify.status).toBe(200);

    // A one-time voting link for the community: shown once, listed unused, used after one vote.
    await page.locator('#desk-link-community').selectOption(community);
    await page.locator('#desk-link-issue').click();
    const url = await page.locator('#desk-link-url').inputValue({ timeout: 15_000 });
    expect(url).toMatch(new RegExp(`/public/${community}#vote=[A-Za-z0-9_-]{20,}$`));
    const linkRow = page.locator('#desk-links tr[data-link-id]').first();
    await expect.poll(() => linkRow.getAttribute('data-state'), { timeout: 10_000 }).toBe('unused');
    const token = url.split('#vote=')[1]!;
    const vote = () => fetch(new URL(`api/public/communities/${community}/votes`, server.url), {
      method: 'POST', headers: { 'content-type': 'application/json', 'x-vote-link': token }, body: JSON.stringify({ projectId }),
    });
    expect((await vote()).status).toBe(201);
    expect((await vote()).status).toBe(409);
    await page.reload({ waitUntil: 'domcontentloaded' });
    await expect.poll(() => page.locator('#desk-links tr[data-link-id]').first().getAttribute('data-state'), { timeout: 20_000 }).toBe('used');
    await expect.poll(() => page.locator('#desk-codes tr[data-code-id]').first().getAttribute('data-state'), { timeout: 10_000 }).toBe('used');
    // The project's vote shows on the 一年一事 tab.
    await page.locator('[data-tab="projects"]').click();
    await page.locator('#projects-community').selectOption(community);
    await expect.poll(() => page.locator(`#projects-list tr[data-project-id="${projectId}"]`).innerText(), { timeout: 10_000 }).toMatch(/\t1\t/);
    expect([...tp.problems.pageErrors, ...tp.problems.serverErrors]).toEqual([]);
  }, 240_000);
});

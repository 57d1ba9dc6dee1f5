// The staff screens of the public side on /admin.html (issue 14), in real Chromium with the demo:
// - 积分规则: the admin edits a reporter-points rule on the page (a bad value is refused on the page
//   and nothing changes; the saved rule is what the API reads, and the change is audited).
// - 服务台 and 一年一事: community staff (offered 服务台 in the top bar) add a candidate project, issue a
//   verification code for a phone (it verifies on the public API, and the desk's list says so) and a
//   one-time voting link (the resident votes with it once; the list shows it used).
// - The account scope editor loads grids one community at a time: no request for a city's grids.
// - 预警阈值: the admin edits the trend-warning thresholds; a value the server refuses is shown with
//   its error code and the stored thresholds stay.
// - 随手拍核查 and 积分: community staff mark a resident's report invalid (with a reason) and it then
//   earns nothing; the admin's award for a merged duplicate whose group earned is refused in zh-CN,
//   and a resident's points adjusted with a reason are on the ledger with that reason.
import type { Browser } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  apiClient, createAccount, interiorPoint, launchBrowser, loginInPage, openPage, reportFailure, screenshotPage, startServer, tokenClient,
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

  it('staff mark a resident report invalid and it earns nothing; the admin adjusts a resident\'s points with a reason', async ({ onTestFailed }) => {
    type Grid = { type: 'Feature'; geometry: import('geojson').Polygon | import('geojson').MultiPolygon; properties: { id: number } };
    const grid = (await admin.get<{ features: Grid[] }>(`api/grids?division=${community}`)).body.features[0]!;
    const at = await interiorPoint(grid);
    const checker = await createAccount(admin, { username: 'report.checker', role: 'community_staff', divisionCode: community, displayName: '社区核查员' });
    const checkerApi = await apiClient(server, checker.username, checker.password);
    const worker = await tokenClient(server, admin, { role: 'grid_worker', gridId: grid.properties.id });

    // Two residents report (a code from the desk, a photo, the report), as the public page would.
    const post = (path: string, body: BodyInit, headers: Record<string, string> = {}) =>
      fetch(new URL(path, server.url), { method: 'POST', headers, body }).then(async (r) => ({ status: r.status, body: await r.json() as Record<string, unknown> }));
    const file = async (phone: string, k: number) => {
      const code = (await checkerApi.post<{ code: string }>('api/public/desk/codes', { phone, purpose: 'report' })).body.code;
      const v = await post('api/public/verify', JSON.stringify({ phone, purpose: 'report', code }), { 'content-type': 'application/json' });
      expect(v.status).toBe(200);
      const ticket = { 'x-resident-ticket': String(v.body.ticket) };
      const form = new FormData();
      const jpeg = await sharp({ create: { width: 64, height: 48, channels: 3, background: { r: 40 * k, g: 90, b: 140 } } }).jpeg().toBuffer();
      form.append('photo', new Blob([new Uint8Array(jpeg)], { type: 'image/jpeg' }), 'p.jpg');
      const photo = await post('api/public/photos', form, ticket);
      expect(photo.status, JSON.stringify(photo.body)).toBe(201);
      const r = await post('api/public/reports', JSON.stringify({
        phone, category: 'sanitation', description: `楼道堆放杂物（测试 ${k}）`, lon: at[0], lat: at[1], photos: [photo.body.id], clientKey: `admin-desk-${k}-${Date.now()}`,
      }), { ...ticket, 'content-type': 'application/json' });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      return Number(r.body.caseId);
    };
    const bad = await file('13800000031', 1);
    const good = await file('13800000032', 2);
    // A third resident reports the same thing: merged into the second, the group earns once.
    const dup = await file('13800000033', 3);
    const merged = await worker.post(`api/incidents/${dup}/merge`, { into: good });
    expect(merged.status, JSON.stringify(merged.body)).toBe(200);
    const listed = async () => (await admin.get<{ reports: { caseId: number; residentId: number; rejectedAt: string | null; points: number }[] }>('api/public/reports')).body.reports;

    // 随手拍核查 (community staff): 判定无效 needs a reason; then the row says 无效举报.
    const tp = await openPage(browser, server, { login: false });
    pages.push(tp);
    reportFailure(onTestFailed, server, tp, 'admin-reports');
    const { page } = tp;
    await page.setViewportSize({ width: 1440, height: 900 });
    await loginInPage(tp, server, checker, '/admin.html#reports');
    const badRow = page.locator(`#reports-list tr[data-case-id="${bad}"]`);
    await badRow.waitFor({ timeout: 30_000 });
    expect(await badRow.getAttribute('data-state')).toBe('valid');
    expect(await badRow.innerText()).toContain('居民138****0031');
    await badRow.locator('[data-action="invalid"]').click();
    const confirm = page.locator(`#reports-list tr[data-invalid-form="${bad}"] [data-act="confirm-invalid"]`);
    await confirm.click();
    await expect.poll(() => page.locator('#reports-error').innerText()).toContain('原因');
    expect((await listed()).find((r) => r.caseId === bad)!.rejectedAt).toBeNull();
    await page.locator(`#reports-list tr[data-invalid-form="${bad}"] input[name="note"]`).fill('现场核实无此问题（测试）');
    const marked = page.waitForResponse((r) => r.url().endsWith(`/api/public/reports/${bad}/invalid`));
    await confirm.click();
    expect((await marked).status()).toBe(200);
    await expect.poll(() => page.locator(`#reports-list tr[data-case-id="${bad}"]`).getAttribute('data-state')).toBe('invalid');
    expect(await page.locator(`#reports-list tr[data-case-id="${bad}"]`).innerText()).toMatch(/无效举报[\s\S]*现场核实无此问题/);
    expect(await page.locator(`#reports-list tr[data-case-id="${bad}"] [data-action="invalid"]`).count()).toBe(0);
    await screenshotPage(page, 'admin-reports');
    expect([...tp.problems.pageErrors, ...tp.problems.serverErrors]).toEqual([]);

    // The admin's 积分规则: the invalid report offers no award, nor do cases not verified yet.
    const ap = await openPage(browser, server);
    pages.push(ap);
    reportFailure(onTestFailed, server, ap, 'admin-points-adjust');
    const apage = ap.page;
    await apage.setViewportSize({ width: 1440, height: 900 });
    await apage.goto(new URL('admin.html#points', server.url).toString(), { waitUntil: 'domcontentloaded' });
    const goodRow = apage.locator(`#points-reports-list tr[data-case-id="${good}"]`);
    await goodRow.waitFor({ timeout: 30_000 });
    expect(await apage.locator(`#points-reports-list tr[data-case-id="${bad}"]`).getAttribute('data-state')).toBe('invalid');
    expect(await apage.locator(`#points-reports-list tr[data-case-id="${bad}"] [data-action]`).evaluateAll((bs) => bs.map((b) => (b as HTMLElement).dataset.action)))
      .toEqual(['adjust']);
    expect(await goodRow.locator('[data-action="award"]').count()).toBe(0);

    // Both cases are resolved and verified: the valid one earns (automatically), the invalid one nothing.
    for (const id of [bad, good]) {
      for (const [who, action] of [[worker, 'accept'], [worker, 'start'], [worker, 'resolve'], [checkerApi, 'verify']] as const) {
        const r = await who.post(`api/incidents/${id}/actions`, { action, note: action === 'resolve' ? '已清理' : undefined });
        expect([id, action, r.status]).toEqual([id, action, 200]);
      }
    }
    type Entry = { residentId: number; delta: number; reason: string; note: string; incidentId: number | null };
    const ledger = async () => (await admin.get<{ entries: Entry[] }>('api/public/points/ledger?limit=200')).body.entries;
    await expect.poll(async () => (await ledger()).filter((e) => e.incidentId === good && e.reason === 'valid_report').length, { timeout: 20_000 }).toBe(1);
    expect((await ledger()).filter((e) => e.incidentId === bad)).toEqual([]);
    const refused = await admin.post<{ error: { code: string } }>('api/public/points/award', { incidentId: bad });
    expect([refused.status, refused.body.error.code]).toEqual([422, 'not_awardable']);
    const rows = await listed();
    expect(rows.find((r) => r.caseId === bad)).toMatchObject({ points: 0, rejectedAt: expect.any(String) });
    const earned = rows.find((r) => r.caseId === good)!;
    expect(earned.points).toBeGreaterThan(0);

    expect(rows.find((r) => r.caseId === dup)).toMatchObject({ points: 0, rejectedAt: null });

    // The merged report's case is verified (through its group) but earned nothing: the admin may ask
    // for its award, and the refusal says why in zh-CN with the server's code.
    await apage.reload({ waitUntil: 'domcontentloaded' });
    await expect.poll(() => apage.locator(`#points-reports-list tr[data-case-id="${good}"]`).getAttribute('data-points'), { timeout: 30_000 }).toBe(String(earned.points));
    expect(await apage.locator(`#points-reports-list tr[data-case-id="${dup}"]`).innerText()).toContain(`已合并至 #${good}`);
    await apage.locator(`#points-reports-list tr[data-case-id="${dup}"] [data-action="award"]`).click();
    await expect.poll(() => apage.locator('#points-reports-error').innerText()).toContain('已计过积分');
    expect(await apage.locator('#points-reports-error').innerText()).toContain('already_awarded');
    expect((await ledger()).filter((e) => e.reason === 'valid_report' && e.incidentId === good)).toHaveLength(1);

    // 调整积分 from the report's row: the reason is required; saved, it is on the ledger with it.
    await apage.locator(`#points-reports-list tr[data-case-id="${good}"] [data-action="adjust"]`).click();
    expect(await apage.locator('#points-adjust-form input[name="residentId"]').inputValue()).toBe(String(earned.residentId));
    expect(await apage.locator('#points-adjust-who').innerText()).toContain('138****0032');
    expect(await apage.locator('#points-adjust-form select[name="communityCode"]').inputValue()).toBe(community);
    let adjusts = 0;
    apage.on('request', (r) => { if (r.url().endsWith('/api/public/points/adjust')) adjusts++; });
    await apage.locator('#points-adjust-form input[name="delta"]').fill('5');
    await apage.locator('#points-adjust-save').click();
    await expect.poll(() => apage.locator('#points-adjust-error').innerText()).toContain('请填写调整原因');
    expect(adjusts).toBe(0);
    const reason = '参加社区志愿服务奖励（测试）';
    await apage.locator('#points-adjust-form input[name="note"]').fill(reason);
    const adjusted = apage.waitForResponse((r) => r.url().endsWith('/api/public/points/adjust'));
    await apage.locator('#points-adjust-save').click();
    expect((await adjusted).status()).toBe(201);
    const ledgerRow = apage.locator('#points-ledger tr[data-reason="adjustment"]').filter({ hasText: reason });
    await ledgerRow.waitFor({ timeout: 15_000 });
    expect(await ledgerRow.innerText()).toMatch(/138\*{4}0032[\s\S]*\+5[\s\S]*人工调整[\s\S]*参加社区志愿服务奖励/);
    expect((await ledger()).filter((e) => e.reason === 'adjustment')).toEqual([
      expect.objectContaining({ residentId: earned.residentId, delta: 5, note: reason, incidentId: null }),
    ]);
    await screenshotPage(apage, 'admin-points-adjust');
    expect([...ap.problems.pageErrors, ...ap.problems.serverErrors]).toEqual([]);
  }, 300_000);
});

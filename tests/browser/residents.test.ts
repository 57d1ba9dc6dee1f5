// 人房企数据池 (/residents, issue 14) in real Chromium against a real server with the demo district,
// walked as its users:
// - a community data officer opens the page: one community's grids only (never every grid of the
//   jurisdiction, issue 13), uploads a CSV whose preview lists a row error (row, column, code),
//   imports nothing until it is fixed, imports the fixed file, sees the tag's count per grid on a
//   non-blank map go up, and opens one person in full — which the audit log records; an .xlsx
//   whose sheet is damaged is named unreadable (malformed_file, in zh-CN) and imports nothing;
// - that community's grid worker on the phone page sees the 走访 list and records a visit;
// - a planner, who may not see residents' data, is not offered the page and makes no request.
import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  apiClient, createAccount, describeStats, launchBrowser, loginInPage, openPage, reportFailure, screenshotPage, startServer,
  usePhone, waitForNonBlank, waitForReady, type ApiClient, type TestAccount, type TestPage, type TestServer,
} from './harness.js';

const MAP_CANVAS = '#map canvas.maplibregl-canvas';
interface Hooks { residents: { grids: number; listed: number; total: number; tag: string; maxCount: number; community: string; gridsRequested: number; fullViews: number; imported: number } }
interface Division { code: string; level: string; gridCount: number; children: Division[] }
interface GridProps { id: number; code: string; name: string }

let server: TestServer;
let browser: Browser;
let admin: ApiClient;
let community = '';
let districtCode = '';
let gridsInCommunity: GridProps[] = [];
let districtGrids = 0;
let tp: TestPage | undefined;
let officer: TestAccount;

const hooks = (page: TestPage['page']) => page.evaluate(() => (window as unknown as { __gc: Hooks }).__gc.residents);

beforeAll(async () => {
  [server, browser] = await Promise.all([startServer(), launchBrowser()]);
  admin = await apiClient(server);
  const tree = (await admin.get<{ tree: Division }>('api/divisions')).body.tree;
  districtCode = tree.code;
  const communities: Division[] = [];
  const walk = (d: Division) => { if (d.level === 'community') communities.push(d); d.children.forEach(walk); };
  walk(tree);
  districtGrids = communities.reduce((n, c) => n + c.gridCount, 0);
  community = communities.find((c) => c.gridCount >= 2)!.code;
  gridsInCommunity = (await admin.get<{ features: { properties: GridProps }[] }>(`api/grids?division=${community}`)).body.features.map((f) => f.properties);
}, 300_000);

afterAll(async () => {
  await tp?.close().catch(() => undefined);
  await browser?.close();
  await server?.stop();
});

describe('人房企数据池 /residents', () => {
  it('a community data officer imports a CSV (a row error first), sees the counts per tag on the map, and a full view is audited', async ({ onTestFailed }) => {
    officer = await createAccount(admin, { username: 'officer.res', role: 'community_staff', divisionCode: community });
    tp = await openPage(browser, server, { login: false });
    const page = tp.page;
    reportFailure(onTestFailed, server, tp, 'residents');
    const gridRequests: string[] = [];
    page.on('request', (r) => { const u = new URL(r.url()); if (u.pathname === '/api/grids' || u.pathname === '/api/residents/by-grid') gridRequests.push(u.pathname + u.search); });
    await page.setViewportSize({ width: 1440, height: 900 });
    await loginInPage(tp, server, officer, '/residents');
    await waitForReady(tp, 180_000);
    expect(await page.locator('header [data-nav="residents"]').count()).toBe(1);

    // bounded: one community's grids, asked for by division (issue 13)
    let h = await hooks(page);
    expect(h.community).toBe(community);
    expect(h.gridsRequested).toBe(gridsInCommunity.length);
    expect(h.gridsRequested).toBeLessThan(districtGrids);
    expect(gridRequests.length).toBeGreaterThan(0);
    for (const u of gridRequests) expect(u, u).toMatch(/[?&](division|bbox)=/);
    expect(await page.locator('body').innerText()).toContain('合成数据');
    for (const i of [0, 1, 2]) {
      expect(await page.locator('#list tbody tr').nth(i).locator('td.name').innerText()).toMatch(/^.\*+$/);
      expect(await page.locator('#list tbody tr').nth(i).locator('td.phone').innerText()).toMatch(/^\d{3}\*{4}\d{4}$/);
    }

    // the tag 独居 before the import
    await page.locator('#tag').selectOption('living_alone');
    await expect.poll(async () => (await hooks(page)).tag).toBe('living_alone');
    const before = (await hooks(page)).total;

    // a CSV with a row error: the preview names row 3, the 标签 column and the code; 导入 stays off
    const [g1, g2] = gridsInCommunity;
    const header = '姓名,电话,网格,标签';
    const badCsv = [header, `测试甲,13700000001,${g1!.code},独居、空巢老人`, `测试乙,13700000002,${g2!.name},独居、火星人`, `测试丙,,${g2!.code},独居`].join('\n');
    await page.locator('#import-kind').selectOption('person');
    await page.locator('#import-file').setInputFiles({ name: '人员.csv', mimeType: 'text/csv', buffer: Buffer.from(badCsv, 'utf8') });
    await page.locator('#import-preview-btn').click();
    await expect.poll(() => page.locator('#import').getAttribute('data-preview-ok'), { timeout: 30_000 }).toBe('false');
    const errRows = page.locator('#import-errors tbody tr');
    expect(await errRows.count()).toBe(1);
    expect(await errRows.first().getAttribute('data-row')).toBe('3');
    expect(await errRows.first().getAttribute('data-code')).toBe('unknown_tag');
    expect(await errRows.first().innerText()).toContain('未知标签');
    expect(await page.locator('#import-commit').isDisabled()).toBe(true);
    expect(await page.locator('#import-status').innerText()).toContain('不会导入任何一行');

    // an .xlsx whose sheet XML is damaged: the page says the file cannot be read (malformed_file), 导入 stays off, nothing is imported
    const peopleInCommunity = async () => (await admin.get<{ grids: { total: number }[] }>(`api/residents/by-grid?division=${community}`)).body.grids
      .reduce((n, g) => n + g.total, 0);
    const peopleBefore = await peopleInCommunity();
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet('人员').addRows([['姓名', '电话', '网格', '标签'], ['测试丁', '13700000004', g1!.code, '独居']]);
    const zip = await JSZip.loadAsync(Buffer.from(await wb.xlsx.writeBuffer()));
    const sheet = await zip.file('xl/worksheets/sheet1.xml')!.async('string');
    zip.file('xl/worksheets/sheet1.xml', sheet.slice(0, Math.floor(sheet.length / 2)));
    await page.locator('#import-file').setInputFiles({
      name: '人员.xlsx', mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', buffer: Buffer.from(await zip.generateAsync({ type: 'nodebuffer' })),
    });
    await page.locator('#import-preview-btn').click();
    await expect.poll(() => page.locator('#import').getAttribute('data-preview-error'), { timeout: 30_000 }).toBe('malformed_file');
    expect(await page.locator('#import').getAttribute('data-preview-ok')).toBe('false');
    expect(await page.locator('#import-status').innerText()).toBe('未能预览：文件无法读取（文件已损坏，或不是 Excel 工作簿）。请上传 UTF-8 或 GBK 编码的 CSV，或 Excel（.xlsx）文件');
    expect(await page.locator('#import-commit').isDisabled()).toBe(true);
    expect(await page.locator('#import-sample').count()).toBe(0);
    expect(await peopleInCommunity()).toBe(peopleBefore);
    expect((await hooks(page)).total).toBe(before);

    // fixed: previewed clean, imported, the map's counts follow
    const goodCsv = badCsv.replace('火星人', '低保');
    await page.locator('#import-file').setInputFiles({ name: '人员.csv', mimeType: 'text/csv', buffer: Buffer.from(goodCsv, 'utf8') });
    await page.locator('#import-preview-btn').click();
    await expect.poll(() => page.locator('#import').getAttribute('data-preview-ok'), { timeout: 30_000 }).toBe('true');
    expect(await page.locator('#import-sample tbody tr').count()).toBe(3);
    await page.locator('#import-commit').click();
    await expect.poll(() => page.locator('#import').getAttribute('data-imported'), { timeout: 30_000 }).toBe('3');
    await expect.poll(async () => (await hooks(page)).total, { timeout: 30_000 }).toBe(before + 3);
    h = await hooks(page);
    expect(h.tag).toBe('living_alone');
    expect(h.maxCount).toBeGreaterThan(0);
    expect(await page.locator('#kpi-total').innerText()).toBe((before + 3).toLocaleString('zh-CN'));
    const stats = await waitForNonBlank(page, MAP_CANVAS, 'residents-map', 60_000);
    console.log(`[residents] community ${community}: ${h.gridsRequested} of ${districtGrids} grids loaded; 独居 ${before} → ${h.total}; canvas ${describeStats(stats)}`);
    expect(stats.contentShare, describeStats(stats)).toBeGreaterThan(0.05);
    expect(stats.distinctColors).toBeGreaterThanOrEqual(16);

    // the imported people are in the list (masked); one opened in full, and the audit log has it
    await page.locator('#tag').selectOption('');
    await expect.poll(async () => (await hooks(page)).tag).toBe('');
    const row = page.locator('#list tbody tr').first();
    const id = Number(await row.getAttribute('data-id'));
    await row.locator('button.full').click();
    await expect.poll(() => page.locator('#detail-phone').innerText().catch(() => ''), { timeout: 15_000 }).toMatch(/^\d{11}$/);
    expect(await page.locator('#detail').innerText()).toContain('审计');
    const log = (await admin.get<{ actor: string; action: string; resource: string; resource_id: string; outcome: string }[]>('api/audit?limit=50')).body;
    expect(log.find((e) => e.action === 'read_full' && e.resource === 'resident' && e.resource_id === String(id))).toMatchObject({ actor: officer.username, outcome: 'ok' });
    expect(log.find((e) => e.action === 'import' && e.resource === 'resident' && e.outcome === 'ok')).toMatchObject({ actor: officer.username });

    // the officer adds a tag to that person on the page; the server has it, and the 退役军人 count follows
    const veteransBefore = (await admin.get<{ grids: { tags: Record<string, number> }[] }>(`api/residents/by-grid?division=${community}`)).body.grids
      .reduce((n, g) => n + (g.tags.veteran ?? 0), 0);
    const hadVeteran = await page.locator('#detail input[data-tag="veteran"]').isChecked();
    await page.locator('#detail input[data-tag="veteran"]').setChecked(!hadVeteran);
    await page.locator('#detail-save-tags').click();
    await expect.poll(() => page.locator('#detail-tags-status').innerText(), { timeout: 15_000 }).toBe('已保存');
    const person = (await admin.get<{ tags: string[] }>(`api/residents/${id}`)).body;
    expect(person.tags.includes('veteran')).toBe(!hadVeteran);
    const veteransAfter = (await admin.get<{ grids: { tags: Record<string, number> }[] }>(`api/residents/by-grid?division=${community}`)).body.grids
      .reduce((n, g) => n + (g.tags.veteran ?? 0), 0);
    expect(veteransAfter).toBe(veteransBefore + (hadVeteran ? -1 : 1));

    // a house tag lists houses (房号, masked owner)
    await page.locator('#tag').selectOption('rental');
    await expect.poll(async () => (await hooks(page)).tag).toBe('rental');
    expect(await page.locator('#list thead').innerText()).toContain('房号');
    const rentals = (await hooks(page)).total;
    expect(await page.locator('#list tbody tr').count()).toBe(Math.min(500, rentals));
    await screenshotPage(page, 'residents');
    expect(tp.problems.serverErrors).toEqual([]);
    expect(tp.problems.pageErrors).toEqual([]);
  });

  it('the grid worker records a visit from the phone page\'s 走访 list', async ({ onTestFailed }) => {
    const g = gridsInCommunity[0]!;
    const worker = await createAccount(admin, { username: 'worker.res', role: 'grid_worker', gridId: g.id });
    await tp?.close();
    tp = await openPage(browser, server, { login: false });
    const page = tp.page;
    reportFailure(onTestFailed, server, tp, 'residents-visits');
    await usePhone(tp, server, [0, 0]);
    await loginInPage(tp, server, worker, '/mobile');
    await waitForReady(tp, 120_000);
    await page.locator('.gm-tabs [data-tab="visits"]').click();
    await expect.poll(() => page.evaluate(() => document.body.dataset.visitsTotal ?? ''), { timeout: 30_000 }).toMatch(/^\d+$/);
    const total = Number(await page.evaluate(() => document.body.dataset.visitsTotal));
    expect(total).toBeGreaterThan(0); // the new 空巢老人/独居 from the import and the synthetic ones, never visited
    const first = page.locator('#visits li.gv-person').first();
    const person = await first.getAttribute('data-person-id');
    expect(await first.innerText()).toContain('从未走访');
    expect(await first.locator('.gm-case-cat').innerText()).toMatch(/^.\*+$/);
    await first.locator('.gv-note').fill('身体健康');
    await first.locator('.gv-done').click();
    await expect.poll(() => page.evaluate(() => document.body.dataset.visitsTotal), { timeout: 30_000 }).toBe(String(total - 1));
    expect(await page.evaluate(() => document.body.dataset.visits!.split(','))).not.toContain(person);
    await screenshotPage(page, 'residents-visits');
    expect(tp.problems.serverErrors).toEqual([]);
    expect(tp.problems.pageErrors).toEqual([]);
  });

  it('the admin edits the tag list on the page: a new tag is offered at once; a tag in use is not deleted', async ({ onTestFailed }) => {
    await tp?.close();
    tp = await openPage(browser, server); // logged in as admin
    const page = tp.page;
    reportFailure(onTestFailed, server, tp, 'residents-tags');
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.goto(new URL('/residents', server.url).toString(), { waitUntil: 'domcontentloaded' });
    await waitForReady(tp, 120_000);
    expect(await page.locator('#import').count()).toBe(0); // admins read, they do not import
    await page.locator('#tag-code').fill('pregnant');
    await page.locator('#tag-name').fill('孕产妇');
    await page.locator('#tag-add').click();
    await expect.poll(() => page.locator('#tag option[value="pregnant"]').count(), { timeout: 15_000 }).toBe(1);
    await expect.poll(() => page.locator('#tag-table tr[data-code="pregnant"]').count(), { timeout: 15_000 }).toBe(1);
    await page.locator('#tag-table tr[data-code="dibao"] button', { hasText: '删除' }).click();
    await expect.poll(() => page.locator('#tag-status').innerText(), { timeout: 15_000 }).toContain('仍有记录在用');
    expect(await page.locator('#tag option[value="dibao"]').count()).toBe(1);
    const tags = (await admin.get<{ tags: { code: string; name: string }[] }>('api/residents/tags')).body.tags;
    expect(tags.find((t) => t.code === 'pregnant')?.name).toBe('孕产妇');
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
    await expect.poll(() => page.locator('body').innerText(), { timeout: 30_000 }).toContain('无权查看');
    expect(asked).toEqual([]);
    expect(failed.filter((f) => !f.includes('/api/auth/'))).toEqual([]);
  });
});

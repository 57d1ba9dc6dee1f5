// 随手拍 and the community page in real Chromium against a real server with the demo district
// (SMS_MODE=dev: no SMS gateway, the code is shown on the page as a development code). A resident
// with no account reports with a code, a photo and a map pin; the case is in the one intake; staff
// resolve and verify it; the resident rates it through the private link. The community's public
// page shows the month's figures and counts a vote once.
import type { GridCollection } from '../../core/types.js';
import type { Browser } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  apiClient, interiorPoint, launchBrowser, openPage, reportFailure, screenshotPage, startServer, tokenClient,
  type ApiClient, type TestPage, type TestServer,
} from './harness.js';

let server: TestServer;
let browser: Browser;
let admin: ApiClient;
let tp: TestPage | undefined;

beforeAll(async () => {
  [server, browser] = await Promise.all([startServer({ SMS_MODE: 'dev' }), launchBrowser()]);
  admin = await apiClient(server);
}, 300_000);

afterAll(async () => {
  await tp?.close().catch(() => undefined);
  await browser?.close();
  await server?.stop();
});

describe('随手拍 /report and the public community page', () => {
  it('a resident reports with code, photo and pin; staff resolve and verify; the resident rates through the link; the public page counts a vote once', async ({ onTestFailed }) => {
    const grids = (await admin.get<GridCollection>('api/grids')).body;
    const grid = grids.features.find((g) => g.properties.households > 0) ?? grids.features[0]!;
    const at = await interiorPoint(grid);
    const community = grid.properties.communityCode;
    const worker = await tokenClient(server, admin, { role: 'grid_worker', gridId: grid.properties.id });
    const staff = await tokenClient(server, admin, { role: 'community_staff', divisionCode: community });

    tp = await openPage(browser, server, { login: false });
    const page = tp.page;
    reportFailure(onTestFailed, server, tp, 'report');
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(new URL('report', server.url).toString());
    await page.waitForSelector('body[data-ready="phone"]');

    // Phone and code (the development code is shown because SMS_MODE=dev).
    await page.fill('#phone', '139 1234 5678');
    await page.click('#send-code');
    const code = await page.locator('#dev-code').innerText({ timeout: 10_000 });
    expect(code).toMatch(/^\d{6}$/);
    await page.fill('#code', code === '000000' ? '000001' : '000000');
    await page.click('#verify');
    await expect.poll(() => page.locator('#phone-msg').innerText()).toContain('验证码不正确');
    await page.fill('#code', code);
    await page.click('#verify');
    await page.waitForSelector('body[data-ready="true"]', { timeout: 120_000 });
    expect(await page.locator('#verified-as').innerText()).toContain('139****5678');

    // Photo, pin, description, category.
    const jpeg = await sharp({ create: { width: 320, height: 240, channels: 3, background: { r: 180, g: 90, b: 40 } } }).jpeg().toBuffer();
    await page.setInputFiles('#photo', { name: 'street.jpg', mimeType: 'image/jpeg', buffer: jpeg });
    await page.selectOption('#category', 'sanitation');
    await page.fill('#description', '小区门口垃圾堆放多日无人清理');
    await page.click('#submit');
    await expect.poll(() => page.locator('#report-msg').innerText()).toContain('位置');
    await page.locator('#map').scrollIntoViewIfNeeded();
    const [x, y] = await page.evaluate(([lon, lat]) => (window as unknown as { __gcReport: { project(a: number, b: number): [number, number] } })
      .__gcReport.project(lon!, lat!), at);
    const box = (await page.locator('#map').boundingBox())!;
    expect(x).toBeGreaterThan(0);
    expect(x).toBeLessThan(box.width);
    expect(y).toBeGreaterThan(0);
    expect(y).toBeLessThan(box.height);
    await page.mouse.click(box.x + x, box.y + y);
    expect(await page.locator('#pin-text').innerText()).toContain('已标注');
    await page.click('#submit');
    await page.waitForSelector('body[data-filed]', { timeout: 30_000 });
    const caseId = Number(await page.evaluate(() => document.body.dataset.filed));
    const trackHref = await page.locator('#track-link').getAttribute('href');
    expect(trackHref).toMatch(/^\/report#case=[A-Za-z0-9_-]{40,}$/);
    await screenshotPage(page, 'report-filed');

    // The case is in the one intake: source 随手拍, in the pinned grid, with the photo and the masked caller.
    const detail = (await admin.get<{ incident: { source: string; gridId: number; status: string }; photos: unknown[]; events: { actorLabel?: string }[] }>(
      `api/incidents/${caseId}`)).body;
    expect(detail.incident).toMatchObject({ source: 'photo', gridId: grid.properties.id, status: 'reported' });
    expect(detail.photos).toHaveLength(1);
    const contact = await staff.get<{ phone: string }>(`api/incidents/${caseId}/contact`);
    expect(contact.body.phone).toBe('139****5678');

    // Staff resolve (grid worker) and verify (community staff).
    for (const [who, action] of [[worker, 'accept'], [worker, 'start'], [worker, 'resolve'], [staff, 'verify']] as const) {
      const r = await who.post(`api/incidents/${caseId}/actions`, { action, note: action === 'resolve' ? '已清运' : undefined });
      expect([action, r.status]).toEqual([action, 200]);
    }

    // The resident follows the link and rates, once.
    await page.goto(new URL(trackHref!, server.url).toString());
    await page.waitForSelector('body[data-case-status="verified"]', { timeout: 30_000 });
    expect(await page.locator('#t-steps li').count()).toBeGreaterThanOrEqual(5);
    await expect.poll(async () => (await page.goto(new URL(trackHref!, server.url).toString()), page.locator('#t-points').innerText()),
      { timeout: 20_000 }).toMatch(/获得积分 \d+ 分/);
    await page.waitForSelector('#rate-box:not([hidden])');
    await page.click('#rate-box button[data-rating="satisfied"]');
    await expect.poll(() => page.locator('#t-rated').innerText()).toContain('满意');
    expect(await page.locator('#rate-box').isHidden()).toBe(true);
    const rated = (await admin.get<{ incident: { rating: string }; events: { action: string }[] }>(`api/incidents/${caseId}`)).body;
    expect(rated.incident.rating).toBe('satisfied');
    expect(rated.events.at(-1)!.action).toBe('resident_rating');
    const token = trackHref!.split('case=')[1]!;
    const again = await fetch(new URL('api/public/case/rating', server.url), {
      method: 'POST', headers: { 'content-type': 'application/json', 'x-track-token': token }, body: JSON.stringify({ rating: 'dissatisfied' }),
    });
    expect([again.status, ((await again.json()) as { error: { code: string } }).error.code]).toEqual([409, 'already_rated']);

    // The community's public page: this month's figures as the API has them, and a vote counted once.
    for (const title of ['加装电梯', '口袋公园']) {
      expect((await staff.post('api/public/projects', { communityCode: community, title, description: '演示候选项目（合成）' })).status).toBe(201);
    }
    const summary = (await (await fetch(new URL(`api/public/communities/${community}/summary`, server.url))).json()) as { received: number; solved: number };
    expect(summary.solved).toBeGreaterThanOrEqual(1);
    await page.goto(new URL(`public/${community}`, server.url).toString());
    await page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
    expect(await page.locator('#k-received').innerText()).toBe(String(summary.received));
    expect(await page.locator('#k-solved').innerText()).toBe(String(summary.solved));
    expect(await page.locator('#by-category tr[data-category="sanitation"]').count()).toBe(1);
    expect(await page.locator('#board li').first().innerText()).toMatch(/^居民139\*{4}5678 \d+ 分$/);
    expect(await page.locator('body').innerText()).not.toContain('13912345678');
    await page.fill('#v-phone', '13712345678');
    await page.click('#v-send');
    const vcode = await page.locator('#v-dev-code').innerText({ timeout: 10_000 });
    await page.fill('#v-code', vcode);
    await page.click('#v-verify');
    await page.waitForSelector('button.vote-btn');
    await page.locator('button.vote-btn').first().click();
    await expect.poll(() => page.locator('#vote-total').innerText()).toBe('1');
    await page.locator('button.vote-btn').last().click();
    await expect.poll(() => page.locator('#vote-msg').innerText()).toContain('限投一次');
    const votes = (await (await fetch(new URL(`api/public/communities/${community}/votes`, server.url))).json()) as { total: number };
    expect(votes.total).toBe(1);

    // A resident without a mobile votes through a one-time link the desk issues: opened, it offers
    // the vote; used, it is spent (the page forgets it and the server refuses it again).
    const issued = await staff.post<{ url: string; token: string }>('api/public/desk/vote-links', { communityCode: community });
    expect(issued.status).toBe(201);
    const { url: linkUrl, token: linkToken } = issued.body;
    const linkPage = await tp.context.newPage();
    await linkPage.goto(new URL(linkUrl.replace(/^\//, ''), server.url).toString());
    await linkPage.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
    expect(await linkPage.locator('#vote-who').innerText()).toContain('一次性投票链接');
    await linkPage.locator('button.vote-btn').last().click();
    await expect.poll(() => linkPage.locator('#vote-total').innerText()).toBe('2');
    expect(await linkPage.locator('button.vote-btn').count()).toBe(0);
    const projects = ((await (await fetch(new URL(`api/public/communities/${community}/votes`, server.url))).json()) as { projects: { projectId: number }[] }).projects;
    const reused = await fetch(new URL(`api/public/communities/${community}/votes`, server.url), {
      method: 'POST', headers: { 'content-type': 'application/json', 'x-vote-link': linkToken }, body: JSON.stringify({ projectId: projects[0]!.projectId }),
    });
    expect([reused.status, ((await reused.json()) as { error: { code: string } }).error.code]).toEqual([409, 'already_voted']);
    await linkPage.close();
    await screenshotPage(page, 'public-page');
    expect(tp.problems.serverErrors).toEqual([]);
    expect(tp.problems.pageErrors).toEqual([]);
  }, 400_000);
});

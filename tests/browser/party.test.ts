// 支部台账 · 一格三员 (/party, issue 14) in real Chromium against a real server with the demo
// district, walked as a grid worker would: log in, open the ledger (their own grid's branch only, on a
// non-blank map), record a 志愿服务 with two attendees and a photo and see the 30-day and monthly
// counts go up; a record dated tomorrow is refused and changes nothing; a full number in the roster
// is shown and audited; then on /map the grid card lists the roster with masked numbers.
// Another grid's worker links a 党员中心户 to a building of the grid (picked on the map) with a number
// of households: a count above the building's households is refused with the server's zh-CN
// message and saves nothing; the link saved is listed and returned by the API; then it is ended.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Feature, MultiPolygon } from 'geojson';
import { addDays, beijingDate, type BranchDetail, type BranchSummary, type GridRoster } from '../../core/party-ledger.js';
import { testImage } from '../../server/testing/photos.js';
import {
  apiClient, createAccount, describeStats, interiorPoint, isBlank, launchBrowser, loginInPage, openPage, pagePoint, reportFailure, screenshotPage, startServer,
  waitForNonBlank, waitForReady, type ApiClient, type TestPage, type TestServer,
} from './harness.js';

const MAP_CANVAS = '#map canvas.maplibregl-canvas';
interface PartyHooks {
  community: string; branchId: number; branches: number; activities: number; recent: number; monthTotal: number; flagged: number; roster: number; recorded: number; fullViews: number;
  households: number; links: number; buildings: number; linked: number; unlinked: number;
}
interface GridBuildings { gridId: number; features: (Feature<MultiPolygon, { id: number; label: string; households: number; houses: number }>)[] }

let server: TestServer;
let browser: Browser;
let admin: ApiClient;
let branch: BranchSummary;
let tp: TestPage | undefined;

const hooks = (page: TestPage['page']) => page.evaluate(() => (window as unknown as { __gc: { party: PartyHooks } }).__gc.party);

beforeAll(async () => {
  [server, browser] = await Promise.all([startServer(), launchBrowser()]);
  admin = await apiClient(server);
  const branches = (await admin.get<{ branches: BranchSummary[] }>('api/party/branches')).body.branches;
  // A branch the demo left quiet for 30 days: the ledger flags it until the worker records something.
  branch = branches.find((b) => b.noActivity) ?? branches[0]!;
}, 300_000);

afterAll(async () => {
  await tp?.close().catch(() => undefined);
  await browser?.close();
  await server?.stop();
});

describe('支部台账 /party', () => {
  it('a grid worker records an activity, sees the counts change, opens a full number (audited) and sees the roster on the map card', async ({ onTestFailed }) => {
    const worker = await createAccount(admin, { username: 'worker.party', role: 'grid_worker', gridId: branch.gridId });
    tp = await openPage(browser, server, { login: false });
    const page = tp.page;
    reportFailure(onTestFailed, server, tp, 'party');
    await page.setViewportSize({ width: 1440, height: 900 });
    await loginInPage(tp, server, worker, '/party');
    await waitForReady(tp, 180_000);
    expect(await page.locator('header [data-nav="party"]').count()).toBe(1);
    const stats = await waitForNonBlank(page, MAP_CANVAS, 'party-map', 30_000);
    expect(isBlank(stats), describeStats(stats)).toBe(false);

    // Their own grid's branch only, with the demo's ledger.
    let h = await hooks(page);
    expect(h.branchId).toBe(branch.id);
    expect(h.branches).toBe(1);
    expect(await page.locator('#branch option').count()).toBe(1);
    expect(await page.locator('body').innerText()).toContain('合成数据');
    const before = { activities: h.activities, recent: h.recent, month: h.monthTotal };
    expect(before.recent).toBe(branch.recent);
    if (branch.noActivity) expect(await page.locator('#kpi-flag').innerText()).toContain('近30天无活动');
    const members = await page.locator('#act-attendees input[type=checkbox]').count();
    expect(members).toBeGreaterThanOrEqual(2);
    expect(await page.locator('#members .phone').first().innerText()).toMatch(/^\d{3}\*{4}\d{4}$/);

    // A record dated tomorrow: refused with the rule named, nothing saved.
    const today = beijingDate(Date.now());
    await page.locator('#act-kind').selectOption('volunteer');
    await page.locator('#act-date').fill(addDays(today, 1));
    await page.locator('#act-place').fill('滨江步道');
    await page.locator('#act-attendees input[type=checkbox]').nth(0).check();
    await page.locator('#act-attendees input[type=checkbox]').nth(1).check();
    await page.locator('#act-save').click();
    await expect.poll(() => page.locator('#act-error').innerText(), { timeout: 15_000 }).toContain('晚于今天');
    expect((await hooks(page)).activities).toBe(before.activities);

    // Dated today, with a photo: saved; the log, the 30-day count and this month's count go up.
    await page.locator('#act-date').fill(today);
    await page.locator('#act-note').fill('清理江边垃圾');
    await page.locator('#act-photos').setInputFiles({ name: 'volunteer.png', mimeType: 'image/png', buffer: await testImage('png', 7, 96) });
    await page.locator('#act-save').click();
    await expect.poll(async () => (await hooks(page)).recorded, { timeout: 20_000 }).toBe(1);
    h = await hooks(page);
    expect(h.activities).toBe(before.activities + 1);
    expect(h.recent).toBe(before.recent + 1);
    expect(h.monthTotal).toBe(before.month + 1);
    expect(await page.locator('#kpi-recent').innerText()).toBe(String(before.recent + 1));
    expect(await page.locator('#kpi-flag').count()).toBe(0);
    const first = page.locator('#activities li').first();
    expect(await first.innerText()).toContain(`${today} 志愿服务`);
    expect(await first.innerText()).toContain('参加 2 人');
    await expect.poll(() => first.locator('img').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth), { timeout: 15_000 }).toBeGreaterThan(0);
    expect(await page.locator(`#months .m[data-month="${today.slice(0, 7)}"]`).getAttribute('data-total')).toBe(String(before.month + 1));
    // The map's colour for the grid follows: no grid of the worker's is flagged any more.
    expect(h.flagged).toBe(0);

    // A new member: a bad number is refused on the server and shown; then saved and offered as an attendee.
    await page.locator('#mem-name').fill('林新党员');
    await page.locator('#mem-phone').fill('abc');
    await page.locator('#mem-add').click();
    await expect.poll(() => page.locator('#mem-error').innerText(), { timeout: 10_000 }).toContain('未保存');
    await page.locator('#mem-phone').fill('13712345678');
    await page.locator('#mem-add').click();
    await expect.poll(() => page.locator('#act-attendees input[type=checkbox]').count(), { timeout: 15_000 }).toBe(members + 1);
    expect(await page.locator('#members').innerText()).toContain('137****5678');

    // The roster: masked numbers; one opened in full, which the audit log records.
    const roster = (await admin.get<GridRoster>(`api/party/grids/${branch.gridId}/roster`)).body;
    const withPhone = roster.staff.find((s) => s.phone)!;
    const row = page.locator(`#roster tr[data-id="${withPhone.id}"]`);
    expect(await row.locator('.phone').innerText()).toMatch(/^\d{3}\*{4}\d{4}$/);
    await row.locator('button').click();
    await expect.poll(() => page.locator('#contact-phone').innerText().catch(() => ''), { timeout: 10_000 }).toMatch(/^1\d{10}$/);
    const audit = (await admin.get<{ actor: string; action: string; resource: string; resource_id?: string; resourceId?: string }[]>('api/audit?limit=200')).body;
    expect(audit.some((a) => a.action === 'read_full' && a.resource === 'grid_staff_contact' && String(a.resourceId ?? a.resource_id) === String(withPhone.id))).toBe(true);
    expect(audit.some((a) => a.action === 'create' && a.resource === 'party_activity')).toBe(true);

    // /map: the grid card lists the roster by duty with masked numbers.
    await page.goto(new URL('map.html', server.url).toString(), { waitUntil: 'domcontentloaded' });
    await waitForReady(tp, 180_000);
    const mapStats = await waitForNonBlank(page, MAP_CANVAS, 'party-map2d', 30_000);
    expect(isBlank(mapStats), describeStats(mapStats)).toBe(false);
    const grid = (await admin.get<{ features: import('geojson').Feature<import('geojson').Polygon>[] }>(`api/grids?division=${branch.communityCode}`)).body.features
      .find((f) => Number(f.properties?.id) === branch.gridId)!;
    const [lon, lat] = await interiorPoint(grid);
    const at = await pagePoint(page, MAP_CANVAS, lon, lat);
    await page.mouse.click(at.x, at.y);
    const panel = page.locator('#info-panel');
    await expect.poll(() => panel.getAttribute('data-grid-id'), { timeout: 15_000 }).toBe(String(branch.gridId));
    await expect.poll(() => panel.locator('[data-grid-summary]').getAttribute('data-grid-summary'), { timeout: 15_000 }).toBe('ready');
    const card = panel.locator('.gc-grid-staff');
    for (const s of roster.staff) {
      const dd = card.locator(`dd.staff-name[data-role="${s.duty}"]`).first();
      expect(await dd.innerText()).toContain(s.name);
      if (s.phone) expect(await dd.getAttribute('data-phone')).toMatch(/^\d{3}\*{4}\d{4}$/);
    }
    expect(await card.innerText()).toContain('社区民警');

    // The phone page: the 三员 tab lists the roster by duty; 拨打 fetches the full number (audited).
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(new URL('mobile.html', server.url).toString(), { waitUntil: 'domcontentloaded' });
    const rosterTab = page.locator('.gm-tabs [data-tab="roster"]');
    await rosterTab.waitFor({ timeout: 60_000 });
    await rosterTab.click();
    await expect.poll(() => page.locator('#roster li').count(), { timeout: 20_000 }).toBe(roster.staff.length + roster.missing.length);
    const police = roster.staff.find((s) => s.duty === 'police' && s.phone)!;
    const policeRow = page.locator(`#roster li[data-duty="police"]`).first();
    expect(await policeRow.innerText()).toContain(police.name);
    expect(await policeRow.innerText()).toContain(police.phone!);
    await policeRow.locator(`button[data-staff-id="${police.id}"]`).click();
    await expect.poll(() => policeRow.locator('a[data-full-phone]').getAttribute('data-full-phone').catch(() => null), { timeout: 10_000 }).toMatch(/^1\d{10}$/);

    // The wall: 支部活动(30天) in the Party panel; the worker's one grid now has an activity.
    await page.setViewportSize({ width: 1920, height: 1080 });
    await page.goto(new URL('wall', server.url).toString(), { waitUntil: 'domcontentloaded' });
    await page.waitForFunction(() => document.body.dataset.panels === 'true', undefined, { timeout: 300_000, polling: 200 });
    const wallBox = page.locator('#party-activity');
    await expect.poll(() => wallBox.locator('[data-figure="active"]').innerText().catch(() => ''), { timeout: 20_000 }).toBe('1');
    expect(await wallBox.innerText()).toContain('支部活动(30天)');
    expect(await wallBox.innerText()).toContain('/1 个网格有活动');
    expect(await wallBox.locator('[data-figure="flagged"]').count()).toBe(0);
    const audit2 = (await admin.get<{ action: string; resource: string; resource_id?: string; resourceId?: string }[]>('api/audit?limit=200')).body;
    expect(audit2.some((a) => a.action === 'read_full' && a.resource === 'grid_staff_contact' && String(a.resourceId ?? a.resource_id) === String(police.id))).toBe(true);
    expect(tp.problems.pageErrors).toEqual([]);
    expect(tp.problems.serverErrors).toEqual([]);
  }, 600_000);

  it('a grid worker links a 党员中心户 to a building picked on the map; a count above its households is refused and saves nothing; then unlinks', async ({ onTestFailed }) => {
    // A branch other than the first test's, with a 中心户 and a building of its grid that 中心户 does not serve yet.
    const branches = (await admin.get<{ branches: BranchSummary[] }>('api/party/branches')).body.branches.filter((b) => b.id !== branch.id);
    let pick: { b: BranchSummary; hid: number; building: GridBuildings['features'][number] } | null = null;
    for (const b of branches) {
      const d = (await admin.get<BranchDetail>(`api/party/branches/${b.id}`)).body;
      const fc = (await admin.get<GridBuildings>(`api/party/grids/${b.gridId}/buildings`)).body;
      const hh = d.households[0];
      const building = hh && fc.features.filter((f) => f.properties.households >= 3 && f.properties.households < 500 && !hh.serves.some((s) => s.buildingId === f.properties.id))
        .sort((x, y) => y.properties.households - x.properties.households)[0];
      if (hh && building) { pick = { b, hid: hh.id, building }; break; }
    }
    expect(pick, 'a demo branch with a 中心户 and a building it does not serve').not.toBeNull();
    const { b, hid, building } = pick!;
    const target = building.properties;
    const serves = async () => (await admin.get<BranchDetail>(`api/party/branches/${b.id}`)).body.households.find((x) => x.id === hid)!.serves;
    const servesBefore = await serves();

    const worker = await createAccount(admin, { username: 'worker.households', role: 'grid_worker', gridId: b.gridId });
    await tp?.close();
    tp = await openPage(browser, server, { login: false });
    const page = tp.page;
    reportFailure(onTestFailed, server, tp, 'party-households');
    await page.setViewportSize({ width: 1440, height: 900 });
    await loginInPage(tp, server, worker, '/party');
    await waitForReady(tp, 180_000);
    let h = await hooks(page);
    expect(h.branchId).toBe(b.id);
    expect(h.buildings).toBeGreaterThan(0);
    const linksBefore = h.links;
    const row = page.locator(`#households > li[data-id="${hid}"]`);
    expect(await row.getAttribute('data-links')).toBe(String(servesBefore.length));

    // The building is picked by clicking it on the map; the form names its households.
    await page.locator('#hh-household').selectOption(String(hid));
    const [lon, lat] = await interiorPoint(building);
    await expect.poll(async () => {
      const at = await pagePoint(page, MAP_CANVAS, lon, lat);
      await page.mouse.click(at.x, at.y);
      return page.locator('#hh-building').inputValue();
    }, { timeout: 20_000 }).toBe(String(target.id));
    expect(await page.locator('#hh-hint').innerText()).toContain(`住户 ${target.households.toLocaleString('zh-CN')} 户`);

    // One household more than the building has: the server's zh-CN refusal is shown; nothing is saved.
    await page.locator('#hh-count').fill(String(target.households + 1));
    await page.locator('#hh-link').click();
    await expect.poll(() => page.locator('#hh-error').innerText(), { timeout: 15_000 })
      .toBe(`未保存：服务户数 ${target.households + 1} 超过了 ${target.label} 的住户数（${target.households} 户）`);
    expect(await serves()).toEqual(servesBefore);
    h = await hooks(page);
    expect([h.linked, h.links]).toEqual([0, linksBefore]);

    // Three households: saved, listed under the 中心户, and the API returns the link.
    await page.locator('#hh-count').fill('3');
    await page.locator('#hh-link').click();
    await expect.poll(async () => (await hooks(page)).linked, { timeout: 15_000 }).toBe(1);
    expect((await hooks(page)).links).toBe(linksBefore + 1);
    expect(await page.locator('#hh-error').innerText()).toBe('');
    const listed = row.locator(`li[data-building-id="${target.id}"]`);
    expect(await listed.getAttribute('data-households')).toBe('3');
    expect(await listed.locator('.hh-building').innerText()).toBe(target.label);
    expect(await listed.locator('.hh-count').innerText()).toBe('3 户');
    expect(await serves()).toEqual([...servesBefore, { buildingId: target.id, buildingName: target.label, households: 3 }].sort((x, y) => x.buildingId - y.buildingId));

    // Ended: gone from the list and from the API.
    await listed.locator('button.hh-unlink').click();
    await expect.poll(async () => (await hooks(page)).unlinked, { timeout: 15_000 }).toBe(1);
    expect(await row.locator(`li[data-building-id="${target.id}"]`).count()).toBe(0);
    expect((await hooks(page)).links).toBe(linksBefore);
    expect(await serves()).toEqual(servesBefore);
    const audit = (await admin.get<{ actor: string; action: string; resource: string }[]>('api/audit?limit=50')).body
      .filter((a) => a.resource === 'party_household' && a.actor === worker.username);
    expect(audit.length).toBe(2);
    await screenshotPage(page, 'party-households');
    expect(tp.problems.pageErrors).toEqual([]);
    // The refused link answered 400, which the harness counts only when it is a 5xx.
    expect(tp.problems.serverErrors).toEqual([]);
  }, 600_000);
});

// 定位落图 on 中屏干 (/dispatch), in real Chromium against a real server: a 12345 hotline case given
// by address only is kept unlocated at the district desk; the district command centre (区指挥中心)
// sees it in its 未定位 queue with the address and the masked caller, clicks the map inside a grid
// and confirms; the case leaves the queue located to that grid, dispatched with the grid deadline,
// and the grid worker's queue has it.
import type { Feature, FeatureCollection, MultiPolygon, Polygon, Position } from 'geojson';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  apiClient,
  createAccount,
  interiorPoint,
  launchBrowser,
  loginInPage,
  openPage,
  reportFailure,
  screenshotPage,
  startServer,
  tokenClient,
  waitForReady,
  type ApiClient,
  type TestAccount,
  type TestPage,
  type TestServer,
} from './harness.js';

type GridFeature = Feature<Polygon | MultiPolygon, { id: number; name: string; communityCode: string }>;
interface Case {
  id: number; status: string; level: string; gridId: number | null; gridName: string | null; unlocated: boolean; address: string | null;
  deadlineAt: string | null; caller?: { phone?: string | null } | null;
}
interface Detail { incident: Case; events: { action: string; actor: { label: string; role: string | null }; at: string }[]; allowedActions: { action: string }[] }

let server: TestServer;
let browser: Browser;
let admin: ApiClient;
let center: TestAccount;
let hotlineApi: ApiClient;
let workerApi: ApiClient;
let grid: GridFeature;
let spot: [number, number];
let desk: TestPage | undefined;

/** The grid with the largest bounding box: the easiest to hit with a click at the district's zoom. */
function largest(features: GridFeature[]): GridFeature {
  const size = (f: GridFeature) => {
    const pts: Position[] = f.geometry.type === 'Polygon' ? f.geometry.coordinates.flat() : f.geometry.coordinates.flat(2);
    const xs = pts.map((p) => p[0]!);
    const ys = pts.map((p) => p[1]!);
    return (Math.max(...xs) - Math.min(...xs)) * (Math.max(...ys) - Math.min(...ys));
  };
  return features.reduce((a, b) => (size(b) > size(a) ? b : a));
}

beforeAll(async () => {
  [server, browser] = await Promise.all([startServer(), launchBrowser()]);
  try {
    await setUp();
  } catch (e) {
    console.error(`----- locate: server output (tail) -----\n${server.output().slice(-6000)}`);
    throw e;
  }
}, 300_000);

async function setUp(): Promise<void> {
  admin = await apiClient(server);
  const d = (await admin.get<{ code: string; bbox: number[] }>('api/district')).body;
  grid = largest((await admin.get<FeatureCollection<Polygon | MultiPolygon, GridFeature['properties']>>(`api/grids?bbox=${d.bbox.join(',')}`)).body.features);
  spot = await interiorPoint(grid);
  // The district command centre's operator is made like any account (admin UI / POST /api/accounts).
  center = await createAccount(admin, { username: 'zx.e2e', displayName: '王指挥', role: 'district_center', divisionCode: d.code });
  hotlineApi = await tokenClient(server, admin, { role: 'district_center', divisionCode: d.code });
  workerApi = await tokenClient(server, admin, { role: 'grid_worker', gridId: grid.properties.id });
}

afterAll(async () => {
  await desk?.close().catch(() => undefined);
  await browser?.close();
  await server?.stop();
});

describe('定位落图 on /dispatch (区指挥中心)', () => {
  it('a hotline case with an address only: 未定位 queue → click the map in a grid → confirm → located, dispatched, in the grid worker\'s queue', async ({ onTestFailed }) => {
    const tp = await openPage(browser, server, { login: false });
    desk = tp;
    reportFailure(onTestFailed, server, tp, 'locate');
    await tp.page.setViewportSize({ width: 1440, height: 900 });
    await loginInPage(tp, server, center, '/dispatch');
    await waitForReady(tp, 120_000);
    await tp.page.locator('.gc-live.live').waitFor({ timeout: 30_000 });

    // 1. A 12345 call with an address only: stored at the district desk, flagged unlocated.
    const address = `外滩附近某小区门口（E2E ${Date.now()}）`;
    const posted = await hotlineApi.post<Case>('api/incidents', {
      category: 'sanitation', description: '来电反映小区门口垃圾堆积', source: 'hotline_12345', address,
      clientKey: `e2e-locate-${Date.now()}`, caller: { name: '赵女士', phone: '13912345678' },
    });
    expect(posted.status, JSON.stringify(posted.body)).toBe(201);
    const id = posted.body.id;
    expect(posted.body).toMatchObject({ unlocated: true, gridId: null, address });

    // 2. It arrives live in the centre's 未定位 queue (the default tab), with the address and the masked caller.
    expect(await tp.page.locator('#tabs [data-tab="unlocated"]').getAttribute('aria-selected')).toBe('true');
    const item = tp.page.locator(`#case-list .gd-item[data-case-id="${id}"]`);
    await item.waitFor({ timeout: 20_000 });
    // The live diff carries no personal data: the page fetches the masked caller just after.
    await expect.poll(() => item.locator('.gd-item-unloc').innerText(), { timeout: 20_000 }).toContain('139****5678');
    const meta = await item.locator('.gd-item-unloc').innerText();
    expect(meta).toContain(address);
    expect(meta).not.toContain('13912345678');
    await item.click();
    const section = tp.page.locator(`#detail .gd-d[data-case-id="${id}"] [data-locate]`);
    await section.waitFor({ timeout: 20_000 });
    // The generic action buttons do not offer 定位落图 without a place.
    expect(await tp.page.locator('#detail .gw-act-btn[data-action="locate"]').count()).toBe(0);

    // 3. Pick the place on the map: inside the grid.
    await section.locator('[data-locate-pick]').click();
    const [x, y] = await tp.page.evaluate(([lon, lat]) => window.__gc!.project!(lon!, lat!), spot);
    const box = (await tp.page.locator('#map canvas').first().boundingBox())!;
    expect(x > 0 && y > 0 && x < box.width && y < box.height, `the grid is on screen at ${x},${y}`).toBe(true);
    await tp.page.mouse.click(box.x + x, box.y + y);
    const chosen = section.locator('[data-locate-chosen]');
    await expect.poll(() => chosen.getAttribute('data-grid-id'), { timeout: 10_000 }).toBe(String(grid.properties.id));
    expect(await chosen.innerText()).toContain(grid.properties.name);
    await screenshotPage(tp.page, 'locate-picked');

    // 4. Confirm: the case is located to the grid, dispatched, and leaves the 未定位 queue.
    await section.locator('[data-locate-confirm]').click();
    await tp.page.locator(`#detail .gd-d[data-case-id="${id}"][data-status="dispatched"]`).waitFor({ timeout: 20_000 });
    await expect.poll(() => item.count(), { timeout: 10_000 }).toBe(0);
    expect(await tp.page.locator('#detail [data-locate]').count()).toBe(0);
    expect(await tp.page.locator('#detail .gw-trail li[data-action="locate"]').count()).toBe(1);
    await screenshotPage(tp.page, 'locate-done');

    const d = (await admin.get<Detail>(`api/incidents/${id}`)).body;
    expect(d.incident).toMatchObject({ unlocated: false, gridId: grid.properties.id, level: 'grid', status: 'dispatched', address });
    expect(d.incident.deadlineAt).not.toBeNull();
    expect(d.events.map((e) => e.action)).toEqual(['report', 'locate']);
    expect(d.events[1]!.actor).toMatchObject({ label: '王指挥', role: 'district_center' });

    // 5. The grid worker's queue has it, ready to start.
    const queue = (await workerApi.get<{ incidents: Case[] }>('api/incidents?state=dispatched')).body.incidents;
    expect(queue.find((c) => c.id === id)).toMatchObject({ gridId: grid.properties.id, unlocated: false });
    expect((await workerApi.get<Detail>(`api/incidents/${id}`)).body.allowedActions.map((a) => a.action)).toContain('start');

    expect(tp.problems.pageErrors).toEqual([]);
    expect(tp.problems.serverErrors).toEqual([]);
  }, 240_000);

  it('按地址查找: the gazetteer offers the place named in the caller\'s words; picking it locates the case there', async ({ onTestFailed }) => {
    const tp = desk ?? await openPage(browser, server, { login: false });
    if (!desk) {
      desk = tp;
      await tp.page.setViewportSize({ width: 1440, height: 900 });
      await loginInPage(tp, server, center, '/dispatch');
      await waitForReady(tp, 120_000);
    }
    reportFailure(onTestFailed, server, tp, 'locate-geocode');
    // A real building of the demo (OSM) named inside a longer description: offered, not certain,
    // so intake keeps the call at the desk.
    const place = (await admin.get<{ certain: { label: string; lon: number; lat: number } | null }>(`api/geocode?q=${encodeURIComponent('上海中心大厦')}`)).body.certain;
    expect(place, 'the demo has 上海中心大厦').not.toBeNull();
    const address = `上海中心大厦东门外人行道（E2E ${Date.now()}）`;
    const posted = await hotlineApi.post<Case>('api/incidents', {
      category: 'city_order', description: '来电反映人行道被占', source: 'hotline_12345', address, clientKey: `e2e-geo-${Date.now()}`,
    });
    expect(posted.status, JSON.stringify(posted.body)).toBe(201);
    expect(posted.body).toMatchObject({ unlocated: true, address });
    const id = posted.body.id;

    await tp.page.locator('#tabs [data-tab="unlocated"]').click();
    const item = tp.page.locator(`#case-list .gd-item[data-case-id="${id}"]`);
    await item.waitFor({ timeout: 30_000 });
    await item.click();
    const section = tp.page.locator(`#detail .gd-d[data-case-id="${id}"] [data-locate]`);
    await section.waitFor({ timeout: 30_000 });
    // The search box holds the caller's address; 按地址查找 lists candidates, the building first.
    expect(await section.locator('[data-locate-q]').inputValue()).toBe(address);
    await section.locator('[data-locate-find]').click();
    const first = section.locator('[data-locate-found] .gd-locate-cand').first();
    await first.waitFor({ timeout: 30_000 });
    expect(await first.innerText()).toContain('上海中心大厦');
    expect(await section.locator('[data-locate-found]').innerText()).toContain('© OpenStreetMap contributors');
    await first.click();
    expect(await section.locator('[data-locate-chosen]').innerText()).toContain('地址匹配：上海中心大厦');
    await section.locator('[data-locate-confirm]').click();
    await expect.poll(() => item.count(), { timeout: 10_000 }).toBe(0);

    const d = (await admin.get<Detail & { incident: Case & { lon: number; lat: number } }>(`api/incidents/${id}`)).body;
    expect(d.incident).toMatchObject({ unlocated: false, address });
    expect(d.incident.lon).toBeCloseTo(place!.lon, 6);
    expect(d.incident.lat).toBeCloseTo(place!.lat, 6);
    expect(d.events.map((e) => e.action)).toEqual(['report', 'locate']);
    expect(tp.problems.pageErrors).toEqual([]);
    expect(tp.problems.serverErrors).toEqual([]);
  }, 240_000);
});

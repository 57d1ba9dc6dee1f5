// 网格划分 (/grids) tools in real Chromium at 1920×1080 against a real server with the demo district,
// as an analyst uses them: 自动划分 with a locked grid (accepted: the locked grid is unchanged, the
// quality figures are shown and name every grid outside the band), 重新平衡 (the moves listed and
// drawn), 合并 and 删除 (validation shows the gap), 导出 GeoJSON and 导入 it back (a file in metres is
// refused by name and changes nothing), publishing twice, comparing the two versions on the map
// (added / removed / changed drawn) and rolling back. tests/browser/grids.test.ts covers split,
// vertex drag, cut buildings and the maps after publishing.
import { readFileSync } from 'node:fs';
import { area } from '@turf/turf';
import type { Feature, FeatureCollection, MultiPolygon, Polygon } from 'geojson';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommunityResponse, CommunitySummary, DraftGrid, RebalanceResponse, VersionResponse } from '../../core/grid-edit/contract.js';
import { edgeFaces } from '../../core/grid-edit/topology.js';
import { gridsFromState, stateFromGrids } from '../../client/src/pages/grids/model.js';
import {
  apiClient,
  countNear,
  createAccount,
  decodePng,
  interiorPoint,
  launchBrowser,
  loginInPage,
  openPage,
  reportFailure,
  screenshotElement,
  screenshotPage,
  sleep,
  startServer,
  waitForReady,
  type ApiClient,
  type TestAccount,
  type TestPage,
  type TestServer,
} from './harness.js';

const MAP_CANVAS = 'canvas.maplibregl-canvas';
/** The page works on a shared 2-core machine: give what follows an edit time to show. */
const POLL = { timeout: 30_000 };
type Area = Polygon | MultiPolygon;
type GridLike = { id: number | null; key: string; name: string; geometry: Area; locked?: boolean; lineage?: DraftGrid['lineage'] };

let server: TestServer;
let browser: Browser;
let analyst: TestAccount;
let analystApi: ApiClient;
let tp: TestPage;
/** The community the analyst works on, its published grids and what the plan picked. */
let code: string;
let original: CommunityResponse;
let pick: { a: string; b: string; c: string; other: string };

beforeAll(async () => {
  [server, browser] = await Promise.all([startServer(), launchBrowser()]);
  const admin = await apiClient(server);
  const district = (await admin.get<{ code: string }>('api/district')).body;
  analyst = await createAccount(admin, { username: 'analyst2', role: 'analyst', displayName: '分析员乙', divisionCode: district.code });
  analystApi = await apiClient(server, analyst.username, analyst.password);
  ({ code, original, pick } = await plan());
  tp = await openPage(browser, server, { login: false });
  await tp.page.setViewportSize({ width: 1920, height: 1080 });
  await loginInPage(tp, server, analyst, `/grids?community=${code}`);
  await waitForReady(tp, 150_000);
}, 420_000);

afterAll(async () => {
  await tp?.close();
  await browser?.close();
  await server?.stop();
});

/**
 * A community with four or more grids whose rebalance moves buildings, and in it two neighbouring
 * grids (merged later) and a third grid (deleted and redrawn later).
 */
async function plan(): Promise<{ code: string; original: CommunityResponse; pick: typeof pick }> {
  const list = (await analystApi.get<CommunitySummary[]>('api/grid-editor/communities')).body;
  for (const c of [...list].sort((x, y) => y.grids - x.grids)) {
    if (c.grids < 4) continue;
    const data = (await analystApi.get<CommunityResponse>(`api/grid-editor/communities/${c.code}`)).body;
    // The page rebalances the same grids (through its topology): check here that it will move something.
    const grids = gridsFromState(stateFromGrids(data.grids));
    const rb = await analystApi.post<RebalanceResponse>(`api/grid-editor/communities/${c.code}/rebalance`, { grids });
    expect(rb.status, JSON.stringify(rb.body).slice(0, 300)).toBe(200);
    if (rb.body.moves.length === 0) continue;
    const edges = edgeFaces(stateFromGrids(data.grids).topo);
    const pairs = [...edges.values()].filter((keys) => keys.length === 2).map((keys) => [...keys].sort() as [string, string]);
    const [a, b] = pairs[0]!;
    const keys = data.grids.map((g) => g.key).filter((k) => k !== a && k !== b);
    return { code: c.code, original: data, pick: { a, b, c: keys[0]!, other: keys[1]! } };
  }
  throw new Error('no demo community with four grids whose rebalance moves buildings');
}

const short = (name: string) => name.split(/[・·•]/).pop()!.trim();
const areaOf = (g: Area) => area({ type: 'Feature', properties: {}, geometry: g });
const coordsOf = (g: Area) => (g.type === 'Polygon' ? [g.coordinates] : g.coordinates).flat(2).map((c) => [c[0]!, c[1]!] as [number, number]);
const editorGrids = () => tp.page.evaluate(() => (window as unknown as { __gcGridEditor: { grids(): GridLike[] } }).__gcGridEditor.grids());
const rowKeys = () => tp.page.locator('#grid-table tbody tr').evaluateAll((trs) => trs.map((t) => (t as HTMLElement).dataset.key!));
const num = (t: string) => Number(t.replace(/[^\d]/g, ''));
const households = async (key: string) => num(await tp.page.locator(`#grid-table tr[data-key="${key}"] td.hh`).innerText());
const problemCodes = () => tp.page.locator('#problems li').evaluateAll((lis) => lis.map((l) => (l as HTMLElement).dataset.code ?? ''));

/** Click the middle of a grid on the map (its point farthest inside), which must be on screen between the panels. */
async function clickGrid(g: GridLike): Promise<void> {
  const box = (await tp.page.locator(MAP_CANVAS).boundingBox())!;
  const p = await interiorPoint({ type: 'Feature', properties: {}, geometry: g.geometry } as Feature<Area>);
  const [x, y] = await tp.page.evaluate(([lon, lat]) => window.__gc!.project!(lon, lat), p);
  const free = await freeMapArea();
  expect(x, `${g.name} on screen between the panels`).toBeGreaterThan(free.left - box.x);
  expect(x).toBeLessThan(free.right - box.x);
  expect(y).toBeGreaterThan(0);
  expect(y).toBeLessThan(box.height);
  await tp.page.mouse.click(box.x + x, box.y + y);
}

/** The part of the page between the left and right panel columns. */
async function freeMapArea(): Promise<{ left: number; right: number }> {
  return tp.page.evaluate(() => ({
    left: document.querySelector('.ge-left')!.getBoundingClientRect().right,
    right: document.querySelector('.ge-right')!.getBoundingClientRect().left,
  }));
}

/** No two visible panels (and the map's zoom buttons) overlap, and every panel is inside the window. */
async function panelsDoNotOverlap(where: string): Promise<void> {
  const boxes = await tp.page.evaluate(() => {
    const sel = ['.ge-left > .gc-panel', '#proposal', '#compare', '.ge-grids', '.ge-problems', '.maplibregl-ctrl-top-right .maplibregl-ctrl', '.maplibregl-ctrl-bottom-right .maplibregl-ctrl'];
    return sel.flatMap((s) => [...document.querySelectorAll<HTMLElement>(s)].filter((e) => !e.hidden && e.offsetParent !== null).map((e, i) => {
      const r = e.getBoundingClientRect();
      return { name: `${s}#${i}`, x0: r.left, y0: r.top, x1: r.right, y1: r.bottom };
    }));
  });
  for (const b of boxes) {
    expect(b.x0, `${where}: ${b.name} inside the window`).toBeGreaterThanOrEqual(0);
    expect(b.x1).toBeLessThanOrEqual(1920);
    expect(b.y1, `${where}: ${b.name} above the bottom`).toBeLessThanOrEqual(1080);
  }
  for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
    const p = boxes[i]!, q = boxes[j]!;
    const overlap = Math.min(p.x1, q.x1) - Math.max(p.x0, q.x0) > 1 && Math.min(p.y1, q.y1) - Math.max(p.y0, q.y0) > 1;
    expect(overlap, `${where}: ${p.name} overlaps ${q.name}`).toBe(false);
  }
}

/** Pixels of the map canvas near a colour (lines are drawn opaque). */
async function mapPixels(name: string, rgb: [number, number, number]): Promise<number> {
  return countNear(decodePng(await screenshotElement(tp.page, MAP_CANVAS, name)), rgb, 24);
}
const validations = () => tp.page.evaluate(() => Number(document.body.dataset.validations ?? 0));

async function proposalRows() {
  return tp.page.locator('#proposal-grids tbody tr').evaluateAll((trs) => trs.map((t) => {
    const e = t as HTMLElement;
    return { key: e.dataset.key!, name: e.dataset.name!, status: e.dataset.status!, diff: e.dataset.diff!, text: e.innerText, was: e.querySelector('td.was')!.textContent!, hh: Number(e.querySelector('td.hh')!.textContent!.replace(/[^\d]/g, '')) };
  }));
}

describe('网格划分 /grids: partition, rebalance, merge, delete, import/export, versions', () => {
  it('自动划分 with one grid locked: figures shown, grids outside the band named, the locked grid unchanged after accepting', async ({ onTestFailed }) => {
    reportFailure(onTestFailed, server, tp, 'grids-tools-partition');
    const { page } = tp;
    expect(await rowKeys()).toEqual(original.grids.map((g) => g.key));
    await panelsDoNotOverlap('opened');

    const lockedKey = pick.other;
    const lockedBefore = original.grids.find((g) => g.key === lockedKey)!;
    await page.locator(`#grid-table tr[data-key="${lockedKey}"] input[type="checkbox"]`).check();
    await page.locator('#partition').click();
    await page.locator('#proposal:not([hidden])').waitFor({ timeout: 120_000 });
    await expect(page.locator('#proposal').getAttribute('data-kind')).resolves.toBe('partition');

    // Quality figures, and every grid either in the band or named as not.
    const q = (k: string) => page.locator(`#proposal-quality dd[data-q="${k}"]`).innerText();
    const rows = await proposalRows();
    expect(rows.length).toBeGreaterThan(1);
    const inBand = /^(\d+) \/ (\d+)/.exec(await q('inBand'))!;
    expect(Number(inBand[2])).toBe(rows.length);
    expect(Number(inBand[1])).toBe(rows.filter((r) => r.status === 'in').length);
    const [lo, hi] = (await q('households')).match(/[\d,]+/g)!.slice(0, 2).map(num);
    expect(lo).toBe(Math.min(...rows.map((r) => r.hh)));
    expect(hi).toBe(Math.max(...rows.map((r) => r.hh)));
    await expect(q('compactness')).resolves.toMatch(/Polsby-Popper 平均 0\.\d\d，最低 0\.\d\d/);
    await expect(q('buildingsMoved')).resolves.toMatch(/^\d[\d,]* 栋$/);
    const out = rows.filter((r) => r.status !== 'in');
    const callout = page.locator('#proposal-out-of-band');
    await expect(callout.getAttribute('data-count')).resolves.toBe(String(out.length));
    const calloutText = await callout.innerText();
    if (out.length === 0) expect(calloutText).toMatch(/全部 \d+ 个网格都在/);
    for (const r of out) expect(calloutText, 'an out-of-band grid is named with its households').toContain(`${r.name} ${r.hh.toLocaleString('zh-CN')} 户`);
    const lockedRow = rows.find((r) => r.key === lockedKey)!;
    expect(lockedRow.diff).toBe('same');
    expect(lockedRow.text).toContain('锁定');
    await screenshotPage(page, 'grids-tools-partition');
    await panelsDoNotOverlap('partition proposal');

    const validated = await validations();
    await page.locator('#proposal-accept').click();
    await expect(page.locator('#proposal').isHidden()).resolves.toBe(true);
    const after = await editorGrids();
    expect(after.map((g) => g.key).sort()).toEqual(rows.map((r) => r.key).sort());
    const locked = after.find((g) => g.key === lockedKey)!;
    expect(locked.locked).toBe(true);
    expect(locked.id).toBe(lockedBefore.id);
    expect(areaOf(locked.geometry)).toBeCloseTo(areaOf(lockedBefore.geometry), 0);
    // Every corner of the locked grid is still there (a neighbour's vertex may now lie on its edge).
    const now = coordsOf(locked.geometry);
    for (const c of coordsOf(lockedBefore.geometry)) expect(now.some((p) => Math.abs(p[0] - c[0]) < 1e-9 && Math.abs(p[1] - c[1]) < 1e-9), `corner ${c}`).toBe(true);
    // The table shows the proposal's figures; the proposal leaves no gap, overlap or part outside.
    for (const r of rows) expect(await households(r.key)).toBe(r.hh);
    await expect.poll(validations, POLL).toBeGreaterThan(validated);
    await expect.poll(async () => (await problemCodes()).filter((c) => c === 'out_of_band').length, POLL).toBe(out.length);
    const codes = await problemCodes();
    for (const bad of ['gap', 'overlap', 'outside_community', 'cuts_building', 'self_intersection']) expect(codes, codes.join(',')).not.toContain(bad);

    // Undo the proposal and the lock: back to the published grids.
    await page.keyboard.press('Control+z');
    await page.keyboard.press('Control+z');
    await expect.poll(async () => (await editorGrids()).map((g) => [g.key, !!g.locked]), POLL).toEqual(original.grids.map((g) => [g.key, false]));
  }, 240_000);

  it('重新平衡 lists the buildings it moves between grids and draws them; 放弃 removes the overlay', async ({ onTestFailed }) => {
    reportFailure(onTestFailed, server, tp, 'grids-tools-rebalance');
    const { page } = tp;
    const MOVED: [number, number, number] = [250, 204, 21], CHANGED: [number, number, number] = [253, 224, 71];
    const [moved0, changed0] = [await mapPixels('grids-tools-before-rebalance', MOVED), await mapPixels('grids-tools-before-rebalance', CHANGED)];
    await page.locator('#rebalance').click();
    await page.locator('#proposal[data-kind="rebalance"]:not([hidden])').waitFor({ timeout: 120_000 });
    const moves = page.locator('#proposal-moves li');
    const count = Number(/（(\d+) 栋/.exec(await page.locator('#proposal-moves h4').innerText())![1]);
    expect(count).toBeGreaterThan(0);
    await expect(moves.count()).resolves.toBe(Math.min(count, 100));
    await expect(page.locator('#proposal-quality dd[data-q="buildingsMoved"]').innerText()).resolves.toBe(`${count} 栋`);
    const names = new Map(original.grids.map((g) => [g.key, short(g.name)]));
    for (const text of await moves.allInnerTexts()) {
      const m = /：(\d+) 户，(.+) → (.+)$/.exec(text);
      expect(m, text).not.toBeNull();
      expect([...names.values()]).toContain(m![2]);
      expect([...names.values()]).toContain(m![3]);
    }
    // The grids that give or take show households now → proposed; the rest are unchanged.
    const rows = await proposalRows();
    const changed = rows.filter((r) => r.diff === 'changed');
    expect(changed.length).toBeGreaterThanOrEqual(2);
    for (const r of changed) expect(num(r.was)).not.toBe(r.hh);
    for (const r of rows.filter((x) => x.diff === 'same')) expect(num(r.was)).toBe(r.hh);
    expect(rows.reduce((s, r) => s + r.hh, 0)).toBe(rows.reduce((s, r) => s + num(r.was), 0));
    // Drawn: the moved buildings and the changed grids' dashed outlines, each in its own yellow.
    await expect.poll(() => mapPixels('grids-tools-rebalance', MOVED), { ...POLL, message: `moved-building outlines (${moved0} before)` }).toBeGreaterThan(moved0 + 30);
    await expect.poll(() => mapPixels('grids-tools-rebalance', CHANGED), { ...POLL, message: `changed-grid outlines (${changed0} before)` }).toBeGreaterThan(changed0 + 100);
    await screenshotPage(page, 'grids-tools-rebalance');
    await panelsDoNotOverlap('rebalance proposal');
    await page.locator('#proposal-reject').click();
    await expect(page.locator('#proposal').isHidden()).resolves.toBe(true);
    await expect.poll(() => mapPixels('grids-tools-after-rebalance', CHANGED), POLL).toBeLessThan(changed0 + 50);
    expect(await rowKeys()).toEqual(original.grids.map((g) => g.key));
  }, 180_000);

  it('合并 two neighbours, 删除 one grid leaving a gap that validation shows; undo restores', async ({ onTestFailed }) => {
    reportFailure(onTestFailed, server, tp, 'grids-tools-merge');
    const { page } = tp;
    const g = (k: string) => original.grids.find((x) => x.key === k)!;
    const [hhA, hhB] = [await households(pick.a), await households(pick.b)];
    await page.keyboard.press('m');
    expect(await page.evaluate(() => document.body.dataset.tool)).toBe('merge');
    await clickGrid(g(pick.a));
    await expect.poll(() => page.locator('#live-line').innerText(), POLL).toContain(short(g(pick.a).name));
    await clickGrid(g(pick.b));
    await expect.poll(() => page.locator('#live-line').innerText(), POLL).toBe('已合并');
    expect(await rowKeys()).toEqual(original.grids.map((x) => x.key).filter((k) => k !== pick.b));
    expect(await households(pick.a)).toBe(hhA + hhB);
    const merged = (await editorGrids()).find((x) => x.key === pick.a)!;
    expect(merged.lineage?.mergedFrom).toContain(g(pick.b).id);

    await page.keyboard.press('x');
    await clickGrid(g(pick.c));
    await page.locator('#ge-delete').waitFor();
    await page.locator('#ge-delete select[name="giveTo"]').selectOption('');
    await page.locator('#ge-delete button[type="submit"]').click();
    await expect.poll(rowKeys, POLL).toEqual(original.grids.map((x) => x.key).filter((k) => k !== pick.b && k !== pick.c));
    const gap = page.locator('#problems li[data-code="gap"]');
    await expect.poll(() => gap.count(), POLL).toBe(1);
    await expect(gap.innerText()).resolves.toMatch(/社区内有 [\d,]+ 平方米.*未划入任何网格/);
    await gap.click();
    await expect(page.locator('#problems li.active[data-code="gap"]').count()).resolves.toBe(1);
    await expect.poll(() => mapPixels('grids-tools-gap', [255, 80, 80]), POLL).toBeGreaterThan(100);
    await screenshotPage(page, 'grids-tools-gap');

    await page.keyboard.press('Control+z');
    await page.keyboard.press('Control+z');
    await expect.poll(rowKeys, POLL).toEqual(original.grids.map((x) => x.key));
    await expect.poll(() => gap.count(), POLL).toBe(0);
    await page.keyboard.press('Escape');
  }, 180_000);

  it('导出 GeoJSON with attributes, a file in metres is refused by name changing nothing, 导入 the export back', async ({ onTestFailed }) => {
    reportFailure(onTestFailed, server, tp, 'grids-tools-transfer');
    const { page } = tp;
    await page.locator('#export').click();
    await page.locator('#ge-export').waitFor();
    const [download] = await Promise.all([page.waitForEvent('download', { timeout: 30_000 }), page.locator('#ge-export button[data-export="geojson"]').click()]);
    expect(download.suggestedFilename()).toBe(`grids-${code}.geojson`);
    const fc = JSON.parse(readFileSync((await download.path())!, 'utf8')) as FeatureCollection<MultiPolygon, Record<string, unknown>> & { metadata: Record<string, unknown> };
    await expect(page.locator('#ge-export [role="status"]').innerText()).resolves.toContain(`已导出 grids-${code}.geojson`);
    await page.locator('#ge-export button[type="submit"]').click();
    expect(fc.metadata).toMatchObject({ community: code, crs: 'EPSG:4326', synthetic: true });
    expect(String(fc.metadata.attribution)).toContain('OpenStreetMap');
    expect(fc.features.map((f) => f.properties.id)).toEqual(original.grids.map((x) => x.id));
    for (const f of fc.features) {
      const mine = original.grids.find((x) => x.id === f.properties.id)!;
      expect(f.properties).toMatchObject({ name: mine.name, households: mine.households, residents: mine.residents, buildings: mine.buildings, synthetic: true });
      expect(String(f.properties.code)).toMatch(/\S/);
      expect(areaOf(f.geometry)).toBeCloseTo(areaOf(mine.geometry), 0);
    }

    // The same grids in metres (a projected CRS), whatever datum is chosen: refused, nothing saved.
    const metres = structuredClone(fc) as FeatureCollection<MultiPolygon> & { metadata?: unknown };
    delete metres.metadata;
    for (const f of metres.features) f.geometry.coordinates = f.geometry.coordinates.map((p) => p.map((r) => r.map(([x, y]) => [Math.round((x! - 120) * 95_000 + 500_000), Math.round(y! * 110_900)])));
    const rev0 = (await analystApi.get<CommunityResponse>(`api/grid-editor/communities/${code}`)).body.revision;
    await page.locator('#import').click();
    await page.locator('#ge-import').waitFor();
    await page.locator('#ge-import input[type="file"]').setInputFiles({ name: 'grids-metres.geojson', mimeType: 'application/geo+json', buffer: Buffer.from(JSON.stringify(metres)) });
    await page.locator('#ge-import select[name="crs"]').selectOption('cgcs2000');
    await page.locator('#ge-import button[type="submit"]').click();
    const err = page.locator('#ge-import .gc-form-error');
    await err.waitFor({ state: 'visible', timeout: 30_000 });
    const errText = await err.innerText();
    expect(errText).toContain(`「${fc.features[0]!.properties.name}」的坐标 [`);
    expect(errText).toContain('不是经纬度（疑似以米为单位的投影坐标）');
    await screenshotPage(page, 'grids-tools-import-refused');
    const still = (await analystApi.get<CommunityResponse>(`api/grid-editor/communities/${code}`)).body;
    expect(still.revision).toBe(rev0);
    expect(still.draft).toBeNull();
    expect(await rowKeys()).toEqual(original.grids.map((x) => x.key));

    // The export itself, one grid renamed, in WGS84: becomes the draft.
    const renamed = structuredClone(fc);
    const other = renamed.features.find((f) => String(f.properties.id) === pick.other)!;
    other.properties.name = `${other.properties.name}（导入）`;
    await page.locator('#ge-import input[type="file"]').setInputFiles({ name: 'grids.geojson', mimeType: 'application/geo+json', buffer: Buffer.from(JSON.stringify(renamed)) });
    await page.locator('#ge-import select[name="crs"]').selectOption('wgs84');
    await page.locator('#ge-import button[type="submit"]').click();
    await page.locator('#ge-import').waitFor({ state: 'detached', timeout: 60_000 });
    await expect.poll(() => page.locator('#draft-status').innerText(), POLL).toMatch(/^草稿：/);
    await expect(page.locator(`#grid-table tr[data-key="${pick.other}"]`).getAttribute('title')).resolves.toContain('（导入）');
    const draft = (await analystApi.get<CommunityResponse>(`api/grid-editor/communities/${code}`)).body;
    expect(draft.revision).toBeGreaterThan(rev0);
    expect(draft.grids.map((x) => [x.id, x.households])).toEqual(original.grids.map((x) => [x.id, x.households]));
    expect(draft.grids.find((x) => x.key === pick.other)!.name).toBe(other.properties.name);
  }, 180_000);

  it('publishes twice, compares the versions on the map (added, removed, changed drawn) and rolls back', async ({ onTestFailed }) => {
    reportFailure(onTestFailed, server, tp, 'grids-tools-versions');
    const { page } = tp;
    const g = (k: string) => original.grids.find((x) => x.key === k)!;
    const publish = async (note: string) => {
      await page.locator('#publish').click();
      await page.locator('#ge-publish').waitFor({ timeout: 30_000 });
      await page.locator('#ge-publish textarea[name="note"]').fill(note);
      await page.locator('#ge-publish button[type="submit"]').click();
      await page.locator('#ge-publish-report').waitFor({ timeout: 60_000 });
      const report = await page.locator('#ge-publish-report').innerText();
      await page.locator('#ge-publish-report button[type="submit"]').click();
      await page.locator('#ge-publish-report').waitFor({ state: 'detached' });
      return report;
    };
    const versionsNow = async () => (await analystApi.get<CommunityResponse>(`api/grid-editor/communities/${code}`)).body.versions;

    // 1: the imported draft.
    await publish('导入后发布');
    const first = (await versionsNow())[0]!;
    expect(first.note).toBe('导入后发布');

    // 2: merge A and B, delete C and draw a new grid over its ground (the page again shows the whole community).
    await page.reload();
    await waitForReady(tp, 150_000);
    await page.keyboard.press('m');
    await clickGrid(g(pick.a));
    await clickGrid(g(pick.b));
    await expect.poll(() => page.locator('#live-line').innerText(), POLL).toBe('已合并');
    await page.keyboard.press('x');
    await clickGrid(g(pick.c));
    await page.locator('#ge-delete select[name="giveTo"]').selectOption('');
    await page.locator('#ge-delete button[type="submit"]').click();
    await expect.poll(() => page.locator('#problems li[data-code="gap"]').count(), POLL).toBe(1);
    await page.locator('#snap').uncheck();
    await page.keyboard.press('d');
    const [w, s, e, n] = bboxOf(g(pick.c).geometry);
    const dx = (e - w) * 0.04, dy = (n - s) * 0.04;
    const box = (await page.locator(MAP_CANVAS).boundingBox())!;
    const corners = await page.evaluate((pts) => pts.map(([lon, lat]) => window.__gc!.project!(lon, lat)), [[w - dx, s - dy], [e + dx, s - dy], [e + dx, n + dy], [w - dx, n + dy]] as [number, number][]);
    const free = await freeMapArea();
    for (const [x, y] of corners) {
      expect(box.x + x!).toBeGreaterThan(free.left);
      expect(box.x + x!).toBeLessThan(free.right);
      expect(y!).toBeGreaterThan(0);
      expect(y!).toBeLessThan(box.height);
    }
    for (const [x, y] of corners) {
      await page.mouse.move(box.x + x!, box.y + y!, { steps: 3 });
      await page.mouse.click(box.x + x!, box.y + y!);
      await sleep(300);
    }
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('#live-line').innerText(), POLL).toMatch(/^已绘制 第\d+网格：[\d,]+ 户$/);
    await expect.poll(() => page.locator('#problems li[data-code="gap"]').count(), POLL).toBe(0);
    const drawn = (await editorGrids()).find((x) => x.id === null)!;
    expect(areaOf(drawn.geometry)).toBeCloseTo(areaOf(g(pick.c).geometry), -1);
    await page.keyboard.press('Escape');
    const report = await publish('合并并重画网格');
    expect(report).toContain(`新建 ${drawn.name}`);
    expect(report).toContain(`撤销 ${g(pick.b).name}（人员与组织转入${short(g(pick.a).name)}）`);
    const second = (await versionsNow())[0]!;
    expect(second.id).toBeGreaterThan(first.id);

    // Compare the two on the map.
    const green0 = await mapPixels('grids-tools-before-compare', [74, 222, 128]);
    const red0 = await mapPixels('grids-tools-before-compare', [248, 113, 113]);
    await page.locator('#versions').click();
    await page.locator('#ge-versions').waitFor();
    await page.locator(`#ge-versions tr[data-version="${first.id}"] input[type="checkbox"]`).check();
    await page.locator(`#ge-versions tr[data-version="${second.id}"] input[type="checkbox"]`).check();
    await page.locator('#ge-compare').click();
    await page.locator('#ge-versions').waitFor({ state: 'detached' });
    const panel = page.locator('#compare[data-kind="compare"]');
    await panel.waitFor();
    // Only the merged grid changed: the grids next to the redrawn one only gained vertices on their edges.
    await expect(page.locator('#compare-summary').innerText()).resolves.toMatch(/^新增 1，取消 2，改动 1 个网格；[\d,]+ 户改变网格。$/);
    const item = (diff: string) => page.locator(`#compare-grids li[data-diff="${diff}"]`).allInnerTexts();
    expect((await item('added')).join()).toContain(short(drawn.name));
    expect((await item('removed')).join()).toContain(short(g(pick.b).name));
    expect((await item('removed')).join()).toContain(short(g(pick.c).name));
    expect((await item('changed')).join()).toContain(`${short(g(pick.a).name)}：${(g(pick.a).households).toLocaleString('zh-CN')}→${(g(pick.a).households + g(pick.b).households).toLocaleString('zh-CN')} 户`);
    await expect.poll(() => mapPixels('grids-tools-compare', [74, 222, 128]), { ...POLL, message: 'added grid outlined green' }).toBeGreaterThan(green0 + 50);
    await expect.poll(() => mapPixels('grids-tools-compare', [248, 113, 113]), { ...POLL, message: 'removed grids outlined red' }).toBeGreaterThan(red0 + 50);
    await expect.poll(() => mapPixels('grids-tools-compare', [253, 224, 71]), { ...POLL, message: 'changed grid outlined yellow' }).toBeGreaterThan(50);
    await screenshotPage(page, 'grids-tools-compare');
    await panelsDoNotOverlap('comparison');

    // Roll back to the first version, then publish it: the published grids are the first version's.
    await page.locator('#compare-versions').click();
    await page.locator('#ge-versions').waitFor();
    await page.locator(`#ge-versions tr[data-version="${first.id}"] button[data-action="rollback"]`).click();
    await page.locator('#gc-confirm').waitFor();
    await page.locator('#gc-confirm button[type="submit"]').click();
    await page.locator('#ge-versions').waitFor({ state: 'detached', timeout: 30_000 });
    await expect(page.locator('#compare').isHidden()).resolves.toBe(true);
    const v1 = (await analystApi.get<VersionResponse>(`api/grid-editor/versions/${first.id}`)).body;
    await expect.poll(async () => (await editorGrids()).map((x) => x.id).sort(), POLL).toEqual(v1.grids.features.map((f) => f.properties.id).sort());
    await expect(page.locator('#draft-status').innerText()).resolves.toMatch(/^草稿：/);
    await publish(`回滚到版本 #${first.id}`);
    const published = (await analystApi.get<FeatureCollection<MultiPolygon, { id?: number; communityCode: string; name: string }>>('api/grids')).body.features
      .filter((f) => f.properties.communityCode === code);
    expect(published.map((f) => f.properties.name).sort()).toEqual(v1.grids.features.map((f) => f.properties.name).sort());
    await screenshotPage(page, 'grids-tools-rolled-back');

    expect(tp.problems.pageErrors).toEqual([]);
    expect(tp.problems.serverErrors).toEqual([]);
  }, 420_000);

  it('sets the district\'s household band (colours follow), and where moving buildings cannot help, 重新平衡 says merge and 合并重划 does it', async ({ onTestFailed }) => {
    reportFailure(onTestFailed, server, tp, 'grids-tools-advice');
    const { page } = tp;
    // A community whose rebalance cannot bring its grids into the band and advises a merge.
    const list = (await analystApi.get<CommunitySummary[]>('api/grid-editor/communities')).body;
    let target: { code: string; data: CommunityResponse; advice: RebalanceResponse['advice'] } | null = null;
    for (const c of list) {
      const data = (await analystApi.get<CommunityResponse>(`api/grid-editor/communities/${c.code}`)).body;
      const rb = await analystApi.post<RebalanceResponse>(`api/grid-editor/communities/${c.code}/rebalance`, { grids: gridsFromState(stateFromGrids(data.grids)) });
      if (rb.body.advice.some((a) => a.kind === 'merge')) { target = { code: c.code, data, advice: rb.body.advice }; break; }
    }
    expect(target, 'a demo community whose grids have too few households for their number').not.toBeNull();
    await page.goto(`${server.url}grids?community=${target!.code}`);
    await waitForReady(tp, 150_000);
    await expect.poll(rowKeys, POLL).toEqual(target!.data.grids.map((g) => g.key));

    // 户数区间: the district-wide analyst may change it; the rows' colours follow at once.
    await expect(page.locator('#band-source').innerText()).resolves.toBe('（默认）');
    const statuses = () => page.locator('#grid-table tbody tr').evaluateAll((trs) => trs.map((t) => (t as HTMLElement).dataset.status));
    const hh = await Promise.all(target!.data.grids.map((g) => households(g.key)));
    const lo = Math.max(1, Math.min(...hh) - 10), hi = Math.max(...hh) + 10;
    await page.locator('#band-edit').click();
    await page.locator('#ge-band-dialog').waitFor();
    await page.locator('#ge-band-dialog input[name="min"]').fill(String(hi));
    await page.locator('#ge-band-dialog input[name="max"]').fill(String(lo));
    await page.locator('#ge-band-dialog button[type="submit"]').click();
    await expect.poll(() => page.locator('#ge-band-dialog').innerText(), POLL).toContain('下限不能大于上限');
    await page.locator('#ge-band-dialog input[name="min"]').fill(String(lo));
    await page.locator('#ge-band-dialog input[name="max"]').fill(String(hi));
    await page.locator('#ge-band-dialog button[type="submit"]').click();
    await page.locator('#ge-band-dialog').waitFor({ state: 'detached', timeout: 30_000 });
    await expect(page.locator('#band').innerText()).resolves.toBe(`${lo}–${hi}`);
    await expect(page.locator('#band-source').innerText()).resolves.toBe('（本区设定）');
    await expect.poll(statuses, POLL).toEqual(hh.map(() => 'in'));
    expect((await analystApi.get<CommunityResponse>(`api/grid-editor/communities/${target!.code}`)).body.band).toEqual({ min: lo, max: hi });
    // Back to the default.
    await page.locator('#band-edit').click();
    await page.locator('#ge-band-dialog').waitFor();
    await page.locator('#ge-band-dialog input[name="reset"]').check();
    await page.locator('#ge-band-dialog button[type="submit"]').click();
    await page.locator('#ge-band-dialog').waitFor({ state: 'detached', timeout: 30_000 });
    await expect(page.locator('#band').innerText()).resolves.toBe('200–300');
    await expect.poll(statuses, POLL).toEqual(hh.map((x) => (x < 200 ? 'low' : x > 300 ? 'high' : 'in')));

    // 重新平衡: no move helps; the advice names the grids to merge and why.
    await page.locator('#rebalance').click();
    await page.locator('#proposal[data-kind="rebalance"]:not([hidden])').waitFor({ timeout: 120_000 });
    const merge = target!.advice.find((a) => a.kind === 'merge')!;
    const item = page.locator(`#proposal-advice li[data-advice="merge"][data-keys="${merge.keys.join(',')}"]`);
    await expect(item.count()).resolves.toBe(1);
    const names = merge.keys.map((k) => short(target!.data.grids.find((g) => g.key === k)!.name));
    for (const n of names) await expect(item.innerText()).resolves.toContain(n);
    await expect(item.innerText()).resolves.toContain(`宜为 ${merge.cluster!.need} 个`);
    await panelsDoNotOverlap('rebalance advice');
    await screenshotPage(page, 'grids-tools-advice');
    // 合并重划: only those grids are partitioned again; accepted, there is one grid fewer and the others are untouched.
    await item.locator('button').click();
    await page.locator('#proposal[data-kind="partition"]:not([hidden])').waitFor({ timeout: 120_000 });
    const rows = await proposalRows();
    expect(rows.length).toBe(target!.data.grids.length - 1);
    for (const r of rows.filter((x) => !merge.keys.includes(x.key) && target!.data.grids.some((g) => g.key === x.key))) expect(r.diff, r.name).toBe('same');
    await page.locator('#proposal-accept').click();
    await expect.poll(async () => (await rowKeys()).length, POLL).toBe(target!.data.grids.length - 1);
    for (const g of target!.data.grids.filter((x) => !merge.keys.includes(x.key))) {
      expect((await editorGrids()).find((x) => x.key === g.key)?.locked ?? false, `${g.name} keeps its lock state`).toBe(false);
      expect(await households(g.key)).toBe(g.households);
    }
    expect(tp.problems.pageErrors).toEqual([]);
    expect(tp.problems.serverErrors).toEqual([]);
  }, 420_000);
});

function bboxOf(g: Area): [number, number, number, number] {
  const cs = coordsOf(g);
  const xs = cs.map((c) => c[0]), ys = cs.map((c) => c[1]);
  return [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
}

// 网格划分 (/grids) in real Chromium against a real server with the demo district: an analyst
// opens the editor, splits a grid by drawing a line with mouse clicks on the map, sees both new
// household counts, gets a validation error for a line that cuts a building, undoes and draws a
// good line, saves and publishes; /api/grids and the 2D map then show the new grid.
import { area, lineIntersect, lineString } from '@turf/turf';
import type { Feature, FeatureCollection, MultiPolygon, Polygon } from 'geojson';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommunityResponse, CommunitySummary } from '../../core/grid-edit/contract.js';
import { buildingsCutByLines, indexBuildings, liveFigures } from '../../core/grid-edit/stats.js';
import { edgeFaces, facesOfVertex, moveVertex, toShapes, usedVertices, type LonLat } from '../../core/grid-edit/topology.js';
import { validateGrids } from '../../core/grid-edit/validate.js';
import { gridsFromState, splitGrids, stateFromGrids } from '../../client/src/pages/grids/model.js';
import {
  apiClient,
  createAccount,
  describeStats,
  gcState,
  launchBrowser,
  loginInPage,
  openPage,
  reportFailure,
  screenshotPage,
  sleep,
  startServer,
  waitForNonBlank,
  waitForReady,
  type ApiClient,
  type TestAccount,
  type TestPage,
  type TestServer,
} from './harness.js';

const MAP_CANVAS = 'canvas.maplibregl-canvas';

let server: TestServer;
let browser: Browser;
let admin: ApiClient;
let analyst: TestAccount;
let analystApi: ApiClient;

beforeAll(async () => {
  [server, browser] = await Promise.all([startServer(), launchBrowser()]);
  admin = await apiClient(server);
  const district = (await admin.get<{ code: string }>('api/district')).body;
  analyst = await createAccount(admin, { username: 'analyst1', role: 'analyst', displayName: '分析员甲', divisionCode: district.code });
  analystApi = await apiClient(server, analyst.username, analyst.password);
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

interface Plan {
  code: string;
  data: CommunityResponse;
  key: string;
  good: LonLat[];
  bad: LonLat[];
  /** Households of the split grid's two pieces after the good line (kept key first). */
  pieces: [number, number];
  newName: string;
}

/** A vertical line across `g` at x, from just below to just above it (6 m outside). */
function crossing(g: Feature<Polygon | MultiPolygon>, x: number): LonLat[] | null {
  const probe = lineString([[x, -90], [x, 90]]);
  const ys = lineIntersect(probe, g).features.map((p) => p.geometry.coordinates[1]!);
  if (ys.length < 2) return null;
  return [[x, Math.min(...ys) - 0.00006], [x, Math.max(...ys) + 0.00006]];
}

/**
 * Find, in the analyst's communities, a grid with a vertical line that splits only it into two
 * pieces with households on both sides and cuts no building (good), and one that splits it the
 * same way but runs through a building (bad) — checked with the same pure code the page runs.
 */
async function plan(): Promise<Plan> {
  const list = (await analystApi.get<CommunitySummary[]>('api/grid-editor/communities')).body;
  expect(Array.isArray(list), JSON.stringify(list).slice(0, 300)).toBe(true);
  for (const c of list) {
    const data = (await analystApi.get<CommunityResponse>(`api/grid-editor/communities/${c.code}`)).body;
    const idx = indexBuildings(data.buildings.features.map((f) => ({ id: f.properties.id, households: f.properties.households, residents: f.properties.residents, geometry: f.geometry })));
    const state = stateFromGrids(data.grids);
    const vbuildings = data.buildings.features.map((f) => ({ id: f.properties.id, geometry: f.geometry, households: f.properties.households, residents: f.properties.residents }));
    for (const g of data.grids) {
      const feat: Feature<Polygon | MultiPolygon> = { type: 'Feature', geometry: g.geometry, properties: {} };
      const coords = (g.geometry.type === 'Polygon' ? [g.geometry.coordinates] : g.geometry.coordinates).flat(2);
      const xs = coords.map((p) => p[0]!);
      const [x0, x1] = [Math.min(...xs), Math.max(...xs)];
      let good: Plan | null = null;
      let bad: LonLat[] | null = null;
      for (let i = 2; i < 38 && !(good && bad); i++) {
        const x = x0 + ((x1 - x0) * i) / 40;
        const line = crossing(feat, x);
        if (!line) continue;
        const r = splitGrids(state, line, data.community.name);
        if (!r.ok || r.value.split.length !== 1 || r.value.split[0] !== g.key || r.value.created.length !== 1) continue;
        const cut = buildingsCutByLines([line], idx, { minInsideM: 0.5 });
        const figs = liveFigures(toShapes(r.value.state.topo), idx).grids;
        const pieces: [number, number] = [figs.get(g.key)!.households, figs.get(r.value.created[0]!)!.households];
        // Validation is the slow part (≈0.1–0.4 s): only for a line that is otherwise a candidate.
        const validation = () => validateGrids({ grids: gridsFromState(r.value.state), community: data.community.geometry, buildings: vbuildings, band: data.band });
        if (cut.length === 0 && !good && pieces[0] > 0 && pieces[1] > 0 && validation().ok) {
          good = { code: c.code, data, key: g.key, good: line, bad: [], pieces, newName: r.value.state.meta.get(r.value.created[0]!)!.name };
        }
        if (cut.length > 0 && !bad && validation().problems.some((q) => q.code === 'cuts_building')) bad = line;
      }
      if (good && bad) return { ...good, bad };
    }
  }
  throw new Error('no demo grid with a clean and a building-cutting split line');
}

/** Click a polyline on the map (terra-draw: a click per point, then the last point again to finish). */
async function drawLine(tp: TestPage, line: LonLat[]): Promise<void> {
  const box = (await tp.page.locator(MAP_CANVAS).boundingBox())!;
  const px = await tp.page.evaluate((pts) => pts.map(([lon, lat]) => window.__gc!.project!(lon, lat)), line);
  for (const [x, y] of px) {
    expect(x, 'line point inside the canvas').toBeGreaterThan(0);
    expect(y, 'line point inside the canvas').toBeGreaterThan(0);
    expect(x).toBeLessThan(box.width);
    expect(y).toBeLessThan(box.height);
  }
  for (const [x, y] of px) {
    await tp.page.mouse.move(box.x + x, box.y + y, { steps: 4 });
    await tp.page.mouse.click(box.x + x, box.y + y);
    await sleep(350);
  }
  const [lx, ly] = px[px.length - 1]!;
  await sleep(300); // not a double click
  await tp.page.mouse.click(box.x + lx, box.y + ly);
}

type DraftGridLike = { key: string; geometry: Polygon | MultiPolygon };
const coordsOf = (g: DraftGridLike): LonLat[] => (g.geometry.type === 'Polygon' ? [g.geometry.coordinates] : g.geometry.coordinates).flat(2).map((c) => [c[0]!, c[1]!]);
const totalArea = (gs: DraftGridLike[]) => gs.reduce((s, g) => s + area({ type: 'Feature', properties: {}, geometry: g.geometry }), 0);

/**
 * A vertex inside the community shared by two or more grids (every edge at it is a boundary between
 * grids), visible on screen, and a short move of it that the topology accepts.
 */
async function sharedVertexDrag(tp: TestPage, data: CommunityResponse): Promise<{ vertex: LonLat; target: LonLat; keys: string[]; from: [number, number]; to: [number, number] }> {
  const s = stateFromGrids(data.grids);
  const edges = edgeFaces(s.topo);
  const box = (await tp.page.locator(MAP_CANVAS).boundingBox())!;
  for (const v of usedVertices(s.topo)) {
    const incident = [...edges.entries()].filter(([k]) => k.split(',').map(Number).includes(v));
    if (incident.length < 2 || incident.some(([, keys]) => keys.length < 2)) continue;
    const vertex = s.topo.vertices[v]!;
    const target: LonLat = [vertex[0] + 0.00004, vertex[1] + 0.00002];
    if (!moveVertex(s.topo, v, target).ok) continue;
    const [from, to] = await tp.page.evaluate((pts) => pts.map(([lon, lat]) => window.__gc!.project!(lon, lat)), [vertex, target]);
    // Clear of the side panels and the canvas edges.
    if (from![0] < 340 || from![0] > box.width - 420 || from![1] < 40 || from![1] > box.height - 40) continue;
    return { vertex, target, keys: facesOfVertex(s.topo, v).sort(), from: from!, to: to! };
  }
  throw new Error('no shared interior vertex on screen');
}

/** Wait until the map stops moving (the projection of a point is the same twice in a row). */
async function settled(tp: TestPage, p: LonLat): Promise<void> {
  let last = '';
  for (let i = 0; i < 40; i++) {
    await sleep(250);
    const now = JSON.stringify(await tp.page.evaluate(([lon, lat]) => window.__gc!.project!(lon, lat).map(Math.round), p));
    if (now === last) return;
    last = now;
  }
}

const rowCount = (tp: TestPage) => tp.page.locator('#grid-table tbody tr').count();
const householdsOf = (tp: TestPage, key: string) => tp.page.locator(`#grid-table tr[data-key="${key}"] td.hh`).innerText().then((t) => Number(t.replace(/[^\d]/g, '')));

describe('网格划分 /grids', () => {
  it('an analyst splits a grid by drawing, is stopped from cutting a building, publishes, and the maps show the new grid', async ({ onTestFailed }) => {
    const p = await plan().catch((e) => {
      console.error(`----- server output (tail) -----\n${server.output().slice(-6000)}`);
      throw e;
    });
    const gridsBefore = (await analystApi.get<FeatureCollection<MultiPolygon, { communityCode: string; name: string }>>('api/grids')).body.features;
    const inCommunity = gridsBefore.filter((f) => f.properties.communityCode === p.code).length;

    const tp = await openPage(browser, server, { login: false });
    reportFailure(onTestFailed, server, tp, 'grids');
    try {
      await loginInPage(tp, server, analyst, `/grids?community=${p.code}`);
      await waitForReady(tp, 150_000);
      await expect(tp.page.locator('a[data-nav="grids"]').count()).resolves.toBe(1);
      const stats = await waitForNonBlank(tp.page, MAP_CANVAS, 'grids', 30_000);
      console.log(`[grids] ${p.code} grid ${p.key}; canvas ${describeStats(stats)}`);
      expect(stats.contentShare, describeStats(stats)).toBeGreaterThan(0.05);
      expect(await rowCount(tp)).toBe(inCommunity);
      await expect.poll(() => tp.page.locator('#problems li[data-code="ok"], #problems li[data-code="out_of_band"]').count(), { timeout: 30_000 }).toBeGreaterThan(0);
      await expect(tp.page.locator('.maplibregl-ctrl-attrib').innerText()).resolves.toContain('OpenStreetMap');

      // Snapping off, so the clicks land exactly where the plan says.
      await tp.page.locator('#snap').uncheck();

      // 修改 (R): drag a vertex shared by neighbouring grids; both reshape, the total area stays, undo restores.
      await tp.page.keyboard.press('r');
      const drag = await sharedVertexDrag(tp, p.data);
      const box = (await tp.page.locator(MAP_CANVAS).boundingBox())!;
      await tp.page.mouse.move(box.x + drag.from[0], box.y + drag.from[1]);
      await tp.page.mouse.down();
      await tp.page.mouse.move(box.x + drag.to[0], box.y + drag.to[1], { steps: 6 });
      await tp.page.mouse.up();
      const editorGrids = () => tp.page.evaluate(() => (window as unknown as { __gcGridEditor: { grids(): DraftGridLike[] } }).__gcGridEditor.grids());
      const using = (gs: DraftGridLike[], p0: LonLat, tolDeg: number) => gs.filter((g) => coordsOf(g).some((c) => Math.abs(c[0] - p0[0]) < tolDeg && Math.abs(c[1] - p0[1]) < tolDeg)).map((g) => g.key).sort();
      await expect.poll(async () => using(await editorGrids(), drag.vertex, 1e-9), { timeout: 10_000 }).toEqual([]);
      const moved = await editorGrids();
      expect(using(moved, drag.target, 3e-5)).toEqual(drag.keys);
      expect(totalArea(moved)).toBeCloseTo(totalArea(p.data.grids), 0);
      await tp.page.keyboard.press('Control+z');
      await expect.poll(async () => using(await editorGrids(), drag.vertex, 1e-9)).toEqual(drag.keys);

      // 分割 (S) by its shortcut.
      await tp.page.keyboard.press('s');
      expect(await tp.page.evaluate(() => document.body.dataset.tool)).toBe('split');

      // A line through a building: split happens, but validation names the cut building.
      await drawLine(tp, p.bad);
      await expect.poll(() => rowCount(tp), { timeout: 15_000 }).toBe(inCommunity + 1);
      await expect.poll(() => tp.page.locator('#problems li[data-code="cuts_building"]').count(), { timeout: 30_000 }).toBeGreaterThan(0);
      await expect(tp.page.locator('#live-line').innerText()).resolves.toMatch(/切开/);
      // Clicking the problem highlights it.
      await tp.page.locator('#problems li[data-code="cuts_building"]').first().click();
      await expect(tp.page.locator('#problems li.active').count()).resolves.toBe(1);
      await screenshotPage(tp.page, 'grids-cut-building');

      // Undo (Ctrl+Z) and draw a clean line instead.
      await tp.page.keyboard.press('Control+z');
      await expect.poll(() => rowCount(tp), { timeout: 10_000 }).toBe(inCommunity);
      await expect.poll(() => tp.page.locator('#problems li[data-code="cuts_building"]').count(), { timeout: 30_000 }).toBe(0);
      // The problem click zoomed in: pick the grid in the list to bring it into view again.
      await tp.page.locator(`#grid-table tr[data-key="${p.key}"]`).click();
      await settled(tp, p.good[0]!);
      await drawLine(tp, p.good);
      await expect.poll(() => rowCount(tp), { timeout: 15_000 }).toBe(inCommunity + 1);
      await expect.poll(() => householdsOf(tp, p.key)).toBe(p.pieces[0]);
      await expect.poll(() => householdsOf(tp, 'new-1')).toBe(p.pieces[1]);
      await expect.poll(() => tp.page.locator('#problems li[data-code="cuts_building"]').count(), { timeout: 30_000 }).toBe(0);
      await screenshotPage(tp.page, 'grids-split');

      // Save the draft, then publish with a note; the report says what moved.
      const rev = Number(await tp.page.locator('#draft-status').getAttribute('data-revision'));
      await tp.page.locator('#save').click();
      await expect.poll(async () => Number(await tp.page.locator('#draft-status').getAttribute('data-revision')), { timeout: 30_000 }).toBeGreaterThan(rev);
      // Someone has the 2D map open meanwhile: it must pick the new grids up live, without a reload.
      const watcher = await openPage(browser, server, { login: false });
      await loginInPage(watcher, server, analyst, '/map.html');
      await waitForReady(watcher, 150_000);
      await expect.poll(async () => (await gcState(watcher.page)).gridCount, { timeout: 30_000 }).toBe(gridsBefore.length);
      const loadedAt = await watcher.page.evaluate(() => performance.timeOrigin);

      await tp.page.locator('#publish').click();
      await tp.page.locator('#ge-publish textarea[name="note"]').fill('浏览器测试：按道路分割网格');
      await tp.page.locator('#ge-publish button[type="submit"]').click();
      await tp.page.locator('#ge-publish-report').waitFor({ timeout: 60_000 });
      await expect(tp.page.locator('#ge-publish-report [data-moved="households"]').innerText()).resolves.toMatch(/\d/);
      await screenshotPage(tp.page, 'grids-published');
      await tp.page.locator('#ge-publish-report button[type="submit"]').click();

      // The published grids are what everyone sees.
      const gridsAfter = (await analystApi.get<FeatureCollection<MultiPolygon, { communityCode: string; name: string }>>('api/grids')).body.features;
      expect(gridsAfter.filter((f) => f.properties.communityCode === p.code)).toHaveLength(inCommunity + 1);
      expect(gridsAfter.map((f) => f.properties.name)).toContain(p.newName);
      // The open map took them from the grids:changed event (same page load).
      await expect.poll(async () => (await gcState(watcher.page)).gridCount, { timeout: 60_000, message: 'open /map shows the published grids live' }).toBe(gridsAfter.length);
      expect(await watcher.page.evaluate(() => performance.timeOrigin)).toBe(loadedAt);
      expect(watcher.problems.pageErrors).toEqual([]);
      await watcher.close();

      await tp.page.goto(new URL('map.html', server.url).toString(), { waitUntil: 'domcontentloaded' });
      await waitForReady(tp, 150_000);
      const state = await gcState(tp.page);
      expect(state.gridCount).toBe(gridsAfter.length);
      expect(gridsAfter.length).toBe(gridsBefore.length + 1);
      const mapStats = await waitForNonBlank(tp.page, MAP_CANVAS, 'grids-map2d', 30_000);
      expect(mapStats.contentShare, describeStats(mapStats)).toBeGreaterThan(0.05);

      expect(tp.problems.pageErrors).toEqual([]);
      expect(tp.problems.serverErrors).toEqual([]);
    } finally {
      await tp.close();
    }
  }, 420_000);
});

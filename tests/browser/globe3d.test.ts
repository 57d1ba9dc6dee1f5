// The 3D view (/3d.html: Cesium) in real Chromium with software WebGL (SwiftShader): slow, so the
// timeouts are generous, but every wait is for a condition, never a fixed sleep.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  describeStats,
  gcState,
  launchBrowser,
  openPage,
  screenshotPage,
  startServer,
  waitForNonBlank,
  waitForReady,
  type TestServer,
} from './harness.js';

const CESIUM_CANVAS = '.cesium-widget canvas';

let server: TestServer;
let browser: Browser;

beforeAll(async () => {
  [server, browser] = await Promise.all([startServer(), launchBrowser()]);
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('3D view /3d.html', () => {
  it('renders a non-blank Cesium canvas with grids', async ({ onTestFailed }) => {
    const tp = await openPage(browser, server);
    onTestFailed(async () => {
      await screenshotPage(tp.page, 'globe3d-failed');
      console.error(`----- globe3d: page -----\n${tp.dump()}`);
      console.error(`----- globe3d: server output (tail) -----\n${server.output().slice(-8000)}`);
    });
    try {
      await tp.page.goto(new URL('3d.html', server.url).toString(), { waitUntil: 'domcontentloaded' });
      await waitForReady(tp, 180_000);
      const state = await gcState(tp.page);
      expect(state.gridCount).toBeGreaterThan(0);
      const stats = await waitForNonBlank(tp.page, CESIUM_CANVAS, 'globe3d', 60_000);
      console.log(`[globe3d] ${state.gridCount} grids; canvas ${describeStats(stats)}`);
      expect(stats.contentShare, describeStats(stats)).toBeGreaterThan(0.05);
      expect(stats.distinctColors, describeStats(stats)).toBeGreaterThanOrEqual(16);
      // Legends for what is drawn: building heights, grids by households, cases by state.
      expect(await tp.page.locator('#legend .row').count()).toBe(5);
      expect(await tp.page.locator('#grid-legend .row').count()).toBeGreaterThan(1);
      expect(await tp.page.locator('#case-legend [data-phase]').allInnerTexts()).toEqual(['在办', '超期', '已办结 / 结案']);
      expect(await tp.page.locator('#case-legend-section').isVisible()).toBe(true);
      await screenshotPage(tp.page, 'globe3d-page');
      expect(tp.problems.pageErrors).toEqual([]);
      expect(tp.problems.serverErrors).toEqual([]);
    } finally {
      await tp.close();
    }
  }, 300_000);
});

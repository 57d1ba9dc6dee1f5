// Self-test of the harness, independent of the app: Chromium starts, software WebGL works,
// screenshots decode, and the pixel helpers tell a blank canvas from a drawn one.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countNear, decodePng, describeStats, isBlank, launchBrowser, pixelStats, screenshotElement } from './harness.js';

let browser: Browser;
beforeAll(async () => { browser = await launchBrowser(); }, 60_000);
afterAll(async () => { await browser?.close(); });

const PAGE = `<!doctype html><html><body style="margin:0;background:#fff">
<canvas id="blank" width="200" height="100"></canvas>
<canvas id="drawn" width="200" height="100"></canvas>
<script>
  const c = document.getElementById('blank').getContext('2d');
  c.fillStyle = '#f0f0f0'; c.fillRect(0, 0, 200, 100);
  const gl = document.getElementById('drawn').getContext('webgl2', { preserveDrawingBuffer: true });
  window.webgl = !!gl;
  if (gl) {
    gl.enable(gl.SCISSOR_TEST);
    gl.scissor(0, 0, 200, 100); gl.clearColor(0.94, 0.94, 0.94, 1); gl.clear(gl.COLOR_BUFFER_BIT);
    gl.scissor(20, 20, 80, 60); gl.clearColor(1, 0, 0, 1); gl.clear(gl.COLOR_BUFFER_BIT);
    gl.scissor(120, 10, 60, 40); gl.clearColor(0, 0.4, 1, 1); gl.clear(gl.COLOR_BUFFER_BIT);
    window.renderer = gl.getParameter(gl.RENDERER);
  }
</script></body></html>`;

describe('harness', () => {
  it('launches Chromium with software WebGL and tells blank from drawn canvases', async () => {
    const context = await browser.newContext({ viewport: { width: 400, height: 300 }, deviceScaleFactor: 1 });
    const page = await context.newPage();
    await page.goto(`data:text/html,${encodeURIComponent(PAGE)}`);
    expect(await page.evaluate(() => (window as unknown as { webgl: boolean }).webgl)).toBe(true);
    console.log('[harness] WebGL renderer:', await page.evaluate(() => (window as unknown as { renderer: string }).renderer));

    const blank = pixelStats(decodePng(await screenshotElement(page, '#blank', 'harness-blank')));
    expect(isBlank(blank), describeStats(blank)).toBe(true);

    const drawnImg = decodePng(await screenshotElement(page, '#drawn', 'harness-drawn'));
    const drawn = pixelStats(drawnImg);
    expect(isBlank(drawn), describeStats(drawn)).toBe(false);
    expect(drawn.dominant).toEqual([240, 240, 240]);
    // 80×60 red and 60×40 blue rectangles.
    expect(countNear(drawnImg, [255, 0, 0], 8)).toBe(80 * 60);
    expect(countNear(drawnImg, [0, 102, 255], 8)).toBe(60 * 40);
    await context.close();
  });
});

// Browser-test harness: a real server on a free port with a fresh embedded database, a real
// headless Chromium (the system one; never downloaded), and pixel checks on screenshots.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type BrowserContext, type ConsoleMessage, type Page } from 'playwright-core';
import { PNG } from 'pngjs';
import type { TestContext } from 'vitest';

export const ROOT = resolve(import.meta.dirname, '../..');
export const RESULTS_DIR = join(ROOT, 'test-results');

/** First run loads the demo district into a fresh embedded database: allow 4 minutes. */
const SERVER_START_TIMEOUT_MS = 240_000;

// ---------------------------------------------------------------------------------------------
// Server

export interface TestServer {
  /** Base URL with a trailing slash, e.g. http://127.0.0.1:41234/ */
  url: string;
  /** Password of the bootstrap account "admin" (the server gets it as ADMIN_PASSWORD). */
  adminPassword: string;
  /** Everything the server printed so far (stdout and stderr interleaved). */
  output(): string;
  stop(): Promise<void>;
}

/** A port that was free a moment ago: bind 0, read the port, close. */
export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolvePort(port));
    });
  });
}

/** Build dist/client first if it is missing or older than its sources (same rule as npm start/test). */
async function ensureClient(): Promise<void> {
  const { ensureClientBuilt } = await import('../../scripts/lib/ensure.mjs');
  await ensureClientBuilt();
}

export async function startServer(extraEnv: Record<string, string> = {}): Promise<TestServer> {
  await ensureClient();
  const dataDir = mkdtempSync(join(tmpdir(), 'gc-browser-'));
  const port = await freePort();
  const env: NodeJS.ProcessEnv = { ...process.env };
  // Always the embedded database in a fresh folder, whatever the developer's shell or .env says.
  delete env.DATABASE_URL;
  Object.assign(env, {
    PORT: String(port),
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    LOAD_DEMO: 'true',
    LOG_LEVEL: 'info',
    ADMIN_PASSWORD: `browser-test-${randomBytes(9).toString('base64url')}`,
    ...extraEnv,
  });
  const adminPassword = env.ADMIN_PASSWORD!;

  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (b: Buffer) => { out += b.toString(); });
  child.stderr!.on('data', (b: Buffer) => { out += b.toString(); });
  let exited: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  const exitPromise = new Promise<void>((res) => {
    child.once('exit', (code, signal) => { exited = { code, signal }; res(); });
  });

  const url = `http://127.0.0.1:${port}/`;
  const stop = async () => {
    await stopChild(child, exitPromise);
    rmSync(dataDir, { recursive: true, force: true });
  };

  const started = Date.now();
  try {
    for (;;) {
      if (exited) {
        const e = exited as { code: number | null; signal: NodeJS.Signals | null };
        throw new Error(`server exited before it was healthy (code ${e.code}, signal ${e.signal})`);
      }
      if (Date.now() - started > SERVER_START_TIMEOUT_MS) {
        throw new Error(`server not healthy after ${SERVER_START_TIMEOUT_MS / 1000} s`);
      }
      try {
        const res = await fetch(`${url}api/health`, { signal: AbortSignal.timeout(5_000) });
        if (res.status === 200) break;
        await res.body?.cancel();
      } catch {
        // not listening yet
      }
      await sleep(250);
    }
  } catch (err) {
    await stop();
    const msg = err instanceof Error ? err.message : String(err);
    throw new Error(`${msg}\n----- server output -----\n${out}\n-------------------------`);
  }
  console.log(`[harness] server healthy at ${url} after ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return { url, adminPassword, output: () => out, stop };
}

/**
 * A private, consistent copy of the built client (dist/client) for one test server: pass it as
 * `startServer({ CLIENT_DIST: dir })`. While several people work in one tree, someone's rebuild
 * can empty dist/client under a running test; a copy cannot change. Remove it after the tests.
 */
export async function snapshotClient(): Promise<{ dir: string; remove(): void }> {
  await ensureClient();
  const src = join(ROOT, 'dist/client');
  for (let attempt = 0; ; attempt++) {
    const dir = mkdtempSync(join(tmpdir(), 'gc-client-'));
    try {
      cpSync(src, dir, { recursive: true });
      if (clientComplete(dir)) return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
    } catch {
      // a build was replacing files while we copied: try again
    }
    rmSync(dir, { recursive: true, force: true });
    if (attempt >= 60) throw new Error('dist/client kept changing; could not take a consistent copy');
    await sleep(2_000);
  }
}

/** Every page's own assets (scripts, styles, preloads) are there, and Cesium's static files. */
function clientComplete(dir: string): boolean {
  const pages = readdirSync(dir).filter((f) => f.endsWith('.html'));
  if (pages.length === 0 || !existsSync(join(dir, 'cesium'))) return false;
  for (const page of pages) {
    const html = readFileSync(join(dir, page), 'utf8');
    for (const m of html.matchAll(/(?:src|href)="\/(assets\/[^"?#]+)"/g)) if (!existsSync(join(dir, m[1]!))) return false;
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// API client (Node side): a logged-in cookie session with its CSRF token

export interface ApiResponse<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
}

export interface ApiClient {
  get<T = unknown>(path: string): Promise<ApiResponse<T>>;
  post<T = unknown>(path: string, body: unknown): Promise<ApiResponse<T>>;
}

function makeClient(server: TestServer, auth: { cookie?: string; csrf?: string; bearer?: string }): ApiClient {
  const call = async <T>(method: string, path: string, body?: unknown): Promise<ApiResponse<T>> => {
    const headers: Record<string, string> = {};
    if (auth.cookie) headers.cookie = auth.cookie;
    if (auth.bearer) headers.authorization = `Bearer ${auth.bearer}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (method !== 'GET' && auth.csrf) headers['x-csrf-token'] = auth.csrf;
    const r = await fetch(new URL(path, server.url), {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const raw = await r.text();
    let parsed: unknown = raw;
    try { parsed = JSON.parse(raw); } catch { /* not JSON */ }
    return { status: r.status, headers: r.headers, body: parsed as T };
  };
  return {
    get: (path) => call('GET', path),
    post: (path, body) => call('POST', path, body),
  };
}

/** Log in as `username` (default: the bootstrap admin) and return a client that sends the session. */
export async function apiClient(server: TestServer, username = 'admin', password = server.adminPassword): Promise<ApiClient> {
  const res = await fetch(new URL('api/auth/login', server.url), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`login as ${username} failed: ${res.status} ${text}`);
  const cookie = res.headers.getSetCookie().map((c) => c.split(';')[0]!).join('; ');
  return makeClient(server, { cookie, csrf: res.headers.get('x-csrf-token') ?? '' });
}

/**
 * An API token (Bearer) made by `admin` with the given role and jurisdiction, e.g.
 * `{ role: 'grid_worker', gridId }` to report incidents (admin itself may only read them).
 */
export async function tokenClient(
  server: TestServer,
  admin: ApiClient,
  binding: { role: string; divisionCode?: string; gridId?: number; departmentId?: number },
): Promise<ApiClient> {
  const res = await admin.post<{ token?: string }>('api/tokens', { name: `browser-test ${binding.role}`, kind: 'api', ...binding });
  if (res.status !== 201 || !res.body.token) throw new Error(`creating a ${binding.role} token failed: ${res.status} ${JSON.stringify(res.body)}`);
  return makeClient(server, { bearer: res.body.token });
}

async function stopChild(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------------------------
// Browser

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--use-angle=swiftshader',
  '--enable-unsafe-swiftshader',
  '--use-gl=angle',
  '--ignore-gpu-blocklist',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
  '--disable-dev-shm-usage',
];

export function chromiumPath(): string {
  const p = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!existsSync(p)) {
    throw new Error(
      `Chromium not found at ${p}. Install it (Debian: apt-get install -y --no-install-recommends chromium fonts-noto-cjk) or set CHROMIUM_PATH.`,
    );
  }
  return p;
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath(), headless: true, args: CHROMIUM_ARGS });
}

/** What a page did wrong while a test ran: uncaught errors, console errors, failed same-origin requests. */
export interface PageProblems {
  pageErrors: string[];
  consoleErrors: string[];
  /** Same-origin responses with status >= 500, and same-origin requests that failed outright. */
  serverErrors: string[];
}

export interface TestPage {
  context: BrowserContext;
  page: Page;
  problems: PageProblems;
  /** Print what was collected (call on failure). */
  dump(): string;
  close(): Promise<void>;
}

/**
 * A fresh context (1280×800, zh-CN) and page that records errors for later assertions. With
 * `login` (the default) the context first logs in as admin, so it holds the session cookie.
 */
export async function openPage(browser: Browser, server: TestServer, { login = true } = {}): Promise<TestPage> {
  const context = await browser.newContext({
    viewport: { width: 1280, height: 800 },
    deviceScaleFactor: 1,
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    reducedMotion: 'reduce',
  });
  if (login) {
    const res = await context.request.post(new URL('api/auth/login', server.url).toString(), {
      data: { username: 'admin', password: server.adminPassword },
    });
    if (res.status() !== 200) throw new Error(`browser login failed: ${res.status()} ${await res.text()}`);
  }
  const page = await context.newPage();
  const origin = new URL(server.url).origin;
  const problems: PageProblems = { pageErrors: [], consoleErrors: [], serverErrors: [] };
  const consoleLines: string[] = [];
  page.on('pageerror', (e) => problems.pageErrors.push(`${e.name}: ${e.message}`));
  page.on('console', (m: ConsoleMessage) => {
    consoleLines.push(`[${m.type()}] ${m.text()}`);
    if (m.type() === 'error') problems.consoleErrors.push(m.text());
  });
  page.on('response', (r) => {
    if (r.url().startsWith(origin) && r.status() >= 500) problems.serverErrors.push(`${r.status()} ${r.url()}`);
  });
  page.on('requestfailed', (r) => {
    // Aborted requests are normal (a map cancels tiles it no longer needs).
    const why = r.failure()?.errorText ?? '';
    if (r.url().startsWith(origin) && !/ERR_ABORTED/.test(why)) problems.serverErrors.push(`${why} ${r.url()}`);
  });
  return {
    context,
    page,
    problems,
    dump: () =>
      [
        `page errors: ${JSON.stringify(problems.pageErrors, null, 1)}`,
        `server errors: ${JSON.stringify(problems.serverErrors, null, 1)}`,
        `console (last 60):\n${consoleLines.slice(-60).join('\n')}`,
      ].join('\n'),
    close: () => context.close(),
  };
}

/**
 * Wait until the page says it has rendered (`document.body.dataset.ready === 'true'`). On
 * timeout, the error includes what `window.__gc` and the console said.
 */
export async function waitForReady(tp: TestPage, timeoutMs: number): Promise<void> {
  try {
    await tp.page.waitForFunction(() => document.body?.dataset.ready === 'true', undefined, {
      timeout: timeoutMs,
      polling: 250,
    });
  } catch (err) {
    const gc = await tp.page
      .evaluate(() => JSON.stringify((window as unknown as { __gc?: unknown }).__gc ?? null))
      .catch(() => 'n/a');
    throw new Error(`page never became ready: ${(err as Error).message}\nwindow.__gc = ${gc}\n${tp.dump()}`);
  }
}

/** The hooks /map.html and /3d.html expose for tests. */
export interface GcHooks {
  ready: boolean;
  gridCount: number;
  incidentCount: number;
  view: unknown;
  /** 2D page: lon/lat → CSS pixels relative to the top-left corner of the map canvas. */
  project?: (lon: number, lat: number) => [number, number];
}

export async function gcState(page: Page): Promise<Omit<GcHooks, 'project'>> {
  return page.evaluate(() => {
    const gc = (window as unknown as { __gc?: GcHooks }).__gc;
    if (!gc) throw new Error('window.__gc is missing');
    return { ready: gc.ready, gridCount: gc.gridCount, incidentCount: gc.incidentCount, view: gc.view };
  });
}

// ---------------------------------------------------------------------------------------------
// Pixels

export interface PixelImage {
  width: number;
  height: number;
  /** RGBA, row-major. */
  data: Buffer;
}

export function decodePng(buf: Buffer): PixelImage {
  const png = PNG.sync.read(buf);
  return { width: png.width, height: png.height, data: png.data };
}

export interface PixelStats {
  width: number;
  height: number;
  /** Distinct colours after dropping the 2 lowest bits per channel (anti-aliasing noise). */
  distinctColors: number;
  /** The most frequent colour. */
  dominant: [number, number, number];
  /** Share (0..1) of pixels differing from the dominant colour by more than `tolerance` on some channel. */
  contentShare: number;
}

export function pixelStats(img: PixelImage, tolerance = 12): PixelStats {
  const { width, height, data } = img;
  const counts = new Map<number, number>();
  for (let i = 0; i < data.length; i += 4) {
    const key = ((data[i]! >> 2) << 12) | ((data[i + 1]! >> 2) << 6) | (data[i + 2]! >> 2);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  let domKey = 0;
  let domCount = -1;
  for (const [k, c] of counts) if (c > domCount) { domKey = k; domCount = c; }
  // Exact dominant colour: the first pixel in the dominant bucket.
  let dominant: [number, number, number] = [0, 0, 0];
  for (let i = 0; i < data.length; i += 4) {
    const key = ((data[i]! >> 2) << 12) | ((data[i + 1]! >> 2) << 6) | (data[i + 2]! >> 2);
    if (key === domKey) { dominant = [data[i]!, data[i + 1]!, data[i + 2]!]; break; }
  }
  let differing = 0;
  for (let i = 0; i < data.length; i += 4) {
    if (
      Math.abs(data[i]! - dominant[0]) > tolerance ||
      Math.abs(data[i + 1]! - dominant[1]) > tolerance ||
      Math.abs(data[i + 2]! - dominant[2]) > tolerance
    ) differing++;
  }
  const n = width * height;
  return { width, height, distinctColors: counts.size, dominant, contentShare: n ? differing / n : 0 };
}

/**
 * Blank = a flat colour, or nearly: one colour, or less than 2 % of the pixels away from the
 * background. (Map tests additionally require many distinct colours.)
 */
export function isBlank(s: PixelStats): boolean {
  return s.distinctColors < 2 || s.contentShare < 0.02;
}

/** Number of pixels within `tolerance` (per channel) of `rgb`. */
export function countNear(img: PixelImage, rgb: [number, number, number], tolerance = 16): number {
  const { data } = img;
  let n = 0;
  for (let i = 0; i < data.length; i += 4) {
    if (
      Math.abs(data[i]! - rgb[0]) <= tolerance &&
      Math.abs(data[i + 1]! - rgb[1]) <= tolerance &&
      Math.abs(data[i + 2]! - rgb[2]) <= tolerance
    ) n++;
  }
  return n;
}

/** Screenshot one element into test-results/<name>.png and return the PNG bytes. */
export async function screenshotElement(page: Page, selector: string, name: string): Promise<Buffer> {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const buf = await page.locator(selector).first().screenshot({ timeout: 60_000, animations: 'disabled' });
  writeFileSync(join(RESULTS_DIR, `${name}.png`), buf);
  return buf;
}

/** Full-page screenshot into test-results/<name>.png (for failures and for the record). */
export async function screenshotPage(page: Page, name: string): Promise<void> {
  mkdirSync(RESULTS_DIR, { recursive: true });
  await page.screenshot({ path: join(RESULTS_DIR, `${name}.png`), timeout: 60_000 }).catch(() => undefined);
}

/** On failure: a full-page screenshot, what the page logged, and the end of the server's output. */
export function reportFailure(onTestFailed: TestContext['onTestFailed'], server: TestServer, tp: TestPage, name: string): void {
  onTestFailed(async () => {
    await screenshotPage(tp.page, `${name}-failed`);
    console.error(`----- ${name}: page (${tp.page.url()}) -----\n${tp.dump()}`);
    console.error(`----- ${name}: server output (tail) -----\n${server.output().slice(-8000)}`);
  });
}

/**
 * Wait until `selector`'s screenshot is not blank, polling (a WebGL map fills in over a few frames).
 * Returns the last screenshot's stats.
 */
export async function waitForNonBlank(
  page: Page,
  selector: string,
  name: string,
  timeoutMs: number,
): Promise<PixelStats> {
  const deadline = Date.now() + timeoutMs;
  let stats: PixelStats;
  for (;;) {
    stats = pixelStats(decodePng(await screenshotElement(page, selector, name)));
    if (!isBlank(stats) || Date.now() > deadline) return stats;
    await sleep(1_000);
  }
}

export function describeStats(s: PixelStats): string {
  return `${s.width}×${s.height}, ${s.distinctColors} colours, ${(s.contentShare * 100).toFixed(1)} % content, background rgb(${s.dominant.join(',')})`;
}

// ---------------------------------------------------------------------------------------------
// People and phones (tests/browser/mobile.test.ts, tests/browser/dispatch.test.ts)

export interface TestAccount {
  id: number;
  username: string;
  password: string;
}

/** An account made by `admin` with a known password (so no forced change at first login). */
export async function createAccount(
  admin: ApiClient,
  spec: { username: string; role: string; displayName?: string; gridId?: number; divisionCode?: string; departmentId?: number },
): Promise<TestAccount> {
  const password = `Pw-${randomBytes(6).toString('hex')}-1a`;
  const res = await admin.post<{ id?: number }>('api/accounts', { displayName: spec.displayName ?? spec.username, password, ...spec });
  if (res.status !== 201 || !res.body.id) throw new Error(`creating account ${spec.username} failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { id: res.body.id, username: spec.username, password };
}

/**
 * Log the page's browser context in as `account` and open `next`: through /login.html when the
 * server has a login page (the form's #username, #password, #login-submit), otherwise with
 * POST /api/auth/login from inside the page. Returns which way it went.
 */
export async function loginInPage(tp: TestPage, server: TestServer, account: Pick<TestAccount, 'username' | 'password'>, next = '/'): Promise<'login-page' | 'api'> {
  const { page } = tp;
  const hasLoginPage = (await fetch(new URL('login.html', server.url), { method: 'HEAD' })).status === 200;
  if (hasLoginPage) {
    await page.goto(new URL(`login.html?next=${encodeURIComponent(next)}`, server.url).toString(), { waitUntil: 'domcontentloaded' });
    await page.locator('#username').fill(account.username);
    await page.locator('#password').fill(account.password);
    await page.locator('#login-submit').click();
    const want = new URL(next, server.url).pathname;
    await page.waitForURL((u) => u.pathname === want, { timeout: 30_000 });
    return 'login-page';
  }
  await page.goto(server.url, { waitUntil: 'domcontentloaded' });
  const status = await page.evaluate(async ({ username, password }) => {
    const r = await fetch('/api/auth/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
    return r.status;
  }, { username: account.username, password: account.password });
  if (status !== 200) throw new Error(`login as ${account.username} failed: ${status}`);
  await page.goto(new URL(next, server.url).toString(), { waitUntil: 'domcontentloaded' });
  return 'api';
}

/** A phone: 390×844 viewport and a GPS fix at `lonLat` (geolocation allowed for the server's origin). */
export async function usePhone(tp: TestPage, server: TestServer, lonLat: [number, number]): Promise<void> {
  await tp.page.setViewportSize({ width: 390, height: 844 });
  await tp.context.grantPermissions(['geolocation'], { origin: new URL(server.url).origin });
  await tp.context.setGeolocation({ longitude: lonLat[0], latitude: lonLat[1], accuracy: 8 });
}

/**
 * A point well inside a polygon (not on its edge): of a 24×24 sample of its bbox, the inside point
 * farthest from the boundary. For GPS fixes and map taps that must land in one grid.
 */
export async function interiorPoint(f: import('geojson').Feature<import('geojson').Polygon | import('geojson').MultiPolygon>): Promise<[number, number]> {
  const turf = await import('@turf/turf');
  const [a, b, c, d] = turf.bbox(f);
  const edges = turf.polygonToLine(f);
  const lines = (edges.type === 'FeatureCollection' ? edges.features : [edges]) as import('geojson').Feature<import('geojson').LineString | import('geojson').MultiLineString>[];
  let best: [number, number] | null = null;
  let bestD = -1;
  for (let i = 1; i < 24; i++) {
    for (let j = 1; j < 24; j++) {
      const p: [number, number] = [a + ((c - a) * i) / 24, b + ((d - b) * j) / 24];
      if (!turf.booleanPointInPolygon(p, f, { ignoreBoundary: true })) continue;
      const dist = Math.min(...lines.flatMap((l) => (l.geometry.type === 'LineString' ? [l.geometry.coordinates] : l.geometry.coordinates)
        .map((coords) => turf.pointToLineDistance(p, turf.lineString(coords), { units: 'meters' }))));
      if (dist > bestD) {
        bestD = dist;
        best = p;
      }
    }
  }
  return best ?? (turf.pointOnFeature(f).geometry.coordinates as [number, number]);
}

/** Where (lon, lat) is on the page, in page pixels: the map page's `__gc.project` offset by the canvas `selector`'s box. */
export async function pagePoint(page: Page, selector: string, lon: number, lat: number): Promise<{ x: number; y: number }> {
  return page.evaluate(({ lon, lat, selector }) => {
    const gc = (window as unknown as { __gc: { project?: (lon: number, lat: number) => [number, number] } }).__gc;
    const box = document.querySelector(selector)!.getBoundingClientRect();
    const [x, y] = gc.project!(lon, lat);
    return { x: box.left + x, y: box.top + y };
  }, { lon, lat, selector });
}

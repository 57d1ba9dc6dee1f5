// Shared by scripts/start.mjs, scripts/test.mjs and the browser-test harness: make sure the
// dependencies are installed and the client is built, without any dependency of its own (it runs
// before node_modules exists). Plain Node ESM.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Progress line on stderr so that stdout stays clean for whatever the caller prints. */
export function log(msg) {
  process.stderr.write(`[gridcommand] ${msg}\n`);
}

const isWin = process.platform === 'win32';

/**
 * Run a command with inherited stdio; resolves with {code, signal}. Never rejects for a non-zero
 * exit; rejects only when the command cannot be started.
 */
export function run(cmd, args, { env = process.env, cwd = ROOT, stdio = 'inherit' } = {}) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, { cwd, env, stdio, shell: isWin && /^(npm|npx)$/.test(cmd) });
    child.once('error', reject);
    child.once('exit', (code, signal) => resolvePromise({ code: code ?? (signal ? 1 : 0), signal }));
  });
}

// ---------------------------------------------------------------------------------------------
// Dependencies

const NODE_MODULES = join(ROOT, 'node_modules');
const DEPS_STAMP = join(NODE_MODULES, '.gridcommand-install-stamp');

function mtime(path) {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return -Infinity;
  }
}

function manifestFile() {
  const lock = join(ROOT, 'package-lock.json');
  return existsSync(lock) ? lock : join(ROOT, 'package.json');
}

function manifestHash() {
  return createHash('sha256').update(readFileSync(manifestFile())).digest('hex');
}

/**
 * Whether `npm ci` / `npm install` is needed, and why. Up to date when node_modules exists and
 * either our stamp (written after a successful install) records the current package-lock.json, or
 * npm's own hidden lockfile (node_modules/.package-lock.json) is at least as new as
 * package-lock.json (a developer ran `npm install` themselves).
 */
export function dependencyState() {
  if (!existsSync(NODE_MODULES)) return { stale: true, reason: 'node_modules is missing / 未安装依赖' };
  const hash = manifestHash();
  if (existsSync(DEPS_STAMP) && readFileSync(DEPS_STAMP, 'utf8').trim() === hash) return { stale: false };
  const hidden = join(NODE_MODULES, '.package-lock.json');
  if (existsSync(hidden) && mtime(hidden) >= mtime(manifestFile())) return { stale: false, adopt: true };
  return { stale: true, reason: 'package-lock.json changed since the last install / 依赖已更新' };
}

export async function ensureDependencies() {
  const state = dependencyState();
  if (!state.stale) {
    if (state.adopt) writeFileSync(DEPS_STAMP, `${manifestHash()}\n`);
    return;
  }
  const hasLock = existsSync(join(ROOT, 'package-lock.json'));
  const args = hasLock ? ['ci', '--no-audit', '--no-fund'] : ['install', '--no-audit', '--no-fund'];
  log(`${state.reason}`);
  log(`installing dependencies (npm ${args[0]})… / 正在安装依赖…`);
  const started = Date.now();
  rmSync(DEPS_STAMP, { force: true });
  const { code } = await run('npm', args);
  if (code !== 0) throw new Error(`npm ${args.join(' ')} failed with exit code ${code}`);
  writeFileSync(DEPS_STAMP, `${manifestHash()}\n`);
  log(`dependencies installed in ${seconds(started)} / 依赖安装完成`);
}

// ---------------------------------------------------------------------------------------------
// Client build

export const CLIENT_DIST = join(ROOT, 'dist/client');
const BUILD_STAMP = join(ROOT, 'dist/.client-build-stamp');
const BUILD_INPUTS = ['client', 'core', 'vite.config.ts', 'package-lock.json'];

/** Newest modification time of the files under `path` (skipping tests and dot-folders). */
function newestMtime(path) {
  let st;
  try {
    st = statSync(path);
  } catch {
    return { time: -Infinity, file: null };
  }
  if (!st.isDirectory()) return { time: st.mtimeMs, file: path };
  let best = { time: -Infinity, file: null };
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
    if (entry.isFile() && /\.test\.[cm]?[jt]sx?$/.test(entry.name)) continue;
    const r = newestMtime(join(path, entry.name));
    if (r.time > best.time) best = r;
  }
  return best;
}

/** Whether dist/client must be (re)built, and why. */
export function clientBuildState() {
  if (!existsSync(join(ROOT, 'client'))) return { stale: false, missingSources: true };
  if (!existsSync(CLIENT_DIST) || readdirSync(CLIENT_DIST).length === 0) {
    return { stale: true, reason: 'dist/client is missing / 前端尚未构建' };
  }
  const built = existsSync(BUILD_STAMP) ? mtime(BUILD_STAMP) : newestMtime(CLIENT_DIST).time;
  let newest = { time: -Infinity, file: null };
  for (const input of BUILD_INPUTS) {
    const r = newestMtime(join(ROOT, input));
    if (r.time > newest.time) newest = r;
  }
  if (newest.time > built) {
    const rel = newest.file ? newest.file.slice(ROOT.length + 1) : '?';
    return { stale: true, reason: `${rel} is newer than dist/client / 前端源码已更新` };
  }
  return { stale: false };
}

export async function ensureClientBuilt() {
  const state = clientBuildState();
  if (state.missingSources) {
    log('no client/ sources found; skipping the client build');
    return;
  }
  if (!state.stale) return;
  log(state.reason);
  log('building the client (vite build)… / 正在构建前端…');
  const started = Date.now();
  // Record the time before building: a source edited during the build makes the next run rebuild.
  const before = new Date();
  const { code } = await run('npx', ['--no', '--', 'vite', 'build']);
  if (code !== 0) throw new Error(`vite build failed with exit code ${code}`);
  mkdirSync(dirname(BUILD_STAMP), { recursive: true });
  writeFileSync(BUILD_STAMP, `${before.toISOString()}\n`);
  utimesSync(BUILD_STAMP, before, before);
  log(`client built in ${seconds(started)} / 前端构建完成`);
}

// ---------------------------------------------------------------------------------------------
// .env

/**
 * Parse a .env file: KEY=VALUE lines, `#` comments, optional `export `, single or double quotes
 * (double-quoted values understand \n, \t, \" and \\). Unquoted values lose a trailing ` # comment`.
 */
export function parseDotEnv(text) {
  const out = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (!m) continue;
    const key = m[1];
    let value = m[2];
    if (value.startsWith('"')) {
      const end = findClosingQuote(value, '"');
      value = value.slice(1, end === -1 ? undefined : end)
        .replace(/\\(["\\nrt])/g, (_, c) => ({ n: '\n', r: '\r', t: '\t' })[c] ?? c);
    } else if (value.startsWith("'")) {
      const end = value.indexOf("'", 1);
      value = value.slice(1, end === -1 ? undefined : end);
    } else {
      value = value.replace(/\s+#.*$/, '').trim();
    }
    out[key] = value;
  }
  return out;
}

function findClosingQuote(s, q) {
  for (let i = 1; i < s.length; i++) {
    if (s[i] === '\\') i++;
    else if (s[i] === q) return i;
  }
  return -1;
}

/** Load ROOT/.env into `env` without overriding variables that are already set. Returns the keys set. */
export function loadDotEnv(file = join(ROOT, '.env'), env = process.env) {
  if (!existsSync(file)) return [];
  const parsed = parseDotEnv(readFileSync(file, 'utf8'));
  const set = [];
  for (const [k, v] of Object.entries(parsed)) {
    if (env[k] === undefined) {
      env[k] = v;
      set.push(k);
    }
  }
  return set;
}

// ---------------------------------------------------------------------------------------------
// Chromium (browser tests)

export const CHROMIUM_APT_PACKAGES = ['chromium', 'fonts-noto-cjk'];

export function findChromium(env = process.env) {
  const candidates = env.CHROMIUM_PATH ? [env.CHROMIUM_PATH] : ['/usr/bin/chromium', '/usr/bin/chromium-browser'];
  return candidates.find((p) => existsSync(p)) ?? null;
}

export function seconds(startedMs) {
  return `${((Date.now() - startedMs) / 1000).toFixed(1)} s`;
}

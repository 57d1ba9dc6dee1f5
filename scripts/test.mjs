// `npm test`: every test on a fresh clone. Installs dependencies if needed, then runs, streaming
// output:
//   typecheck     tsc --noEmit over the whole project (the wire contract's type tests only bite
//                 under the compiler); a step, not a test: it adds no passed count, a failure
//                 counts as one failed
//   unit          vitest project "unit"
//   db-embedded   vitest project "db" on embedded PGlite+PostGIS
//   db-postgres   vitest project "db" on a real PostGIS server (TEST_DATABASE_URL or DATABASE_URL;
//                 required when CI=true)
//   browser       vitest project "browser" in headless Chromium (installed with apt-get when
//                 missing and possible; otherwise a failure naming the command to run)
// All steps run; the exit code is non-zero if any failed. The last line of output is exactly
// "<passed> passed, <failed> failed" (number of tests; a step that failed without a failing test,
// e.g. one that ran no tests or could not start, counts as one failed).
//
//   npm test -- --only unit,db          run a subset (db = both database steps)
//   npm test -- --only browser map      extra arguments go to vitest (e.g. a file filter)
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  CHROMIUM_APT_PACKAGES,
  ensureClientBuilt,
  ensureDependencies,
  findChromium,
  log,
  ROOT,
  run,
} from './lib/ensure.mjs';

const STEPS = ['typecheck', 'unit', 'db-embedded', 'db-postgres', 'browser'];
const REPORT_DIR = join(ROOT, '.test-cache');
const isCI = /^(1|true|yes)$/i.test(process.env.CI ?? '');

function parseArgs(argv) {
  let only = null;
  const extra = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--only' || a.startsWith('--only=')) {
      const value = a === '--only' ? argv[++i] : a.slice('--only='.length);
      if (!value) throw new Error('--only needs a list, e.g. --only unit,db');
      only = new Set();
      for (const name of value.split(',').map((s) => s.trim()).filter(Boolean)) {
        const matched = STEPS.filter((s) => s === name || s.startsWith(`${name}-`));
        if (matched.length === 0) throw new Error(`unknown step "${name}" (steps: ${STEPS.join(', ')}, db)`);
        for (const m of matched) only.add(m);
      }
    } else if (a === '--help' || a === '-h') {
      console.log('usage: npm test [-- --only unit,db-embedded,db-postgres,browser|db] [vitest args…]');
      process.exit(0);
    } else {
      extra.push(a);
    }
  }
  return { only, extra };
}

/** Run one vitest project, streaming its output; read the counts from its JSON report. */
async function vitest(step, project, env, extra) {
  mkdirSync(REPORT_DIR, { recursive: true });
  const report = join(REPORT_DIR, `${step}.json`);
  rmSync(report, { force: true });
  const args = [
    '--no', '--', 'vitest', 'run', '--project', project,
    '--reporter=default', '--reporter=json', `--outputFile.json=${report}`,
    ...extra,
  ];
  const { code } = await run('npx', args, { env: { ...process.env, ...env } });
  let passed = 0;
  let failed = 0;
  let note = '';
  if (existsSync(report)) {
    try {
      const r = JSON.parse(readFileSync(report, 'utf8'));
      passed = r.numPassedTests ?? 0;
      failed = r.numFailedTests ?? 0;
      if (r.numFailedTestSuites) note = `${r.numFailedTestSuites} file(s) failed`;
    } catch (err) {
      note = `unreadable report: ${err.message}`;
    }
  } else {
    note = 'no report written';
  }
  let ok = code === 0 && failed === 0;
  if (passed + failed === 0) {
    ok = false;
    note ||= 'no tests ran';
  }
  return { ok, passed, failed, note };
}

/** Chromium for the browser step: found, installed with apt-get (as root, like CI), or an error. */
async function ensureChromium() {
  let path = findChromium();
  const canApt = process.getuid?.() === 0 && existsSync('/usr/bin/apt-get');
  const fontsMissing = !existsSync('/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc');
  if (path && !(fontsMissing && canApt && process.platform === 'linux')) return path;
  if (!path && process.env.CHROMIUM_PATH) {
    throw new Error(`CHROMIUM_PATH=${process.env.CHROMIUM_PATH} does not exist`);
  }
  if (!canApt) {
    throw new Error(
      `Chromium not found (/usr/bin/chromium). Run: sudo apt-get update && sudo apt-get install -y --no-install-recommends ${CHROMIUM_APT_PACKAGES.join(' ')}  (or set CHROMIUM_PATH)`,
    );
  }
  log(`installing ${CHROMIUM_APT_PACKAGES.join(' ')} with apt-get… / 正在安装浏览器…`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const update = await run('apt-get', ['update'], { env });
  if (update.code !== 0) throw new Error('apt-get update failed');
  const install = await run('apt-get', ['install', '-y', '--no-install-recommends', ...CHROMIUM_APT_PACKAGES], { env });
  if (install.code !== 0) throw new Error(`apt-get install ${CHROMIUM_APT_PACKAGES.join(' ')} failed`);
  path = findChromium();
  if (!path) throw new Error('apt-get installed chromium but /usr/bin/chromium is still missing');
  return path;
}

async function runStep(step, extra) {
  switch (step) {
    case 'typecheck': {
      if (extra.length) return { skipped: true, note: 'not run with a file filter' };
      const { code } = await run('npx', ['--no', '--', 'tsc', '--noEmit', '-p', 'tsconfig.json']);
      return { ok: code === 0, passed: 0, failed: 0, note: code === 0 ? 'no type errors' : 'type errors (see above)' };
    }
    case 'unit':
      return vitest(step, 'unit', {}, extra);
    case 'db-embedded':
      return vitest(step, 'db', { GC_TEST_DB: 'embedded' }, extra);
    case 'db-postgres': {
      const url = process.env.TEST_DATABASE_URL || process.env.DATABASE_URL;
      if (!url) {
        const msg = 'no TEST_DATABASE_URL/DATABASE_URL: PostGIS server tests not run';
        if (isCI) {
          log(`ERROR: ${msg} (CI must test a real PostGIS server; .ci/run sets it up)`);
          return { ok: false, passed: 0, failed: 0, note: 'TEST_DATABASE_URL not set in CI' };
        }
        log(`${msg}. Set TEST_DATABASE_URL=postgres://user:pass@host:5432/db (a role that may CREATE DATABASE) to run them.`);
        return { skipped: true, note: 'set TEST_DATABASE_URL to run' };
      }
      return vitest(step, 'db', { GC_TEST_DB: 'postgres', TEST_DATABASE_URL: url }, extra);
    }
    case 'browser': {
      let chromium;
      try {
        chromium = await ensureChromium();
      } catch (err) {
        log(`ERROR: ${err.message}`);
        return { ok: false, passed: 0, failed: 0, note: 'Chromium missing' };
      }
      try {
        await ensureClientBuilt();
      } catch (err) {
        log(`ERROR: ${err.message}`);
        return { ok: false, passed: 0, failed: 0, note: 'client build failed' };
      }
      return vitest(step, 'browser', { CHROMIUM_PATH: chromium }, extra);
    }
    default:
      throw new Error(`unknown step ${step}`);
  }
}

function pad(s, n) {
  s = String(s);
  return s + ' '.repeat(Math.max(0, n - s.length));
}

async function main() {
  const { only, extra } = parseArgs(process.argv.slice(2));
  await ensureDependencies();

  const results = [];
  for (const step of STEPS) {
    if (only && !only.has(step)) continue;
    log(`── ${step} ──`);
    const started = Date.now();
    let r;
    try {
      r = await runStep(step, extra);
    } catch (err) {
      log(`ERROR in ${step}: ${err.message}`);
      r = { ok: false, passed: 0, failed: 0, note: err.message };
    }
    results.push({ step, ...r, seconds: (Date.now() - started) / 1000 });
  }

  let passed = 0;
  let failed = 0;
  let anyFailed = false;
  const lines = ['', 'step          result   passed  failed  time      note', '─'.repeat(72)];
  for (const r of results) {
    const result = r.skipped ? 'skipped' : r.ok ? 'passed' : 'FAILED';
    if (!r.skipped) {
      passed += r.passed;
      failed += r.failed;
      if (!r.ok) {
        anyFailed = true;
        if (r.failed === 0) failed += 1; // a step that failed without a failing test still fails
      }
    }
    lines.push(
      `${pad(r.step, 14)}${pad(result, 9)}${pad(r.skipped ? '-' : r.passed, 8)}${pad(r.skipped ? '-' : r.failed, 8)}` +
        `${pad(`${r.seconds.toFixed(1)} s`, 10)}${r.note ?? ''}`,
    );
  }
  const total = results.reduce((s, r) => s + r.seconds, 0);
  lines.push('─'.repeat(72), `total ${total.toFixed(1)} s`, '');
  console.log(lines.join('\n'));
  console.log(`${passed} passed, ${failed} failed`);
  process.exitCode = anyFailed ? 1 : 0;
}

main().catch((err) => {
  log(`ERROR: ${err instanceof Error ? err.message : String(err)}`);
  console.log('0 passed, 1 failed');
  process.exit(1);
});

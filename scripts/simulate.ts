// npm run simulate -- [options]: streams realistic synthetic cases into a running GridCommand
// through the real API (server/wall/simulator.ts generates them, deterministic for a seed), and can
// backfill a past day for the wall's replay (POST /api/wall/backfill, admin only).
//
//   --url URL          the server (default $GC_URL or http://127.0.0.1:8080)
//   --token T[,T…]     API token(s) allowed to report cases; without it the script logs in as the
//                      admin (--user, --password or $ADMIN_PASSWORD) and creates one
//                      subdistrict_staff token per subdistrict (revoked again on exit)
//   --seed N           default 42
//   --per-day N        average cases a day (default 400), spread by the daily rhythm
//   --speed X          simulated time runs X times faster than real time (default 1)
//   --clock ISO        simulated start time (default now): the same seed and clock give the same stream
//   --duration D       stop after D of real time (e.g. 90s, 10m, 2h; default: run until Ctrl-C)
//   --backfill DAY     write a past day (yesterday | today | YYYY-MM-DD, Beijing) with its workflow,
//                      then exit (add --live to stream afterwards); needs the admin login
//   --live             stream after a backfill
//   --no-resolve       do not take live cases through accept → start → resolve
//   --burst N          post N cases at once at the start
// Every case is marked synthetic.
import { parseArgs } from 'node:util';
import type { MultiPolygon, Polygon } from 'geojson';
import { Simulator, type SimCase, type SimGrid } from '../server/wall/simulator.js';

const { values: opt } = parseArgs({
  options: {
    url: { type: 'string', default: process.env.GC_URL ?? 'http://127.0.0.1:8080' },
    token: { type: 'string' },
    user: { type: 'string', default: 'admin' },
    password: { type: 'string', default: process.env.ADMIN_PASSWORD },
    seed: { type: 'string', default: '42' },
    'per-day': { type: 'string', default: '400' },
    speed: { type: 'string', default: '1' },
    clock: { type: 'string' },
    duration: { type: 'string' },
    backfill: { type: 'string' },
    live: { type: 'boolean', default: false },
    'no-resolve': { type: 'boolean', default: false },
    burst: { type: 'string', default: '0' },
    help: { type: 'boolean', short: 'h', default: false },
  },
  allowPositionals: false,
});

if (opt.help) {
  const src = await import('node:fs').then((fs) => fs.readFileSync(new URL(import.meta.url), 'utf8'));
  console.log(src.split('\n').filter((l) => l.startsWith('//')).map((l) => l.slice(3)).join('\n'));
  process.exit(0);
}

const BASE = opt.url!.replace(/\/$/, '');
const seed = Number(opt.seed);
const perDay = Number(opt['per-day']);
const speed = Math.max(0.01, Number(opt.speed));
const log = (msg: string) => process.stderr.write(`[simulate] ${msg}\n`);

function parseDuration(s: string | undefined): number | null {
  if (!s) return null;
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(s.trim());
  if (!m) throw new Error(`bad --duration ${s}`);
  const k = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(m[2] ?? 's') as 'ms' | 's' | 'm' | 'h'];
  return Number(m[1]) * k;
}

// ---- HTTP ----

interface Auth { cookie?: string; csrf?: string; bearer?: string }

async function call<T>(auth: Auth, method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (auth.cookie) headers.cookie = auth.cookie;
  if (auth.bearer) headers.authorization = `Bearer ${auth.bearer}`;
  if (auth.csrf && method !== 'GET') headers['x-csrf-token'] = auth.csrf;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const r = await fetch(`${BASE}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await r.text();
  let parsed: unknown = text;
  try { parsed = JSON.parse(text); } catch { /* not JSON */ }
  return { status: r.status, body: parsed as T };
}

async function login(): Promise<Auth> {
  if (!opt.password) throw new Error('give --password (or set ADMIN_PASSWORD) to log in as the admin, or pass --token');
  const r = await fetch(`${BASE}/api/auth/login`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: opt.user, password: opt.password }),
  });
  if (r.status !== 200) throw new Error(`login as ${opt.user} failed: ${r.status} ${await r.text()}`);
  const cookie = r.headers.getSetCookie().map((c) => c.split(';')[0]!).join('; ');
  return { cookie, csrf: r.headers.get('x-csrf-token') ?? '' };
}

interface GridFeature { type: 'Feature'; geometry: Polygon | MultiPolygon; properties: { id: number; communityCode: string; households: number } }
interface DivisionFeature { properties: { code: string; parentCode: string | null; name: string } }

// ---- main ----

const created: { auth: Auth; id: number }[] = [];
let adminAuth: Auth | null = null;

async function cleanup(): Promise<void> {
  for (const t of created.splice(0)) await call(t.auth, 'DELETE', `/api/tokens/${t.id}`).catch(() => undefined);
}

async function main(): Promise<void> {
  const health = await call<{ status: string }>({}, 'GET', '/api/health').catch(() => null);
  if (!health || health.status !== 200) throw new Error(`no GridCommand server at ${BASE} (start one with npm start)`);
  if (!opt.token || opt.backfill) adminAuth = await login();
  const readAuth: Auth = opt.token ? { bearer: opt.token.split(',')[0]! } : adminAuth!;
  const grids = (await call<{ features: GridFeature[] }>(readAuth, 'GET', '/api/grids')).body.features;
  const communities = (await call<{ features: DivisionFeature[] }>(readAuth, 'GET', '/api/divisions.geojson?level=community')).body.features;
  const categories = (await call<{ code: string }[]>(readAuth, 'GET', '/api/incident-categories')).body.map((c) => c.code);
  if (!grids.length) throw new Error('the server has no grids in this jurisdiction');
  const subOf = new Map(communities.map((c) => [c.properties.code, c.properties.parentCode ?? '']));
  const simGrids: SimGrid[] = grids.map((g) => ({ id: g.properties.id, communityCode: g.properties.communityCode, households: g.properties.households, geometry: g.geometry }));
  const subOfGrid = new Map(grids.map((g) => [g.properties.id, subOf.get(g.properties.communityCode) ?? '']));

  if (opt.backfill) {
    const now = Date.now();
    const day = opt.backfill === 'yesterday' ? new Date(now - 86_400_000 + 8 * 3_600_000).toISOString().slice(0, 10)
      : opt.backfill === 'today' ? new Date(now + 8 * 3_600_000).toISOString().slice(0, 10) : opt.backfill;
    if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) throw new Error(`bad --backfill ${opt.backfill}`);
    const start = new Date(`${day}T00:00:00+08:00`);
    const sim = new Simulator({ seed, grids: simGrids, categories, keyPrefix: `sim-${seed}-${day}` });
    const cases = sim.day(start, perDay).filter((c) => c.at.getTime() <= now);
    log(`backfilling ${day}: ${cases.length} cases (seed ${seed}, about ${perDay} a day), hotspots at grids ${sim.hotspots.map((h) => h.grid.id).join(', ')}`);
    const total = { created: 0, replayed: 0, refused: 0, steps: 0, future: 0 };
    for (let i = 0; i < cases.length; i += 200) {
      const chunk = cases.slice(i, i + 200).map(({ at, steps, gridId: _g, hotspot: _h, ...c }) => ({
        ...c, at: at.toISOString(), steps: steps.map((s) => ({ ...s, at: s.at.toISOString() })),
      }));
      const r = await call<{ created: number; replayed: number; refused: unknown[]; steps: number; future: number }>(adminAuth!, 'POST', '/api/wall/backfill', { incidents: chunk });
      if (r.status >= 300) throw new Error(`backfill failed: ${r.status} ${JSON.stringify(r.body)}`);
      total.created += r.body.created;
      total.replayed += r.body.replayed;
      total.refused += r.body.refused.length;
      total.steps += r.body.steps;
      total.future += r.body.future;
      log(`  ${Math.min(i + 200, cases.length)}/${cases.length}`);
    }
    log(`backfill done: ${JSON.stringify(total)}`);
    if (!opt.live) return;
  }

  // Reporting tokens: given, or one per subdistrict made by the admin.
  const tokenBySub = new Map<string, string>();
  let anyToken: string;
  if (opt.token) {
    anyToken = opt.token.split(',')[0]!;
  } else {
    const subs = [...new Set(subOf.values())].filter(Boolean);
    for (const code of subs) {
      const r = await call<{ id: number; token: string }>(adminAuth!, 'POST', '/api/tokens', {
        name: `模拟器 ${code}（seed ${seed}）`, kind: 'api', role: 'subdistrict_staff', divisionCode: code,
      });
      if (r.status !== 201) throw new Error(`creating a token for ${code} failed: ${r.status} ${JSON.stringify(r.body)}`);
      tokenBySub.set(code, r.body.token);
      created.push({ auth: adminAuth!, id: r.body.id });
    }
    anyToken = [...tokenBySub.values()][0]!;
    log(`created ${tokenBySub.size} subdistrict tokens (revoked on exit)`);
  }
  const tokenFor = (c: SimCase) => tokenBySub.get(subOfGrid.get(c.gridId) ?? '') ?? anyToken;

  const clock0 = opt.clock ? Date.parse(opt.clock) : Date.now();
  if (!Number.isFinite(clock0)) throw new Error(`bad --clock ${opt.clock}`);
  const real0 = Date.now();
  const sim = new Simulator({ seed, grids: simGrids, categories, keyPrefix: `sim-${seed}-live-${clock0.toString(36)}` });
  const simNow = () => clock0 + (Date.now() - real0) * speed;
  const stopAt = parseDuration(opt.duration);
  let running = true;
  const stop = () => { running = false; };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  if (stopAt) setTimeout(stop, stopAt).unref();

  const stats = { posted: 0, refused: 0, actions: 0 };
  /** Workflow steps due later (simulated time). */
  const due: { at: number; id: number; action: string; token: string }[] = [];
  const post = async (c: SimCase) => {
    const { at: _a, steps, gridId: _g, hotspot: _h, ...body } = c;
    const token = tokenFor(c);
    const r = await call<{ id: number }>({ bearer: token }, 'POST', '/api/incidents', body);
    if (r.status === 201 || r.status === 200) {
      stats.posted++;
      if (!opt['no-resolve'] && steps.some((s) => s.action === 'resolve' && s.by === 'grid_worker')) {
        for (const s of steps) {
          if (s.by !== 'grid_worker' || !['accept', 'start', 'resolve'].includes(s.action)) continue;
          due.push({ at: clock0 + (s.at.getTime() - c.at.getTime()) + (simNow() - clock0), id: r.body.id, action: s.action, token });
        }
        due.sort((a, b) => a.at - b.at);
      }
    } else {
      stats.refused++;
      log(`refused (${r.status}): ${JSON.stringify(r.body)}`);
    }
  };

  const burst = Number(opt.burst);
  for (let i = 0; i < burst; i++) {
    const c = sim.caseAt(new Date(simNow()));
    c.steps = sim.plan(c);
    await post(c);
  }
  log(`streaming about ${perDay} cases a simulated day at ${speed}× (seed ${seed}); Ctrl-C to stop`);
  let cursor = simNow();
  let lastReport = Date.now();
  while (running) {
    // The next hour of simulated arrivals, posted when their (scaled) time comes.
    const horizon = cursor + 3_600_000;
    const arrivals = sim.arrivals(new Date(cursor), new Date(horizon), perDay);
    for (const at of arrivals) {
      while (running && simNow() < at.getTime()) {
        await flushDue();
        await sleep(Math.min(1000, Math.max(5, (at.getTime() - simNow()) / speed)));
      }
      if (!running) break;
      const c = sim.caseAt(at);
      c.steps = sim.plan(c);
      await post(c);
    }
    cursor = horizon;
    while (running && simNow() < cursor) {
      await flushDue();
      await sleep(Math.min(1000, Math.max(5, (cursor - simNow()) / speed)));
    }
    if (Date.now() - lastReport > 30_000) {
      log(`posted ${stats.posted}, refused ${stats.refused}, workflow steps ${stats.actions}`);
      lastReport = Date.now();
    }
  }
  log(`stopped: posted ${stats.posted}, refused ${stats.refused}, workflow steps ${stats.actions}`);

  async function flushDue(): Promise<void> {
    while (due.length && due[0]!.at <= simNow()) {
      const d = due.shift()!;
      const r = await call({ bearer: d.token }, 'POST', `/api/incidents/${d.id}/actions`, { action: d.action });
      if (r.status === 200) stats.actions++;
    }
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

try {
  await main();
} catch (e) {
  log((e as Error).message);
  process.exitCode = 1;
} finally {
  await cleanup();
}

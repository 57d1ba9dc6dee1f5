// Scale-out (issue 13). On PostgreSQL: three real server processes on loopback share live rooms
// through @socket.io/postgres-adapter. Screens of different scopes connect to different processes,
// reports are posted to one process, and every screen receives exactly the cases of its rooms —
// none lost, none twice. Then one process is killed: its screens reconnect to another process (a
// TCP front stands in for the reverse proxy) and catch up on what they missed. On embedded PGlite
// (one process owns the data folder) WORKERS>1 is refused with one clear line.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IncidentView } from '../../core/contract.js';
import type { SubscribeRequest } from '../../core/events.js';
import { childEnv, run, startServer, tempDataDir, type ChildServer } from '../db/testkit.js';
import { createTestDb, testDbKind, type TestDb } from '../testing/db.js';
import { FIXTURE, loadFixture } from '../testing/fixture.js';
import { loadPrincipals, type Principals } from '../testing/principals.js';
import { liveClient, type LiveClient } from './live-client.js';
import { tcpFront, type TcpFront } from './proxy.js';

const onPostgres = testDbKind() === 'postgres';
// Each engine's run registers only the tests that apply to it (nothing shows as skipped): the
// embedded engine belongs to one process, so three processes can only share a real PostgreSQL.
const onEmbeddedOnly = onPostgres ? () => undefined : describe;
const onPostgresOnly = onPostgres ? describe : () => undefined;

onEmbeddedOnly('scale-out on embedded PGlite', () => {
  it('refuses WORKERS>1 with one line naming the reason', () => {
    const data = tempDataDir();
    try {
      const r = run(['server/main.ts'], childEnv(data.dir, { WORKERS: '3' }), 60_000);
      expect(r.status).toBe(1);
      const lines = r.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/WORKERS=3 needs DATABASE_URL — the embedded database \(PGlite\) is owned by one process/);
      expect(r.stdout).not.toMatch(/http:\/\//); // nothing started
    } finally {
      data.remove();
    }
  });
});

onPostgresOnly('three server processes sharing live rooms (postgres adapter)', () => {
  let t: TestDb;
  let g: Awaited<ReturnType<typeof loadFixture>>;
  let who: Principals;
  const data = tempDataDir();
  const servers: ChildServer[] = [];
  const fronts: TcpFront[] = [];
  const clients: LiveClient[] = [];
  const posted: IncidentView[] = [];
  let seq = 0;

  beforeAll(async () => {
    t = await createTestDb();
    g = await loadFixture(t.db);
    who = await loadPrincipals(t.db, g);
    const dbName = (await t.db.query<{ d: string }>('SELECT current_database() AS d')).rows[0]!.d;
    const url = new URL(process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL!);
    url.pathname = `/${dbName}`;
    const env = childEnv(data.dir, { DATABASE_URL: url.toString(), SOCKET_ADAPTER: 'postgres', INTAKE_RATE_LIMIT: '100000' });
    // Started together: they take turns at the start-up lock.
    servers.push(...await Promise.all([0, 1, 2].map(() => startServer(env))));
  }, 240_000);

  afterAll(async () => {
    clients.forEach((c) => c.close());
    await Promise.all(fronts.map((f) => f.close()));
    await Promise.all(servers.map((s) => s.stop('SIGTERM')));
    await t?.drop();
    data.remove();
  }, 60_000);

  /** Backends a front may use; `hold` keeps reconnects waiting (the client's backoff, made deterministic). */
  const dead = new Set<number>();
  let hold = false;
  /** A screen on server `home` (a front prefers it, then the others that are alive). */
  const screen = async (name: string, home: number, token: string, rooms: SubscribeRequest) => {
    const order = [home, ...[0, 1, 2].filter((i) => i !== home)];
    const front = await tcpFront(() => (hold ? [] : order.filter((i) => !dead.has(i)).map((i) => servers[i]!.port)));
    fronts.push(front);
    const c = liveClient({ name, url: front.url, token, rooms, reconnectMs: 200 });
    clients.push(c);
    return { c, front, home };
  };

  const post = async (server: ChildServer, at: [number, number]) => {
    const r = await fetch(`${server.url}/api/incidents`, {
      method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${who.tokens.subdistrict}` },
      body: JSON.stringify({ lon: at[0], lat: at[1], category: 'parking', description: '占道停车（合成）', source: 'hotline_12345', clientKey: `scale-out-${seq++}` }),
    });
    const body = await r.text();
    expect(r.status, body).toBe(201);
    const i = JSON.parse(body) as IncidentView;
    posted.push(i);
    return i;
  };
  const pointA2: [number, number] = [121.4975, 31.235];
  const places: [number, number][] = [FIXTURE.pointA1, pointA2, FIXTURE.pointB1, FIXTURE.pointNoGrid];

  const waitFor = async (what: string, cond: () => boolean, ms = 20_000) => {
    const t0 = Date.now();
    while (!cond()) {
      if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  it('delivers each case once to every screen of its rooms across processes, and a killed process\'s screens catch up elsewhere', async () => {
    const inRooms = (rooms: SubscribeRequest) => (i: IncidentView) =>
      (rooms.grids ?? []).includes(i.gridId ?? -1)
      || (rooms.divisions ?? []).some((d) => [i.districtCode, i.subdistrictCode, i.communityCode].includes(d));
    const spec: [string, number, keyof Principals['tokens'], SubscribeRequest][] = [
      ['grid worker A1', 0, 'gridA1', { grids: [g.gridA1] }],
      ['grid worker B1', 1, 'gridB1', { grids: [g.gridB1] }],
      ['community A', 2, 'communityA', { divisions: [FIXTURE.communityA] }],
      ['community B', 0, 'communityB', { divisions: [FIXTURE.communityB] }],
      ['district leader', 1, 'leader', { divisions: [FIXTURE.district] }],
    ];
    const screens = await Promise.all(spec.map(async ([name, home, token, rooms]) => ({ ...(await screen(name, home, who.tokens[token], rooms)), want: inRooms(rooms) })));
    await Promise.all(screens.map((s) => s.c.ready));
    // Each screen is on the process it was sent to (its socket and its catch-up request).
    for (const s of screens) expect([...new Set(s.front.routed)]).toEqual([servers[s.home]!.port]);

    // Phase 1: twelve reports to process 2, three at each place.
    for (let k = 0; k < 12; k++) await post(servers[2]!, places[k % 4]!);
    const expected = (s: (typeof screens)[number]) => new Set(posted.filter(s.want).map((i) => i.id));
    const received = (s: (typeof screens)[number]) => new Set(s.c.adds.keys());
    await waitFor('phase 1 deliveries', () => screens.every((s) => received(s).size >= expected(s).size));
    await new Promise((r) => setTimeout(r, 300)); // anything extra (a duplicate, another room's case) would arrive now
    for (const s of screens) {
      expect([...received(s)].sort(), s.c.name).toEqual([...expected(s)].sort());
      expect([...s.c.adds.values()].every((n) => n === 1), `${s.c.name}: no duplicates`).toBe(true);
    }
    expect(expected(screens[4]!).size).toBe(12); // the district leader sees everything
    expect(expected(screens[0]!).size).toBe(3);

    // Phase 2: process 1 dies (kill -9). Its screens are cut off; reports go on at process 0 meanwhile.
    const phase1 = posted.length;
    hold = true;
    dead.add(1);
    const routedBefore = new Map(screens.map((s) => [s, s.front.routed.length]));
    await servers[1]!.stop('SIGKILL');
    const orphans = screens.filter((s) => s.home === 1);
    await waitFor('the killed process\'s screens to notice', () => orphans.every((s) => !s.c.socket.connected), 10_000);
    for (let k = 0; k < 8; k++) await post(servers[0]!, places[k % 4]!);
    const missed = posted.slice(phase1);
    // The others got them live meanwhile.
    const survivors = screens.filter((s) => s.home !== 1);
    await waitFor('phase 2 deliveries to the other screens', () => survivors.every((s) => received(s).size >= expected(s).size));
    // Now the front lets them reconnect — to another process; they re-subscribe and catch up.
    hold = false;
    await waitFor('reconnect and catch-up', () => orphans.every((s) => s.c.catchUps >= 2 && [...expected(s)].every((id) => s.c.known.has(id))));
    for (const s of orphans) {
      const after = s.front.routed.slice(routedBefore.get(s));
      expect(after.length).toBeGreaterThan(0);
      expect(after).not.toContain(servers[1]!.port);
      expect([...s.c.known].sort(), s.c.name).toEqual([...expected(s)].sort());
      // What it missed came from the catch-up, not from a live diff it could not have received.
      for (const i of missed.filter(s.want)) {
        expect(s.c.adds.has(i.id)).toBe(false);
        expect(s.c.caughtUp.has(i.id)).toBe(true);
      }
    }

    // Phase 3: four more reports to process 2; everyone gets them live, once, on its new process.
    const phase2 = posted.length;
    for (let k = 0; k < 4; k++) await post(servers[2]!, places[k % 4]!);
    const fresh = posted.slice(phase2);
    await waitFor('phase 3 deliveries', () => screens.every((s) => fresh.filter(s.want).every((i) => s.c.adds.has(i.id))));
    await new Promise((r) => setTimeout(r, 300));
    for (const s of screens) {
      expect([...s.c.adds.values()].every((n) => n === 1), `${s.c.name}: no duplicates`).toBe(true);
      expect([...s.c.known].sort(), s.c.name).toEqual([...expected(s)].sort());
      if (s.home !== 1) expect([...received(s)].sort(), `${s.c.name}: nothing lost live`).toEqual([...expected(s)].sort());
    }
  }, 120_000);

  it('WORKERS=2: one port, a cluster primary handing sessions to two workers (sticky), rooms shared between them', async () => {
    const dbUrl = (await t.db.query<{ d: string }>('SELECT current_database() AS d')).rows[0]!.d;
    const url = new URL(process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL!);
    url.pathname = `/${dbUrl}`;
    const cluster = await startServer(childEnv(data.dir, { DATABASE_URL: url.toString(), WORKERS: '2', INTAKE_RATE_LIMIT: '100000' }));
    let watchers: LiveClient[] = [];
    try {
      const pids = new Set([...cluster.output().matchAll(/worker (\d+) ready/g)].map((m) => m[1]));
      expect(pids.size).toBe(2);
      expect(cluster.output()).toMatch(/2 workers behind one port/);
      // Long-polling only: every poll is a new request, which must reach the worker holding the session.
      watchers = [0, 1, 2, 3].map((k) => liveClient({ name: `wall ${k}`, url: cluster.url, token: who.tokens.leader, rooms: { divisions: [FIXTURE.district] }, transports: ['polling'] }));
      clients.push(...watchers);
      await Promise.all(watchers.map((w) => w.ready));
      const before = posted.length;
      for (let k = 0; k < 3; k++) await post(cluster, [FIXTURE.pointNoGrid[0] - 0.002 * k, FIXTURE.pointNoGrid[1] + 0.0015]);
      const ids = posted.slice(before).map((i) => i.id);
      await waitFor('cluster deliveries', () => watchers.every((w) => ids.every((id) => w.adds.has(id))));
      await new Promise((r) => setTimeout(r, 300));
      for (const w of watchers) {
        expect(ids.map((id) => w.adds.get(id))).toEqual([1, 1, 1]);
        expect(w.subscriptions).toBe(1); // never dropped: no "session ID unknown" on the other worker
      }
    } finally {
      // Screens closed first, whatever failed above: a graceful stop waits for open connections.
      watchers.forEach((w) => w.close());
      const code = await Promise.race([cluster.stop('SIGTERM'), new Promise<string>((r) => setTimeout(() => r('still running 20 s after SIGTERM'), 20_000))]);
      if (code !== 0) await cluster.stop('SIGKILL');
      expect(code, cluster.output().slice(-2000)).toBe(0);
    }
  }, 240_000);
});

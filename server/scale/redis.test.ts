// The Redis adapter (REDIS_URL): two real server processes on PostgreSQL share rooms through a
// Redis started here on a loopback port; a report posted to one reaches screens on both, once,
// and an auth revocation on one disconnects a socket held by the other. Runs where redis-server
// is installed (Debian: apt-get install redis-server; .ci/run installs it) and on PostgreSQL. In CI a
// missing redis-server is a failure, never a skip; elsewhere the file says what to install.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IncidentView } from '../../core/contract.js';
import { childEnv, run, startServer, tempDataDir, type ChildServer } from '../db/testkit.js';
import { createTestDb, testDbKind, type TestDb } from '../testing/db.js';
import { FIXTURE, loadFixture } from '../testing/fixture.js';
import { ADMIN_PASSWORD, insertToken, loadPrincipals, type Principals } from '../testing/principals.js';
import { liveClient, type LiveClient } from './live-client.js';

const hasRedis = spawnSync('redis-server', ['--version']).status === 0;
const freePort = () => new Promise<number>((resolve) => {
  const s = createServer().listen(0, '127.0.0.1', () => { const p = (s.address() as AddressInfo).port; s.close(() => resolve(p)); });
});

const isCI = /^(1|true|yes)$/i.test(process.env.CI ?? '');
if (testDbKind() === 'postgres' && !hasRedis) {
  if (isCI) {
    describe('two server processes sharing rooms through Redis', () => {
      it('needs redis-server (apt-get install redis-server)', () => {
        throw new Error('redis-server not found: CI must test the Redis adapter (.ci/run installs redis-server)');
      });
    });
  } else {
    console.warn('[redis.test] redis-server not installed: the Redis adapter test is not run (apt-get install redis-server)');
  }
}
// On either engine: a server told to use Redis without saying where refuses to start, in one line.
describe('the Redis adapter setting', () => {
  it('SOCKET_ADAPTER=redis without REDIS_URL is refused before anything starts', () => {
    const data = tempDataDir();
    try {
      const r = run(['server/main.ts'], childEnv(data.dir, { SOCKET_ADAPTER: 'redis' }), 60_000);
      expect(r.status).not.toBe(0);
      expect(r.stderr).toMatch(/SOCKET_ADAPTER=redis needs REDIS_URL/);
      expect(r.stdout).not.toMatch(/http:\/\//); // nothing started
    } finally {
      data.remove();
    }
  });
});

const onPostgresWithRedis = hasRedis && testDbKind() === 'postgres' ? describe : () => undefined;
onPostgresWithRedis('two server processes sharing rooms through Redis', () => {
  let t: TestDb;
  let who: Principals;
  let redis: ChildProcess;
  const data = tempDataDir();
  const servers: ChildServer[] = [];
  const clients: LiveClient[] = [];

  beforeAll(async () => {
    const port = await freePort();
    redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    t = await createTestDb();
    who = await loadPrincipals(t.db, await loadFixture(t.db));
    const url = new URL(process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL!);
    url.pathname = `/${(await t.db.query<{ d: string }>('SELECT current_database() AS d')).rows[0]!.d}`;
    // SOCKET_ADAPTER stays auto: REDIS_URL alone chooses Redis.
    const env = childEnv(data.dir, { DATABASE_URL: url.toString(), REDIS_URL: `redis://127.0.0.1:${port}` });
    servers.push(...await Promise.all([0, 1].map(() => startServer(env))));
  }, 240_000);

  afterAll(async () => {
    clients.forEach((c) => c.close());
    await Promise.all(servers.map((s) => s.stop('SIGTERM')));
    redis?.kill('SIGTERM');
    await t?.drop();
    data.remove();
  }, 60_000);

  it('a report posted to one process reaches the screens of both, once; a revoked token loses its socket on the other', async () => {
    const screens = [0, 1].map((k) => liveClient({ name: `leader on ${k}`, url: servers[k]!.url, token: who.tokens.leader, rooms: { divisions: [FIXTURE.district] } }));
    const secret = 'gct_redis_revocation_test_token_0001';
    const tokenId = await insertToken(t.db, secret, 'revoked later', 'community_staff', { divisionCode: FIXTURE.communityA });
    const doomed = liveClient({ name: 'token on 1', url: servers[1]!.url, token: secret, rooms: { divisions: [FIXTURE.communityA] } });
    clients.push(...screens, doomed);
    await Promise.all(clients.map((c) => c.ready));

    const r = await fetch(`${servers[0]!.url}/api/incidents`, {
      method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${who.tokens.subdistrict}` },
      body: JSON.stringify({ lon: FIXTURE.pointA1[0], lat: FIXTURE.pointA1[1], category: 'parking', description: '占道停车（合成）', source: 'hotline_12345', clientKey: 'redis-adapter-1' }),
    });
    expect(r.status).toBe(201);
    const id = ((await r.json()) as IncidentView).id;
    const t0 = Date.now();
    while (!clients.every((c) => c.adds.has(id)) && Date.now() - t0 < 15_000) await new Promise((res) => setTimeout(res, 50));
    await new Promise((res) => setTimeout(res, 300));
    expect(clients.map((c) => c.adds.get(id))).toEqual([1, 1, 1]);

    // An admin revokes the token on process 0 (auth.revoked → disconnectSockets through the adapter).
    const login = await fetch(`${servers[0]!.url}/api/auth/login`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }),
    });
    expect(login.status).toBe(200);
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    const csrf = login.headers.get('x-csrf-token')!;
    doomed.socket.io.opts.reconnection = false;
    const del = await fetch(`${servers[0]!.url}/api/tokens/${tokenId}`, { method: 'DELETE', headers: { cookie, 'x-csrf-token': csrf } });
    expect(del.status).toBeLessThan(300);
    const t1 = Date.now();
    while (doomed.socket.connected && Date.now() - t1 < 10_000) await new Promise((res) => setTimeout(res, 50));
    expect(doomed.socket.connected).toBe(false);
    expect(screens.every((s) => s.socket.connected)).toBe(true);
  }, 120_000);
});

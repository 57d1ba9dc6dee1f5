// A new incident reaches the sockets subscribed to the divisions it falls in — and no others —
// and sockets only join rooms inside their principal's jurisdiction.
import { io as connect, type Socket } from 'socket.io-client';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import type { ClientToServerEvents, GridsChanged, ServerToClientEvents, SubscribeAck } from '../../core/events.js';
import type { Diff } from '../../core/diff.js';
import type { Incident } from '../../core/types.js';
import { loadConfig } from '../config.js';
import { start, type Running } from '../server.js';
import { createTestDb, testDbKind, type TestDb } from '../testing/db.js';
import { FIXTURE, loadFixture } from '../testing/fixture.js';
import { ADMIN_PASSWORD, insertToken, loadPrincipals, type Principals } from '../testing/principals.js';
import { attachSockets, originAllowed } from './sockets.js';
import { EventBus } from './bus.js';
import { SESSION_COOKIE, sha256, SQL as AUTH_SQL } from '../auth/principal.js';

type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;
let t: TestDb;
let running: Running;
let base: string;
let who: Principals;
let g: Awaited<ReturnType<typeof loadFixture>>;
const sockets: ClientSocket[] = [];

beforeAll(async () => {
  t = await createTestDb();
  g = await loadFixture(t.db);
  who = await loadPrincipals(t.db, g);
  running = await start(loadConfig({ PORT: '0', LOAD_DEMO: 'false', LOG_LEVEL: 'silent', ALLOWED_ORIGINS: 'https://wall.example.org' }), () => undefined, { db: t.db });
  base = `http://127.0.0.1:${running.port}`;
}, 180_000);
afterAll(async () => {
  sockets.forEach((s) => s.close());
  await running?.close(); // closes the db too
});

function open(token: string | undefined, headers: Record<string, string> = {}): ClientSocket {
  const s: ClientSocket = connect(base, { transports: ['websocket'], forceNew: true, reconnection: false, auth: token ? { token } : {}, extraHeaders: headers });
  sockets.push(s);
  return s;
}

async function subscribed(token: string, req: { divisions?: string[]; grids?: number[] }): Promise<{ s: ClientSocket; diffs: Diff<Incident>[]; ack: SubscribeAck }> {
  const s = open(token);
  const diffs: Diff<Incident>[] = [];
  s.on('incidents:diff', (d) => diffs.push(d));
  const ack = await new Promise<SubscribeAck>((resolve) => s.emit('subscribe', req, resolve));
  return { s, diffs, ack };
}

const post = (lonlat: [number, number], key: string, token = who.tokens.subdistrict) =>
  fetch(`${base}/api/incidents`, {
    method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
    body: JSON.stringify({ lon: lonlat[0], lat: lonlat[1], category: 'parking', description: '占道停车', source: 'hotline_12345', clientKey: key }),
  });

const waitFor = async (cond: () => boolean | Promise<boolean>, ms = 5000) => {
  const t0 = Date.now();
  while (!(await cond())) {
    if (Date.now() - t0 > ms) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
};
const settle = () => new Promise((res) => setTimeout(res, 300));

describe(`socket.io incident diffs on ${testDbKind()}`, () => {
  it('pushes an add diff to the district, subdistrict, community and grid rooms, never to another community', async () => {
    const district = await subscribed(who.tokens.leader, { divisions: [FIXTURE.district] });
    const communityA = await subscribed(who.tokens.communityA, { divisions: [FIXTURE.communityA] });
    const communityB = await subscribed(who.tokens.communityB, { divisions: [FIXTURE.communityB] });
    expect(communityA.ack).toEqual({ ok: true, rooms: ['division:T0101'] });
    const r = await post(FIXTURE.pointA1, 'socket-test-0001');
    expect(r.status).toBe(201);
    const created = (await r.json()) as Incident;
    await waitFor(() => district.diffs.length > 0 && communityA.diffs.length > 0);
    expect(district.diffs[0]).toEqual({ add: [created], update: [], remove: [] });
    expect(communityA.diffs[0]!.add[0]!.id).toBe(created.id);
    // A replay of the same key is not a new event.
    expect((await post(FIXTURE.pointA1, 'socket-test-0001')).status).toBe(200);
    await settle();
    expect(communityB.diffs).toEqual([]);
    expect(district.diffs).toHaveLength(1);
  });

  it('a socket in several matching rooms receives one message, not one per room', async () => {
    const both = await subscribed(who.tokens.leader, { divisions: [FIXTURE.district, FIXTURE.subdistrict, FIXTURE.communityB] });
    await post(FIXTURE.pointB1, 'socket-test-0002');
    await waitFor(() => both.diffs.length > 0);
    await settle();
    expect(both.diffs).toHaveLength(1);
  });

  it('a grid worker only ever receives incidents of their own grid', async () => {
    const worker = await subscribed(who.tokens.gridA1, { grids: [g.gridA1] });
    expect(worker.ack.ok).toBe(true);
    // Wider rooms and other grids are refused.
    for (const req of [{ divisions: [FIXTURE.communityA] }, { divisions: [FIXTURE.district] }, { grids: [g.gridA2] }, { grids: [g.gridB1] }]) {
      const ack = await new Promise<SubscribeAck>((resolve) => worker.s.emit('subscribe', req, resolve));
      expect(ack).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    }
    const a2 = [121.4975, 31.235] as [number, number]; // grid A2, same community
    const keys = ['grid-scope-a2', 'grid-scope-b1', 'grid-scope-a1'];
    expect((await post(a2, keys[0]!)).status).toBe(201);
    expect((await post(FIXTURE.pointB1, keys[1]!)).status).toBe(201);
    const own = (await (await post(FIXTURE.pointA1, keys[2]!)).json()) as Incident;
    await waitFor(() => worker.diffs.length > 0);
    await settle();
    expect(worker.diffs.flatMap((d) => d.add.map((i) => i.id))).toEqual([own.id]);
  });

  it('a case handed to another grid (派往指定网格) leaves the old grid\'s screens with a remove diff', async () => {
    const worker = await subscribed(who.tokens.gridA1, { grids: [g.gridA1] });
    const community = await subscribed(who.tokens.communityA, { divisions: [FIXTURE.communityA] });
    const c = (await (await post(FIXTURE.pointA1, 'socket-handover-1', who.tokens.communityA)).json()) as Incident;
    await waitFor(() => worker.diffs.some((d) => d.add.some((i) => i.id === c.id)));
    const r = await fetch(`${base}/api/incidents/${c.id}/actions`, {
      method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${who.tokens.communityA}` },
      body: JSON.stringify({ action: 'dispatch', level: 'grid', gridId: g.gridA2 }),
    });
    expect(r.status).toBe(200);
    await waitFor(() => worker.diffs.some((d) => d.remove.includes(c.id)));
    await waitFor(() => community.diffs.some((d) => d.update.some((i) => i.id === c.id && i.gridId === g.gridA2)));
    await settle();
    // The worker of grid A1 gets the removal only; the community, still the case's, only the update.
    expect(worker.diffs.at(-1)).toEqual({ add: [], update: [], remove: [c.id] });
    expect(worker.diffs.some((d) => d.update.some((i) => i.id === c.id))).toBe(false);
    expect(community.diffs.some((d) => d.remove.length > 0)).toBe(false);
  });

  it('refuses connections without credentials, unknown divisions and malformed subscriptions', async () => {
    const anon = open(undefined);
    const err = await new Promise<Error>((resolve) => anon.on('connect_error', resolve));
    expect(err.message).toBe('unauthorized');
    const planner = open(who.tokens.planner); // planners have no incident access: the HTTP answer, 403 forbidden
    expect((await new Promise<Error>((resolve) => planner.on('connect_error', resolve))).message).toBe('forbidden');
    const forged = open('gct_not-a-real-token-at-all');
    expect((await new Promise<Error>((resolve) => forged.on('connect_error', resolve))).message).toBe('unauthorized');
    expect((await subscribed(who.tokens.leader, { divisions: ['NOPE'] })).ack).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect((await subscribed(who.tokens.leader, { divisions: 'T00' as never })).ack).toMatchObject({ ok: false, error: { code: 'invalid_request' } });
  });

  describe('credentials that end take their sockets with them', () => {
    /** A cookie session from POST /api/auth/login, as a browser holds it. */
    const login = async (username: string, password: string) => {
      const r = await fetch(`${base}/api/auth/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username, password }) });
      expect(r.status).toBe(200);
      const cookie = r.headers.get('set-cookie')!.split(';')[0]!;
      const csrf = ((await r.json()) as { account: { csrfToken: string } }).account.csrfToken;
      const call = (method: string, path: string, body?: unknown) => fetch(`${base}${path}`, {
        method, headers: { 'Content-Type': 'application/json', cookie, 'X-CSRF-Token': csrf }, body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { cookie, call };
    };
    let admin: Awaited<ReturnType<typeof login>>;
    beforeAll(async () => { admin = await login('admin', ADMIN_PASSWORD); });

    /** A socket opened with a session cookie, subscribed to community A, with what it receives. */
    const live = async (cred: { cookie: string } | { token: string }) => {
      const s = 'token' in cred ? open(cred.token) : open(undefined, { cookie: cred.cookie });
      const diffs: Diff<Incident>[] = [];
      s.on('incidents:diff', (d) => diffs.push(d));
      const gone = new Promise<string>((resolve) => s.on('disconnect', resolve));
      const ack = await new Promise<SubscribeAck>((resolve) => s.emit('subscribe', { divisions: [FIXTURE.communityA] }, resolve));
      expect(ack.ok).toBe(true);
      return { s, diffs, gone };
    };
    let n = 0;
    /** It was live before (a case reaches it), then the change disconnects it and nothing more arrives. */
    const endsWith = async (sock: Awaited<ReturnType<typeof live>>, change: () => Promise<Response>) => {
      expect((await post(FIXTURE.pointA1, `revoke-before-${++n}`)).status).toBe(201);
      await waitFor(() => sock.diffs.length === 1);
      expect((await change()).status).toBe(200);
      expect(await Promise.race([sock.gone, new Promise((res) => setTimeout(() => res('still connected'), 5000))])).toBe('io server disconnect');
      expect((await post(FIXTURE.pointA1, `revoke-after-${n}`)).status).toBe(201);
      await settle();
      expect(sock.diffs).toHaveLength(1);
      expect(sock.s.connected).toBe(false);
    };
    const account = async (username: string, role = 'community_staff', more: object = { divisionCode: FIXTURE.communityA }) => {
      const r = await admin.call('POST', '/api/accounts', { username, displayName: username, role, password: 'Socket2026pw', ...more });
      expect(r.status).toBe(201);
      return ((await r.json()) as { id: number }).id;
    };

    it('revoking a kiosk token disconnects its wall screen at once; rotating one does too', async () => {
      const made = (await (await admin.call('POST', '/api/tokens', { name: '北屏', kind: 'kiosk', divisionCode: FIXTURE.district })).json()) as { id: number; token: string };
      await endsWith(await live({ token: made.token }), () => admin.call('DELETE', `/api/tokens/${made.id}`));
      const other = (await (await admin.call('POST', '/api/tokens', { name: '南屏', kind: 'kiosk', divisionCode: FIXTURE.district })).json()) as { id: number; token: string };
      await endsWith(await live({ token: other.token }), () => admin.call('POST', `/api/tokens/${other.id}/rotate`));
      // A revoked secret cannot open a new one.
      const again = open(made.token);
      expect((await new Promise<Error>((resolve) => again.on('connect_error', resolve))).message).toBe('unauthorized');
    });

    it('disabling an account disconnects its sockets', async () => {
      const id = await account('sock.disabled');
      const u = await login('sock.disabled', 'Socket2026pw');
      await endsWith(await live(u), () => admin.call('PATCH', `/api/accounts/${id}`, { active: false }));
      const again = open(undefined, { cookie: u.cookie });
      expect((await new Promise<Error>((resolve) => again.on('connect_error', resolve))).message).toBe('unauthorized');
    });

    it('logging out disconnects that session\'s sockets, not the same account\'s other sessions', async () => {
      await account('sock.logout');
      const one = await login('sock.logout', 'Socket2026pw');
      const two = await login('sock.logout', 'Socket2026pw');
      const stays = await live(two);
      await endsWith(await live(one), () => one.call('POST', '/api/auth/logout'));
      expect(stays.s.connected).toBe(true);
      expect(stays.diffs).toHaveLength(2);
    });

    it('a change of role or jurisdiction, or a password reset, disconnects the account\'s sockets', async () => {
      const id = await account('sock.moved');
      await endsWith(await live(await login('sock.moved', 'Socket2026pw')), () => admin.call('PATCH', `/api/accounts/${id}`, { role: 'subdistrict_staff', divisionCode: FIXTURE.subdistrict }));
      await endsWith(await live(await login('sock.moved', 'Socket2026pw')), () => admin.call('PATCH', `/api/accounts/${id}`, { divisionCode: FIXTURE.district, role: 'district_leader' }));
      await endsWith(await live(await login('sock.moved', 'Socket2026pw')), () => admin.call('PATCH', `/api/accounts/${id}`, { resetPassword: true }));
    });

    it('changing one\'s own password disconnects the account\'s other sessions\' sockets and keeps this one\'s', async () => {
      await account('sock.pw');
      const here = await login('sock.pw', 'Socket2026pw');
      const elsewhere = await login('sock.pw', 'Socket2026pw');
      const mine = await live(here);
      await endsWith(await live(elsewhere), () => here.call('POST', '/api/auth/password', { currentPassword: 'Socket2026pw', newPassword: 'Socket2026new' }));
      expect(mine.s.connected).toBe(true);
    });

    it('an account that must change its password is refused at the handshake, as over HTTP', async () => {
      const r = await admin.call('POST', '/api/accounts', { username: 'sock.first', displayName: '新网格员', role: 'grid_worker', gridId: g.gridA1 });
      const { initialPassword } = (await r.json()) as { initialPassword: string };
      const u = await login('sock.first', initialPassword);
      expect((await u.call('GET', '/api/incidents')).status).toBe(403);
      const s = open(undefined, { cookie: u.cookie });
      const err = await new Promise<Error & { data?: { code: string } }>((resolve) => s.on('connect_error', resolve));
      expect(err.message).toBe('password_change_required');
      expect(err.data?.code).toBe('password_change_required');
      expect(s.connected).toBe(false);
    });
  });

  it('the handshake accepts the server\'s own origin, configured ones and none; any other origin is refused', async () => {
    const handshake = (origin?: string) => fetch(`${base}/socket.io/?EIO=4&transport=polling`, { headers: origin ? { Origin: origin } : {} });
    expect((await handshake()).status).toBe(200); // scripts and devices with a token send none
    expect((await handshake(base)).status).toBe(200);
    expect((await handshake('https://wall.example.org')).status).toBe(200);
    for (const o of ['https://evil.example', 'http://127.0.0.1:1', 'null', 'https://wall.example.org.evil.example']) {
      expect((await handshake(o)).status, o).toBe(403);
    }
    // A page of another site cannot open a socket with a visitor's credentials.
    const s = open(who.tokens.leader, { origin: 'https://evil.example' });
    await new Promise<Error>((resolve) => s.on('connect_error', resolve));
    expect(s.connected).toBe(false);
    const ok = open(who.tokens.leader, { origin: base });
    await new Promise<void>((resolve) => ok.on('connect', resolve));
  });

  it('open sockets are checked again: an expired session or a token revoked in the database loses its socket; a moved jurisdiction loses its rooms', async () => {
    const http = createServer();
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    const attached = attachSockets(http, t.db, new EventBus(), { recheckMs: 150 });
    onTestFinished(() => attached.close()); // closes the HTTP server too
    const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
    const connectTo = (o: { token?: string; cookie?: string }) => {
      const s: ClientSocket = connect(url, { transports: ['websocket'], forceNew: true, reconnection: false, auth: o.token ? { token: o.token } : {}, extraHeaders: o.cookie ? { cookie: `${SESSION_COOKIE}=${o.cookie}` } : {} });
      sockets.push(s);
      return s;
    };
    const ask = (s: ClientSocket, req: { grids?: number[] }) => new Promise<SubscribeAck>((resolve) => s.emit('subscribe', req, resolve));
    const gone = (s: ClientSocket) => new Promise<string>((resolve) => s.on('disconnect', resolve));

    const secret = 'gct_recheck-token-0001';
    const tokenId = await insertToken(t.db, secret, 'recheck', 'grid_worker', { gridId: g.gridA1 });
    const byToken = connectTo({ token: secret });
    expect((await ask(byToken, { grids: [g.gridA1] })).rooms).toEqual([`grid:${g.gridA1}`]);
    // Rebound to another grid (as publishing a redrawn grid layout does): the old grid's room is left.
    await t.db.query('UPDATE api_token SET grid_id = $2 WHERE id = $1', [tokenId, g.gridA2]);
    await waitFor(async () => (await ask(byToken, {})).rooms.length === 0);
    expect(byToken.connected).toBe(true);
    expect((await ask(byToken, { grids: [g.gridA2] })).ok).toBe(true);
    const tokenGone = gone(byToken);
    await t.db.query('UPDATE api_token SET revoked_at = now() WHERE id = $1', [tokenId]);
    expect(await tokenGone).toBe('io server disconnect');

    const accountId = (await t.db.query<{ id: number }>(AUTH_SQL.insertAccount, ['recheck.worker', '复查', 'x', 'grid_worker', null, g.gridA1, null, false])).rows[0]!.id;
    const cookie = 'recheck-session-secret-0001';
    await t.db.query(AUTH_SQL.insertSession, [sha256(cookie), accountId, 'csrf', 3600, null, null]);
    const bySession = connectTo({ cookie });
    expect((await ask(bySession, { grids: [g.gridA1] })).ok).toBe(true);
    const sessionGone = gone(bySession);
    await t.db.query(`UPDATE session SET expires_at = now() - interval '1 second' WHERE account_id = $1`, [accountId]);
    expect(await sessionGone).toBe('io server disconnect');
  });

  it('originAllowed: own host, X-Forwarded-Host when given, configured origins', () => {
    expect(originAllowed(undefined, ['a:1'], [])).toBe(true);
    expect(originAllowed('http://a:1', ['a:1'], [])).toBe(true);
    expect(originAllowed('https://A:1', ['a:1'], [])).toBe(true);
    expect(originAllowed('http://a:2', ['a:1'], [])).toBe(false);
    expect(originAllowed('https://gc.example', ['127.0.0.1:8080', 'gc.example'], [])).toBe(true);
    expect(originAllowed('https://wall.example', ['a:1'], ['https://wall.example'])).toBe(true);
    expect(originAllowed('http://wall.example', ['a:1'], ['https://wall.example'])).toBe(false);
    expect(originAllowed('file://', ['a:1'], [])).toBe(false);
    expect(originAllowed('not a url', ['a:1'], [])).toBe(false);
    // ALLOWED_ORIGINS: a comma list of origins; a path or another scheme is a configuration error.
    expect(loadConfig({}).allowedOrigins).toEqual([]);
    expect(loadConfig({ ALLOWED_ORIGINS: 'https://Wall.example.org, http://10.0.0.5:8080/' }).allowedOrigins)
      .toEqual(['https://wall.example.org', 'http://10.0.0.5:8080']);
    expect(() => loadConfig({ ALLOWED_ORIGINS: 'https://wall.example.org/wall' })).toThrow(/ALLOWED_ORIGINS/);
    expect(() => loadConfig({ ALLOWED_ORIGINS: 'wall.example.org' })).toThrow(/ALLOWED_ORIGINS/);
  });

  it('a published grid layout reaches the screens of its community, subdistrict, district and grids as grids:changed, and no other community', async () => {
    const listen = async (token: string, req: { divisions?: string[]; grids?: number[] }) => {
      const { s, ack } = await subscribed(token, req);
      expect(ack.ok).toBe(true);
      const got: GridsChanged[] = [];
      s.on('grids:changed', (e) => got.push(e));
      return got;
    };
    const district = await listen(who.tokens.leader, { divisions: [FIXTURE.district] });
    const subdistrict = await listen(who.tokens.subdistrict, { divisions: [FIXTURE.subdistrict] });
    const communityA = await listen(who.tokens.communityA, { divisions: [FIXTURE.communityA] });
    const gridA1 = await listen(who.tokens.gridA1, { grids: [g.gridA1] });
    const communityB = await listen(who.tokens.communityB, { divisions: [FIXTURE.communityB] });
    const gridB1 = await listen(who.tokens.gridB1, { grids: [g.gridB1] });
    // The analyst publishes community A's layout as it is (a draft of the same grids).
    const editor = (method: string, path: string, body?: object) => fetch(`${base}/api/grid-editor${path}`, {
      method, headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${who.tokens.analyst}` }, body: body ? JSON.stringify(body) : undefined,
    });
    const loaded = (await (await editor('GET', `/communities/${FIXTURE.communityA}`)).json()) as { revision: number; grids: { id: number; key: string; name: string; geometry: object }[] };
    const saved = await editor('PUT', `/communities/${FIXTURE.communityA}/draft`, {
      baseRevision: loaded.revision, grids: loaded.grids.map(({ id, key, name, geometry }) => ({ id, key, name, geometry })),
    });
    expect(saved.status).toBe(200);
    const published = await editor('POST', `/communities/${FIXTURE.communityA}/publish`, { baseRevision: ((await saved.json()) as { revision: number }).revision });
    expect(published.status).toBe(200);
    const versionId = ((await published.json()) as { version: { id: number } }).version.id;
    await waitFor(() => district.length > 0 && subdistrict.length > 0 && communityA.length > 0 && gridA1.length > 0);
    await settle();
    const kept = loaded.grids.map((x) => x.id).sort((a, b) => a - b);
    for (const got of [district, subdistrict, communityA, gridA1]) {
      expect(got).toHaveLength(1);
      expect({ ...got[0], update: [...got[0]!.update].sort((a, b) => a - b) }).toEqual({ communityCode: FIXTURE.communityA, versionId, add: [], update: kept, remove: [] });
    }
    expect(kept).toContain(g.gridA1);
    expect(communityB).toEqual([]);
    expect(gridB1).toEqual([]);
  });
});

// A new incident reaches the sockets subscribed to the divisions it falls in — and no others.
import { io as connect, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClientToServerEvents, ServerToClientEvents, SubscribeAck } from '../../core/events.js';
import type { Diff } from '../../core/diff.js';
import type { Incident } from '../../core/types.js';
import { loadConfig } from '../config.js';
import { start, type Running } from '../server.js';
import { createTestDb, testDbKind, type TestDb } from '../testing/db.js';
import { FIXTURE, loadFixture } from '../testing/fixture.js';

type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;
let t: TestDb;
let running: Running;
let base: string;
const sockets: ClientSocket[] = [];

beforeAll(async () => {
  t = await createTestDb();
  await loadFixture(t.db);
  running = await start(loadConfig({ PORT: '0', LOAD_DEMO: 'false', LOG_LEVEL: 'silent' }), () => undefined, { db: t.db });
  base = `http://127.0.0.1:${running.port}`;
}, 180_000);
afterAll(async () => {
  sockets.forEach((s) => s.close());
  await running?.close(); // closes the db too
});

async function subscribed(req: { divisions?: string[]; grids?: number[] }): Promise<{ s: ClientSocket; diffs: Diff<Incident>[]; ack: SubscribeAck }> {
  const s: ClientSocket = connect(base, { transports: ['websocket'], forceNew: true });
  sockets.push(s);
  const diffs: Diff<Incident>[] = [];
  s.on('incidents:diff', (d) => diffs.push(d));
  const ack = await new Promise<SubscribeAck>((resolve) => s.emit('subscribe', req, resolve));
  return { s, diffs, ack };
}

const post = (lonlat: [number, number], key: string) =>
  fetch(`${base}/api/incidents`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ lon: lonlat[0], lat: lonlat[1], category: 'parking', description: '占道停车', source: 'hotline_12345', clientKey: key }),
  });

const waitFor = async (cond: () => boolean, ms = 5000) => {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe(`socket.io incident diffs on ${testDbKind()}`, () => {
  it('pushes an add diff to the district, subdistrict, community and grid rooms, never to another community', async () => {
    const district = await subscribed({ divisions: [FIXTURE.district] });
    const communityA = await subscribed({ divisions: [FIXTURE.communityA] });
    const communityB = await subscribed({ divisions: [FIXTURE.communityB] });
    expect(communityA.ack).toEqual({ ok: true, rooms: ['division:T0101'] });
    const r = await post(FIXTURE.pointA1, 'socket-test-0001');
    expect(r.status).toBe(201);
    const created = (await r.json()) as Incident;
    await waitFor(() => district.diffs.length > 0 && communityA.diffs.length > 0);
    expect(district.diffs[0]).toEqual({ add: [created], update: [], remove: [] });
    expect(communityA.diffs[0]!.add[0]!.id).toBe(created.id);
    // A replay of the same key is not a new event.
    expect((await post(FIXTURE.pointA1, 'socket-test-0001')).status).toBe(200);
    // Give a stray message time to arrive, then check nothing leaked or doubled.
    await new Promise((res) => setTimeout(res, 300));
    expect(communityB.diffs).toEqual([]);
    expect(district.diffs).toHaveLength(1);
  });

  it('a socket in several matching rooms receives one message, not one per room', async () => {
    const both = await subscribed({ divisions: [FIXTURE.district, FIXTURE.subdistrict, FIXTURE.communityB] });
    await post(FIXTURE.pointB1, 'socket-test-0002');
    await waitFor(() => both.diffs.length > 0);
    await new Promise((res) => setTimeout(res, 300));
    expect(both.diffs).toHaveLength(1);
  });

  it('refuses unknown divisions and malformed subscriptions', async () => {
    expect((await subscribed({ divisions: ['NOPE'] })).ack).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect((await subscribed({ divisions: 'T00' as never })).ack).toMatchObject({ ok: false, error: { code: 'invalid_request' } });
  });
});

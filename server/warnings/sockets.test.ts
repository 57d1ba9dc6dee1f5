// Warnings reach live screens as diffs (warnings:diff) in the rooms of the divisions and grid they
// are filed under, and no others: a scan's new warning is an add, acknowledging it an update,
// closing it a remove.
import { io as connect, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClientToServerEvents, ServerToClientEvents, SubscribeAck, WarningsDiff } from '../../core/events.js';
import { loadConfig } from '../config.js';
import { start, type Running } from '../server.js';
import { createTestDb, testDbKind, type TestDb } from '../testing/db.js';
import { FIXTURE, loadFixture } from '../testing/fixture.js';
import { loadPrincipals, type Principals } from '../testing/principals.js';
import { insertCases } from './testkit.js';

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
  running = await start(loadConfig({ PORT: '0', LOAD_DEMO: 'false', LOG_LEVEL: 'silent', WARNING_SCAN_INTERVAL_SECONDS: '0' }), () => undefined, { db: t.db });
  base = `http://127.0.0.1:${running.port}`;
}, 180_000);
afterAll(async () => {
  sockets.forEach((s) => s.close());
  await running?.close();
});

async function watch(token: string, req: { divisions?: string[]; grids?: number[] }) {
  const s: ClientSocket = connect(base, { transports: ['websocket'], forceNew: true, reconnection: false, auth: { token } });
  sockets.push(s);
  const diffs: WarningsDiff[] = [];
  s.on('warnings:diff', (d) => diffs.push(d));
  const ack = await new Promise<SubscribeAck>((resolve) => s.emit('subscribe', req, resolve));
  expect(ack.ok).toBe(true);
  return diffs;
}
const call = (path: string, token: string) => fetch(`${base}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` }, body: '{}' });
const waitFor = async (cond: () => boolean, ms = 5000) => {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe(`warnings over socket.io on ${testDbKind()}`, () => {
  it('add, update and remove reach the warning’s rooms only', async () => {
    const now = Date.now();
    const [lon, lat] = FIXTURE.pointB1;
    await insertCases(t.db, [0, 1, 2].map((k) => ({ category: 'safety_hazard', lon: lon + k * 0.00002, lat, gridId: g.gridB1, community: FIXTURE.communityB, at: new Date(now - (k + 1) * 3_600_000) })));
    const district = await watch(who.tokens.leader, { divisions: [FIXTURE.district] });
    const communityB = await watch(who.tokens.communityB, { divisions: [FIXTURE.communityB] });
    const gridB1 = await watch(who.tokens.gridB1, { grids: [g.gridB1] });
    const communityA = await watch(who.tokens.communityA, { divisions: [FIXTURE.communityA] });
    expect((await call('/api/warnings/scan', who.tokens.center)).status).toBe(200);
    await waitFor(() => district.length > 0 && communityB.length > 0 && gridB1.length > 0);
    const w = district[0]!.add[0]!;
    expect([w.kind, w.gridId, w.communityCode]).toEqual(['cluster', g.gridB1, FIXTURE.communityB]);
    expect(communityB[0]).toEqual({ add: [w], update: [], remove: [] });
    expect((await call(`/api/warnings/${w.id}/acknowledge`, who.tokens.communityB)).status).toBe(200);
    await waitFor(() => communityB.length > 1);
    expect(communityB[1]!.update.map((x) => [x.id, x.status])).toEqual([[w.id, 'acknowledged']]);
    expect((await call(`/api/warnings/${w.id}/close`, who.tokens.communityB)).status).toBe(200);
    await waitFor(() => communityB.length > 2 && district.length > 2);
    expect(communityB[2]).toEqual({ add: [], update: [], remove: [w.id] });
    await new Promise((r) => setTimeout(r, 300));
    expect(communityA).toEqual([]);
  });
});

// Table-driven access control: for every role and a sample of endpoints, what is allowed, what is
// refused (with which status), and that refused requests change nothing.
import request from 'supertest';
import type { Express } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config.js';
import { EventBus } from '../events/bus.js';
import { createApp } from '../http/app.js';
import { createTestDb, testDbKind, type TestDb } from '../testing/db.js';
import { FIXTURE, loadFixture } from '../testing/fixture.js';
import { loadPrincipals, type Principals } from '../testing/principals.js';
import { detectEncoder } from '../tiles/encode.js';
import { lonLatToTile } from '../../core/tile-math.js';

let t: TestDb;
let app: Express;
let who: Principals;
let g: Awaited<ReturnType<typeof loadFixture>>;
let residentA1: number;

beforeAll(async () => {
  t = await createTestDb();
  g = await loadFixture(t.db);
  who = await loadPrincipals(t.db, g);
  residentA1 = (await t.db.query<{ id: number }>('SELECT id FROM person WHERE grid_id = $1 ORDER BY id LIMIT 1', [g.gridA1])).rows[0]!.id;
  app = createApp({ config: loadConfig({ INTAKE_RATE_LIMIT: '10000' }), db: t.db, bus: new EventBus(), tileEncoder: await detectEncoder(t.db), log: () => undefined });
}, 180_000);
afterAll(async () => { await t?.drop(); });

type Who = keyof Principals['tokens'] | 'anonymous';
const WHO: Who[] = ['anonymous', 'leader', 'center', 'subdistrict', 'communityA', 'communityB', 'gridA1', 'gridB1', 'department', 'analyst', 'planner', 'kiosk'];

const call = (w: Who, method: 'get' | 'post' | 'patch' | 'delete', url: string, body?: unknown) => {
  let r = request(app)[method](url);
  if (w !== 'anonymous') r = r.set('Authorization', `Bearer ${who.tokens[w]}`);
  return body === undefined ? r : r.send(body as object);
};

const counts = async () => {
  const r = await t.db.query<Record<string, number>>(`SELECT
    (SELECT count(*)::int FROM incident) AS incident, (SELECT count(*)::int FROM account) AS account,
    (SELECT count(*)::int FROM api_token) AS token, (SELECT count(*)::int FROM grid) AS grid`);
  return r.rows[0]!;
};

const tile = () => {
  const { x, y } = lonLatToTile(FIXTURE.pointA1[0], FIXTURE.pointA1[1], 14);
  return `/tiles/grids/14/${x}/${y}.pbf`;
};

// Expected status per principal; a number applies to everyone not listed.
type Expect = Partial<Record<Who, number>> & { rest: number };
const READ_MAP: Expect = { anonymous: 401, rest: 200 };

interface Case { name: string; method: 'get' | 'post' | 'patch' | 'delete'; url: () => string; body?: () => unknown; expect: Expect; count?: (w: Who, body: any) => void }

const CASES: Case[] = [
  { name: 'GET /api/grids (scoped lists)', method: 'get', url: () => '/api/grids', expect: READ_MAP,
    count: (w, body) => {
      const n = body.features.length;
      const want: Partial<Record<Who, number>> = { communityA: 2, communityB: 1, gridA1: 1, gridB1: 1 };
      expect(n, w).toBe(want[w] ?? 3);
    } },
  { name: 'GET /api/grids?division=T0102', method: 'get', url: () => '/api/grids?division=T0102',
    expect: { anonymous: 401, communityA: 403, gridA1: 403, rest: 200 } },
  { name: 'GET /api/grids/:id of grid B1', method: 'get', url: () => `/api/grids/${g.gridB1}`,
    expect: { anonymous: 401, communityA: 404, gridA1: 404, rest: 200 } },
  { name: 'GET /api/buildings', method: 'get', url: () => '/api/buildings', expect: READ_MAP,
    count: (w, body) => expect(body.features.length, w).toBe(({ communityA: 1, communityB: 1, gridA1: 1, gridB1: 1 } as Partial<Record<Who, number>>)[w] ?? 2) },
  { name: 'GET /api/divisions.geojson', method: 'get', url: () => '/api/divisions.geojson?level=community', expect: READ_MAP,
    count: (w, body) => expect(body.features.length, w).toBe(['communityA', 'communityB', 'gridA1', 'gridB1'].includes(w) ? 1 : 2) },
  { name: 'GET vector tile', method: 'get', url: tile, expect: READ_MAP },
  { name: 'GET /api/incidents', method: 'get', url: () => '/api/incidents', expect: { anonymous: 401, planner: 403, rest: 200 } },
  { name: 'POST /api/incidents in grid A1', method: 'post', url: () => '/api/incidents',
    body: () => ({ lon: FIXTURE.pointA1[0], lat: FIXTURE.pointA1[1], category: 'noise', source: 'patrol', clientKey: `acl-${Math.random().toString(36).slice(2)}` }),
    expect: { anonymous: 401, center: 201, subdistrict: 201, communityA: 201, gridA1: 201, communityB: 403, gridB1: 403, rest: 403 } },
  { name: 'GET /api/residents (masked list)', method: 'get', url: () => '/api/residents',
    expect: { anonymous: 401, department: 403, analyst: 403, planner: 403, kiosk: 403, rest: 200 },
    count: (w, body) => {
      for (const r of body.residents) {
        expect(r.phone, w).toMatch(/^\d{3}\*{4}\d{4}$/);
        expect(r.masked).toBe(true);
      }
    } },
  { name: 'GET /api/residents/:id?full=1', method: 'get', url: () => `/api/residents/${residentA1}?full=1`,
    expect: { anonymous: 401, center: 200, subdistrict: 200, communityA: 200, gridA1: 200, communityB: 404, gridB1: 404, rest: 403 },
    count: (w, body) => expect(body.phone, w).toMatch(/^\d{11}$/) },
  // An unknown route is not revealed to a caller without credentials: 401 first, 404 after.
  { name: 'GET /api/nothing-here', method: 'get', url: () => '/api/nothing-here', expect: { anonymous: 401, rest: 404 } },
  { name: 'POST /api/nothing-here', method: 'post', url: () => '/api/nothing-here', body: () => ({}), expect: { anonymous: 401, rest: 404 } },
  { name: 'GET /tiles/nothing-here', method: 'get', url: () => '/tiles/nothing-here', expect: { anonymous: 401, rest: 404 } },
  { name: 'GET /api/audit', method: 'get', url: () => '/api/audit', expect: { anonymous: 401, rest: 403 } },
  { name: 'GET /api/accounts', method: 'get', url: () => '/api/accounts', expect: { anonymous: 401, rest: 403 } },
  { name: 'POST /api/accounts', method: 'post', url: () => '/api/accounts',
    body: () => ({ username: 'mallory', displayName: 'x', role: 'admin' }), expect: { anonymous: 401, rest: 403 } },
  { name: 'POST /api/tokens', method: 'post', url: () => '/api/tokens',
    body: () => ({ name: 'x', kind: 'api', role: 'district_leader', divisionCode: 'T00' }), expect: { anonymous: 401, rest: 403 } },
];

describe(`access control on ${testDbKind()}`, () => {
  for (const c of CASES) {
    it(c.name, async () => {
      for (const w of WHO) {
        const before = await counts();
        const r = await call(w, c.method, c.url(), c.body?.());
        const want = c.expect[w] ?? c.expect.rest;
        expect(r.status, `${w} ${c.method.toUpperCase()} ${c.url()}: ${JSON.stringify(r.body)}`).toBe(want);
        if (want >= 400) {
          expect(r.body.error.code, w).toBe({ 401: 'unauthorized', 403: 'forbidden', 404: 'not_found' }[want]);
          expect(await counts(), `${w} changed data`).toEqual(before);
        } else if (c.count) {
          c.count(w, r.body);
        }
      }
    });
  }

  it('every full view of personal data is audited, and refusals too', async () => {
    const n = async (outcome: string) => (await t.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM audit_log WHERE action = 'read_full' AND resource = 'resident' AND outcome = $1`, [outcome])).rows[0]!.n;
    const [ok0, denied0] = [await n('ok'), await n('denied')];
    await call('communityA', 'get', `/api/residents/${residentA1}?full=1`).expect(200);
    await call('leader', 'get', `/api/residents/${residentA1}?full=1`).expect(403);
    await call('communityA', 'get', `/api/residents/${residentA1}`).expect(200);
    expect(await n('ok')).toBe(ok0 + 1);
    expect(await n('denied')).toBe(denied0 + 1);
  });

  it('answers carrying personal data are never stored by a cache (Cache-Control: no-store)', async () => {
    const made = await call('center', 'post', '/api/incidents', {
      lon: FIXTURE.pointA1[0], lat: FIXTURE.pointA1[1], category: 'noise', source: 'hotline_12345',
      clientKey: 'acl-no-store-1', caller: { name: '张三', phone: '13812345678' },
    }).expect(201);
    for (const url of ['/api/residents', `/api/residents/${residentA1}`, `/api/residents/${residentA1}?full=1`,
      `/api/incidents/${made.body.id}/contact`, `/api/incidents/${made.body.id}/contact?full=1`]) {
      const r = await call('center', 'get', url).expect(200);
      expect(r.headers['cache-control'], url).toBe('no-store');
    }
    // Answers without personal data keep their ordinary caching.
    expect((await call('center', 'get', '/api/grids').expect(200)).headers['cache-control']).toBeUndefined();
  });

  it('a revoked token stops working at once', async () => {
    const id = (await t.db.query<{ id: number }>(`SELECT id FROM api_token WHERE name = 'planner'`)).rows[0]!.id;
    await call('planner', 'get', '/api/grids').expect(200);
    await t.db.query('UPDATE api_token SET revoked_at = now() WHERE id = $1', [id]);
    expect((await call('planner', 'get', '/api/grids').expect(401)).body.error.code).toBe('unauthorized');
  });
});

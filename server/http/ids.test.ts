// One case, one address: an id in a path or a query string is a plain decimal integer. What
// z.coerce.number() used to take as well (0x5, 5e0, +5, 05, " 5", 5.0) is a 400, on every route.
import { describe, expect, it } from 'vitest';
import { fixtureApi, type Who } from '../testing/api.js';
import { FIXTURE } from '../testing/fixture.js';
import { adminSession, insertCase } from '../testing/cases.js';
import { testDbKind } from '../testing/db.js';

const f = fixtureApi();

const spellings = (id: number) => [
  `0x${id.toString(16)}`, `${id}e0`, `%2B${id}`, `0${id}`, `%20${id}`, `${id}%20`, `${id}.0`, `0b${id.toString(2)}`, '0', '-1',
  '99999999999',
];

describe(`ids are decimal integers only, on ${testDbKind()}`, () => {
  it('GET routes with :id answer 400 invalid_request for every other spelling of a real id', async () => {
    const id = await insertCase(f.t.db, { state: 'dispatched', level: 'grid', lonLat: FIXTURE.pointA1 });
    const resident = (await f.t.db.query<{ id: number }>('SELECT min(id)::int AS id FROM person')).rows[0]!.id;
    const routes: [Who, number, (s: string) => string][] = [
      ['subdistrict', id, (s) => `/api/incidents/${s}`],
      ['subdistrict', id, (s) => `/api/incidents/${s}/duplicates`],
      ['subdistrict', f.grids.gridA1, (s) => `/api/grids/${s}`],
      ['subdistrict', resident, (s) => `/api/residents/${s}`],
      ['subdistrict', f.grids.gridA1, (s) => `/api/wall/metrics?grid=${s}`],
    ];
    for (const [who, real, url] of routes) {
      // The plain spelling works …
      const plain = await f.as(who).get(url(String(real)));
      expect(plain.status, url(String(real))).toBe(200);
      // … every other one is refused, never read as the same id.
      for (const s of spellings(real)) {
        const r = await f.as(who).get(url(s));
        expect([r.status, r.body.error?.code], `${url(s)}`).toEqual([400, 'invalid_request']);
      }
    }
  });

  it('photo ids are checked the same way', async () => {
    const r = await f.as('subdistrict').get('/api/photos/0x1');
    expect([r.status, r.body.error?.code]).toEqual([400, 'invalid_request']);
  });

  it('writes with :id refuse 0x… and change nothing', async () => {
    const id = await insertCase(f.t.db, { state: 'reported', level: 'grid', lonLat: FIXTURE.pointA1 });
    const before = (await f.t.db.query('SELECT status, level FROM incident WHERE id = $1', [id])).rows[0];
    const r = await f.as('gridA1').post(`/api/incidents/0x${id.toString(16)}/actions`, { action: 'accept' });
    expect([r.status, r.body.error?.code]).toEqual([400, 'invalid_request']);
    expect((await f.t.db.query('SELECT status, level FROM incident WHERE id = $1', [id])).rows[0]).toEqual(before);

    const { agent, csrf } = await adminSession(f.app);
    const tok = (await f.t.db.query<{ id: number }>(`SELECT id FROM api_token WHERE name = 'planner'`)).rows[0]!.id;
    const del = await agent.delete(`/api/tokens/${tok}e0`).set('X-CSRF-Token', csrf);
    expect([del.status, del.body.error?.code]).toEqual([400, 'invalid_request']);
    const rot = await agent.post(`/api/tokens/0${tok}/rotate`).set('X-CSRF-Token', csrf);
    expect([rot.status, rot.body.error?.code]).toEqual([400, 'invalid_request']);
    expect((await f.t.db.query(`SELECT revoked_at FROM api_token WHERE id = $1`, [tok])).rows[0]).toEqual({ revoked_at: null });
    const acc = (await f.t.db.query<{ id: number }>(`SELECT id FROM account WHERE username = 'admin'`)).rows[0]!.id;
    const p = await agent.patch(`/api/accounts/0x${acc.toString(16)}`).set('X-CSRF-Token', csrf).send({ displayName: 'x' });
    expect([p.status, p.body.error?.code]).toEqual([400, 'invalid_request']);
  });
});

// Rate limits counted across server processes: two apps on one database (two processes behind a
// proxy, SOCKET_ADAPTER resolved to postgres) share the failed-login and intake counters through
// rate_limit_hit, so a second process gives no extra attempts; a window ends on the database clock.
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../config.js';
import { EventBus } from '../events/bus.js';
import { createApp } from '../http/app.js';
import { createTestDb, testDbKind, type TestDb } from '../testing/db.js';
import { FIXTURE, loadFixture } from '../testing/fixture.js';
import { loadPrincipals, type Principals } from '../testing/principals.js';
import { detectEncoder } from '../tiles/encode.js';
import { PgRateLimitStore, sharedRateLimitStore } from './rate-limit.js';

let t: TestDb;
let who: Principals;
beforeAll(async () => {
  t = await createTestDb();
  who = await loadPrincipals(t.db, await loadFixture(t.db));
}, 180_000);
afterAll(async () => { await t?.drop(); });

/** The config of one of several processes (an adapter configured) — as loadConfig gives it with DATABASE_URL and SOCKET_ADAPTER=postgres. */
const clustered = (env: Record<string, string>): Config => ({ ...loadConfig(env), socketAdapter: 'postgres' });
const appOf = async (config: Config) => createApp({ config, db: t.db, bus: new EventBus(), tileEncoder: await detectEncoder(t.db), log: () => undefined });

describe(`shared rate limits on ${testDbKind()}`, () => {
  it('one process keeps its counters in memory; several count in the database', () => {
    expect(sharedRateLimitStore(t.db, loadConfig({}), 'login')).toBeUndefined();
    expect(sharedRateLimitStore(t.db, clustered({}), 'login')).toBeInstanceOf(PgRateLimitStore);
  });

  it('failed logins on two processes add up: the limit is not multiplied by the number of processes', async () => {
    const env = { LOGIN_RATE_LIMIT: '3', LOGIN_ADDRESS_RATE_LIMIT: '100' };
    const [p1, p2] = [await appOf(clustered(env)), await appOf(clustered(env))];
    const fail = (app: Express.Application) => request(app as never).post('/api/auth/login').send({ username: 'admin', password: 'wrong-password-1' });
    const statuses = [(await fail(p1)).status, (await fail(p2)).status, (await fail(p1)).status, (await fail(p2)).status, (await fail(p1)).status];
    expect(statuses).toEqual([401, 401, 401, 429, 429]);
    const row = (await t.db.query<{ hits: number }>(`SELECT hits FROM rate_limit_hit WHERE key = 'login:user|admin'`)).rows[0];
    expect(row?.hits).toBe(5);
    // Two processes without the shared store (the old behaviour) would each allow 3.
    const [m1, m2] = [await appOf(loadConfig(env)), await appOf(loadConfig(env))];
    const mem = [(await fail(m1)).status, (await fail(m2)).status, (await fail(m1)).status, (await fail(m2)).status];
    expect(mem).toEqual([401, 401, 401, 401]);
  });

  it('reports per principal per minute are counted across processes too, and a window ends', async () => {
    const env = { INTAKE_RATE_LIMIT: '2' };
    const [p1, p2] = [await appOf(clustered(env)), await appOf(clustered(env))];
    let k = 0;
    const report = (app: unknown) => request(app as never).post('/api/incidents').set('Authorization', `Bearer ${who.tokens.subdistrict}`)
      .send({ lon: FIXTURE.pointA1[0], lat: FIXTURE.pointA1[1] + 0.0008 * k, category: ['parking', 'noise', 'sanitation'][k % 3], description: '合成', source: 'hotline_12345', clientKey: `rate-limit-${k++}` });
    expect([(await report(p1)).status, (await report(p2)).status, (await report(p1)).status]).toEqual([201, 201, 429]);
    const n = (await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM incident WHERE client_key LIKE 'rate-limit-%'`)).rows[0]!.n;
    expect(n).toBe(2); // the refused report changed nothing
    // The window is the database's: end it there, and the next report is accepted.
    await t.db.query(`UPDATE rate_limit_hit SET reset_at = now() - interval '1 second' WHERE key LIKE 'intake:%'`);
    expect((await report(p2)).status).toBe(201);
    expect((await t.db.query<{ hits: number }>(`SELECT hits FROM rate_limit_hit WHERE key LIKE 'intake:%'`)).rows[0]!.hits).toBe(1);
  });

  it('the store decrements and resets a key', async () => {
    const s = new PgRateLimitStore(t.db, 'test:');
    s.init({ windowMs: 60_000 } as never);
    expect((await s.increment('k')).totalHits).toBe(1);
    const two = await s.increment('k');
    expect(two.totalHits).toBe(2);
    expect(two.resetTime!.getTime()).toBeGreaterThan(Date.now() + 50_000);
    await s.decrement('k');
    expect((await s.increment('k')).totalHits).toBe(2);
    await s.resetKey('k');
    expect((await s.increment('k')).totalHits).toBe(1);
  });
});

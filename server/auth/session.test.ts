// Cookie sessions end to end: login, CSRF, logout, password change, rate limit; admin work
// (accounts, tokens, kiosk rotation) and the audit log with its CSV export.
import request from 'supertest';
import type { Express } from 'express';
import { afterAll, beforeAll, describe, expect, it, onTestFinished, vi } from 'vitest';
import { loadConfig } from '../config.js';
import { EventBus } from '../events/bus.js';
import { createApp } from '../http/app.js';
import { createTestDb, testDbKind, type TestDb } from '../testing/db.js';
import { loadFixture } from '../testing/fixture.js';
import { hashPassword } from './passwords.js';
import { ADMIN_PASSWORD, loadPrincipals } from '../testing/principals.js';
import { detectEncoder } from '../tiles/encode.js';

let t: TestDb;
let app: Express;
let g: Awaited<ReturnType<typeof loadFixture>>;

beforeAll(async () => {
  t = await createTestDb();
  g = await loadFixture(t.db);
  await loadPrincipals(t.db, g);
  app = createApp({ config: loadConfig({ LOGIN_RATE_LIMIT: '5' }), db: t.db, bus: new EventBus(), tileEncoder: await detectEncoder(t.db), log: () => undefined });
}, 180_000);
afterAll(async () => { await t?.drop(); });

async function login(username: string, password: string) {
  const agent = request.agent(app);
  const r = await agent.post('/api/auth/login').send({ username, password });
  return { agent, r, csrf: r.body?.account?.csrfToken as string };
}

describe(`sessions and administration on ${testDbKind()}`, () => {
  it('logs in with a secure httpOnly SameSite cookie and no password in any response', async () => {
    const { r } = await login('admin', ADMIN_PASSWORD);
    expect(r.status).toBe(200);
    const cookie = String(r.headers['set-cookie']);
    expect(cookie).toMatch(/gc_session=/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(r.body.account).toMatchObject({ username: 'admin', role: 'admin', roleName: '管理员' });
    expect(JSON.stringify(r.body)).not.toContain(ADMIN_PASSWORD);
    expect(r.headers['x-content-type-options']).toBe('nosniff');
    expect(r.headers['content-security-policy']).toContain("default-src 'self'");
  });

  it('refuses wrong passwords and unknown users alike, and audits the failure', async () => {
    const a = await login('admin', 'wrong-password-1');
    const b = await login('nobody', 'wrong-password-1');
    expect(a.r.status).toBe(401);
    expect(b.r.status).toBe(401);
    expect(a.r.body.error).toEqual(b.r.body.error);
    const n = (await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'login_failed'`)).rows[0]!.n;
    expect(n).toBeGreaterThanOrEqual(2);
  });

  it('rate-limits repeated logins for one user', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await login('ratelimited', 'wrong-password-1')).r.status);
    expect(statuses.slice(0, 5).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(5)).toEqual([429, 429]);
  });

  it('behind a proxy, rotating X-Forwarded-For does not lift the limit; spraying usernames from one address is limited; a lock ends', async () => {
    // Only Date is faked (timers and I/O run normally), so the 15-minute window can pass at once.
    vi.useFakeTimers({ toFake: ['Date'], now: new Date() });
    onTestFinished(() => { vi.useRealTimers(); });
    const proxied = createApp({
      config: loadConfig({ TRUST_PROXY: 'true', LOGIN_RATE_LIMIT: '3', LOGIN_ADDRESS_RATE_LIMIT: '5', LOGIN_LOCKOUT_MINUTES: '15' }),
      db: t.db, bus: new EventBus(), tileEncoder: await detectEncoder(t.db), log: () => undefined,
    });
    const attempt = (from: string, username: string, password: string) =>
      request(proxied).post('/api/auth/login').set('X-Forwarded-For', from).send({ username, password });
    await t.db.query(`INSERT INTO account (username, display_name, password_hash, role, division_code) VALUES ('zhao.liu', '赵六', $1, 'district_leader', 'T00')`,
      [await hashPassword('Leader2026pw')]);
    // One username from a new address every time: the fourth failure is refused all the same.
    const statuses: number[] = [];
    for (let i = 1; i <= 5; i++) statuses.push((await attempt(`203.0.113.${i}`, 'zhao.liu', `guess-${i}-x1`)).status);
    expect(statuses).toEqual([401, 401, 401, 429, 429]);
    // While locked, even the right password from yet another address waits for the window.
    expect((await attempt('203.0.113.50', 'zhao.liu', 'Leader2026pw')).body.error.code).toBe('rate_limited');
    // Spraying: one address, a different username each time.
    const spray: number[] = [];
    for (let i = 1; i <= 7; i++) spray.push((await attempt('198.51.100.7', `nobody${i}`, 'Spring2026x')).status);
    expect(spray).toEqual([401, 401, 401, 401, 401, 429, 429]);
    // The lock is a window from the first failure, not forever: then the owner's password works.
    vi.setSystemTime(Date.now() + 14 * 60_000);
    expect((await attempt('203.0.113.51', 'zhao.liu', 'Leader2026pw')).status).toBe(429);
    vi.setSystemTime(Date.now() + 60_000 + 1000);
    const back = await attempt('203.0.113.60', 'zhao.liu', 'Leader2026pw');
    expect(back.status).toBe(200);
    expect(back.body.account.username).toBe('zhao.liu');
  });

  it('cookie writes need the CSRF token; bearer writes do not', async () => {
    const { agent, csrf } = await login('admin', ADMIN_PASSWORD);
    const body = { name: '北屏', kind: 'kiosk', divisionCode: 'T00' };
    const refused = await agent.post('/api/tokens').send(body).expect(403);
    expect(refused.body.error.code).toBe('csrf_failed');
    await agent.post('/api/tokens').set('X-CSRF-Token', 'forged').send(body).expect(403);
    const made = await agent.post('/api/tokens').set('X-CSRF-Token', csrf).send(body).expect(201);
    expect(made.body.token).toMatch(/^gck_/);
    expect(made.body.wallUrl).toContain('/wall?kiosk=');
  });

  it('admin creates a grid worker; the generated password must be changed at first login', async () => {
    const { agent, csrf } = await login('admin', ADMIN_PASSWORD);
    const made = await agent.post('/api/accounts').set('X-CSRF-Token', csrf)
      .send({ username: 'wang.wu', displayName: '王五', role: 'grid_worker', gridId: g.gridA1 }).expect(201);
    const first = await login('wang.wu', made.body.initialPassword);
    expect(first.r.body.account).toMatchObject({ mustChangePassword: true, role: 'grid_worker', gridId: g.gridA1 });
    expect((await first.agent.get('/api/grids').expect(403)).body.error.code).toBe('password_change_required');
    await first.agent.post('/api/auth/password').set('X-CSRF-Token', first.csrf)
      .send({ currentPassword: made.body.initialPassword, newPassword: 'short' }).expect(400);
    // Keeping the initial password is not a change.
    const reused = await first.agent.post('/api/auth/password').set('X-CSRF-Token', first.csrf)
      .send({ currentPassword: made.body.initialPassword, newPassword: made.body.initialPassword }).expect(400);
    expect(reused.body.error.code).toBe('password_reused');
    expect((await first.agent.get('/api/grids').expect(403)).body.error.code).toBe('password_change_required');
    await first.agent.post('/api/auth/password').set('X-CSRF-Token', first.csrf)
      .send({ currentPassword: made.body.initialPassword, newPassword: 'GridWorker2026' }).expect(200);
    const grids = (await first.agent.get('/api/grids').expect(200)).body;
    expect(grids.features.map((f: { id: number }) => f.id)).toEqual([g.gridA1]);
    // Logout ends the session.
    await first.agent.post('/api/auth/logout').set('X-CSRF-Token', first.csrf).expect(200);
    await first.agent.get('/api/grids').expect(401);
  });

  it('admin creates a district command centre (区指挥中心) account bound to the district, and only there', async () => {
    const { agent, csrf } = await login('admin', ADMIN_PASSWORD);
    const post = (b: object) => agent.post('/api/accounts').set('X-CSRF-Token', csrf).send(b);
    expect((await post({ username: 'zx2', displayName: 'x', role: 'district_center', divisionCode: 'T01' }).expect(400)).body.error.code).toBe('invalid_request');
    expect((await post({ username: 'zx3', displayName: 'x', role: 'district_center', gridId: g.gridA1 }).expect(400)).body.error.code).toBe('invalid_request');
    await post({ username: 'zhihui.1', displayName: '指挥中心值班员', role: 'district_center', divisionCode: 'T00', password: 'Center2026x' }).expect(201);
    const op = await login('zhihui.1', 'Center2026x');
    expect(op.r.body.account).toMatchObject({ role: 'district_center', roleName: '区指挥中心', divisionCode: 'T00' });
    expect((await op.agent.get('/api/grids').expect(200)).body.features).toHaveLength(3);
    await op.agent.get('/api/incidents').expect(200);
  });

  it('refuses role/jurisdiction mismatches and duplicate usernames, writing nothing', async () => {
    const { agent, csrf } = await login('admin', ADMIN_PASSWORD);
    const before = (await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM account')).rows[0]!.n;
    const post = (b: object) => agent.post('/api/accounts').set('X-CSRF-Token', csrf).send(b);
    expect((await post({ username: 'x1y', displayName: 'x', role: 'grid_worker', divisionCode: 'T0101' }).expect(400)).body.error.code).toBe('invalid_request');
    expect((await post({ username: 'x2y', displayName: 'x', role: 'community_staff', divisionCode: 'T01' }).expect(400)).body.error.code).toBe('invalid_request');
    expect((await post({ username: 'x3y', displayName: 'x', role: 'community_staff', divisionCode: 'NOPE' }).expect(404)).body.error.code).toBe('not_found');
    expect((await post({ username: 'admin', displayName: 'x', role: 'district_leader', divisionCode: 'T00' }).expect(409)).body.error.code).toBe('conflict');
    expect((await post({ username: 'a b', displayName: 'x', role: 'district_leader', divisionCode: 'T00' }).expect(400)).body.error.code).toBe('invalid_request');
    expect((await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM account')).rows[0]!.n).toBe(before);
  });

  it('changing an account ends its sessions', async () => {
    const { agent, csrf } = await login('admin', ADMIN_PASSWORD);
    const made = await agent.post('/api/accounts').set('X-CSRF-Token', csrf)
      .send({ username: 'li.si', displayName: '李四', role: 'community_staff', divisionCode: 'T0101', password: 'Community2026' }).expect(201);
    const li = await login('li.si', 'Community2026');
    await li.agent.get('/api/grids').expect(200);
    await agent.patch(`/api/accounts/${made.body.id}`).set('X-CSRF-Token', csrf).send({ divisionCode: 'T0102' }).expect(200);
    await li.agent.get('/api/grids').expect(401);
    const again = await login('li.si', 'Community2026');
    expect((await again.agent.get('/api/grids').expect(200)).body.features.map((f: { id: number }) => f.id)).toEqual([g.gridB1]);
    await agent.patch(`/api/accounts/${made.body.id}`).set('X-CSRF-Token', csrf).send({ active: false }).expect(200);
    expect((await login('li.si', 'Community2026')).r.status).toBe(401);
  });

  it('kiosk tokens read the wall read-only; rotating invalidates the old secret', async () => {
    const { agent, csrf } = await login('admin', ADMIN_PASSWORD);
    const made = (await agent.post('/api/tokens').set('X-CSRF-Token', csrf).send({ name: '指挥中心主屏', kind: 'kiosk', divisionCode: 'T00' }).expect(201)).body;
    const k = (tok: string) => ({ get: (u: string) => request(app).get(u).set('Authorization', `Bearer ${tok}`), post: (u: string) => request(app).post(u).set('Authorization', `Bearer ${tok}`) });
    await k(made.token).get('/api/incidents').expect(200);
    await k(made.token).post('/api/incidents').send({ lon: 121.4925, lat: 31.235, category: 'noise', source: 'patrol', clientKey: 'kiosk-write-1' }).expect(403);
    const rotated = (await agent.post(`/api/tokens/${made.id}/rotate`).set('X-CSRF-Token', csrf).expect(200)).body;
    await k(made.token).get('/api/incidents').expect(401);
    await k(rotated.token).get('/api/incidents').expect(200);
    await agent.delete(`/api/tokens/${made.id}`).set('X-CSRF-Token', csrf).expect(200);
    await k(rotated.token).get('/api/incidents').expect(401);
    const list = (await agent.get('/api/tokens').expect(200)).body;
    expect(JSON.stringify(list)).not.toContain(rotated.token);
  });

  it('the audit log records writes with who/what/when/where and exports as CSV', async () => {
    const { agent } = await login('admin', ADMIN_PASSWORD);
    const rows = (await agent.get('/api/audit?limit=1000').expect(200)).body as { actor: string; action: string; resource: string; ip: string }[];
    expect(rows.some((r) => r.action === 'create' && r.resource === 'account' && r.actor === 'admin')).toBe(true);
    expect(rows.some((r) => r.action === 'revoke' && r.resource === 'token')).toBe(true);
    expect(rows.every((r) => typeof r.ip === 'string' || r.ip === null)).toBe(true);
    const csv = await agent.get('/api/audit?format=csv').expect(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    // Who logged in from where, and the account list, are personal data: never cached.
    expect(csv.headers['cache-control']).toBe('no-store');
    expect((await agent.get('/api/accounts').expect(200)).headers['cache-control']).toBe('no-store');
    expect(csv.text.split('\r\n')[0]).toBe('\uFEFFid,at,actor,action,resource,resource_id,outcome,ip,user_agent,detail');
  });
});

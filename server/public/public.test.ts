// The public pages' API on both engines: phone codes and tickets, 随手拍 into the one intake, the
// resident's private link and rating, reporter points on the ledger (once per merged group, none on
// an invalid report), the community page and 一年一事 votes. Every refusal changes nothing, and no
// public answer carries personal data.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { afterAll, describe, expect, it } from 'vitest';
import { fromWgs84 } from '../../core/crs.js';
import { fixtureApi } from '../testing/api.js';
import { FIXTURE } from '../testing/fixture.js';
import { testImage } from '../testing/photos.js';
import { adminSession } from '../testing/cases.js';
import { pointsIdle } from './points.js';

const dataDir = mkdtempSync(join(tmpdir(), 'gc-public-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
const f = fixtureApi({ SMS_MODE: 'dev', PUBLIC_RATE_LIMIT: '100000', DATA_DIR: dataDir });
const anon = () => request(f.app);

const PHONES = ['13800000001', '13800000002', '13800000003', '13900000004'] as const;
const count = async (table: string) => (await f.t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`)).rows[0]!.n;
const world = async () => Object.fromEntries(await Promise.all(
  ['incident', 'public_report', 'public_code', 'public_ticket', 'points_ledger', 'public_vote', 'photo', 'incident_contact'].map(async (t) => [t, await count(t)])));

/** A fresh code for phone and purpose, then the ticket (codes: at most one a minute per phone, so the clock is moved back). */
async function ticket(phone: string, purpose: 'report' | 'vote' = 'report'): Promise<string> {
  await f.t.db.query(`UPDATE public_code SET created_at = created_at - interval '2 hours'`);
  const c = await anon().post('/api/public/codes').send({ phone, purpose });
  expect(c.status, JSON.stringify(c.body)).toBe(201);
  const v = await anon().post('/api/public/verify').send({ phone, purpose, code: c.body.devCode });
  expect(v.status).toBe(200);
  return v.body.ticket as string;
}

async function photo(t: string, seed: number): Promise<number> {
  const r = await anon().post('/api/public/photos').set('X-Resident-Ticket', t)
    .attach('photo', await testImage('jpeg', seed), { filename: 'p.jpg', contentType: 'image/jpeg' });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body.id as number;
}

const report = (t: string, body: Record<string, unknown>) => anon().post('/api/public/reports').set('X-Resident-Ticket', t).send(body);
const base = (phone: string, photos: number[], key: string, at: [number, number] = FIXTURE.pointA1) => ({
  phone, category: 'sanitation', description: '楼下垃圾堆放多日', lon: at[0], lat: at[1], photos, clientKey: key,
});
const act = async (who: Parameters<typeof f.as>[0], id: number, body: object) => {
  const r = await f.as(who).post(`/api/incidents/${id}/actions`, body);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body;
};
/** Grid worker resolves, community staff verify: the case becomes verified valid. */
async function resolveAndVerify(id: number) {
  await act('gridA1', id, { action: 'accept' });
  await act('gridA1', id, { action: 'start' });
  await act('gridA1', id, { action: 'resolve', note: '已清理' });
  await act('communityA', id, { action: 'verify', note: '核查属实' });
  await pointsIdle(f.bus);
}

/** The admin's cookie session (with its CSRF header). */
async function adminApi() {
  const { agent, csrf } = await adminSession(f.app);
  return {
    post: (url: string) => ({ send: (b: object) => agent.post(url).set('X-CSRF-Token', csrf).send(b) }),
    put: (url: string) => ({ send: (b: object) => agent.put(url).set('X-CSRF-Token', csrf).send(b) }),
  };
}

/** No phone number (or its middle digits) anywhere in a public answer. */
function noPii(body: unknown) {
  const s = JSON.stringify(body);
  for (const p of PHONES) {
    expect(s).not.toContain(p);
    expect(s).not.toContain(p.slice(3, 7) + p.slice(7));
  }
}

describe('phone codes and tickets', () => {
  it('a bad phone, a second code within a minute, a wrong or used code: clear refusals, nothing issued', async () => {
    const before = await world();
    for (const phone of ['12345', '010-12345678', '']) {
      const r = await anon().post('/api/public/codes').send({ phone, purpose: 'report' });
      expect(r.status).toBe(400);
      expect(r.body.error.code).toBe('invalid_request');
    }
    expect((await anon().post('/api/public/codes').send({ phone: PHONES[0], purpose: 'trade' })).body.error.code).toBe('invalid_request');
    expect((await anon().post('/api/public/codes').send({ phone: PHONES[0], purpose: 'report', extra: 1 })).status).toBe(400);
    expect(await world()).toEqual(before);

    const c = await anon().post('/api/public/codes').send({ phone: '+86 138-0000-0001', purpose: 'report' });
    expect(c.status).toBe(201);
    expect(c.body).toMatchObject({ phone: '138****0001', delivery: 'dev', purpose: 'report' });
    expect(c.body.devCode).toMatch(/^\d{6}$/);
    const again = await anon().post('/api/public/codes').send({ phone: PHONES[0], purpose: 'report' });
    expect(again.status).toBe(429);
    expect(again.body.error.code).toBe('rate_limited');
    expect(Number(again.headers['retry-after'])).toBeGreaterThan(0);

    const wrong = String((Number(c.body.devCode) + 1) % 1_000_000).padStart(6, '0');
    const bad = await anon().post('/api/public/verify').send({ phone: PHONES[0], purpose: 'report', code: wrong });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ code: 'verification_failed', details: { reason: 'wrong' } });
    expect((await anon().post('/api/public/verify').send({ phone: PHONES[0], purpose: 'vote', code: c.body.devCode })).body.error.code)
      .toBe('verification_failed');
    const good = await anon().post('/api/public/verify').send({ phone: PHONES[0], purpose: 'report', code: c.body.devCode });
    expect(good.status).toBe(200);
    expect(good.body.ticket).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    const reused = await anon().post('/api/public/verify').send({ phone: PHONES[0], purpose: 'report', code: c.body.devCode });
    expect(reused.body.error).toMatchObject({ code: 'verification_failed', details: { reason: 'used' } });
    // Stored keyed and masked, never the number.
    const stored = JSON.stringify((await f.t.db.query('SELECT * FROM public_resident')).rows) + JSON.stringify((await f.t.db.query('SELECT phone_hash, phone_masked FROM public_code')).rows);
    expect(stored).not.toContain(PHONES[0]);
  });

  it('five wrong guesses use a code up', async () => {
    await f.t.db.query(`UPDATE public_code SET created_at = created_at - interval '2 hours'`);
    const c = await anon().post('/api/public/codes').send({ phone: PHONES[3], purpose: 'report' });
    const wrong = String((Number(c.body.devCode) + 1) % 1_000_000).padStart(6, '0');
    for (let i = 0; i < 5; i++) await anon().post('/api/public/verify').send({ phone: PHONES[3], purpose: 'report', code: wrong });
    const r = await anon().post('/api/public/verify').send({ phone: PHONES[3], purpose: 'report', code: c.body.devCode });
    expect(r.body.error).toMatchObject({ code: 'verification_failed', details: { reason: 'too_many_attempts' } });
  });

  it('without SMS_MODE=dev the answer has no code; the desk reads it out (read_full, audited), others may not', async () => {
    const desk = f.appWith({ SMS_MODE: 'desk', PUBLIC_RATE_LIMIT: '100000', DATA_DIR: dataDir });
    await f.t.db.query(`UPDATE public_code SET created_at = created_at - interval '2 hours'`);
    const c = await request(desk).post('/api/public/codes').send({ phone: PHONES[2], purpose: 'vote' });
    expect(c.status).toBe(201);
    expect(c.body.delivery).toBe('desk');
    expect(c.body.devCode).toBeUndefined();
    expect((await f.as('planner').post('/api/public/desk/codes', { phone: PHONES[2], purpose: 'vote' })).status).toBe(403);
    expect((await anon().post('/api/public/desk/codes').send({ phone: PHONES[2], purpose: 'vote' })).status).toBe(401);
    const read = await f.as('center').post('/api/public/desk/codes', { phone: PHONES[2], purpose: 'vote' });
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ issued: 'live', phone: '138****0003' });
    const v = await anon().post('/api/public/verify').send({ phone: PHONES[2], purpose: 'vote', code: read.body.code });
    expect(v.status).toBe(200);
    const audited = (await f.t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_log WHERE resource = 'public_code' AND action = 'read_full'`)).rows[0]!.n;
    expect(audited).toBe(1);
  });
});

let caseId = 0;
let track = '';
let t1 = '';

describe('随手拍 into the one intake', () => {
  it('no ticket, no photo of one\'s own, outside the district, unknown category, another phone: refused, nothing stored', async () => {
    t1 = await ticket(PHONES[0]);
    const p1 = await photo(t1, 1);
    const t2 = await ticket(PHONES[1]);
    const p2 = await photo(t2, 2);
    const before = await world();
    expect((await anon().post('/api/public/photos').attach('photo', await testImage('jpeg', 3), 'x.jpg')).status).toBe(401);
    const cases: [Record<string, unknown>, string, number, string][] = [
      [base(PHONES[0], [p1], 'key-00000001'), 'no ticket', 401, 'verification_required'],
      [base(PHONES[0], [], 'key-00000001'), 'no photo', 400, 'invalid_request'],
      [base(PHONES[0], [p2], 'key-00000001'), 'another resident\'s photo', 400, 'invalid_request'],
      [base(PHONES[0], [p1], 'key-00000001', FIXTURE.outside), 'outside', 422, 'outside_district'],
      [{ ...base(PHONES[0], [p1], 'key-00000001'), category: 'nope' }, 'category', 400, 'unknown_category'],
      [base(PHONES[1], [p1], 'key-00000001'), 'another phone than the ticket\'s', 401, 'verification_required'],
      [{ ...base(PHONES[0], [p1], 'key-00000001'), lon: 13_520_000, lat: 3_660_000 }, 'metres', 400, 'invalid_crs'],
      [{ ...base(PHONES[0], [p1], 'key-00000001'), description: '' }, 'empty description', 400, 'invalid_request'],
    ];
    for (const [body, what, status, code] of cases) {
      const r = what === 'no ticket' ? await anon().post('/api/public/reports').send(body) : await report(t1, body);
      expect([what, r.status, r.body.error?.code]).toEqual([what, status, code]);
    }
    const text = await anon().post('/api/public/reports').set('X-Resident-Ticket', t1).set('Content-Type', 'text/plain').send('垃圾');
    expect([text.status, text.body.error.code]).toEqual([415, 'unsupported_media_type']);
    expect(await world()).toEqual(before);
  });

  it('a report with code, photo and a GCJ-02 pin is a 随手拍 case in the intake; a retry is the same case and link', async () => {
    const p = await photo(t1, 4);
    const [lon, lat] = fromWgs84(FIXTURE.pointA1, 'gcj02');
    const body = { ...base(PHONES[0], [p], 'key-10000001'), lon, lat, crs: 'gcj02' };
    const r = await report(t1, body);
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body).toMatchObject({ status: 'reported', created: true });
    expect(r.body.trackUrl).toBe(`/report#case=${r.body.trackToken}`);
    caseId = r.body.caseId;
    track = r.body.trackToken;
    const again = await report(t1, body);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ caseId, trackToken: track, created: false });
    expect((await report(t1, { ...body, description: '另一件事' })).body.error.code).toBe('client_key_conflict');

    const staff = await f.as('center').get(`/api/incidents/${caseId}`);
    expect(staff.status).toBe(200);
    expect(staff.body.incident).toMatchObject({ source: 'photo', gridId: f.grids.gridA1, communityCode: 'T0101', caller: { phone: '138****0001', masked: true } });
    expect(Math.abs(staff.body.incident.lon - FIXTURE.pointA1[0])).toBeLessThan(1e-5);
    expect(staff.body.photos).toHaveLength(1);
    expect(staff.body.photos[0].uploadedBy).toBe('居民138****0001');
    expect(staff.body.events[0]).toMatchObject({ action: 'report' });
    expect(f.created.some((c) => c.id === caseId)).toBe(true);
    const full = await f.as('center').get(`/api/incidents/${caseId}/contact?full=1`);
    expect(full.body.phone).toBe(PHONES[0]);
  });

  it('the private link shows the case without personal data; rating waits for 办结, then once, by the resident', async () => {
    expect((await anon().get('/api/public/case')).status).toBe(401);
    expect((await anon().get('/api/public/case').set('X-Track-Token', 'x'.repeat(43))).body.error.code).toBe('verification_required');
    const c = await anon().get('/api/public/case').set('X-Track-Token', track);
    expect(c.status).toBe(200);
    expect(c.headers['cache-control']).toBe('no-store');
    expect(c.body).toMatchObject({ caseId, status: 'reported', statusName: '已上报', canRate: false, rating: null, points: 0, communityName: '甲社区' });
    noPii(c.body);
    expect(JSON.stringify(c.body)).not.toMatch(/gridA1|communityA|center/);
    const early = await anon().post('/api/public/case/rating').set('X-Track-Token', track).send({ rating: 'satisfied' });
    expect([early.status, early.body.error.code]).toEqual([409, 'not_rateable']);
    expect((await anon().post('/api/public/case/rating').set('X-Track-Token', track).send({ rating: 'great' })).status).toBe(400);

    await resolveAndVerify(caseId);
    const verified = await anon().get('/api/public/case').set('X-Track-Token', track);
    expect(verified.body).toMatchObject({ status: 'verified', canRate: true, points: 12 });
    const rated = await anon().post('/api/public/case/rating').set('X-Track-Token', track).send({ rating: 'basically_satisfied', note: '处理及时' });
    expect(rated.status).toBe(200);
    expect(rated.body).toMatchObject({ rating: 'basically_satisfied', canRate: false });
    const twice = await anon().post('/api/public/case/rating').set('X-Track-Token', track).send({ rating: 'dissatisfied' });
    expect([twice.status, twice.body.error.code]).toEqual([409, 'already_rated']);
    const staff = await f.as('center').get(`/api/incidents/${caseId}`);
    expect(staff.body.incident.rating).toBe('basically_satisfied');
    expect(staff.body.events.at(-1)).toMatchObject({ action: 'resident_rating', actionName: '居民评价', note: '处理及时' });
  });
});

describe('reporter points', () => {
  it('the award is one ledger row with its reason; asked again it is refused', async () => {
    const rows = (await f.t.db.query<{ delta: number; reason: string; incident_id: number; note: string }>(`SELECT delta, reason, incident_id, note FROM points_ledger`)).rows;
    expect(rows).toEqual([{ delta: 12, reason: 'valid_report', incident_id: caseId, note: expect.stringContaining(`#${caseId}`) }]);
  });

  it('duplicates merged earn once (the earliest report), a report marked invalid earns nothing and an award on it is refused', async () => {
    const tA = await ticket(PHONES[0]);
    const tB = await ticket(PHONES[1]);
    const first = await report(tA, base(PHONES[0], [await photo(tA, 5)], 'key-20000001'));
    const second = await report(tB, base(PHONES[1], [await photo(tB, 6)], 'key-20000002'));
    expect([first.status, second.status]).toEqual([201, 201]);
    const merged = await f.as('gridA1').post(`/api/incidents/${second.body.caseId}/merge`, { into: first.body.caseId });
    expect(merged.status).toBe(200);
    await resolveAndVerify(first.body.caseId);
    const group = (await f.t.db.query<{ resident_id: number; delta: number }>(
      `SELECT resident_id, delta FROM points_ledger WHERE incident_id = $1`, [first.body.caseId])).rows;
    expect(group).toHaveLength(1);
    const bCase = await anon().get('/api/public/case').set('X-Track-Token', second.body.trackToken);
    expect(bCase.body).toMatchObject({ status: 'duplicate', mergedInto: first.body.caseId, points: 0, canRate: true,
      survivor: { caseId: first.body.caseId, status: 'verified', statusName: '已核查' } });
    // The merged report's resident rates the case it lives on in; the first reporter still may rate too.
    const bRate = await anon().post('/api/public/case/rating').set('X-Track-Token', second.body.trackToken).send({ rating: 'satisfied' });
    expect(bRate.status).toBe(200);
    const survivorView = await f.as('center').get(`/api/incidents/${first.body.caseId}`);
    expect(survivorView.body.incident.rating).toBe('satisfied');
    expect((await anon().get('/api/public/case').set('X-Track-Token', first.body.trackToken)).body.canRate).toBe(true);

    const bad = await report(tB, base(PHONES[1], [await photo(tB, 7)], 'key-20000003'));
    const bid = bad.body.caseId as number;
    expect((await f.as('communityB').post(`/api/public/reports/${bid}/invalid`, { note: '无效' })).status).toBe(404);
    expect((await f.as('communityA').post(`/api/public/reports/${bid}/invalid`, {})).status).toBe(400);
    const inv = await f.as('communityA').post(`/api/public/reports/${bid}/invalid`, { note: '现场无此问题' });
    expect(inv.status).toBe(200);
    expect((await f.as('communityA').post(`/api/public/reports/${bid}/invalid`, { note: 'again' })).body.error.code).toBe('conflict');
    const before = await count('points_ledger');
    await resolveAndVerify(bid);
    expect(await count('points_ledger')).toBe(before);

    const admin = await adminApi();
    const refused = await admin.post('/api/public/points/award').send({ incidentId: bid });
    expect([refused.status, refused.body.error.code]).toEqual([422, 'not_awardable']);
    const twice = await admin.post('/api/public/points/award').send({ incidentId: caseId });
    expect([twice.status, twice.body.error.code]).toEqual([409, 'already_awarded']);
    expect(await count('points_ledger')).toBe(before);
    // The refusals are audited as denied.
    expect((await f.t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_log WHERE resource = 'points_ledger' AND outcome = 'denied'`)).rows[0]!.n).toBe(2);
  });

  it('staff list the resident reports of their jurisdiction with case, state, invalid mark and points (masked phones only)', async () => {
    const list = await f.as('communityA').get('/api/public/reports');
    expect(list.status, JSON.stringify(list.body)).toBe(200);
    expect(list.headers['cache-control']).toBe('no-store');
    type Row = { caseId: number; residentId: number; phone: string; status: string; mergedInto: number | null; survivorId: number; survivorStatus: string;
      rejectedAt: string | null; rejectedNote: string | null; points: number; reportedAt: string; communityCode: string };
    const rows = list.body.reports as Row[];
    expect(rows).toHaveLength(await count('public_report'));
    expect(rows.map((r) => r.reportedAt)).toEqual(rows.map((r) => r.reportedAt).sort().reverse());
    expect(rows.every((r) => r.communityCode === 'T0101' && /^1\d{2}\*{4}\d{4}$/.test(r.phone))).toBe(true);
    noPii(list.body);
    // The one marked invalid: its note, no points. The merged one lives on in its survivor.
    const rejected = rows.filter((r) => r.rejectedAt);
    expect(rejected.map((r) => [r.rejectedNote, r.points])).toEqual([['现场无此问题', 0]]);
    const merged = rows.find((r) => r.mergedInto !== null)!;
    expect([merged.status, merged.survivorId, merged.survivorStatus, merged.points]).toEqual(['duplicate', merged.mergedInto, 'verified', 0]);
    // Points as the ledger has them, per resident and surviving case.
    const held = (await f.t.db.query<{ incident_id: number; resident_id: number; n: number }>(
      `SELECT incident_id, resident_id, sum(delta)::int AS n FROM points_ledger WHERE incident_id IS NOT NULL GROUP BY 1, 2`)).rows;
    for (const r of rows) {
      expect([r.caseId, r.points]).toEqual([r.caseId, held.find((h) => h.incident_id === r.survivorId && h.resident_id === r.residentId)?.n ?? 0]);
    }
    expect(rows.find((r) => r.caseId === caseId)!.points).toBe(12);

    // Jurisdiction: the same list for the grid's worker and the district; none for another community.
    expect((await f.as('gridA1').get('/api/public/reports')).body.reports).toHaveLength(rows.length);
    expect((await f.as('center').get('/api/public/reports?limit=2')).body.reports.map((r: Row) => r.caseId)).toEqual(rows.slice(0, 2).map((r) => r.caseId));
    expect((await f.as('communityB').get('/api/public/reports')).body.reports).toEqual([]);
    expect((await f.as('gridB1').get('/api/public/reports')).body.reports).toEqual([]);
    expect((await f.as('communityB').get('/api/public/reports?community=T0101')).status).toBe(404);
    expect((await f.as('department').get('/api/public/reports')).status).toBe(403);
    expect((await f.as('planner').get('/api/public/reports')).status).toBe(403);
    expect((await f.as('communityA').get('/api/public/reports?limit=0')).status).toBe(400);
    expect((await anon().get('/api/public/reports')).status).toBe(401);
  });

  it('the admin sets the rules and adjusts with a note (never below zero); others may not; bad input changes nothing', async () => {
    const admin = await adminApi();
    const rules = { perValidReport: 5, photoBonus: 1, dailyCap: 20 };
    expect((await f.as('communityA').post('/api/public/points/award', { incidentId: caseId })).status).toBe(403);
    expect((await request(f.app).put('/api/public/points/rules').set('Authorization', `Bearer ${f.who.tokens.communityA}`).send(rules)).status).toBe(403);
    const bad = await admin.put('/api/public/points/rules').send({ ...rules, perValidReport: -3 });
    expect([bad.status, bad.body.error.code]).toEqual([400, 'invalid_request']);
    expect((await anon().get('/api/public/points/rules')).body).toMatchObject({ perValidReport: 10, photoBonus: 2, dailyCap: 50 });
    const set = await admin.put('/api/public/points/rules').send(rules);
    expect(set.status).toBe(200);
    expect((await anon().get('/api/public/points/rules')).body).toMatchObject(rules);

    const rid = (await f.t.db.query<{ id: number }>(`SELECT id FROM public_resident WHERE phone_masked = '138****0001'`)).rows[0]!.id;
    const before = await count('points_ledger');
    const tooMuch = await admin.post('/api/public/points/adjust').send({ residentId: rid, communityCode: 'T0101', delta: -1000, note: '扣分' });
    expect([tooMuch.status, tooMuch.body.error.code]).toEqual([400, 'invalid_request']);
    expect((await admin.post('/api/public/points/adjust').send({ residentId: rid, communityCode: 'T0101', delta: 3 })).status).toBe(400);
    expect(await count('points_ledger')).toBe(before);
    const adj = await admin.post('/api/public/points/adjust').send({ residentId: rid, communityCode: 'T0101', delta: 3, note: '志愿活动奖励' });
    expect(adj.status).toBe(201);
    expect(adj.body).toMatchObject({ reason: 'adjustment', delta: 3, note: '志愿活动奖励', phone: '138****0001' });

    const led = await f.as('communityA').get('/api/public/points/ledger');
    expect(led.status).toBe(200);
    expect(led.body.entries.every((e: { communityCode: string }) => e.communityCode === 'T0101')).toBe(true);
    expect(led.body.entries.every((e: { note: string }) => e.note.length > 0)).toBe(true);
    noPii(led.body);
    expect((await f.as('communityB').get('/api/public/points/ledger?community=T0101')).status).toBe(404);
    expect((await f.as('communityB').get('/api/public/points/ledger')).body.entries).toEqual([]);
  });

  it('the community leaderboard is public with masked names only', async () => {
    const b = await anon().get('/api/public/communities/T0101/leaderboard');
    expect(b.status).toBe(200);
    expect(b.body.rows[0]).toEqual({ rank: 1, name: '居民138****0001', points: 12 + 12 + 3 });
    noPii(b.body);
    expect((await anon().get('/api/public/communities/T0102/leaderboard')).body.rows).toEqual([]);
    expect((await anon().get('/api/public/communities/NOPE/leaderboard')).status).toBe(404);
    expect((await anon().get('/api/public/communities/T01/leaderboard')).status).toBe(404); // a subdistrict is no community
  });
});

describe('community page and 一年一事 votes', () => {
  let projects: number[] = [];
  it('this month\'s figures by category, the solve share, projects done; no personal data', async () => {
    const s = await anon().get('/api/public/communities/T0101/summary');
    expect(s.status).toBe(200);
    // Cases in T0101 this month: 4 filed, one merged away (not counted), three verified.
    expect(s.body).toMatchObject({ code: 'T0101', name: '甲社区', received: 3, solved: 3, solveShare: 1 });
    expect(s.body.byCategory).toEqual([{ category: 'sanitation', name: '环境卫生', received: 3, solved: 3 }]);
    noPii(s.body);
    expect(JSON.stringify(s.body)).not.toMatch(/楼下垃圾|description/);
    expect((await anon().get('/api/public/communities/T0102/summary')).body).toMatchObject({ received: 0, solved: 0, solveShare: null });
    expect((await anon().get('/api/public/communities/%00/summary')).status).toBe(400);
  });

  it('staff put up projects in their community only; a resident votes once (409 the second time); a desk link votes once', async () => {
    expect((await f.as('communityB').post('/api/public/projects', { communityCode: 'T0101', title: '加装电梯' })).status).toBe(404);
    expect((await f.as('planner').post('/api/public/projects', { communityCode: 'T0101', title: '加装电梯' })).status).toBe(403);
    expect((await f.as('communityA').post('/api/public/projects', { communityCode: 'T0101', title: '' })).status).toBe(400);
    for (const title of ['加装电梯', '增设充电桩', '口袋公园']) {
      const p = await f.as('communityA').post('/api/public/projects', { communityCode: 'T0101', title, description: `${title}（合成示例）` });
      expect(p.status).toBe(201);
      projects.push(p.body.id);
    }
    const done = await f.as('communityA').post('/api/public/projects', { communityCode: 'T0101', title: '楼道照明改造' });
    expect((await f.as('communityA').post(`/api/public/projects/${done.body.id}/status`, { status: 'done' })).body.status).toBe('done');
    expect((await anon().get('/api/public/communities/T0101/summary')).body.projectsDone.map((p: { title: string }) => p.title)).toEqual(['楼道照明改造']);

    const tv = await ticket(PHONES[0], 'vote');
    const tr = await ticket(PHONES[1], 'report');
    expect((await anon().post('/api/public/communities/T0101/votes').send({ projectId: projects[1] })).status).toBe(401);
    expect((await anon().post('/api/public/communities/T0101/votes').set('X-Resident-Ticket', tr).send({ projectId: projects[1] })).body.error.code)
      .toBe('verification_required');
    expect((await anon().post('/api/public/communities/T0102/votes').set('X-Resident-Ticket', tv).send({ projectId: projects[1] })).status).toBe(404);
    expect((await anon().post('/api/public/communities/T0101/votes').set('X-Resident-Ticket', tv).send({ projectId: done.body.id })).status).toBe(400);
    expect(await count('public_vote')).toBe(0);
    const v = await anon().post('/api/public/communities/T0101/votes').set('X-Resident-Ticket', tv).send({ projectId: projects[1] });
    expect(v.status).toBe(201);
    expect(v.body.total).toBe(1);
    const twice = await anon().post('/api/public/communities/T0101/votes').set('X-Resident-Ticket', tv).send({ projectId: projects[0] });
    expect([twice.status, twice.body.error.code]).toEqual([409, 'already_voted']);
    // Verifying again does not give a second vote.
    const tv2 = await ticket(PHONES[0], 'vote');
    expect((await anon().post('/api/public/communities/T0101/votes').set('X-Resident-Ticket', tv2).send({ projectId: projects[0] })).status).toBe(409);
    expect(await count('public_vote')).toBe(1);

    expect((await f.as('communityB').post('/api/public/desk/vote-links', { communityCode: 'T0101' })).status).toBe(404);
    const link = await f.as('communityA').post('/api/public/desk/vote-links', { communityCode: 'T0101' });
    expect(link.status).toBe(201);
    expect(link.body.url).toBe(`/public/T0101#vote=${link.body.token}`);
    expect((await anon().post('/api/public/communities/T0102/votes').set('X-Vote-Link', link.body.token).send({ projectId: projects[1] })).body.error.code)
      .toBe('verification_required');
    expect((await anon().post('/api/public/communities/T0101/votes').set('X-Vote-Link', link.body.token).send({ projectId: projects[1] })).status).toBe(201);
    const reuse = await anon().post('/api/public/communities/T0101/votes').set('X-Vote-Link', link.body.token).send({ projectId: projects[2] });
    expect([reuse.status, reuse.body.error.code]).toEqual([409, 'already_voted']);

    const results = await anon().get('/api/public/communities/T0101/votes');
    expect(results.status).toBe(200);
    expect(results.body.total).toBe(2);
    expect(results.body.projects[0]).toMatchObject({ projectId: projects[1], title: '增设充电桩', votes: 2, share: 1 });
    noPii(results.body);
  });
});

describe('the access surface', () => {
  it('unknown public routes answer like any unknown /api route; the public base tiles need no login and carry no cases', async () => {
    expect((await anon().get('/api/public/nothing')).status).toBe(401);
    expect((await anon().get('/api/public/tiles/base/99/0/0.pbf')).status).toBe(400);
    const z = 15;
    const x = Math.floor(((FIXTURE.pointA1[0] + 180) / 360) * 2 ** z);
    const latR = (FIXTURE.pointA1[1] * Math.PI) / 180;
    const y = Math.floor(((1 - Math.log(Math.tan(latR) + 1 / Math.cos(latR)) / Math.PI) / 2) * 2 ** z);
    const tile = await anon().get(`/api/public/tiles/base/${z}/${x}/${y}.pbf`).buffer(true);
    expect(tile.status).toBe(200);
    expect(tile.headers['content-type']).toContain('vnd.mapbox-vector-tile');
    expect((await anon().get('/tiles/incidents/15/0/0.pbf')).status).toBe(401);
    const d = await anon().get('/api/public/district');
    expect(d.body).toMatchObject({ code: 'T00', attribution: '© OpenStreetMap contributors' });
    expect(d.body.categories.length).toBeGreaterThan(3);
  });

  it('public writes are limited per address', async () => {
    const limited = f.appWith({ SMS_MODE: 'dev', PUBLIC_RATE_LIMIT: '2', DATA_DIR: dataDir });
    const codes = [];
    for (let i = 0; i < 3; i++) codes.push((await request(limited).post('/api/public/verify').send({ phone: PHONES[3], purpose: 'report', code: '000000' })).status);
    expect(codes.slice(0, 2)).toEqual([400, 400]);
    expect(codes[2]).toBe(429);
  });
});

// The staff screens of the public side (/admin: 积分规则, 服务台, 一年一事) on both engines: the desk
// lists the codes it handed out (masked, never the code) and the voting links of its jurisdiction
// (never the token), each scoped; the admin's rule changes are audited and never rewrite the
// points ledger; bad input is a 4xx and changes nothing.
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import type { DeskCodeRow, VoteLinkRow } from '../../core/public-contract.js';
import { fixtureApi } from '../testing/api.js';
import { adminSession } from '../testing/cases.js';

const f = fixtureApi({ SMS_MODE: 'dev', PUBLIC_RATE_LIMIT: '100000' });
const anon = () => request(f.app);
const count = async (table: string, where = 'true') => (await f.t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE ${where}`)).rows[0]!.n;
const PHONE = '13800000011';

describe('the desk screen: codes and voting links it issued', () => {
  it('lists the codes this desk handed out, masked and without the code, with their state', async () => {
    const issued = await f.as('communityA').post('/api/public/desk/codes', { phone: PHONE, purpose: 'vote' });
    expect(issued.status, JSON.stringify(issued.body)).toBe(201);
    const code = issued.body.code as string;
    const mine = async (who: 'communityA' | 'communityB') => ((await f.as(who).get('/api/public/desk/codes').expect(200)).body as { codes: DeskCodeRow[] }).codes;
    const rows = await mine('communityA');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ phone: '138****0011', purpose: 'vote', requestedBy: 'desk', state: 'live', usedAt: null });
    expect(JSON.stringify(rows)).not.toContain(code);
    expect(JSON.stringify(rows)).not.toContain(PHONE);
    // Another desk does not see it.
    expect(await mine('communityB')).toEqual([]);
    // The resident verifies with it: used.
    expect((await anon().post('/api/public/verify').send({ phone: PHONE, purpose: 'vote', code })).status).toBe(200);
    expect((await mine('communityA'))[0]!.state).toBe('used');
    // A code the resident asked for on the page and the desk read out is listed as requested by the resident.
    await f.t.db.query(`UPDATE public_code SET created_at = created_at - interval '2 hours'`);
    expect((await anon().post('/api/public/codes').send({ phone: '13800000012', purpose: 'report' })).status).toBe(201);
    const read = await f.as('communityA').post('/api/public/desk/codes', { phone: '13800000012', purpose: 'report' });
    expect([read.status, read.body.issued]).toEqual([200, 'live']);
    expect((await mine('communityA'))[0]).toMatchObject({ phone: '138****0012', requestedBy: 'self', state: 'live' });
  });

  it('refuses bad input and roles without the desk, changing nothing', async () => {
    const before = [await count('public_code'), await count('audit_log', `resource = 'public_code'`)];
    for (const body of [{ phone: '12345', purpose: 'vote' }, { phone: PHONE, purpose: 'lottery' }, { phone: PHONE, purpose: 'vote', extra: 1 }, {}]) {
      const r = await f.as('communityA').post('/api/public/desk/codes', body);
      expect([r.status, r.body.error.code]).toEqual([400, 'invalid_request']);
    }
    expect((await f.as('communityA').get('/api/public/desk/codes?limit=0')).status).toBe(400);
    for (const who of ['planner', 'kiosk', 'analyst'] as const) {
      expect((await f.as(who).post('/api/public/desk/codes', { phone: PHONE, purpose: 'vote' })).status).toBe(403);
      expect((await f.as(who).get('/api/public/desk/codes')).status).toBe(403);
    }
    const { agent } = await adminSession(f.app);
    expect((await agent.get('/api/public/desk/codes')).status).toBe(403);
    expect([await count('public_code'), await count('audit_log', `resource = 'public_code'`)]).toEqual(before);
  });

  it('lists the voting links of the jurisdiction, never the token; a used link says so', async () => {
    const project = await f.as('communityA').post('/api/public/projects', { communityCode: 'T0101', title: '加装电梯（测试）' });
    expect(project.status).toBe(201);
    const link = await f.as('communityA').post('/api/public/desk/vote-links', { communityCode: 'T0101' });
    expect(link.status).toBe(201);
    const token = link.body.token as string;
    const links = async (who: 'communityA' | 'communityB' | 'center', q = '') =>
      ((await f.as(who).get(`/api/public/desk/vote-links${q}`).expect(200)).body as { links: VoteLinkRow[] }).links;
    const a = await links('communityA');
    expect(a).toHaveLength(1);
    expect(a[0]).toMatchObject({ communityCode: 'T0101', year: link.body.year, state: 'unused', usedAt: null });
    expect(JSON.stringify(a)).not.toContain(token);
    expect(await links('communityB')).toEqual([]);
    expect((await links('center', '?community=T0101')).map((l) => l.id)).toEqual([a[0]!.id]);
    expect((await f.as('communityB').get('/api/public/desk/vote-links?community=T0101')).status).toBe(404);
    for (const q of ['?year=1999', '?community=bad%20code', '?limit=x', '?other=1']) {
      expect((await f.as('communityA').get(`/api/public/desk/vote-links${q}`)).status, q).toBe(400);
    }
    expect((await f.as('planner').get('/api/public/desk/vote-links')).status).toBe(403);
    // The resident votes with it: used.
    const vote = await anon().post('/api/public/communities/T0101/votes').set('X-Vote-Link', token).send({ projectId: project.body.id });
    expect(vote.status, JSON.stringify(vote.body)).toBe(201);
    expect((await links('communityA'))[0]!.state).toBe('used');
    // A link refused (a community outside the desk's jurisdiction, or none) writes nothing.
    const n = await count('public_vote_link');
    expect((await f.as('communityB').post('/api/public/desk/vote-links', { communityCode: 'T0101' })).status).toBe(404);
    expect((await f.as('communityA').post('/api/public/desk/vote-links', { communityCode: 'T0101', year: 1990 })).status).toBe(400);
    expect(await count('public_vote_link')).toBe(n);
  });
});

describe('积分规则: the admin edits the rules', () => {
  it('a change is audited with before and after and never rewrites the ledger; bad input changes nothing', async () => {
    const { agent, csrf } = await adminSession(f.app);
    const put = (body: unknown) => agent.put('/api/public/points/rules').set('X-CSRF-Token', csrf).send(body as object);
    // A resident with points on the ledger (an adjustment with a note).
    const rid = (await f.t.db.query<{ id: number }>(`SELECT id FROM public_resident WHERE phone_masked = '138****0011'`)).rows[0]!.id;
    const adj = await agent.post('/api/public/points/adjust').set('X-CSRF-Token', csrf).send({ residentId: rid, communityCode: 'T0101', delta: 12, note: '志愿活动奖励（测试）' });
    expect(adj.status, JSON.stringify(adj.body)).toBe(201);
    const ledger = async () => (await f.t.db.query('SELECT id, resident_id, community_code, delta, reason, note, incident_id, actor, at FROM points_ledger ORDER BY id')).rows;
    const rules = async () => (await anon().get('/api/public/points/rules').expect(200)).body as Record<string, unknown>;
    const ledger0 = await ledger();
    const rules0 = await rules();
    const audits = () => count('audit_log', `resource = 'points_rule'`);
    const audits0 = await audits();

    for (const bad of [{ perValidReport: -1, photoBonus: 2, dailyCap: 50 }, { perValidReport: 'ten', photoBonus: 2, dailyCap: 50 },
      { perValidReport: 10, photoBonus: 2, dailyCap: 50, bonus: 1 }, { perValidReport: 10, photoBonus: 2 }, { perValidReport: 1.5, photoBonus: 2, dailyCap: 50 }]) {
      const r = await put(bad);
      expect([r.status, r.body.error.code]).toEqual([400, 'invalid_request']);
    }
    expect((await request(f.app).put('/api/public/points/rules').set('Authorization', `Bearer ${f.who.tokens.center}`).send({ perValidReport: 1, photoBonus: 0, dailyCap: 0 })).status).toBe(403);
    expect(await rules()).toEqual(rules0);
    expect(await audits()).toBe(audits0);

    const next = { perValidReport: 20, photoBonus: 5, dailyCap: 100 };
    const set = await put(next);
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject(next);
    expect(set.body.updatedBy).toBeTruthy();
    expect(await rules()).toMatchObject(next);
    // The ledger is what it was: past awards and adjustments keep their points.
    expect(await ledger()).toEqual(ledger0);
    const log = (await f.t.db.query<{ actor: string; detail: { before: Record<string, number>; after: Record<string, number> } }>(
      `SELECT actor, detail FROM audit_log WHERE resource = 'points_rule' ORDER BY id DESC LIMIT 1`)).rows[0]!;
    expect(log.actor).toBe('admin');
    expect(log.detail.before).toMatchObject({ perValidReport: rules0.perValidReport, photoBonus: rules0.photoBonus, dailyCap: rules0.dailyCap });
    expect(log.detail.after).toEqual(next);
  });
});

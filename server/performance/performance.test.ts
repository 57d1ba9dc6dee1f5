// Performance scores on the fixture district: the counts behind each metric come from the cases
// and their trails, each breakdown sums to its score, the ranking follows the weights an admin
// edits (validated, normalised, audited; bad weights change nothing), lists are scoped by
// jurisdiction, and the CSV is injection-safe.
import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import { METRICS } from '../../core/scoring.js';
import { fixtureApi } from '../testing/api.js';
import { testDbKind } from '../testing/db.js';
import { insertToken } from '../testing/principals.js';
import { insertCases } from '../warnings/testkit.js';

const f = fixtureApi();
const ADMIN = 'gct_performance_admin_secret_0123456789';
const MONTH = '2026-10';
const at = new Date('2026-10-10T09:00:00+08:00');

interface Unit { rank: number | null; key: string; name: string; score: number | null; breakdown: { metric: string; value: number | null; points: number; numerator: number; denominator: number; noData?: string }[] }
interface Ranking { month: string; level: string; units: Unit[]; weights: Record<string, number> }

/** n cases in a grid, with what happened to them. */
async function cases(grid: number, community: string, n: number, o: {
  solvedAt?: ('grid' | 'community')[]; onTime?: boolean[]; ratings?: string[]; verify?: number; reject?: number; hotlineRepeat?: number;
}) {
  const ids = await insertCases(f.t.db, Array.from({ length: n }, (_, i) => ({ category: 'sanitation', lon: 121.495, lat: 31.235, gridId: grid, community, at: new Date(at.getTime() + i * 60_000) })));
  const ev = (id: number, action: string, level: string, onTime: boolean | null, to = 'resolved') => f.t.db.query(
    `INSERT INTO incident_event (incident_id, action, from_state, to_state, level, to_level, on_time, actor_kind, actor_label, at)
     VALUES ($1, $2, 'in_progress', $5, $3, $3, $4, 'system', '测试（合成数据）', $6)`, [id, action, level, onTime, to, new Date(at.getTime() + 86_400_000)]);
  for (const [i, level] of (o.solvedAt ?? []).entries()) {
    await ev(ids[i]!, 'resolve', level, null);
    await f.t.db.query(`UPDATE incident SET status = 'closed' WHERE id = $1`, [ids[i]]);
  }
  for (const [i, t] of (o.onTime ?? []).entries()) await ev(ids[i]!, 'dispatch', 'grid', t, 'dispatched');
  for (const [i, r] of (o.ratings ?? []).entries()) await f.t.db.query(`UPDATE incident SET rating = $2 WHERE id = $1`, [ids[i], r]);
  for (let i = 0; i < (o.verify ?? 0); i++) await ev(ids[i]!, 'verify', 'grid', null, 'verified');
  for (let i = 0; i < (o.reject ?? 0); i++) await ev(ids[i]!, 'reject_verification', 'grid', null, 'in_progress');
  for (let i = 0; i < (o.hotlineRepeat ?? 0); i++) {
    await f.t.db.query(`UPDATE incident SET source = 'hotline_12345' WHERE id = $1`, [ids[i]]);
    await f.t.db.query(`INSERT INTO incident_reporter (incident_id, source, client_key, reported_at) VALUES ($1, 'hotline_12345', $2, $3), ($1, 'hotline_12345', $4, $3)`,
      [ids[i], `perf-${ids[i]}-a`, at, `perf-${ids[i]}-b`]);
  }
}

const get = async (who: Parameters<typeof f.as>[0], q: string) => (await f.as(who).get(`/api/performance${q}`).expect(200)).body as Ranking;
const admin = () => ({
  put: (url: string, body: unknown) => request(f.app).put(url).set('Authorization', `Bearer ${ADMIN}`).send(body as object),
});

describe(`performance scores on ${testDbKind()}`, () => {
  beforeAll(async () => {
    await insertToken(f.t.db, ADMIN, 'performance-admin', 'admin', { divisionCode: 'T00' });
    // A1 solves at grid level but misses deadlines; B1 escalates most but is always on time.
    await cases(f.grids.gridA1, 'T0101', 4, { solvedAt: ['grid', 'grid', 'grid', 'grid'], onTime: [true, false, false, false], ratings: ['satisfied', 'basically_satisfied'], verify: 3, reject: 1 });
    await cases(f.grids.gridB1, 'T0102', 4, { solvedAt: ['grid', 'community', 'community', 'community'], onTime: [true, true, true, true], ratings: ['dissatisfied'], verify: 2, hotlineRepeat: 1 });
  });

  it('metrics come from the cases; each breakdown sums to its score', async () => {
    const r = await get('center', `?month=${MONTH}&level=grid`);
    expect(r.units.map((u) => u.key).sort()).toEqual([f.grids.gridA1, f.grids.gridA2, f.grids.gridB1].map(String).sort());
    const a1 = r.units.find((u) => u.key === String(f.grids.gridA1))!;
    const m = (u: Unit, k: string) => u.breakdown.find((b) => b.metric === k)!;
    expect([m(a1, 'solveInGrid').numerator, m(a1, 'solveInGrid').denominator]).toEqual([4, 4]);
    expect([m(a1, 'onTime').numerator, m(a1, 'onTime').denominator]).toEqual([1, 4]);
    expect(m(a1, 'satisfaction').value).toBeCloseTo((1 + 0.6) / 2, 12);
    expect([m(a1, 'verification').numerator, m(a1, 'verification').denominator]).toEqual([3, 4]);
    expect(m(a1, 'hotlineRepeat').value).toBeNull();
    expect(m(a1, 'branchActivity').noData).toBe('暂无支部活动台账数据');
    const b1 = r.units.find((u) => u.key === String(f.grids.gridB1))!;
    expect([m(b1, 'hotlineRepeat').numerator, m(b1, 'hotlineRepeat').denominator]).toEqual([0, 1]);
    for (const u of r.units) {
      if (u.score == null) continue;
      expect(u.breakdown.reduce((s, b) => s + b.points, 0)).toBeCloseTo(u.score, 9);
    }
    const a2 = r.units.find((u) => u.key === String(f.grids.gridA2))!;
    expect([a2.score, a2.rank]).toEqual([null, null]);
    expect(r.units.at(-1)!.key).toBe(String(f.grids.gridA2));
    // Communities and the subdistrict add up their grids' cases.
    const com = await get('center', `?month=${MONTH}&level=community`);
    expect(m(com.units.find((u) => u.key === 'T0102')!, 'solveInGrid').denominator).toBe(4);
    const sub = await get('center', `?month=${MONTH}&level=subdistrict`);
    expect(sub.units.map((u) => u.key)).toEqual(['T01']);
    expect(m(sub.units[0]!, 'solveInGrid').denominator).toBe(8);
    expect((await get('center', `?month=${MONTH}&level=department`)).units.map((u) => u.name)).toEqual(['城管']);
    // Another month has no cases.
    expect((await get('center', '?month=2026-09&level=grid')).units.every((u) => u.score === null)).toBe(true);
  });

  it('weights edited by an admin change the ranking; bad weights are refused and change nothing', async () => {
    const only = (k: string, v = 1) => Object.fromEntries(METRICS.map((x) => [x, x === k ? v : 0]));
    const order = async () => (await get('center', `?month=${MONTH}&level=grid`)).units.filter((u) => u.score != null).map((u) => u.key);
    for (const bad of [{ ...only('onTime'), onTime: -1 }, { ...only('onTime'), extra: 1 }, only('onTime', 0), { onTime: 1 }, { ...only('onTime'), onTime: '1' }]) {
      expect((await admin().put('/api/performance/weights', bad).expect(400)).body.error.code).toBe('invalid_request');
    }
    await request(f.app).put('/api/performance/weights').set('Authorization', `Bearer ${f.who.tokens.center}`).send(only('onTime')).expect(403);
    expect((await get('center', `?month=${MONTH}`)).weights).toEqual({ solveInGrid: 0.25, onTime: 0.25, satisfaction: 0.2, verification: 0.1, hotlineRepeat: 0.1, branchActivity: 0.1 });
    const put = (await admin().put('/api/performance/weights', only('solveInGrid', 3)).expect(200)).body as { weights: Record<string, number>; normalised: boolean };
    expect([put.weights.solveInGrid, put.normalised]).toEqual([1, true]);
    expect(await order()).toEqual([String(f.grids.gridA1), String(f.grids.gridB1)]);
    await admin().put('/api/performance/weights', only('onTime')).expect(200);
    expect(await order()).toEqual([String(f.grids.gridB1), String(f.grids.gridA1)]);
    const log = (await f.t.db.query<{ detail: { after: Record<string, number> } }>(`SELECT detail FROM audit_log WHERE resource = 'score_weight' ORDER BY id DESC LIMIT 1`)).rows[0]!;
    expect(log.detail.after.onTime).toBe(1);
  });

  it('scoped by jurisdiction and role; bad queries are 400', async () => {
    expect((await get('communityB', `?month=${MONTH}&level=grid`)).units.map((u) => u.key)).toEqual([String(f.grids.gridB1)]);
    expect((await get('communityB', `?month=${MONTH}&level=community`)).units.map((u) => u.key)).toEqual(['T0102']);
    expect((await f.as('communityB').get(`/api/performance?month=${MONTH}&division=T0101`).expect(403)).body.error.code).toBe('forbidden');
    for (const w of ['gridA1', 'department', 'planner', 'kiosk'] as const) await f.as(w).get('/api/performance').expect(403);
    for (const q of ['?month=2026-13', '?month=26-10', '?level=street', '?format=xml']) {
      expect((await f.as('center').get(`/api/performance${q}`).expect(400)).body.error.code).toBe('invalid_request');
    }
  });

  it('CSV export: one row per unit, injection-safe, audited', async () => {
    await f.t.db.query(`UPDATE grid SET name = '=HYPERLINK("x")' WHERE id = $1`, [f.grids.gridA2]);
    const res = await f.as('center').get(`/api/performance?month=${MONTH}&level=grid&format=csv`).expect(200);
    expect(res.headers['content-type']).toMatch(/text\/csv/);
    const lines = res.text.replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(lines[0]!.split(',').slice(0, 7)).toEqual(['month', 'level', 'rank', 'key', 'name', 'parent', 'score']);
    expect(lines).toHaveLength(4);
    expect(res.text).toContain(`"'=HYPERLINK(""x"")"`);
    const log = (await f.t.db.query<{ action: string }>(`SELECT action FROM audit_log WHERE resource = 'performance' ORDER BY id DESC LIMIT 1`)).rows[0];
    expect(log?.action).toBe('export');
  });
});

import { describe, expect, it } from 'vitest';
import { checkAdjustment, decideAward, DEFAULT_RULES, pointsRulesSchema, rankBoard, type GroupReport } from './points.js';

const at = (m: number) => new Date(Date.UTC(2026, 11, 5, 8, m));
const rep = (residentId: number, incidentId: number, m: number, o: Partial<GroupReport> = {}): GroupReport =>
  ({ residentId, incidentId, reportedAt: at(m), hasPhoto: false, rejected: false, ...o });
const facts = (status: string, reports: GroupReport[], awarded = false, today = 0) => ({ status, reports, awarded, earnedToday: () => today });

describe('decideAward', () => {
  it('awards a verified report, with the photo bonus', () => {
    expect(decideAward(facts('verified', [rep(1, 10, 0, { hasPhoto: true })]), DEFAULT_RULES))
      .toEqual({ kind: 'award', residentId: 1, incidentId: 10, points: 12 });
    expect(decideAward(facts('rated', [rep(1, 10, 0)]), DEFAULT_RULES)).toMatchObject({ kind: 'award', points: 10 });
  });
  it('nothing before verification, after it was awarded, or on a rejected report', () => {
    for (const s of ['reported', 'in_progress', 'resolved', 'duplicate']) {
      expect(decideAward(facts(s, [rep(1, 10, 0)]), DEFAULT_RULES)).toEqual({ kind: 'none', reason: 'not_verified' });
    }
    expect(decideAward(facts('verified', [rep(1, 10, 0)], true), DEFAULT_RULES)).toEqual({ kind: 'none', reason: 'already_awarded' });
    expect(decideAward(facts('verified', [rep(1, 10, 0, { rejected: true })]), DEFAULT_RULES)).toEqual({ kind: 'none', reason: 'rejected' });
    expect(decideAward(facts('verified', []), DEFAULT_RULES)).toEqual({ kind: 'none', reason: 'no_resident_report' });
  });
  it('merged duplicates earn once: the earliest valid report', () => {
    const v = decideAward(facts('closed', [rep(2, 11, 5), rep(3, 12, 1), rep(4, 13, 0, { rejected: true })]), DEFAULT_RULES);
    expect(v).toEqual({ kind: 'award', residentId: 3, incidentId: 12, points: 10 });
  });
  it('the daily cap trims or refuses', () => {
    expect(decideAward(facts('verified', [rep(1, 10, 0)], false, 45), DEFAULT_RULES)).toMatchObject({ kind: 'award', points: 5 });
    expect(decideAward(facts('verified', [rep(1, 10, 0)], false, 50), DEFAULT_RULES)).toEqual({ kind: 'none', reason: 'daily_cap' });
    expect(decideAward(facts('verified', [rep(1, 10, 0)], false, 500), { ...DEFAULT_RULES, dailyCap: 0 })).toMatchObject({ points: 10 });
  });
});

describe('rules and adjustments', () => {
  it('rules are whole numbers in range, nothing else', () => {
    expect(pointsRulesSchema.safeParse(DEFAULT_RULES).success).toBe(true);
    expect(pointsRulesSchema.safeParse({ ...DEFAULT_RULES, perValidReport: -1 }).success).toBe(false);
    expect(pointsRulesSchema.safeParse({ ...DEFAULT_RULES, perValidReport: 1.5 }).success).toBe(false);
    expect(pointsRulesSchema.safeParse({ ...DEFAULT_RULES, extra: 1 }).success).toBe(false);
  });
  it('no zero change, no balance below zero', () => {
    expect(checkAdjustment(10, -10)).toEqual({ ok: true });
    expect(checkAdjustment(10, -11).ok).toBe(false);
    expect(checkAdjustment(10, 0).ok).toBe(false);
  });
});

describe('rankBoard', () => {
  it('ties share a rank, zero balances are left out, names are masked phones', () => {
    const rows = rankBoard([
      { residentId: 1, phoneMasked: '138****0001', points: 10 },
      { residentId: 2, phoneMasked: '138****0002', points: 30 },
      { residentId: 3, phoneMasked: '138****0003', points: 10 },
      { residentId: 4, phoneMasked: '138****0004', points: 0 },
      { residentId: 5, phoneMasked: '138****0005', points: 5 },
    ]);
    expect(rows).toEqual([
      { rank: 1, name: '居民138****0002', points: 30 },
      { rank: 2, name: '居民138****0001', points: 10 },
      { rank: 2, name: '居民138****0003', points: 10 },
      { rank: 4, name: '居民138****0005', points: 5 },
    ]);
  });
});

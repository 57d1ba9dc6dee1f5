import { describe, expect, it } from 'vitest';
import { checkVoteTarget, monthStart, solveShare, tally, voteYear, voterKey } from './votes.js';

describe('calendar in China', () => {
  it('the year and month turn at midnight UTC+8', () => {
    expect(voteYear(new Date('2026-12-31T15:59:59Z'))).toBe(2026);
    expect(voteYear(new Date('2026-12-31T16:00:00Z'))).toBe(2027);
    expect(monthStart(new Date('2026-12-05T08:00:00Z')).toISOString()).toBe('2026-11-30T16:00:00.000Z');
    expect(monthStart(new Date('2026-11-30T16:30:00Z')).toISOString()).toBe('2026-11-30T16:00:00.000Z');
  });
});

describe('votes', () => {
  it('one key per voter kind', () => {
    expect(voterKey({ residentId: 7 })).toBe('resident:7');
    expect(voterKey({ linkId: 7 })).toBe('link:7');
  });
  it('only a candidate of this community and year', () => {
    const p = { communityCode: 'c1', year: 2026, status: 'candidate' as const };
    expect(checkVoteTarget(p, 'c1', 2026)).toEqual({ ok: true });
    expect(checkVoteTarget(p, 'c2', 2026)).toMatchObject({ ok: false, code: 'not_found' });
    expect(checkVoteTarget(null, 'c1', 2026)).toMatchObject({ ok: false, code: 'not_found' });
    expect(checkVoteTarget(p, 'c1', 2027)).toMatchObject({ ok: false, code: 'invalid_request' });
    expect(checkVoteTarget({ ...p, status: 'done' }, 'c1', 2026)).toMatchObject({ ok: false, code: 'invalid_request' });
  });
  it('tally: shares of all votes, most first', () => {
    const t = tally([{ id: 1, title: 'A', status: 'candidate' }, { id: 2, title: 'B', status: 'candidate' }, { id: 3, title: 'C', status: 'candidate' }],
      new Map([[2, 3], [1, 1]]));
    expect(t.total).toBe(4);
    expect(t.rows.map((r) => [r.projectId, r.votes, r.share])).toEqual([[2, 3, 0.75], [1, 1, 0.25], [3, 0, 0]]);
    expect(tally([{ id: 1, title: 'A', status: 'candidate' }], new Map()).rows[0]!.share).toBe(0);
  });
  it('solve share', () => {
    expect(solveShare(0, 0)).toBeNull();
    expect(solveShare(3, 2)).toBe(0.667);
  });
});

import { describe, expect, it } from 'vitest';
import {
  actionSpec, countdown, DESK_TABS, levelOfRole, dispatchLevels, fmtDuration, isOverdue, lockedActions, needsMe, queueOrder, refusalMessage,
  ServerClock, sortActions, trailExtra, type CaseItem,
} from './model.js';

const NOW = Date.parse('2026-03-01T08:00:00Z');

function kase(over: Partial<CaseItem>): CaseItem {
  return {
    id: 1, clientKey: 'k-00000001', category: 'sanitation', description: '', source: 'patrol', status: 'reported', lon: 121.49, lat: 31.24,
    inputCrs: 'wgs84', gridId: 1, gridName: 'G1', communityCode: 'C1', subdistrictCode: 'S1', districtCode: 'D', synthetic: false,
    createdAt: '2026-03-01T07:00:00Z', updatedAt: '2026-03-01T07:00:00Z', statusName: '已上报', statusType: 'open', level: 'grid',
    levelName: '网格', handler: 'grid_worker', departmentCode: null, departmentName: null, deadlineAt: null, overdue: false, escalations: 0,
    resolvedBy: null, resolvedAt: null, verifiedBy: null, verifiedAt: null, closedAt: null, rating: null, mergedInto: null, reporters: 1,
    unlocated: false, address: null, mediaUrl: null,
    ...over,
  };
}

describe('countdowns', () => {
  it('formats durations with days', () => {
    expect(fmtDuration(0)).toBe('00:00:00');
    expect(fmtDuration(3_661_000)).toBe('01:01:01');
    expect(fmtDuration(-(2 * 86_400_000 + 5_000))).toBe('2天 00:00:05');
  });
  it('counts down, turns urgent, then overdue', () => {
    expect(countdown(null, NOW)).toMatchObject({ text: '', leftMs: null, past: false });
    expect(countdown('2026-03-01T12:00:00Z', NOW)).toMatchObject({ text: '04:00:00', past: false, urgent: false });
    expect(countdown('2026-03-01T09:00:00Z', NOW)).toMatchObject({ text: '01:00:00', urgent: true });
    expect(countdown('2026-03-01T07:30:00Z', NOW)).toMatchObject({ text: '超期 00:30:00', past: true, leftMs: -1_800_000 });
  });
  it('follows the server clock, not the device clock', () => {
    const clock = new ServerClock();
    clock.sync('2026-03-01T08:00:00Z', NOW - 60_000); // device is a minute behind
    expect(clock.now(NOW - 60_000)).toBe(NOW);
    expect(clock.now(NOW)).toBe(NOW + 60_000);
  });
});

describe('tabs and queue order', () => {
  it('puts every state in exactly one of the four state tabs', () => {
    const states = ['reported', 'accepted', 'dispatched', 'in_progress', 'resolved', 'verified', 'closed', 'rated', 'returned', 'reopened', 'duplicate'];
    for (const s of states) {
      const hits = DESK_TABS.filter((t) => t.id !== 'overdue' && t.match(kase({ status: s }), NOW));
      expect(hits.map((t) => t.id), s).toHaveLength(1);
    }
  });
  it('a case sent up to my level is new work for me, elsewhere it is in hand', () => {
    const up = kase({ status: 'dispatched', level: 'community' });
    expect(DESK_TABS.filter((t) => t.match(up, NOW, 'community')).map((t) => t.id)).toEqual(['new']);
    expect(DESK_TABS.filter((t) => t.match(up, NOW, 'subdistrict')).map((t) => t.id)).toEqual(['doing']);
    expect(DESK_TABS.filter((t) => t.match(up, NOW, null)).map((t) => t.id)).toEqual(['doing']);
    expect(levelOfRole('community_staff')).toBe('community');
    expect(levelOfRole('district_leader')).toBeNull();
  });
  it('overdue: past the deadline or flagged, and still open', () => {
    expect(isOverdue(kase({ deadlineAt: '2026-03-01T07:00:00Z' }), NOW)).toBe(true);
    expect(isOverdue(kase({ deadlineAt: '2026-03-01T09:00:00Z' }), NOW)).toBe(false);
    expect(isOverdue(kase({ overdue: true }), NOW)).toBe(true);
    expect(isOverdue(kase({ overdue: true, status: 'resolved', statusType: 'fixed' }), NOW)).toBe(false);
    expect(isOverdue(kase({ overdue: true, status: 'closed', statusType: 'closed' }), NOW)).toBe(false);
  });
  it('orders overdue first, then by deadline, then newest', () => {
    const list = [
      kase({ id: 1, deadlineAt: '2026-03-02T08:00:00Z' }),
      kase({ id: 2, deadlineAt: '2026-03-01T07:00:00Z' }),
      kase({ id: 3, deadlineAt: null, updatedAt: '2026-03-01T07:59:00Z' }),
      kase({ id: 4, deadlineAt: '2026-03-01T09:00:00Z' }),
      kase({ id: 5, deadlineAt: null, updatedAt: '2026-03-01T06:00:00Z' }),
    ];
    expect(list.sort(queueOrder(NOW)).map((c) => c.id)).toEqual([2, 4, 1, 3, 5]);
  });
});

describe('actions', () => {
  it('knows what each action asks for', () => {
    expect(actionSpec('escalate')).toMatchObject({ name: '上报上级', needsNote: true, tone: 'warn' });
    expect(actionSpec('dispatch')).toMatchObject({ name: '派单', needsLevel: true, needsNote: false });
    expect(actionSpec('whistle')).toMatchObject({ name: '吹哨', needsDepartment: true });
    expect(actionSpec('rate')).toMatchObject({ name: '评价', needsRating: true });
    expect(actionSpec('merge')).toMatchObject({ needsInto: true });
    expect(actionSpec('verify')).toMatchObject({ name: '核查', needsNote: false });
  });
  it('offers dispatch levels by role and by where the case can go', () => {
    expect(dispatchLevels('community_staff', kase({})).map((l) => l.code)).toEqual(['grid']);
    expect(dispatchLevels('subdistrict_staff', kase({})).map((l) => l.code)).toEqual(['grid', 'community']);
    expect(dispatchLevels('subdistrict_staff', kase({ gridId: null })).map((l) => l.code)).toEqual(['community']);
    expect(dispatchLevels('grid_worker', kase({}))).toEqual([]);
    // 派往指定网格: with grids to choose from, a case in no grid can go to the grid level.
    expect(dispatchLevels('subdistrict_staff', kase({ gridId: null }), { chooseGrid: true }).map((l) => l.code)).toEqual(['grid', 'community']);
    expect(dispatchLevels('grid_worker', kase({ gridId: null }), { chooseGrid: true })).toEqual([]);
  });
  it('shows 核查 locked to the resolver, so the server can say why', () => {
    expect(lockedActions('resolved', 'community_staff', ['merge'])).toEqual(['verify', 'reject_verification']);
    expect(lockedActions('resolved', 'community_staff', ['verify', 'reject_verification'])).toEqual([]);
    expect(lockedActions('in_progress', 'community_staff', [])).toEqual([]);
    expect(lockedActions('resolved', 'department', [])).toEqual([]);
  });
  it('a case needs me when I can do more than merge it', () => {
    expect(needsMe([{ action: 'merge' }])).toBe(false);
    expect(needsMe([{ action: 'merge' }, { action: 'accept' }])).toBe(true);
    expect(sortActions([{ action: 'return' }, { action: 'escalate' }, { action: 'start' }]).map((a) => a.action)).toEqual(['start', 'escalate', 'return']);
  });
  it('explains refusals in Chinese and keeps the server message', () => {
    expect(refusalMessage('forbidden', 'the person who resolved a case cannot verify it (巡办分离)')).toMatch(/^办结人不能核查本案（巡办分离）.*服务器：the person who resolved/);
    expect(refusalMessage('invalid_transition', '受理 (accept) is not possible in state 已受理 (accepted)')).toMatch(/当前状态下不能执行/);
    expect(refusalMessage('weird', 'x')).toBe('操作失败（服务器：x）');
  });
  it('describes trail extras', () => {
    expect(trailExtra({ action: 'escalate', fromLevel: 'grid', toLevel: 'community', detail: {} })).toBe('网格 → 社区');
    expect(trailExtra({ action: 'whistle', fromLevel: 'subdistrict', toLevel: 'department', detail: { departmentCode: 'chengguan' } },
      new Map([['chengguan', '区城管执法局']]))).toBe('街道 → 职能部门 · 区城管执法局');
    expect(trailExtra({ action: 'rate', fromLevel: 'grid', toLevel: 'grid', detail: { rating: 'satisfied' } })).toBe('满意');
    expect(trailExtra({ action: 'dispatch', fromLevel: 'grid', toLevel: 'grid', detail: {} })).toBe('派往网格');
  });
});

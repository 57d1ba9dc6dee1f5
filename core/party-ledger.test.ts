import { describe, expect, it } from 'vitest';
import {
  activityInput, activityProblems, addDays, beijingDate, daysBetween, gridActivity, isValidDate, lastMonths, listedPhone,
  monthlyCounts, seesFullContact, STAFF_DUTIES,
} from './party-ledger.js';

const members = new Map<number, { joinedOn: string | null }>([[1, { joinedOn: '2020-01-01' }], [2, { joinedOn: null }], [3, { joinedOn: '2026-11-20' }]]);
const ctx = { today: '2026-12-05', members, attachablePhotoIds: new Set([10]) };

describe('party ledger rules', () => {
  it('accepts a well-formed activity and refuses malformed input by schema', () => {
    const ok = activityInput.safeParse({ kind: 'theme_day', heldOn: '2026-12-01', place: '社区党群服务中心', attendeeIds: [1, 2] });
    expect(ok.success && ok.data).toMatchObject({ note: '', photoIds: [] });
    for (const bad of [
      { kind: 'party', heldOn: '2026-12-01', place: 'x', attendeeIds: [1] },
      { kind: 'visit', heldOn: '2026-02-30', place: 'x', attendeeIds: [1] },
      { kind: 'visit', heldOn: '2026-12-01', place: '  ', attendeeIds: [1] },
      { kind: 'visit', heldOn: '2026-12-01', place: 'x', attendeeIds: [] },
      { kind: 'visit', heldOn: '2026-12-01', place: 'x', attendeeIds: [1], extra: 1 },
      { kind: 'visit', heldOn: '2026-12-01', place: 'x', attendeeIds: [1.5] },
    ]) expect(activityInput.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
  });
  it('no future dates, no records older than the backfill window', () => {
    expect(activityProblems({ heldOn: '2026-12-05', attendeeIds: [1], photoIds: [] }, ctx)).toEqual([]);
    expect(activityProblems({ heldOn: '2026-12-06', attendeeIds: [1], photoIds: [] }, ctx).map((p) => p.rule)).toEqual(['future']);
    expect(activityProblems({ heldOn: '2025-12-01', attendeeIds: [1], photoIds: [] }, ctx).map((p) => p.rule)).toEqual(['too_old']);
  });
  it('attendees must be this branch’s members, once each, who had joined by the date; photos must be attachable', () => {
    const p = activityProblems({ heldOn: '2026-11-10', attendeeIds: [1, 1, 3, 99], photoIds: [10, 11] }, ctx);
    expect(p.map((x) => [x.rule, x.ids])).toEqual([
      ['duplicate', [1]], ['not_branch_member', [99]], ['before_joining', [3]], ['photo_not_accessible', [11]],
    ]);
    expect(activityProblems({ heldOn: '2026-11-20', attendeeIds: [3], photoIds: [] }, ctx)).toEqual([]);
  });
  it('dates: Beijing day, calendar checks, day arithmetic', () => {
    expect(beijingDate(Date.parse('2026-12-04T16:30:00Z'))).toBe('2026-12-05');
    expect(beijingDate(Date.parse('2026-12-04T15:59:00Z'))).toBe('2026-12-04');
    expect(isValidDate('2024-02-29')).toBe(true);
    expect(isValidDate('2026-02-29')).toBe(false);
    expect(daysBetween('2026-11-30', '2026-12-05')).toBe(5);
    expect(addDays('2026-12-05', -29)).toBe('2026-11-06');
    expect(lastMonths('2026-02-10', 4)).toEqual(['2025-11', '2025-12', '2026-01', '2026-02']);
  });
});

describe('party ledger counts', () => {
  it('counts activities per branch and month by kind, zeros included, outside months ignored', () => {
    const m = monthlyCounts([
      { branchId: 1, heldOn: '2026-11-03', kind: 'theme_day' },
      { branchId: 1, heldOn: '2026-11-20', kind: 'visit' },
      { branchId: 1, heldOn: '2026-12-01', kind: 'visit' },
      { branchId: 2, heldOn: '2026-06-01', kind: 'volunteer' },
      { branchId: 9, heldOn: '2026-12-01', kind: 'visit' },
    ], [1, 2], ['2026-10', '2026-11', '2026-12']);
    expect(m.get(1)!.map((x) => x.total)).toEqual([0, 2, 1]);
    expect(m.get(1)![1]!.byKind).toEqual({ theme_day: 1, volunteer: 0, visit: 1 });
    expect(m.get(2)!.map((x) => x.total)).toEqual([0, 0, 0]);
    expect(m.has(9)).toBe(false);
  });
  it('flags grids without an activity in the last 30 days (today and 29 days back count)', () => {
    const today = '2026-12-05';
    const r = gridActivity(
      [{ gridId: 1, hasBranch: true }, { gridId: 2, hasBranch: true }, { gridId: 3, hasBranch: false }, { gridId: 4, hasBranch: true }],
      [{ gridId: 1, heldOn: '2026-11-06' }, { gridId: 1, heldOn: '2026-12-05' }, { gridId: 2, heldOn: '2026-11-05' }, { gridId: 4, heldOn: '2026-12-06' }],
      today,
    );
    expect(r).toEqual([
      { gridId: 1, hasBranch: true, recent: 2, last: '2026-12-05', noActivity: false },
      { gridId: 2, hasBranch: true, recent: 0, last: '2026-11-05', noActivity: true },
      { gridId: 3, hasBranch: false, recent: 0, last: null, noActivity: true },
      { gridId: 4, hasBranch: true, recent: 0, last: null, noActivity: true },
    ]);
  });
});

describe('party ledger contacts', () => {
  it('lists mask numbers; full numbers only for the roles that handle people', () => {
    expect(listedPhone('13812345678')).toBe('138****5678');
    expect(listedPhone(null)).toBeNull();
    expect(seesFullContact('grid_worker')).toBe(true);
    expect(seesFullContact('community_staff')).toBe(true);
    expect(seesFullContact('district_leader')).toBe(false);
    expect(seesFullContact('admin')).toBe(false);
    expect(seesFullContact('kiosk')).toBe(false);
  });
  it('names the 一格三员 duties in zh-CN', () => {
    expect(Object.values(STAFF_DUTIES)).toEqual(['网格员', '社区工作者', '物业管理员', '社区民警', '法律顾问', '城管/执法', '志愿者']);
  });
});

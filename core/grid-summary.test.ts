import { describe, expect, it } from 'vitest';
import { beijingMonthStart, maskPersonName, seesStaffNames } from './grid-summary.js';

describe('grid summary rules', () => {
  it('starts the month at Beijing midnight of the 1st', () => {
    // 2026-03-31 17:00 UTC is already 1 April 01:00 in Beijing.
    expect(beijingMonthStart(Date.parse('2026-03-31T17:00:00Z')).toISOString()).toBe('2026-03-31T16:00:00.000Z');
    expect(beijingMonthStart(Date.parse('2026-03-31T15:59:59Z')).toISOString()).toBe('2026-02-28T16:00:00.000Z');
    expect(beijingMonthStart(Date.parse('2026-01-01T00:00:00Z')).toISOString()).toBe('2025-12-31T16:00:00.000Z');
  });
  it('masks names for roles without access to people’s data', () => {
    expect(maskPersonName('张网格')).toBe('张**');
    expect(maskPersonName('王')).toBe('*');
    expect(seesStaffNames('community_staff')).toBe(true);
    expect(seesStaffNames('grid_worker')).toBe(true);
    expect(seesStaffNames('planner')).toBe(false);
    expect(seesStaffNames('kiosk')).toBe(false);
  });
});

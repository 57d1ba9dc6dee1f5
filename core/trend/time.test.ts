import { describe, expect, it } from 'vitest';
import { beijingDate, beijingIsoWeek } from './time.js';

describe('Beijing calendar', () => {
  it('dates and ISO weeks follow Beijing midnight', () => {
    expect(beijingDate(Date.parse('2026-12-04T16:30:00Z'))).toBe('2026-12-05');
    expect(beijingIsoWeek(Date.parse('2026-12-05T00:00:00+08:00'))).toBe('2026-W49');
    expect(beijingIsoWeek(Date.parse('2026-12-07T00:00:00+08:00'))).toBe('2026-W50');
    expect(beijingIsoWeek(Date.parse('2027-01-01T12:00:00+08:00'))).toBe('2026-W53');
    expect(beijingIsoWeek(Date.parse('2025-12-29T12:00:00+08:00'))).toBe('2026-W01');
  });
});

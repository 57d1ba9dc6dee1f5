import { describe, expect, it } from 'vitest';
import { csvUrl, fmtHours, fmtRate, periodOf, quarterName } from './periods.js';

// 2026-04-01 01:30 in Beijing is still 2026-03-31 in UTC.
const NOW = Date.parse('2026-03-31T17:30:00Z');

describe('periods', () => {
  it('uses the Beijing calendar', () => {
    expect(periodOf('quarter', NOW)).toEqual({ from: '2026-04-01', to: '2026-07-01' });
    expect(periodOf('last_quarter', NOW)).toEqual({ from: '2026-01-01', to: '2026-04-01' });
    expect(periodOf('year', NOW)).toEqual({ from: '2026-01-01', to: '2027-01-01' });
    expect(periodOf('days30', NOW)).toEqual({ from: '2026-03-03', to: '2026-04-02' });
    expect(periodOf('all', NOW)).toEqual({ from: null, to: null });
  });
  it('wraps the first quarter back into last year', () => {
    expect(periodOf('last_quarter', Date.parse('2026-02-10T00:00:00Z'))).toEqual({ from: '2025-10-01', to: '2026-01-01' });
  });
  it('formats', () => {
    expect(quarterName('2026Q1')).toBe('2026年第1季度');
    expect(fmtHours(0.25)).toBe('15 分钟');
    expect(fmtHours(0)).toBe('不足 1 分钟');
    expect(fmtHours(3.21)).toBe('3.2 小时');
    expect(fmtHours(60)).toBe('2.5 天');
    expect(fmtHours(null)).toBe('—');
    expect(fmtRate(0.95123)).toBe('95.1%');
    expect(fmtRate(null)).toBe('—');
    expect(csvUrl({ from: '2026-01-01', to: null }, 'DEMO00001')).toBe('/api/reports/summary?format=csv&from=2026-01-01&division=DEMO00001');
  });
});

import { describe, expect, it } from 'vitest';
import { figuresAt, type CaseColumns } from './wall-replay.js';

const H = 3600;
const DAY0 = 1_700_000_000 - (1_700_000_000 % 86_400); // a day start (UTC; the wall passes Beijing's)

function cols(cases: { t: number; r?: number; d?: number; grid?: number }[]): CaseColumns {
  return { n: cases.length, t: cases.map((c) => c.t), r: cases.map((c) => c.r ?? 0), d: cases.map((c) => c.d ?? 0), grid: cases.map((c) => c.grid ?? 0) };
}

describe('figures at a replayed moment', () => {
  const data = cols([
    { t: DAY0 - 30 * H, d: DAY0 - 2 * H, grid: 1 },                 // yesterday, still open, overdue since 22:00
    { t: DAY0 - 20 * H, r: DAY0 + 3 * H, d: DAY0 + 10 * H, grid: 1 }, // yesterday, resolved today at 03:00
    { t: DAY0 + 1 * H, r: DAY0 + 5 * H, d: DAY0 + 2 * H, grid: 2 },  // today 01:00, overdue 02:00–05:00
    { t: DAY0 + 6 * H, d: DAY0 + 30 * H, grid: 2 },                  // today 06:00, open
    { t: DAY0 + 20 * H, grid: 3 },                                   // not yet at noon
  ]);

  it('counts what had been reported, resolved, open and overdue by then', () => {
    const at4 = figuresAt(data, DAY0 + 4 * H, DAY0);
    expect({ today: at4.today, resolvedToday: at4.resolvedToday, open: at4.open, overdue: at4.overdue }).toEqual({ today: 1, resolvedToday: 1, open: 2, overdue: 2 });
    const noon = figuresAt(data, DAY0 + 12 * H, DAY0);
    expect({ today: noon.today, resolvedToday: noon.resolvedToday, open: noon.open, overdue: noon.overdue }).toEqual({ today: 2, resolvedToday: 2, open: 2, overdue: 1 });
    expect(noon.byGrid.get(2)).toEqual({ today: 2, resolvedToday: 1, open: 1, overdue: 0 });
    expect(noon.byGrid.has(3)).toBe(false);
  });

  it('buckets the last 24 hours and the last 14 days oldest first', () => {
    const noon = figuresAt(data, DAY0 + 12 * H, DAY0);
    expect(noon.hourlyCreated.reduce((a, b) => a + b, 0)).toBe(2); // 11 h and 6 h before noon (the others are older)
    expect(noon.hourlyCreated[23 - 6]).toBe(1);
    expect(noon.hourlyCreated[23 - 11]).toBe(1);
    expect(noon.hourlyResolved[23 - 9]).toBe(1); // 03:00
    expect(noon.hourlyResolved[23 - 7]).toBe(1); // 05:00
    expect(noon.daily.slice(-3)).toEqual([1, 1, 2]);
  });

  it('filters by the cases kept (a selection)', () => {
    const g2 = figuresAt(data, DAY0 + 12 * H, DAY0, (i) => data.grid[i] === 2);
    expect(g2.today).toBe(2);
    expect(g2.open).toBe(1);
  });
});

import { describe, expect, it } from 'vitest';
import { parseGenerateArgs } from './args.js';

describe('parseGenerateArgs', () => {
  it('reads the options and fills defaults that scale with --grids', () => {
    const r = parseGenerateArgs(['--grids', '30000', '--seed', '1']);
    expect(r).toEqual({ ok: true, value: { grids: 30000, seed: 1, incidents: 30000 * 333, days: 365, end: '2026-12-01', dataset: 'city-1' } });
    const s = parseGenerateArgs(['--grids=40', '--incidents=3000', '--days', '30', '--end', '2026-06-01', '--dataset', 'small']);
    expect(s.ok && s.value).toMatchObject({ grids: 40, seed: 1, incidents: 3000, days: 30, end: '2026-06-01', dataset: 'small' });
  });

  it.each([
    [['--grids', '0'], /--grids must be between 1 and/],
    [['--grids', 'abc'], /--grids must be a whole number, got "abc"/],
    [['--grids', '-5'], /--grids must be a whole number/],
    [['--grids', '1.5'], /whole number/],
    [['--grids'], /--grids needs a value/],
    [['--seed', '3'], /--grids is required/],
    [['--grids', '10', '--color', 'red'], /unknown option --color/],
    [['--grids', '10', '--grids', '11'], /given twice/],
    [['--grids', '10', '--end', '2026-13-45'], /--end must be a date/],
    [['--grids', '10', '--dataset', 'Bad Id'], /--dataset must be/],
    [['--grids', '999999999'], /between 1 and 200,000/],
    [['40'], /unexpected argument "40"/],
  ])('refuses %j with a clear message', (argv, message) => {
    const r = parseGenerateArgs(argv);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(message);
  });
});

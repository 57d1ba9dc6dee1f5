import { describe, expect, it } from 'vitest';
import { risingCategories, RISING_TEST } from './rising.js';
import { syntheticStream } from './synthetic.js';
import { DEFAULT_THRESHOLDS } from './thresholds.js';
import { DAY_MS } from './time.js';

const now = Date.parse('2026-12-05T10:00:00+08:00');
const areas = ['C01', 'C02', 'C03', 'C04', 'C05', 'C06'];
const categories = ['garbage', 'parking', 'noise', 'road', 'greening'];
const t = DEFAULT_THRESHOLDS.rising;

describe('a category rising in an area', () => {
  it('finds the one injected trend, with the test and p-value in the evidence', () => {
    const cases = syntheticStream({ seed: 7, now, days: 35, areas, categories, dailyRate: 2,
      inject: [{ area: 'C03', category: 'parking', factor: 3, fromDay: 7 }] });
    const found = risingCategories(cases, now, t);
    expect(found.map((f) => [f.area, f.category])).toEqual([['C03', 'parking']]);
    const e = found[0]!.evidence;
    expect(e.test).toBe(RISING_TEST);
    expect(e.pValue).toBeLessThan(e.adjustedAlpha);
    expect(e.adjustedAlpha).toBeCloseTo(t.alpha / e.tests, 12);
    expect(e.tests).toBeGreaterThan(20);
    expect(e.ratio!).toBeGreaterThan(2);
    expect(e.byDay).toHaveLength(7);
    expect(e.byDay.reduce((s, d) => s + d.current, 0)).toBe(e.current);
    expect(e.byDay.reduce((s, d) => s + d.baselineMean, 0)).toBeCloseTo(e.baselineMean, 9);
    expect(found[0]!.key).toBe('rising:C03:parking:2026-W49');
  });

  it('raises nothing on flat streams (20 seeds)', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const cases = syntheticStream({ seed, now, days: 35, areas, categories, dailyRate: 2 });
      expect([seed, risingCategories(cases, now, t)]).toEqual([seed, []]);
    }
  });

  it('counts the same weekdays: a weekly rhythm is not a trend', () => {
    // Every Monday is busy, in every week: the window's Monday is compared with earlier Mondays only.
    const cases = syntheticStream({ seed: 3, now, days: 35, areas: ['C01'], categories: ['garbage'], dailyRate: 0.5 });
    for (let w = 0; w < 5; w++) {
      const monday = Date.parse('2026-11-30T09:00:00+08:00') - w * 7 * DAY_MS;
      for (let i = 0; i < 12; i++) cases.push({ area: 'C01', category: 'garbage', at: monday + i * 60_000 });
    }
    expect(risingCategories(cases, now, t)).toEqual([]);
    // The same surge in this week only is found.
    for (let i = 0; i < 12; i++) cases.push({ area: 'C01', category: 'garbage', at: Date.parse('2026-12-02T09:00:00+08:00') + i * 60_000 });
    expect(risingCategories(cases, now, t).map((f) => f.area)).toEqual(['C01']);
  });

  it('thresholds are obeyed: disabled, minimum count, minimum ratio', () => {
    const cases = syntheticStream({ seed: 7, now, days: 35, areas, categories, dailyRate: 2,
      inject: [{ area: 'C03', category: 'parking', factor: 3, fromDay: 7 }] });
    expect(risingCategories(cases, now, { ...t, enabled: false })).toEqual([]);
    expect(risingCategories(cases, now, { ...t, minCount: 1000 })).toEqual([]);
    expect(risingCategories(cases, now, { ...t, minRatio: 50 })).toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';
import { rng } from '../random.js';
import { CLUSTER_TEST, distanceM, repeatedPlaces, type PlacedCase } from './cluster.js';
import { DEFAULT_THRESHOLDS } from './thresholds.js';
import { DAY_MS } from './time.js';

const now = Date.parse('2026-12-05T10:00:00+08:00');
const t = DEFAULT_THRESHOLDS.cluster; // 3 cases within 50 m in 7 days, one category

/** Cases scattered uniformly over about 2 km × 2 km around Wudaokou over 30 days. */
function scattered(seed: number, n: number): PlacedCase[] {
  const r = rng(seed);
  return Array.from({ length: n }, (_, i) => ({
    id: i + 1, category: ['garbage', 'parking', 'road'][i % 3]!, lon: 116.33 + r() * 0.022, lat: 39.99 + r() * 0.018,
    at: now - r() * 30 * DAY_MS, gridId: 1, area: 'C01',
  }));
}

describe('repeated cases at the same place', () => {
  it('finds the injected repeats, and only them', () => {
    const cases = scattered(11, 150);
    const spot = { lon: 116.3402, lat: 39.9951 };
    for (let k = 0; k < 4; k++) {
      cases.push({ id: 1000 + k, category: 'road', lon: spot.lon + k * 0.0001, lat: spot.lat, at: now - (k + 1) * DAY_MS, gridId: 2, area: 'C02' });
    }
    const found = repeatedPlaces(cases, now, t);
    expect(found).toHaveLength(1);
    const f = found[0]!;
    expect(f.evidence.test).toBe(CLUSTER_TEST);
    expect(f.evidence.caseIds).toEqual(expect.arrayContaining([1000, 1001, 1002, 1003]));
    expect(f.gridId).toBe(2);
    expect(f.category).toBe('road');
    expect(f.evidence.spreadM).toBeLessThanOrEqual(t.radiusM);
    for (const id of f.evidence.caseIds) {
      const c = cases.find((x) => x.id === id)!;
      expect(distanceM(c, f.evidence.center)).toBeLessThan(2 * t.radiusM);
    }
  });

  it('raises nothing on flat streams (20 seeds)', () => {
    for (let seed = 1; seed <= 20; seed++) expect([seed, repeatedPlaces(scattered(seed, 150), now, t)]).toEqual([seed, []]);
  });

  it('old cases, other categories and the category switch', () => {
    const base = { lon: 116.34, lat: 39.99, gridId: 1, area: 'C01' };
    const cases: PlacedCase[] = [
      { ...base, id: 1, category: 'road', at: now - 1 * DAY_MS },
      { ...base, id: 2, category: 'road', at: now - 2 * DAY_MS },
      { ...base, id: 3, category: 'parking', at: now - 2 * DAY_MS },
      { ...base, id: 4, category: 'road', at: now - 9 * DAY_MS },
    ];
    expect(repeatedPlaces(cases, now, t)).toEqual([]);
    const any = repeatedPlaces(cases, now, { ...t, sameCategory: false });
    expect(any.map((f) => f.evidence.caseIds)).toEqual([[1, 2, 3]]);
    expect(any[0]!.key).toBe('cluster:*:1');
    expect(repeatedPlaces(cases, now, { ...t, days: 10 }).map((f) => f.evidence.caseIds)).toEqual([[1, 2, 4]]);
  });

  it('a cluster that grows keeps the key of its open warning', () => {
    const base = { lon: 116.34, lat: 39.99, gridId: 1, area: 'C01', category: 'road' };
    const cases: PlacedCase[] = [1, 2, 3, 4].map((id) => ({ ...base, id, at: now - id * DAY_MS }));
    const found = repeatedPlaces(cases, now, t, [{ key: 'cluster:road:9', caseIds: [9, 3] }]);
    expect(found.map((f) => f.key)).toEqual(['cluster:road:9']);
  });
});

// The /coverage page's pure parts: share classes, minute bins around the threshold, matrix order,
// and the unsaved what-if changes turned into the API's ClassChanges.
import { describe, expect, it } from 'vitest';
import type { CoverageArea } from '../../../../core/coverage/contract.js';
import {
  deltaPoints, fmtDelta, minuteBin, minuteBins, NO_DATA_COLOR, pct, SHARE_CLASSES, shareClass, shareColor, shortClassName, sortAreas,
  UNREACHED_COLOR, WhatIfChanges,
} from './model.js';

describe('household shares', () => {
  it('gives zero (a lacking class) its own class and no households no class', () => {
    expect(shareClass(0)).toBe(0);
    expect(shareClass(0.001)).toBe(1);
    expect(shareClass(0.5)).toBe(2);
    expect(shareClass(0.94)).toBe(3);
    expect(shareClass(0.95)).toBe(4);
    expect(shareClass(1)).toBe(4);
    expect(shareClass(null)).toBe(-1);
    expect(shareColor(null)).toBe(NO_DATA_COLOR);
    expect(shareColor(0)).toBe(SHARE_CLASSES[0]!.color);
  });

  it('prints whole percents without rounding a partial share to 0 or 100', () => {
    expect([pct(0), pct(0.004), pct(0.456), pct(0.996), pct(1), pct(null)]).toEqual(['0%', '<1%', '46%', '>99%', '100%', '—']);
    expect(deltaPoints(0.5, 0.5321)).toBe(3.2);
    expect(fmtDelta(3.2)).toBe('+3.2');
    expect(fmtDelta(-0.5)).toBe('−0.5');
    expect(fmtDelta(0)).toBe('±0');
    expect(deltaPoints(null, 0.3)).toBeNull();
  });
});

describe('minute bins', () => {
  it('colours bins within the threshold green and beyond it warm, for every threshold', () => {
    for (const limit of [5, 10, 15, 20]) {
      const bins = minuteBins(limit);
      expect(bins.map((b) => b.to)).toEqual([5, 10, 15, 20, 30, null]);
      expect(bins.filter((b) => b.covered).map((b) => b.to)).toEqual([5, 10, 15, 20].filter((e) => e <= limit));
      expect(new Set(bins.map((b) => b.color)).size).toBe(bins.length);
    }
  });

  it('puts a building in the bin of its minutes; none or beyond 30 is unreached', () => {
    const bins = minuteBins(10);
    expect(minuteBin(0, bins).to).toBe(5);
    expect(minuteBin(5, bins).to).toBe(5);
    expect(minuteBin(5.01, bins).to).toBe(10);
    expect(minuteBin(10, bins).covered).toBe(true);
    expect(minuteBin(10.2, bins).covered).toBe(false);
    expect(minuteBin(null, bins).color).toBe(UNREACHED_COLOR);
    expect(minuteBin(31, bins).color).toBe(UNREACHED_COLOR);
  });
});

describe('matrix', () => {
  const area = (code: string, name: string, score: number | null, park: number | null): CoverageArea => ({
    code, name, households: 100, residents: 260, score, lacks: [],
    cells: { park: { households: 100, residents: 260, coveredHouseholds: (park ?? 0) * 100, coveredResidents: 0, householdsShare: park, residentsShare: park } },
  });
  const rows = [area('A', '外滩社区', 0.8, 0.2), area('B', '北京东路社区', 0.3, 1), area('C', '陆家嘴社区', null, null)];

  it('sorts worst first by score or by a class, no data last', () => {
    expect(sortAreas(rows, { by: 'score' }).map((r) => r.code)).toEqual(['B', 'A', 'C']);
    expect(sortAreas(rows, { by: 'class', code: 'park' }).map((r) => r.code)).toEqual(['A', 'B', 'C']);
    expect(sortAreas(rows, { by: 'score' }, true).map((r) => r.code)).toEqual(['A', 'B', 'C']);
    expect(sortAreas(rows, { by: 'name' })).toHaveLength(3);
  });

  it('shortens class names for column heads', () => {
    expect(shortClassName('公共安全（警务/消防）')).toBe('公共安全');
    expect(shortClassName('托育/幼儿园')).toBe('托育');
    expect(shortClassName('社区服务中心')).toBe('社区服务中心');
  });
});

describe('what-if changes', () => {
  const base = [
    { id: 11, name: '公园A', lon: 121.49, lat: 31.23 },
    { id: 12, name: '公园B', lon: 121.5, lat: 31.24 },
  ];

  it('turns adds, moves and removals into the API body, per class', () => {
    const w = new WhatIfChanges();
    const a = w.add('park', 121.4912345678, 31.2311111111);
    w.move('park', 11, 121.492, 31.232);
    w.remove('park', 12);
    w.add('pharmacy', 121.5, 31.24);
    expect(a).toBeLessThan(0);
    expect(w.changes('park')).toEqual({
      class: 'park',
      add: [{ lon: 121.4912346, lat: 31.2311111, crs: 'wgs84' }],
      move: [{ id: 11, lon: 121.492, lat: 31.232, crs: 'wgs84' }],
      remove: [12],
    });
    expect(w.count('park')).toBe(3);
    expect(w.count()).toBe(4);
    expect(w.all().map((c) => c.class).sort()).toEqual(['park', 'pharmacy']);
    expect(w.addedIdAt('park', 0)).toBe(a);
  });

  it('edits an addition instead of moving or removing a facility that does not exist', () => {
    const w = new WhatIfChanges();
    const a = w.add('park', 1, 1);
    w.move('park', a, 2, 2);
    expect(w.changes('park')).toMatchObject({ add: [{ lon: 2, lat: 2 }], move: [], remove: [] });
    w.remove('park', a);
    expect(w.count('park')).toBe(0);
    expect(w.classes()).toEqual([]);
  });

  it('drops a move when the facility is removed, and reverts one facility', () => {
    const w = new WhatIfChanges();
    w.move('park', 11, 2, 2);
    w.remove('park', 11);
    expect(w.changes('park')).toMatchObject({ move: [], remove: [11] });
    w.move('park', 11, 3, 3); // a removed facility cannot move
    expect(w.changes('park').move).toEqual([]);
    w.revert('park', 11);
    expect(w.count('park')).toBe(0);
  });

  it('lists the facilities after the changes with their state', () => {
    const w = new WhatIfChanges();
    w.move('park', 11, 121.491, 31.231);
    w.remove('park', 12);
    const a = w.add('park', 121.5, 31.25, '新增');
    expect(w.facilities('park', base)).toEqual([
      { id: 11, name: '公园A', lon: 121.491, lat: 31.231, state: 'moved', from: [121.49, 31.23] },
      { id: 12, name: '公园B', lon: 121.5, lat: 31.24, state: 'removed' },
      { id: a, name: '新增', lon: 121.5, lat: 31.25, state: 'added' },
    ]);
    expect(w.facilities('pharmacy', base).every((f) => f.state === 'existing')).toBe(true);
  });
});

import { describe, expect, it } from 'vitest';
import { classCells, classTimes, lacks, score } from './coverage.js';
import { PROJ, riverRoads } from './fixture.js';
import { snapXY, walkGraph } from './graph.js';
import { Searcher } from './search.js';

describe('coverage of a class', () => {
  it('gives every building its minutes to the nearest facility in one pass (hand-measured)', () => {
    const g = walkGraph(riverRoads(false), PROJ);
    const snap = (x: number, y: number) => snapXY(g, x, y, 300);
    // speed 1 m/s: 60 m per minute
    const facilities = [snap(-10, 0), snap(2000, 2000) /* reaches no edge */, snap(310, 390)];
    const buildings = [snap(20, 300), snap(320, 200), snap(310, 50), snap(1000, 1000)];
    const t = classTimes(new Searcher(g), facilities, buildings, 1, 30);
    expect(t.unreachable).toEqual([1]);
    expect(t.minutes[0]).toBeCloseTo(330 / 60, 9);
    expect(t.nearest[0]).toBe(0);
    expect(t.minutes[1]).toBeCloseTo((10 + 190 + 20) / 60, 9);
    expect(t.nearest[1]).toBe(2);
    expect(t.minutes[2]).toBeCloseTo((10 + 340 + 10) / 60, 9);
    expect(t.minutes[3]).toBe(Infinity); // no walkable edge: reported by the caller, never dropped
    expect(t.nearest[3]).toBe(-1);
    // a 5-minute cutoff (300 m) leaves the 330 m and 360 m buildings without a time
    const t5 = classTimes(new Searcher(g), facilities, buildings, 1, 5);
    expect(Array.from(t5.minutes).map((m) => (m === Infinity ? null : Math.round(m * 60)))).toEqual([null, 220, null, null]);
  });

  it('sums covered households and residents per area', () => {
    const buildings = [
      { households: 10, residents: 25 }, { households: 30, residents: 70 }, { households: 0, residents: 0 },
      { households: 60, residents: 150 },
    ];
    const area = ['a', 'a', 'a', 'b'];
    const minutes = [4, 12, 1, 15];
    const r = classCells(buildings, (i) => area[i]!, minutes, 15);
    expect(r.total).toMatchObject({ households: 100, coveredHouseholds: 100, householdsShare: 1 });
    const r10 = classCells(buildings, (i) => area[i]!, minutes, 10);
    expect(r10.groups.get('a')).toEqual({
      households: 40, residents: 95, coveredHouseholds: 10, coveredResidents: 25, householdsShare: 0.25, residentsShare: 25 / 95,
    });
    expect(r10.groups.get('b')!.householdsShare).toBe(0);
    expect(r10.total.householdsShare).toBeCloseTo(0.1, 12);
  });

  it('scores an area as the mean share over the classes and lists what it lacks', () => {
    const cell = (share: number) => ({
      households: 100, residents: 200, coveredHouseholds: share * 100, coveredResidents: share * 200,
      householdsShare: share, residentsShare: share,
    });
    const cells = { a: cell(1), b: cell(0.4), c: cell(0.5), d: cell(0) };
    expect(score(cells, ['a', 'b', 'c', 'd'])).toBeCloseTo(0.475, 12);
    expect(lacks(cells, ['a', 'b', 'c', 'd'])).toEqual(['b', 'd']);
    const none = { a: { ...cell(0), households: 0, residents: 0, householdsShare: null, residentsShare: null } };
    expect(score(none, ['a'])).toBeNull();
    expect(lacks(none, ['a'])).toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';
import { visitsDue } from './resident-pool.js';

const intervals = new Map<string, number | null>([['empty_nest_elderly', 30], ['dibao', 60], ['veteran', null]]);

describe('visitsDue', () => {
  it('due when never visited or the shortest interval of the tags has passed', () => {
    const due = visitsDue([
      { id: 1, tags: ['empty_nest_elderly'], lastVisit: '2026-11-05' }, // 30 days ago: due
      { id: 2, tags: ['empty_nest_elderly'], lastVisit: '2026-11-06' }, // 29 days: not yet
      { id: 3, tags: ['veteran'], lastVisit: null }, // no interval: never due
      { id: 4, tags: ['dibao', 'empty_nest_elderly'], lastVisit: '2026-10-01' }, // 65 days, interval 30
      { id: 5, tags: ['dibao'], lastVisit: null }, // never visited
      { id: 6, tags: [], lastVisit: null },
      { id: 7, tags: ['dibao'], lastVisit: '2026-10-16T09:00:00Z' }, // 50 days < 60
    ], intervals, '2026-12-05');
    expect(due.map((d) => [d.personId, d.daysSince, d.intervalDays])).toEqual([[5, null, 60], [4, 65, 30], [1, 30, 30]]);
  });
  it('never-visited people in id order', () => {
    const due = visitsDue([{ id: 9, tags: ['dibao'], lastVisit: null }, { id: 3, tags: ['empty_nest_elderly'], lastVisit: null }], intervals, '2026-12-05');
    expect(due.map((d) => d.personId)).toEqual([3, 9]);
  });
});

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Tour, type TourAlert, type TourStop } from './tour.js';

const stops: TourStop[] = [{ key: 'district', title: '全区' }, { key: 'a', title: '甲街道' }, { key: 'b', title: '乙街道' }];

function make(round = () => stops) {
  const flights: string[] = [];
  const tour = new Tour<TourStop, TourAlert>({
    stops: round,
    fly: async (s) => { flights.push(s.key); },
    flyAlert: async (a) => { flights.push(`alert:${a.key}`); },
  }, { dwellMs: 10_000, alertMs: 5_000, idleMs: 30_000 });
  return { tour, flights };
}

describe('tour', () => {
  beforeEach(() => { vi.useFakeTimers(); });
  afterEach(() => { vi.useRealTimers(); });

  it('flies stop after stop and loops', async () => {
    const { tour, flights } = make();
    tour.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(tour.state).toBe('dwell');
    await vi.advanceTimersByTimeAsync(10_000 * 3);
    expect(flights).toEqual(['district', 'a', 'b', 'district']);
    expect(tour.advanced).toBe(4);
  });

  it('lets an alert interrupt, then resumes the stop it was at', async () => {
    const { tour, flights } = make();
    tour.start();
    await vi.advanceTimersByTimeAsync(10_000 + 2_000); // at 'a', dwelling
    tour.interrupt({ key: 'case-9' });
    tour.interrupt({ key: 'case-9' }); // the same alert once only
    await vi.advanceTimersByTimeAsync(0);
    expect(tour.state).toBe('alert');
    expect(tour.alert?.key).toBe('case-9');
    await vi.advanceTimersByTimeAsync(5_000);
    expect(tour.state).toBe('dwell');
    expect(tour.stop?.key).toBe('a');
    expect(flights).toEqual(['district', 'a', 'alert:case-9', 'a']);
    expect(tour.alertsShown).toBe(1);
  });

  it('shows queued alerts one after another', async () => {
    const { tour, flights } = make();
    tour.start();
    await vi.advanceTimersByTimeAsync(0);
    tour.interrupt({ key: 'x' });
    tour.interrupt({ key: 'y' });
    await vi.advanceTimersByTimeAsync(5_000);
    expect(tour.alert?.key).toBe('y');
    await vi.advanceTimersByTimeAsync(5_000);
    expect(flights).toEqual(['district', 'alert:x', 'alert:y', 'district']);
  });

  it('puts an urgent alert ahead of a burst of overdue ones, cutting the one on screen short', async () => {
    const { tour, flights } = make();
    tour.start();
    await vi.advanceTimersByTimeAsync(0);
    for (const k of ['o1', 'o2', 'o3']) tour.interrupt({ key: k, priority: 0 });
    await vi.advanceTimersByTimeAsync(1_000);
    expect(tour.alert?.key).toBe('o1');
    tour.interrupt({ key: 'urgent', priority: 1 });
    await vi.advanceTimersByTimeAsync(0);
    expect(tour.alert?.key).toBe('urgent'); // at once, not after o2 and o3
    tour.interrupt({ key: 'o4', priority: 0 });
    await vi.advanceTimersByTimeAsync(5_000 * 3);
    expect(flights).toEqual(['district', 'alert:o1', 'alert:urgent', 'alert:o2', 'alert:o3', 'alert:o4']);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(tour.state).toBe('dwell');
  });

  it('keeps at most five alerts waiting, dropping the oldest of the lowest priority', async () => {
    const { tour, flights } = make();
    tour.interrupt({ key: 'shown', priority: 0 });
    for (const k of ['a', 'b', 'c', 'd', 'e']) tour.interrupt({ key: k, priority: 0 });
    tour.interrupt({ key: 'u', priority: 1 });
    await vi.advanceTimersByTimeAsync(0);
    expect(tour.alert?.key).toBe('u');
    await vi.advanceTimersByTimeAsync(5_000 * 6);
    expect(flights).toEqual(['alert:shown', 'alert:u', 'alert:b', 'alert:c', 'alert:d', 'alert:e']);
  });

  it('pauses while someone uses the screen and resumes when left alone', async () => {
    const { tour, flights } = make();
    tour.start();
    await vi.advanceTimersByTimeAsync(1_000);
    tour.userActivity();
    expect(tour.state).toBe('paused');
    await vi.advanceTimersByTimeAsync(29_000);
    expect(tour.state).toBe('paused');
    tour.userActivity(); // touched again: the idle time starts over
    await vi.advanceTimersByTimeAsync(29_000);
    expect(tour.state).toBe('paused');
    await vi.advanceTimersByTimeAsync(1_000);
    expect(tour.state).toBe('dwell');
    expect(flights).toEqual(['district', 'district']);
  });

  it('shows alerts while stopped and stays stopped', async () => {
    const { tour, flights } = make();
    tour.interrupt({ key: 'z' });
    await vi.advanceTimersByTimeAsync(0);
    expect(tour.state).toBe('alert');
    await vi.advanceTimersByTimeAsync(5_000);
    expect(tour.state).toBe('off');
    expect(flights).toEqual(['alert:z']);
    tour.start();
    await vi.advanceTimersByTimeAsync(0);
    tour.stopTour();
    tour.interrupt({ key: 'y' });
    await vi.advanceTimersByTimeAsync(5_000);
    expect(tour.state).toBe('off');
    expect(flights).toEqual(['alert:z', 'district', 'alert:y']);
  });

  it('expands the playlist afresh every round and stops when it is empty', async () => {
    let n = 0;
    const { tour } = make(() => (n++ === 0 ? stops.slice(0, 1) : []));
    tour.start();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(tour.state).toBe('off');
  });
});

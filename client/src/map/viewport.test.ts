import { describe, expect, it, vi } from 'vitest';
import type { BBox } from '../../../core/bbox.js';
import { bboxIntersect, planLoad, ViewportLoader, type LoadedArea } from './viewport.js';

const DISTRICT: BBox = [121, 31, 122, 32];
const o = { limits: DISTRICT, margin: 0.25, shrink: 0.5 };

describe('planLoad', () => {
  it('never asks again when the whole district came complete', () => {
    expect(planLoad({ bbox: null, view: null, truncated: false }, [121.1, 31.1, 121.2, 31.2], o)).toEqual({ kind: 'keep' });
  });

  it('asks for the view with a margin, clipped to the district, when the district load was truncated', () => {
    const p = planLoad({ bbox: null, view: null, truncated: true }, [121.8, 31.4, 122.2, 31.6], o);
    expect(p.kind).toBe('load');
    if (p.kind !== 'load') return;
    expect(p.view).toEqual([121.8, 31.4, 122, 31.6]);
    // 0.2° wide view: 0.05° margin left; the right side stops at the district's edge.
    expect(p.bbox.map((x) => +x.toFixed(6))).toEqual([121.75, 31.35, 122, 31.65]);
  });

  it('keeps a complete viewport load while the view stays inside it and asks again when it leaves', () => {
    const loaded: LoadedArea = { bbox: [121.2, 31.2, 121.6, 31.6], view: [121.3, 31.3, 121.5, 31.5], truncated: false };
    expect(planLoad(loaded, [121.25, 31.25, 121.55, 31.55], o)).toEqual({ kind: 'keep' });
    expect(planLoad(loaded, [121.5, 31.3, 121.7, 31.5], o).kind).toBe('load');
  });

  it('retries a truncated load only once the view has shrunk enough to hope for a complete answer', () => {
    const loaded: LoadedArea = { bbox: [121.15, 31.15, 121.65, 31.65], view: [121.2, 31.2, 121.6, 31.6], truncated: true };
    // A small pan or a slight zoom inside: the same answer would come back.
    expect(planLoad(loaded, [121.22, 31.22, 121.58, 31.58], o)).toEqual({ kind: 'keep' });
    // Zoomed in to a quarter of the area: ask.
    expect(planLoad(loaded, [121.3, 31.3, 121.5, 31.5], o).kind).toBe('load');
  });

  it('says the view is empty when it holds no part of the district, once', () => {
    const p = planLoad({ bbox: null, view: null, truncated: true }, [125, 40, 126, 41], o);
    expect(p.kind).toBe('empty');
    expect(planLoad({ bbox: [0, 0, 0, 0], view: [125, 40, 126, 41], truncated: false }, [125.1, 40, 126.1, 41], o)).toEqual({ kind: 'keep' });
  });

  it('intersects boxes', () => {
    expect(bboxIntersect([0, 0, 2, 2], [1, 1, 3, 3])).toEqual([1, 1, 2, 2]);
    expect(bboxIntersect([0, 0, 1, 1], [2, 2, 3, 3])).toBeNull();
  });
});

describe('ViewportLoader', () => {
  it('debounces view changes, drops a superseded answer and reports the newest one', async () => {
    vi.useFakeTimers();
    try {
      const resolvers: ((v: { truncated: boolean; n: number }) => void)[] = [];
      const asked: BBox[] = [];
      const seen: { n: number; area: LoadedArea }[] = [];
      const loader = new ViewportLoader<{ truncated: boolean; n: number }>({
        ...o, debounceMs: 100,
        fetch: (bbox) => { asked.push(bbox); return new Promise((r) => resolvers.push(r)); },
        onData: (d, area) => seen.push({ n: d.n, area }),
      }, { truncated: true, n: 0 });
      loader.viewChanged([121.1, 31.1, 121.9, 31.9]);
      loader.viewChanged([121.2, 31.2, 121.4, 31.4]);
      await vi.advanceTimersByTimeAsync(150);
      expect(asked).toHaveLength(1); // only the last view of the burst
      loader.viewChanged([121.6, 31.6, 121.8, 31.8]);
      await vi.advanceTimersByTimeAsync(150);
      expect(asked).toHaveLength(2);
      resolvers[1]!({ truncated: false, n: 2 });
      resolvers[0]!({ truncated: false, n: 1 }); // late answer to the older view
      await vi.advanceTimersByTimeAsync(0);
      expect(seen.map((s) => s.n)).toEqual([2]);
      expect(seen[0]!.area.truncated).toBe(false);
      expect(bboxIntersect(seen[0]!.area.bbox!, [121.6, 31.6, 121.8, 31.8])).toEqual([121.6, 31.6, 121.8, 31.8]);
      await loader.idle();
      // Inside the complete box now: no request.
      loader.viewChanged([121.62, 31.62, 121.78, 31.78]);
      await vi.advanceTimersByTimeAsync(150);
      expect(asked).toHaveLength(2);
    } finally {
      vi.useRealTimers();
    }
  });

  it('reload asks again for what is shown: the district when it was complete', async () => {
    const asked: BBox[] = [];
    const areas: LoadedArea[] = [];
    const loader = new ViewportLoader<{ truncated: boolean }>({
      ...o, fetch: async (bbox) => { asked.push(bbox); return { truncated: false }; }, onData: (_d, a) => areas.push(a),
    }, { truncated: false });
    loader.reload();
    await loader.idle();
    expect(asked).toEqual([DISTRICT]);
    expect(areas[0]).toEqual({ bbox: null, view: null, truncated: false });
  });
});

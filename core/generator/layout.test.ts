import { describe, expect, it } from 'vitest';
import { evenSplit, layoutCity, locate, splitRect, type Rect } from './layout.js';

const area = (r: Rect) => (r.x1 - r.x0) * (r.y1 - r.y0);
const within = (a: Rect, b: Rect) => a.x0 >= b.x0 && a.x1 <= b.x1 && a.y0 >= b.y0 && a.y1 <= b.y1;
const overlap = (a: Rect, b: Rect) => Math.min(a.x1, b.x1) > Math.max(a.x0, b.x0) && Math.min(a.y1, b.y1) > Math.max(a.y0, b.y0);

describe('city layout', () => {
  it('splits counts evenly and exactly', () => {
    expect(evenSplit(10, 3)).toEqual([3, 3, 4]);
    expect(evenSplit(40, 5).reduce((a, b) => a + b)).toBe(40);
  });

  it('cuts a rectangle into children that tile it, areas in proportion to weights', () => {
    const r = { x0: 0, y0: 0, x1: 0.01, y1: 0.008 };
    const { rects } = splitRect(r, [1, 2, 1, 1, 3]);
    expect(rects).toHaveLength(5);
    rects.forEach((c) => expect(within(c, r)).toBe(true));
    for (let i = 0; i < rects.length; i++) for (let j = i + 1; j < rects.length; j++) expect(overlap(rects[i]!, rects[j]!)).toBe(false);
    expect(rects.reduce((s, c) => s + area(c), 0)).toBeCloseTo(area(r), 12);
    expect(area(rects[4]!) / area(rects[0]!)).toBeCloseTo(3, 1);
  });

  it.each([1, 7, 40, 333, 2500])('gives exactly %i grids in a consistent division tree', (n) => {
    const c = layoutCity(n, 9);
    expect(c.grids).toHaveLength(n);
    for (const d of c.districts) {
      expect(d.parent).toBeNull();
      for (let s = d.childStart; s < d.childEnd; s++) {
        const sn = c.subdistricts[s]!;
        expect(sn.parent).toBe(d.code);
        expect(within(sn.rect, d.rect)).toBe(true);
        for (let k = sn.childStart; k < sn.childEnd; k++) {
          const cn = c.communities[k]!;
          expect(cn.parent).toBe(sn.code);
          expect(within(cn.rect, sn.rect)).toBe(true);
          const gs = c.grids.slice(cn.gridStart, cn.gridEnd);
          expect(gs.reduce((a, g) => a + area(g.rect), 0)).toBeCloseTo(area(cn.rect), 12);
          gs.forEach((g) => { expect(g.community).toBe(k); expect(within(g.rect, cn.rect)).toBe(true); expect(g.code.startsWith(`${cn.code}-`)).toBe(true); });
          for (let i = 0; i < gs.length; i++) for (let j = i + 1; j < gs.length; j++) expect(overlap(gs[i]!.rect, gs[j]!.rect)).toBe(false);
        }
      }
    }
    expect(new Set(c.grids.map((g) => g.code)).size).toBe(n);
  });

  it('locates a point to the grid whose interior holds it, and no grid on an edge or outside', () => {
    const c = layoutCity(333, 2);
    for (const g of c.grids) expect(locate(c, (g.rect.x0 + g.rect.x1) / 2, (g.rect.y0 + g.rect.y1) / 2)).toBe(g.index);
    const g = c.grids[17]!;
    expect(locate(c, g.rect.x0, (g.rect.y0 + g.rect.y1) / 2)).toBe(-1);
    expect(locate(c, c.bbox.x0 - 0.01, c.bbox.y0)).toBe(-1);
  });
});

import { describe, expect, it } from 'vitest';
import { names } from './names.js';

describe('synthetic names', () => {
  it('are Chinese, labelled by level, distinct among neighbours and the same for the same seed', () => {
    const a = names(1);
    const b = names(1);
    const ds = Array.from({ length: 80 }, (_, i) => a.district(i));
    expect(new Set(ds).size).toBe(80);
    expect(ds.every((d) => /^\p{Script=Han}{2}区$/u.test(d))).toBe(true);
    expect(a.subdistrict(3)).toMatch(/街道$/);
    expect(a.community(3)).toMatch(/社区$/);
    expect(a.city()).toMatch(/（合成）$/);
    expect(a.person(12345)).toBe(b.person(12345));
    expect(names(2).district(0)).not.toBe(a.district(0));
  });
});

import { describe, expect, it } from 'vitest';
import { ByteLru } from './byte-lru.js';

const buf = (n: number) => new Uint8Array(n);
const lru = (max: number) => new ByteLru<Uint8Array>(max, (v) => v.byteLength);

describe('ByteLru', () => {
  it('returns what was stored and counts hits and misses', () => {
    const c = lru(1000);
    const a = buf(10);
    expect(c.set('a', a)).toBe(true);
    expect(c.get('a')).toBe(a);
    expect(c.get('b')).toBeUndefined();
    expect(c.stats()).toMatchObject({ entries: 1, bytes: 10 + 2, hits: 1, misses: 1, evictions: 0 });
  });

  it('never holds more bytes than its bound, evicting the least recently used first', () => {
    const c = lru(100);
    c.set('a', buf(30)); // 32 bytes with its key
    c.set('b', buf(30));
    c.set('c', buf(30));
    c.get('a'); // a is now the most recently used; b the least
    c.set('d', buf(30));
    expect(c.has('b')).toBe(false);
    expect(['a', 'c', 'd'].every((k) => c.has(k))).toBe(true);
    expect(c.stats().bytes).toBeLessThanOrEqual(100);
    expect(c.stats().evictions).toBe(1);
    c.set('e', buf(90)); // pushes out everything else
    expect(c.size).toBe(1);
    expect(c.stats().bytes).toBe(92);
  });

  it('refuses a value larger than the bound without dropping the others', () => {
    const c = lru(50);
    c.set('a', buf(10));
    expect(c.set('huge', buf(60))).toBe(false);
    expect(c.has('huge')).toBe(false);
    expect(c.has('a')).toBe(true);
  });

  it('replacing a key adjusts the byte count; delete and clear free it', () => {
    const c = lru(1000);
    c.set('a', buf(100));
    c.set('a', buf(10));
    expect(c.stats()).toMatchObject({ entries: 1, bytes: 12 });
    expect(c.delete('a')).toBe(true);
    expect(c.stats().bytes).toBe(0);
    c.set('b', buf(5));
    c.clear();
    expect(c.stats()).toMatchObject({ entries: 0, bytes: 0 });
  });
});

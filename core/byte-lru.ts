// A least-recently-used map bounded by the bytes of its values (not their number): tiles vary from
// a few bytes to hundreds of KiB, so a count bound says nothing about memory. No lru-cache package
// is installed; a Map keeps insertion order, which is all an LRU needs (re-insert on use).

export interface ByteLruStats {
  entries: number;
  bytes: number;
  hits: number;
  misses: number;
  evictions: number;
}

export class ByteLru<V> {
  private readonly map = new Map<string, { value: V; size: number }>();
  private used = 0;
  private hits = 0;
  private misses = 0;
  private evictions = 0;

  /**
   * @param maxBytes upper bound of the sum of sizes held
   * @param sizeOf a value's size in bytes (its key's length is added: keys cost memory too)
   */
  constructor(readonly maxBytes: number, private readonly sizeOf: (v: V) => number) {
    if (!(maxBytes >= 0)) throw new RangeError('maxBytes must be ≥ 0');
  }

  get(key: string): V | undefined {
    const e = this.map.get(key);
    if (!e) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    this.map.delete(key);
    this.map.set(key, e);
    return e.value;
  }

  has(key: string): boolean {
    return this.map.has(key);
  }

  /** Store (or replace) a value; evicts the least recently used until it fits. Returns false when the value alone exceeds the bound (not stored). */
  set(key: string, value: V): boolean {
    const size = this.sizeOf(value) + key.length * 2;
    this.delete(key);
    if (size > this.maxBytes) return false;
    while (this.used + size > this.maxBytes) {
      const oldest = this.map.keys().next().value as string;
      this.delete(oldest);
      this.evictions++;
    }
    this.map.set(key, { value, size });
    this.used += size;
    return true;
  }

  delete(key: string): boolean {
    const e = this.map.get(key);
    if (!e) return false;
    this.map.delete(key);
    this.used -= e.size;
    return true;
  }

  clear(): void {
    this.map.clear();
    this.used = 0;
  }

  get size(): number {
    return this.map.size;
  }

  stats(): ByteLruStats {
    return { entries: this.map.size, bytes: this.used, hits: this.hits, misses: this.misses, evictions: this.evictions };
  }
}

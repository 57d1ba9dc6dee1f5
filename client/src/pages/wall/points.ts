// Cases as parallel typed columns (a few dozen bytes each, no object per case): filled from
// /api/wall/points, kept current by live diffs (add or update by id, no duplicates), trimmed to a
// time horizon so a wall that runs for weeks keeps a bounded memory.
import type { WallPoints } from '../../../../core/wall.js';

export interface PointLike {
  id: number;
  lon: number | null;
  lat: number | null;
  /** Reported, epoch seconds. */
  t: number;
  /** Resolved, epoch seconds (0 = not yet). */
  r: number;
  /** Deadline, epoch seconds (0 or absent = none). */
  d?: number;
  category: string;
  gridId: number | null;
  open: boolean;
  overdue: boolean;
}

export class PointStore {
  n = 0;
  id: Int32Array;
  lon: Float64Array;
  lat: Float64Array;
  t: Float64Array;
  r: Float64Array;
  d: Float64Array;
  cat: Uint8Array;
  grid: Int32Array;
  open: Uint8Array;
  overdue: Uint8Array;
  /** Category codes; `cat` holds indexes. */
  readonly categories: string[] = [];
  private catIndex = new Map<string, number>();
  private rowOf = new Map<number, number>();

  constructor(capacity = 1024) {
    this.id = new Int32Array(capacity);
    this.lon = new Float64Array(capacity);
    this.lat = new Float64Array(capacity);
    this.t = new Float64Array(capacity);
    this.r = new Float64Array(capacity);
    this.d = new Float64Array(capacity);
    this.cat = new Uint8Array(capacity);
    this.grid = new Int32Array(capacity);
    this.open = new Uint8Array(capacity);
    this.overdue = new Uint8Array(capacity);
  }

  get capacity(): number {
    return this.id.length;
  }

  has(id: number): boolean {
    return this.rowOf.has(id);
  }

  row(id: number): number | undefined {
    return this.rowOf.get(id);
  }

  categoryIndex(code: string): number {
    let c = this.catIndex.get(code);
    if (c === undefined) {
      c = this.categories.length;
      this.categories.push(code);
      this.catIndex.set(code, c);
    }
    return c;
  }

  private grow(min: number): void {
    let cap = this.capacity;
    if (cap >= min) return;
    while (cap < min) cap *= 2;
    const g = <T extends Int32Array | Float64Array | Uint8Array>(a: T): T => {
      const b = new (a.constructor as { new (n: number): T })(cap);
      b.set(a.subarray(0, this.n));
      return b;
    };
    this.id = g(this.id);
    this.lon = g(this.lon);
    this.lat = g(this.lat);
    this.t = g(this.t);
    this.r = g(this.r);
    this.d = g(this.d);
    this.cat = g(this.cat);
    this.grid = g(this.grid);
    this.open = g(this.open);
    this.overdue = g(this.overdue);
  }

  /** Add or update one case; cases without a point are ignored. Returns 'add', 'update' or null. */
  upsert(p: PointLike): 'add' | 'update' | null {
    if (p.lon == null || p.lat == null || !Number.isFinite(p.lon) || !Number.isFinite(p.lat)) return null;
    let i = this.rowOf.get(p.id);
    const kind = i === undefined ? 'add' : 'update';
    if (i === undefined) {
      this.grow(this.n + 1);
      i = this.n++;
      this.rowOf.set(p.id, i);
    }
    this.id[i] = p.id;
    this.lon[i] = p.lon;
    this.lat[i] = p.lat;
    this.t[i] = p.t;
    this.r[i] = p.r;
    this.d[i] = p.d ?? 0;
    this.cat[i] = this.categoryIndex(p.category);
    this.grid[i] = p.gridId ?? 0;
    this.open[i] = p.open ? 1 : 0;
    this.overdue[i] = p.overdue ? 1 : 0;
    return kind;
  }

  /** Merge a /api/wall/points answer (rows already present are updated). */
  merge(w: WallPoints): number {
    this.grow(this.n + w.id.length);
    let added = 0;
    for (let k = 0; k < w.id.length; k++) {
      const kind = this.upsert({
        id: w.id[k]!, lon: w.lon[k]!, lat: w.lat[k]!, t: w.t[k]!, r: w.r[k]!, d: w.d?.[k] ?? 0, category: w.categories[w.cat[k]!]!,
        gridId: w.grid[k]! || null, open: w.open[k] === 1, overdue: w.overdue[k] === 1,
      });
      if (kind === 'add') added++;
    }
    return added;
  }

  /** Drop cases reported before `t` (epoch seconds), keeping order. Returns how many were dropped. */
  trimBefore(t: number): number {
    let w = 0;
    for (let i = 0; i < this.n; i++) {
      if (this.t[i]! < t) continue;
      if (w !== i) {
        this.id[w] = this.id[i]!;
        this.lon[w] = this.lon[i]!;
        this.lat[w] = this.lat[i]!;
        this.t[w] = this.t[i]!;
        this.r[w] = this.r[i]!;
        this.d[w] = this.d[i]!;
        this.cat[w] = this.cat[i]!;
        this.grid[w] = this.grid[i]!;
        this.open[w] = this.open[i]!;
        this.overdue[w] = this.overdue[i]!;
      }
      w++;
    }
    const dropped = this.n - w;
    if (dropped) {
      this.n = w;
      this.rowOf.clear();
      for (let i = 0; i < w; i++) this.rowOf.set(this.id[i]!, i);
    }
    return dropped;
  }

  clear(): void {
    this.n = 0;
    this.rowOf.clear();
  }

  /** Bytes held by the columns. */
  bytes(): number {
    return this.capacity * (4 + 8 + 8 + 8 + 8 + 8 + 1 + 4 + 1 + 1);
  }
}

// Pure parts of the /coverage page: colours and legends for shares and walking minutes, class
// labels, matrix ordering, and the planner's unsaved what-if changes (add / move / remove
// facilities per class) as the API's ClassChanges.
import type { ClassChanges, CoverageArea, CoverageCell, WalkLimit } from '../../../../core/coverage/contract.js';
import type { RGBA } from '../../map/map-view.js';

// ---------- shares (matrix cells, grids) ----------

export interface ShareClass {
  /** Lower bound (inclusive), 0..1. */
  min: number;
  label: string;
  color: string;
}

/** Share of households covered: 0 is its own class (the community lacks the class). */
export const SHARE_CLASSES: readonly ShareClass[] = [
  { min: 0, label: '0%（缺失）', color: '#b4233a' },
  { min: 1e-9, label: '< 50%', color: '#e4572e' },
  { min: 0.5, label: '50–80%', color: '#f0a83a' },
  { min: 0.8, label: '80–95%', color: '#9ccf5c' },
  { min: 0.95, label: '≥ 95%', color: '#2fae66' },
];
export const NO_DATA_COLOR = '#3a4457';

/** Index into SHARE_CLASSES, or -1 for no households (null). */
export function shareClass(share: number | null | undefined): number {
  if (share === null || share === undefined || !Number.isFinite(share)) return -1;
  let i = 0;
  while (i + 1 < SHARE_CLASSES.length && share >= SHARE_CLASSES[i + 1]!.min) i++;
  return i;
}

export function shareColor(share: number | null | undefined): string {
  const i = shareClass(share);
  return i < 0 ? NO_DATA_COLOR : SHARE_CLASSES[i]!.color;
}

/** "87%" (whole percent; "<1%" / ">99%" near the ends so 0 and 100 stay exact). */
export function pct(share: number | null | undefined): string {
  if (share === null || share === undefined || !Number.isFinite(share)) return '—';
  if (share <= 0) return '0%';
  if (share >= 1) return '100%';
  const p = share * 100;
  if (p < 1) return '<1%';
  if (p > 99) return '>99%';
  return `${Math.round(p)}%`;
}

/** "+3.2 个百分点" style delta of two shares, in percentage points with one decimal. */
export function deltaPoints(before: number | null | undefined, after: number | null | undefined): number | null {
  if (before === null || before === undefined || after === null || after === undefined) return null;
  return Math.round((after - before) * 1000) / 10;
}

export function fmtDelta(points: number | null): string {
  if (points === null) return '—';
  if (points === 0) return '±0';
  return `${points > 0 ? '+' : '−'}${Math.abs(points).toFixed(1)}`;
}

// ---------- walking minutes (buildings) ----------

/** Legend bins in minutes: [0,5) [5,10) [10,15) [15,20) [20,30] and "> 30 / 不可达". */
export const MINUTE_EDGES = [5, 10, 15, 20, 30] as const;
const WITHIN = ['#1a9e77', '#47c28f', '#8fdca8', '#c4eec9'];
const BEYOND = ['#f7d046', '#f59b3a', '#e8553a', '#b8223f'];
export const UNREACHED_COLOR = '#6b2d8c';

export interface MinuteBin {
  /** Inclusive lower bound; null for the unreached bin. */
  from: number | null;
  to: number | null;
  label: string;
  color: string;
  /** Within the threshold. */
  covered: boolean;
}

/**
 * The minute bins for a threshold: bins below it in greens (darker = closer), bins beyond it in
 * yellow → red, and a last bin for more than 30 minutes or no walkable route.
 */
export function minuteBins(limit: number): MinuteBin[] {
  const bins: MinuteBin[] = [];
  let from = 0;
  const within = MINUTE_EDGES.filter((e) => e <= limit).length;
  let w = 0;
  let b = 0;
  for (const to of MINUTE_EDGES) {
    const covered = to <= limit;
    const color = covered
      ? WITHIN[Math.min(WITHIN.length - 1, Math.round((w++ * (WITHIN.length - 1)) / Math.max(1, within - 1)))]!
      : BEYOND[Math.min(BEYOND.length - 1, b++)]!;
    bins.push({ from, to, label: `${from}–${to} 分钟`, color, covered });
    from = to;
  }
  bins.push({ from: null, to: null, label: '> 30 分钟或不可达', color: UNREACHED_COLOR, covered: false });
  return bins;
}

export function minuteBin(minutes: number | null | undefined, bins: readonly MinuteBin[]): MinuteBin {
  if (minutes === null || minutes === undefined || !Number.isFinite(minutes)) return bins[bins.length - 1]!;
  for (const bin of bins) if (bin.to !== null && minutes <= bin.to) return bin;
  return bins[bins.length - 1]!;
}

export function hexRgba(hex: string, alpha = 255): RGBA {
  const h = hex.replace('#', '');
  return [parseInt(h.slice(0, 2), 16), parseInt(h.slice(2, 4), 16), parseInt(h.slice(4, 6), 16), alpha];
}

/** "7.4 分钟", "不可达". */
export function fmtMinutes(m: number | null | undefined): string {
  if (m === null || m === undefined || !Number.isFinite(m)) return '> 30 分钟 / 不可达';
  return `${m < 10 ? m.toFixed(1) : Math.round(m)} 分钟`;
}

// ---------- classes ----------

/** "公共安全（警务/消防）" → "公共安全", "托育/幼儿园" → "托育" for narrow column heads (the full name goes in the tooltip). */
export function shortClassName(name: string): string {
  const s = name.replace(/（[^）]*）|\([^)]*\)/g, '').split('/')[0]!.trim();
  return s || name;
}

/** The threshold a class is held to: the chosen limit, else its own walkMinutes. */
export function classLimit(walkMinutes: number, limit: WalkLimit | null): number {
  return limit ?? walkMinutes;
}

// ---------- matrix ordering ----------

export type SortKey = { by: 'name' } | { by: 'score' } | { by: 'class'; code: string };

export function cellShare(area: CoverageArea, code: string): number | null {
  return area.cells[code]?.householdsShare ?? null;
}

/** Rows sorted by a key; shares ascending (worst first, what a planner acts on), no data last, names by zh collation. */
export function sortAreas(rows: readonly CoverageArea[], key: SortKey, descending = false): CoverageArea[] {
  const coll = new Intl.Collator('zh-CN');
  const val = (a: CoverageArea): number | null => {
    const v = key.by === 'score' ? a.score : key.by === 'class' ? cellShare(a, key.code) : null;
    return v === null || v === undefined || !Number.isFinite(v) ? null : v;
  };
  const out = [...rows];
  out.sort((a, b) => {
    if (key.by === 'name') return (descending ? -1 : 1) * coll.compare(a.name, b.name);
    const va = val(a);
    const vb = val(b);
    if (va === null || vb === null) return va === vb ? coll.compare(a.name, b.name) : va === null ? 1 : -1; // no data last
    return (descending ? vb - va : va - vb) || coll.compare(a.name, b.name);
  });
  return out;
}

/** Households not reached within the limit. */
export function uncoveredHouseholds(c: CoverageCell | undefined): number {
  return c ? Math.max(0, c.households - c.coveredHouseholds) : 0;
}

// ---------- what-if changes ----------

export interface FacilityBase {
  id: number;
  name: string | null;
  lon: number;
  lat: number;
}

export type FacilityState = 'existing' | 'added' | 'moved' | 'removed';

export interface WhatIfFacility {
  /** Database id; added facilities get negative ids (-1, -2, …) on this page. */
  id: number;
  name: string | null;
  lon: number;
  lat: number;
  state: FacilityState;
  /** Where a moved facility was. */
  from?: [number, number];
}

interface PerClass {
  /** Added points by their page id (insertion order = the API's add order). */
  add: Map<number, { lon: number; lat: number; name: string | null }>;
  move: Map<number, { lon: number; lat: number }>;
  remove: Set<number>;
}

/**
 * The planner's unsaved changes, per class. Moving or removing an added facility edits the
 * addition; removing a moved one drops the move. Nothing here talks to the server.
 */
export class WhatIfChanges {
  private byClass = new Map<string, PerClass>();
  private nextId = -1;

  private of(cls: string): PerClass {
    let c = this.byClass.get(cls);
    if (!c) {
      c = { add: new Map(), move: new Map(), remove: new Set() };
      this.byClass.set(cls, c);
    }
    return c;
  }

  /** Adds a facility; returns its page id (negative). */
  add(cls: string, lon: number, lat: number, name: string | null = null): number {
    const id = this.nextId--;
    this.of(cls).add.set(id, { lon, lat, name });
    return id;
  }

  move(cls: string, id: number, lon: number, lat: number): void {
    const c = this.of(cls);
    const added = c.add.get(id);
    if (added) c.add.set(id, { ...added, lon, lat });
    else if (id > 0 && !c.remove.has(id)) c.move.set(id, { lon, lat });
  }

  remove(cls: string, id: number): void {
    const c = this.of(cls);
    if (c.add.delete(id)) return;
    if (id <= 0) return;
    c.move.delete(id);
    c.remove.add(id);
  }

  /** Undo everything done to one facility (an addition disappears, a move or removal is restored). */
  revert(cls: string, id: number): void {
    const c = this.byClass.get(cls);
    if (!c) return;
    c.add.delete(id);
    c.move.delete(id);
    c.remove.delete(id);
  }

  clear(cls?: string): void {
    if (cls === undefined) this.byClass.clear();
    else this.byClass.delete(cls);
  }

  count(cls?: string): number {
    const n = (c: PerClass) => c.add.size + c.move.size + c.remove.size;
    if (cls !== undefined) {
      const c = this.byClass.get(cls);
      return c ? n(c) : 0;
    }
    let total = 0;
    for (const c of this.byClass.values()) total += n(c);
    return total;
  }

  classes(): string[] {
    return [...this.byClass.entries()].filter(([, c]) => c.add.size + c.move.size + c.remove.size > 0).map(([k]) => k);
  }

  /** The API body for one class (add order = insertion order). */
  changes(cls: string): ClassChanges {
    const c = this.byClass.get(cls);
    return {
      class: cls,
      add: c ? [...c.add.values()].map((p) => ({ lon: round7(p.lon), lat: round7(p.lat), crs: 'wgs84' as const })) : [],
      move: c ? [...c.move.entries()].map(([id, p]) => ({ id, lon: round7(p.lon), lat: round7(p.lat), crs: 'wgs84' as const })) : [],
      remove: c ? [...c.remove] : [],
    };
  }

  /** Every class with changes, for saving a scenario. */
  all(): ClassChanges[] {
    return this.classes().map((cls) => this.changes(cls));
  }

  /** Page id of the add at `index` of changes(cls).add (for the API's unreachable list). */
  addedIdAt(cls: string, index: number): number | null {
    const c = this.byClass.get(cls);
    return c ? ([...c.add.keys()][index] ?? null) : null;
  }

  /** The class's facilities after the changes, each with its state (removed ones kept, marked). */
  facilities(cls: string, base: readonly FacilityBase[]): WhatIfFacility[] {
    const c = this.byClass.get(cls);
    const out: WhatIfFacility[] = base.map((f) => {
      const m = c?.move.get(f.id);
      if (c?.remove.has(f.id)) return { ...f, state: 'removed' as const };
      if (m) return { ...f, lon: m.lon, lat: m.lat, state: 'moved' as const, from: [f.lon, f.lat] as [number, number] };
      return { ...f, state: 'existing' as const };
    });
    if (c) for (const [id, p] of c.add) out.push({ id, name: p.name, lon: p.lon, lat: p.lat, state: 'added' });
    return out;
  }
}

const round7 = (x: number) => Math.round(x * 1e7) / 1e7;

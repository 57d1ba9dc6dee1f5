// Repeated cases at the same place: at least `minCases` cases (of one category, unless told
// otherwise) within `radiusM` metres of one case, all in the last `days` days. Clusters are formed
// greedily from the case with the most neighbours; a case belongs to one cluster at most. A cluster
// sharing a case with a warning already open keeps that warning's key, so a growing cluster updates
// its warning instead of raising a new one.
import type { ClusterThresholds } from './thresholds.js';
import { DAY_MS } from './time.js';

export const CLUSTER_TEST = 'spatial-temporal count: N cases within R m in D days';

export interface PlacedCase {
  id: number;
  category: string;
  lon: number;
  lat: number;
  at: number;
  gridId: number | null;
  area: string | null;
}

export interface ClusterEvidence {
  test: string;
  caseIds: number[];
  count: number;
  radiusM: number;
  days: number;
  minCases: number;
  category: string | null;
  center: { lon: number; lat: number };
  /** Farthest member from the seed case, metres. */
  spreadM: number;
  first: string;
  last: string;
}

export interface ClusterFinding {
  key: string;
  /** The seed case's grid and area (community). */
  gridId: number | null;
  area: string | null;
  category: string | null;
  evidence: ClusterEvidence;
}

const R_EARTH = 6_371_008.8;
export function distanceM(a: { lon: number; lat: number }, b: { lon: number; lat: number }): number {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * R_EARTH * Math.asin(Math.min(1, Math.sqrt(h)));
}

export function repeatedPlaces(cases: readonly PlacedCase[], now: number, t: ClusterThresholds,
  open: readonly { key: string; caseIds: readonly number[] }[] = []): ClusterFinding[] {
  if (!t.enabled) return [];
  const recent = cases.filter((c) => c.at < now && c.at >= now - t.days * DAY_MS).sort((a, b) => a.id - b.id);
  // Buckets of about radiusM on a side: neighbours are in the 3 × 3 buckets around a case.
  const degLat = t.radiusM / 111_320;
  const bucket = (c: PlacedCase) => [Math.floor(c.lat / degLat), Math.floor((c.lon * Math.cos(c.lat * Math.PI / 180)) / degLat)] as const;
  const buckets = new Map<string, PlacedCase[]>();
  for (const c of recent) {
    const [i, j] = bucket(c);
    const k = `${i}:${j}`;
    (buckets.get(k) ?? buckets.set(k, []).get(k)!).push(c);
  }
  const neighbours = new Map<number, PlacedCase[]>();
  for (const c of recent) {
    const [i, j] = bucket(c);
    const near: PlacedCase[] = [];
    for (let di = -1; di <= 1; di++) for (let dj = -1; dj <= 1; dj++) {
      for (const o of buckets.get(`${i + di}:${j + dj}`) ?? []) {
        if (t.sameCategory && o.category !== c.category) continue;
        if (distanceM(c, o) <= t.radiusM) near.push(o);
      }
    }
    neighbours.set(c.id, near); // includes c itself
  }
  const seeds = [...recent].sort((a, b) => neighbours.get(b.id)!.length - neighbours.get(a.id)!.length || a.id - b.id);
  const taken = new Set<number>();
  const openOf = new Map<number, string>();
  for (const w of open) for (const id of w.caseIds) openOf.set(id, w.key);
  const out: ClusterFinding[] = [];
  for (const s of seeds) {
    if (taken.has(s.id)) continue;
    const members = neighbours.get(s.id)!.filter((o) => !taken.has(o.id)).sort((a, b) => a.id - b.id);
    if (members.length < t.minCases) continue;
    for (const m of members) taken.add(m.id);
    const ids = members.map((m) => m.id);
    const category = t.sameCategory ? s.category : null;
    const reused = ids.map((id) => openOf.get(id)).find((k) => k !== undefined);
    const times = members.map((m) => m.at);
    out.push({
      key: reused ?? `cluster:${category ?? '*'}:${ids[0]}`,
      gridId: s.gridId, area: s.area, category,
      evidence: {
        test: CLUSTER_TEST, caseIds: ids, count: ids.length, radiusM: t.radiusM, days: t.days, minCases: t.minCases, category,
        center: { lon: members.reduce((a, m) => a + m.lon, 0) / ids.length, lat: members.reduce((a, m) => a + m.lat, 0) / ids.length },
        spreadM: Math.round(Math.max(...members.map((m) => distanceM(s, m))) * 10) / 10,
        first: new Date(Math.min(...times)).toISOString(), last: new Date(Math.max(...times)).toISOString(),
      },
    });
  }
  return out.sort((a, b) => a.key.localeCompare(b.key));
}

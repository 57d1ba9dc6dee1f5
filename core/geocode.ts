// Ranking geocoder candidates from the district's own gazetteer (server/geocode gathers them):
// an exact house number beats a name, a name beats the nearest house number on the same side of
// the road, which beats the road itself, which beats the community. Pure: no I/O.
import { addressKey, type ParsedAddress } from './address.js';

export type GeocodePrecision = 'address' | 'poi' | 'near_address' | 'road' | 'community';

export interface GeocodeCandidate {
  kind: 'building' | 'facility' | 'road' | 'community';
  id: number | string | null;
  /** What matched, as stored (an address, a name, a road or a community). */
  label: string;
  lon: number;
  lat: number;
  precision: GeocodePrecision;
  /** 0–100: 100 an exact address, 95 an exact name, ≥90 is certain enough to locate a case. */
  score: number;
}

export interface GazetteerHits {
  onRoad: { id: number; name: string | null; address: string; lon: number; lat: number }[];
  named: { kind: 'building' | 'facility'; id: number; name: string; lon: number; lat: number }[];
  road: { name: string; lon: number; lat: number } | null;
  communities: { code: string; name: string; lon: number; lat: number }[];
}

/** Score needed to locate a case without a person confirming. */
export const CERTAIN = 90;
/** Certain candidates closer than this to the best one are the same place (a building split in two). */
const SAME_PLACE_M = 150;

const metres = (a: { lon: number; lat: number }, b: { lon: number; lat: number }) => {
  const k = 111_320;
  const dx = (a.lon - b.lon) * k * Math.cos(((a.lat + b.lat) / 2) * Math.PI / 180);
  return Math.hypot(dx, (a.lat - b.lat) * k);
};

export function rankCandidates(parsed: ParsedAddress, hits: GazetteerHits, limit = 10): GeocodeCandidate[] {
  const out = new Map<string, GeocodeCandidate>();
  const add = (c: GeocodeCandidate) => {
    const k = `${c.kind}:${c.id}`;
    if ((out.get(k)?.score ?? -1) < c.score) out.set(k, c);
  };
  if (parsed.road && parsed.number !== null) {
    const numbered = hits.onRoad.flatMap((b) => {
      const key = addressKey(b.address);
      const n = key && key.startsWith(parsed.road!) ? Number(/(\d+)号$/.exec(key)?.[1]) : NaN;
      return Number.isFinite(n) ? [{ ...b, n }] : [];
    });
    for (const b of numbered) {
      if (b.n === parsed.number) {
        add({ kind: 'building', id: b.id, label: b.address, lon: b.lon, lat: b.lat, precision: 'address', score: 100 });
      } else if (b.n % 2 === parsed.number % 2) {
        // Chinese roads number odd and even sides apart: the nearest number on the same side.
        const off = Math.abs(b.n - parsed.number);
        add({ kind: 'building', id: b.id, label: b.address, lon: b.lon, lat: b.lat, precision: 'near_address', score: Math.max(55, 85 - off) });
      }
    }
  }
  for (const n of hits.named) {
    const score = n.name === parsed.normal ? 95
      : parsed.normal.includes(n.name) ? 70 + Math.min(n.name.length, 15)
      : parsed.normal.length >= 2 && n.name.includes(parsed.normal) ? 60 : 0;
    if (score) add({ kind: n.kind, id: n.id, label: n.name, lon: n.lon, lat: n.lat, precision: 'poi', score });
  }
  if (hits.road) add({ kind: 'road', id: null, label: hits.road.name, lon: hits.road.lon, lat: hits.road.lat, precision: 'road', score: 50 });
  for (const c of hits.communities) add({ kind: 'community', id: c.code, label: c.name, lon: c.lon, lat: c.lat, precision: 'community', score: 30 });
  return [...out.values()].sort((a, b) => b.score - a.score || a.label.localeCompare(b.label) || String(a.id).localeCompare(String(b.id))).slice(0, limit);
}

/** The candidate to locate a case at without asking: certain, and no other certain place elsewhere. */
export function certainCandidate(ranked: GeocodeCandidate[]): GeocodeCandidate | null {
  const top = ranked[0];
  if (!top || top.score < CERTAIN) return null;
  const rivals = ranked.slice(1).filter((c) => c.score >= CERTAIN && metres(c, top) > SAME_PLACE_M);
  return rivals.length ? null : top;
}

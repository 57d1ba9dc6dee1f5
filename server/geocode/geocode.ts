// Address and place search in the district's own data (no online geocoder): the gazetteer
// queries in geocode.sql gather hits, core/geocode.ts ranks them. Used by GET /api/geocode (the
// desk's search box) and by intake, which locates an address-only report when one place is certain.
import { parseAddress, type ParsedAddress } from '../../core/address.js';
import { certainCandidate, rankCandidates, type GazetteerHits, type GeocodeCandidate } from '../../core/geocode.js';
import type { Queryable } from '../db/db.js';
import { loadSql } from '../db/sql.js';

export const SQL = loadSql(new URL('./geocode.sql', import.meta.url), ['buildingsOnRoad', 'named', 'road', 'communities']);

export interface Geocoded {
  query: string;
  parsed: ParsedAddress;
  candidates: GeocodeCandidate[];
  /** The candidate certain enough to locate a case without a person confirming, if any. */
  certain: GeocodeCandidate | null;
}

export async function geocode(db: Queryable, text: string, limit = 10): Promise<Geocoded> {
  const parsed = parseAddress(text);
  const hits: GazetteerHits = { onRoad: [], named: [], road: null, communities: [] };
  if (parsed.normal.length >= 2) {
    if (parsed.road) {
      hits.onRoad = (await db.query<GazetteerHits['onRoad'][number]>(SQL.buildingsOnRoad, [parsed.road, 2000])).rows;
      hits.road = (await db.query<NonNullable<GazetteerHits['road']>>(SQL.road, [parsed.road])).rows[0] ?? null;
    }
    hits.named = (await db.query<GazetteerHits['named'][number]>(SQL.named, [parsed.normal, 50])).rows;
    hits.communities = (await db.query<GazetteerHits['communities'][number]>(SQL.communities, [parsed.folded])).rows;
  }
  const candidates = rankCandidates(parsed, hits, limit);
  return { query: text, parsed, candidates, certain: certainCandidate(candidates) };
}

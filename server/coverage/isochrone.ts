// Isochrones: one bounded search from a point (a click or a facility), the street pieces reached
// per band (partial edges included), and polygons that hug them: PostGIS buffers each band's pieces
// by 25 m on the ellipsoid. No convex or alpha hull, so an unreached block never gets covered.
import { ISOCHRONE_METHOD, MAX_SNAP_METERS, type Isochrone, type IsochroneLines, type IsochroneOrigin } from '../../core/coverage/contract.js';
import { snapLonLat, toLonLat, type Snap } from '../../core/coverage/graph.js';
import { piecesLonLat, reachedPieces, type ReachedNetwork } from '../../core/coverage/isochrone.js';
import { sourceOf } from '../../core/coverage/search.js';
import { OSM_ATTRIBUTION } from '../../core/types.js';
import type { Queryable } from '../db/db.js';
import { fail, ok, type Result } from '../http/errors.js';
import { SQL, type CoverageEngine } from './engine.js';

export const BUFFER_M = 25;

/** The reached network per band from one snapped point (synchronous: the engine's searcher is shared). */
export function reachedBands(e: CoverageEngine, snap: Snap, bands: readonly number[]): ReachedNetwork[] {
  const max = Math.max(...bands) * 60 * e.speedMps;
  e.searcher.run([sourceOf(snap)], max);
  return bands.map((m) => reachedPieces(e.searcher, m * 60 * e.speedMps));
}

/** Buffer MultiLineStrings in PostGIS, one polygon each (empty input → empty MultiPolygon). */
export async function bufferLines(db: Queryable, lines: [number, number][][][]): Promise<unknown[]> {
  if (lines.length === 0) return [];
  const json = JSON.stringify(lines.map((l) => JSON.stringify({ type: 'MultiLineString', coordinates: l })));
  const rows = (await db.query<{ i: number; geometry: unknown }>(SQL.buffer, [json, BUFFER_M])).rows;
  return rows.map((r) => r.geometry);
}

export async function isochroneAt(
  db: Queryable, e: CoverageEngine, lon: number, lat: number, bands: readonly number[],
  extra: Pick<IsochroneOrigin, 'facilityId' | 'class'> = {}, shape: 'polygons' | 'lines' = 'polygons',
): Promise<Result<Isochrone | IsochroneLines>> {
  const snap = snapLonLat(e.graph, lon, lat, MAX_SNAP_METERS);
  if (!snap) return fail('unreachable', `no walkable street within ${MAX_SNAP_METERS} m of this point`);
  const reached = reachedBands(e, snap, bands);
  const lines = reached.map((r) => piecesLonLat(e.graph, r.pieces));
  const geoms = shape === 'lines' ? lines.map((l) => ({ type: 'MultiLineString', coordinates: l })) : await bufferLines(db, lines);
  const last = reached[reached.length - 1]!;
  const [slon, slat] = toLonLat(e.graph.proj, snap.x, snap.y);
  return ok({
    type: 'FeatureCollection',
    origin: { lon, lat, snapDistanceM: Math.round(snap.dist * 10) / 10, snappedTo: [slon, slat], ...extra },
    speedMps: e.speedMps,
    reached: { edges: last.edges, lengthM: Math.round(last.lengthM) },
    method: ISOCHRONE_METHOD,
    attribution: OSM_ATTRIBUTION,
    features: reached.map((r, i) => ({
      type: 'Feature',
      geometry: geoms[i],
      properties: { minutes: bands[i]!, reachedEdges: r.edges, reachedLengthM: Math.round(r.lengthM) },
    })) as Isochrone['features'],
  });
}

// Isochrones: one bounded search from a point (a click or a facility), the street pieces reached
// per band (partial edges included), and polygons that hug them: the ground within 25 m of each
// band's pieces, traced in memory (core/coverage/polygon.ts; a PostGIS buffer of the same lines took
// hundreds of milliseconds). No convex or alpha hull, so an unreached block never gets covered.
import { ISOCHRONE_METHOD, MAX_SNAP_METERS, type Isochrone, type IsochroneLines, type IsochroneOrigin } from '../../core/coverage/contract.js';
import { snapLonLat, toLonLat, type Snap } from '../../core/coverage/graph.js';
import { piecesLonLat, reachedPieces, type ReachedNetwork } from '../../core/coverage/isochrone.js';
import { piecePolygons } from '../../core/coverage/polygon.js';
import { sourceOf } from '../../core/coverage/search.js';
import { OSM_ATTRIBUTION } from '../../core/types.js';
import { fail, ok, type Result } from '../http/errors.js';
import type { CoverageEngine } from './engine.js';

export const BUFFER_M = 25;

/** The reached network per band from one snapped point (synchronous: the engine's searcher is shared). */
export function reachedBands(e: CoverageEngine, snap: Snap, bands: readonly number[]): ReachedNetwork[] {
  const max = Math.max(...bands) * 60 * e.speedMps;
  e.searcher.run([sourceOf(snap)], max);
  return bands.map((m) => reachedPieces(e.searcher, m * 60 * e.speedMps));
}

/** Each band's polygon (GeoJSON MultiPolygon) around its reached pieces, BUFFER_M wide. */
export function bandPolygons(e: CoverageEngine, reached: readonly ReachedNetwork[]): { type: 'MultiPolygon'; coordinates: [number, number][][][] }[] {
  return piecePolygons(e.graph, reached.map((r) => r.pieces), { radius: BUFFER_M })
    .map((coordinates) => ({ type: 'MultiPolygon' as const, coordinates }));
}

export function isochroneAt(
  e: CoverageEngine, lon: number, lat: number, bands: readonly number[],
  extra: Pick<IsochroneOrigin, 'facilityId' | 'class'> = {}, shape: 'polygons' | 'lines' = 'polygons',
): Result<Isochrone | IsochroneLines> {
  const snap = snapLonLat(e.graph, lon, lat, MAX_SNAP_METERS);
  if (!snap) return fail('unreachable', `no walkable street within ${MAX_SNAP_METERS} m of this point`);
  const reached = reachedBands(e, snap, bands);
  const geoms = shape === 'lines'
    ? reached.map((r) => ({ type: 'MultiLineString', coordinates: piecesLonLat(e.graph, r.pieces) }))
    : bandPolygons(e, reached);
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

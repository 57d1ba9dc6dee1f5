// GeoJSON of every facility's isochrone of a class (one bounded search each, buffered in PostGIS).
import { ISOCHRONE_METHOD } from '../../core/coverage/contract.js';
import { piecesLonLat } from '../../core/coverage/isochrone.js';
import { OSM_ATTRIBUTION } from '../../core/types.js';
import type { Queryable } from '../db/db.js';
import { SQL, type CoverageEngine } from './engine.js';
import { bufferLines, reachedBands } from './isochrone.js';
import type { CoverageScope } from './summary.js';

export async function facilityIsochrones(db: Queryable, e: CoverageEngine, s: CoverageScope, cls: string, minutes: number) {
  const f = e.facilities.get(cls)!;
  const scoped = s.communities === null && s.gridId === null ? null
    : new Set((await db.query<{ id: number }>(SQL.facilityIdsInScope, [cls, s.communities, s.gridId])).rows.map((r) => r.id));
  const items: { id: number; name: string | null; lines: [number, number][][]; edges: number; lengthM: number }[] = [];
  const unreachable: number[] = [];
  f.ids.forEach((id, i) => {
    if (scoped && !scoped.has(id)) return;
    const snap = f.snaps[i];
    if (!snap) { unreachable.push(id); return; }
    const r = reachedBands(e, snap, [minutes])[0]!;
    items.push({ id, name: f.names[i] ?? null, lines: piecesLonLat(e.graph, r.pieces), edges: r.edges, lengthM: r.lengthM });
  });
  const geoms = await bufferLines(db, items.map((x) => x.lines));
  return {
    type: 'FeatureCollection' as const,
    class: cls, minutes, method: ISOCHRONE_METHOD, speedMps: e.speedMps, attribution: OSM_ATTRIBUTION, synthetic: true,
    /** Facilities of the class with no walkable edge within reach: no isochrone. */
    unreachableFacilities: unreachable,
    features: items.map((x, i) => ({
      type: 'Feature' as const,
      geometry: geoms[i],
      properties: { facilityId: x.id, name: x.name, class: cls, minutes, reachedEdges: x.edges, reachedLengthM: Math.round(x.lengthM) },
    })),
  };
}

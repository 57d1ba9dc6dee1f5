// GeoJSON of every facility's isochrone of a class (one bounded search each, its reached pieces buffered in memory).
import { ISOCHRONE_METHOD } from '../../core/coverage/contract.js';
import { OSM_ATTRIBUTION } from '../../core/types.js';
import type { Queryable } from '../db/db.js';
import { SQL, type CoverageEngine } from './engine.js';
import { bandPolygons, reachedBands } from './isochrone.js';
import type { CoverageScope } from './summary.js';

export async function facilityIsochrones(db: Queryable, e: CoverageEngine, s: CoverageScope, cls: string, minutes: number) {
  const f = e.facilities.get(cls)!;
  const scoped = s.communities === null && s.gridId === null ? null
    : new Set((await db.query<{ id: number }>(SQL.facilityIdsInScope, [cls, s.communities, s.gridId])).rows.map((r) => r.id));
  const items: { id: number; name: string | null; geometry: ReturnType<typeof bandPolygons>[number]; edges: number; lengthM: number }[] = [];
  const unreachable: number[] = [];
  f.ids.forEach((id, i) => {
    if (scoped && !scoped.has(id)) return;
    const snap = f.snaps[i];
    if (!snap) { unreachable.push(id); return; }
    const r = reachedBands(e, snap, [minutes])[0]!;
    items.push({ id, name: f.names[i] ?? null, geometry: bandPolygons(e, [r])[0]!, edges: r.edges, lengthM: r.lengthM });
  });
  return {
    type: 'FeatureCollection' as const,
    class: cls, minutes, method: ISOCHRONE_METHOD, speedMps: e.speedMps, attribution: OSM_ATTRIBUTION, synthetic: true,
    /** Facilities of the class with no walkable edge within reach: no isochrone. */
    unreachableFacilities: unreachable,
    features: items.map((x) => ({
      type: 'Feature' as const,
      geometry: x.geometry,
      properties: { facilityId: x.id, name: x.name, class: cls, minutes, reachedEdges: x.edges, reachedLengthM: Math.round(x.lengthM) },
    })),
  };
}

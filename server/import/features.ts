// Import features before they reach the database: shared by the OSM and GeoJSON readers. Pure.
import type { Geometry, LineString, MultiLineString, MultiPolygon, Point, Polygon, Position } from 'geojson';
import {
  areaInfo, buildingInfo, classifyPoi, featureName, isPoiCandidate, poiKind, roadInfo,
  type BaseLayer, type GeomKind, type ServiceClassCode, type Tags,
} from '../../core/osm-tags.js';

export type Props = Record<string, unknown>;

export interface BuildingRow {
  osmId: string | null;
  name: string | null;
  kind: string | null;
  geom: Polygon | MultiPolygon;
  heightM: number | null;
  minHeightM: number;
  levels: number | null;
  residential: boolean;
  props: Props;
}

export interface RoadRow {
  osmId: string | null;
  name: string | null;
  kind: string;
  geom: LineString | MultiLineString;
  walkable: boolean;
  footway: boolean;
  props: Props;
}

export interface BaseRow {
  layer: BaseLayer;
  osmId: string | null;
  name: string | null;
  kind: string | null;
  geom: Geometry;
  props: Props;
}

/** A facility; polygons and lines become a point on their surface in the database. */
export interface FacilityRow {
  osmId: string | null;
  name: string | null;
  kind: string | null;
  serviceClass: ServiceClassCode;
  geom: Point | Polygon | MultiPolygon | LineString;
  props: Props;
}

/** Raised for a file that cannot be imported at all; message is one line. */
export class ImportError extends Error {
  constructor(message: string) {
    super(message.replace(/\s*\n\s*/g, ' '));
    this.name = 'ImportError';
  }
}

/** Counters keyed by a short human reason. */
export type Counter = Record<string, number>;
export const bump = (c: Counter, key: string, n = 1) => { c[key] = (c[key] ?? 0) + n; };

export class ParsedFeatures {
  buildings: BuildingRow[] = [];
  roads: RoadRow[] = [];
  base: BaseRow[] = [];
  facilities: FacilityRow[] = [];
  /** Features left out, by reason. */
  skipped: Counter = {};
  /** Geometries repaired before the database (unclosed rings closed, degenerate holes dropped…). */
  repaired: Counter = {};
  /** POIs without a service class, by main tag (amenity=restaurant: 32). */
  unclassified: Counter = {};

  get total(): number {
    return this.buildings.length + this.roads.length + this.base.length + this.facilities.length;
  }
}

// ---------------------------------------------------------------------------------------------
// Geometry cleaning: what PostGIS would refuse or silently accept wrongly. Self-intersections are
// left for ST_MakeValid in the database.

type Clean<G> = { ok: true; geom: G } | { ok: false; reason: string };

const finite = (p: Position) => p.length >= 2 && Number.isFinite(p[0]) && Number.isFinite(p[1]);
const same = (a: Position, b: Position) => a[0] === b[0] && a[1] === b[1];

function dedupe(ps: Position[]): Position[] {
  const out: Position[] = [];
  for (const p of ps) if (out.length === 0 || !same(out[out.length - 1]!, p)) out.push([p[0]!, p[1]!]);
  return out;
}

function cleanRing(ring: Position[], repaired: Counter): Position[] | null {
  let r = dedupe(ring);
  if (r.length >= 3 && !same(r[0]!, r[r.length - 1]!)) {
    r = [...r, r[0]!];
    bump(repaired, 'unclosed ring closed');
  }
  return r.length >= 4 ? r : null;
}

function cleanPolygonRings(rings: Position[][], repaired: Counter): Position[][] | null {
  const outer = rings[0] ? cleanRing(rings[0], repaired) : null;
  if (!outer) return null;
  const out = [outer];
  for (const inner of rings.slice(1)) {
    const r = cleanRing(inner, repaired);
    if (r) out.push(r);
    else bump(repaired, 'degenerate hole dropped');
  }
  return out;
}

function allFinite(g: Geometry): boolean {
  switch (g.type) {
    case 'Point': return finite(g.coordinates);
    case 'MultiPoint': case 'LineString': return g.coordinates.every(finite);
    case 'MultiLineString': case 'Polygon': return g.coordinates.every((l) => l.every(finite));
    case 'MultiPolygon': return g.coordinates.every((p) => p.every((l) => l.every(finite)));
    case 'GeometryCollection': return g.geometries.every(allFinite);
  }
}

/** Validate and lightly repair a geometry. Repairs are counted in `repaired`. */
export function cleanGeometry(g: Geometry, repaired: Counter): Clean<Geometry> {
  if (!allFinite(g)) return { ok: false, reason: 'non-numeric coordinate' };
  switch (g.type) {
    case 'Point':
      return { ok: true, geom: { type: 'Point', coordinates: [g.coordinates[0]!, g.coordinates[1]!] } };
    case 'MultiPoint':
      if (g.coordinates.length === 0) return { ok: false, reason: 'empty geometry' };
      return { ok: true, geom: { type: 'MultiPoint', coordinates: g.coordinates.map((p) => [p[0]!, p[1]!]) } };
    case 'LineString': {
      const c = dedupe(g.coordinates);
      return c.length >= 2 ? { ok: true, geom: { type: 'LineString', coordinates: c } }
        : { ok: false, reason: 'line with fewer than 2 distinct points' };
    }
    case 'MultiLineString': {
      const parts = g.coordinates.map(dedupe).filter((c) => c.length >= 2);
      return parts.length ? { ok: true, geom: { type: 'MultiLineString', coordinates: parts } }
        : { ok: false, reason: 'line with fewer than 2 distinct points' };
    }
    case 'Polygon': {
      const rings = cleanPolygonRings(g.coordinates, repaired);
      return rings ? { ok: true, geom: { type: 'Polygon', coordinates: rings } }
        : { ok: false, reason: 'polygon ring with fewer than 4 points' };
    }
    case 'MultiPolygon': {
      const polys: Position[][][] = [];
      for (const p of g.coordinates) {
        const rings = cleanPolygonRings(p, repaired);
        if (rings) polys.push(rings);
        else if (g.coordinates.length > 1) bump(repaired, 'degenerate polygon part dropped');
      }
      return polys.length ? { ok: true, geom: { type: 'MultiPolygon', coordinates: polys } }
        : { ok: false, reason: 'polygon ring with fewer than 4 points' };
    }
    case 'GeometryCollection':
      return { ok: false, reason: 'unsupported geometry GeometryCollection' };
  }
}

export function geomKind(g: Geometry): GeomKind | null {
  switch (g.type) {
    case 'Point': case 'MultiPoint': return 'point';
    case 'LineString': case 'MultiLineString': return 'line';
    case 'Polygon': case 'MultiPolygon': return 'polygon';
    default: return null;
  }
}

// ---------------------------------------------------------------------------------------------
// OSM-style tags → rows. One feature may yield several rows: a park is a landuse area and a
// facility; a school building is a building and a facility.

/**
 * Add the rows an OSM-tagged feature produces. `geom` must already be cleaned. Returns false when
 * the feature produced nothing (and nothing was counted as skipped) — the caller decides.
 */
export function emitTagged(out: ParsedFeatures, osmId: string | null, tags: Tags, geom: Geometry, props: Props = { ...tags }): boolean {
  const kind = geomKind(geom);
  if (!kind) return false;
  const name = featureName(tags);
  let any = false;
  let building = false;

  if (kind === 'polygon') {
    const b = buildingInfo(tags);
    if (b) {
      out.buildings.push({ osmId, name, geom: geom as Polygon | MultiPolygon, ...b, props });
      any = building = true;
    }
  }
  if (kind === 'line') {
    const r = roadInfo(tags);
    if (r) {
      out.roads.push({ osmId, name, ...r, geom: geom as LineString | MultiLineString, props });
      any = true;
    } else if (tags['highway'] && !areaInfo(tags, 'line')) {
      bump(out.skipped, 'highway way that is not a road (platform, construction…)');
      return true;
    }
  }
  const a = areaInfo(tags, kind);
  // A school building is a building (and a facility), not also a landuse area of the same shape.
  if (a && !(a.layer === 'landuse' && building)) {
    out.base.push({ layer: a.layer, osmId, name, kind: a.kind, geom, props });
    any = true;
  }
  const poi = classifyPoi(tags);
  if (poi && geom.type !== 'MultiPoint' && geom.type !== 'MultiLineString') {
    out.facilities.push({ osmId, name, kind: poi.kind, serviceClass: poi.serviceClass, geom: geom as FacilityRow['geom'], props });
    any = true;
  } else if (isPoiCandidate(tags)) {
    bump(out.unclassified, poiKind(tags));
    if (!any) {
      bump(out.skipped, 'POI without a service class');
      return true;
    }
  }
  return any;
}

// GeoJSON FeatureCollection → import features. Pure. Coordinates are converted to WGS84 from the
// CRS given by the caller, by the file's `crs` member, or assumed WGS84/CGCS2000.
import type { Feature, Geometry, Position } from 'geojson';
import { isLonLat, parseCrs, toWgs84 } from '../../core/crs.js';
import {
  RESIDENTIAL_BUILDINGS, ROAD_KINDS, areaInfo, buildingInfo, classifyPoi, featureName, isServiceClassCode,
  parseLevels, parseMeters, roadInfo, type Tags,
} from '../../core/osm-tags.js';
import type { InputCrs } from '../../core/types.js';
import { ImportError, ParsedFeatures, bump, cleanGeometry, emitTagged, geomKind, type Props } from './features.js';

export const LAYERS = ['auto', 'buildings', 'roads', 'pois', 'landuse', 'water', 'boundaries'] as const;
export type LayerOption = (typeof LAYERS)[number];

export function isLayerOption(s: string): s is LayerOption {
  return (LAYERS as readonly string[]).includes(s);
}

const SUPPORTED = 'wgs84, cgcs2000 (EPSG:4490), EPSG:4326, gcj02, bd09';

/**
 * A CRS name from the command line or a GeoJSON `crs` member → one of the accepted input CRSs.
 * Accepts wgs84/gcj02/bd09/cgcs2000, EPSG:4326/4490, urn:ogc:def:crs:EPSG::4490,
 * http://www.opengis.net/def/crs/EPSG/0/4490 and CRS84. Anything else is an ImportError.
 */
export function resolveCrs(name: string): InputCrs {
  const raw = name.trim();
  let s = raw.toLowerCase();
  if (/^urn:ogc:def:crs:ogc:[\d.]*:crs84$/.test(s) || s === 'crs84') return 'wgs84';
  let m = /^urn:ogc:def:crs:epsg:[\d.]*:(\d+)$/.exec(s) ?? /^https?:\/\/www\.opengis\.net\/def\/crs\/epsg\/[\d.]+\/(\d+)$/.exec(s);
  if (m) s = `epsg:${m[1]}`;
  if ((m = /^epsg\s*:\s*(\d+)$/.exec(s))) s = `epsg:${m[1]}`;
  const crs = parseCrs(s);
  if (crs && s !== '') return crs;
  throw new ImportError(`unsupported CRS "${raw}" (supported: ${SUPPORTED}; reproject other data to EPSG:4326 first)`);
}

export interface GeoJsonOptions {
  /** CRS of the coordinates; overrides the file's `crs` member. */
  crs?: string;
  layer?: LayerOption;
  /** File name, used as a layer hint in auto mode (buildings.geojson → buildings). */
  fileName?: string;
}

export interface GeoJsonResult {
  features: ParsedFeatures;
  crs: InputCrs;
  crsSource: 'option' | 'file' | 'default';
  featureCount: number;
}

function fileCrs(fc: Record<string, unknown>): string | null {
  const c = fc['crs'] as { type?: string; properties?: { name?: unknown; code?: unknown } } | undefined;
  if (!c || typeof c !== 'object') return null;
  if (typeof c.properties?.name === 'string') return c.properties.name;
  if (c.type === 'EPSG' && c.properties?.code != null) return `EPSG:${String(c.properties.code)}`;
  return null;
}

function eachPosition(g: Geometry, f: (p: Position) => void): void {
  switch (g.type) {
    case 'Point': f(g.coordinates); break;
    case 'MultiPoint': case 'LineString': g.coordinates.forEach(f); break;
    case 'MultiLineString': case 'Polygon': g.coordinates.forEach((l) => l.forEach(f)); break;
    case 'MultiPolygon': g.coordinates.forEach((p) => p.forEach((l) => l.forEach(f))); break;
    case 'GeometryCollection': g.geometries.forEach((x) => eachPosition(x, f)); break;
  }
}

function mapPositions(g: Geometry, f: (p: Position) => Position): Geometry {
  switch (g.type) {
    case 'Point': return { type: 'Point', coordinates: f(g.coordinates) };
    case 'MultiPoint': return { type: 'MultiPoint', coordinates: g.coordinates.map(f) };
    case 'LineString': return { type: 'LineString', coordinates: g.coordinates.map(f) };
    case 'MultiLineString': return { type: 'MultiLineString', coordinates: g.coordinates.map((l) => l.map(f)) };
    case 'Polygon': return { type: 'Polygon', coordinates: g.coordinates.map((l) => l.map(f)) };
    case 'MultiPolygon': return { type: 'MultiPolygon', coordinates: g.coordinates.map((p) => p.map((l) => l.map(f))) };
    case 'GeometryCollection': return { type: 'GeometryCollection', geometries: g.geometries.map((x) => mapPositions(x, f)) };
  }
}

const GEOMETRY_TYPES = ['Point', 'MultiPoint', 'LineString', 'MultiLineString', 'Polygon', 'MultiPolygon', 'GeometryCollection'];

/** Is the structure of this geometry usable (arrays where arrays belong)? Numbers are checked later. */
function wellFormed(g: unknown): g is Geometry {
  if (!g || typeof g !== 'object') return false;
  const t = (g as { type?: unknown }).type;
  if (typeof t !== 'string' || !GEOMETRY_TYPES.includes(t)) return false;
  if (t === 'GeometryCollection') {
    const gs = (g as { geometries?: unknown }).geometries;
    return Array.isArray(gs) && gs.every(wellFormed);
  }
  const depth = { Point: 0, MultiPoint: 1, LineString: 1, MultiLineString: 2, Polygon: 2, MultiPolygon: 3 }[t]!;
  const ok = (c: unknown, d: number): boolean =>
    d === 0 ? Array.isArray(c) && c.length >= 2 && c.every((x) => typeof x === 'number' || x === null)
      : Array.isArray(c) && c.every((x) => ok(x, d - 1));
  return ok((g as { coordinates?: unknown }).coordinates, depth);
}

/** Properties as OSM-style string tags (numbers stringified, booleans yes/no, objects dropped). */
export function propsToTags(p: Props): Record<string, string> {
  const t: Record<string, string> = {};
  for (const [k, v] of Object.entries(p)) {
    if (typeof v === 'string') t[k] = v;
    else if (typeof v === 'number' && Number.isFinite(v)) t[k] = String(v);
    else if (typeof v === 'boolean') t[k] = v ? 'yes' : 'no';
  }
  return t;
}

function hintFromFileName(name: string | undefined): Exclude<LayerOption, 'auto'> | null {
  const n = (name ?? '').toLowerCase();
  if (/build|楼/.test(n)) return 'buildings';
  if (/road|street|highway|道路/.test(n)) return 'roads';
  if (/poi|facilit|amenit|设施/.test(n)) return 'pois';
  if (/landuse|用地/.test(n)) return 'landuse';
  if (/water|river|水/.test(n)) return 'water';
  if (/bound|admin|行政/.test(n)) return 'boundaries';
  return null;
}

const pick = (t: Tags, keys: string[]): string | undefined => {
  for (const k of keys) if (t[k] !== undefined && t[k] !== '') return t[k];
  return undefined;
};

/** Put a feature into one named layer (--layer given, or the file-name hint). */
function emitForced(out: ParsedFeatures, layer: Exclude<LayerOption, 'auto'>, osmId: string | null, props: Props, geom: Geometry): void {
  const tags = propsToTags(props);
  const kind = geomKind(geom);
  const name = featureName(tags) ?? pick(tags, ['NAME', 'Name', '名称']) ?? null;
  const wrong = () => bump(out.skipped, `${geom.type} geometry in layer ${layer}`);
  switch (layer) {
    case 'buildings': {
      if (kind !== 'polygon') return wrong();
      const b = buildingInfo(tags);
      const k = b?.kind ?? pick(tags, ['kind', 'type']) ?? 'yes';
      out.buildings.push({
        osmId, name, geom: geom as never, props, kind: k,
        heightM: b?.heightM ?? parseMeters(pick(tags, ['height_m', 'heightM', 'height', 'HEIGHT', '高度'])),
        minHeightM: b?.minHeightM ?? parseMeters(pick(tags, ['min_height_m', 'minHeightM', 'min_height'])) ?? 0,
        levels: b?.levels ?? parseLevels(pick(tags, ['levels', 'floors', 'FLOOR', '层数'])),
        residential: tags['residential'] === 'yes' || (RESIDENTIAL_BUILDINGS as readonly string[]).includes(k),
      });
      return;
    }
    case 'roads': {
      if (kind !== 'line') return wrong();
      const k = pick(tags, ['highway', 'kind', 'fclass', 'type']) ?? 'road';
      const r = roadInfo({ ...tags, highway: (ROAD_KINDS as readonly string[]).includes(k) ? k : 'road' });
      out.roads.push({
        osmId, name, geom: geom as never, props, kind: k,
        walkable: tags['walkable'] ? tags['walkable'] === 'yes' : (r?.walkable ?? true),
        footway: tags['footway'] === 'yes' || tags['footway'] === 'no' ? tags['footway'] === 'yes' : (r?.footway ?? false),
      });
      return;
    }
    case 'pois': {
      if (geom.type === 'MultiPoint') {
        for (const p of geom.coordinates) emitForced(out, layer, osmId, props, { type: 'Point', coordinates: p });
        return;
      }
      if (geom.type === 'MultiLineString') return wrong();
      const declared = pick(tags, ['service_class', 'serviceClass']);
      if (declared !== undefined && !isServiceClassCode(declared)) {
        bump(out.skipped, 'unknown service class');
        return;
      }
      const c = declared ? { serviceClass: declared, kind: pick(tags, ['kind', 'amenity', 'shop', 'leisure']) ?? declared } : classifyPoi(tags);
      if (!c) {
        bump(out.skipped, 'POI without a service class');
        return;
      }
      out.facilities.push({ osmId, name, kind: c.kind, serviceClass: c.serviceClass, geom: geom as never, props });
      return;
    }
    case 'landuse':
    case 'water':
    case 'boundaries': {
      if (kind === 'point' || kind === null) return wrong();
      const l = layer === 'boundaries' ? 'boundary' : layer;
      const a = areaInfo(tags, kind);
      const k = (a?.layer === l ? a.kind : undefined) ?? pick(tags, ['kind', 'landuse', 'natural', 'waterway', 'admin_level', 'type']) ?? null;
      out.base.push({ layer: l, osmId, name, kind: k, geom, props });
      return;
    }
  }
}

/** Parse a GeoJSON text. Throws ImportError for anything that makes the whole file unusable. */
export function readGeoJson(text: string, opts: GeoJsonOptions = {}): GeoJsonResult {
  if (text.trim() === '') throw new ImportError('empty file');
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new ImportError(`invalid JSON: ${(e as Error).message}`);
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw new ImportError('not a GeoJSON FeatureCollection');
  const fc = doc as Record<string, unknown>;
  if (fc['type'] !== 'FeatureCollection') {
    throw new ImportError(`not a GeoJSON FeatureCollection (type is ${JSON.stringify(fc['type'] ?? null)})`);
  }
  const list = fc['features'];
  if (!Array.isArray(list)) throw new ImportError('FeatureCollection has no "features" array');
  if (list.length === 0) throw new ImportError('empty FeatureCollection (no features)');

  const declared = fileCrs(fc);
  let crs: InputCrs = 'wgs84';
  let crsSource: GeoJsonResult['crsSource'] = 'default';
  if (opts.crs) { crs = resolveCrs(opts.crs); crsSource = 'option'; }
  else if (declared) { crs = resolveCrs(declared); crsSource = 'file'; }

  // Projected coordinates (metres) passed as degrees: refuse the file rather than import garbage.
  for (const f of list) {
    const g = (f as Feature | null)?.geometry;
    if (!wellFormed(g)) continue;
    let bad: Position | null = null;
    eachPosition(g, (p) => {
      if (!bad && Number.isFinite(p[0]) && Number.isFinite(p[1]) && !isLonLat([p[0]!, p[1]!])) bad = p;
    });
    if (bad) {
      const [x, y] = bad as Position;
      throw new ImportError(
        `coordinates [${x}, ${y}] are not longitude/latitude: projected data or swapped axes? ` +
        `Reproject to EPSG:4326/4490 (or pass --crs for GCJ-02/BD-09 degrees)`);
    }
  }

  const out = new ParsedFeatures();
  const layer = opts.layer ?? 'auto';
  const hint = layer === 'auto' ? hintFromFileName(opts.fileName) : null;
  for (const raw of list) {
    const f = raw as Partial<Feature> | null;
    if (!f || typeof f !== 'object' || f.type !== 'Feature') {
      bump(out.skipped, 'not a GeoJSON Feature');
      continue;
    }
    if (f.geometry == null) {
      bump(out.skipped, 'no geometry');
      continue;
    }
    if (!wellFormed(f.geometry)) {
      bump(out.skipped, 'malformed geometry');
      continue;
    }
    const props: Props = f.properties && typeof f.properties === 'object' ? { ...f.properties } : {};
    const c = cleanGeometry(f.geometry, out.repaired);
    if (!c.ok) {
      bump(out.skipped, c.reason);
      continue;
    }
    const geom = crs === 'wgs84' || crs === 'cgcs2000'
      ? c.geom
      : mapPositions(c.geom, (p) => toWgs84([p[0]!, p[1]!], crs));
    const idv = props['osm_id'] ?? props['@id'] ?? props['id'] ?? f.id;
    const osmId = idv == null ? null : String(idv);
    if (layer !== 'auto') {
      emitForced(out, layer, osmId, props, geom);
      continue;
    }
    const tags = propsToTags(props);
    if (pick(tags, ['service_class', 'serviceClass'])) emitForced(out, 'pois', osmId, props, geom);
    else if (emitTagged(out, osmId, tags, geom, props)) continue;
    else if (hint) emitForced(out, hint, osmId, props, geom);
    else if (geomKind(geom) === 'line') emitForced(out, 'roads', osmId, props, geom);
    else bump(out.skipped, 'layer not detected (pass --layer)');
  }
  return { features: out, crs, crsSource, featureCount: list.length };
}

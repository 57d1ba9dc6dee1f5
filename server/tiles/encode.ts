// Mapbox Vector Tile production. PostGIS prepares every geometry (clip, simplify, transform to tile
// coordinates). Where PostGIS was built with protobuf (real PostGIS), ST_AsMVT encodes; the embedded
// PGlite build lacks protobuf-c, so there the prepared rows are encoded with @maplibre/vt-pbf.
import { fromGeojsonVt } from '@maplibre/vt-pbf';
import type { Geometry, Position } from 'geojson';
import { bytes, type Queryable } from '../db/db.js';
import { loadSql } from '../db/sql.js';
import { SOURCE_LAYERS, type SourceLayer } from './layers.js';

const SQL = loadSql(new URL('./tiles.sql', import.meta.url), [...SOURCE_LAYERS, 'nativeLayer', 'portableLayer']);

const build = (wrapper: string, source: string) => wrapper.replace('__SOURCE__', source);
const NATIVE = Object.fromEntries(SOURCE_LAYERS.map((l) => [l, build(SQL.nativeLayer, SQL[l])])) as Record<SourceLayer, string>;
const PORTABLE = Object.fromEntries(SOURCE_LAYERS.map((l) => [l, build(SQL.portableLayer, SQL[l])])) as Record<SourceLayer, string>;

export type TileEncoder = 'native' | 'portable';

/** ST_AsMVT works only where PostGIS was compiled with protobuf-c. */
export async function detectEncoder(db: Queryable): Promise<TileEncoder> {
  try {
    await db.query(`SELECT ST_AsMVT(q, 'probe') FROM (SELECT 1 AS id, ST_AsMVTGeom(ST_Point(0, 0, 3857), ST_TileEnvelope(0, 0, 0)) AS geom) q`);
    return 'native';
  } catch {
    return 'portable';
  }
}

type Ring = [number, number][];
interface VtFeature { id?: number; type: 1 | 2 | 3; tags: Record<string, unknown>; geometry: [number, number][] | [number, number][][] }

const pt = (p: Position): [number, number] => [p[0]!, p[1]!];

/** Shoelace area in tile coordinates (y down); MVT wants exterior rings positive, holes negative. */
function area(ring: Ring): number {
  let s = 0;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) s += ring[j]![0] * ring[i]![1] - ring[i]![0] * ring[j]![1];
  return s / 2;
}
const orient = (ring: Ring, positive: boolean): Ring => ((area(ring) > 0) === positive ? ring : [...ring].reverse());

function polygonRings(poly: Position[][]): Ring[] {
  return poly.map((r, i) => orient(r.map(pt), i === 0)).filter((r) => r.length >= 4);
}

/** GeoJSON in tile coordinates → a geojson-vt style feature (the shape vt-pbf encodes). */
export function toVtFeature(id: number, tags: Record<string, unknown>, g: Geometry): VtFeature | null {
  switch (g.type) {
    case 'Point': return { id, type: 1, tags, geometry: [pt(g.coordinates)] };
    case 'MultiPoint': return { id, type: 1, tags, geometry: g.coordinates.map(pt) };
    case 'LineString': return { id, type: 2, tags, geometry: [g.coordinates.map(pt)] };
    case 'MultiLineString': return { id, type: 2, tags, geometry: g.coordinates.map((l) => l.map(pt)) };
    case 'Polygon': {
      const rings = polygonRings(g.coordinates);
      return rings.length ? { id, type: 3, tags, geometry: rings } : null;
    }
    case 'MultiPolygon': {
      const rings = g.coordinates.flatMap(polygonRings);
      return rings.length ? { id, type: 3, tags, geometry: rings } : null;
    }
    case 'GeometryCollection': {
      // Clipping can yield mixed collections; keep the highest-dimension parts.
      const parts = g.geometries.map((p) => toVtFeature(id, tags, p)).filter((f): f is VtFeature => f !== null);
      const top = Math.max(0, ...parts.map((p) => p.type));
      const keep = parts.filter((p) => p.type === top);
      if (!keep.length) return null;
      return { id, type: top as 1 | 2 | 3, tags, geometry: keep.flatMap((p) => p.geometry as never[]) };
    }
  }
}

/** Encode the given source layers of one tile; an empty Uint8Array when nothing is there. */
export interface TileScope {
  communities: string[] | null;
  gridId: number | null;
}
export async function renderTile(db: Queryable, encoder: TileEncoder, sources: SourceLayer[], z: number, x: number, y: number,
  scope: TileScope): Promise<Uint8Array> {
  if (encoder === 'native') {
    const parts: Uint8Array[] = [];
    for (const s of sources) {
      const r = await db.query<{ tile: unknown }>(NATIVE[s], [z, x, y, scope.communities, scope.gridId, s]);
      const b = bytes(r.rows[0]?.tile);
      if (b.length) parts.push(b);
    }
    return Buffer.concat(parts);
  }
  const layers: Record<string, { features: VtFeature[] }> = {};
  for (const s of sources) {
    const r = await db.query<{ id: number; props: Record<string, unknown>; geometry: Geometry }>(PORTABLE[s], [z, x, y, scope.communities, scope.gridId]);
    const features = r.rows.map((row) => toVtFeature(Number(row.id), row.props, row.geometry)).filter((f): f is VtFeature => f !== null);
    if (features.length) layers[s] = { features };
  }
  if (Object.keys(layers).length === 0) return new Uint8Array(0);
  return fromGeojsonVt(layers as never, { version: 2, extent: 4096 });
}

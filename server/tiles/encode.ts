// Mapbox Vector Tile production. PostGIS selects each tile's features by spatial index and, where it
// was built with protobuf (real PostGIS), ST_AsMVT encodes the tile. The embedded PGlite build lacks
// protobuf-c, so there PostGIS pre-clips the features and geojson-vt (the tiler maplibre itself uses)
// cuts them into tile space for @maplibre/vt-pbf. docs/BENCHMARKS.md shows why not pure SQL there.
import { geoJSONToTile } from '@maplibre/geojson-vt';
import { fromGeojsonVt } from '@maplibre/vt-pbf';
import type { Feature, Geometry } from 'geojson';
import { bytes, type Queryable } from '../db/db.js';
import { loadSql } from '../db/sql.js';
import { SOURCE_LAYERS, SOURCE_MINZOOM, type SourceLayer } from './layers.js';

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

export interface TileScope {
  communities: string[] | null;
  gridId: number | null;
  /** A department account sees its own cases only (other layers are not limited by it). */
  departmentId: number | null;
}

/**
 * Which cases the incidents layer shows: those reported in [since, until) (until null = no end)
 * and, with openToo, every case not yet closed. Other layers ignore it.
 */
export interface TileWindow {
  since: Date;
  until: Date | null;
  openToo: boolean;
}
export const DEFAULT_WINDOW_DAYS = 30;
/** The map's case layer by default: open cases and everything of the last 30 days. */
export const defaultTileWindow = (now = Date.now()): TileWindow =>
  ({ since: new Date(now - DEFAULT_WINDOW_DAYS * 86_400_000), until: null, openToo: true });

/**
 * One source layer of a tile as MVT bytes (empty when it has no feature there). A tile is the
 * concatenation of its source layers' bytes: an MVT tile is a repeated `layers` field, so tiles
 * encoded one layer at a time join into one (and each layer can be cached on its own).
 */
export async function renderSource(db: Queryable, encoder: TileEncoder, source: SourceLayer, z: number, x: number, y: number,
  scope: TileScope, window: TileWindow = defaultTileWindow()): Promise<Uint8Array> {
  if (z < (SOURCE_MINZOOM[source] ?? 0)) return new Uint8Array(0);
  const params = [z, x, y, scope.communities, scope.gridId, scope.departmentId, window.since.toISOString(), window.until?.toISOString() ?? null, window.openToo];
  if (encoder === 'native') {
    const r = await db.query<{ tile: unknown }>(NATIVE[source], [...params, source]);
    return bytes(r.rows[0]?.tile);
  }
  const r = await db.query<{ id: number; props: Record<string, unknown>; geometry: Geometry | null }>(PORTABLE[source], params);
  const features = r.rows.filter((row) => row.geometry).map((row): Feature => ({
    type: 'Feature', id: Number(row.id), properties: row.props, geometry: row.geometry!,
  }));
  if (!features.length) return new Uint8Array(0);
  const tile = geoJSONToTile({ type: 'FeatureCollection', features }, z, x, y, { extent: 4096, buffer: 64, clip: true });
  if (!tile?.features.length) return new Uint8Array(0);
  return fromGeojsonVt({ [source]: tile } as never, { version: 2, extent: 4096 });
}

/** A tile of several source layers, rendered now (no cache; see cache.ts for the cached path). */
export async function renderTile(db: Queryable, encoder: TileEncoder, sources: SourceLayer[], z: number, x: number, y: number,
  scope: TileScope, window: TileWindow = defaultTileWindow()): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for (const s of sources) {
    const b = await renderSource(db, encoder, s, z, x, y, scope, window);
    if (b.length) parts.push(b);
  }
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
}

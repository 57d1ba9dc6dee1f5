// Fetch and decode the server's Mapbox Vector Tiles into GeoJSON for engines without MVT support
// (the 3D page draws roads and water from /tiles/base). Tiles are decoded on the main thread.
import { VectorTile } from '@mapbox/vector-tile';
import { PbfReader } from 'pbf';
import type { Feature, Geometry } from 'geojson';
import type { BBox } from '../../../core/bbox.js';
import { latToTileY, lonToTileX } from '../../../core/tile-math.js';

export interface TileXYZ {
  x: number;
  y: number;
  z: number;
}

export { latToTileY, lonToTileX };

/** Tiles at zoom z covering bbox, row by row. */
export function tilesForBBox([minLon, minLat, maxLon, maxLat]: BBox, z: number): TileXYZ[] {
  const x0 = lonToTileX(minLon, z);
  const x1 = lonToTileX(maxLon, z);
  const y0 = latToTileY(maxLat, z);
  const y1 = latToTileY(minLat, z);
  const out: TileXYZ[] = [];
  for (let y = y0; y <= y1; y++) for (let x = x0; x <= x1; x++) out.push({ x, y, z });
  return out;
}

/**
 * Fetch the tiles of `tileset` covering bbox at zoom z and return features per source-layer.
 * Features crossing tile edges come back once per tile (fine for drawing).
 */
export async function fetchTileFeatures(
  tileset: string,
  bbox: BBox,
  z: number,
  layers: readonly string[],
  signal?: AbortSignal,
  /** This tab's credentials (client/src/api/http.ts authHeaders()): a kiosk wall's token. */
  headers: Record<string, string> = {},
): Promise<Record<string, Feature<Geometry, Record<string, unknown>>[]>> {
  const out: Record<string, Feature<Geometry, Record<string, unknown>>[]> = Object.fromEntries(layers.map((l) => [l, []]));
  const tiles = tilesForBBox(bbox, z);
  await Promise.all(
    tiles.map(async (t) => {
      const res = await fetch(`/tiles/${tileset}/${t.z}/${t.x}/${t.y}.pbf`, { signal, headers });
      if (res.status === 204 || !res.ok) return;
      const buf = new Uint8Array(await res.arrayBuffer());
      if (buf.byteLength === 0) return;
      const vt = new VectorTile(new PbfReader(buf));
      for (const name of layers) {
        const layer = vt.layers[name];
        if (!layer) continue;
        for (let i = 0; i < layer.length; i++) {
          out[name]!.push(layer.feature(i).toGeoJSON(t.x, t.y, t.z) as Feature<Geometry, Record<string, unknown>>);
        }
      }
    }),
  );
  return out;
}

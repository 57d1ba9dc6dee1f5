// Tile layers as data: each URL layer is a list of source layers (named SQL in tiles.sql).
import type { Resource } from '../../core/permissions.js';

export const SOURCE_LAYERS = [
  'water', 'landuse', 'roads', 'buildings', 'boundaries', 'grids', 'communities', 'facilities', 'incidents',
] as const;
export type SourceLayer = (typeof SOURCE_LAYERS)[number];

/**
 * What a source layer reveals, checked like its API twin: the map (GET /api/grids, /api/buildings,
 * /api/facilities, /api/divisions.geojson) or cases (GET /api/incidents needs `read incident`).
 * Each source's SQL applies the same jurisdiction filter as that twin.
 */
export const SOURCE_RESOURCE: Record<SourceLayer, Resource> = {
  water: 'map', landuse: 'map', roads: 'map', buildings: 'map', boundaries: 'map',
  grids: 'map', communities: 'map', facilities: 'map', incidents: 'incident',
};

/**
 * How the server may cache a source layer's encoded tiles (server/tiles/cache.ts):
 * - `shared`: OSM base map, the same for every caller: one entry per tile for everyone;
 * - `scoped`: filtered by the caller's jurisdiction: one entry per tile and jurisdiction (the
 *   scope is part of the key, so a tile is never served across scopes);
 * - `none`: live data (cases change every second; the window is per request): never cached.
 */
export const SOURCE_CACHE: Record<SourceLayer, 'shared' | 'scoped' | 'none'> = {
  water: 'shared', landuse: 'shared', roads: 'shared', boundaries: 'shared',
  buildings: 'scoped', grids: 'scoped', communities: 'scoped', facilities: 'scoped', incidents: 'none',
};

/**
 * The lowest zoom at which a source layer has features (its SQL says the same). Below it no query is
 * sent: PostgreSQL plans the building scan of a city before it folds `z >= 15` away, and that
 * plan's cost alone turned on JIT compilation (~1–2 s per z12–14 base tile on the city).
 */
export const SOURCE_MINZOOM: Partial<Record<SourceLayer, number>> = { landuse: 12, buildings: 15 };

/** The resources a tile layer reveals (a principal needs `read` on every one). */
export const layerResources = (layer: TileLayer): Resource[] => [...new Set(layer.sources.map((s) => SOURCE_RESOURCE[s]))];

export interface TileLayer {
  /** Source layers in draw order. */
  sources: SourceLayer[];
  minzoom: number;
  maxzoom: number;
  /** Seconds a client may cache a tile; 0 for live layers. */
  maxAge: number;
  description: string;
}

export const TILE_LAYERS: Record<string, TileLayer> = {
  base: { sources: ['water', 'landuse', 'roads', 'buildings', 'boundaries'], minzoom: 10, maxzoom: 18, maxAge: 300,
    description: 'Base map from the district\'s own OpenStreetMap data' },
  grids: { sources: ['grids'], minzoom: 10, maxzoom: 18, maxAge: 30, description: 'Management grids (synthetic)' },
  communities: { sources: ['communities'], minzoom: 8, maxzoom: 18, maxAge: 300, description: 'Division boundaries' },
  buildings: { sources: ['buildings'], minzoom: 15, maxzoom: 18, maxAge: 300, description: 'Buildings with heights' },
  facilities: { sources: ['facilities'], minzoom: 12, maxzoom: 18, maxAge: 60, description: 'Service facilities' },
  incidents: { sources: ['incidents'], minzoom: 10, maxzoom: 18, maxAge: 0,
    description: 'Incidents (live; ?from=&to= ISO times, at most 366 days; default: open cases and the last 30 days)' },
};

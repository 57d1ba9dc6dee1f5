// Tile benchmark: our tile paths against a naive baseline in the same process — read the whole
// layer (no spatial index, no tile filter) as GeoJSON and cut the tile in Node with geojson-vt.
import { geoJSONToTile } from '@maplibre/geojson-vt';
import { fromGeojsonVt } from '@maplibre/vt-pbf';
import type { Feature, Geometry } from 'geojson';
import { lonLatToTile } from '../../core/tile-math.js';
import type { Db } from '../db/db.js';
import { loadSql } from '../db/sql.js';
import { detectEncoder, renderTile, type TileEncoder } from './encode.js';
import { TILE_LAYERS, SOURCE_LAYERS, type SourceLayer } from './layers.js';

const SQL = loadSql(new URL('./tiles.sql', import.meta.url), [...SOURCE_LAYERS]);
const ALL = { communities: null, gridId: null, departmentId: null };

/** Naive: every feature of the layer as WGS84 GeoJSON (the tile filter removed), tiled in JS. */
async function naiveTile(db: Db, sources: SourceLayer[], z: number, x: number, y: number): Promise<Uint8Array> {
  const layers: Record<string, unknown> = {};
  for (const s of sources) {
    const unfiltered = SQL[s].replace(/\w+\.geom && ST_Transform\(ST_TileEnvelope\([^;]*?\), 4326\)/, 'TRUE');
    if (unfiltered === SQL[s]) throw new Error(`bench: no tile filter found in ${s}`);
    const sql = `WITH scope AS (SELECT $4::text[] AS communities, $5::int AS grid_id, $6::int AS department_id), t AS (SELECT $1::int, $2::int, $3::int)
      SELECT s.id, s.props, ST_AsGeoJSON(s.geom)::json AS g FROM (${unfiltered}) s`;
    const rows = (await db.query<{ id: number; props: Record<string, unknown>; g: Geometry }>(sql, [z, x, y, null, null, null])).rows;
    const fc = { type: 'FeatureCollection' as const, features: rows.map((r): Feature => ({ type: 'Feature', id: Number(r.id), properties: r.props, geometry: r.g })) };
    const t = geoJSONToTile(fc, z, x, y, { extent: 4096, buffer: 64, clip: true });
    if (t && t.features.length) layers[s] = t;
  }
  return Object.keys(layers).length ? fromGeojsonVt(layers as never, { version: 2, extent: 4096 }) : new Uint8Array(0);
}

function tilesOver(bbox: [number, number, number, number], z: number) {
  const a = lonLatToTile(bbox[0], bbox[3], z);
  const b = lonLatToTile(bbox[2], bbox[1], z);
  const out: [number, number, number][] = [];
  for (let x = a.x; x <= b.x; x++) for (let y = a.y; y <= b.y; y++) out.push([z, x, y]);
  return out;
}

/** `perZoom` tiles of zoom z spread evenly over bbox (every k-th tile of its range): the sample benchTileSample renders first. */
export function sampleTiles(bbox: [number, number, number, number], z: number, perZoom: number): [number, number, number][] {
  const all = tilesOver(bbox, z);
  const step = Math.max(1, Math.floor(all.length / perZoom));
  return all.filter((_, i) => i % step === 0).slice(0, perZoom);
}

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))]!;

export interface TileBenchRow { engine: string; path: string; layer: string; tiles: number; p50: number; p95: number; totalMs: number; kb: number }

export async function benchTiles(db: Db, engine: string, bbox: [number, number, number, number]): Promise<TileBenchRow[]> {
  const encoder = await detectEncoder(db);
  const tiles = [14, 15, 16].flatMap((z) => tilesOver(bbox, z));
  const rows: TileBenchRow[] = [];
  for (const layer of ['base', 'grids'] as const) {
    const sources = TILE_LAYERS[layer]!.sources;
    const paths: [string, (z: number, x: number, y: number) => Promise<Uint8Array>][] = [
      [`postgis-${encoder}`, (z, x, y) => renderTile(db, encoder, sources, z, x, y, ALL)],
      ['baseline: geojson + geojson-vt', (z, x, y) => naiveTile(db, sources, z, x, y)],
    ];
    if (encoder === 'native') paths.splice(1, 0, ['postgis-portable', (z, x, y) => renderTile(db, 'portable', sources, z, x, y, ALL)]);
    for (const [path, fn] of paths) {
      for (const [z, x, y] of tiles.slice(0, 3)) await fn(z, x, y); // warm-up
      const times: number[] = [];
      let bytes = 0;
      const t0 = performance.now();
      for (const [z, x, y] of tiles) {
        const s = performance.now();
        bytes += (await fn(z, x, y)).length;
        times.push(performance.now() - s);
      }
      rows.push({ engine, path, layer, tiles: tiles.length, p50: pct(times, 0.5), p95: pct(times, 0.95), totalMs: performance.now() - t0, kb: bytes / 1024 });
    }
  }
  return rows;
}

export interface TileSampleRow {
  engine: string; layer: string; path: string; zoom: number; pass: 'cold' | 'warm';
  tiles: number; p50: number; p95: number; max: number; tilesPerSec: number; kb: number;
}

/**
 * Tiles over a large area (the generated city): `perZoom` tiles per zoom spread evenly over the
 * bbox (every k-th tile of the zoom's tile range, a fixed choice), each path rendering them twice —
 * `cold` the first render of each tile in this process (its pages may still be in the server's or
 * the OS's cache from earlier zooms: not a cold disk), `warm` the same tiles at once again.
 * Baseline: the portable path (PostGIS selects by the GiST index, geojson-vt cuts, vt-pbf encodes)
 * on the same tiles; the whole-layer baseline of benchTiles cannot run on a million buildings.
 */
export type TilePath = [name: string, render: (z: number, x: number, y: number) => Promise<Uint8Array>];

export async function benchTileSample(db: Db, engine: string, bbox: [number, number, number, number],
  opts: {
    zooms?: number[]; perZoom?: number; layers?: string[]; baseline?: boolean;
    /** The paths to compare (default: this engine's encoder, and the portable one as baseline on real PostGIS); `zooms` per path. */
    paths?: (sources: SourceLayer[], encoder: TileEncoder, layer: string) => (TilePath & { zooms?: number[] })[];
  } = {}): Promise<TileSampleRow[]> {
  const encoder = await detectEncoder(db);
  const zooms = opts.zooms ?? [12, 13, 14, 15, 16];
  const perZoom = opts.perZoom ?? 40;
  const rows: TileSampleRow[] = [];
  for (const layer of opts.layers ?? ['base', 'grids']) {
    const sources = TILE_LAYERS[layer]!.sources;
    const paths: (TilePath & { zooms?: number[] })[] = opts.paths ? opts.paths(sources, encoder, layer) : [
      [`postgis-${encoder}`, (z, x, y) => renderTile(db, encoder, sources, z, x, y, ALL)],
    ];
    if (!opts.paths && encoder === 'native' && opts.baseline !== false) paths.push(['baseline: postgis-portable', (z, x, y) => renderTile(db, 'portable', sources, z, x, y, ALL)]);
    for (const z of zooms) {
      const all = tilesOver(bbox, z);
      const step = Math.max(1, Math.floor(all.length / perZoom));
      // two disjoint samples, so the baseline's cold pass does not find the tiles the path before it warmed
      const samples = [all.filter((_, i) => i % step === 0).slice(0, perZoom), all.filter((_, i) => i % step === Math.floor(step / 2)).slice(0, perZoom)];
      for (const [pi, entry] of paths.entries()) {
        const [path, fn] = entry;
        if (entry.zooms && !entry.zooms.includes(z)) continue;
        const tiles = samples[pi % 2]!.length ? samples[pi % 2]! : samples[0]!;
        for (const pass of ['cold', 'warm'] as const) {
          const times: number[] = [];
          let bytes = 0;
          const t0 = performance.now();
          for (const [tz, x, y] of tiles) {
            const s = performance.now();
            bytes += (await fn(tz, x, y)).length;
            times.push(performance.now() - s);
          }
          const total = performance.now() - t0;
          rows.push({ engine, layer, path, zoom: z, pass, tiles: tiles.length, p50: pct(times, 0.5), p95: pct(times, 0.95), max: Math.max(...times),
            tilesPerSec: (tiles.length * 1000) / total, kb: bytes / 1024 });
        }
      }
    }
  }
  return rows;
}

// Import an OpenStreetMap .osm XML file or a GeoJSON FeatureCollection into PostGIS.
// The whole file is parsed first; only then is anything written, in one transaction that replaces
// the dataset (DELETE … CASCADE, then INSERT). A file that cannot be read raises ImportError and
// leaves the database untouched.
import { createReadStream, openSync, readSync, closeSync, statSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { OSM_ATTRIBUTION, type InputCrs } from '../../core/types.js';
import type { Db } from '../db/db.js';
import { loadSql } from '../db/sql.js';
import { ImportError, bump, type Counter, type ParsedFeatures } from './features.js';
import { readGeoJson, resolveCrs, type LayerOption } from './geojson.js';
import { OsmXmlReader, assembleOsm, type Bounds } from './osm.js';
import { serviceClasses, upsertReferenceData } from '../reference/reference.js';

export { ImportError } from './features.js';

const SQL = loadSql(new URL('./import.sql', import.meta.url), [
  'deleteDataset', 'insertDataset', 'insertBuildings', 'insertRoads', 'insertBaseFeatures', 'insertFacilities',
  'assignFacilityGrids', 'assignFacilityCommunities', 'assignBuildingGrids', 'assignBuildingCommunities',
  'datasetExtent', 'finishDataset',
]);

/** Rows per INSERT statement. */
export const BATCH_SIZE = 500;

export interface ImportProgress {
  phase: 'parse' | 'write';
  done: number;
  total: number;
}

export interface ImportOptions {
  /** CRS of GeoJSON coordinates (wgs84, cgcs2000, gcj02, bd09, EPSG:4326, EPSG:4490). OSM is always WGS84. */
  crs?: string;
  /** Import only this layer (OSM), or put every GeoJSON feature into it. Default auto. */
  layer?: LayerOption;
  /** Dataset id; default "<format>:<file name>", so re-importing a file replaces it. */
  datasetId?: string;
  /** Display name; default the file name. */
  name?: string;
  attribution?: string;
  /** Cut OSM features at the file's <bounds> (default true). */
  clip?: boolean;
  onProgress?: (p: ImportProgress) => void;
}

export type Format = 'osm' | 'geojson';

export interface ParsedImport {
  file: string;
  format: Format;
  bytes: number;
  datasetId: string;
  name: string;
  attribution: string | null;
  crs: InputCrs;
  crsSource: 'option' | 'file' | 'default';
  features: ParsedFeatures;
  /** Clip rectangle (OSM <bounds>), or null. */
  clip: Bounds | null;
  source: Record<string, number>;
  parseMs: number;
}

export interface LayerCounts {
  buildings: number;
  roads: number;
  facilities: number;
  landuse: number;
  water: number;
  boundaries: number;
  transit: number;
  places: number;
}

export interface ImportSummary {
  datasetId: string;
  name: string;
  file: string;
  format: Format;
  crs: InputCrs;
  /** A dataset with this id existed and was replaced. */
  replaced: boolean;
  counts: LayerCounts;
  facilitiesByClass: Record<string, number>;
  /** Features left out, by reason. */
  skipped: Counter;
  /** Geometries repaired, by kind of repair. */
  repaired: Counter;
  /** Features cut at the file bounds. */
  clipped: number;
  /** POI kinds without a service class (skipped or kept only as building/area), most frequent first. */
  unclassifiedPois: Counter;
  bbox: [number, number, number, number] | null;
  source: Record<string, number>;
  timings: { parseMs: number; writeMs: number; totalMs: number };
}

function detectFormat(path: string): Format {
  const ext = extname(path).toLowerCase();
  if (path.toLowerCase().endsWith('.osm.pbf') || ext === '.pbf') {
    throw new ImportError('OSM PBF is not supported; export or convert to .osm XML');
  }
  if (ext === '.osm' || ext === '.xml') return 'osm';
  if (ext === '.geojson' || ext === '.json') return 'geojson';
  // Unknown extension: look at the first non-blank character.
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(512);
    const n = readSync(fd, buf, 0, buf.length, 0);
    const head = buf.subarray(0, n).toString('utf8').replace(/^\uFEFF/, '').trimStart();
    if (head.startsWith('<')) return 'osm';
    if (head.startsWith('{')) return 'geojson';
  } finally {
    closeSync(fd);
  }
  throw new ImportError('unknown file type (expected .osm XML or .geojson)');
}

async function streamText(path: string, size: number, onChunk: (s: string) => void, progress?: ImportOptions['onProgress']): Promise<void> {
  const stream = createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 });
  let first = true;
  for await (const chunk of stream as AsyncIterable<string>) {
    onChunk(first ? chunk.replace(/^\uFEFF/, '') : chunk);
    first = false;
    progress?.({ phase: 'parse', done: stream.bytesRead, total: size });
  }
}

/** Read and check a file completely, without touching any database. */
export async function parseImportFile(path: string, opts: ImportOptions = {}): Promise<ParsedImport> {
  const t0 = performance.now();
  let size: number;
  try {
    const st = statSync(path);
    if (!st.isFile()) throw new ImportError('not a file');
    size = st.size;
  } catch (e) {
    if (e instanceof ImportError) throw e;
    throw new ImportError(`cannot read file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  if (size === 0) throw new ImportError('empty file');
  const format = detectFormat(path);
  const file = basename(path);
  const common = {
    file, format, bytes: size,
    datasetId: opts.datasetId ?? `${format}:${file}`,
    name: opts.name ?? file,
  };

  if (format === 'osm') {
    if (opts.crs && resolveCrs(opts.crs) !== 'wgs84' && resolveCrs(opts.crs) !== 'cgcs2000') {
      throw new ImportError('OSM data is always WGS84; --crs applies to GeoJSON only');
    }
    const reader = new OsmXmlReader();
    await streamText(path, size, (s) => reader.write(s), opts.onProgress);
    const osm = assembleOsm(reader.end());
    const features = filterLayer(osm.features, opts.layer ?? 'auto');
    return {
      ...common,
      attribution: opts.attribution ?? OSM_ATTRIBUTION,
      crs: 'wgs84', crsSource: 'default',
      features,
      clip: opts.clip === false ? null : osm.bounds,
      source: osm.counts,
      parseMs: Math.round(performance.now() - t0),
    };
  }

  const parts: string[] = [];
  await streamText(path, size, (s) => parts.push(s), opts.onProgress);
  const gj = readGeoJson(parts.join(''), { crs: opts.crs, layer: opts.layer, fileName: file });
  return {
    ...common,
    attribution: opts.attribution ?? null,
    crs: gj.crs, crsSource: gj.crsSource,
    features: gj.features,
    clip: null,
    source: { features: gj.featureCount },
    parseMs: Math.round(performance.now() - t0),
  };
}

function filterLayer(f: ParsedFeatures, layer: LayerOption): ParsedFeatures {
  if (layer === 'auto') return f;
  const keep = (l: LayerOption) => l === layer;
  if (!keep('buildings')) f.buildings = [];
  if (!keep('roads')) f.roads = [];
  if (!keep('pois')) f.facilities = [];
  const base = { landuse: 'landuse', water: 'water', boundaries: 'boundary' } as Record<string, string>;
  f.base = f.base.filter((b) => base[layer] === b.layer);
  return f;
}

interface BatchStats {
  n_in: number;
  inserted: number;
  kept: number;
  repaired: number;
  clipped: number;
  outside: number;
  by_kind: Record<string, number> | string;
}

const clipWkt = (b: Bounds | null) => b &&
  `POLYGON((${b[0]} ${b[1]},${b[2]} ${b[1]},${b[2]} ${b[3]},${b[0]} ${b[3]},${b[0]} ${b[1]}))`;

/** Write a parsed file in one transaction, replacing any dataset with the same id. */
export async function writeImport(db: Db, p: ParsedImport, opts: Pick<ImportOptions, 'onProgress'> = {}): Promise<ImportSummary> {
  const t0 = performance.now();
  const f = p.features;
  if (f.total === 0) {
    const why = Object.entries(f.skipped).map(([k, n]) => `${k}: ${n}`).join(', ');
    throw new ImportError(`no importable features${why ? ` (skipped — ${why})` : ''}`);
  }
  const known = new Set(serviceClasses().map((c) => c.code));
  const skipped: Counter = { ...f.skipped };
  const repaired: Counter = { ...f.repaired };
  const facilities = f.facilities.filter((x) => {
    if (known.has(x.serviceClass)) return true;
    bump(skipped, 'unknown service class');
    return false;
  });
  const counts: LayerCounts = { buildings: 0, roads: 0, facilities: 0, landuse: 0, water: 0, boundaries: 0, transit: 0, places: 0 };
  const byClass: Record<string, number> = {};
  let clipped = 0;
  const total = f.buildings.length + f.roads.length + f.base.length + facilities.length;
  let done = 0;
  const clip = clipWkt(p.clip);

  const result = await db.transaction(async (tx) => {
    await upsertReferenceData(tx);
    const del = await tx.query(SQL.deleteDataset, [p.datasetId]);
    await tx.query(SQL.insertDataset, [p.datasetId, p.name, p.format, p.attribution, '{}']);

    const run = async (sql: string, rows: readonly object[], layer: string, onKinds?: (k: Record<string, number>) => void) => {
      for (let i = 0; i < rows.length; i += BATCH_SIZE) {
        const batch = rows.slice(i, i + BATCH_SIZE);
        const r = await tx.query<BatchStats>(sql, [p.datasetId, JSON.stringify(batch), clip]);
        const s = r.rows[0]!;
        if (s.repaired) bump(repaired, 'invalid geometry fixed with ST_MakeValid', s.repaired);
        if (s.clipped) clipped += s.clipped;
        if (s.outside) bump(skipped, 'outside the file bounds', s.outside);
        const lost = s.n_in - s.kept - s.outside;
        if (lost > 0) bump(skipped, `${layer}: geometry empty after repair`, lost);
        if (onKinds) onKinds(typeof s.by_kind === 'string' ? JSON.parse(s.by_kind) : s.by_kind);
        else counts[layer as keyof LayerCounts] += s.inserted;
        done += batch.length;
        opts.onProgress?.({ phase: 'write', done, total });
      }
    };
    await run(SQL.insertBuildings, f.buildings, 'buildings');
    await run(SQL.insertRoads, f.roads, 'roads');
    const baseName = { landuse: 'landuse', water: 'water', boundary: 'boundaries', transit: 'transit', place: 'places' } as const;
    await run(SQL.insertBaseFeatures, f.base, 'base', (k) => {
      for (const [layer, n] of Object.entries(k)) counts[baseName[layer as keyof typeof baseName]] += n;
    });
    await run(SQL.insertFacilities, facilities, 'facilities', (k) => {
      for (const [cls, n] of Object.entries(k)) {
        byClass[cls] = (byClass[cls] ?? 0) + n;
        counts.facilities += n;
      }
    });

    // Attach to grids and communities where those exist (another dataset, e.g. the demo district).
    await tx.query(SQL.assignFacilityGrids, [p.datasetId]);
    await tx.query(SQL.assignFacilityCommunities, [p.datasetId]);
    await tx.query(SQL.assignBuildingGrids, [p.datasetId]);
    await tx.query(SQL.assignBuildingCommunities, [p.datasetId]);

    const e = (await tx.query<{ min_lon: number | null; min_lat: number; max_lon: number; max_lat: number }>(
      SQL.datasetExtent, [p.datasetId])).rows[0];
    const bbox: ImportSummary['bbox'] = e && e.min_lon != null ? [e.min_lon, e.min_lat, e.max_lon, e.max_lat] : null;
    const writeMs = Math.round(performance.now() - t0);
    const summary: ImportSummary = {
      datasetId: p.datasetId,
      name: p.name,
      file: p.file,
      format: p.format,
      crs: p.crs,
      replaced: del.rowCount > 0,
      counts,
      facilitiesByClass: sortCounter(byClass),
      skipped: sortCounter(skipped),
      repaired: sortCounter(repaired),
      clipped,
      unclassifiedPois: sortCounter(f.unclassified),
      bbox,
      source: { bytes: p.bytes, ...p.source },
      timings: { parseMs: p.parseMs, writeMs, totalMs: p.parseMs + writeMs },
    };
    await tx.query(SQL.finishDataset, [p.datasetId, ...(bbox ?? [null, null, null, null]), JSON.stringify(summary)]);
    return summary;
  });
  return result;
}

const sortCounter = (c: Counter): Counter => Object.fromEntries(Object.entries(c).sort((a, b) => b[1] - a[1]));

/** Parse then write: the API for tests, the CLI and an upload endpoint. */
export async function importFile(db: Db, path: string, opts: ImportOptions = {}): Promise<ImportSummary> {
  const parsed = await parseImportFile(path, opts);
  return writeImport(db, parsed, opts);
}

/** Human-readable summary, one fact per line. */
export function formatSummary(s: ImportSummary): string {
  const c = s.counts;
  const list = (o: Counter, max = 12) => {
    const e = Object.entries(o);
    if (!e.length) return 'none';
    const shown = e.slice(0, max).map(([k, n]) => `${k} ${n}`).join(', ');
    return e.length > max ? `${shown}, … (${e.length - max} more)` : shown;
  };
  const sum = (o: Counter) => Object.values(o).reduce((a, b) => a + b, 0);
  const lines = [
    `${s.replaced ? 'replaced' : 'imported'} dataset ${s.datasetId} from ${s.file} (${s.format}, ${s.crs})`,
    `  buildings ${c.buildings}, roads ${c.roads}, facilities ${c.facilities}, landuse ${c.landuse}, water ${c.water}, ` +
      `boundaries ${c.boundaries}, transit ${c.transit}, places ${c.places}`,
    `  facilities by class: ${list(s.facilitiesByClass, 16)}`,
    `  bbox: ${s.bbox ? s.bbox.map((v) => v.toFixed(6)).join(', ') : 'none'}`,
    `  skipped ${sum(s.skipped)}: ${list(s.skipped)}`,
    `  repaired ${sum(s.repaired)}: ${list(s.repaired)}; clipped at file bounds: ${s.clipped}`,
    `  POIs without a service class: ${list(s.unclassifiedPois, 8)}`,
    `  time: ${(s.timings.totalMs / 1000).toFixed(1)} s (parse ${(s.timings.parseMs / 1000).toFixed(1)} s, write ${(s.timings.writeMs / 1000).toFixed(1)} s)`,
  ];
  return lines.join('\n');
}

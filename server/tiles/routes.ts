import { Router } from 'express';
import { z } from 'zod';
import { can } from '../../core/permissions.js';
import { guard, principalOf, type Principal } from '../auth/principal.js';
import { mapFilter } from '../auth/scope.js';
import type { Db } from '../db/db.js';
import { getDistrict } from '../divisions/queries.js';
import { fail, ok, route, type Result } from '../http/errors.js';
import { validate } from '../http/validate.js';
import { TileCache, type TileCacheOptions } from './cache.js';
import { defaultTileWindow, type TileEncoder, type TileWindow } from './encode.js';
import { layerResources, TILE_LAYERS, type TileLayer } from './layers.js';

const tileParams = z.object({
  layer: z.string(),
  z: z.coerce.number().int().min(0).max(22),
  x: z.coerce.number().int().min(0),
  y: z.coerce.number().int().min(0),
}).refine((p) => p.x < 2 ** p.z && p.y < 2 ** p.z, 'x and y must be within the zoom level');

/** Longest explicit time window of the incidents layer (a year of a city is ~10M cases). */
export const MAX_WINDOW_DAYS = 366;
const DAY_MS = 86_400_000;

/**
 * The incidents layer's time window from the query: none = open cases and the last 30 days;
 * `from` (ISO time with offset) with optional `to` (default now) = cases reported in [from, to),
 * at most 366 days; `open=true` adds every case not yet closed. `to` alone is unbounded: refused.
 */
export const windowQuery = z.object({
  from: z.iso.datetime({ offset: true }).transform((s) => new Date(s)).optional(),
  to: z.iso.datetime({ offset: true }).transform((s) => new Date(s)).optional(),
  open: z.enum(['true', 'false']).optional(),
}).superRefine((q, ctx) => {
  // zod runs this even when a field failed its own check (that value is then not a Date): those are reported already.
  if ((q.from !== undefined && !(q.from instanceof Date)) || (q.to !== undefined && !(q.to instanceof Date))) return;
  if (q.to && !q.from) ctx.addIssue({ code: 'custom', path: ['from'], message: 'to needs from (a window is bounded)' });
  if (q.from && q.to && q.to.getTime() <= q.from.getTime()) ctx.addIssue({ code: 'custom', path: ['to'], message: 'to must be after from' });
  const span = (q.to?.getTime() ?? Date.now()) - (q.from?.getTime() ?? 0);
  if (q.from && span > MAX_WINDOW_DAYS * DAY_MS) ctx.addIssue({ code: 'custom', path: ['from'], message: `a window spans at most ${MAX_WINDOW_DAYS} days` });
}).transform((q): TileWindow => (q.from
  ? { since: q.from, until: q.to ?? null, openToo: q.open === 'true' }
  : { ...defaultTileWindow(), openToo: q.open !== 'false' }));

/** A tile layer by name, if the principal may read everything it shows (404 unknown, 403 not allowed). */
function tileLayer(p: Principal, name: string): Result<TileLayer> {
  if (!Object.hasOwn(TILE_LAYERS, name)) return fail('not_found', `unknown tile layer ${name}`);
  const layer = TILE_LAYERS[name]!;
  const denied = layerResources(layer).find((res) => !can(p.role, 'read', res));
  return denied ? fail('forbidden', `role ${p.role} may not read ${denied}`) : ok(layer);
}

export function tileRoutes(db: Db, encoder: TileEncoder, cacheOptions: TileCacheOptions = { maxBytes: 128 * 2 ** 20, versionTtlMs: 1000 }): Router {
  const r = Router();
  const cache = new TileCache(db, cacheOptions);
  r.get('/tiles/:layer.json', guard('read', 'map'), route(async (req) => {
    const name = req.params.layer as string;
    const found = tileLayer(principalOf(req), name);
    if (!found.ok) return found;
    const layer = found.value;
    const d = await getDistrict(db, principalOf(req).scope);
    return ok({
      tilejson: '3.0.0',
      name,
      description: layer.description,
      attribution: '© OpenStreetMap contributors',
      tiles: [`/tiles/${name}/{z}/{x}/{y}.pbf`],
      minzoom: layer.minzoom,
      maxzoom: layer.maxzoom,
      bounds: d?.bbox ?? [-180, -85, 180, 85],
      center: d ? [...d.center, 14] : undefined,
      vector_layers: layer.sources.map((id) => ({ id, fields: {} })),
    });
  }));
  r.get('/tiles/:layer/:z/:x/:y.pbf', guard('read', 'map'), route(async (req, res) => {
    const p = validate(tileParams, req.params);
    if (!p.ok) return p;
    const found = tileLayer(principalOf(req), p.value.layer);
    if (!found.ok) return found;
    const layer = found.value;
    const scope = principalOf(req).scope;
    // Only the case layer reads a window; elsewhere from/to mean nothing and are not looked at.
    let window: TileWindow | undefined;
    if (layer.sources.includes('incidents')) {
      const w = validate(windowQuery, req.query);
      if (!w.ok) return w;
      window = w.value;
    }
    const { bytes: tile, etag } = await cache.tile(encoder, layer.sources, p.value.z, p.value.x, p.value.y,
      { ...mapFilter(scope), departmentId: scope.kind === 'department' ? scope.departmentId : null }, window);
    // Every tile layer is filtered by the caller's jurisdiction (the base map's buildings too), so
    // shared caches must never store them: private; the ETag lets a browser revalidate (304).
    res.setHeader('Cache-Control', layer.maxAge ? `private, max-age=${layer.maxAge}` : 'private, no-cache');
    res.setHeader('Vary', 'Cookie, Authorization');
    if (etag) res.setHeader('ETag', etag);
    if (tile.length === 0) {
      res.status(204).end();
      return undefined;
    }
    res.type('application/vnd.mapbox-vector-tile').send(Buffer.from(tile.buffer, tile.byteOffset, tile.byteLength));
    return undefined;
  }));
  return r;
}

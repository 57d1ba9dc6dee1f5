import { Router } from 'express';
import { z } from 'zod';
import { can } from '../../core/permissions.js';
import { guard, principalOf, type Principal } from '../auth/principal.js';
import { mapFilter } from '../auth/scope.js';
import type { Db } from '../db/db.js';
import { getDistrict } from '../divisions/queries.js';
import { fail, ok, route, type Result } from '../http/errors.js';
import { validate } from '../http/validate.js';
import { renderTile, type TileEncoder } from './encode.js';
import { layerResources, TILE_LAYERS, type TileLayer } from './layers.js';

const tileParams = z.object({
  layer: z.string(),
  z: z.coerce.number().int().min(0).max(22),
  x: z.coerce.number().int().min(0),
  y: z.coerce.number().int().min(0),
}).refine((p) => p.x < 2 ** p.z && p.y < 2 ** p.z, 'x and y must be within the zoom level');

/** A tile layer by name, if the principal may read everything it shows (404 unknown, 403 not allowed). */
function tileLayer(p: Principal, name: string): Result<TileLayer> {
  if (!Object.hasOwn(TILE_LAYERS, name)) return fail('not_found', `unknown tile layer ${name}`);
  const layer = TILE_LAYERS[name]!;
  const denied = layerResources(layer).find((res) => !can(p.role, 'read', res));
  return denied ? fail('forbidden', `role ${p.role} may not read ${denied}`) : ok(layer);
}

export function tileRoutes(db: Db, encoder: TileEncoder): Router {
  const r = Router();
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
    const tile = await renderTile(db, encoder, layer.sources, p.value.z, p.value.x, p.value.y,
      { ...mapFilter(scope), departmentId: scope.kind === 'department' ? scope.departmentId : null });
    // Tiles differ per jurisdiction: caches must not share them between users.
    res.setHeader('Cache-Control', layer.maxAge ? `private, max-age=${layer.maxAge}` : 'no-cache');
    res.setHeader('Vary', 'Cookie, Authorization');
    if (tile.length === 0) {
      res.status(204).end();
      return undefined;
    }
    res.type('application/vnd.mapbox-vector-tile').send(Buffer.from(tile.buffer, tile.byteOffset, tile.byteLength));
    return undefined;
  }));
  return r;
}

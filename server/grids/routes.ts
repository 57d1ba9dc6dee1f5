import { Router } from 'express';
import { z } from 'zod';
import { guard, principalOf } from '../auth/principal.js';
import { mapFilter } from '../auth/scope.js';
import type { Config } from '../config.js';
import type { Db } from '../db/db.js';
import { loadSql } from '../db/sql.js';
import { fail, ok, route } from '../http/errors.js';
import { idParam, validate } from '../http/validate.js';
import { featureCollection, listQuery, type FeatureRow } from '../layers/filters.js';
import { gridSummaryRoutes } from './summary.js';

const SQL = loadSql(new URL('./grids.sql', import.meta.url), ['list', 'one']);
const NO_BBOX = [null, null, null, null];

export function gridRoutes(db: Db, config: Config): Router {
  const r = Router();
  r.use(gridSummaryRoutes(db));
  r.get('/api/grids', guard('read', 'map'), route(async (req, res) => {
    const q = await listQuery(db, req.query, config.maxFeatures, principalOf(req).scope);
    if (!q.ok) return q;
    const { bbox, communities, limit, gridId } = q.value;
    const out = await db.query<FeatureRow>(SQL.list, [...(bbox ?? NO_BBOX), communities, limit, gridId]);
    res.type('application/geo+json');
    return ok(featureCollection(out.rows, limit));
  }));
  r.get('/api/grids/:id', guard('read', 'map'), route(async (req) => {
    const p = validate(idParam, req.params);
    if (!p.ok) return p;
    const f = mapFilter(principalOf(req).scope);
    const row = (await db.query<Record<string, unknown>>(SQL.one, [p.value.id, f.communities, f.gridId])).rows[0];
    // Outside the jurisdiction a grid reads as absent: its existence is not disclosed.
    if (!row) return fail('not_found', `grid ${p.value.id} not found`);
    return ok({
      type: 'Feature', id: row.id, geometry: row.geometry,
      properties: {
        id: row.id, code: row.code, name: row.name, communityCode: row.community_code,
        communityName: row.community_name, households: row.households, residents: row.residents,
        buildings: row.buildings, synthetic: row.synthetic,
      },
    });
  }));
  return r;
}

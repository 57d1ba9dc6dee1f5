import { Router } from 'express';
import { z } from 'zod';
import type { Config } from '../config.js';
import type { Db } from '../db/db.js';
import { loadSql } from '../db/sql.js';
import { fail, ok, route } from '../http/errors.js';
import { listQuery } from '../layers/filters.js';
import { validate } from '../http/validate.js';

const SQL = loadSql(new URL('./grids.sql', import.meta.url), ['list', 'one']);

export function gridRoutes(db: Db, config: Config): Router {
  const r = Router();
  r.get('/api/grids', route(async (req, res) => {
    const q = await listQuery(db, req.query, config.maxFeatures);
    if (!q.ok) return q;
    const { bbox, communities, limit } = q.value;
    const out = await db.query<{ fc: unknown }>(SQL.list, [...(bbox ?? [null, null, null, null]), communities, limit]);
    res.type('application/geo+json');
    return ok(out.rows[0]!.fc);
  }));
  r.get('/api/grids/:id', route(async (req) => {
    const p = validate(z.object({ id: z.coerce.number().int().positive().max(2 ** 31 - 1) }), req.params);
    if (!p.ok) return p;
    const g = await db.query<Record<string, unknown>>(SQL.one, [p.value.id]);
    const row = g.rows[0];
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

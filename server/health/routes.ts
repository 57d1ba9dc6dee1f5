import { Router } from 'express';
import type { Db } from '../db/db.js';
import { ok, route } from '../http/errors.js';

export function healthRoutes(db: Db): Router {
  const r = Router();
  r.get('/api/health', route(async () => {
    const v = await db.query<{ v: string }>('SELECT postgis_lib_version() AS v');
    return ok({ status: 'ok', database: db.kind, postgis: v.rows[0]!.v });
  }));
  return r;
}

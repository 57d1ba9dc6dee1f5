import { Router } from 'express';
import type { Db } from '../db/db.js';
import { fail, ok, route } from '../http/errors.js';
import { recentStorageFailure, STORAGE_RETRY_AFTER_S } from './storage.js';

export function healthRoutes(db: Db): Router {
  const r = Router();
  r.get('/api/health', route(async (req, res) => {
    const v = await db.query<{ v: string }>('SELECT postgis_lib_version() AS v');
    // Reads still work on a full disk; the last write refused for lack of space tells.
    const full = recentStorageFailure(req.app);
    if (full) {
      res.setHeader('Retry-After', String(STORAGE_RETRY_AFTER_S));
      return fail('storage_unavailable',
        `a write failed for lack of space at ${full.at.toISOString()}: free disk space on the database's volume`,
        { database: db.kind, since: full.at.toISOString() });
    }
    return ok({ status: 'ok', database: db.kind, postgis: v.rows[0]!.v });
  }));
  return r;
}

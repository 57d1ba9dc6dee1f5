// GET /api/health: public. Shallow by default (the engine answers; the last write did not fail for
// lack of space). ?deep=1 also reads every table whole and follows its indexes (server/db/
// integrity.ts), answering 503 database_damaged with the damaged tables' names and nothing else.
// A deep check runs at most once at a time and its answer is reused for a minute, so the public
// route cannot be used to keep the database busy.
import { Router } from 'express';
import type { Db } from '../db/db.js';
import { checkIntegrity, type IntegrityReport } from '../db/integrity.js';
import { fail, ok, route } from '../http/errors.js';
import { recentStorageFailure, STORAGE_RETRY_AFTER_S } from './storage.js';

const DEEP_REUSE_MS = 60_000;

export function healthRoutes(db: Db): Router {
  const r = Router();
  let deep: { at: number; report: Promise<IntegrityReport> } | null = null;
  const deepCheck = () => {
    if (!deep || Date.now() - deep.at > DEEP_REUSE_MS) {
      const report = checkIntegrity(db);
      deep = { at: Date.now(), report };
      report.catch(() => { deep = null; });
    }
    return deep.report;
  };

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
    const base = { status: 'ok', database: db.kind, postgis: v.rows[0]!.v };
    if (req.query.deep !== '1' && req.query.deep !== 'true') return ok(base);
    const report = await deepCheck();
    if (!report.ok) {
      const tables = report.damaged.map((d) => d.table);
      return fail('database_damaged', `tables that do not read whole: ${tables.join(', ')} — restore the latest backup (see README "Backups")`,
        { database: db.kind, tables });
    }
    return ok({ ...base, deep: { tables: report.tables.length, rows: report.tables.reduce((n, t) => n + t.rows, 0), amcheck: report.amcheck } });
  }));
  return r;
}

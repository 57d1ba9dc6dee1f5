// GET /api/reports/summary: case statistics inside the caller's jurisdiction, as JSON or CSV.
import { Router } from 'express';
import { z } from 'zod';
import { toCsv } from '../admin/csv.js';
import { audit, guard, principalOf } from '../auth/principal.js';
import type { Db } from '../db/db.js';
import { fail, ok, route } from '../http/errors.js';
import { validate } from '../http/validate.js';
import { scopedDivision } from '../layers/filters.js';
import { CSV_COLUMNS, summary, summaryRows } from './summary.js';

/** A date (Beijing midnight) or a full ISO timestamp. */
const moment = z.union([
  z.iso.date().transform((d) => new Date(`${d}T00:00:00+08:00`)),
  z.iso.datetime({ offset: true }).transform((d) => new Date(d)),
]);
const query = z.object({
  from: moment.optional(),
  to: moment.optional(),
  division: z.string().min(1).max(64).optional(),
  format: z.enum(['json', 'csv']).default('json'),
});

export function reportRoutes(db: Db): Router {
  const r = Router();
  r.get('/api/reports/summary', guard('read', 'report'), route(async (req, res) => {
    const q = validate(query, req.query);
    if (!q.ok) return q;
    const { from, to, division, format } = q.value;
    if (from && to && from >= to) return fail('invalid_request', 'from must be before to');
    const scope = await scopedDivision(db, principalOf(req).scope, division);
    if (!scope.ok) return scope;
    const s = await summary(db, { from: from ?? null, to: to ?? null, communities: scope.value.communities, gridId: scope.value.gridId });
    if (format === 'csv') {
      await audit(db, req, { action: 'export', resource: 'report', detail: { format, division: division ?? null, from: s.period.from, to: s.period.to } });
      res.type('text/csv; charset=utf-8').attachment('case-report.csv').send(toCsv(summaryRows(s), CSV_COLUMNS));
      return undefined;
    }
    return ok({ division: division ?? null, ...s });
  }));
  return r;
}

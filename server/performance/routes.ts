// Performance scores (绩效考核): the monthly ranking of grids, communities, subdistricts or
// departments in the caller's jurisdiction with each score's breakdown, as JSON or CSV, and the
// metric weights an admin edits (validated; normalised to sum to 1; audited).
import { Router } from 'express';
import { z } from 'zod';
import { METRICS, normaliseWeights, UNIT_LEVELS, weightsSchema } from '../../core/scoring.js';
import { toCsv } from '../admin/csv.js';
import { noStore } from '../auth/no-store.js';
import { audit, guard, principalOf } from '../auth/principal.js';
import type { Db } from '../db/db.js';
import { ok, route } from '../http/errors.js';
import { validate } from '../http/validate.js';
import { scopedDivision } from '../layers/filters.js';
import { CSV_COLUMNS, csvRows, currentMonth, loadWeights, ranking, SQL } from './scores.js';

const query = z.object({
  month: z.string().regex(/^(20\d\d)-(0[1-9]|1[0-2])$/, 'month must be YYYY-MM').optional(),
  level: z.enum(UNIT_LEVELS).default('grid'),
  division: z.string().min(1).max(64).optional(),
  format: z.enum(['json', 'csv']).default('json'),
});

export function performanceRoutes(db: Db): Router {
  const r = Router();
  r.use('/api/performance', noStore);

  r.get('/api/performance', guard('read', 'performance'), route(async (req, res) => {
    const q = validate(query, req.query);
    if (!q.ok) return q;
    const scope = await scopedDivision(db, principalOf(req).scope, q.value.division);
    if (!scope.ok) return scope;
    const result = await ranking(db, { month: q.value.month ?? currentMonth(), level: q.value.level, communities: scope.value.communities });
    if (q.value.format === 'csv') {
      await audit(db, req, { action: 'export', resource: 'performance', detail: { month: result.month, level: result.level, division: q.value.division ?? null } });
      res.type('text/csv; charset=utf-8').attachment(`performance-${result.month}-${result.level}.csv`).send(toCsv(csvRows(result), CSV_COLUMNS));
      return undefined;
    }
    return ok({ division: q.value.division ?? null, ...result });
  }));

  r.get('/api/performance/weights', guard('read', 'performance'), route(async () => ok({ weights: await loadWeights(db), metrics: METRICS })));

  r.put('/api/performance/weights', guard('update', 'governance_rule'), route(async (req) => {
    const body = validate(weightsSchema, req.body);
    if (!body.ok) return body;
    const { weights, normalised } = normaliseWeights(body.value);
    const me = principalOf(req);
    const before = await db.transaction(async (tx) => {
      const old = await loadWeights(tx);
      for (const m of METRICS) await tx.query(SQL.setWeight, [m, weights[m], me.name]);
      return old;
    });
    await audit(db, req, { action: 'update', resource: 'score_weight', detail: { before, after: weights, normalised } });
    return ok({ weights, normalised });
  }));
  return r;
}

// The responsibility list (责任清单) as data an admin edits: GET and PUT the whole list. A PUT is
// checked as a whole (core/routing.ts checkRules) and replaces the list in one transaction.
import { Router } from 'express';
import { z } from 'zod';
import { checkRules, type ResponsibilityRule } from '../../core/routing.js';
import { LEVELS, WORKFLOW } from '../../core/workflow.js';
import { audit, guard } from '../auth/principal.js';
import type { Db } from '../db/db.js';
import { fail, ok, route } from '../http/errors.js';
import { validate } from '../http/validate.js';
import { responsibilitySeed } from '../reference/reference.js';
import { loadRules, WF_SQL } from './commands.js';

const ruleSchema = z.object({
  category: z.string().min(1).max(64),
  level: z.enum(LEVELS),
  handler: z.string().min(1).max(64),
  deadlineHours: z.number().positive().max(24 * 365),
  reportHours: z.number().positive().max(24 * 365).nullish(),
});
const putSchema = z.object({ rules: z.array(ruleSchema).min(1).max(2000) });

const levels = () => WORKFLOW.levels.map((l) => ({ code: l.code, name: l.name, handler: l.handler, up: l.up }));

export function responsibilityRoutes(db: Db): Router {
  const r = Router();
  r.get('/api/responsibility', guard('read', 'workflow'), route(async () =>
    ok({ rules: await loadRules(db), levels: levels(), targets: responsibilitySeed().targets })));

  r.put('/api/responsibility', guard('update', 'workflow'), route(async (req) => {
    const input = validate(putSchema, req.body);
    if (!input.ok) return input;
    const rules: ResponsibilityRule[] = input.value.rules.map((x) => ({ ...x, reportHours: x.reportHours ?? null }));
    const [categories, departments] = await Promise.all([
      db.query<{ code: string }>(WF_SQL.categories), db.query<{ code: string }>(WF_SQL.departments)]);
    const problems = checkRules(rules, { categories: categories.rows.map((c) => c.code), departments: departments.rows.map((d) => d.code) });
    if (problems.length) return fail('invalid_request', problems.join('; '), problems);
    await db.transaction(async (tx) => {
      await tx.query(WF_SQL.deleteRules);
      await tx.query(WF_SQL.insertRules, [JSON.stringify(rules)]);
    });
    await audit(db, req, { action: 'update', resource: 'responsibility', detail: { rules: rules.length } });
    return ok({ rules: await loadRules(db), levels: levels(), targets: responsibilitySeed().targets });
  }));
  return r;
}

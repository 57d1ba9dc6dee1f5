// GET /api/party/tree: the Party organisation tree inside the caller's jurisdiction (optionally
// narrowed to a division), for the wall's 挂图作战 panel.
import { Router } from 'express';
import { z } from 'zod';
import { guard, principalOf } from '../auth/principal.js';
import type { Db } from '../db/db.js';
import { ok, route } from '../http/errors.js';
import { validate } from '../http/validate.js';
import { scopedDivision } from '../layers/filters.js';
import { ledgerRoutes } from './ledger-routes.js';
import { partyTree } from './tree.js';

const query = z.object({ division: z.string().min(1).max(64).optional() });

export function partyRoutes(db: Db): Router {
  const r = Router();
  r.get('/api/party/tree', guard('read', 'map'), route(async (req) => {
    const q = validate(query, req.query);
    if (!q.ok) return q;
    const f = await scopedDivision(db, principalOf(req).scope, q.value.division);
    if (!f.ok) return f;
    return ok({ division: q.value.division ?? null, ...(await partyTree(db, { codes: f.value.communities, gridId: f.value.gridId })) });
  }));
  r.use(ledgerRoutes(db)); // 支部台账 and 一格三员 rosters
  return r;
}

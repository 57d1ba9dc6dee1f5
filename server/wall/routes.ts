// The command-centre wall's API (kiosk tokens are scoped like accounts):
//   GET  /api/wall/metrics?division=&grid=&windowDays=  per-grid figures, KPI totals, ranking, sparklines
//   GET  /api/wall/points?from=&to=&division=&limit=    cases reported in [from, to) as compact columns
//   GET  /api/wall/votes?division=&year=                一年一事 results of the communities with projects (public data)
//   POST /api/wall/backfill                             synthetic past cases with their workflow (admin only)
import { Router } from 'express';
import { z } from 'zod';
import { audit, guard, principalOf } from '../auth/principal.js';
import type { Scope } from '../auth/scope.js';
import type { Db } from '../db/db.js';
import { fail, ok, route, type Result } from '../http/errors.js';
import { idValue, validate } from '../http/validate.js';
import { scopedDivision } from '../layers/filters.js';
import { backfill, backfillSchema } from './backfill.js';
import { gridInScope, wallMetrics, wallPoints, type WallFilter } from './metrics.js';
import { wallVotes } from './votes.js';

/** Longest span /api/wall/points serves, and its row limits. */
export const MAX_POINTS_DAYS = 8;
export const DEFAULT_POINTS = 100_000;
export const MAX_POINTS = 200_000;

const metricsQuery = z.object({
  division: z.string().min(1).max(64).optional(),
  grid: idValue.optional(),
  windowDays: z.coerce.number().int().min(1).max(90).default(30),
});
const pointsQuery = z.object({
  from: z.iso.datetime({ offset: true }).transform((s) => new Date(s)),
  to: z.iso.datetime({ offset: true }).transform((s) => new Date(s)).optional(),
  division: z.string().min(1).max(64).optional(),
  limit: z.coerce.number().int().positive().max(MAX_POINTS).default(DEFAULT_POINTS),
});
const votesQuery = z.object({
  division: z.string().min(1).max(64).optional(),
  year: z.coerce.number().int().min(2000).max(2100).optional(),
}).strict();

/** The caller's jurisdiction narrowed to `division`, with the department limit for cases. */
async function wallFilter(db: Db, scope: Scope, division: string | undefined): Promise<Result<WallFilter>> {
  const f = await scopedDivision(db, scope, division);
  if (!f.ok) return f;
  return ok({ codes: f.value.communities, gridId: f.value.gridId, departmentId: scope.kind === 'department' ? scope.departmentId : null });
}

export function wallRoutes(db: Db): Router {
  const r = Router();

  r.get('/api/wall/metrics', guard('read', 'incident'), route(async (req) => {
    const q = validate(metricsQuery, req.query);
    if (!q.ok) return q;
    const f = await wallFilter(db, principalOf(req).scope, q.value.division);
    if (!f.ok) return f;
    let filter = f.value;
    if (q.value.grid !== undefined) {
      // One grid: it must lie in the jurisdiction (outside, it reads as absent).
      if (!(await gridInScope(db, q.value.grid, filter))) return fail('not_found', `grid ${q.value.grid} not found`);
      filter = { ...filter, gridId: q.value.grid };
    }
    const m = await wallMetrics(db, filter, { windowDays: q.value.windowDays });
    return ok({ division: q.value.division ?? null, grid: q.value.grid ?? null, ...m });
  }));

  r.get('/api/wall/points', guard('read', 'incident'), route(async (req) => {
    const q = validate(pointsQuery, req.query);
    if (!q.ok) return q;
    const to = q.value.to ?? new Date(Date.now() + 60_000);
    if (q.value.from >= to) return fail('invalid_request', 'from must be before to');
    if (to.getTime() - q.value.from.getTime() > MAX_POINTS_DAYS * 86_400_000) {
      return fail('invalid_request', `at most ${MAX_POINTS_DAYS} days at a time`);
    }
    const f = await wallFilter(db, principalOf(req).scope, q.value.division);
    if (!f.ok) return f;
    return ok(await wallPoints(db, f.value, q.value.from, to, q.value.limit));
  }));

  // The year's vote results: public data (the public pages show each community's), so any role
  // that may open the wall, cases or not; kept to the jurisdiction like the rest of the wall.
  r.get('/api/wall/votes', guard('read', 'map'), route(async (req, res) => {
    const q = validate(votesQuery, req.query);
    if (!q.ok) return q;
    const f = await scopedDivision(db, principalOf(req).scope, q.value.division);
    if (!f.ok) return f;
    res.setHeader('Cache-Control', 'no-cache');
    return ok(await wallVotes(db, f.value.communities, q.value.year));
  }));

  // Synthetic history for demos and the replay: admin only (the role that edits the workflow's
  // responsibility list), every case stored synthetic, audited.
  r.post('/api/wall/backfill', guard('update', 'workflow'), route(async (req, res) => {
    const input = validate(backfillSchema, req.body);
    if (!input.ok) return input;
    const out = await backfill(db, input.value, principalOf(req).scope);
    await audit(db, req, {
      action: 'backfill', resource: 'incident',
      detail: { created: out.created, replayed: out.replayed, refused: out.refused.length, steps: out.steps, synthetic: true },
    });
    res.status(out.created > 0 ? 201 : 200);
    return ok(out);
  }));
  return r;
}

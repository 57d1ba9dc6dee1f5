// Automatic proposals (issue 11): "Partition this community" and "Rebalance" run the pure engine
// (core/grid-edit/propose.ts, rebalance.ts over core/partition.ts) on the community's boundary and
// buildings from PostGIS. A proposal is not saved: the page shows it and saves it as a draft.
// The engine runs in a worker thread (server/grids/proposal-runner.ts), so a large community does
// not hold up other requests; a time limit, a queue limit and engine errors answer 503/422.
import { Router, type Response } from 'express';
import type { MultiPolygon } from 'geojson';
import { partitionRequestSchema, rebalanceRequestSchema } from '../../core/grid-edit/contract.js';
import type { ValidationBuilding } from '../../core/grid-edit/validate.js';
import { guard, principalOf } from '../auth/principal.js';
import type { Db, Queryable } from '../db/db.js';
import { ok, route, type Result } from '../http/errors.js';
import { validate } from '../http/validate.js';
import { bandOf, communityFor, gridsOut } from './editor.js';
import { PROPOSAL_RETRY_AFTER_S, proposalRunner, type ProposalRunner } from './proposal-runner.js';
import { SQL } from './validation.js';

export async function communityBuildings(db: Queryable, code: string): Promise<ValidationBuilding[]> {
  return (await db.query<{ id: number; geometry: MultiPolygon; name: string | null; households: number; residents: number }>(SQL.buildings, [code])).rows
    .map((b) => ({ id: b.id, name: b.name, geometry: b.geometry, households: b.households, residents: b.residents }));
}

export function proposalRoutes(db: Db, base: string, runner: ProposalRunner = proposalRunner): Router {
  const r = Router();
  const retryLater = (res: Response, out: Result<unknown>) => {
    if (!out.ok && (out.error.code === 'proposal_busy' || out.error.code === 'proposal_timeout')) res.setHeader('Retry-After', String(PROPOSAL_RETRY_AFTER_S));
  };
  r.post(`${base}/communities/:code/partition`, guard('read', 'grid_edit'), route(async (req, res) => {
    const c = await communityFor(db, principalOf(req).scope, String(req.params.code));
    if (!c.ok) return c;
    const body = validate(partitionRequestSchema, req.body ?? {});
    if (!body.ok) return body;
    const band = body.value.band ?? bandOf(c.value);
    const p = await runner.run({
      kind: 'partition',
      input: {
        community: c.value.geometry, grids: body.value.grids, lockedKeys: body.value.lockedKeys,
        buildings: await communityBuildings(db, c.value.code), band, seed: body.value.seed ?? 0,
        namePrefix: `${c.value.name}新网格`,
      },
    });
    retryLater(res, p);
    if (!p.ok) return p;
    return ok({ grids: await gridsOut(db, c.value.code, p.value.grids, band), quality: p.value.quality });
  }));
  r.post(`${base}/communities/:code/rebalance`, guard('read', 'grid_edit'), route(async (req, res) => {
    const c = await communityFor(db, principalOf(req).scope, String(req.params.code));
    if (!c.ok) return c;
    const body = validate(rebalanceRequestSchema, req.body);
    if (!body.ok) return body;
    const band = body.value.band ?? bandOf(c.value);
    const out = await runner.run({
      kind: 'rebalance',
      input: {
        community: c.value.geometry, grids: body.value.grids, buildings: await communityBuildings(db, c.value.code), band,
        lockedKeys: body.value.grids.filter((g) => g.locked).map((g) => g.key),
      },
    });
    retryLater(res, out);
    if (!out.ok) return out;
    return ok({ grids: await gridsOut(db, c.value.code, out.value.grids, band), moves: out.value.moves, quality: out.value.quality, advice: out.value.advice });
  }));
  return r;
}

// Automatic proposals (issue 11): "Partition this community" and "Rebalance" run the pure engine
// (core/grid-edit/propose.ts, rebalance.ts over core/partition.ts) on the community's boundary and
// buildings from PostGIS. A proposal is not saved: the page shows it and saves it as a draft.
// Both are CPU work in this process (seconds for the largest communities; see the benchmark).
import { Router } from 'express';
import type { MultiPolygon } from 'geojson';
import { partitionRequestSchema, rebalanceRequestSchema } from '../../core/grid-edit/contract.js';
import { proposePartition } from '../../core/grid-edit/propose.js';
import { rebalance } from '../../core/grid-edit/rebalance.js';
import type { ValidationBuilding } from '../../core/grid-edit/validate.js';
import { guard, principalOf } from '../auth/principal.js';
import type { Db, Queryable } from '../db/db.js';
import { ok, route } from '../http/errors.js';
import { validate } from '../http/validate.js';
import { bandOf, communityFor, gridsOut } from './editor.js';
import { SQL } from './validation.js';

export async function communityBuildings(db: Queryable, code: string): Promise<ValidationBuilding[]> {
  return (await db.query<{ id: number; geometry: MultiPolygon; name: string | null; households: number; residents: number }>(SQL.buildings, [code])).rows
    .map((b) => ({ id: b.id, name: b.name, geometry: b.geometry, households: b.households, residents: b.residents }));
}

export function proposalRoutes(db: Db, base: string): Router {
  const r = Router();
  r.post(`${base}/communities/:code/partition`, guard('read', 'grid_edit'), route(async (req) => {
    const c = await communityFor(db, principalOf(req).scope, String(req.params.code));
    if (!c.ok) return c;
    const body = validate(partitionRequestSchema, req.body ?? {});
    if (!body.ok) return body;
    const band = body.value.band ?? bandOf(c.value);
    const p = proposePartition({
      community: c.value.geometry, grids: body.value.grids, lockedKeys: body.value.lockedKeys,
      buildings: await communityBuildings(db, c.value.code), band, seed: body.value.seed ?? 0,
      name: (n) => `${c.value.name}新网格${n}`,
    });
    return ok({ grids: await gridsOut(db, c.value.code, p.grids, band), quality: p.quality });
  }));
  r.post(`${base}/communities/:code/rebalance`, guard('read', 'grid_edit'), route(async (req) => {
    const c = await communityFor(db, principalOf(req).scope, String(req.params.code));
    if (!c.ok) return c;
    const body = validate(rebalanceRequestSchema, req.body);
    if (!body.ok) return body;
    const band = body.value.band ?? bandOf(c.value);
    const out = rebalance({
      community: c.value.geometry, grids: body.value.grids, buildings: await communityBuildings(db, c.value.code), band,
      lockedKeys: body.value.grids.filter((g) => g.locked).map((g) => g.key),
    });
    return ok({ grids: await gridsOut(db, c.value.code, out.grids, band), moves: out.moves, quality: out.quality });
  }));
  return r;
}

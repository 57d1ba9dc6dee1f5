// What-if: a class's facilities with some added, moved or removed, and the buildings' minutes that
// follow — nothing is stored. Adding only is incremental: one bounded search from each new facility,
// and min() with the stored minutes of the buildings it reaches. Moving or removing recomputes the
// class in one multi-source pass (a removed facility may have been the nearest of anyone).
import { COVERAGE_MAX_MINUTES, MAX_SNAP_METERS, type BuildingChange, type ClassChanges, type CoverageCell, type WhatIfArea, type WhatIfResult } from '../../core/coverage/contract.js';
import { classCells, classTimes, emptyCell, finish, isCovered, type ClassTimes } from '../../core/coverage/coverage.js';
import { snapLonLat, type Snap } from '../../core/coverage/graph.js';
import { reachedPoints, sourceOf } from '../../core/coverage/search.js';
import { toWgs84 } from '../../core/crs.js';
import type { Queryable } from '../db/db.js';
import { fail, ok, type Result } from '../http/errors.js';
import { SQL, type CoverageEngine } from './engine.js';
import { inScope, type CoverageScope } from './summary.js';

export interface Applied {
  class: string;
  times: ClassTimes;
  facilities: number;
  unreachable: WhatIfResult['unreachable'];
  incremental: boolean;
}

export function knownClass(e: CoverageEngine, code: string): Result<string> {
  return e.facilities.has(code) ? ok(code) : fail('unknown_service_class', `unknown service class ${code}`);
}

/** The class's minutes after the changes (the engine's baseline stays as it was). */
export function applyChanges(e: CoverageEngine, ch: ClassChanges): Result<Applied> {
  const k = knownClass(e, ch.class);
  if (!k.ok) return k;
  const base = e.facilities.get(ch.class)!;
  const baseline = e.times.get(ch.class)!;
  for (const id of [...ch.remove, ...ch.move.map((m) => m.id)]) {
    if (!base.ids.includes(id)) return fail('not_found', `facility ${id} is not a facility of class ${ch.class}`);
  }
  const moved = new Set(ch.move.map((m) => m.id));
  if (moved.size !== ch.move.length || ch.remove.some((id) => moved.has(id))) {
    return fail('invalid_request', 'a facility may be moved once and not both moved and removed');
  }
  const unreachable: Applied['unreachable'] = [];
  const snapOf = (p: { lon: number; lat: number; crs: ClassChanges['add'][number]['crs'] }): Snap | null => {
    const [lon, lat] = toWgs84([p.lon, p.lat], p.crs);
    return snapLonLat(e.graph, lon, lat, MAX_SNAP_METERS);
  };
  const added = ch.add.map((p, index) => {
    const s = snapOf(p);
    if (!s) unreachable.push({ kind: 'add', index });
    return s;
  });
  const cutoff = COVERAGE_MAX_MINUTES * 60 * e.speedMps;
  const count = base.ids.length - ch.remove.length + ch.add.length;
  if (ch.move.length === 0 && ch.remove.length === 0) {
    const minutes = baseline.minutes.slice();
    const nearest = baseline.nearest.slice();
    added.forEach((s, k2) => {
      if (!s) return;
      e.searcher.run([sourceOf(s)], cutoff);
      for (const i of reachedPoints(e.searcher, e.buildings.byEdge)) {
        const d = e.searcher.pointDist(e.buildings.snaps[i]!);
        const m = d / e.speedMps / 60;
        if (m < minutes[i]!) { minutes[i] = m; nearest[i] = base.ids.length + k2; }
      }
    });
    return ok({ class: ch.class, times: { minutes, nearest, unreachable: baseline.unreachable, settled: 0 }, facilities: count, unreachable, incremental: true });
  }
  const removed = new Set(ch.remove);
  const moves = new Map(ch.move.map((m, index) => [m.id, { m, index }]));
  const snaps: (Snap | null)[] = [];
  base.ids.forEach((id, i) => {
    if (removed.has(id)) return;
    const mv = moves.get(id);
    if (mv) {
      const s = snapOf(mv.m);
      if (!s) unreachable.push({ kind: 'move', index: mv.index, id });
      snaps.push(s);
    } else snaps.push(base.snaps[i]!);
  });
  snaps.push(...added);
  const times = classTimes(e.searcher, snaps, e.buildings.byEdge, e.speedMps, COVERAGE_MAX_MINUTES);
  return ok({ class: ch.class, times, facilities: count, unreachable, incremental: false });
}

/** Building indices of the engine inside the scope. */
export function scopeIndices(e: CoverageEngine, s: CoverageScope): number[] {
  const out: number[] = [];
  for (let i = 0; i < e.buildings.id.length; i++) if (inScope(e, s, i)) out.push(i);
  return out;
}

export interface Named { code: string; name: string }

/** Cells of one class per community in scope and for the whole scope, from minutes (TS, same rule as the SQL). */
export function cellsFor(
  e: CoverageEngine, idx: readonly number[], minutes: ArrayLike<number>, limit: number,
): { groups: Map<string, CoverageCell>; total: CoverageCell } {
  const b = idx.map((i) => ({ households: e.buildings.households[i]!, residents: e.buildings.residents[i]! }));
  const m = idx.map((i) => minutes[i]!);
  return classCells(b, (j) => e.buildings.community[idx[j]!] ?? null, m, limit);
}

export async function communitiesOf(db: Queryable, s: CoverageScope): Promise<Named[]> {
  return (await db.query<Named>(SQL.communities, [s.communities, s.gridId])).rows;
}

export async function whatIf(
  db: Queryable, e: CoverageEngine, s: CoverageScope, ch: ClassChanges, limitArg: number | undefined,
): Promise<Result<WhatIfResult>> {
  const t0 = performance.now();
  const a = applyChanges(e, ch);
  if (!a.ok) return a;
  const cls = e.classes.find((c) => c.code === ch.class)!;
  const limit = limitArg ?? cls.walkMinutes;
  const before = e.times.get(ch.class)!.minutes;
  const after = a.value.times.minutes;
  const idx = scopeIndices(e, s);
  const cb = cellsFor(e, idx, before, limit);
  const ca = cellsFor(e, idx, after, limit);
  const empty = () => finish(emptyCell());
  const communities: WhatIfArea[] = (await communitiesOf(db, s)).map((c) => ({
    code: c.code, name: c.name, before: cb.groups.get(c.code) ?? empty(), after: ca.groups.get(c.code) ?? empty(),
  }));
  const changed: BuildingChange[] = [];
  const r = (m: number) => (Number.isFinite(m) ? Math.round(m * 100) / 100 : null);
  for (const i of idx) {
    const x = before[i]!, y = after[i]!;
    if (x === y || Math.abs(x - y) < 1e-9) continue;
    changed.push({ buildingId: e.buildings.id[i]!, before: r(x), after: r(y), coveredBefore: isCovered(x, limit), coveredAfter: isCovered(y, limit) });
  }
  return ok({
    class: ch.class, limitMinutes: limit,
    facilities: { before: e.facilities.get(ch.class)!.ids.length, after: a.value.facilities },
    communities,
    district: { code: s.code, name: s.name, before: cb.total, after: ca.total },
    changed, unreachable: a.value.unreachable, ms: Math.round((performance.now() - t0) * 10) / 10, synthetic: true,
  });
}

// Incident intake: convert the datum, locate to grid/community/subdistrict/district, route by the
// responsibility list, store once per client key (with its first trail entry and reporter, in one
// transaction), then publish a domain event. No HTTP here.
import { createHash } from 'node:crypto';
import { isLonLat, toWgs84 } from '../../core/crs.js';
import type { IncidentCreate } from '../../core/incident-schema.js';
import { initialRouting, type ResponsibilityRule } from '../../core/routing.js';
import { SYSTEM_ACTOR, type Actor, type CaseView } from '../../core/workflow.js';
import type { Db, Queryable } from '../db/db.js';
import { loadSql } from '../db/sql.js';
import type { EventBus } from '../events/bus.js';
import type { Scope } from '../auth/scope.js';
import { fail, ok, type Result } from '../http/errors.js';
import { presentIncident, type IncidentRow } from './presenter.js';

export const SQL = loadSql(new URL('./incidents.sql', import.meta.url),
  ['locate', 'categoryExists', 'byClientKey', 'insert', 'select', 'list', 'insertReporter']);
export const WF_SQL = loadSql(new URL('./workflow.sql', import.meta.url), [
  'now', 'rules', 'deleteRules', 'insertRules', 'categories', 'departments', 'departmentByCode', 'departmentCodeById',
  'lockCases', 'caseById', 'updateCase', 'touch', 'insertEvent', 'trail', 'reporters', 'copyReporters', 'duplicates',
  'pastDeadline',
]);

/** The database's clock (one clock for every actor, whatever the app servers' clocks say). */
export const dbNow = async (db: Queryable): Promise<Date> =>
  new Date((await db.query<{ now: Date }>(WF_SQL.now)).rows[0]!.now);

export const loadRules = async (db: Queryable): Promise<ResponsibilityRule[]> =>
  (await db.query<ResponsibilityRule>(WF_SQL.rules)).rows;

/** Hash of everything but the key: a replayed key must carry the same body. */
export function bodyHash(input: IncidentCreate): string {
  const { clientKey: _k, ...rest } = input;
  const canonical = JSON.stringify(Object.keys(rest).sort().map((k) => [k, (rest as Record<string, unknown>)[k]]));
  return createHash('sha256').update(canonical).digest('hex');
}

export async function selectIncidents(db: Queryable, ids: number[]): Promise<CaseView[]> {
  const r = await db.query<IncidentRow>(SQL.select, [ids]);
  return r.rows.map(presentIncident);
}

export interface CreateOutcome {
  incident: CaseView;
  created: boolean;
}

export interface Located {
  grid_id: number | null; community_code: string | null; subdistrict_code: string | null; district_code: string | null;
  /** The department a case is with (departments see only those). */
  department_id?: number | null;
}

/** Is a located case inside a jurisdiction? */
export function caseInScope(scope: Scope, loc: Located): boolean {
  switch (scope.kind) {
    case 'all': return true;
    case 'department': return loc.department_id != null && loc.department_id === scope.departmentId;
    case 'division': return [loc.community_code, loc.subdistrict_code, loc.district_code].some((c) => c != null && scope.codes.includes(c));
    case 'grid': return loc.grid_id === scope.gridId;
  }
}

async function replay(db: Queryable, key: string, hash: string, scope: Scope): Promise<Result<CreateOutcome> | null> {
  const prior = await db.query<Located & { id: number; body_hash: string }>(SQL.byClientKey, [key]);
  const row = prior.rows[0];
  if (!row) return null;
  // A key used by someone else, or for another body, is a conflict; the case is not disclosed.
  if (row.body_hash !== hash || !caseInScope(scope, row)) {
    return fail('client_key_conflict', 'this clientKey was already used for a different report');
  }
  const [incident] = await selectIncidents(db, [row.id]);
  return ok({ incident: incident!, created: false });
}

/**
 * Store a new case: located, routed to the first level of the responsibility ladder with its
 * deadline, its reporter and first trail entry written in the same transaction. `now` is for
 * tests and imports (default: the database's clock).
 */
export async function createIncident(db: Db, bus: EventBus, input: IncidentCreate, scope: Scope,
  actor: Actor = SYSTEM_ACTOR, now?: Date): Promise<Result<CreateOutcome>> {
  const hash = bodyHash(input);
  const again = await replay(db, input.clientKey, hash, scope);
  if (again) return again;

  if (!isLonLat([input.lon, input.lat])) {
    return fail('invalid_crs', 'lon/lat must be degrees (WGS84, CGCS2000, GCJ-02 or BD-09), not projected metres');
  }
  const [lon, lat] = toWgs84([input.lon, input.lat], input.crs);
  if ((await db.query(SQL.categoryExists, [input.category])).rows.length === 0) {
    return fail('unknown_category', `unknown category ${input.category}`);
  }
  const loc = (await db.query<Located>(SQL.locate, [lon, lat])).rows[0]!;
  if (!loc.district_code) {
    return fail('outside_district', 'the location is outside the district', { lon, lat });
  }
  if (!caseInScope(scope, loc)) {
    return fail('forbidden', 'the location is outside your jurisdiction', { lon, lat });
  }
  const id = await db.transaction(async (tx) => {
    const at = now ?? await dbNow(tx);
    const routed = initialRouting(input.category,
      { gridId: loc.grid_id, communityCode: loc.community_code, subdistrictCode: loc.subdistrict_code }, await loadRules(tx), at);
    const inserted = await tx.query<{ id: number }>(SQL.insert, [
      input.clientKey, hash, input.category, input.description, input.source, lon, lat, input.crs,
      loc.grid_id, loc.community_code, loc.subdistrict_code, loc.district_code, input.synthetic,
      routed.level, routed.handler, routed.deadlineAt, actor.kind, actor.id, actor.label, at,
    ]);
    const newId = inserted.rows[0]?.id;
    if (newId === undefined) return undefined;
    await tx.query(SQL.insertReporter, [newId, input.source, input.clientKey, at, actor.kind, actor.id, actor.label]);
    await tx.query(WF_SQL.insertEvent, [
      newId, 'report', null, 'reported', null, routed.level, null, null, null, actor.kind, actor.id, actor.label, actor.role,
      at, null, '[]', JSON.stringify({ source: input.source, handler: routed.handler, deadlineAt: routed.deadlineAt?.toISOString() ?? null }),
    ]);
    return newId;
  });
  if (id === undefined) {
    // Lost a race with a concurrent request carrying the same key.
    return (await replay(db, input.clientKey, hash, scope))!;
  }
  const [incident] = await selectIncidents(db, [id]);
  bus.publish('incident.created', { incident: incident! });
  return ok({ incident: incident!, created: true });
}

export interface ListFilter {
  since?: string;
  states?: string[];
  overdue?: boolean;
  level?: string;
}

export async function listIncidents(db: Queryable, f: ListFilter, filter: { communities: string[] | null; gridId: number | null },
  limit: number, scope: Scope): Promise<CaseView[]> {
  const r = await db.query<IncidentRow>(SQL.list, [
    f.since ?? null, filter.communities, limit, filter.gridId, scope.kind === 'department' ? scope.departmentId : null,
    f.states ?? null, f.overdue ?? null, f.level ?? null,
  ]);
  return r.rows.map(presentIncident);
}

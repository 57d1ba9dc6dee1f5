// Incident intake: convert the datum, locate to grid/community/subdistrict/district, store once
// per client key, then publish a domain event. No HTTP here.
import { createHash } from 'node:crypto';
import { isLonLat, toWgs84 } from '../../core/crs.js';
import type { IncidentCreate } from '../../core/incident-schema.js';
import type { Incident } from '../../core/types.js';
import type { Db, Queryable } from '../db/db.js';
import { loadSql } from '../db/sql.js';
import type { EventBus } from '../events/bus.js';
import type { Scope } from '../auth/scope.js';
import { fail, ok, type Result } from '../http/errors.js';
import { presentIncident, type IncidentRow } from './presenter.js';

export const SQL = loadSql(new URL('./incidents.sql', import.meta.url),
  ['locate', 'categoryExists', 'byClientKey', 'insert', 'select', 'list']);

/** Hash of everything but the key: a replayed key must carry the same body. */
export function bodyHash(input: IncidentCreate): string {
  const { clientKey: _k, ...rest } = input;
  const canonical = JSON.stringify(Object.keys(rest).sort().map((k) => [k, (rest as Record<string, unknown>)[k]]));
  return createHash('sha256').update(canonical).digest('hex');
}

export async function selectIncidents(db: Queryable, ids: number[]): Promise<Incident[]> {
  const r = await db.query<IncidentRow>(SQL.select, [ids]);
  return r.rows.map(presentIncident);
}

export interface CreateOutcome {
  incident: Incident;
  created: boolean;
}

interface Located {
  grid_id: number | null; community_code: string | null; subdistrict_code: string | null; district_code: string | null;
}

/** Is a located case inside a jurisdiction? */
export function caseInScope(scope: Scope, loc: Located): boolean {
  switch (scope.kind) {
    case 'all': return true;
    case 'department': return false;
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

export async function createIncident(db: Db, bus: EventBus, input: IncidentCreate, scope: Scope): Promise<Result<CreateOutcome>> {
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
  const inserted = await db.query<{ id: number }>(SQL.insert, [
    input.clientKey, hash, input.category, input.description, input.source, lon, lat, input.crs,
    loc.grid_id, loc.community_code, loc.subdistrict_code, loc.district_code, input.synthetic,
  ]);
  const id = inserted.rows[0]?.id;
  if (id === undefined) {
    // Lost a race with a concurrent request carrying the same key.
    return (await replay(db, input.clientKey, hash, scope))!;
  }
  const [incident] = await selectIncidents(db, [id]);
  bus.publish('incident.created', { incident: incident! });
  return ok({ incident: incident!, created: true });
}

export async function listIncidents(db: Queryable, since: string | undefined, filter: { communities: string[] | null; gridId: number | null },
  limit: number, scope: Scope) {
  const r = await db.query<IncidentRow>(SQL.list, [since ?? null, filter.communities, limit, filter.gridId, scope.kind !== 'department']);
  return r.rows.map(presentIncident);
}

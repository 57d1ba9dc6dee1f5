// Incident intake: convert the datum, locate to grid/community/subdistrict/district, route by the
// responsibility list, store once per client key (with its first trail entry, reporter, caller and
// photos, in one transaction), then publish a domain event. One report or a batch take the same
// path: a fixed handful of statements per batch, whatever its size (plus a gazetteer lookup per
// address-only report). Hotline reports that cannot be located (outside the district, or an
// address the gazetteer cannot place) go to the district desk flagged unlocated; anything else
// outside the district, or not placeable, is refused. No HTTP here.
import { createHash } from 'node:crypto';
import { isLonLat, toWgs84 } from '../../core/crs.js';
import { isHotline, type IncidentCreate } from '../../core/incident-schema.js';
import { initialRouting, type ResponsibilityRule } from '../../core/routing.js';
import { SYSTEM_ACTOR, type Actor } from '../../core/workflow.js';
import type { Scope } from '../auth/scope.js';
import type { Db, Queryable } from '../db/db.js';
import { loadSql } from '../db/sql.js';
import type { EventBus } from '../events/bus.js';
import { fail, ok, type Result, type UserError } from '../http/errors.js';
import type { GeocodeCandidate } from '../../core/geocode.js';
import { geocode } from '../geocode/geocode.js';
import { accessiblePhotos, photoUrl, SQL as PHOTO_SQL } from '../photos/access.js';
import { caseInScope, caseLocation, type Located } from './jurisdiction.js';
import { presentIncident, type IncidentRow, type IncidentView } from './presenter.js';

export { caseInScope, caseLocation, type Located } from './jurisdiction.js';

export const SQL = loadSql(new URL('./incidents.sql', import.meta.url), [
  'locateMany', 'deskDistrict', 'knownCategories', 'byClientKeys', 'insertMany', 'insertContacts', 'contacts', 'select', 'list',
]);
export const WF_SQL = loadSql(new URL('./workflow.sql', import.meta.url), [
  'now', 'rules', 'deleteRules', 'insertRules', 'categories', 'departments', 'departmentByCode', 'departmentCodeById',
  'lockCases', 'caseById', 'updateCase', 'touch', 'insertEvent', 'trail', 'reporters', 'copyReporters', 'duplicates',
  'pastDeadline', 'locateCase', 'assignGrid', 'gridPoint',
]);

/** The database's clock (one clock for every actor, whatever the app servers' clocks say). */
export const dbNow = async (db: Queryable): Promise<Date> =>
  new Date((await db.query<{ now: Date }>(WF_SQL.now)).rows[0]!.now);

export const loadRules = async (db: Queryable): Promise<ResponsibilityRule[]> =>
  (await db.query<ResponsibilityRule>(WF_SQL.rules)).rows;

/** Hash of everything but the key: a replayed key must carry the same body. */
export function bodyHash(input: IncidentCreate): string {
  const { clientKey: _k, ...rest } = input;
  const fields = rest as Record<string, unknown>;
  const canonical = JSON.stringify(Object.keys(fields).filter((k) => fields[k] !== undefined).sort().map((k) => [k, fields[k]]));
  return createHash('sha256').update(canonical).digest('hex');
}

export async function selectIncidents(db: Queryable, ids: number[]): Promise<IncidentView[]> {
  const r = await db.query<IncidentRow>(SQL.select, [ids]);
  return r.rows.map(presentIncident);
}

export interface CreateOutcome {
  incident: IncidentView;
  created: boolean;
}

interface Prior extends Located {
  id: number; client_key: string; body_hash: string; reported_by_kind: string | null; reported_by_id: number | null;
}

/**
 * A stored key: the same case again, or a conflict. A key used by someone who cannot see the case
 * (unless they reported it: an unlocated hotline case is not in its operator's jurisdiction), or
 * for another body, is a conflict; the case is not disclosed.
 */
function replayOf(row: Prior, hash: string, scope: Scope, actor: Actor): Result<number> {
  const reporter = actor.kind !== 'system' && row.reported_by_kind === actor.kind && row.reported_by_id === actor.id;
  if (row.body_hash !== hash || !(caseInScope(scope, row) || reporter)) {
    return fail('client_key_conflict', 'this clientKey was already used for a different report');
  }
  return ok(row.id);
}

/** The divisions whose district's desk takes the operator's unlocated cases (null = any). */
function deskCodes(scope: Scope): string[] | null {
  switch (scope.kind) {
    case 'all': case 'department': return null;
    case 'division': return [...scope.codes, ...scope.ancestors];
    case 'grid': return [scope.communityCode, ...scope.ancestors];
  }
}

/** A report that passed every check and is about to be stored. */
interface NewCase {
  i: number;
  input: IncidentCreate;
  hash: string;
  lon: number | null;
  lat: number | null;
  loc: Located;
  gridName: string | null;
  unlocated: boolean;
  /** Where the gazetteer placed an address-only report (then lon/lat are its point, WGS84). */
  geocoded: GeocodeCandidate | null;
}

type Slot =
  | { kind: 'error'; error: UserError }
  | { kind: 'replay'; id: number }
  /** The same key and body earlier in the batch. */
  | { kind: 'same'; of: number }
  | { kind: 'new' };

/** A gazetteer point is WGS84 whatever datum the caller named. */
const inputCrs = (c: NewCase) => (c.geocoded ? 'wgs84' as const : c.input.crs);
/** The state insertMany gives a new case (the column's default and its report event's to_state). */
const INITIAL_STATE = 'reported';
const NOWHERE: Located = { grid_id: null, community_code: null, subdistrict_code: null, district_code: null };
const refuse = (r: { ok: false; error: UserError }): Slot => ({ kind: 'error', error: r.error });

/**
 * Store reports, each located, routed to the first level of the responsibility ladder with its
 * deadline, its reporter, caller, photos and first trail entry written in one transaction for the
 * whole batch; then publish each new case. One result per input, in order: a refused report
 * (stable code, nothing stored for it) does not stop the others. `now` is for tests and imports
 * (default: the database's clock).
 */
export async function createIncidents(db: Db, bus: EventBus, inputs: IncidentCreate[], scope: Scope,
  actor: Actor = SYSTEM_ACTOR, now?: Date): Promise<Result<CreateOutcome>[]> {
  const hashes = inputs.map(bodyHash);
  const slots: Slot[] = [];
  const prior = new Map((await db.query<Prior>(SQL.byClientKeys, [[...new Set(inputs.map((x) => x.clientKey))]])).rows
    .map((r) => [r.client_key, r]));
  const first = new Map<string, number>();
  const candidates: NewCase[] = [];
  for (const [i, input] of inputs.entries()) {
    const stored = prior.get(input.clientKey);
    const earlier = first.get(input.clientKey);
    if (stored) {
      const r = replayOf(stored, hashes[i]!, scope, actor);
      slots.push(r.ok ? { kind: 'replay', id: r.value } : refuse(r));
    } else if (earlier !== undefined) {
      slots.push(hashes[earlier] === hashes[i] ? { kind: 'same', of: earlier }
        : refuse(fail('client_key_conflict', 'this clientKey was already used for a different report')));
    } else {
      first.set(input.clientKey, i);
      if (input.lon !== undefined && input.lat !== undefined && !isLonLat([input.lon, input.lat])) {
        slots.push(refuse(fail('invalid_crs', 'lon/lat must be degrees (WGS84, CGCS2000, GCJ-02 or BD-09), not projected metres')));
        continue;
      }
      const [lon, lat] = input.lon !== undefined && input.lat !== undefined ? toWgs84([input.lon, input.lat], input.crs) : [null, null];
      slots.push({ kind: 'new' });
      candidates.push({ i, input, hash: hashes[i]!, lon, lat, loc: NOWHERE, gridName: null, unlocated: false, geocoded: null });
    }
  }

  // Checks that need the database, each one statement for the whole batch.
  const known = new Set((await db.query<{ code: string }>(SQL.knownCategories, [[...new Set(candidates.map((c) => c.input.category))]]))
    .rows.map((r) => r.code));
  // An address without a point: the district's gazetteer places it when one place is certain.
  for (const c of candidates) {
    if (c.lon !== null || !c.input.address || !known.has(c.input.category)) continue;
    const g = (await geocode(db, c.input.address)).certain;
    if (g) Object.assign(c, { lon: g.lon, lat: g.lat, geocoded: g });
  }
  const points = candidates.filter((c) => c.lon !== null);
  const located = points.length === 0 ? [] : (await db.query<Located & { i: number; grid_name: string | null }>(SQL.locateMany,
    [JSON.stringify(points.map((c) => ({ i: c.i, lon: c.lon, lat: c.lat })))])).rows;
  const locOf = new Map(located.map((l) => [l.i, l]));
  const photoIds = [...new Set(candidates.flatMap((c) => c.input.photos ?? []))];
  const photos = await accessiblePhotos(db, photoIds, actor, scope);
  let desk: string | null | undefined;
  const accepted: NewCase[] = [];
  for (const c of candidates) {
    const lonLat = { lon: c.lon, lat: c.lat };
    if (!known.has(c.input.category)) {
      slots[c.i] = refuse(fail('unknown_category', `unknown category ${c.input.category}`));
      continue;
    }
    const loc = locOf.get(c.i);
    if (loc?.district_code) {
      if (!caseInScope(scope, loc)) {
        slots[c.i] = refuse(fail('forbidden', 'the location is outside your jurisdiction', lonLat));
        continue;
      }
      const { i: _i, grid_name, ...located } = loc;
      c.loc = located;
      c.gridName = grid_name;
    } else if (isHotline(c.input.source)) {
      // Never dropped: the district desk takes it, flagged, to be located by hand.
      desk ??= (await db.query<{ code: string }>(SQL.deskDistrict, [deskCodes(scope)])).rows[0]?.code ?? null;
      if (!desk) {
        slots[c.i] = refuse(fail('outside_district', 'no district desk to take an unlocated report', lonLat));
        continue;
      }
      c.loc = { ...NOWHERE, district_code: desk };
      c.unlocated = true;
    } else if (c.lon === null) {
      slots[c.i] = refuse(fail('address_not_found', 'the address could not be placed with certainty in the district; give lon/lat (GET /api/geocode lists candidates)',
        { address: c.input.address }));
      continue;
    } else {
      slots[c.i] = refuse(fail('outside_district', 'the location is outside the district', lonLat));
      continue;
    }
    const missing = (c.input.photos ?? []).filter((id) => !photos.has(id));
    if (missing.length) {
      slots[c.i] = refuse(fail('invalid_request', `photo ${missing.join(', ')} not found (upload with POST /api/photos first)`, { photos: missing }));
      continue;
    }
    accepted.push(c);
  }

  const ids = new Map<number, number>(); // input index → new case id
  const fresh = new Map<number, IncidentView>(); // new case id → its view, from what was written
  if (accepted.length) {
    await db.transaction(async (tx) => {
      const at = now ?? await dbNow(tx);
      const rules = await loadRules(tx);
      const routes = new Map<number, ReturnType<typeof initialRouting>>();
      const rows = accepted.map((c) => {
        const routed = initialRouting(c.input.category, caseLocation(c.loc), rules, at);
        routes.set(c.i, routed);
        const deadlineAt = routed.deadlineAt?.toISOString() ?? null;
        return {
          i: c.i, client_key: c.input.clientKey, body_hash: c.hash, category: c.input.category, description: c.input.description,
          source: c.input.source, lon: c.lon, lat: c.lat, input_crs: inputCrs(c), ...c.loc, synthetic: c.input.synthetic,
          level: routed.level, handler: routed.handler, deadline_at: deadlineAt,
          unlocated: c.unlocated, address: c.input.address ?? null, media_url: c.input.mediaUrl ?? null,
          photos: (c.input.photos ?? []).map(photoUrl),
          detail: {
            source: c.input.source, handler: routed.handler, deadlineAt, ...(c.unlocated ? { unlocated: true } : {}),
            ...(c.geocoded ? { geocoded: { precision: c.geocoded.precision, matched: c.geocoded.label, kind: c.geocoded.kind, score: c.geocoded.score } } : {}),
          },
        };
      });
      const inserted = (await tx.query<{ id: number; client_key: string; event_id: string; updated_at: Date }>(SQL.insertMany,
        [JSON.stringify(rows), actor.kind, actor.id, actor.label, actor.role, at])).rows;
      const byKey = new Map(inserted.map((r) => [r.client_key, r]));
      const stored = accepted.filter((c) => byKey.has(c.input.clientKey));
      for (const c of stored) {
        const row = byKey.get(c.input.clientKey)!;
        ids.set(c.i, row.id);
        fresh.set(row.id, newCaseView(c, routes.get(c.i)!, row.id, at, row.updated_at));
      }
      const idOf = (c: NewCase) => ids.get(c.i)!;
      const contacts = stored.filter((c) => c.input.caller).map((c) => ({
        incident_id: idOf(c), name: c.input.caller!.name ?? null, phone: c.input.caller!.phone ?? null, email: c.input.caller!.email ?? null,
        device_id: c.input.caller!.deviceId ?? null, account_id: c.input.caller!.accountId ?? null,
      }));
      if (contacts.length) await tx.query(SQL.insertContacts, [JSON.stringify(contacts)]);
      const links = stored.flatMap((c) => [...new Set(c.input.photos ?? [])].map((photo_id) => ({
        incident_id: idOf(c), photo_id, event_id: byKey.get(c.input.clientKey)!.event_id,
      })));
      if (links.length) await tx.query(PHOTO_SQL.link, [JSON.stringify(links), at]);
    });
  }

  // Keys a concurrent request stored first: replay them now.
  const lost = accepted.filter((c) => !ids.has(c.i));
  if (lost.length) {
    const again = new Map((await db.query<Prior>(SQL.byClientKeys, [lost.map((c) => c.input.clientKey)])).rows.map((r) => [r.client_key, r]));
    for (const c of lost) {
      const r = replayOf(again.get(c.input.clientKey)!, c.hash, scope, actor);
      slots[c.i] = r.ok ? { kind: 'replay', id: r.value } : refuse(r);
    }
  }

  const idAt = (i: number): number | undefined => {
    const s = slots[i]!;
    return s.kind === 'replay' ? s.id : s.kind === 'new' ? ids.get(i) : undefined;
  };
  // New cases are shown from what was written (no read back); replayed ones are read.
  const wanted = slots.map((s, i) => idAt(s.kind === 'same' ? s.of : i)).filter((id): id is number => id !== undefined && !fresh.has(id));
  const views = new Map(wanted.length ? (await selectIncidents(db, [...new Set(wanted)])).map((v) => [v.id, v]) : []);
  for (const [id, v] of fresh) views.set(id, v);
  for (const [i, s] of slots.entries()) if (s.kind === 'new') bus.publish('incident.created', { incident: views.get(ids.get(i)!)! });
  return slots.map((s, i): Result<CreateOutcome> => {
    const at = s.kind === 'same' ? s.of : i;
    const target = slots[at]!;
    if (target.kind === 'error') return { ok: false, error: target.error };
    return ok({ incident: views.get(idAt(at)!)!, created: s.kind === 'new' });
  });
}

/**
 * A new case's view from what insertMany wrote: the same as selectIncidents would read (a test
 * holds them equal), without reading a batch back.
 */
function newCaseView(c: NewCase, routed: ReturnType<typeof initialRouting>, id: number, at: Date, updatedAt: Date): IncidentView {
  return presentIncident({
    id, client_key: c.input.clientKey, category: c.input.category, description: c.input.description, source: c.input.source,
    status: INITIAL_STATE, lon: c.lon, lat: c.lat, input_crs: inputCrs(c), grid_id: c.loc.grid_id, grid_name: c.gridName,
    community_code: c.loc.community_code, subdistrict_code: c.loc.subdistrict_code, district_code: c.loc.district_code,
    synthetic: c.input.synthetic, created_at: at, updated_at: updatedAt,
    level: routed.level, handler: routed.handler, department_code: null, department_name: null,
    deadline_at: routed.deadlineAt ?? null, overdue: false, escalations: 0, resolved_by_label: null, resolved_at: null,
    verified_by_label: null, verified_at: null, closed_at: null, rating: null, merged_into: null, reporters: 1,
    unlocated: c.unlocated, address: c.input.address ?? null, media_url: c.input.mediaUrl ?? null,
  });
}

/** Store one report (createIncidents with one input). */
export async function createIncident(db: Db, bus: EventBus, input: IncidentCreate, scope: Scope,
  actor: Actor = SYSTEM_ACTOR, now?: Date): Promise<Result<CreateOutcome>> {
  return (await createIncidents(db, bus, [input], scope, actor, now))[0]!;
}

export interface ListFilter {
  since?: string;
  states?: string[];
  overdue?: boolean;
  level?: string;
}

export async function listIncidents(db: Queryable, f: ListFilter, filter: { communities: string[] | null; gridId: number | null },
  limit: number, scope: Scope): Promise<IncidentView[]> {
  const r = await db.query<IncidentRow>(SQL.list, [
    f.since ?? null, filter.communities, limit, filter.gridId, scope.kind === 'department' ? scope.departmentId : null,
    f.states ?? null, f.overdue ?? null, f.level ?? null,
  ]);
  return r.rows.map(presentIncident);
}

// Workflow actions on stored cases: lock the case, let core/workflow.ts decide, write the next
// state and its trail entry in one transaction, then publish. Also merging, the readable trail and
// duplicate candidates. No HTTP here.
import type { CaseDetail, Reporter } from '../../core/contract.js';
import { isLonLat, parseCrs, toWgs84 } from '../../core/crs.js';
import {
  actionName, actionsFor, applyTransition, check, contextOf, statesOfType, transitionDef,
  type ActionInput, type Actor, type CaseLocation,
} from '../../core/workflow.js';
import type { Principal } from '../auth/principal.js';
import type { Scope } from '../auth/scope.js';
import type { Db, Queryable } from '../db/db.js';
import type { EventBus, IncidentPlace } from '../events/bus.js';
import { fail, ok, type Result } from '../http/errors.js';
import { accessiblePhotos, photoUrl, SQL as PHOTO_SQL } from '../photos/access.js';
import { caseInScope, caseLocation, dbNow, loadRules, selectIncidents, SQL, WF_SQL } from './commands.js';
import type { Located } from './jurisdiction.js';
import { caseParams, eventParams, presentEvent, toCaseState, type CaseRow, type EventRow, type IncidentView } from './presenter.js';

/** The acting principal as the workflow sees it (a department account knows its department code). */
export async function actorOf(db: Queryable, p: Principal): Promise<Actor> {
  const depId = p.binding.department_id;
  const departmentCode = depId == null ? null
    : (await db.query<{ code: string }>(WF_SQL.departmentCodeById, [depId])).rows[0]?.code ?? null;
  return { kind: p.kind, id: p.id, label: p.displayName, role: p.role, departmentCode };
}

export interface Who {
  actor: Actor;
  scope: Scope;
}

export interface ActionRequest extends Omit<ActionInput, 'photos' | 'location'> {
  action: string;
  /** Uploaded photos by id (or their /api/photos/:id URL), or free-form references kept as given. */
  photos?: (number | string)[];
  /** Locate (定位落图): a point in `crs` (default WGS84; CGCS2000, GCJ-02, BD-09 converted) … */
  lon?: number;
  lat?: number;
  crs?: string;
  /** … or a grid. */
  gridId?: number;
}

/** Where a locate action puts a case: the divisions, the WGS84 point, and what was given. */
interface Placed {
  loc: Located;
  lon: number;
  lat: number;
  detail: Record<string, unknown>;
}

/**
 * Locate a point (or a grid's inner point) with intake's query (incidents.sql locateMany). Refused
 * with invalid_request (nothing or both given), invalid_crs (unknown datum, projected metres),
 * not_found (a grid that does not exist or is outside the jurisdiction), outside_district (no
 * district there), forbidden (another district than the case's desk, or outside the jurisdiction).
 */
async function place(db: Queryable, req: ActionRequest, scope: Scope, districtCode: string | null): Promise<Result<Placed>> {
  const hasPoint = req.lon !== undefined || req.lat !== undefined;
  if (hasPoint === (req.gridId !== undefined)) return fail('invalid_request', 'give a point (lon, lat) or a gridId');
  let lon: number;
  let lat: number;
  let detail: Record<string, unknown>;
  if (hasPoint) {
    if (req.lon === undefined || req.lat === undefined) return fail('invalid_request', 'lon and lat go together');
    const crs = parseCrs(req.crs);
    if (!crs) return fail('invalid_crs', `unknown crs ${req.crs}: use wgs84, cgcs2000, gcj02 or bd09`);
    if (!isLonLat([req.lon, req.lat])) return fail('invalid_crs', 'lon/lat must be degrees (WGS84, CGCS2000, GCJ-02 or BD-09), not projected metres');
    [lon, lat] = toWgs84([req.lon, req.lat], crs);
    detail = { point: { lon: req.lon, lat: req.lat, crs } };
  } else {
    const p = (await db.query<{ lon: number; lat: number }>(WF_SQL.gridPoint, [req.gridId])).rows[0];
    if (!p) return fail('not_found', `grid ${req.gridId} not found`);
    [lon, lat] = [p.lon, p.lat];
    detail = { grid: req.gridId };
  }
  const found = (await db.query<Located & { i: number }>(SQL.locateMany, [JSON.stringify([{ i: 0, lon, lat }])])).rows[0];
  const { i: _i, ...loc } = found ?? { i: 0, grid_id: null, community_code: null, subdistrict_code: null, district_code: null };
  if (req.gridId !== undefined && (loc.grid_id !== req.gridId || !caseInScope(scope, loc))) return fail('not_found', `grid ${req.gridId} not found`);
  if (!loc.district_code) return fail('outside_district', 'the point is outside the district', { lon, lat });
  if (loc.district_code !== districtCode || !caseInScope(scope, loc)) {
    return fail('forbidden', 'the location is outside your jurisdiction (another district)', { lon, lat });
  }
  return ok({ loc, lon, lat, detail });
}

const OPEN_STATES = statesOfType(['open']);
const PHOTO_URL = /^\/api\/photos\/(\d{1,10})$/;

/** Uploaded photos referenced by an action, and the trail's list (uploads as their URL). */
function photoRefs(photos: (number | string)[] = []): { ids: number[]; trail: string[] } {
  const ids: number[] = [];
  const trail = photos.map((p) => {
    const id = typeof p === 'number' ? p : Number(PHOTO_URL.exec(p)?.[1] ?? NaN);
    if (!Number.isInteger(id)) return p as string;
    ids.push(id);
    return photoUrl(id);
  });
  return { ids: [...new Set(ids)], trail };
}

/**
 * Take one workflow action on case `id`. Refusals (404 outside the jurisdiction, 409 not in this
 * state, 403 not for this actor, 400 missing input) change nothing. `now` is for tests (default:
 * the database's clock). Returns the case and, after a merge, the case it was merged into.
 */
export async function act(db: Db, bus: EventBus, id: number, who: Who, req: ActionRequest, now?: Date): Promise<Result<{ incident: IncidentView; into?: IncidentView }>> {
  let before: IncidentPlace | undefined;
  const out = await db.transaction(async (tx): Promise<Result<number[]>> => {
    const ids = req.action === 'merge' && req.into !== undefined && req.into !== id ? [id, req.into] : [id];
    const rows = (await tx.query<CaseRow>(WF_SQL.lockCases, [ids])).rows;
    const row = rows.find((r) => r.id === id);
    if (!row || !caseInScope(who.scope, row)) return fail('not_found', `incident ${id} not found`);
    const at = now ?? await dbNow(tx);
    const photos = photoRefs(req.photos);
    // 定位落图 puts the case at a point or grid; 派单 to the grid level may name the grid
    // (派往指定网格). Either way: may the actor take the action at all? Then where is it?
    let placed: Placed | undefined;
    let location: CaseLocation | undefined;
    const level = transitionDef(req.action)?.level;
    const choosesGrid = level === 'input' && req.gridId !== undefined;
    if (level === 'location' || choosesGrid) {
      const allowed = check(row.status, req.action, who.actor.role, contextOf(toCaseState(row), who.actor));
      if (!allowed.ok) return fail(allowed.code, allowed.message);
    }
    if (level === 'location') {
      const p = await place(tx, req, who.scope, row.district_code);
      if (!p.ok) return p;
      placed = p.value;
      location = caseLocation(placed.loc);
    } else if (choosesGrid) {
      // The grid must be in the actor's jurisdiction and the case's subdistrict (another
      // subdistrict's grid is reached by going up, not sideways).
      const p = await place(tx, { action: req.action, gridId: req.gridId }, who.scope, row.district_code);
      if (!p.ok) return p.error.code === 'forbidden' ? fail('not_found', `grid ${req.gridId} not found`) : p;
      if (p.value.loc.subdistrict_code !== row.subdistrict_code) {
        return fail('invalid_request', `grid ${req.gridId} is in another subdistrict than the case`);
      }
      location = caseLocation(p.value.loc);
    }
    // Other actions ignore a point or grid sent along (as they ignore a rating they do not need).
    const { lon: _lon, lat: _lat, crs: _crs, gridId: _grid, ...input } = req;
    const applied = applyTransition(toCaseState(row), req.action, who.actor, { ...input, photos: photos.trail, location }, at, await loadRules(tx));
    if (!applied.ok) return fail(applied.code, applied.message);
    const { next, event } = applied.value;
    if (placed) event.detail = { ...event.detail, ...placed.detail, lon: placed.lon, lat: placed.lat, districtCode: placed.loc.district_code };
    const usable = await accessiblePhotos(tx, photos.ids, who.actor, who.scope);
    const missing = photos.ids.filter((p) => !usable.has(p));
    if (missing.length) return fail('invalid_request', `photo ${missing.join(', ')} not found (upload with POST /api/photos first)`, { photos: missing });

    let target: CaseRow | undefined;
    if (req.action === 'merge') {
      if (req.into === id) return fail('invalid_request', 'a case cannot be merged into itself');
      target = rows.find((r) => r.id === req.into);
      if (!target || !caseInScope(who.scope, target)) return fail('not_found', `incident ${req.into} not found`);
      if (!OPEN_STATES.includes(target.status)) return fail('invalid_transition', `incident ${req.into} is not open (${target.status})`);
    }

    let departmentId = row.department_id;
    if (next.departmentCode !== toCaseState(row).departmentCode) {
      departmentId = null;
      if (next.departmentCode != null) {
        departmentId = (await tx.query<{ id: number }>(WF_SQL.departmentByCode, [next.departmentCode])).rows[0]?.id ?? null;
        if (departmentId == null) return fail('invalid_request', `unknown department ${next.departmentCode}`);
      }
    }
    if (location) {
      before = { districtCode: row.district_code, subdistrictCode: row.subdistrict_code, communityCode: row.community_code, gridId: row.grid_id };
    }
    if (!placed && location) await tx.query(WF_SQL.assignGrid, [id, location.gridId, location.communityCode, location.subdistrictCode]);
    if (placed) {
      const l = placed.loc;
      await tx.query(WF_SQL.locateCase, [id, placed.lon, placed.lat, l.grid_id, l.community_code, l.subdistrict_code, l.district_code]);
    }
    await tx.query(WF_SQL.updateCase, caseParams(id, next, departmentId));
    const eventId = (await tx.query<{ id: number | string }>(WF_SQL.insertEvent, eventParams(id, event, row.department_id))).rows[0]!.id;
    if (photos.ids.length) {
      await tx.query(PHOTO_SQL.link, [JSON.stringify(photos.ids.map((p) => ({ incident_id: id, photo_id: p, event_id: String(eventId) }))), at]);
    }
    if (target) {
      // The surviving case keeps every reporter and source of the merged one.
      await tx.query(WF_SQL.copyReporters, [id, target.id]);
      await tx.query(WF_SQL.insertEvent, eventParams(target.id, {
        ...event, action: 'merged_in', fromState: target.status, toState: target.status, fromLevel: target.level,
        toLevel: target.level, deadlineAt: target.deadline_at, onTime: null, detail: { from: id },
      }, target.department_id));
      await tx.query(WF_SQL.touch, [target.id]);
    }
    return ok(target ? [id, target.id] : [id]);
  });
  if (!out.ok) return out;
  const cases = await selectIncidents(db, out.value);
  for (const c of cases) bus.publish('incident.updated', c.id === id && before ? { incident: c, before } : { incident: c });
  const incident = cases.find((c) => c.id === id)!;
  const into = cases.find((c) => c.id !== id);
  return ok(into ? { incident, into } : { incident });
}

export type { CaseDetail, Reporter };

/** A case with its trail, its reporters and the caller's next actions; null outside the jurisdiction. */
export async function caseDetail(db: Queryable, id: number, who: Who, canAct: boolean): Promise<CaseDetail | null> {
  const row = (await db.query<CaseRow>(WF_SQL.caseById, [id])).rows[0];
  if (!row || !caseInScope(who.scope, row)) return null;
  const [incident] = await selectIncidents(db, [id]);
  const events = (await db.query<EventRow>(WF_SQL.trail, [id])).rows.map(presentEvent);
  const reporters = (await db.query<{ source: string; client_key: string; reported_at: Date; actor_label: string | null; merged_from: number | null }>(
    WF_SQL.reporters, [id])).rows.map((r) => ({
    source: r.source, clientKey: r.client_key, reportedAt: new Date(r.reported_at).toISOString(),
    reportedBy: r.actor_label, mergedFrom: r.merged_from,
  }));
  const allowed = canAct ? actionsFor(toCaseState(row), who.actor) : [];
  return { incident: incident!, events, reporters, allowedActions: allowed.map((a) => ({ action: a, name: actionName(a) })) };
}

/**
 * Open cases of the same category near case `id` in space and time, inside the caller's
 * jurisdiction: candidates to merge it into. null when the case itself is not visible.
 */
export async function duplicateCandidates(db: Queryable, id: number, scope: Scope, radiusM: number, windowHours: number)
  : Promise<(IncidentView & { distanceM: number })[] | null> {
  const row = (await db.query<CaseRow>(WF_SQL.caseById, [id])).rows[0];
  if (!row || !caseInScope(scope, row)) return null;
  const near = (await db.query<CaseRow & { distance_m: number }>(WF_SQL.duplicates, [id, radiusM, windowHours, OPEN_STATES]))
    .rows.filter((r) => caseInScope(scope, r));
  const cases = new Map((await selectIncidents(db, near.map((r) => r.id))).map((c) => [c.id, c]));
  return near.map((r) => ({ ...cases.get(r.id)!, distanceM: Math.round(r.distance_m * 10) / 10 }));
}

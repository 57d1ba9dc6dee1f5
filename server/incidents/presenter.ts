// Rows ↔ domain values: the API's view of a case, the workflow's CaseState, and trail events.
import type { IncidentView } from '../../core/contract.js';
import type { InputCrs } from '../../core/types.js';
import {
  actionName, levelDef, stateDef,
  type ActorRef, type CaseEventView, type CaseState, type Level, type Rating, type TrailEvent,
} from '../../core/workflow.js';

const iso = (d: Date | string | null): string | null => (d == null ? null : new Date(d).toISOString());
const date = (d: Date | string | null): Date | null => (d == null ? null : new Date(d));

export interface IncidentRow {
  id: number; client_key: string; category: string; description: string; source: string; status: string;
  lon: number | null; lat: number | null; input_crs: InputCrs; grid_id: number | null; grid_name: string | null;
  community_code: string | null; subdistrict_code: string | null; district_code: string | null;
  synthetic: boolean; created_at: Date; updated_at: Date;
  level: Level; handler: string | null; department_code: string | null; department_name: string | null;
  deadline_at: Date | null; overdue: boolean; escalations: number; resolved_by_label: string | null;
  resolved_at: Date | null; verified_by_label: string | null; verified_at: Date | null; closed_at: Date | null;
  rating: Rating | null; merged_into: number | null; reporters: number;
  /** lon/lat are null only for an unlocated case given by address. */
  unlocated: boolean; address: string | null; media_url: string | null;
}

export type { IncidentView };

export function presentIncident(r: IncidentRow): IncidentView {
  const s = stateDef(r.status);
  return {
    id: r.id, clientKey: r.client_key, category: r.category, description: r.description,
    // lon/lat are null for a hotline case given by address only (unlocated).
    source: r.source, status: r.status, lon: r.lon, lat: r.lat, inputCrs: r.input_crs,
    gridId: r.grid_id, gridName: r.grid_name, communityCode: r.community_code,
    subdistrictCode: r.subdistrict_code, districtCode: r.district_code, synthetic: r.synthetic,
    createdAt: new Date(r.created_at).toISOString(), updatedAt: new Date(r.updated_at).toISOString(),
    statusName: s?.name ?? r.status, statusType: s?.type ?? 'open',
    level: r.level, levelName: levelDef(r.level).name, handler: r.handler,
    departmentCode: r.department_code, departmentName: r.department_name,
    deadlineAt: iso(r.deadline_at), overdue: r.overdue, escalations: r.escalations,
    resolvedBy: r.resolved_by_label, resolvedAt: iso(r.resolved_at), verifiedBy: r.verified_by_label,
    verifiedAt: iso(r.verified_at), closedAt: iso(r.closed_at), rating: r.rating, mergedInto: r.merged_into,
    reporters: r.reporters,
    unlocated: r.unlocated, address: r.address, mediaUrl: r.media_url,
  };
}

type Kind = ActorRef['kind'];
/** The workflow's columns of a case (server/incidents/workflow.sql lockCases). */
export interface CaseRow {
  id: number; status: string; level: Level; category: string; grid_id: number | null;
  community_code: string | null; subdistrict_code: string | null; district_code: string | null;
  handler: string | null; department_id: number | null; department_code: string | null;
  deadline_at: Date | null; deadline_missed: boolean; overdue: boolean; escalations: number;
  reported_by_kind: Kind | null; reported_by_id: number | null; reported_by_label: string | null;
  resolved_by_kind: Kind | null; resolved_by_id: number | null; resolved_by_label: string | null;
  resolved_at: Date | null; resolved_level: Level | null;
  verified_by_kind: Kind | null; verified_by_id: number | null; verified_by_label: string | null; verified_at: Date | null;
  closed_by_kind: Kind | null; closed_by_id: number | null; closed_by_label: string | null; closed_at: Date | null;
  rating: Rating | null; rated_at: Date | null; merged_into: number | null;
  /** At the district desk, not yet located (lockCases/caseById). */
  unlocated: boolean;
}

const actor = (kind: Kind | null, id: number | null, label: string | null): ActorRef | null =>
  kind == null ? null : { kind, id, label: label ?? '' };
const actorCols = (a: ActorRef | null) => [a?.kind ?? null, a?.id ?? null, a?.label ?? null];

export function toCaseState(r: CaseRow): CaseState {
  return {
    state: r.status, level: r.level, category: r.category, gridId: r.grid_id, communityCode: r.community_code,
    subdistrictCode: r.subdistrict_code, handler: r.handler, departmentCode: r.department_code,
    deadlineAt: date(r.deadline_at), deadlineMissed: r.deadline_missed, overdue: r.overdue, escalations: r.escalations,
    reporter: actor(r.reported_by_kind, r.reported_by_id, r.reported_by_label),
    resolver: actor(r.resolved_by_kind, r.resolved_by_id, r.resolved_by_label),
    resolvedAt: date(r.resolved_at), resolvedLevel: r.resolved_level,
    verifier: actor(r.verified_by_kind, r.verified_by_id, r.verified_by_label), verifiedAt: date(r.verified_at),
    closer: actor(r.closed_by_kind, r.closed_by_id, r.closed_by_label), closedAt: date(r.closed_at),
    rating: r.rating, ratedAt: date(r.rated_at), mergedInto: r.merged_into, unlocated: r.unlocated ?? false,
  };
}

/** Parameters of updateCase for the next state ($5 is the department id the code resolved to). */
export function caseParams(id: number, c: CaseState, departmentId: number | null): unknown[] {
  return [
    id, c.state, c.level, c.handler, departmentId, c.deadlineAt, c.deadlineMissed, c.overdue, c.escalations,
    ...actorCols(c.resolver), c.resolvedAt, c.resolvedLevel, ...actorCols(c.verifier), c.verifiedAt,
    ...actorCols(c.closer), c.closedAt, c.rating, c.ratedAt, c.mergedInto,
  ];
}

/** Parameters of insertEvent ($7 is the department the case was with before the event). */
export function eventParams(incidentId: number, e: TrailEvent, departmentIdBefore: number | null): unknown[] {
  return [
    incidentId, e.action, e.fromState, e.toState, e.fromLevel, e.toLevel, departmentIdBefore, e.deadlineAt, e.onTime,
    e.actor.kind, e.actor.id, e.actor.label, e.actor.role, e.at, e.note, JSON.stringify(e.photos), JSON.stringify(e.detail),
  ];
}

export interface EventRow {
  id: number | string; action: string; from_state: string | null; to_state: string; level: Level | null; to_level: Level;
  actor_kind: Kind; actor_id: number | null; actor_label: string; actor_role: string | null; at: Date;
  note: string | null; photos: string[]; detail: Record<string, unknown>; deadline_at: Date | null; on_time: boolean | null;
}

export function presentEvent(r: EventRow): CaseEventView {
  return {
    id: Number(r.id), action: r.action, actionName: actionName(r.action),
    fromState: r.from_state, fromStateName: r.from_state ? (stateDef(r.from_state)?.name ?? r.from_state) : null,
    toState: r.to_state, toStateName: stateDef(r.to_state)?.name ?? r.to_state,
    fromLevel: r.level, toLevel: r.to_level,
    actor: { kind: r.actor_kind, id: r.actor_id, label: r.actor_label, role: r.actor_role },
    at: new Date(r.at).toISOString(), note: r.note, photos: r.photos, detail: r.detail,
    deadlineAt: iso(r.deadline_at), onTime: r.on_time,
  };
}

// 随手拍 from the public page: a resident with a verified phone uploads a photo, then files the
// report into the one intake (incidents/commands.ts createIncident, source 'photo'), with the phone
// as the case's caller (incident_contact, masked to staff like every caller). The resident gets a
// private link (its HMAC is the same on a replay, its hash is stored) to follow the case and, once
// it is resolved or verified, to rate it, once. No HTTP here.
import type { PublicCaseView, ReportFiled, StaffReportView } from '../../core/public-contract.js';
import { actionName, stateDef, type Rating } from '../../core/workflow.js';
import { sha256 } from '../auth/principal.js';
import type { Scope } from '../auth/scope.js';
import type { Db } from '../db/db.js';
import type { EventBus } from '../events/bus.js';
import { fail, ok, type Result } from '../http/errors.js';
import { createIncident, selectIncidents } from '../incidents/commands.js';
import { SQL as PHOTO_SQL } from '../photos/access.js';
import type { PhotoFile } from '../photos/store.js';
import { keyed, SQL, type TicketHolder } from './identity.js';
import type { z } from 'zod';
import type { reportSchema } from './schema.js';

const EVERYWHERE: Scope = { kind: 'all' };
/** The trail's actor for a resident's report and rating: no account, no name. */
export const RESIDENT_ACTOR = { kind: 'system' as const, id: null, label: '居民随手拍', role: 'system' as const };
/** What a resident's case may move to before it can be rated (办结, 核查 and after). */
const RATEABLE = ['resolved', 'verified', 'closed', 'rated'];

export const trackUrl = (token: string) => `/report#case=${token}`;
const trackToken = (db: Db, incidentId: number) => keyed(db, 'track', String(incidentId)).then((h) => Buffer.from(h, 'hex').toString('base64url'));

/** Store an uploaded photo's row for the resident (the objects are stored already). */
export async function residentPhoto(db: Db, f: PhotoFile, who: TicketHolder): Promise<{ id: number; created: boolean }> {
  const label = `居民${who.phoneMasked}`;
  const row = (await db.query<{ id: number }>(SQL.insertPhoto, [f.sha256, f.mime, f.bytes, f.width, f.height, who.residentId, label])).rows[0];
  if (row) return { id: row.id, created: true };
  return { id: (await db.query<{ id: number }>(SQL.photoByUpload, [f.sha256, who.residentId])).rows[0]!.id, created: false };
}

export async function fileReport(db: Db, bus: EventBus, who: TicketHolder, phone: string, input: z.infer<typeof reportSchema>,
  dailyLimit: number): Promise<Result<ReportFiled>> {
  const mine = new Set((await db.query<{ id: number }>(SQL.residentPhotos, [input.photos, who.residentId])).rows.map((r) => r.id));
  const missing = input.photos.filter((p) => !mine.has(p));
  if (missing.length) return fail('invalid_request', `photo ${missing.join(', ')} not found (upload it on this page first)`, { photos: missing });
  // The clientKey is the resident's own: namespaced, so two residents never collide.
  const clientKey = `pub:${who.residentId}:${input.clientKey}`;
  const prior = (await db.query<{ id: number }>(SQL.incidentByKey, [clientKey])).rows[0];
  if (!prior && (await db.query<{ n: number }>(SQL.reportsToday, [who.residentId])).rows[0]!.n >= dailyLimit) {
    return fail('rate_limited', `at most ${dailyLimit} reports a day from one phone`);
  }
  // The photos are not given to the intake: they are the resident's, not a principal's; they are
  // linked to the new case right after it (below), and a retry links them again harmlessly.
  const out = await createIncident(db, bus, {
    lon: input.lon, lat: input.lat, crs: input.crs, category: input.category, description: input.description, source: 'photo',
    clientKey, synthetic: false, caller: { phone },
  }, EVERYWHERE, RESIDENT_ACTOR);
  if (!out.ok) return out;
  const { incident, created } = out.value;
  const event = (await db.query<{ id: string }>(SQL.reportEvent, [incident.id])).rows[0]?.id ?? null;
  await db.query(PHOTO_SQL.link, [JSON.stringify(input.photos.map((photo_id) => ({ incident_id: incident.id, photo_id, event_id: event }))),
    incident.createdAt]);
  const token = await trackToken(db, incident.id);
  await db.query(SQL.insertReport, [incident.id, who.residentId, sha256(token)]);
  return ok({ caseId: incident.id, status: incident.status, statusName: incident.statusName, trackToken: token, trackUrl: trackUrl(token), created });
}

interface TrackRow {
  report_id: number; resident_id: number; rating: Rating | null; rating_note: string | null; rated_at: Date | null; rejected_at: Date | null;
  id: number; category: string; category_name: string; description: string; status: string; status_name: string;
  status_type: 'open' | 'fixed' | 'closed'; created_at: Date; resolved_at: Date | null; verified_at: Date | null; closed_at: Date | null;
  merged_into: number | null; community_code: string | null; community_name: string | null; lon: number | null; lat: number | null;
}

const iso = (d: Date | null) => (d == null ? null : new Date(d).toISOString());

/** The case behind a private link (X-Track-Token), or 401 verification_required. */
export async function trackedCase(db: Db, token: string | undefined): Promise<Result<PublicCaseView & { reportId: number }>> {
  if (!token || !/^[A-Za-z0-9_-]{20,100}$/.test(token)) return fail('verification_required', 'open the private link you were given (X-Track-Token)');
  const r = (await db.query<TrackRow>(SQL.caseByTrack, [sha256(token)])).rows[0];
  if (!r) return fail('verification_required', 'this link does not belong to any report');
  const steps = (await db.query<{ action: string; to_state: string; at: Date }>(SQL.caseSteps, [r.id])).rows
    .map((s) => ({ action: s.action, name: actionName(s.action), at: new Date(s.at).toISOString() }));
  const points = (await db.query<{ delta: number }>(SQL.reportPoints, [r.id, r.resident_id])).rows[0]!.delta;
  const surv = r.merged_into === null ? null
    : (await db.query<{ id: number; status: string; status_name: string }>(SQL.survivor, [r.id])).rows[0] ?? null;
  const survivor = surv && surv.id !== r.id ? { caseId: surv.id, status: surv.status, statusName: surv.status_name } : null;
  return ok({
    reportId: r.report_id, caseId: r.id, category: r.category, categoryName: r.category_name, description: r.description,
    status: r.status, statusName: r.status_name, statusType: r.status_type, communityName: r.community_name, lon: r.lon, lat: r.lat,
    createdAt: new Date(r.created_at).toISOString(), resolvedAt: iso(r.resolved_at), verifiedAt: iso(r.verified_at), closedAt: iso(r.closed_at),
    mergedInto: r.merged_into, survivor, steps, canRate: r.rating === null && RATEABLE.includes(survivor?.status ?? r.status),
    rating: r.rating, ratedAt: iso(r.rated_at), points,
  });
}

/**
 * The resident rates their case, once, after 办结 or 核查 (a report merged into another case: after
 * that case's): the rating is kept on the report and on the case (unless staff recorded one in a
 * callback), with a trail entry 居民评价; the case's screens get the update. 409 not_rateable before that, 409 already_rated the second time.
 */
export async function rateCase(db: Db, bus: EventBus, reportId: number, rating: Rating, note: string | undefined): Promise<Result<{ caseId: number }>> {
  const out = await db.transaction(async (tx): Promise<Result<number>> => {
    const r = (await tx.query<{ id: number; incident_id: number; rating: string | null; status: string }>(SQL.lockReport, [reportId])).rows[0];
    if (!r) return fail('not_found', 'report not found');
    if (r.rating !== null) return fail('already_rated', 'you have rated this case already');
    // A report merged into another (duplicate) is rated on the case it lives on in.
    const target = (await tx.query<{ id: number; status: string }>(SQL.rootCase, [r.incident_id])).rows[0]!;
    if (!RATEABLE.includes(target.status)) {
      return fail('not_rateable', `the case is ${stateDef(target.status)?.name ?? target.status}: it can be rated once it is resolved (已办结) or verified (已核查)`);
    }
    await tx.query(SQL.rateReport, [r.id, rating, note ?? null]);
    await tx.query(SQL.rateIncident, [target.id, rating]);
    await tx.query(SQL.rateEvent, [target.id, note ?? null, rating]);
    return ok(target.id);
  });
  if (!out.ok) return out;
  const [view] = await selectIncidents(db, [out.value]);
  if (view) bus.publish('incident.updated', { incident: view });
  return ok({ caseId: out.value });
}

/** GET /api/public/reports: one resident report as the staff's 随手拍 list shows it (masked phone only). */

interface StaffReportRow {
  case_id: number; resident_id: number; phone_masked: string; reported_at: Date; rejected_at: Date | null; rejected_note: string | null;
  category: string; category_name: string; description: string; status: string; status_name: string; merged_into: number | null;
  community_code: string | null; community_name: string | null; grid_id: number | null; survivor_id: number; survivor_status: string; points: number;
}

/** The latest resident reports in a jurisdiction (communities null = all; gridId null = any). */
export async function staffReports(db: Db, f: { communities: string[] | null; gridId: number | null }, limit: number): Promise<StaffReportView[]> {
  return (await db.query<StaffReportRow>(SQL.staffReports, [f.communities, f.gridId, limit])).rows.map((r) => ({
    caseId: r.case_id, residentId: r.resident_id, phone: r.phone_masked, reportedAt: new Date(r.reported_at).toISOString(),
    category: r.category, categoryName: r.category_name, description: r.description, status: r.status, statusName: r.status_name,
    mergedInto: r.merged_into, survivorId: r.survivor_id, survivorStatus: r.survivor_status, communityCode: r.community_code, communityName: r.community_name, gridId: r.grid_id,
    rejectedAt: iso(r.rejected_at), rejectedNote: r.rejected_note, points: r.points,
  }));
}

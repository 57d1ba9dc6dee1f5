// Open311 GeoReport v2 as GridCommand speaks it: the spec's request parameters mapped onto an
// incident report, cases shown as service requests (open → open; fixed and closed → closed), and
// the idempotency key of a request. No HTTP here.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { MAX_ADDRESS, MAX_DESCRIPTION, PHONE_PATTERN, type IncidentCreate } from '../../core/incident-schema.js';
import { stateDef, statesOfType, type StateType } from '../../core/workflow.js';
import type { IncidentView } from '../incidents/presenter.js';

/** Form clients send empty fields for what they do not have: treat "" as absent. JSON clients may
 * send ids and phone numbers as numbers: take them as their text. */
const opt = <T extends z.ZodType>(t: T) =>
  z.preprocess((v) => (v === '' ? undefined : typeof v === 'number' && Number.isFinite(v) ? String(v) : v), t.optional());
const text = (max: number) => z.string().trim().max(max);
/** A number as JSON sends it, or as a form field (decimal text only: no "", no 1e3, no hex). */
const coordinate = z.union([z.number(), z.string().trim().regex(/^[+-]?\d{1,12}(\.\d{1,15})?$/, 'a decimal number').transform(Number)])
  .pipe(z.number().finite());

/** POST requests.json parameters (GeoReport v2). Unknown parameters and attribute[…] are ignored. */
export const postRequestSchema = z.object({
  jurisdiction_id: opt(text(128)),
  service_code: z.string().trim().min(1, 'service_code is required').max(64),
  lat: z.preprocess((v) => (v === '' ? undefined : v), coordinate.optional()),
  long: z.preprocess((v) => (v === '' ? undefined : v), coordinate.optional()),
  address_string: opt(text(MAX_ADDRESS).min(1)),
  address_id: opt(text(128)),
  email: opt(z.email().max(254)),
  device_id: opt(text(128).min(1)),
  account_id: opt(text(128).min(1)),
  first_name: opt(text(64).min(1)),
  last_name: opt(text(64).min(1)),
  phone: opt(z.string().trim().regex(PHONE_PATTERN, 'digits, spaces, - and a leading + only')),
  description: opt(text(MAX_DESCRIPTION)),
  media_url: opt(z.url({ protocol: /^https?$/ }).max(2000)),
}).superRefine((v, ctx) => {
  if ((v.lat === undefined) !== (v.long === undefined)) {
    ctx.addIssue({ code: 'custom', path: [v.lat === undefined ? 'lat' : 'long'], message: 'lat and long go together' });
  } else if (v.lat === undefined && !v.address_string) {
    ctx.addIssue({ code: 'custom', path: ['lat'], message: v.address_id
      ? 'address_id is not supported here: give lat and long, or address_string'
      : 'a location is required: lat and long, or address_string' });
  }
});
export type PostRequest = z.infer<typeof postRequestSchema>;

/** attribute[client_key] as a form field, or attribute.client_key in JSON. */
export function clientKeyAttribute(body: Record<string, unknown>): unknown {
  const attr = body.attribute;
  if (attr && typeof attr === 'object' && 'client_key' in attr) return (attr as Record<string, unknown>).client_key;
  return body['attribute[client_key]'];
}
export const CLIENT_KEY = /^[A-Za-z0-9_.:-]{8,120}$/;

/**
 * Idempotency without a client key: the same token, device and parameters within one window are
 * the same request. The key is the hash plus the window's number; the caller also tries the
 * previous window's key so a retry just across a boundary is still found.
 */
export function derivedKeys(principal: { kind: string; id: number }, p: PostRequest, windowMs: number, now = Date.now()): { current: string; previous: string } {
  const fields = p as Record<string, unknown>;
  const canonical = JSON.stringify([principal.kind, principal.id, p.device_id ?? null,
    Object.keys(fields).filter((k) => fields[k] !== undefined).sort().map((k) => [k, fields[k]])]);
  const h = createHash('sha256').update(canonical).digest('hex').slice(0, 40);
  const bucket = Math.floor(now / windowMs);
  return { current: `o311:h:${h}:${bucket}`, previous: `o311:h:${h}:${bucket - 1}` };
}

/** The incident report for a request (validated again by the intake schema). */
export function toIncident(p: PostRequest, clientKey: string): Partial<IncidentCreate> & Record<string, unknown> {
  const name = [p.first_name, p.last_name].filter(Boolean).join(' ') || undefined;
  const caller = { name, phone: p.phone, email: p.email, deviceId: p.device_id, accountId: p.account_id };
  return {
    lon: p.long, lat: p.lat, crs: 'wgs84', category: p.service_code, description: p.description ?? '',
    source: 'open311', clientKey, address: p.address_string, mediaUrl: p.media_url,
    ...(Object.values(caller).some((v) => v !== undefined) ? { caller } : {}),
  };
}

/** The spec knows two statuses: our open states are open; fixed and closed ones are closed. */
export const open311Status = (type: StateType): 'open' | 'closed' => (type === 'open' ? 'open' : 'closed');
export const statesFor = (statuses: ('open' | 'closed')[]): string[] =>
  statesOfType(statuses.flatMap((s): StateType[] => (s === 'open' ? ['open'] : ['fixed', 'closed'])));

export interface RequestRow {
  id: number; category: string; service_name: string; description: string; status: string;
  lon: number | null; lat: number | null; address: string | null; media_url: string | null;
  created_at: Date; updated_at: Date; deadline_at: Date | null; agency: string | null; last_note: string | null;
}

const iso = (d: Date | null) => (d == null ? null : new Date(d).toISOString());

/** A case as a GeoReport v2 service request. */
export function presentRequest(r: RequestRow) {
  const s = stateDef(r.status);
  return {
    service_request_id: String(r.id),
    status: open311Status(s?.type ?? 'open'),
    status_notes: r.last_note ? `${s?.name ?? r.status}：${r.last_note}` : (s?.name ?? r.status),
    service_name: r.service_name,
    service_code: r.category,
    description: r.description,
    agency_responsible: r.agency,
    service_notice: null,
    requested_datetime: iso(r.created_at),
    updated_datetime: iso(r.updated_at),
    expected_datetime: iso(r.deadline_at),
    address: r.address,
    address_id: null,
    zipcode: null,
    lat: r.lat,
    long: r.lon,
    media_url: r.media_url,
  };
}

/** What the reporter is told right after POST: who has the case and until when. */
export function serviceNotice(c: IncidentView): string {
  const where = c.gridName ?? c.communityCode ?? c.subdistrictCode ?? c.districtCode ?? '';
  return `已受理：由${c.levelName}${where ? `（${where}）` : ''}处置${c.deadlineAt ? `，处置时限 ${c.deadlineAt}` : ''}`;
}

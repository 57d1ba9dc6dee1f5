// The intake contract for one incident, shared by the server (validation) and the client (forms).
import { z } from 'zod';
import { INCIDENT_SOURCES, INPUT_CRS, type IncidentSource } from './types.js';

export const MAX_DESCRIPTION = 2000;
export const MAX_ADDRESS = 500;
/** Photos (ids from POST /api/photos) on one report or one workflow action. */
export const MAX_PHOTOS = 20;
/** Reports in one POST /api/incidents/batch. */
export const MAX_BATCH = 1000;

/** 12345 (government service hotline) and 8890 (citizen service hotline): taken by an operator. */
export const HOTLINE_SOURCES = ['hotline_12345', 'hotline_8890'] as const satisfies readonly IncidentSource[];
export const isHotline = (source: string): boolean => (HOTLINE_SOURCES as readonly string[]).includes(source);

/** A phone number as callers give it: digits, spaces and dashes, an optional leading +. */
export const PHONE_PATTERN = /^\+?[0-9][0-9 -]{2,30}$/;

/** Who called (personal data: stored apart from the case, shown masked, in full only audited). */
export const callerSchema = z.object({
  name: z.string().trim().min(1).max(64).optional(),
  phone: z.string().trim().regex(PHONE_PATTERN, 'digits, spaces, - and a leading + only').optional(),
  email: z.email().max(254).optional(),
  /** Open311 device_id and account_id of the reporting app's user. */
  deviceId: z.string().trim().min(1).max(128).optional(),
  accountId: z.string().trim().min(1).max(128).optional(),
}).refine((c) => Object.values(c).some((v) => v !== undefined), 'give at least a name, phone or email');
export type Caller = z.infer<typeof callerSchema>;

export const incidentCreateSchema = z.object({
  /** Or an `address` instead: located by the district's gazetteer when one place is certain. */
  lon: z.number().finite().optional(),
  lat: z.number().finite().optional(),
  /** Datum of lon/lat: WGS84 (default), CGCS2000 (≈WGS84), GCJ-02 (AMap) or BD-09 (Baidu). */
  crs: z.enum(INPUT_CRS).default('wgs84'),
  category: z.string().min(1).max(64),
  description: z.string().max(MAX_DESCRIPTION).default(''),
  source: z.enum(INCIDENT_SOURCES),
  /** Idempotency key chosen by the client: the same key returns the same case. */
  clientKey: z.string().min(8).max(128).regex(/^[A-Za-z0-9_.:-]+$/, 'letters, digits, _ . : - only'),
  synthetic: z.boolean().default(false),
  /**
   * The address as the caller gave it, kept as given. Without lon/lat the gazetteer locates it; a
   * hotline report it cannot place goes to the district desk unlocated, any other is refused.
   */
  address: z.string().trim().min(1).max(MAX_ADDRESS).optional(),
  caller: callerSchema.optional(),
  /** Ids of photos uploaded with POST /api/photos. */
  photos: z.array(z.number().int().positive().max(2 ** 31 - 1)).max(MAX_PHOTOS).optional(),
  /** A photo elsewhere (Open311 media_url), kept as given. */
  mediaUrl: z.url({ protocol: /^https?$/ }).max(2000).optional(),
}).superRefine((v, ctx) => {
  if ((v.lon === undefined) !== (v.lat === undefined)) {
    ctx.addIssue({ code: 'custom', path: [v.lon === undefined ? 'lon' : 'lat'], message: 'lon and lat go together' });
  } else if (v.lon === undefined && !v.address) {
    ctx.addIssue({ code: 'custom', path: ['lon'], message: 'give lon and lat, or the address' });
  }
});
export type IncidentCreate = z.infer<typeof incidentCreateSchema>;

export const incidentBatchSchema = z.object({
  incidents: z.array(incidentCreateSchema).min(1).max(MAX_BATCH),
});

/** Intake fields of a case besides core/types.ts Incident. */
export interface IntakeFields {
  /** Could not be located in the district (hotline): with the district desk, lon/lat as given or null. */
  unlocated: boolean;
  address: string | null;
  mediaUrl: string | null;
}

export const incidentListSchema = z.object({
  since: z.iso.datetime({ offset: true }).optional(),
  division: z.string().min(1).max(64).optional(),
  limit: z.coerce.number().int().positive().max(5000).default(500),
});

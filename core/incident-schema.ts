// The intake contract for one incident, shared by the server (validation) and the client (forms).
import { z } from 'zod';
import { INCIDENT_SOURCES, INPUT_CRS } from './types.js';

export const MAX_DESCRIPTION = 2000;

export const incidentCreateSchema = z.object({
  lon: z.number().finite(),
  lat: z.number().finite(),
  /** Datum of lon/lat: WGS84 (default), CGCS2000 (≈WGS84), GCJ-02 (AMap) or BD-09 (Baidu). */
  crs: z.enum(INPUT_CRS).default('wgs84'),
  category: z.string().min(1).max(64),
  description: z.string().max(MAX_DESCRIPTION).default(''),
  source: z.enum(INCIDENT_SOURCES),
  /** Idempotency key chosen by the client: the same key returns the same case. */
  clientKey: z.string().min(8).max(128).regex(/^[A-Za-z0-9_.:-]+$/, 'letters, digits, _ . : - only'),
  synthetic: z.boolean().default(false),
});
export type IncidentCreate = z.infer<typeof incidentCreateSchema>;

export const incidentListSchema = z.object({
  since: z.iso.datetime({ offset: true }).optional(),
  division: z.string().min(1).max(64).optional(),
  limit: z.coerce.number().int().positive().max(5000).default(500),
});

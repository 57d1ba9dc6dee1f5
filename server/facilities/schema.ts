// Request shapes of the facility editor (zod). Coordinates are degrees in the request's crs
// (wgs84, cgcs2000, gcj02, bd09 and their aliases, read by core/crs.ts parseCrs).
import { z } from 'zod';

const name = z.string().trim().min(1).max(100);
const serviceClass = z.string().min(1).max(64);
const degrees = z.number().finite();
const crs = z.string().max(20).optional();

export const createBody = z.object({ name, serviceClass, lon: degrees, lat: degrees, crs }).strict();

export const updateBody = z.object({ name: name.optional(), serviceClass: serviceClass.optional(), lon: degrees.optional(), lat: degrees.optional(), crs }).strict()
  .refine((b) => (b.lon === undefined) === (b.lat === undefined), { message: 'lon and lat go together' })
  .refine((b) => b.name !== undefined || b.serviceClass !== undefined || b.lon !== undefined, { message: 'nothing to change' });

/** The CSV travels as text in JSON (the body limit applies; MAX_IMPORT_ROWS rows at most). */
export const importBody = z.object({ csv: z.string().min(1).max(1_000_000), crs }).strict();

export const listQuery = z.object({
  class: serviceClass.optional(),
  division: z.string().min(1).max(64).optional(),
  limit: z.coerce.number().int().positive().max(20000).default(5000),
});

export type CreateBody = z.infer<typeof createBody>;
export type UpdateBody = z.infer<typeof updateBody>;

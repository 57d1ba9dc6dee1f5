// Request shapes of the public pages and of the staff side of them (zod), validated in routes.ts.
import { z } from 'zod';
import { MAX_DESCRIPTION, MAX_PHOTOS } from '../../core/incident-schema.js';
import { PROJECT_STATUSES } from '../../core/votes.js';
import { CODE_PURPOSES } from '../../core/verify-code.js';
import { INPUT_CRS } from '../../core/types.js';
import { RATINGS } from '../../core/workflow.js';

const phone = z.string().max(32);
const id = z.number().int().positive().max(2 ** 31 - 1);
/** A secret the server handed out (ticket, case link, voting link). */
export const SECRET = /^[A-Za-z0-9_-]{20,100}$/;
export const communityCodeParam = z.object({ code: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'a division code') });

export const codeRequestSchema = z.object({ phone, purpose: z.enum(CODE_PURPOSES) }).strict();
export const verifySchema = z.object({ phone, purpose: z.enum(CODE_PURPOSES), code: z.string().regex(/^\s*[0-9]{6}\s*$/, 'six digits') }).strict();

export const reportSchema = z.object({
  /** The verified phone again (checked against the ticket; stored as the case's caller). */
  phone,
  category: z.string().min(1).max(64),
  description: z.string().trim().min(2, 'describe the problem').max(MAX_DESCRIPTION),
  lon: z.number().finite(),
  lat: z.number().finite(),
  /** A phone map's datum: GCJ-02 (AMap, Tencent) or BD-09 (Baidu) are converted. */
  crs: z.enum(INPUT_CRS).default('wgs84'),
  photos: z.array(id).min(1, 'a photo is required').max(MAX_PHOTOS),
  clientKey: z.string().min(8).max(64).regex(/^[A-Za-z0-9_.:-]+$/, 'letters, digits, _ . : - only'),
}).strict();

export const rateSchema = z.object({ rating: z.enum(RATINGS), note: z.string().trim().max(500).optional() }).strict();

export const voteSchema = z.object({ projectId: id }).strict();
export const yearQuery = z.object({ year: z.coerce.number().int().min(2000).max(2100).optional() });

export const deskCodeSchema = codeRequestSchema;
export const voteLinkSchema = z.object({ communityCode: z.string().min(1).max(64), year: z.number().int().min(2000).max(2100).optional() }).strict();
export const projectSchema = z.object({
  communityCode: z.string().min(1).max(64),
  year: z.number().int().min(2000).max(2100).optional(),
  title: z.string().trim().min(1).max(100),
  description: z.string().trim().max(2000).default(''),
}).strict();
export const projectStatusSchema = z.object({ status: z.enum(PROJECT_STATUSES) }).strict();

export const awardSchema = z.object({ incidentId: id }).strict();
export const rejectSchema = z.object({ note: z.string().trim().min(1).max(500) }).strict();
export const adjustSchema = z.object({
  residentId: id,
  communityCode: z.string().min(1).max(64),
  delta: z.number().int().min(-10_000).max(10_000).refine((d) => d !== 0, 'delta must not be 0'),
  note: z.string().trim().min(1).max(500),
}).strict();
export const ledgerQuery = z.object({
  community: z.string().min(1).max(64).optional(),
  limit: z.coerce.number().int().positive().max(1000).default(200),
});

export const staffReportsQuery = z.object({
  community: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'a division code').optional(),
  limit: z.coerce.number().int().positive().max(500).default(100),
}).strict();

export const deskListQuery = z.object({ limit: z.coerce.number().int().positive().max(500).default(100) }).strict();
export const voteLinkListQuery = z.object({
  community: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'a division code').optional(),
  year: z.coerce.number().int().min(2000).max(2100).optional(),
  limit: z.coerce.number().int().positive().max(500).default(200),
}).strict();

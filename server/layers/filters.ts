// Shared list filters: bbox, division (resolved to the community codes of its subtree), limit.
import { z } from 'zod';
import type { BBox } from '../../core/bbox.js';
import type { Queryable } from '../db/db.js';
import { subtreeCodes } from '../divisions/queries.js';
import { fail, ok, type Result } from '../http/errors.js';
import { bboxParam, validate } from '../http/validate.js';

const schema = z.object({
  bbox: z.string().optional(),
  division: z.string().min(1).max(64).optional(),
  limit: z.coerce.number().int().positive().optional(),
});

export interface ListQuery {
  bbox: BBox | null;
  /** Community codes to keep, or null for all. */
  communities: string[] | null;
  limit: number;
}

export async function divisionFilter(db: Queryable, code: string | undefined): Promise<Result<string[] | null>> {
  if (!code) return ok(null);
  const codes = await subtreeCodes(db, code);
  if (codes.length === 0) return fail('not_found', `division ${code} not found`);
  return ok(codes);
}

export async function listQuery(db: Queryable, query: unknown, maxFeatures: number): Promise<Result<ListQuery>> {
  const q = validate(schema, query);
  if (!q.ok) return q;
  const bbox = bboxParam(q.value.bbox);
  if (!bbox.ok) return bbox;
  const div = await divisionFilter(db, q.value.division);
  if (!div.ok) return div;
  return ok({ bbox: bbox.value, communities: div.value, limit: Math.min(q.value.limit ?? maxFeatures, maxFeatures) });
}

// Shared list filters: bbox, division (resolved to the community codes of its subtree), limit —
// always narrowed to the caller's jurisdiction. Asking for a division outside it is a 403.
import { z } from 'zod';
import type { BBox } from '../../core/bbox.js';
import { divisionVisible, mapFilter, type Scope } from '../auth/scope.js';
import type { Queryable } from '../db/db.js';
import { subtreeCodes } from '../divisions/queries.js';
import { fail, ok, type Result } from '../http/errors.js';
import { bboxParam, validate } from '../http/validate.js';

const schema = z.object({
  bbox: z.string().optional(),
  division: z.string().min(1).max(64).optional(),
  limit: z.coerce.number().int().positive().optional(),
});

export interface ScopedFilter {
  /** Division codes to keep (communities, or all levels for incidents), or null for all. */
  communities: string[] | null;
  /** One grid only (grid workers), or null. */
  gridId: number | null;
}

export interface ListQuery extends ScopedFilter {
  bbox: BBox | null;
  limit: number;
}

/** The caller's jurisdiction, optionally narrowed to a requested division. */
export async function scopedDivision(db: Queryable, scope: Scope, code: string | undefined): Promise<Result<ScopedFilter>> {
  const base = mapFilter(scope);
  if (!code) return ok(base);
  const codes = await subtreeCodes(db, code);
  if (codes.length === 0) return fail('not_found', `division ${code} not found`);
  if (!divisionVisible(scope, code)) return fail('forbidden', `division ${code} is outside your jurisdiction`);
  // Inside the jurisdiction: narrow to the requested subtree. An ancestor of it: keep the jurisdiction.
  const inside = scope.kind === 'all' || scope.kind === 'department' || (scope.kind === 'division' && scope.codes.includes(code));
  return ok({ communities: inside ? codes : base.communities, gridId: base.gridId });
}

export async function listQuery(db: Queryable, query: unknown, maxFeatures: number, scope: Scope): Promise<Result<ListQuery>> {
  const q = validate(schema, query);
  if (!q.ok) return q;
  const bbox = bboxParam(q.value.bbox);
  if (!bbox.ok) return bbox;
  const div = await scopedDivision(db, scope, q.value.division);
  if (!div.ok) return div;
  return ok({ bbox: bbox.value, ...div.value, limit: Math.min(q.value.limit ?? maxFeatures, maxFeatures) });
}

/** A feature as the layer queries select it (one row more than the limit is read). */
export interface FeatureRow {
  id: number;
  geometry: unknown;
  properties: Record<string, unknown>;
}

/** Rows of a layer query as a GeoJSON FeatureCollection, flagged truncated when the limit cut it. */
export function featureCollection(rows: FeatureRow[], limit: number) {
  return {
    type: 'FeatureCollection' as const,
    truncated: rows.length > limit,
    features: rows.slice(0, limit).map((r) => ({ type: 'Feature' as const, id: r.id, geometry: r.geometry, properties: r.properties })),
  };
}

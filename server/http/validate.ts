import type { z } from 'zod';
import { parseBBox, type BBox } from '../../core/bbox.js';
import { fail, ok, type Result } from './errors.js';

/** Validate input with a zod schema; a failure is a typed invalid_request with the issues. */
export function validate<S extends z.ZodType>(schema: S, input: unknown): Result<z.infer<S>> {
  const r = schema.safeParse(input);
  if (r.success) return ok(r.data);
  return fail(
    'invalid_request',
    r.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; '),
    r.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
  );
}

export function bboxParam(value: unknown): Result<BBox | null> {
  if (value === undefined || value === '') return ok(null);
  if (typeof value !== 'string') return fail('invalid_bbox', 'bbox must be given once');
  const r = parseBBox(value);
  return r.ok ? ok(r.bbox) : fail('invalid_bbox', r.reason);
}

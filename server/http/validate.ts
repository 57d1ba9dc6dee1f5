import { z } from 'zod';
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

/**
 * A database id as written in a path or a query string: decimal digits only, 1 … 2^31−1. What
 * z.coerce.number() would also take (`0x5`, `5e0`, ` 5`, `+5`, `05`, `5.0`) is refused, so one case
 * has one address.
 */
export const idValue = z.string()
  .regex(/^[1-9][0-9]{0,9}$/, 'must be a decimal integer id (digits only, no leading zero)')
  .transform(Number)
  .pipe(z.number().int().positive().max(2 ** 31 - 1));

/** `:id` route parameters. */
export const idParam = z.object({ id: idValue });

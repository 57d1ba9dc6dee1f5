// Database failures that are the machine's condition, not a bug: the disk (or a quota) is full.
// PostgreSQL reports them as SQLSTATE class 53 (53100 disk_full, 53000 insufficient_resources; the
// embedded engine reports the same codes, its files being ordinary files), Node's file system as
// ENOSPC / EDQUOT. Callers answer 503 storage_unavailable with Retry-After instead of a 500.

const SPACE_CODES = new Set(['53100', '53000', 'ENOSPC', 'EDQUOT']);

/** True when err (or an error it wraps as `cause`) says a write failed for lack of space. */
export function isOutOfSpace(err: unknown): boolean {
  for (let e = err, depth = 0; e && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const { code, message } = e as { code?: unknown; message?: unknown };
    if (typeof code === 'string' && SPACE_CODES.has(code)) return true;
    if (typeof message === 'string' && /no space left on device|disk quota exceeded/i.test(message)) return true;
  }
  return false;
}

// Last good answers kept on the phone, so the page still works on a bad connection: the account,
// the grid, the categories. Used only when the server cannot be reached (never on 401/403).
import { ApiError, isAuthError } from '../../api/http.js';

const PREFIX = 'gc.mobile.cache.';

/** Network failures and server errors: fall back to the cache. Auth and other refusals: do not. */
export function isUnreachable(e: unknown): boolean {
  if (isAuthError(e)) return false;
  return !(e instanceof ApiError) || e.status === 0 || e.status >= 500;
}

export function readCache<T>(key: string): T | null {
  try {
    const raw = localStorage.getItem(PREFIX + key);
    return raw ? (JSON.parse(raw) as T) : null;
  } catch {
    return null;
  }
}

export function writeCache(key: string, value: unknown): void {
  try {
    localStorage.setItem(PREFIX + key, JSON.stringify(value));
  } catch {
    // full or disabled: the cache is a convenience
  }
}

/** Load fresh (and remember it), or the last good answer when the server is unreachable. */
export async function cached<T>(key: string, load: () => Promise<T>): Promise<{ value: T; stale: boolean }> {
  try {
    const value = await load();
    writeCache(key, value);
    return { value, stale: false };
  } catch (e) {
    if (!isUnreachable(e)) throw e;
    const old = readCache<T>(key);
    if (old === null) throw e;
    return { value: old, stale: true };
  }
}

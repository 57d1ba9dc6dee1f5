// The last write that failed for lack of space, remembered per app so GET /api/health can say so
// while it matters (a disk-full condition is not visible to a read-only health query).
import type { Application } from 'express';

/** Seconds a client should wait before retrying a write refused for lack of space. */
export const STORAGE_RETRY_AFTER_S = 60;
/** How long health keeps reporting storage_unavailable after the last such failure. */
export const STORAGE_REPORT_MS = 5 * 60_000;

const KEY = 'gcStorageFailure';
export interface StorageFailure { at: Date; reason: string }

export function noteStorageFailure(app: Application, err: unknown): void {
  const reason = err instanceof Error ? err.message : String(err);
  app.locals[KEY] = { at: new Date(), reason } satisfies StorageFailure;
}

/** The last space failure if it happened within STORAGE_REPORT_MS, else null. */
export function recentStorageFailure(app: Application, now = Date.now()): StorageFailure | null {
  const f = app.locals[KEY] as StorageFailure | undefined;
  return f && now - f.at.getTime() < STORAGE_REPORT_MS ? f : null;
}

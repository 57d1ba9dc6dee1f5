// Work that exactly one of several server processes must do at a time, guarded by PostgreSQL
// advisory locks (the database every process already shares). Embedded PGlite has one process by
// construction (WORKERS>1 is refused without DATABASE_URL), so there the work simply runs.
import pg from 'pg';
import type { Db } from '../db/db.js';

/** Advisory lock keys (one bigint namespace per database; 0x6763 = "gc"). */
export const LOCK = {
  /** Start-up: integrity check, migrations, first-run demo load and admin account. */
  startup: 0x6763_0001,
  /** One escalation-clock tick. */
  escalation: 0x6763_0002,
  /** The start-up warm-up of the 15-minute coverage (compute and store once, then the others load). */
  coverage: 0x6763_0003,
  /** Replacing the stored coverage run (server/coverage/engine.ts storeEngine), whoever computed it. */
  coverageStore: 0x6763_0004,
} as const;

/**
 * Run fn only if no other process holds `key`; null when one does. The lock is a transaction-level
 * lock on a connection of its own, held while fn runs on the pool's other connections, and
 * released when that transaction ends (also when this process dies: its connection closes).
 */
export async function ifLockFree<T>(db: Db, key: number, fn: () => Promise<T>): Promise<T | null> {
  if (db.kind !== 'postgres') return fn();
  return db.transaction(async (tx) => {
    const got = (await tx.query<{ got: boolean }>('SELECT pg_try_advisory_xact_lock($1::bigint) AS got', [key])).rows[0]!.got;
    return got ? fn() : null;
  });
}

/** Run fn once `key` is free (waiting for the process that holds it), holding it meanwhile. */
export async function underLock<T>(db: Db, key: number, fn: () => Promise<T>): Promise<T> {
  if (db.kind !== 'postgres') return fn();
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1::bigint)', [key]);
    return fn();
  });
}

/**
 * Hold `key` on a connection of its own to `databaseUrl` until the returned release() is called:
 * for start-up, before the main pool exists (several processes starting at once must not migrate
 * or load the demo twice).
 */
export async function holdSessionLock(databaseUrl: string, key: number): Promise<() => Promise<void>> {
  const c = new pg.Client({ connectionString: databaseUrl });
  c.on('error', () => undefined); // a lost lock connection: the lock is gone with it; start-up goes on
  await c.connect();
  await c.query('SELECT pg_advisory_lock($1::bigint)', [key]);
  return async () => {
    await c.query('SELECT pg_advisory_unlock($1::bigint)', [key]).catch(() => undefined);
    await c.end().catch(() => undefined);
  };
}

// Rate-limit counters shared by every server process (express-rate-limit's Store interface over
// the rate_limit_hit table, migration 0015). With one process the limiters keep their counters in
// memory as before; once another process may serve the same users (a socket adapter is configured)
// a per-process counter would let N processes allow N times the attempts, so they count here.
// Fixed windows, as express-rate-limit's MemoryStore: a key's window starts at its first hit and a
// hit after it ends starts a new one.
import type { Options, Store } from 'express-rate-limit';
import type { Config } from '../config.js';
import type { Queryable } from '../db/db.js';

export const RATE_SQL = {
  // $1 key, $2 window ms. Atomic on both engines: one statement, the row locked by the upsert.
  increment: `
    INSERT INTO rate_limit_hit AS r (key, hits, reset_at) VALUES ($1, 1, now() + $2::float8 * interval '1 millisecond')
    ON CONFLICT (key) DO UPDATE
      SET hits = CASE WHEN r.reset_at <= now() THEN 1 ELSE r.hits + 1 END,
          reset_at = CASE WHEN r.reset_at <= now() THEN EXCLUDED.reset_at ELSE r.reset_at END
    RETURNING hits, reset_at`,
  decrement: `UPDATE rate_limit_hit SET hits = greatest(hits - 1, 0) WHERE key = $1 AND reset_at > now()`,
  reset: `DELETE FROM rate_limit_hit WHERE key = $1`,
  /** Rows whose window ended (kept small: a few per active user). */
  sweep: `DELETE FROM rate_limit_hit WHERE reset_at < now() - interval '1 hour'`,
} as const;

export class PgRateLimitStore implements Store {
  windowMs = 60_000;
  readonly localKeys = false;
  private hitsSinceSweep = 0;
  constructor(private readonly db: Queryable, readonly prefix: string) {}
  init(options: Options): void {
    this.windowMs = options.windowMs;
  }
  private key(k: string) {
    return `${this.prefix}${k}`;
  }
  async increment(key: string) {
    const r = (await this.db.query<{ hits: number; reset_at: Date }>(RATE_SQL.increment, [this.key(key), this.windowMs])).rows[0]!;
    if (++this.hitsSinceSweep >= 1000) {
      this.hitsSinceSweep = 0;
      void this.db.query(RATE_SQL.sweep).catch(() => undefined);
    }
    return { totalHits: r.hits, resetTime: new Date(r.reset_at) };
  }
  async decrement(key: string) {
    await this.db.query(RATE_SQL.decrement, [this.key(key)]);
  }
  async resetKey(key: string) {
    await this.db.query(RATE_SQL.reset, [this.key(key)]);
  }
}

/**
 * The store for one limiter: shared through the database when other processes may serve the same
 * clients (SOCKET_ADAPTER resolved to postgres or redis), else undefined (express-rate-limit's
 * in-memory store). `prefix` keeps the limiters' keys apart.
 */
export function sharedRateLimitStore(db: Queryable, config: Pick<Config, 'socketAdapter'>, prefix: string): Store | undefined {
  return config.socketAdapter === 'none' ? undefined : new PgRateLimitStore(db, `${prefix}:`);
}

// Real PostgreSQL/PostGIS through a pg Pool.
import pg from 'pg';
import type { Db, QueryResult, Queryable } from './db.js';

// int8 (count(*), sums) as JS numbers, like PGlite does for safe integers.
pg.types.setTypeParser(20, (v) => {
  const n = Number(v);
  return Number.isSafeInteger(n) ? n : BigInt(v);
});
// numeric stays a string on both engines; queries cast to float8 where a number is meant.

export async function openPostgres(url: string, max = 10): Promise<Db> {
  const pool = new pg.Pool({ connectionString: url, max });
  // An idle connection the server closes (a restart, an administrator, a dropped test database)
  // is an 'error' on the pool; unhandled, it would end the process. The pool discards that client
  // and opens a new one when needed, so a line in the log is all it takes.
  pool.on('error', (e) => {
    console.error(`[db] an idle database connection was closed: ${e.message}`);
  });
  // Fail fast with a clear message when the server is not reachable.
  const client = await pool.connect();
  client.release();
  const wrapClient = (c: pg.Pool | pg.PoolClient): Queryable => ({
    async query<R>(sql: string, params: readonly unknown[] = []): Promise<QueryResult<R>> {
      const r = await c.query(sql, params as unknown[]);
      return { rows: r.rows as R[], rowCount: r.rowCount ?? r.rows.length };
    },
    async exec(sql: string) {
      await c.query(sql);
    },
  });
  const q = wrapClient(pool);
  return {
    kind: 'postgres',
    query: q.query,
    exec: q.exec,
    async transaction(fn) {
      const c = await pool.connect();
      try {
        await c.query('BEGIN');
        const out = await fn(wrapClient(c));
        await c.query('COMMIT');
        return out;
      } catch (e) {
        await c.query('ROLLBACK').catch(() => undefined);
        throw e;
      } finally {
        c.release();
      }
    },
    close: () => pool.end(),
  };
}

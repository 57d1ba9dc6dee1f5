// Embedded PostgreSQL + PostGIS (PGlite, WASM) persisted in a data folder.
import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { postgis } from '@electric-sql/pglite-postgis';
import type { Db, QueryResult, Queryable } from './db.js';

type PgliteLike = Pick<PGlite, 'query' | 'exec'>;

function wrap(pg: PgliteLike): Queryable {
  return {
    async query<R>(sql: string, params: readonly unknown[] = []): Promise<QueryResult<R>> {
      const r = await pg.query<R>(sql, params as unknown[]);
      return { rows: r.rows, rowCount: r.affectedRows ?? r.rows.length };
    },
    async exec(sql: string) {
      await pg.exec(sql);
    },
  };
}

export interface EmbeddedOptions {
  /** Folder to persist to; undefined = in memory. */
  dataDir?: string;
  /** A tarball from dumpDataDir() to start from (fast test databases). */
  loadDataDir?: Blob;
}

export async function openEmbedded(opts: EmbeddedOptions = {}): Promise<Db & { pglite: PGlite }> {
  if (opts.dataDir) mkdirSync(opts.dataDir, { recursive: true });
  const pg = await PGlite.create({
    dataDir: opts.dataDir,
    loadDataDir: opts.loadDataDir,
    extensions: { postgis },
  });
  const q = wrap(pg);
  return {
    kind: 'embedded',
    pglite: pg,
    query: q.query,
    exec: q.exec,
    transaction: (fn) => pg.transaction((tx) => fn(wrap(tx))),
    close: () => pg.close(),
  };
}

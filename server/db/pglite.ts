// Embedded PostgreSQL + PostGIS (PGlite, WASM) persisted in a data folder.
// A folder is opened by one process at a time (lock.ts).
import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { postgis } from '@electric-sql/pglite-postgis';
import type { Db, QueryResult, Queryable } from './db.js';
import { lockDataDir } from './lock.js';

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
  /** Who opens the folder, shown to a second process that is refused (default "server"). */
  purpose?: string;
}

export async function openEmbedded(opts: EmbeddedOptions = {}): Promise<Db & { pglite: PGlite }> {
  const dir = opts.dataDir;
  if (!dir) return wrapDb(await PGlite.create({ loadDataDir: opts.loadDataDir, extensions: { postgis } }));
  mkdirSync(dir, { recursive: true });
  // Before the engine touches the folder: a second process refuses here, naming the first.
  const lock = lockDataDir(dir, opts.purpose);
  let pg: PGlite;
  try {
    pg = await PGlite.create({ dataDir: dir, loadDataDir: opts.loadDataDir, extensions: { postgis } });
  } catch (e) {
    lock.release();
    throw e;
  }
  const db = wrapDb(pg);
  return {
    ...db,
    async close() {
      try {
        await pg.close();
      } finally {
        lock.release();
      }
    },
  };
}

function wrapDb(pg: PGlite): Db & { pglite: PGlite } {
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

// Embedded PostgreSQL + PostGIS (PGlite, WASM) persisted in a data folder.
// A folder is opened by one process at a time (lock.ts); the process holding it answers backup
// requests from `npm run backup` (backup.ts), since no second process may open the folder.
import { accessSync, constants, existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { postgis } from '@electric-sql/pglite-postgis';
import { serveBackupRequests } from './backup.js';
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

/** The engine's start-up failures as one line with the cause and what to do. */
export class EmbeddedOpenError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EmbeddedOpenError';
  }
}

/** Is the folder (or its control file) not writable? The engine checks mode bits even for root. */
function readOnlyReason(dir: string): string | null {
  for (const p of [dir, join(dir, 'global'), join(dir, 'global', 'pg_control'), join(dir, 'base')]) {
    if (!existsSync(p)) continue;
    try {
      accessSync(p, constants.W_OK);
    } catch (e) {
      return `${p}: ${(e as NodeJS.ErrnoException).code ?? 'not writable'}`;
    }
    if ((statSync(p).mode & 0o200) === 0) return `${p} is read-only`;
  }
  return null;
}

export function explainOpenError(e: unknown, dir: string): EmbeddedOpenError {
  const code = (e as NodeJS.ErrnoException | null)?.code;
  const msg = e instanceof Error ? e.message : String(e);
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
    return new EmbeddedOpenError(`cannot write to the embedded database in ${dir} (${code}): make the folder writable by this user `
      + `(chown/chmod, or a read-write mount), or set DATA_DIR to a writable folder`, { cause: e });
  }
  if (code === 'ENOSPC' || code === 'EDQUOT') {
    return new EmbeddedOpenError(`no space left for the embedded database in ${dir} (${code}): free disk space and start again`, { cause: e });
  }
  if (/Aborted\(\)|failed to initiali[sz]e/i.test(msg) || e instanceof WebAssembly.RuntimeError) {
    const ro = readOnlyReason(dir);
    if (ro) {
      return new EmbeddedOpenError(`cannot write to the embedded database in ${dir} (${ro}): make the folder and its files writable `
        + `(chmod -R u+w), or set DATA_DIR to a writable folder`, { cause: e });
    }
    return new EmbeddedOpenError(`the embedded database in ${dir} could not be opened — its files are damaged or incomplete `
      + `(the engine stopped: ${msg.split('.')[0]}): restore the latest backup (npm run restore -- <file>), or move the folder `
      + `away to start with an empty database`, { cause: e });
  }
  return new EmbeddedOpenError(`the embedded database in ${dir} could not be opened: ${msg}`, { cause: e });
}

export async function openEmbedded(opts: EmbeddedOptions = {}): Promise<Db & { pglite: PGlite }> {
  const dir = opts.dataDir;
  if (!dir) return wrapDb(await PGlite.create({ loadDataDir: opts.loadDataDir, extensions: { postgis } }));
  mkdirSync(dir, { recursive: true });
  // Before the engine touches the folder: a second process refuses here, naming the first.
  const lock = lockDataDir(dir, opts.purpose);
  // Without PG_VERSION the engine takes a folder for empty and creates a new database over what
  // is left of the old one.
  if (!opts.loadDataDir && !existsSync(join(dir, 'PG_VERSION')) && (existsSync(join(dir, 'base')) || existsSync(join(dir, 'global')))) {
    lock.release();
    throw new EmbeddedOpenError(`the embedded database in ${dir} is incomplete (PG_VERSION is missing): restore the latest backup `
      + `(npm run restore -- <file>), or move the folder away to start with an empty database`);
  }
  let pg: PGlite;
  try {
    pg = await PGlite.create({ dataDir: dir, loadDataDir: opts.loadDataDir, extensions: { postgis } });
  } catch (e) {
    lock.release();
    throw explainOpenError(e, dir);
  }
  const stopServing = serveBackupRequests(lock, pg);
  const db = wrapDb(pg);
  return {
    ...db,
    async close() {
      stopServing();
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

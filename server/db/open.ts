import { join } from 'node:path';
import type { Config } from '../config.js';
import type { Db } from './db.js';
import { checkIntegrity, DatabaseDamagedError } from './integrity.js';
import { migrate } from './migrate.js';

export interface OpenOptions {
  /** Who opens an embedded folder, named to a second process that is refused (default "server"). */
  purpose?: string;
  /** Read every table before use and refuse a damaged database (default true). */
  check?: boolean;
}

/** The embedded database's folder inside DATA_DIR. */
export const embeddedDir = (dataDir: string) => join(dataDir, 'pglite');

/**
 * Open the configured database (embedded unless DATABASE_URL is set), check that every table reads
 * whole, and apply migrations. A damaged database is refused with one line saying which tables.
 */
export async function openDb(config: Pick<Config, 'databaseUrl' | 'dataDir'>, opts: OpenOptions = {}): Promise<Db> {
  let db: Db;
  if (config.databaseUrl) {
    const { openPostgres } = await import('./pg.js');
    db = await openPostgres(config.databaseUrl);
  } else {
    const { openEmbedded } = await import('./pglite.js');
    db = await openEmbedded({ dataDir: embeddedDir(config.dataDir), purpose: opts.purpose });
  }
  try {
    if (opts.check !== false) {
      const report = await checkIntegrity(db);
      if (!report.ok) throw new DatabaseDamagedError(report, config.databaseUrl ? 'at DATABASE_URL' : `in ${embeddedDir(config.dataDir)}`);
    }
    await migrate(db);
  } catch (e) {
    await db.close().catch(() => undefined);
    throw e;
  }
  return db;
}

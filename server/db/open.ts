import { join } from 'node:path';
import type { Config } from '../config.js';
import type { Db } from './db.js';
import { migrate } from './migrate.js';

/** Open the configured database (embedded unless DATABASE_URL is set) and apply migrations. */
export async function openDb(config: Pick<Config, 'databaseUrl' | 'dataDir'>): Promise<Db> {
  let db: Db;
  if (config.databaseUrl) {
    const { openPostgres } = await import('./pg.js');
    db = await openPostgres(config.databaseUrl);
  } else {
    const { openEmbedded } = await import('./pglite.js');
    db = await openEmbedded({ dataDir: join(config.dataDir, 'pglite') });
  }
  await migrate(db);
  return db;
}

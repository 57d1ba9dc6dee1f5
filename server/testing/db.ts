// Test databases. GC_TEST_DB=embedded (default) gives a fresh in-memory PGlite+PostGIS per call,
// loaded from a cached, already-migrated dump (≈2 s instead of ≈14 s cold). GC_TEST_DB=postgres
// creates a fresh database on the server at TEST_DATABASE_URL and drops it afterwards.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import pg from 'pg';
import type { Db } from '../db/db.js';
import { listMigrations, migrate } from '../db/migrate.js';

const ROOT = resolve(import.meta.dirname, '../..');
const CACHE = join(ROOT, '.test-cache');

export type TestDbKind = 'embedded' | 'postgres';
export const testDbKind = (): TestDbKind => (process.env.GC_TEST_DB === 'postgres' ? 'postgres' : 'embedded');

export interface TestDb {
  db: Db;
  drop(): Promise<void>;
}

function migrationsHash(): string {
  const h = createHash('sha256');
  for (const m of listMigrations()) h.update(m.id).update(m.sql);
  return h.digest('hex').slice(0, 16);
}

export async function embeddedTemplate(): Promise<Blob> {
  const file = join(CACHE, `pglite-${migrationsHash()}.tar.gz`);
  if (existsSync(file)) return new Blob([readFileSync(file)]);
  const { openEmbedded } = await import('../db/pglite.js');
  const db = await openEmbedded();
  await migrate(db);
  const dump = await db.pglite.dumpDataDir('gzip');
  await db.close();
  mkdirSync(CACHE, { recursive: true });
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
  writeFileSync(tmp, Buffer.from(await dump.arrayBuffer()));
  renameSync(tmp, file);
  return dump;
}

function serverUrl(): string {
  const url = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL;
  if (!url) throw new Error('GC_TEST_DB=postgres needs TEST_DATABASE_URL (or DATABASE_URL) to point at a PostGIS server');
  return url;
}

export async function createTestDb(): Promise<TestDb> {
  if (testDbKind() === 'embedded') {
    const { openEmbedded } = await import('../db/pglite.js');
    const db = await openEmbedded({ loadDataDir: await embeddedTemplate() });
    await migrate(db); // no-op on a current template; applies anything newer
    return { db, drop: () => db.close() };
  }
  const base = serverUrl();
  const name = `gc_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(base);
  url.pathname = `/${name}`;
  const { openPostgres } = await import('../db/pg.js');
  const db = await openPostgres(url.toString(), 4);
  await migrate(db);
  return {
    db,
    async drop() {
      await db.close();
      const c = new pg.Client({ connectionString: base });
      await c.connect();
      // pool.end() returns before its connections have gone; FORCE would terminate them mid-exit.
      for (let i = 0; i < 50; i++) {
        const left = await c.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1', [name]);
        if (left.rows[0]!.n === 0) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

// A damaged database no longer goes unnoticed. The incident table's file is emptied behind the
// engine's back (embedded: the folder's file is cut while closed; PostgreSQL: the server's own
// file is overwritten with COPY … TO, superuser only). A plain count then silently finds fewer
// cases; the deep check finds the table damaged, GET /api/health?deep=1 answers 503
// database_damaged naming it, and the server refuses to start with one line saying what to do.
// Engine start-up failures (a missing control file, a read-only folder) are one line too.
import { chmodSync, readdirSync, statSync, truncateSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config.js';
import { EventBus } from '../events/bus.js';
import { createApp } from '../http/app.js';
import { insertCase } from '../testing/cases.js';
import { createTestDb, embeddedTemplate, testDbKind, type TestDb } from '../testing/db.js';
import { FIXTURE, loadFixture } from '../testing/fixture.js';
import type { Db } from './db.js';
import { checkIntegrity, type IntegrityReport } from './integrity.js';
import { explainOpenError, openEmbedded } from './pglite.js';
import { childEnv, runAsync, tempDataDir, writeFolder } from './testkit.js';

const CASES = 12;
let t: TestDb;
/** The damaged database, and how a process would be configured to open it. */
let damaged: Db;
let env: NodeJS.ProcessEnv;
let closed = false;
const tmp = tempDataDir();
let intact: IntegrityReport;
let intactHealth: request.Response;
const appOver = (db: Db) => createApp({ config: loadConfig({}), db, bus: new EventBus(), tileEncoder: 'portable', log: () => undefined });

beforeAll(async () => {
  t = await createTestDb();
  await loadFixture(t.db);
  for (let i = 0; i < CASES; i++) await insertCase(t.db, { state: 'dispatched', level: 'grid', lonLat: FIXTURE.pointA1 });
  intact = await checkIntegrity(t.db);
  intactHealth = await request(appOver(t.db)).get('/api/health?deep=1');
  if (t.db.kind === 'embedded') {
    const dump = await (t.db as Db & { pglite: { dumpDataDir(c: 'gzip'): Promise<Blob> } }).pglite.dumpDataDir('gzip');
    await writeFolder(tmp.pglite, dump);
    // The folder is a file-for-file copy: the same relation file names.
    const file = (await t.db.query<{ p: string }>(`SELECT pg_relation_filepath('incident') AS p`)).rows[0]!.p;
    truncateSync(join(tmp.pglite, file), 0); // the table's file emptied while the database is closed
    damaged = await openEmbedded({ dataDir: tmp.pglite, purpose: 'test' });
    env = childEnv(tmp.dir);
  } else {
    const path = (await t.db.query<{ p: string }>(
      `SELECT current_setting('data_directory') || '/' || pg_relation_filepath('incident') AS p`)).rows[0]!.p;
    await t.db.query(`COPY (SELECT 1 WHERE false) TO '${path.replace(/'/g, "''")}'`); // the server's file, emptied
    damaged = t.db;
    const url = new URL(process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL!);
    url.pathname = `/${(await t.db.query<{ d: string }>('SELECT current_database() AS d')).rows[0]!.d}`;
    env = childEnv(tmp.dir, { DATABASE_URL: url.toString() });
  }
}, 300_000);
afterAll(async () => {
  if (damaged && damaged !== t?.db && !closed) await damaged.close();
  await t?.drop();
  tmp.remove();
});

describe(`a damaged table on ${testDbKind()}`, () => {
  it('an intact database passes, every table read (before the damage)', () => {
    expect(intact.damaged).toEqual([]);
    expect(intact.tables.map((x) => x.table)).toEqual(expect.arrayContaining(['incident', 'grid', 'division', 'account', 'schema_migration']));
    expect(intact.tables.find((x) => x.table === 'incident')).toEqual({ table: 'incident', rows: CASES });
    expect([intactHealth.status, intactHealth.body]).toMatchObject([200, { status: 'ok', database: testDbKind(), deep: { tables: intact.tables.length } }]);
  });

  it('reads as fewer cases to a plain count, and the deep check names the table', async () => {
    const plain = (await damaged.query<{ n: number }>('SELECT count(*)::int AS n FROM incident')).rows[0]!.n;
    expect(plain).toBeLessThan(CASES); // what went unnoticed
    const report = await checkIntegrity(damaged);
    expect(report.ok).toBe(false);
    expect(report.damaged.map((d) => d.table)).toEqual(['incident']);
    expect(report.tables.find((x) => x.table === 'grid')).toEqual({ table: 'grid', rows: 3 });
  });

  it('GET /api/health stays shallow; ?deep=1 answers 503 database_damaged with the table names only', async () => {
    const app = appOver(damaged);
    await request(app).get('/api/health').expect(200);
    const r = await request(app).get('/api/health?deep=1');
    expect([r.status, r.body.error?.code]).toEqual([503, 'database_damaged']);
    expect(r.body.error.details).toEqual({ database: testDbKind(), tables: ['incident'] });
    expect(r.body.error.message).toMatch(/^tables that do not read whole: incident — restore the latest backup/);
    expect(JSON.stringify(r.body)).not.toMatch(/base\/|block/); // no file names or engine internals in public
  });

  it('the server refuses to start on it with one line naming the table and what to do', async () => {
    if (damaged !== t.db) await damaged.close(); // free the embedded folder for the server
    closed = true;
    const r = await runAsync(['server/main.ts'], env);
    expect(r.status).toBe(1);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/could not start: the database .* is damaged: table incident \(.+\) — restore the latest backup \(npm run restore -- <file>/);
  }, 300_000);
});

describe('start-up failures of the embedded engine are one line with the cause and what to do', () => {
  const folder = tempDataDir();
  beforeAll(async () => { await writeFolder(folder.pglite, await embeddedTemplate()); }, 300_000);
  afterAll(() => {
    chmodAll(folder.pglite, true);
    folder.remove();
  });
  const chmodAll = (p: string, writable: boolean) => {
    const st = statSync(p);
    chmodSync(p, writable ? st.mode | 0o200 : st.mode & ~0o222);
    if (st.isDirectory()) for (const f of readdirSync(p)) chmodAll(join(p, f), writable);
  };

  it('a read-only folder: make it writable', async () => {
    chmodAll(folder.pglite, false);
    try {
      await expect(openEmbedded({ dataDir: folder.pglite })).rejects.toThrow(
        /^cannot write to the embedded database in .* \(.*read-only\): make the folder and its files writable/);
    } finally {
      chmodAll(folder.pglite, true);
    }
  }, 120_000);

  it('a missing control file (the engine aborts): restore from a backup', async () => {
    unlinkSync(join(folder.pglite, 'global', 'pg_control'));
    await expect(openEmbedded({ dataDir: folder.pglite })).rejects.toThrow(
      /^the embedded database in .* could not be opened — its files are damaged or incomplete \(the engine stopped: Aborted\(\)\): restore the latest backup \(npm run restore -- <file>\)/);
  }, 120_000);

  it('a folder without PG_VERSION is refused, not taken for empty and created anew over the rest', async () => {
    unlinkSync(join(folder.pglite, 'PG_VERSION'));
    await expect(openEmbedded({ dataDir: folder.pglite })).rejects.toThrow(
      /^the embedded database in .* is incomplete \(PG_VERSION is missing\): restore the latest backup/);
    expect(readdirSync(join(folder.pglite, 'base')).length).toBeGreaterThan(0);
  });

  it('file system errors by code', () => {
    const err = (code: string) => Object.assign(new Error(`${code}: x`), { code });
    expect(explainOpenError(err('EROFS'), '/d').message).toBe(
      'cannot write to the embedded database in /d (EROFS): make the folder writable by this user (chown/chmod, or a read-write mount), or set DATA_DIR to a writable folder');
    expect(explainOpenError(err('EACCES'), '/d').message).toMatch(/^cannot write to the embedded database in \/d \(EACCES\)/);
    expect(explainOpenError(err('ENOSPC'), '/d').message).toMatch(/^no space left for the embedded database in \/d \(ENOSPC\): free disk space/);
  });
});

// Backups: `npm run backup` while the server runs and takes reports, then `npm run restore` into
// the stopped server's database, finds every case reported before the backup (and none after).
// Embedded: the running server writes the copy itself (it holds the folder); PostgreSQL: pg_dump /
// pg_restore, as the README documents.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, testDbKind, type TestDb } from '../testing/db.js';
import { FIXTURE, loadFixture } from '../testing/fixture.js';
import { loadPrincipals, type Principals } from '../testing/principals.js';
import type { Db } from './db.js';
import { openEmbedded } from './pglite.js';
import { childEnv, runAsync, startServer, tempDataDir, writeFolder, type ChildServer } from './testkit.js';

let t: TestDb;
let who: Principals;
let env: NodeJS.ProcessEnv;
let server: ChildServer | undefined;
const tmp = tempDataDir();
const embedded = testDbKind() === 'embedded';
const backup1 = join(tmp.dir, 'copies', 'while-running.bak');
const backup2 = join(tmp.dir, 'copies', 'stopped.bak');

beforeAll(async () => {
  t = await createTestDb();
  const grids = await loadFixture(t.db);
  who = await loadPrincipals(t.db, grids);
  if (embedded) {
    await writeFolder(tmp.pglite, await (t.db as Db & { pglite: { dumpDataDir(c: 'gzip'): Promise<Blob> } }).pglite.dumpDataDir('gzip'));
    env = childEnv(tmp.dir);
  } else {
    const url = new URL(process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL!);
    url.pathname = `/${(await t.db.query<{ d: string }>('SELECT current_database() AS d')).rows[0]!.d}`;
    env = childEnv(tmp.dir, { DATABASE_URL: url.toString() });
  }
}, 300_000);
afterAll(async () => {
  await server?.stop('SIGKILL');
  await t?.drop();
  tmp.remove();
});

let seq = 0;
const report = () => ({ lon: FIXTURE.pointA1[0], lat: FIXTURE.pointA1[1], category: 'noise', description: `备份测试 ${++seq}`, source: 'patrol', clientKey: `backup-${process.pid}-${seq}` });
async function post(path: string, body: object): Promise<{ status: number; body: Record<string, unknown> }> {
  const r = await fetch(`${server!.url}${path}`, {
    method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${who.tokens.gridA1}` }, body: JSON.stringify(body),
  });
  return { status: r.status, body: await r.json() as Record<string, unknown> };
}
async function caseIds(): Promise<number[]> {
  const q = 'SELECT id FROM incident ORDER BY id';
  if (!embedded) return (await t.db.query<{ id: number }>(q)).rows.map((r) => r.id);
  const db = await openEmbedded({ dataDir: tmp.pglite, purpose: 'test' });
  try {
    return (await db.query<{ id: number }>(q)).rows.map((r) => r.id);
  } finally {
    await db.close();
  }
}

describe(`npm run backup / npm run restore on ${testDbKind()}`, () => {
  it('a backup taken while the server takes reports restores every case reported before it', async () => {
    server = await startServer(env);
    const before: number[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await post('/api/incidents', report());
      expect(r.status).toBe(201);
      before.push(r.body.id as number);
    }
    const batch = await post('/api/incidents/batch', { incidents: Array.from({ length: 5 }, report) });
    expect(batch.status).toBe(200);
    before.push(...(batch.body.results as { incident: { id: number } }[]).map((x) => x.incident.id));

    const b = await runAsync(['scripts/backup.ts', backup1], env);
    expect(b.status, b.stderr).toBe(0);
    expect(b.stdout).toMatch(embedded
      ? new RegExp(`^backup: process ${server.pid} \\(server\\) wrote ${backup1} \\(`)
      : new RegExp(`^backup: wrote ${backup1} \\(.*pg_dump custom format`));
    if (embedded) {
      // While the server holds the folder a restore refuses, naming it.
      const refused = await runAsync(['scripts/restore.ts', backup1], env);
      expect(refused.status).toBe(1);
      expect(refused.stderr).toMatch(new RegExp(`^restore: the embedded database in .* is in use by process ${server.pid} .* — stop it before restoring\\n$`));
    }

    const after = await post('/api/incidents', report());
    expect(after.status).toBe(201);
    expect(await server.stop('SIGTERM')).toBe(0);
    server = undefined;
    expect(await caseIds()).toEqual([...before, after.body.id as number]);

    // With the server stopped the backup opens the database itself.
    const b2 = await runAsync(['scripts/backup.ts', backup2], env);
    expect(b2.status, b2.stderr).toBe(0);
    expect(b2.stdout).toMatch(/^backup: wrote /);

    const r = await runAsync(['scripts/restore.ts', backup1], env);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^restore: restored ${backup1} into .*: ${before.length} cases, \\d+ tables read whole`));
    expect(await caseIds()).toEqual(before);
    if (embedded) {
      // The replaced folder is kept, not deleted.
      expect(readdirSync(tmp.dir).some((f) => f.startsWith('pglite.before-restore-'))).toBe(true);
      expect(existsSync(join(tmp.dir, 'pglite.lock'))).toBe(false);
    }

    // And the later copy brings the last case back.
    const r2 = await runAsync(['scripts/restore.ts', backup2], env);
    expect(r2.status, r2.stderr).toBe(0);
    expect(await caseIds()).toEqual([...before, after.body.id as number]);
  }, 600_000);

  it('a missing or broken file is one line and changes nothing', async () => {
    const ids = await caseIds();
    const missing = await runAsync(['scripts/restore.ts', join(tmp.dir, 'nope.bak')], env);
    expect([missing.status, missing.stderr]).toEqual([1, expect.stringMatching(/^restore: .*nope\.bak: no such file\n$/)]);
    const broken = await runAsync(['scripts/restore.ts', 'package.json'], env);
    expect(broken.status).toBe(1);
    expect(broken.stderr.trim().split('\n')).toHaveLength(1);
    expect(await caseIds()).toEqual(ids);
  }, 300_000);
});

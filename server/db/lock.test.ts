// One process per embedded database folder: a second server, import or backup on the same
// DATA_DIR refuses with one line naming the first, which keeps working; a lock left by a process
// that is gone is taken over; a clean exit frees the folder. (The folder is always embedded; the
// file runs on both engines like every db test.)
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { embeddedTemplate, testDbKind } from '../testing/db.js';
import { DataDirLockedError, lockDataDir, lockPathOf, readLockOwner } from './lock.js';
import { openEmbedded } from './pglite.js';
import { childEnv, runAsync, startServer, tempDataDir, writeFolder, type ChildServer } from './testkit.js';

const deadPid = () => spawnSync(process.execPath, ['-e', '0']).pid!;

describe('lockDataDir', () => {
  const tmp = tempDataDir();
  afterAll(() => tmp.remove());

  it('refuses a second holder with a message naming the first; release frees it', () => {
    const a = lockDataDir(tmp.pglite, 'server');
    expect(readLockOwner(lockPathOf(tmp.pglite))).toMatchObject({ pid: process.pid, purpose: 'server' });
    expect(() => lockDataDir(tmp.pglite, 'import')).toThrow(DataDirLockedError);
    expect(() => lockDataDir(tmp.pglite, 'import')).toThrow(new RegExp(`in use by process ${process.pid} \\(this process\\) \\(server: `));
    a.release();
    expect(existsSync(lockPathOf(tmp.pglite))).toBe(false);
    lockDataDir(tmp.pglite, 'import').release();
  });

  it('takes over a lock whose process is gone, or whose pid now belongs to another process', () => {
    const path = lockPathOf(tmp.pglite);
    const base = { hostname: hostname(), since: '2026-01-01T00:00:00Z', purpose: 'server', command: 'node main.ts', nonce: 'old' };
    writeFileSync(path, JSON.stringify({ ...base, pid: deadPid(), bootId: null, procStart: null }));
    const a = lockDataDir(tmp.pglite);
    expect(readLockOwner(path)?.pid).toBe(process.pid);
    a.release();
    // Our own pid, but recorded with another start time: the pid was reused, the holder is gone.
    writeFileSync(path, JSON.stringify({ ...base, pid: process.pid, bootId: null, procStart: '1' }));
    const b = lockDataDir(tmp.pglite);
    expect(readLockOwner(path)?.nonce).not.toBe('old');
    b.release();
    // An unreadable lock file (a crash while writing it) is stale too.
    writeFileSync(path, '{"pid":');
    lockDataDir(tmp.pglite).release();
  });

  it('the engine refuses to open a folder another opener holds, in the same process too', async () => {
    const held = lockDataDir(tmp.pglite, 'server');
    await expect(openEmbedded({ dataDir: tmp.pglite, purpose: 'import' })).rejects.toThrow(/is in use by process \d+ \(this process\)/);
    held.release();
  });
});

describe(`two processes on one embedded DATA_DIR (db tests on ${testDbKind()})`, () => {
  const tmp = tempDataDir();
  let first: ChildServer | undefined;
  beforeAll(async () => {
    await writeFolder(tmp.pglite, await embeddedTemplate());
  }, 180_000);
  afterAll(async () => {
    await first?.stop('SIGKILL');
    tmp.remove();
  });

  it('a second server and an import refuse with one line naming the first server, which keeps working', async () => {
    first = await startServer(childEnv(tmp.dir));
    const health = async (s: ChildServer) => (await fetch(`${s.url}/api/health`)).status;
    expect(await health(first)).toBe(200);
    expect(readLockOwner(lockPathOf(tmp.pglite))).toMatchObject({ pid: first.pid, purpose: 'server' });

    const second = await runAsync(['server/main.ts'], childEnv(tmp.dir));
    expect(second.status).toBe(1);
    const lines = second.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`is in use by process ${first.pid} \\(server: .*\\) — stop that process first; a second server needs its own DATA_DIR or DATABASE_URL`));

    const imp = await runAsync(['scripts/import.ts', 'geojson/fixtures/wudaokou.osm'], childEnv(tmp.dir));
    expect(imp.status).toBe(1);
    expect(imp.stderr.trim().split('\n')).toHaveLength(1);
    expect(imp.stderr).toMatch(new RegExp(`in use by process ${first.pid} \\(server`));

    // The first server is unharmed and still holds the folder.
    expect(await health(first)).toBe(200);
    expect(readLockOwner(lockPathOf(tmp.pglite))?.pid).toBe(first.pid);
  }, 300_000);

  it('after kill -9 the next server takes the folder over; a clean stop frees it', async () => {
    expect(await first!.stop('SIGKILL')).toBeNull();
    expect(readLockOwner(lockPathOf(tmp.pglite))?.pid).toBe(first!.pid); // left behind
    const next = await startServer(childEnv(tmp.dir));
    try {
      expect((await fetch(`${next.url}/api/health`)).status).toBe(200);
      expect(readLockOwner(lockPathOf(tmp.pglite))?.pid).toBe(next.pid);
    } finally {
      expect(await next.stop('SIGTERM')).toBe(0);
    }
    expect(existsSync(lockPathOf(tmp.pglite))).toBe(false);
    // Free again: a process may open it.
    const db = await openEmbedded({ dataDir: tmp.pglite, purpose: 'test' });
    expect((await db.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    await db.close();
  }, 300_000);
});

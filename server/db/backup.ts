// Backups of the embedded database: a gzip tarball of its folder, as PGlite's dumpDataDir writes
// it and loadDataDir reads it.
//
// Consistency: the engine runs inside the process that holds the folder's lock, so only that
// process can take the copy. `npm run backup` asks it with a request file beside the lock and
// SIGUSR2; the holder runs CHECKPOINT and then dumpDataDir, which reads every file of the folder
// synchronously — no query runs in between, so the copy is what a power cut at that instant would
// leave: committed transactions are in it (data files plus the write-ahead log that the engine
// replays on start), uncommitted ones are not. When no process holds the folder, `npm run backup`
// opens it itself (taking the lock) and dumps it the same way.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import type { PGlite } from '@electric-sql/pglite';
import { ownerAlive, readLockOwner, type DataDirLock, type LockOwner } from './lock.js';

interface BackupRequest { out: string; nonce: string; pid: number }
interface BackupStatus { ok: boolean; bytes?: number; error?: string }

const requestPath = (lockPath: string) => `${lockPath}.backup-request`;
const statusPath = (lockPath: string, nonce: string) => `${lockPath}.backup-${nonce}.json`;

/** CHECKPOINT, then the folder as a gzip tarball written to `out` (atomically: a .part file renamed). */
export async function dumpTo(pg: PGlite, out: string): Promise<number> {
  await pg.exec('CHECKPOINT');
  const tar = await pg.dumpDataDir('gzip');
  const bytes = Buffer.from(await tar.arrayBuffer());
  const part = `${out}.part-${process.pid}`;
  writeFileSync(part, bytes, { mode: 0o600 }); // personal data: owner only
  renameSync(part, out);
  return bytes.length;
}

/** In the lock holder: answer backup requests (SIGUSR2) until the returned function is called. */
export function serveBackupRequests(lock: DataDirLock, pg: PGlite): () => void {
  if (process.platform === 'win32') return () => undefined;
  let busy = false;
  const onSignal = () => {
    if (busy) return;
    let req: BackupRequest;
    try {
      req = JSON.parse(readFileSync(requestPath(lock.path), 'utf8')) as BackupRequest;
      unlinkSync(requestPath(lock.path));
    } catch {
      return; // no request (a stray signal)
    }
    busy = true;
    void dumpTo(pg, req.out)
      .then((bytes): BackupStatus => ({ ok: true, bytes }), (e: unknown): BackupStatus => ({ ok: false, error: e instanceof Error ? e.message : String(e) }))
      .then((s) => {
        const path = statusPath(lock.path, req.nonce);
        writeFileSync(`${path}.part`, JSON.stringify(s));
        renameSync(`${path}.part`, path);
      })
      .catch(() => undefined)
      .finally(() => { busy = false; });
  };
  process.on('SIGUSR2', onSignal);
  return () => { process.off('SIGUSR2', onSignal); };
}

/** From another process: ask the live holder of the lock to write a backup to `out`. */
export async function requestBackup(lockPath: string, owner: LockOwner, out: string, timeoutMs = 15 * 60_000): Promise<number> {
  const nonce = randomBytes(8).toString('hex');
  const reqPath = requestPath(lockPath);
  const pending = existsSync(reqPath) ? (JSON.parse(readFileSync(reqPath, 'utf8')) as BackupRequest) : null;
  if (pending && pending.pid !== process.pid && pidAlive(pending.pid)) {
    throw new Error(`another backup (process ${pending.pid}) is waiting for process ${owner.pid}; try again when it is done`);
  }
  writeFileSync(reqPath, JSON.stringify({ out, nonce, pid: process.pid } satisfies BackupRequest));
  process.kill(owner.pid, 'SIGUSR2');
  const status = statusPath(lockPath, nonce);
  const t0 = Date.now();
  while (!existsSync(status)) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`process ${owner.pid} did not answer the backup request within ${timeoutMs / 1000} s`);
    const now = readLockOwner(lockPath);
    if (!now || now.nonce !== owner.nonce || !ownerAlive(now)) {
      throw new Error(`process ${owner.pid} stopped before writing the backup; run npm run backup again`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  let s: BackupStatus | null = null;
  try { s = JSON.parse(readFileSync(status, 'utf8')) as BackupStatus; } catch { /* unreadable */ }
  try { unlinkSync(status); } catch { /* gone */ }
  if (!s?.ok) throw new Error(`process ${owner.pid} could not write the backup: ${s?.error ?? 'unreadable answer'}`);
  return s.bytes ?? 0;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

// One process per embedded database folder. PGlite does not lock its folder: two processes on one
// folder both run, hand out the same ids and leave it broken. The opener takes `<folder>.lock`
// (created exclusively, holding its pid, host, start time and command); a second opener refuses
// with one line naming the holder. A lock whose process is gone (kill -9, power loss) is taken
// over. Liveness: process.kill(pid, 0), and on Linux the boot id and the process's start time, so
// a reused pid after a reboot is not mistaken for the holder.
import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename, dirname } from 'node:path';

export interface LockOwner {
  pid: number;
  hostname: string;
  /** ISO time the lock was taken. */
  since: string;
  /** What holds it: "server", "import", "backup", "restore", … and the command line. */
  purpose: string;
  command: string;
  /** Linux: /proc/sys/kernel/random/boot_id and the process's start time in clock ticks. */
  bootId: string | null;
  procStart: string | null;
  nonce: string;
}

export class DataDirLockedError extends Error {
  constructor(public readonly dir: string, public readonly owner: LockOwner) {
    const where = owner.hostname === hostname() ? '' : ` on host ${owner.hostname}`;
    const self = owner.pid === process.pid && where === '' ? ' (this process)' : '';
    super(`the embedded database in ${dir} is in use by process ${owner.pid}${self}${where} (${owner.purpose}: ${owner.command}, since ${owner.since})`
      + ` — stop that process first; a second server needs its own DATA_DIR or DATABASE_URL`
      + (where ? `; if that host no longer uses the folder, delete ${lockPathOf(dir)}` : ''));
    this.name = 'DataDirLockedError';
  }
}

export interface DataDirLock {
  readonly path: string;
  readonly owner: LockOwner;
  /** Remove the lock if it is still ours. Idempotent. */
  release(): void;
}

export const lockPathOf = (dir: string) => `${dir.replace(/[\\/]+$/, '')}.lock`;

const readText = (p: string): string | null => {
  try {
    return readFileSync(p, 'utf8').trim();
  } catch {
    return null;
  }
};
const bootId = () => readText('/proc/sys/kernel/random/boot_id');
/** Field 22 of /proc/<pid>/stat (after the parenthesised command name, which may hold spaces). */
function procStart(pid: number): string | null {
  const s = readText(`/proc/${pid}/stat`);
  if (!s) return null;
  return s.slice(s.lastIndexOf(')') + 2).split(' ')[19] ?? null;
}

export function readLockOwner(path: string): LockOwner | null {
  const text = readText(path);
  if (!text) return null;
  try {
    const o = JSON.parse(text) as LockOwner;
    return Number.isInteger(o.pid) && o.pid > 0 && typeof o.nonce === 'string' ? o : null;
  } catch {
    return null;
  }
}

/** Is the lock's owner still running? An owner on another host cannot be checked: assume so. */
export function ownerAlive(o: LockOwner): boolean {
  if (o.hostname !== hostname()) return true;
  try {
    process.kill(o.pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ESRCH') return false;
    // EPERM: it exists but belongs to another user.
  }
  const boot = bootId();
  if (o.bootId && boot && o.bootId !== boot) return false;
  const start = procStart(o.pid);
  if (o.procStart && start && o.procStart !== start) return false;
  return true;
}

function describeSelf(purpose: string): LockOwner {
  const args = process.argv.slice(1).map((a) => basename(a)).join(' ');
  return {
    pid: process.pid, hostname: hostname(), since: new Date().toISOString(), purpose, command: `${basename(process.argv0)} ${args}`.trim(),
    bootId: bootId(), procStart: procStart(process.pid), nonce: randomBytes(12).toString('hex'),
  };
}

/**
 * Take the folder's lock or throw DataDirLockedError naming the live holder. A stale lock (its
 * process is gone) is moved aside and replaced; when two processes race for a stale lock, the
 * rename lets only one of them win.
 */
export function lockDataDir(dir: string, purpose = 'server'): DataDirLock {
  const path = lockPathOf(dir);
  mkdirSync(dirname(path), { recursive: true });
  const me = describeSelf(purpose);
  const text = `${JSON.stringify(me, null, 2)}\n`;
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      writeFileSync(path, text, { flag: 'wx', mode: 0o600 });
      return handle(path, me);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const cur = readLockOwner(path);
    if (cur && ownerAlive(cur)) throw new DataDirLockedError(dir, cur);
    // Stale or unreadable: move it aside (atomic; a racing process gets ENOENT) and try again.
    const aside = `${path}.stale-${process.pid}-${randomBytes(4).toString('hex')}`;
    try {
      renameSync(path, aside);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw e;
    }
    const moved = readLockOwner(aside);
    if (moved && moved.nonce !== cur?.nonce && ownerAlive(moved)) {
      // Another process took the lock between our read and our rename: give it back.
      try { linkSync(aside, path); } catch { /* someone else holds it now */ }
      unlinkSync(aside);
      throw new DataDirLockedError(dir, moved);
    }
    unlinkSync(aside);
  }
  throw new Error(`could not take the lock ${path}: it keeps changing`);
}

function handle(path: string, owner: LockOwner): DataDirLock {
  let held = true;
  const release = () => {
    if (!held) return;
    held = false;
    process.off('exit', release);
    if (readLockOwner(path)?.nonce === owner.nonce) {
      try { unlinkSync(path); } catch { /* already gone */ }
    }
  };
  // A process that exits without closing the database (process.exit) still frees the folder.
  process.on('exit', release);
  return { path, owner, release };
}

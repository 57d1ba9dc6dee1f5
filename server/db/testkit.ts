// Test helpers for the data-safety tests: an embedded database folder on disk, and the real
// server and scripts run as child processes against it, as an operator would run them.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { openEmbedded } from './pglite.js';

const ROOT = resolve(import.meta.dirname, '../..');

/** A fresh temp DATA_DIR; remove() deletes it. */
export function tempDataDir(): { dir: string; pglite: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'gc-data-'));
  return { dir, pglite: join(dir, 'pglite'), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Write a database (a dumpDataDir tarball) into a folder, as a server would have left it. */
export async function writeFolder(folder: string, tarball: Blob): Promise<void> {
  const db = await openEmbedded({ dataDir: folder, loadDataDir: tarball, purpose: 'test' });
  await db.close();
}

/** Environment for a child: embedded in dataDir unless databaseUrl is given. */
export function childEnv(dataDir: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...process.env, DATA_DIR: dataDir, DATABASE_URL: '', PORT: '0', HOST: '127.0.0.1', LOAD_DEMO: 'false',
    ADMIN_PASSWORD: 'testkit-admin-2026', LOG_LEVEL: 'info', ESCALATION_INTERVAL_SECONDS: '3600', ...extra,
  };
}

export interface ChildServer {
  proc: ChildProcess;
  pid: number;
  port: number;
  url: string;
  output(): string;
  /** SIGTERM (clean shutdown) or SIGKILL; resolves with the exit code. */
  stop(signal?: 'SIGTERM' | 'SIGKILL'): Promise<number | null>;
}

/** Start server/main.ts; resolves once it prints its URL, rejects if it exits first. */
export function startServer(env: NodeJS.ProcessEnv, timeoutMs = 120_000): Promise<ChildServer> {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => { proc.kill('SIGKILL'); reject(new Error(`server did not start in time:\n${out}`)); }, timeoutMs);
    const onData = (b: Buffer) => {
      out += b.toString();
      const m = /http:\/\/127\.0\.0\.1:(\d+)\//.exec(out);
      if (m) {
        clearTimeout(timer);
        proc.stdout!.off('data', onData);
        proc.stdout!.on('data', (x: Buffer) => { out += x.toString(); });
        const port = Number(m[1]);
        resolvePromise({
          proc, pid: proc.pid!, port, url: `http://127.0.0.1:${port}`, output: () => out,
          async stop(signal = 'SIGTERM') {
            if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
            return exited;
          },
        });
      }
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', (b: Buffer) => { out += b.toString(); });
    void exited.then((code) => { clearTimeout(timer); reject(new Error(`server exited (${code}) before it was ready:\n${out}`)); });
  });
}

/** Run a process to its end: server/main.ts or a script, as `npm run …` would. */
export function run(args: string[], env: NodeJS.ProcessEnv, timeoutMs = 180_000) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', ...args], { cwd: ROOT, env, encoding: 'utf8', timeout: timeoutMs });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Asynchronous run, for when a child server must keep being served meanwhile (it is another process, but the test awaits). */
export function runAsync(args: string[], env: NodeJS.ProcessEnv, timeoutMs = 180_000): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((res) => {
    const p = spawn(process.execPath, ['--import', 'tsx', ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (b: Buffer) => { stdout += b.toString(); });
    p.stderr.on('data', (b: Buffer) => { stderr += b.toString(); });
    const timer = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    p.on('exit', (status) => { clearTimeout(timer); res({ status, stdout, stderr }); });
  });
}

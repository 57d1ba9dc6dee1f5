// WORKERS > 1: this process becomes a node cluster primary that owns the port and hands each
// incoming connection to one of N worker processes with @socket.io/sticky (a socket.io session's
// requests always reach the worker that holds it: long-polling needs that). The workers are full
// servers (server/main.ts again, in cluster.isWorker) that share live rooms through the socket
// adapter (server/events/adapter.ts). The primary serves nothing itself; a worker that dies is
// replaced, and its clients reconnect to another worker and catch up (client/src/api/socket.ts).
import cluster, { type Worker } from 'node:cluster';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setupMaster } from '@socket.io/sticky';
import type { Config } from '../config.js';

type Log = (msg: string, err?: unknown) => void;

/** Message a worker sends its primary once it serves. */
export const WORKER_READY = 'gc:worker-ready';

export interface Primary {
  port: number;
  workers(): Worker[];
  close(): Promise<void>;
}

/** Tell the primary this worker is ready (no-op outside a cluster worker). */
export function reportWorkerReady(): void {
  if (cluster.isWorker) process.send?.({ type: WORKER_READY });
}

export async function runPrimary(config: Config, log: Log): Promise<Primary> {
  // The first chunk of each connection travels to its worker over IPC as a Buffer: the default
  // JSON serialization would hand the worker a plain object and it would drop the connection.
  cluster.setupPrimary({ serialization: 'advanced' });
  const http = createServer();
  setupMaster(http, { loadBalancingMethod: 'least-connection' });
  // Check the port first (a busy one fails before any worker starts); accept connections only once
  // every worker serves (a connection handed to a worker still starting would hang).
  await new Promise<void>((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (e: NodeJS.ErrnoException) => reject(e.code === 'EADDRINUSE'
      ? new Error(`port ${config.port} on ${config.host} is already in use — stop the other process or set PORT=another port`) : e));
    probe.listen(config.port, config.host, () => probe.close(() => resolve()));
  });

  let closing = false;
  const ready = new Set<number>();
  let firstRound: ((ok: boolean) => void) | null = null;
  const spawn = (): Worker => {
    const w = cluster.fork({ GC_CLUSTER_PORT: String(config.port) });
    w.on('message', (m: { type?: string }) => {
      if (m?.type !== WORKER_READY) return;
      ready.add(w.id);
      if (ready.size >= config.workers) firstRound?.(true);
    });
    return w;
  };
  cluster.on('exit', (w, code, signal) => {
    const wasReady = ready.delete(w.id);
    if (closing) return;
    if (!wasReady && firstRound) {
      firstRound(false); // a worker could not start: the same error would end every new one
      return;
    }
    log(`worker ${w.process.pid} ended (${signal ?? `code ${code}`}); starting another in 1 s`);
    setTimeout(() => { if (!closing) spawn(); }, 1000); // a worker failing at once (database down) does not spin
  });

  const started = new Promise<boolean>((resolve) => { firstRound = resolve; });
  for (let i = 0; i < config.workers; i++) spawn();
  const ok = await started;
  firstRound = null;
  const port = ok ? await new Promise<number>((resolve, reject) => {
    http.once('error', reject);
    http.listen(config.port, config.host, () => { http.off('error', reject); resolve((http.address() as AddressInfo).port); });
  }) : 0;

  const workers = () => Object.values(cluster.workers ?? {}).filter((w): w is Worker => !!w);
  const close = async () => {
    closing = true;
    const alive = workers();
    const gone = Promise.all(alive.map((w) => new Promise<void>((r) => {
      if (w.isDead()) return r();
      w.once('exit', () => r());
    })));
    for (const w of alive) w.process.kill('SIGTERM');
    const timer = setTimeout(() => alive.forEach((w) => { if (!w.isDead()) w.process.kill('SIGKILL'); }), 15_000);
    await gone;
    clearTimeout(timer);
    if (http.listening) await new Promise<void>((r) => http.close(() => r()));
  };
  if (!ok) {
    await close();
    throw new Error('a worker process could not start (its error is above)');
  }
  return { port, workers, close };
}

// Start-up: listen first (a busy port fails fast and clearly), then open the database, migrate,
// load the demo district on first run, and mount the app. Until then requests get 503.
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Config } from './config.js';
import type { Db } from './db/db.js';
import { openDb } from './db/open.js';
import { seedDemoDepartments, upsertReferenceData } from './reference/reference.js';
import { ensureAdmin } from './auth/bootstrap.js';
import { SQL as RESIDENT_SQL } from './residents/routes.js';
import { EventBus } from './events/bus.js';
import { attachSockets } from './events/sockets.js';
import { createApp } from './http/app.js';
import { detectEncoder } from './tiles/encode.js';
import { startEscalationClock } from './incidents/escalation.js';
import { startWarningScan } from './warnings/scan.js';
import { openSocketAdapter } from './events/adapter.js';
import { holdSessionLock, ifLockFree, LOCK, underLock } from './scale/locks.js';

export interface Running {
  http: HttpServer;
  db: Db;
  bus: EventBus;
  port: number;
  close(): Promise<void>;
}

export class PortInUseError extends Error {
  constructor(public readonly port: number, public readonly host: string) {
    super(`port ${port} on ${host} is already in use — stop the other process or set PORT=another port`);
  }
}

async function warmCoverage(db: Db, speedMps: number, log: (msg: string, err?: unknown) => void): Promise<void> {
  const t0 = Date.now();
  try {
    const { getEngine } = await import('./coverage/engine.js');
    await getEngine(db, speedMps);
    log(`15-minute coverage ready in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  } catch (e) {
    log('15-minute coverage could not be computed at start (it is computed on first use)', e);
  }
}

function listen(http: HttpServer, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (e: NodeJS.ErrnoException) => reject(e.code === 'EADDRINUSE' ? new PortInUseError(port, host) : e);
    http.once('error', onError);
    http.listen(port, host, () => {
      http.off('error', onError);
      resolve((http.address() as AddressInfo).port);
    });
  });
}

export interface StartOptions {
  /** An open database (tests); the server closes it. */
  db?: Db;
  /** A node cluster worker (WORKERS > 1): the primary owns the port and hands connections over (server/scale/cluster.ts). */
  clusterWorker?: boolean;
}

export async function start(config: Config, log: (msg: string, err?: unknown) => void, opts: StartOptions = {}): Promise<Running> {
  let handler: ((req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => void) | null = null;
  const http = createServer((req, res) => {
    if (handler) return handler(req, res);
    res.writeHead(503, { 'Content-Type': 'application/json', 'Retry-After': '5' });
    res.end(JSON.stringify({ error: { code: 'starting', message: 'GridCommand is starting' } }));
  });
  const port = opts.clusterWorker ? Number(process.env.GC_CLUSTER_PORT ?? config.port) : await listen(http, config.port, config.host);
  let db: Db | undefined = opts.db;
  // Several processes starting at once on one PostgreSQL: one at a time checks, migrates and loads
  // the first-run data; the others then find it done.
  const releaseStartup = !opts.db && config.databaseUrl && config.socketAdapter !== 'none'
    ? await holdSessionLock(config.databaseUrl, LOCK.startup) : null;
  let adapter: Awaited<ReturnType<typeof openSocketAdapter>> = null;
  try {
    db ??= await openDb(config);
    await upsertReferenceData(db);
    if (config.loadDemo) {
      const { isEmpty, loadDemo } = await import('./demo/load.js');
      if (await isEmpty(db)) {
        log('loading the demo district (first run)…');
        const t0 = Date.now();
        const r = await loadDemo(db);
        log(`demo district loaded in ${((Date.now() - t0) / 1000).toFixed(1)} s: ${JSON.stringify(r.counts)}`);
        await seedDemoDepartments(db);
        await db.query(RESIDENT_SQL.seedSynthetic);
      }
    }
    await ensureAdmin(db, config, (line) => log(line));
    await releaseStartup?.();
    const bus = new EventBus();
    const tileEncoder = await detectEncoder(db);
    const app = createApp({ config, db, bus, tileEncoder, log });
    // Other processes serve the same rooms (WORKERS > 1 or several servers behind a proxy): rooms
    // go through the adapter, one process at a time runs a clock tick or stores coverage.
    const shared = config.socketAdapter !== 'none';
    adapter = await openSocketAdapter(config, log);
    const stickyWorker = opts.clusterWorker ? (await import('@socket.io/sticky')).setupWorker : undefined;
    const sockets = attachSockets(http, db, bus, { allowedOrigins: config.allowedOrigins, trustProxy: config.trustProxy, adapter, stickyWorker });
    const lockDb = db;
    const stopClock = startEscalationClock(db, bus, config.escalationIntervalMs, {
      log, ...(shared ? { exclusive: (tick) => ifLockFree(lockDb, LOCK.escalation, tick) } : {}),
    });
    // Trend early-warnings: every process may scan; an advisory lock and a unique key per warning
    // window keep them from raising one warning twice.
    const stopScan = startWarningScan(db, bus, config.warningScanIntervalMs, { log });
    handler = app;
    const opened = db;
    // The wall's life-circle colours and KPIs read stored coverage: compute it once in the
    // background (a no-op when the stored run already matches this network), never blocking start.
    const warm = shared ? underLock(db, LOCK.coverage, () => warmCoverage(lockDb, config.walkSpeedMps, log)).catch((e) => log('15-minute coverage: lock failed', e)) : warmCoverage(db, config.walkSpeedMps, log);
    return {
      http, db: opened, bus, port,
      async close() {
        await warm;
        await stopClock();
        await stopScan();
        await sockets.close();
        await new Promise<void>((resolve) => http.close(() => resolve()));
        http.closeAllConnections?.();
        await opened.close();
      },
    };
  } catch (e) {
    http.close();
    await releaseStartup?.();
    await adapter?.close().catch(() => undefined);
    await db?.close().catch(() => undefined);
    throw e;
  }
}

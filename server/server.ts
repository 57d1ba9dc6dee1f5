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

export async function start(config: Config, log: (msg: string, err?: unknown) => void, opts: { db?: Db } = {}): Promise<Running> {
  let handler: ((req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => void) | null = null;
  const http = createServer((req, res) => {
    if (handler) return handler(req, res);
    res.writeHead(503, { 'Content-Type': 'application/json', 'Retry-After': '5' });
    res.end(JSON.stringify({ error: { code: 'starting', message: 'GridCommand is starting' } }));
  });
  const port = await listen(http, config.port, config.host);
  let db: Db | undefined = opts.db;
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
    const bus = new EventBus();
    const tileEncoder = await detectEncoder(db);
    const app = createApp({ config, db, bus, tileEncoder, log });
    const sockets = attachSockets(http, db, bus, { allowedOrigins: config.allowedOrigins, trustProxy: config.trustProxy });
    const stopClock = startEscalationClock(db, bus, config.escalationIntervalMs, { log });
    handler = app;
    const opened = db;
    // The wall's life-circle colours and KPIs read stored coverage: compute it once in the
    // background (a no-op when the stored run already matches this network), never blocking start.
    const warm = warmCoverage(db, config.walkSpeedMps, log);
    return {
      http, db: opened, bus, port,
      async close() {
        await warm;
        await stopClock();
        await sockets.close();
        await new Promise<void>((resolve) => http.close(() => resolve()));
        http.closeAllConnections?.();
        await opened.close();
      },
    };
  } catch (e) {
    http.close();
    await db?.close().catch(() => undefined);
    throw e;
  }
}

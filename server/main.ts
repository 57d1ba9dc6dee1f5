// Entry point: `node --import tsx server/main.ts` (npm start does this after install and build).
// WORKERS > 1: this process is the cluster primary and the same file runs in each worker.
import cluster from 'node:cluster';
import { loadConfig } from './config.js';
import { pagePaths } from './http/app.js';
import { PortInUseError, start } from './server.js';
import { reportWorkerReady, runPrimary } from './scale/cluster.js';

let config: ReturnType<typeof loadConfig>;
try {
  config = loadConfig();
} catch (e) {
  // A bad setting is the operator's mistake, not a bug: one line that names it, no stack.
  console.error(`[gridcommand] error: ${e instanceof Error ? e.message : String(e)} (see .env.example)`);
  process.exit(1);
}
const log = (msg: string, err?: unknown) => {
  if (config.logLevel === 'silent') return;
  if (err) console.error(`[gridcommand] ${msg}:`, err instanceof Error ? err.stack ?? err.message : err);
  else console.log(`[gridcommand] ${msg}`);
};

if (config.workers > 1 && cluster.isPrimary) {
  try {
    log(`starting ${config.workers} worker processes on PostgreSQL (DATABASE_URL), live rooms shared through the ${config.socketAdapter} adapter…`);
    const primary = await runPrimary(config, log);
    log(`ready — ${config.workers} workers behind one port (sticky sessions). Map data © OpenStreetMap contributors; grids, households and incidents are synthetic.`);
    const host = config.host === '0.0.0.0' ? '127.0.0.1' : config.host;
    for (const p of pagePaths(config)) console.log(`http://${host}:${primary.port}${p}`);
    let closing = false;
    const shutdown = async (sig: string) => {
      if (closing) return;
      closing = true;
      log(`${sig}: shutting down the workers`);
      await primary.close().catch((e) => log('shutdown error', e));
      process.exit(0);
    };
    process.on('SIGINT', () => void shutdown('SIGINT'));
    process.on('SIGTERM', () => void shutdown('SIGTERM'));
  } catch (e) {
    console.error(`[gridcommand] error: could not start: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  }
} else try {
  const worker = cluster.isWorker;
  if (worker) {
    const running = await start(config, log, { clusterWorker: true });
    log(`worker ${process.pid} ready — database: ${running.db.kind}`);
    reportWorkerReady();
    let closing = false;
    const shutdown = async () => {
      if (closing) return;
      closing = true;
      await running.close().catch((e) => log('shutdown error', e));
      process.exit(0);
    };
    process.on('SIGTERM', () => void shutdown());
    process.on('SIGINT', () => undefined); // Ctrl-C reaches the whole group: the primary decides
  } else {
    log(`starting on ${config.databaseUrl ? 'PostgreSQL (DATABASE_URL)' : `embedded PGlite+PostGIS in ${config.dataDir}`}…`);
    const running = await start(config, log);
    const health = (await running.db.query<{ v: string }>('SELECT postgis_lib_version() AS v')).rows[0]!.v;
    log(`ready — database: ${running.db.kind}, PostGIS ${health}. Map data © OpenStreetMap contributors; grids, households and incidents are synthetic.`);
    const host = config.host === '0.0.0.0' ? '127.0.0.1' : config.host;
    for (const p of pagePaths(config)) console.log(`http://${host}:${running.port}${p}`);
    let closing = false;
    const shutdown = async (sig: string) => {
      if (closing) return;
      closing = true;
      log(`${sig}: shutting down`);
      await running.close().catch((e) => log('shutdown error', e));
      process.exit(0);
    };
    process.on('SIGINT', () => void shutdown('SIGINT'));
    process.on('SIGTERM', () => void shutdown('SIGTERM'));
  }
} catch (e) {
  if (e instanceof PortInUseError) {
    console.error(`[gridcommand] error: ${e.message}`);
  } else {
    console.error(`[gridcommand] error: could not start: ${e instanceof Error ? e.message : String(e)}`);
  }
  process.exit(1);
}

// The socket.io adapter that lets several server processes serve the same live rooms: every
// `io.to(rooms).emit(...)`, `disconnectSockets()` and `fetchSockets()` reaches the sockets of all
// processes. Maintained engines only: @socket.io/postgres-adapter (LISTEN/NOTIFY on the database
// the servers already share; payloads over 8 kB go through the socket_io_attachments table,
// migration 0015) or @socket.io/redis-adapter when REDIS_URL is set. One process: no adapter.
import type { Server } from 'socket.io';
import type { Config } from '../config.js';

export interface SocketAdapter {
  kind: Config['socketAdapter'];
  /** Install on a socket.io server (before any socket connects). */
  install(io: Server): void;
  /** Close the adapter's own connections (after io.close()). */
  close(): Promise<void>;
}

type Log = (msg: string, err?: unknown) => void;

/** Open the configured adapter's connections; null when this process serves alone. */
export async function openSocketAdapter(config: Pick<Config, 'socketAdapter' | 'databaseUrl' | 'redisUrl'>, log: Log): Promise<SocketAdapter | null> {
  if (config.socketAdapter === 'postgres') {
    const [{ default: pg }, { createAdapter }] = await Promise.all([import('pg'), import('@socket.io/postgres-adapter')]);
    // Its own small pool: one connection LISTENs for good, the others NOTIFY.
    const pool = new pg.Pool({ connectionString: config.databaseUrl, max: 4 });
    pool.on('error', (e) => log(`socket adapter: an idle database connection was closed: ${e.message}`));
    (await pool.connect()).release(); // fail fast, like the main pool
    return {
      kind: 'postgres',
      install: (io) => {
        io.adapter(createAdapter(pool, {
          heartbeatInterval: 5000,
          heartbeatTimeout: 15_000,
          errorHandler: (e) => log('socket adapter (postgres) error', e),
        }));
      },
      close: () => pool.end(),
    };
  }
  if (config.socketAdapter === 'redis') {
    const [{ createClient }, { createAdapter }] = await Promise.all([import('redis'), import('@socket.io/redis-adapter')]);
    const pub = createClient({ url: config.redisUrl });
    const sub = pub.duplicate();
    pub.on('error', (e: Error) => log('socket adapter (redis) error', e));
    sub.on('error', (e: Error) => log('socket adapter (redis) error', e));
    await Promise.all([pub.connect(), sub.connect()]);
    return {
      kind: 'redis',
      install: (io) => { io.adapter(createAdapter(pub, sub)); },
      async close() {
        await Promise.allSettled([pub.quit(), sub.quit()]);
      },
    };
  }
  return null;
}

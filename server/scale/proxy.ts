// A minimal TCP front for tests and the benchmark, standing in for the reverse proxy of
// docs/DEPLOYMENT.md (nginx with ip_hash and proxy_next_upstream): each connection goes to the
// first backend in its preference order that accepts it, so a client stays on "its" process and
// moves to the next one when that process is gone. Not used by the server itself.
import { connect, createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export interface TcpFront {
  port: number;
  url: string;
  /** Backend port each accepted connection went to, in order. */
  routed: number[];
  close(): Promise<void>;
}

function dial(port: number): Promise<Socket | null> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('connect', () => { s.removeAllListeners('error'); resolve(s); });
    s.once('error', () => { s.destroy(); resolve(null); });
  });
}

/** Listen on a loopback port; forward each connection to the first of `backends` that accepts it. */
export async function tcpFront(backends: () => number[]): Promise<TcpFront> {
  const routed: number[] = [];
  const open = new Set<Socket>();
  const server: Server = createServer((client) => {
    client.pause();
    open.add(client);
    client.on('error', () => client.destroy());
    client.once('close', () => open.delete(client));
    void (async () => {
      for (const port of backends()) {
        const up = await dial(port);
        if (!up) continue;
        if (client.destroyed) { up.destroy(); return; }
        routed.push(port);
        open.add(up);
        up.once('close', () => { open.delete(up); client.destroy(); });
        up.on('error', () => up.destroy());
        client.once('close', () => up.destroy());
        client.pipe(up);
        up.pipe(client);
        client.resume();
        return;
      }
      client.destroy(); // no backend alive
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port, url: `http://127.0.0.1:${port}`, routed,
    close: () => new Promise<void>((resolve) => {
      for (const s of open) s.destroy();
      server.close(() => resolve());
    }),
  };
}

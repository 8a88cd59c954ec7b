import net from 'node:net';

/**
 * A TCP proxy on 127.0.0.1 in front of the shared PostgreSQL server, so a test can make "the
 * database" stop and come back without touching the server other people use.
 */
export interface TcpProxy {
  /** `postgres://…` with the proxy's host and port in place of the server's. */
  url: string;
  /** The database stops: open connections are cut, new ones refused (ECONNREFUSED). */
  stop(): Promise<void>;
  /**
   * The network goes silent: connections are accepted and kept, but nothing passes either way,
   * as when packets are dropped. Only timeouts can tell.
   */
  freeze(): void;
  /** Back to normal; connections frozen meanwhile are cut, as a real partition's would be. */
  start(): Promise<void>;
  close(): Promise<void>;
}

export async function startTcpProxy(databaseUrl: string): Promise<TcpProxy> {
  const target = new URL(databaseUrl);
  const upstream = { host: target.hostname, port: Number(target.port || 5432) };
  const sockets = new Set<net.Socket>();
  let frozen = false;

  const track = (socket: net.Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  };
  const server = net.createServer((client) => {
    track(client);
    if (frozen) return; // accepted, then nothing: a black hole
    const server = net.connect(upstream);
    track(server);
    client.pipe(server);
    server.pipe(client);
    client.on('close', () => server.destroy());
    server.on('close', () => client.destroy());
  });
  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  const closeListener = () => new Promise<void>((resolve) => server.close(() => resolve()));
  const cutAll = () => {
    for (const socket of sockets) socket.destroy();
  };

  await listen(0);
  const port = (server.address() as net.AddressInfo).port;
  const url = new URL(databaseUrl);
  url.hostname = '127.0.0.1';
  url.port = String(port);

  return {
    url: url.toString(),
    async stop() {
      const closed = closeListener();
      cutAll();
      await closed;
    },
    freeze() {
      frozen = true;
      for (const socket of sockets) socket.unpipe();
      for (const socket of sockets) socket.pause();
    },
    async start() {
      if (frozen) {
        frozen = false;
        cutAll();
      }
      if (!server.listening) await listen(port);
    },
    async close() {
      frozen = false;
      const closed = server.listening ? closeListener() : Promise.resolve();
      cutAll();
      await closed;
    },
  };
}

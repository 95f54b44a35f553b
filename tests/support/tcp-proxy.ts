/**
 * A TCP proxy in front of PostgreSQL that a test can turn into a broken network: `blackhole` keeps
 * every connection open and accepts new ones but passes nothing on (a partition: the bytes wait, as
 * TCP would keep them, and flow again on `forward`); `refuse` drops every connection and refuses new
 * ones (a database that is down).
 */
import { createServer, connect, type Server, type Socket } from 'node:net';

export type ProxyMode = 'forward' | 'blackhole' | 'refuse';

export interface TcpProxy {
  port: number;
  mode: ProxyMode;
  forward(): Promise<void>;
  blackhole(): void;
  refuse(): Promise<void>;
  stop(): Promise<void>;
}

interface Link {
  client: Socket;
  upstream: Socket | null;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const links = new Set<Link>();
  let mode: ProxyMode = 'forward';
  let server: Server;

  /** Moves bytes from one side to the other only while forwarding. */
  const relay = (from: Socket, to: Socket) => {
    from.on('data', (chunk) => {
      if (!to.write(chunk)) from.pause();
    });
    to.on('drain', () => {
      if (mode === 'forward') from.resume();
    });
  };
  const open = (link: Link) => {
    const upstream = connect(target.port, target.host);
    link.upstream = upstream;
    relay(link.client, upstream);
    relay(upstream, link.client);
    const close = () => {
      link.client.destroy();
      upstream.destroy();
      links.delete(link);
    };
    upstream.on('error', close).on('close', close);
    link.client.on('error', close).on('close', close);
  };
  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      server = createServer((client) => {
        const link: Link = { client, upstream: null };
        links.add(link);
        if (mode === 'forward') open(link);
        else client.pause();
        client.on('close', () => {
          if (!link.upstream) links.delete(link);
        });
      });
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
  await listen(0);
  const port = (server!.address() as { port: number }).port;
  const closeServer = () => new Promise<void>((resolve) => server.close(() => resolve()));
  const dropAll = () => {
    for (const link of links) {
      link.client.destroy();
      link.upstream?.destroy();
    }
    links.clear();
  };

  return {
    port,
    get mode() {
      return mode;
    },
    async forward() {
      if (mode === 'refuse') await listen(port);
      mode = 'forward';
      for (const link of links) {
        if (!link.upstream) open(link);
        link.client.resume();
        link.upstream?.resume();
      }
    },
    blackhole() {
      mode = 'blackhole';
      for (const link of links) {
        link.client.pause();
        link.upstream?.pause();
      }
    },
    async refuse() {
      const wasListening = mode !== 'refuse';
      mode = 'refuse';
      dropAll();
      if (wasListening) await closeServer();
    },
    async stop() {
      const wasListening = mode !== 'refuse';
      mode = 'refuse';
      dropAll();
      if (wasListening) await closeServer();
    },
  };
}

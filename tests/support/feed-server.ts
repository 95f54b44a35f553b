/**
 * A local stand-in for a real feed: serves items in the contract's envelope with an index cursor,
 * and can be told to fail the way real feeds do (500, HTML, a hang, a wrong envelope, a cursor that
 * never advances or goes round in a circle while the feed says there is more, a 401 that quotes back
 * the URL and the credentials it was sent).
 */
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type FeedFault = 'none' | 'error' | 'html' | 'hang' | 'garbage' | 'stuck' | 'circle' | 'unauthorized';

export interface TestFeedServer {
  url: string;
  /** Items in the order the feed serves them; push to add. */
  items: Record<string, unknown>[];
  fault: FeedFault;
  /** Requests answered so far (all faults included). */
  requests: number;
  /** The path, query and headers of the last request. */
  lastRequest: { url: string; headers: IncomingHttpHeaders } | null;
  /** Milliseconds before each answer. */
  delayMs: number;
  stop(): Promise<void>;
}

export async function startFeedServer(): Promise<TestFeedServer> {
  const sockets = new Set<Socket>();
  const hanging = new Set<ServerResponse>();
  const state: TestFeedServer = {
    url: '',
    items: [],
    fault: 'none',
    requests: 0,
    lastRequest: null,
    delayMs: 0,
    stop: async () => {},
  };
  const server: Server = createServer((request, response) => {
    state.requests++;
    state.lastRequest = { url: request.url ?? '/', headers: request.headers };
    if (state.delayMs > 0) setTimeout(() => answer(request.url, response), state.delayMs);
    else answer(request.url, response);
  });
  function answer(path: string | undefined, response: ServerResponse) {
    if (response.destroyed) return;
    const url = new URL(path ?? '/', 'http://localhost');
    switch (state.fault) {
      case 'error':
        response.writeHead(503, { 'content-type': 'text/plain' }).end('maintenance');
        return;
      case 'html':
        response
          .writeHead(200, { 'content-type': 'text/html' })
          .end('<html><body>Login required</body></html>');
        return;
      case 'garbage':
        response.writeHead(200, { 'content-type': 'application/json' }).end('{"items": 5}');
        return;
      case 'hang':
        hanging.add(response);
        return;
      case 'stuck':
      case 'circle': {
        // The first page, always with more to come; the next cursor is "stuck", or a → b → a.
        const since = url.searchParams.get('since');
        const next = state.fault === 'stuck' ? 'stuck' : since === 'a' ? 'b' : 'a';
        const items = state.items.slice(0, Number(url.searchParams.get('limit') ?? 100));
        response
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ items, next, hasMore: true }));
        return;
      }
      case 'unauthorized':
        response
          .writeHead(401, { 'content-type': 'application/json' })
          .end(JSON.stringify({ error: 'refused', url: path, headers: state.lastRequest?.headers }));
        return;
      case 'none':
        break;
    }
    const since = Number(url.searchParams.get('since') ?? 0);
    const limit = Number(url.searchParams.get('limit') ?? 100);
    const page = state.items.slice(since, since + limit);
    const next = since + page.length;
    response
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ items: page, next: String(next), hasMore: next < state.items.length }));
  }
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/feed`;
  state.stop = async () => {
    for (const response of hanging) response.destroy();
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return state;
}

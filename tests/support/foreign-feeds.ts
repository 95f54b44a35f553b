/**
 * Local stand-ins for foreign systems' feeds, each paging its own way, to test that a feed's
 * configuration alone reads them: our envelope with an index cursor; page numbers over a POST with
 * the list nested in `data.list` and a `beginTime` filter; offsets behind a bearer token; a time
 * cursor `updated_after` in epoch milliseconds behind basic auth; any of them over HTTPS. Every request is kept, so a test
 * can say what the feed was asked for; wrong credentials get a 401 that quotes back what it was sent.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { parseTime } from '../../shared/time-formats.js';

export type ForeignShape = 'cursor' | 'page' | 'offset' | 'updatedAfter';

export interface ForeignRequest {
  method: string;
  query: Record<string, string>;
  /** A POST's JSON body. */
  body: Record<string, unknown> | null;
  authorization: string | undefined;
}

export interface ForeignFeed {
  url: string;
  /** The feed's records in its own shape, in the order it serves them; push to grow. */
  items: Record<string, unknown>[];
  /** Every request, in order; clear to count from now. */
  requests: ForeignRequest[];
  /** The `authorization` a request must carry, or null when the feed is open. */
  credentials: string | null;
  stop(): Promise<void>;
}

export interface ForeignFeedOptions {
  credentials?: string;
  /** The field of a record holding its update time (ISO with an offset): `beginTime` and `updated_after` filter on it. */
  timeField?: string;
  /** Serve HTTPS with this key and certificate (PEM). */
  tls?: { key: string; cert: string };
}

const PAGE_BEGIN = { format: 'YYYY-MM-DD HH:mm:ss', zone: 'Asia/Shanghai' } as const;

export async function startForeignFeed(
  shape: ForeignShape,
  options: ForeignFeedOptions = {},
): Promise<ForeignFeed> {
  const timeField = options.timeField ?? 'updatedAt';
  const timeOf = (item: Record<string, unknown>) => Date.parse(String(item[timeField]));
  const sockets = new Set<Socket>();
  const feed: ForeignFeed = {
    url: '',
    items: [],
    requests: [],
    credentials: options.credentials ?? null,
    stop: async () => {},
  };

  const answers: Record<ForeignShape, (request: ForeignRequest) => unknown> = {
    cursor: ({ query }) => {
      const since = Number(query.since ?? 0);
      const page = feed.items.slice(since, since + Number(query.limit ?? 100));
      const next = since + page.length;
      return { items: page, next: String(next), hasMore: next < feed.items.length };
    },
    page: ({ body }) => {
      const begin = body?.beginTime === undefined ? null : parseTime(body.beginTime, PAGE_BEGIN);
      if (begin !== null && !(begin instanceof Date)) throw new Error(begin.error);
      const held = begin ? feed.items.filter((item) => timeOf(item) >= begin.getTime()) : feed.items;
      const [number, size] = [Number(body?.pageNo), Number(body?.pageSize)];
      return {
        code: 0,
        data: { list: held.slice((number - 1) * size, number * size), total: held.length },
      };
    },
    offset: ({ query }) => {
      const offset = Number(query.offset);
      return { results: feed.items.slice(offset, offset + Number(query.limit)) };
    },
    updatedAfter: ({ query }) => {
      const after = Number(query.updated_after);
      const newer = feed.items.filter((item) => timeOf(item) > after).sort((a, b) => timeOf(a) - timeOf(b));
      return { items: newer.slice(0, Number(query.limit)) };
    },
  };

  const handler = (incoming: IncomingMessage, response: ServerResponse) => void receive(incoming, response);
  const server: Server = options.tls ? createTlsServer(options.tls, handler) : createServer(handler);
  async function receive(incoming: IncomingMessage, response: ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const chunk of incoming) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const url = new URL(incoming.url ?? '/', 'http://localhost');
    const request: ForeignRequest = {
      method: incoming.method ?? 'GET',
      query: Object.fromEntries(url.searchParams),
      body: text ? (JSON.parse(text) as Record<string, unknown>) : null,
      authorization: incoming.headers.authorization,
    };
    feed.requests.push(request);
    const json = (status: number, value: unknown) =>
      response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
    // A careless system: it quotes back the credentials it refused.
    if (feed.credentials !== null && request.authorization !== feed.credentials)
      return json(401, { error: 'bad credentials', got: request.authorization ?? null });
    try {
      json(200, answers[shape](request));
    } catch (error) {
      json(400, { error: (error as Error).message });
    }
  }
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  feed.url = `${options.tls ? 'https' : 'http'}://127.0.0.1:${(server.address() as AddressInfo).port}/api/${shape}`;
  feed.stop = async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return feed;
}

/**
 * The simulator over HTTP: every feed in the contract's envelope, a few control endpoints for
 * tests and demos, and the timer that keeps the city going. Plain node:http: an outage must be
 * able to never answer, and stop() must be able to cut such a request off.
 *
 *     GET  /feeds/:feed?since=<cursor>&limit=<n>   {items, next, hasMore}
 *     GET  /control/status
 *     POST /control/outage  {feed, mode, seconds}
 *     POST /control/spike   {street, category, count, seconds, feed?}
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { z } from 'zod';
import { describeIssues, type CityConfig } from '../../shared/city.js';
import { FEEDS, type FeedName } from '../../shared/feeds/index.js';
import { CursorError, parseCursor, parseLimit } from './log.js';
import { createCityModel, DEFAULT_SEED } from './model.js';
import { OUTAGE_MODES, SPIKE_CATEGORIES, type OutageMode, type Scenario } from './scenario.js';
import { Simulation, type FeedLogs, type SpikeRequest } from './simulation.js';

export interface SimulatorOptions {
  city: CityConfig;
  seed?: number;
  scenario?: Scenario;
  /** History generated at start, in days; default 30. */
  backfillDays?: number;
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** The clock; every time in the simulation comes from it. */
  now?: () => Date;
  /** How often the city moves on, ms; default 1000. */
  tickMs?: number;
}

export interface RunningSimulator {
  /** `http://host:port`, no trailing slash. */
  url: string;
  feedUrl(feed: FeedName): string;
  startedAt: Date;
  /** The feeds' change logs, for tests. */
  log: FeedLogs;
  /** Moves the city on to now() at once, as the timer would; returns the changes published. */
  tick(): number;
  /** Makes a feed fail in the given way for `ms`. */
  outage(feed: FeedName, mode: OutageMode, ms: number): void;
  /** Adds `count` events of a category to a street, spread over `overMs`; returns the events added. */
  spike(request: SpikeRequest): number;
  status(): ReturnType<Simulation['status']>;
  /** Closes the server, cutting off open (even hanging) requests, and stops the timer. */
  stop(): Promise<void>;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const outageBody = z.strictObject({
  feed: z.enum(FEEDS),
  mode: z.enum(OUTAGE_MODES),
  seconds: z.number().positive().max(86_400),
});

const spikeBody = z
  .strictObject({
    feed: z.enum(['incident', 'fraud']).default('incident'),
    street: z.string().min(1),
    category: z.string().min(1),
    count: z.number().int().min(1).max(10_000),
    seconds: z.number().min(0).max(86_400).default(0),
  })
  .refine((b) => (SPIKE_CATEGORIES[b.feed] as readonly string[]).includes(b.category), {
    path: ['category'],
    message: 'not a category of that feed',
  });

const HTML_PAGE =
  '<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1><p>nginx</p></body></html>';

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  type = 'application/json; charset=utf-8',
): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(text);
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > 64 * 1024) throw new HttpError(413, 'too_large', 'the body is over 64 KB');
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
  } catch {
    throw new HttpError(400, 'bad_json', 'the body is not valid JSON');
  }
}

function validate<T>(schema: z.ZodType<T>, json: unknown): T {
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new HttpError(400, 'bad_request', describeIssues(parsed.error).join('; '));
  return parsed.data;
}

/** Starts the simulator: generates the backfill, listens, and ticks until stopped. */
export async function startSimulator(options: SimulatorOptions): Promise<RunningSimulator> {
  const clock = options.now ?? (() => new Date());
  const now = () => clock().getTime();
  const model = createCityModel(options.city, options.seed ?? DEFAULT_SEED);
  const simulation = new Simulation(model, now(), {
    backfillDays: options.backfillDays ?? 30,
    scenario: options.scenario,
  });
  const streets = new Set(options.city.streets.map((s) => s.code));

  function serveFeed(feed: FeedName, url: URL, res: ServerResponse): void {
    const outage = simulation.outageAt(feed, now());
    switch (outage?.mode) {
      case 'error':
        return send(res, 503, {
          code: 'unavailable',
          message: `the ${feed} feed is down (simulated outage)`,
        });
      case 'hang':
        // Never answer: the socket stays open until the client gives up or stop() destroys it.
        return;
      case 'html':
        return send(res, 200, HTML_PAGE, 'text/html; charset=utf-8');
      case 'garbage':
        return send(res, 200, { items: 5 });
      case undefined:
        break;
    }
    let since: string | null;
    let limit: number;
    try {
      since = url.searchParams.get('since');
      parseCursor(since);
      limit = parseLimit(url.searchParams.get('limit'));
    } catch (error) {
      if (error instanceof CursorError) throw new HttpError(400, 'bad_request', error.message);
      throw error;
    }
    send(res, 200, simulation.logs[feed].pageJson(since, limit));
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://simulator');
    const feedMatch = /^\/feeds\/([^/]+)\/?$/.exec(url.pathname);
    if (req.method === 'GET' && feedMatch) {
      const feed = decodeURIComponent(feedMatch[1]!);
      if (!(FEEDS as readonly string[]).includes(feed))
        throw new HttpError(404, 'not_found', `no feed "${feed}" (${FEEDS.join(', ')})`);
      return serveFeed(feed as FeedName, url, res);
    }
    if (req.method === 'GET' && url.pathname === '/control/status') return send(res, 200, handle.status());
    if (req.method === 'GET' && url.pathname === '/')
      return send(res, 200, { feeds: Object.fromEntries(FEEDS.map((f) => [f, handle.feedUrl(f)])) });
    if (req.method === 'POST' && url.pathname === '/control/outage') {
      const body = validate(outageBody, await readJson(req));
      handle.outage(body.feed, body.mode, body.seconds * 1000);
      return send(res, 200, { ok: true, outage: handle.status().feeds[body.feed].outage });
    }
    if (req.method === 'POST' && url.pathname === '/control/spike') {
      const body = validate(spikeBody, await readJson(req));
      if (!streets.has(body.street))
        throw new HttpError(
          400,
          'bad_request',
          `street: no street "${body.street}" in ${options.city.city.code}`,
        );
      const added = handle.spike({ ...body, overMs: body.seconds * 1000 });
      return send(res, 200, { ok: true, added });
    }
    throw new HttpError(404, 'not_found', `nothing at ${req.method} ${url.pathname}`);
  }

  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    route(req, res).catch((error: unknown) => {
      if (res.headersSent) return res.destroy();
      if (error instanceof HttpError)
        return send(res, error.status, { code: error.code, message: error.message });
      send(res, 500, { code: 'internal', message: 'the simulator failed on this request' });
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host === '0.0.0.0' || host === '[::]' ? '127.0.0.1' : host}:${address.port}`;

  const timer = setInterval(() => {
    try {
      simulation.advance(now());
    } catch (error) {
      console.error('simulator tick failed:', error);
    }
  }, options.tickMs ?? 1000);
  timer.unref();

  let stopping: Promise<void> | undefined;
  const handle: RunningSimulator = {
    url,
    feedUrl: (feed) => `${url}/feeds/${feed}`,
    startedAt: new Date(simulation.startedAt),
    log: simulation.logs,
    tick: () => simulation.advance(now()),
    outage: (feed, mode, ms) => simulation.outage(feed, mode, ms, now()),
    spike: (request) => simulation.spike(request, now()),
    status: () => simulation.status(now()),
    stop() {
      stopping ??= new Promise<void>((resolve) => {
        clearInterval(timer);
        server.close(() => resolve());
        // A hanging request (or an idle keep-alive connection) would hold close() open forever.
        for (const socket of sockets) socket.destroy();
      });
      return stopping;
    },
  };
  return handle;
}

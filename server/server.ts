/**
 * A running server: database, context, app, HTTP listener and jobs, with an orderly stop.
 * main.ts runs one from the environment; tests run them on ephemeral ports.
 */
import type { Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { serve, type ServerType } from '@hono/node-server';
import type { Logger } from 'pino';
import type { CityConfig } from '../shared/city.js';
import { createApp, type App } from './app.js';
import type { FeedName } from '../shared/feeds/index.js';
import { ensureInitialWeightSet, ensureTokens, seedDemo, type IssuedToken } from './bootstrap.js';
import type { Env } from './config/env.js';
import { AckLinks, ackLinkSecret } from './alerts/links.js';
import { bridgeEvents } from './cluster/bridge.js';
import { LeaderElection } from './cluster/leader.js';
import { postgresAdapter } from './cluster/socket-adapter.js';
import { NodeRegistry } from './cluster/nodes.js';
import { clusterProblem } from './cluster/role.js';
import { CityConfigStore } from './config/store.js';
import { createContext, type AppContext } from './context.js';
import { EventBus } from './events.js';
import { openDatabase } from './db/client.js';
import { FolderLockedError } from './db/folder-lock.js';
import { feedIdKey as opaqueIdKey } from './feeds/opaque-id.js';
import { createFeedRuntime, type FeedRuntime } from './feeds/runtime.js';
import { startNodeJobs } from './jobs.js';
import { LeaderWork } from './leader-work.js';
import { displayBuild } from './live/hello.js';
import { LiveHub } from './live/hub.js';
import { createMetrics } from './metrics.js';
import { CityConfigRepository } from './repositories/city-config.js';
import { defaultNodeId } from './node-identity.js';

/** How long an idle HTTP keep-alive connection is kept open. */
const KEEP_ALIVE_MS = 65_000;

/** A reason the server cannot start that a person can act on; said without a stack trace. */
export class StartError extends Error {}

export interface RunningServer {
  ctx: AppContext;
  app: App;
  /** The live channel (Socket.IO on the server's port). */
  live: LiveHub;
  /** Whether this node does the leader's work now (always, on PGlite). */
  leads(): boolean;
  port: number;
  /** Tokens created on this start, shown once. */
  issued: IssuedToken[];
  /** Settles once the first backfill of every feed is stored and history recorded. */
  warmedUp: Promise<void>;
  stop(): Promise<void>;
}

export interface StartOptions {
  env: Env;
  city: CityConfig;
  logger: Logger;
  /** PGlite's folder; default DATA_DIR/pglite. Ignored with DATABASE_URL. */
  pgliteDir?: string;
  /** PGlite in memory (tests, benchmarks). */
  inMemory?: boolean;
  /** The image an in-memory PGlite starts from (see DatabaseOptions). */
  pgliteImage?: Blob;
  displayDir?: string;
  clock?: () => Date;
  version?: string;
  /** The file the configuration was read from (`CITY_CONFIG`), read again on SIGHUP and reload. */
  cityFile?: string;
  /** That file's text as it was read, which says whether it changed since it last seeded the store. */
  cityText?: string;
  /** Where to poll each feed, overriding the city configuration (tests' feed servers). */
  feedUrls?: Partial<Record<FeedName, string>>;
  /** Where to poll a feed the configuration gives no URL (the built-in simulator's). */
  fallbackFeedUrls?: Partial<Record<FeedName, string>>;
  /** Runs the snapshot and refresh jobs (default true). */
  jobs?: boolean;
  /** Polls each feed at its interval (default true); off, feeds are read once at start and when asked. */
  pollSchedule?: boolean;
  /** How often the live channel publishes a delta; default 250 ms. */
  liveTickMs?: number;
  /** How long history gathers the past days marked before recording them; default 30 s. */
  historyDelayMs?: number;
}

/** What a request gets while the server is still building its parts, listening already. */
const starting = () =>
  Response.json(
    { code: 'starting', message: 'the server is starting; try again in a moment' },
    { status: 503, headers: { 'retry-after': '1' } },
  );

export async function startServer(options: StartOptions): Promise<RunningServer> {
  const { env, logger } = options;
  const database = await openDatabase({
    url: env.DATABASE_URL,
    pgliteDir: options.inMemory ? undefined : (options.pgliteDir ?? join(env.DATA_DIR, 'pglite')),
    pgliteImage: options.pgliteImage,
    logger,
    timeoutMs: env.DATABASE_TIMEOUT_MS,
  }).catch((error: unknown) => {
    throw error instanceof FolderLockedError ? new StartError(error.message) : error;
  });
  let app: App | null = null;
  let server: ServerType | null = null;
  let feeds: FeedRuntime | null = null;
  let nodes: NodeRegistry | null = null;
  /** A start that fails closes what it opened (PGlite locks its folder) before saying why. */
  const undo = async () => {
    await feeds?.stop();
    await nodes?.stop();
    if (server) await new Promise((resolve) => server!.close(resolve));
    await database.close();
  };
  try {
    const problem = clusterProblem(env, database.kind);
    if (problem) throw new StartError(problem);
    await database.migrate();
    const feedIdKey = await opaqueIdKey(database.db);
    const events = new EventBus(logger);
    const ackSecret = await ackLinkSecret(database.db, env.ACK_LINK_SECRET);
    // Listening first: acknowledgement links need the address, and the live channel the server.
    server = await listen(env, (request, bindings) => (app ? app.fetch(request, bindings) : starting()));
    const port = (server.address() as AddressInfo).port;
    const metrics = createMetrics();
    const clock = options.clock ?? (() => new Date());
    const nodeId = env.NODE_ID ?? defaultNodeId();
    nodes = new NodeRegistry({
      db: database.db,
      nodeId,
      role: env.NODE_ROLE,
      version: options.version ?? '0.0.0',
      clock,
      logger,
    });
    await nodes.start();
    // The file seeds the stored configuration; the stored one is in force from here on.
    const config = await CityConfigStore.open(
      {
        repository: new CityConfigRepository(database.db),
        logger,
        events,
        file: options.cityFile ?? null,
        secretPrefix: env.SECRET_ENV_PREFIX,
      },
      options.city,
      options.cityText,
    );
    const { city } = config;
    const urlOf = (feed: FeedName) =>
      options.feedUrls?.[feed] ?? city.feeds[feed].url ?? options.fallbackFeedUrls?.[feed];
    // A feed header that cannot be read throws here.
    feeds = await createFeedRuntime(
      {
        db: database.db,
        city,
        logger,
        metrics,
        clock,
        feedIdKey,
        onStored: (feed, batch) => events.emit('feed.stored', { feed, batch }),
        secretPrefix: env.SECRET_ENV_PREFIX,
      },
      urlOf,
    );
    const ctx = createContext({
      config,
      database,
      feedIdKey,
      logger,
      metrics,
      clock,
      version: options.version,
      secretEnvPrefix: env.SECRET_ENV_PREFIX,
      historyDelayMs: options.historyDelayMs,
      events,
      feeds,
      ackLinks: new AckLinks(
        ackSecret,
        env.PUBLIC_URL ?? `http://localhost:${port}`,
        env.ACK_LINK_HOURS * 3_600_000,
      ),
      nodeId,
      nodes,
      // PGlite's folder is locked by this process: any claim found in it is a dead server's.
      exclusive: database.kind === 'pglite',
    });
    await ensureInitialWeightSet(ctx);
    const issued = await ensureTokens(ctx, env.ADMIN_TOKEN);
    if (env.SEED_DEMO === 'on') await seedDemo(ctx);
    await ctx.liveIndex.refreshAll(ctx.clock());
    app = createApp(ctx, { displayDir: options.displayDir });
    return await run(ctx, app, server, port, issued, options);
  } catch (error) {
    await undo();
    throw error;
  }
}

/** Listens on PORT and HOST; a port in use is said so. */
async function listen(
  env: Env,
  fetch: (request: Request, bindings: unknown) => Response | Promise<Response>,
) {
  const server: ServerType = await new Promise((resolve, reject) => {
    const listening = serve({ fetch, port: env.PORT, hostname: env.HOST }, () => resolve(listening));
    listening.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new StartError(
              `port ${env.PORT} on ${env.HOST} is already in use: stop what holds it, or set PORT`,
            )
          : error,
      ),
    );
  });
  // Node closes an idle keep-alive connection after 5 s, a client may send its next request down it
  // at that very moment, and a busy event loop widens that window to seconds: the request fails
  // with ECONNRESET. Idle connections are kept a minute (as proxies expect), headers a little longer.
  if ('keepAliveTimeout' in server) {
    server.keepAliveTimeout = KEEP_ALIVE_MS;
    server.headersTimeout = KEEP_ALIVE_MS + 5_000;
  }
  return server;
}

/**
 * Starts what runs on every node — the wall's alerts, the live channel, the dispatcher, the refresh
 * job — then takes up the leader's work (leader-work.ts) when this node leads.
 */
async function run(
  ctx: AppContext,
  app: App,
  server: ServerType,
  port: number,
  issued: IssuedToken[],
  options: StartOptions,
): Promise<RunningServer> {
  const { env } = options;
  // Everything that reacts to a stored batch listens before the first one is read, in this order
  // after the live index: the live channel (the wall gets an event and what it changed in one
  // delta), then, leading, the evaluator (a zero-tolerance event) and history (the days it touched).
  await ctx.alerts.start();
  // On PostgreSQL, broadcasts and internal events reach the other nodes on this database.
  const adapter = ctx.database.kind === 'postgres' ? postgresAdapter(env.DATABASE_URL!, ctx.logger) : null;
  const live = new LiveHub(
    {
      city: ctx.city,
      db: ctx.database.db,
      clock: ctx.clock,
      logger: ctx.logger,
      metrics: ctx.metrics,
      tokens: ctx.tokens,
      index: ctx.liveIndex,
      alerts: ctx.alerts,
      snapshots: ctx.snapshots,
      feeds: ctx.feedHealth,
      walls: ctx.walls,
      build: { server: ctx.version, display: displayBuild(options.displayDir) },
      events: ctx.events,
    },
    server as HttpServer,
    { tickMs: options.liveTickMs ?? 250, adapter: adapter?.adapter },
  );
  await live.start();
  // Alone (PGlite), there is nobody to tell: the in-memory adapter has no server-side emits.
  const stopBridge = adapter ? bridgeEvents(ctx.events, live.io, ctx.logger) : () => {};
  ctx.dispatcher.start();
  ctx.feedHealth.start();
  const nodeJobs = options.jobs === false ? { stop: async () => {} } : startNodeJobs(ctx, {});
  const leaderWork = new LeaderWork(ctx, {
    jobs:
      options.jobs === false
        ? null
        : {
            snapshotIntervalSeconds: env.SNAPSHOT_INTERVAL_SECONDS,
            retentionDays: env.SNAPSHOT_RETENTION_DAYS,
            alertSeconds: env.ALERT_EVALUATE_SECONDS,
          },
    pollSchedule: options.pollSchedule,
    demoMonths: env.SEED_DEMO === 'on' ? env.DEMO_MONTHS : 0,
    seed: env.SIMULATOR_SEED,
  });
  // PGlite's folder is this process's alone: it leads. On PostgreSQL, whoever holds the lock leads.
  const { nodes } = ctx;
  const election =
    ctx.database.kind === 'pglite' || env.NODE_ROLE === 'web'
      ? null
      : new LeaderElection({
          url: env.DATABASE_URL!,
          node: nodes.id,
          logger: ctx.logger,
          onLead: async () => {
            await leaderWork.lead();
            await nodes.setLeading(true);
          },
          onFollow: async () => {
            await leaderWork.follow();
            await nodes.setLeading(false);
          },
        });
  if (ctx.database.kind === 'pglite') {
    await leaderWork.lead();
    await nodes.setLeading(true);
  }
  election?.start();
  // The configuration file read again on SIGHUP (as Prometheus does); a bad file is refused, logged
  // and said in /api/health, and the running configuration kept.
  const onHangup = () => void ctx.config.reload('SIGHUP').catch(() => {});
  if (options.cityFile) process.on('SIGHUP', onHangup);

  let stopped: Promise<void> | null = null;
  const stop = () =>
    (stopped ??= (async () => {
      process.off('SIGHUP', onHangup);
      // Hands leadership over at once: the lock is released, another node takes it within a second.
      await election?.stop();
      await leaderWork.follow();
      await nodeJobs.stop();
      await ctx.alerts.stop();
      // Before the live channel and the database: its last batch may still emit and record.
      await ctx.dispatcher.stop();
      // Closing the live channel closes the HTTP server; keep-alive connections would hold it open.
      stopBridge();
      const closed = live.stop();
      if ('closeAllConnections' in server) server.closeAllConnections();
      await closed;
      await adapter?.close();
      // This node's last word on its feeds and walls (their sockets closed with the channel).
      await ctx.feedHealth.stop();
      await ctx.walls.stop();
      await nodes.stop();
      await ctx.database.close();
    })());
  // A node that does not lead has nothing to warm up; one that leads, once its first warm-up is done.
  const warmedUp = election
    ? firstWarmUpIfLeading(election, leaderWork)
    : leaderWork.isLeading()
      ? leaderWork.firstWarmUp
      : Promise.resolve();
  return { ctx, app, live, port, issued, warmedUp, stop, leads: () => leaderWork.isLeading() };
}

/**
 * Settles once the first try for the lock is over: at once when another node leads, after the warm-up
 * when this one does.
 */
async function firstWarmUpIfLeading(election: LeaderElection, work: LeaderWork): Promise<void> {
  await election.firstTry;
  if (work.isLeading()) await work.firstWarmUp;
}

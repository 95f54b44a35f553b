/**
 * The server's parts, built once from its database, configuration and feeds: the composition root.
 * Each service is given the narrow dependencies it uses; they tell one another what happened through
 * the event bus (events.ts), never by calling back into this context. Request handlers and jobs read
 * the parts from here.
 */
import type { Logger } from 'pino';
import type { CityConfig } from '../shared/city.js';
import { AlertDispatcher } from './alerts/dispatcher.js';
import type { AckLinks } from './alerts/links.js';
import { AlertOutbox } from './alerts/outbox.js';
import { AlertService } from './alerts/service.js';
import { DEFAULT_SECRET_ENV_PREFIX } from './config/env.js';
import type { CityConfigStore } from './config/store.js';
import type { NodeRegistry } from './cluster/nodes.js';
import type { Database } from './db/client.js';
import type { EventBus } from './events.js';
import type { FeedRuntime } from './feeds/runtime.js';
import type { Metrics } from './metrics.js';
import { SilenceRepository } from './repositories/alerts.js';
import { IndicatorValueRepository } from './repositories/indicator-values.js';
import { ReportRepository } from './repositories/reports.js';
import { SnapshotRepository } from './repositories/snapshots.js';
import { TokenRepository } from './repositories/tokens.js';
import { WeightSetRepository } from './repositories/weight-sets.js';
import { HistoryService } from './services/history.js';
import { LiveIndexService } from './services/live-index.js';
import { ReportService } from './services/reports.js';
import { SharedFeedHealth } from './shared-state/feed-health.js';
import { SharedWalls } from './shared-state/walls.js';

export interface AppContext {
  /** The running configuration: the store's one object, whose sections a new version replaces. */
  city: CityConfig;
  /** The stored configuration: its versions, an administrator's changes, the file read again. */
  config: CityConfigStore;
  database: Database;
  logger: Logger;
  metrics: Metrics;
  /** The only clock: handlers and jobs read it, pure code is given `now`. */
  clock: () => Date;
  version: string;
  /** What `env:NAME` references in configurations must start with (SECRET_ENV_PREFIX). */
  secretEnvPrefix: string;
  startedAt: Date;
  /** Keys the hash that replaces feed ids holding personal data (feeds/opaque-id.ts). */
  feedIdKey: Uint8Array;
  /** What happened, for whoever reacts: a stored batch, a changed index, queued notifications… */
  events: EventBus;
  /** This node's feed pollers (FeedRuntime.health(): as they see the feeds). */
  feeds: FeedRuntime;
  /**
   * Every feed's health as every node reads it (feeds without a URL show as `off`): the pollers'
   * own on the node that polls, which writes it for the others.
   */
  feedHealth: SharedFeedHealth;
  tokens: TokenRepository;
  values: IndicatorValueRepository;
  weightSets: WeightSetRepository;
  snapshots: SnapshotRepository;
  liveIndex: LiveIndexService;
  /** Records past days, and records them again when their inputs arrive later. */
  history: HistoryService;
  /** The monthly publication: computes, publishes and compares months. */
  reports: ReportService;
  silences: SilenceRepository;
  /** The alert evaluator, and the wall's alerts. */
  alerts: AlertService;
  /** The notification outbox the evaluator writes to. */
  outbox: AlertOutbox;
  /** Signs and checks acknowledgement links. */
  ackLinks: AckLinks;
  /** Sends what the outbox holds. */
  dispatcher: AlertDispatcher;
  /** The walls' heartbeats (the live channel records them, /api/health lists every node's). */
  walls: SharedWalls;
  /** Every server node on this database, this one's row kept (cluster/nodes.ts). */
  nodes: NodeRegistry;
}

export interface ContextOptions {
  config: CityConfigStore;
  database: Database;
  logger: Logger;
  metrics: Metrics;
  clock?: () => Date;
  version?: string;
  feedIdKey: Uint8Array;
  secretEnvPrefix?: string;
  /** How long history gathers the days marked before recording them (default 30 s). */
  historyDelayMs?: number;
  events: EventBus;
  feeds: FeedRuntime;
  ackLinks: AckLinks;
  /** This node, for the outbox's claims. */
  nodeId: string;
  nodes: NodeRegistry;
  /** Nothing else dispatches from this database (PGlite's folder is locked by this process). */
  exclusive: boolean;
}

export function createContext(options: ContextOptions): AppContext {
  const { config, logger, metrics, events, feeds, ackLinks } = options;
  const { city } = config;
  // First of all listeners: a version another node stored is in force here before anyone reacts.
  events.on('config.changed', ({ version }) => config.follow(version));
  const { db } = options.database;
  const clock = options.clock ?? (() => new Date());
  const secretEnvPrefix = options.secretEnvPrefix ?? DEFAULT_SECRET_ENV_PREFIX;
  const values = new IndicatorValueRepository(db);
  const weightSets = new WeightSetRepository(db);
  const snapshots = new SnapshotRepository(db);
  const silences = new SilenceRepository(db);
  const feedHealth = new SharedFeedHealth({
    db,
    nodeId: options.nodeId,
    clock,
    logger,
    pollers: feeds.pollers,
  });
  const liveIndex = new LiveIndexService({
    city,
    db,
    values,
    weightSets,
    feedStale: (feed) => feedHealth.isStale(feed),
    logger,
    events,
  });
  const reports = new ReportService({
    reports: new ReportRepository(db),
    index: liveIndex,
    city,
    clock,
    logger,
    events,
  });
  const history = new HistoryService(
    {
      snapshots,
      index: liveIndex,
      timeZone: city.city.timezone,
      clock,
      logger,
      backfilling: () => feeds.backfilling(),
      events,
      publishedMonths: async () => new Set((await reports.months()).map((m) => m.month)),
    },
    options.historyDelayMs,
  );
  const outbox = new AlertOutbox(db, city, {
    ackLink: (alertId, subscriptionId, now) => ackLinks.url(alertId, subscriptionId, now),
    logger,
  });
  const startedAt = clock();
  const walls = new SharedWalls(db, { nodeId: options.nodeId, clock, logger });
  const alerts = new AlertService({
    db,
    city,
    clock,
    logger,
    metrics,
    startedAt,
    index: liveIndex,
    reports,
    silences,
    feeds: feedHealth,
    walls,
    outbox,
    events,
  });
  const dispatcher = new AlertDispatcher({
    db,
    city,
    logger,
    metrics,
    clock,
    secretPrefix: secretEnvPrefix,
    emit: (notification) => events.emit('notification.live', notification),
    events,
    nodeId: options.nodeId,
    exclusive: options.exclusive,
  });

  // A stored batch changes the live index first (which says `index.changed`); the evaluator, the
  // live channel and history subscribe when they start, after it (listeners run in that order).
  events.on('feed.stored', async ({ feed, batch }) => {
    const stop = metrics.recomputeSeconds.startTimer({ scope: 'batch' });
    // The batch is stored whatever happens here: a failed recompute keeps the values it had, and
    // the minute refresh tries again.
    await liveIndex
      .refreshFeed(feed, clock(), batch.streets)
      .catch((error: unknown) =>
        logger.error({ err: error, feed }, 'recomputing after a stored batch failed'),
      );
    stop();
  });
  // Imported values and weight sets are read again, whichever node took them in.
  events.on('values.imported', async () => {
    await liveIndex
      .refreshManual(clock())
      .catch((error: unknown) => logger.error({ err: error }, 'reading imported values failed'));
  });
  events.on('weights.changed', () => liveIndex.invalidateWeightSets());
  events.on('config.changed', async ({ sections }) => {
    // Populations, goalposts, windows: the live index derives and reads everything again.
    await liveIndex
      .reconfigure(clock())
      .catch((error: unknown) =>
        logger.error({ err: error }, 'recomputing after a configuration change failed'),
      );
    if (sections.includes('feeds')) await feeds.reconfigure();
  });
  events.on('history.recorded', ({ snapshots: recorded }) => metrics.snapshots.inc(recorded));

  return {
    city,
    config,
    database: options.database,
    logger,
    metrics,
    clock,
    version: options.version ?? '0.0.0',
    secretEnvPrefix,
    startedAt,
    feedIdKey: options.feedIdKey,
    events,
    feeds,
    feedHealth,
    tokens: new TokenRepository(db),
    values,
    weightSets,
    snapshots,
    liveIndex,
    history,
    reports,
    silences,
    alerts,
    outbox,
    ackLinks,
    dispatcher,
    walls,
    nodes: options.nodes,
  };
}

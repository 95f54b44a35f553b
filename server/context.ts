/** Everything a request handler or job needs, built once per server from its database and config. */
import type { Logger } from 'pino';
import type { CityConfig } from '../shared/city.js';
import type { Database } from './db/client.js';
import type { FeedName } from '../shared/feeds/index.js';
import type { FeedRuntime } from './feeds/runtime.js';
import type { StoredBatch } from './feeds/store.js';
import type { LiveHub } from './live/hub.js';
import type { Metrics } from './metrics.js';
import type { AlertDispatcher } from './alerts/dispatcher.js';
import type { AckLinks } from './alerts/links.js';
import type { AlertOutbox } from './alerts/outbox.js';
import { AlertService } from './alerts/service.js';
import { rulesFor } from '../shared/alerts/config.js';
import { DEFAULT_SECRET_ENV_PREFIX } from './config/env.js';
import { isZeroTolerance } from '../shared/alerts/observe.js';
import { SilenceRepository } from './repositories/alerts.js';
import { IndicatorValueRepository } from './repositories/indicator-values.js';
import { HistoryService } from './services/history.js';
import { ReportService } from './services/reports.js';
import { ReportRepository } from './repositories/reports.js';
import { SnapshotRepository } from './repositories/snapshots.js';
import { TokenRepository } from './repositories/tokens.js';
import { WeightSetRepository } from './repositories/weight-sets.js';
import { LiveIndexService } from './services/live-index.js';

export interface AppContext {
  city: CityConfig;
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
  /** The notification outbox the evaluator writes to (absent: transitions are stored, nothing is sent). */
  outbox: AlertOutbox | null;
  /** Signs and checks acknowledgement links, once the server knows its address. */
  ackLinks: AckLinks | null;
  /** Sends what the outbox holds, once the server runs (absent in a bare context). */
  dispatcher: AlertDispatcher | null;
  /** The feed pollers, once started (absent in a context without feeds). */
  feeds: FeedRuntime | null;
  /** The live channel, once the HTTP server listens. */
  live: LiveHub | null;
  /**
   * After a batch of a feed is stored (polled, pushed or imported): recompute what it touched, tell
   * the wall. A recompute that fails is logged, never the batch's failure: it is stored.
   */
  feedStored(feed: FeedName, batch: StoredBatch): Promise<void>;
}

export interface ContextOptions {
  city: CityConfig;
  database: Database;
  logger: Logger;
  metrics: Metrics;
  clock?: () => Date;
  version?: string;
  feedIdKey: Uint8Array;
  secretEnvPrefix?: string;
  /** How long history gathers the days marked before recording them (default 30 s). */
  historyDelayMs?: number;
}

/** Logs a failed background evaluation; the next one (a timer runs them) tries again. */
const logFailure = (ctx: AppContext) => (error: unknown) =>
  ctx.logger.error({ err: error }, 'alert evaluation failed');

export function createContext(options: ContextOptions): AppContext {
  const { db } = options.database;
  const clock = options.clock ?? (() => new Date());
  const values = new IndicatorValueRepository(db);
  const weightSets = new WeightSetRepository(db);
  const snapshots = new SnapshotRepository(db);
  const liveIndex = new LiveIndexService(
    options.city,
    db,
    values,
    weightSets,
    (feed) => ctx.feeds?.isStale(feed) ?? false,
    options.logger,
  );
  const history = new HistoryService(
    {
      snapshots,
      index: liveIndex,
      timeZone: options.city.city.timezone,
      clock,
      logger: options.logger,
      backfilling: () => ctx.feeds?.backfilling() ?? false,
      onRecorded: (days) => {
        ctx.metrics.snapshots.inc(days);
        ctx.live?.trendsChanged();
      },
      publishedMonths: async () => new Set((await ctx.reports.months()).map((m) => m.month)),
    },
    options.historyDelayMs,
  );
  const reports = new ReportService({
    reports: new ReportRepository(db),
    index: liveIndex,
    city: options.city,
    clock,
    logger: options.logger,
    // The red-month ladder reads publications: evaluate at once.
    onPublished: () => void ctx.alerts.evaluate().catch(logFailure(ctx)),
  });
  const ctx: AppContext = {
    ...options,
    clock,
    version: options.version ?? '0.0.0',
    secretEnvPrefix: options.secretEnvPrefix ?? DEFAULT_SECRET_ENV_PREFIX,
    startedAt: clock(),
    tokens: new TokenRepository(db),
    values,
    weightSets,
    snapshots,
    liveIndex,
    history,
    reports,
    silences: new SilenceRepository(db),
    alerts: new AlertService(
      () => ctx,
      () => ctx.outbox,
    ),
    outbox: null,
    ackLinks: null,
    dispatcher: null,
    feeds: null,
    live: null,
    async feedStored(feed, batch) {
      const stop = ctx.metrics.recomputeSeconds.startTimer({ scope: 'batch' });
      // The batch is stored whatever happens here: a failed recompute keeps the values it had, and
      // the minute refresh tries again.
      await ctx.liveIndex
        .refreshFeed(feed, ctx.clock(), batch.streets)
        .catch((error: unknown) =>
          ctx.logger.error({ err: error, feed }, 'recomputing after a stored batch failed'),
        );
      stop();
      ctx.live?.noteStored(feed, batch);
      // Items of past days change those days' history: they are recorded again.
      if (batch.earliest)
        await ctx.history
          .markSince(batch.earliest)
          .catch((error: unknown) =>
            ctx.logger.error({ err: error, feed }, 'marking past days for recording failed'),
          );
      // Zero-tolerance events alert at once, whether or not the index moved; any other change of the
      // index is evaluated within a second by the alert service itself.
      const alertsAtOnce = (row: Record<string, unknown>) =>
        isZeroTolerance(rulesFor(ctx.city.alerts, String(row.street)).zeroTolerance, row.category);
      if (feed === 'incident' && batch.created.some(alertsAtOnce))
        void ctx.alerts.evaluate().catch(logFailure(ctx));
    },
  };
  return ctx;
}

/**
 * The pollers of a server: one per configured feed, each scheduled by node-cron at its interval
 * with overlap prevention, plus the health of every feed (polled or not).
 */
import cron, { type ScheduledTask } from 'node-cron';
import { FEEDS, type FeedName } from '../../shared/feeds/index.js';
import type { FeedHealth } from './health.js';
import { FeedPoller, type PollerDeps } from './poller.js';
import { adapterOf } from './registry.js';

/** A node-cron expression (with seconds) for an interval the config has checked is schedulable. */
export function cronFor(seconds: number): string {
  return seconds < 60 ? `*/${seconds} * * * * *` : `0 */${seconds / 60} * * * *`;
}

export interface FeedRuntime {
  pollers: Map<FeedName, FeedPoller>;
  /** Every feed's health; feeds without a URL show as `off`. */
  health(): (FeedHealth | { feed: FeedName; status: 'off'; stale: false; url: null })[];
  isStale(feed: FeedName): boolean;
  /** Whether a feed is still reading its backfill; a failing one is not (it may fail for days). */
  backfilling(): boolean;
  /** Runs every poller once now (tests, first start). */
  runAll(): Promise<void>;
  /**
   * Reads every feed at once, then at its interval unless `schedule` is false. After a `stop`
   * (leadership lost), the pollers are made again and resume from their stored cursors.
   */
  start(options?: { schedule?: boolean }): Promise<void>;
  stop(): Promise<void>;
  /**
   * The feeds' configuration changed: the pollers are made again from it and their stored cursors,
   * at once when they run (leading), else when they next start.
   */
  reconfigure(): Promise<void>;
}

/**
 * @param urlOf where each feed is polled, asked again each time the pollers are made (a changed
 *   configuration makes them again), undefined for a feed not polled
 */
export async function createFeedRuntime(
  deps: PollerDeps,
  urlOf: (feed: FeedName) => string | undefined,
): Promise<FeedRuntime> {
  const pollers = new Map<FeedName, FeedPoller>();
  /** The pollers, made afresh from their stored cursors; swapped in at once, once all are ready. */
  const build = async () => {
    const fresh = new Map<FeedName, FeedPoller>();
    for (const feed of FEEDS) {
      const url = urlOf(feed);
      if (!url) continue;
      const poller = new FeedPoller(adapterOf(feed), deps.city.feeds[feed], url, deps);
      await poller.init();
      fresh.set(feed, poller);
    }
    pollers.clear();
    for (const [feed, poller] of fresh) pollers.set(feed, poller);
  };
  await build();
  let stopped = false;
  /** Whether the pollers run, and how they were started: a reconfiguration starts them alike. */
  let running: { schedule: boolean } | null = null;
  const tasks: ScheduledTask[] = [];
  const inFlight = new Set<Promise<void>>();
  const track = (run: Promise<void>) => {
    inFlight.add(run);
    void run.finally(() => inFlight.delete(run));
    return run;
  };

  const start = async ({ schedule = true }: { schedule?: boolean } = {}) => {
    if (stopped) {
      await build();
      stopped = false;
    }
    running = { schedule };
    for (const poller of pollers.values()) {
      // Start reading at once rather than at the first tick.
      void track(poller.run());
      if (!schedule) continue;
      // No overlap: a run asked for while one is going joins it (FeedPoller.run).
      const task = cron.schedule(
        cronFor(deps.city.feeds[poller.feed].intervalSeconds),
        () => track(poller.run()),
        { name: `poll-${poller.feed}` },
      );
      // A tick missed while the process was busy (a first start's warm-up) costs nothing: the next
      // one polls. A line of the server's own at debug level, not node-cron's console warning.
      task.on('execution:missed', () =>
        deps.logger.debug({ feed: poller.feed }, 'a poll tick was missed: the process was busy'),
      );
      tasks.push(task);
    }
  };
  const stop = async () => {
    running = null;
    for (const poller of pollers.values()) poller.stop();
    await Promise.all(tasks.splice(0).map((task) => task.stop()));
    await Promise.allSettled([...inFlight]);
    await Promise.all([...pollers.values()].map((poller) => poller.close()));
    stopped = true;
  };
  const reconfigure = async () => {
    const was = running;
    if (!was) {
      // Made but not running (a node that follows): closed now, made again when it leads.
      if (!stopped) await Promise.all([...pollers.values()].map((poller) => poller.close()));
      stopped = true;
      return;
    }
    await stop();
    await start(was);
  };
  /**
   * Starting, stopping and reconfiguring one after another: leadership lost while a
   * reconfiguration restarts the pollers stops them after it, never before it starts them again.
   */
  let order: Promise<unknown> = Promise.resolve();
  const inOrder =
    <A extends unknown[]>(work: (...args: A) => Promise<void>) =>
    (...args: A): Promise<void> => {
      const next = order.then(() => work(...args));
      order = next.catch(() => {});
      return next;
    };

  const runtime: FeedRuntime = {
    pollers,
    health: () =>
      FEEDS.map(
        (feed) =>
          pollers.get(feed)?.snapshot() ?? { feed, status: 'off' as const, stale: false as const, url: null },
      ),
    isStale: (feed) => pollers.get(feed)?.isStale() ?? false,
    backfilling: () =>
      [...pollers.values()].some((p) => !p.health.backfillDone && p.snapshot().status !== 'failing'),
    runAll: async () => {
      await Promise.all([...pollers.values()].map((poller) => track(poller.run())));
    },
    start: inOrder(start),
    stop: inOrder(stop),
    reconfigure: inOrder(reconfigure),
  };
  return runtime;
}

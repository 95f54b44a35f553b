/**
 * Scheduled work: on every node, refreshing every window as time passes; on the leader, recording
 * the live index, evaluating the alert rules, publishing the month before on the 1st, and pruning
 * old snapshots and delivered notifications.
 */
import cron, { type ScheduledTask } from 'node-cron';
import { recordSnapshot } from './bootstrap.js';
import type { AppContext } from './context.js';

/** Sent and failed notifications are kept this long (for health and inquiries), then pruned. */
export const OUTBOX_RETENTION_DAYS = 30;

export interface JobOptions {
  snapshotIntervalSeconds: number;
  retentionDays: number;
  /** How often the alert rules are evaluated, so that repeats, escalations and silences run on time. */
  alertSeconds?: number;
}

export interface NodeJobOptions {
  /** How often every indicator is recomputed, so that old events leave their windows. */
  refreshSeconds?: number;
}

export interface Jobs {
  stop(): Promise<void>;
}

/** A repeating job that never runs twice at once and logs its failures. */
function every(ctx: Pick<AppContext, 'logger'>, name: string, seconds: number, work: () => Promise<void>) {
  let running: Promise<void> | null = null;
  const timer = setInterval(() => {
    running ??= work()
      .catch((error: unknown) => ctx.logger.error({ err: error, job: name }, 'job failed'))
      .finally(() => {
        running = null;
      });
  }, seconds * 1000);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}

/** On every node: each window recomputed as time passes (the live index is each node's own). */
export function startNodeJobs(
  ctx: Pick<AppContext, 'clock' | 'liveIndex' | 'logger' | 'metrics'>,
  options: NodeJobOptions,
): Jobs {
  const stopRefresh = every(ctx, 'refresh', options.refreshSeconds ?? 60, async () => {
    const stop = ctx.metrics.recomputeSeconds.startTimer({ scope: 'full' });
    await ctx.liveIndex.refreshAll(ctx.clock());
    stop();
  });
  return { stop: stopRefresh };
}

/** On the leader only: snapshots, the alert timer, pruning and the publication on the 1st. */
export function startLeaderJobs(
  ctx: Pick<
    AppContext,
    'alerts' | 'city' | 'clock' | 'events' | 'liveIndex' | 'logger' | 'outbox' | 'reports' | 'snapshots'
  >,
  options: JobOptions,
): Jobs {
  const stopSnapshots = every(ctx, 'snapshot', options.snapshotIntervalSeconds, async () => {
    const at = ctx.clock();
    await recordSnapshot(ctx, at, await ctx.liveIndex.current(at));
  });
  const stopAlerts = every(ctx, 'alerts', options.alertSeconds ?? 30, async () => {
    await ctx.alerts.evaluate();
  });
  const prune: ScheduledTask = cron.schedule(
    '17 3 * * *',
    async () => {
      try {
        const before = new Date(ctx.clock().getTime() - options.retentionDays * 86_400_000);
        const removed = await ctx.snapshots.prune(before);
        ctx.logger.info({ removed, before }, 'old snapshots pruned');
        const delivered = new Date(ctx.clock().getTime() - OUTBOX_RETENTION_DAYS * 86_400_000);
        const notifications = await ctx.outbox.prune(delivered);
        ctx.logger.info({ removed: notifications, before: delivered }, 'old delivered notifications pruned');
      } catch (error) {
        ctx.logger.error({ err: error }, 'snapshot pruning failed');
      }
    },
    { noOverlap: true, name: 'prune-snapshots', timezone: ctx.city.city.timezone },
  );

  // Five minutes past midnight on the 1st: the month before is over in the city, and published.
  const publish: ScheduledTask = cron.schedule(
    '0 5 0 1 * *',
    async () => {
      try {
        const published = await ctx.reports.publishPrevious();
        if (!published) ctx.logger.info('the month before was already published');
      } catch (error) {
        ctx.logger.error(
          { err: error },
          'publishing the month before failed; publish it with POST /api/reports/monthly/:month/publish',
        );
      }
    },
    { noOverlap: true, name: 'publish-month', timezone: ctx.city.city.timezone },
  );

  return {
    async stop() {
      await Promise.all([stopSnapshots(), stopAlerts(), prune.stop(), publish.stop()]);
    },
  };
}

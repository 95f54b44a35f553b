/** Scheduled work of one server: recording the live index and pruning old snapshots. */
import cron, { type ScheduledTask } from 'node-cron';
import { recordSnapshot } from './bootstrap.js';
import type { AppContext } from './context.js';

export interface JobOptions {
  snapshotIntervalSeconds: number;
  retentionDays: number;
}

export interface Jobs {
  stop(): Promise<void>;
}

export function startJobs(ctx: AppContext, options: JobOptions): Jobs {
  let running: Promise<void> | null = null;
  const snapshot = async () => {
    // Overlap prevention: a slow run is never doubled up.
    if (running) return;
    running = (async () => {
      try {
        const at = ctx.clock();
        await recordSnapshot(ctx, at, await ctx.liveIndex.compute(at));
      } catch (error) {
        ctx.logger.error({ err: error }, 'snapshot failed');
      }
    })();
    await running;
    running = null;
  };
  const timer = setInterval(() => void snapshot(), options.snapshotIntervalSeconds * 1000);
  timer.unref();

  const prune: ScheduledTask = cron.schedule(
    '17 3 * * *',
    async () => {
      try {
        const before = new Date(ctx.clock().getTime() - options.retentionDays * 86_400_000);
        const removed = await ctx.snapshots.prune(before);
        ctx.logger.info({ removed, before }, 'old snapshots pruned');
      } catch (error) {
        ctx.logger.error({ err: error }, 'snapshot pruning failed');
      }
    },
    { noOverlap: true, name: 'prune-snapshots', timezone: ctx.city.city.timezone },
  );

  return {
    async stop() {
      clearInterval(timer);
      await prune.stop();
      await running;
    },
  };
}

/**
 * The work only one node does at a time (DESIGN.md "Scaling past one machine"): polling the feeds,
 * evaluating the alert rules, recording history and snapshots, publishing and pruning — and, on
 * taking it up, the warm-up (each feed's backfill, the past days, the demo's months). Every other
 * part runs on every node. `lead` and `follow` may alternate as leadership comes and goes; `follow`
 * stops everything before it resolves, so two nodes never poll or evaluate at once.
 */
import { publishDemoHistory, recordSnapshot } from './bootstrap.js';
import type { AppContext } from './context.js';
import { startLeaderJobs, type JobOptions, type Jobs } from './jobs.js';

type LeaderContext = Pick<
  AppContext,
  | 'alerts'
  | 'city'
  | 'clock'
  | 'events'
  | 'feeds'
  | 'history'
  | 'liveIndex'
  | 'logger'
  | 'outbox'
  | 'reports'
  | 'snapshots'
  | 'values'
>;

export interface LeaderWorkOptions {
  /** The leader's jobs; absent, none run (tests drive them). */
  jobs: JobOptions | null;
  /** Polls each feed at its interval (default true); off, feeds are read once when leading starts. */
  pollSchedule?: boolean;
  /** The demo's past months, published once after the first warm-up (0: none). */
  demoMonths: number;
  seed: number;
}

export class LeaderWork {
  private jobs: Jobs | null = null;
  private warming: Promise<void> | null = null;
  private leading = false;
  private stopping = false;
  /** Settles after the first warm-up this node did as leader. */
  readonly firstWarmUp: Promise<void>;
  private warmedUp!: () => void;

  constructor(
    private readonly ctx: LeaderContext,
    private readonly options: LeaderWorkOptions,
  ) {
    this.firstWarmUp = new Promise((resolve) => (this.warmedUp = resolve));
  }

  isLeading(): boolean {
    return this.leading;
  }

  /** Takes up the leader's work: the evaluator and history listen before the feeds are read. */
  async lead(): Promise<void> {
    if (this.leading) return;
    this.leading = true;
    this.stopping = false;
    const { ctx } = this;
    ctx.alerts.lead();
    ctx.history.start();
    await ctx.feeds.start({ schedule: this.options.pollSchedule ?? true });
    this.warming = this.warmUp().finally(() => this.warmedUp());
    if (this.options.jobs) this.jobs = startLeaderJobs(ctx, this.options.jobs);
  }

  /** Stops the leader's work and waits until nothing of it runs. */
  async follow(): Promise<void> {
    if (!this.leading) return;
    this.stopping = true;
    const { ctx } = this;
    await ctx.feeds.stop();
    await this.warming;
    await ctx.history.stop();
    await this.jobs?.stop();
    this.jobs = null;
    await ctx.alerts.follow();
    this.leading = false;
  }

  /**
   * After taking up leadership: lets every feed finish its backfill (runs join the scheduled ones),
   * recomputes everything, and records the past days that lack a recording (all of them on a first
   * start). A feed that fails is not waited for: the days it lacked are recorded again once it has
   * backfilled. With the demo, its past months are then published (once).
   */
  private async warmUp(): Promise<void> {
    const { ctx } = this;
    const stopping = () => this.stopping;
    try {
      for (let round = 0; round < 20 && !stopping(); round++) {
        await ctx.feeds.runAll();
        if (!ctx.feeds.backfilling()) break;
      }
      // History from a backfill cut short would be wrong; the next leader records it.
      if (stopping()) return;
      await ctx.liveIndex.refreshAll(ctx.clock());
      await ctx.history.markIncomplete();
      const days = await ctx.history.flush();
      const now = ctx.clock();
      if (days > 0) await recordSnapshot(ctx, now, await ctx.liveIndex.current(now));
      ctx.logger.info({ historyDays: days }, 'warmed up');
      if (!stopping()) await publishDemoHistory(ctx, this.options.demoMonths, this.options.seed);
    } catch (error) {
      ctx.logger.error({ err: error }, 'warm-up failed');
    }
  }
}

/**
 * The recorded history of past days. Each of the last month's days is computed afresh from what the
 * database holds, as the index stood at the day's instant, and recorded once: when the day has no
 * snapshot at all (a first start, a server that was down, a crash halfway through a recording),
 * again when its recording lacked something (a feed that failed, a block without values), and
 * again when inputs for it arrive later — a feed's batch with items of past days (a backfill after
 * a failure, a late correction) or indicator values imported for a period it falls in.
 *
 * A day of a published month keeps its recording: the month was published on what it said (a day
 * of such a month without any snapshot is still recorded).
 *
 * Marked days are kept in the database until recorded, so a crash in between loses none. Marks
 * are gathered for `delayMs` into one run, and a run waits while a feed is still reading its
 * backfill, rather than record a day from half of it.
 */
import type { Logger } from 'pino';
import { addDays, localDate } from '../../shared/period.js';
import type { LiveIndex } from '../../shared/api.js';
import type { EventSink, EventSource } from '../events.js';
import { resultOf, type SnapshotRepository } from '../repositories/snapshots.js';

/** How many past days history covers, yesterday included. */
export const HISTORY_DAYS = 30;

export interface HistoryDeps {
  snapshots: Pick<SnapshotRepository, 'days' | 'replaceRecorded' | 'markDue' | 'due' | 'clearDue'>;
  /** The index as it stood at a past instant, and the local date of an instant. */
  index: { asOf(at: Date): Promise<LiveIndex>; today(at: Date): string };
  timeZone: string;
  clock: () => Date;
  logger: Logger;
  /** Whether any feed is still reading its backfill (a failing feed is not: it may fail for days). */
  backfilling: () => boolean;
  /**
   * Heard (once started): `feed.stored` and `values.imported`, which mark the past days they
   * change. Said:
   * `history.recorded` after a run that recorded days (the wall's trends change).
   */
  events: EventSink & EventSource;
  /** The published months (YYYY-MM): their recorded days stand as they were when published. */
  publishedMonths: () => Promise<ReadonlySet<string>>;
}

/**
 * The instant a past day is recorded at. Noon UTC falls on the same local date in every time zone
 * from −11 to +11.
 */
export function recordingInstant(day: string): Date {
  return new Date(`${day}T12:00:00Z`);
}

export class HistoryService {
  /** Days marked since their last recording began; a mark of one of them needs no second write. */
  private readonly marked = new Set<string>();
  private timer: NodeJS.Timeout | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private stopped = false;
  private stopListening: (() => void) | undefined;

  constructor(
    private readonly deps: HistoryDeps,
    private readonly delayMs = 30_000,
  ) {}

  /** The past days history covers, oldest first. */
  window(): string[] {
    const today = this.deps.index.today(this.deps.clock());
    return Array.from({ length: HISTORY_DAYS }, (_, i) => addDays(today, i - HISTORY_DAYS));
  }

  /**
   * Marks the covered days from the local date of `at` up to yesterday: inputs of that instant
   * count in every later day's windows. Nothing for an instant of today.
   */
  async markSince(at: Date): Promise<void> {
    const from = localDate(at, this.deps.timeZone);
    const days = this.window().filter((day) => day >= from && !this.marked.has(day));
    if (days.length === 0) return;
    await this.deps.snapshots.markDue(days);
    for (const day of days) this.marked.add(day);
    this.schedule();
  }

  /**
   * Marks every covered day without a snapshot, or whose recording lacked something (after a start:
   * a first one, a crash, a feed that failed). Returns how many days are due, earlier marks included.
   */
  async markIncomplete(): Promise<number> {
    const window = this.window();
    const from = recordingInstant(window[0]!);
    const to = recordingInstant(addDays(window.at(-1)!, 1));
    const known = new Map(
      (await this.deps.snapshots.days(from, to, this.deps.timeZone)).map((d) => [d.day, d]),
    );
    const lacking = window.filter((day) => {
      const state = known.get(day);
      return !state || (state.recorded && state.provisional);
    });
    await this.deps.snapshots.markDue(lacking);
    for (const day of lacking) this.marked.add(day);
    const due = await this.deps.snapshots.due();
    return due.filter((d) => window.includes(d.day)).length;
  }

  /** Records every due day now, oldest first, one run at a time; returns how many it recorded. */
  flush(): Promise<number> {
    const run = this.queue.then(() => this.recordDue());
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * The leader's part: marks the past days of every stored batch and import from now on, and
   * records them (again after a `stop`).
   */
  start(): void {
    this.stopped = false;
    if (this.stopListening) return;
    const marking = (what: string) => (error: unknown) =>
      this.deps.logger.error({ err: error, what }, 'marking past days for recording failed');
    const stops = [
      this.deps.events.on('feed.stored', async ({ feed, batch }) => {
        // Items of past days change those days' history: they are recorded again.
        if (batch.earliest) await this.markSince(batch.earliest).catch(marking(feed));
      }),
      this.deps.events.on('values.imported', async ({ since }) => {
        await this.markSince(since).catch(marking('imported values'));
      }),
    ];
    this.stopListening = () => stops.forEach((stop) => stop());
    if (this.marked.size > 0) this.schedule();
  }

  /** Stops marking, cancels the next run and waits for one under way. */
  async stop(): Promise<void> {
    this.stopListening?.();
    this.stopListening = undefined;
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.queue;
  }

  private schedule(): void {
    if (this.timer || this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.flush().catch((error: unknown) =>
        this.deps.logger.error({ err: error }, 'recording history failed; the days stay due'),
      );
    }, this.delayMs);
    this.timer.unref();
  }

  private async recordDue(): Promise<number> {
    if (this.stopped) return 0;
    if (this.deps.backfilling()) {
      this.schedule();
      return 0;
    }
    const days = this.window();
    const window = new Set(days);
    const [due, published, states] = await Promise.all([
      this.deps.snapshots.due(),
      this.deps.publishedMonths(),
      this.deps.snapshots.days(
        recordingInstant(days[0]!),
        recordingInstant(addDays(days.at(-1)!, 1)),
        this.deps.timeZone,
      ),
    ]);
    const hasRecording = new Set(states.filter((s) => s.recorded).map((s) => s.day));
    let recorded = 0;
    for (const { day, marks } of due) {
      if (this.stopped) break;
      // A mark from now on is a new one: it writes again, and this run's clearing leaves it.
      this.marked.delete(day);
      const frozen = published.has(day.slice(0, 7)) && hasRecording.has(day);
      if (window.has(day) && !frozen) {
        const at = recordingInstant(day);
        const live = await this.deps.index.asOf(at);
        await this.deps.snapshots.replaceRecorded(at, resultOf(live), live.weightSet.id);
        recorded++;
      }
      // A day that left the window, or of a published month, is no longer history's to record.
      await this.deps.snapshots.clearDue(day, marks);
    }
    if (recorded > 0) {
      this.deps.logger.info({ days: recorded }, 'history recorded');
      await this.deps.events.emit('history.recorded', { snapshots: recorded });
    }
    return recorded;
  }
}

/**
 * What other nodes wrote, read at most once a second however often it is asked for (the live hub
 * asks every tick), and never waited for long: a database that does not answer leaves the last
 * answer in place, so /api/health and the wall still answer at once.
 */
import type { Logger } from 'pino';
import { withDeadline } from '../db/deadline.js';

export interface CachedReadOptions {
  /** An answer younger than this is reused. Default 1 s. */
  maxAgeMs?: number;
  /** The longest a caller waits for a new answer before it takes the last one. Default 1 s. */
  waitMs?: number;
  /** What is read, for the log. */
  what: string;
  logger: Pick<Logger, 'warn' | 'info'>;
}

export class CachedRead<T> {
  private last: T;
  /** When `last` was read (the machine's time: this is about how often the database is asked). */
  private readAt = -Infinity;
  private reading: Promise<T> | null = null;
  private failing = false;
  private readonly maxAgeMs: number;
  private readonly waitMs: number;

  constructor(
    private readonly read: () => Promise<T>,
    initial: T,
    private readonly options: CachedReadOptions,
  ) {
    this.last = initial;
    this.maxAgeMs = options.maxAgeMs ?? 1000;
    this.waitMs = options.waitMs ?? 1000;
  }

  /** The last answer, without waiting; a new read starts in the background when it is old. */
  get latest(): T {
    if (this.isOld()) void this.refresh().catch(() => {});
    return this.last;
  }

  /** A fresh answer (at most `maxAgeMs` old), or the last one if the database is slow or away. */
  async get(): Promise<T> {
    if (!this.isOld()) return this.last;
    return withDeadline(this.refresh(), this.waitMs).catch(() => this.last);
  }

  /** Forgets the age of the last answer: the next `get` reads. */
  invalidate(): void {
    this.readAt = -Infinity;
  }

  private isOld(): boolean {
    return performance.now() - this.readAt >= this.maxAgeMs;
  }

  /** One read at a time; callers that come meanwhile share it. */
  private refresh(): Promise<T> {
    this.reading ??= this.read()
      .then(
        (value) => {
          this.last = value;
          this.readAt = performance.now();
          if (this.failing) this.options.logger.info({ what: this.options.what }, 'shared state read again');
          this.failing = false;
          return value;
        },
        (error: unknown) => {
          // Said once per outage, not once a second.
          if (!this.failing)
            this.options.logger.warn(
              { err: error, what: this.options.what },
              'shared state not read; showing the last known',
            );
          this.failing = true;
          throw error;
        },
      )
      .finally(() => {
        this.reading = null;
      });
    return this.reading;
  }
}

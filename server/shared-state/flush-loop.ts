/**
 * How a node writes its part of the shared state: what changed is gathered in memory and written
 * once a second in one statement, not once per heartbeat or per delivery.
 */
export class FlushLoop {
  private interval: NodeJS.Timeout | null = null;
  private timeout: NodeJS.Timeout | null = null;
  private running: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly flush: () => Promise<void>,
    private readonly everyMs: number,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** Flushes every `everyMs` from now until the stop (again: nothing). */
  start(): void {
    if (this.stopped || this.interval) return;
    this.interval = setInterval(() => void this.run().catch(this.onError), this.everyMs);
    this.interval.unref();
  }

  /** Flushes once within `everyMs` (and again a while later if that fails): something changed. */
  soon(): void {
    if (this.stopped || this.interval || this.timeout) return;
    this.timeout = setTimeout(() => {
      this.timeout = null;
      this.run().catch((error: unknown) => {
        this.onError(error);
        this.soon();
      });
    }, this.everyMs);
    this.timeout.unref();
  }

  /** Flushes now, after the flush under way if any; rejects as this flush does. */
  run(): Promise<void> {
    const next = this.running.then(() => this.flush());
    this.running = next.catch(() => {});
    return next;
  }

  /** Stops the timers and flushes what is left; a failure is told to `onError`, not thrown. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.interval) clearInterval(this.interval);
    if (this.timeout) clearTimeout(this.timeout);
    this.interval = this.timeout = null;
    await this.run().catch(this.onError);
  }
}

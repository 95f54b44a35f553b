/**
 * A feed's request rate (`minIntervalMs`): each request waits for its turn, at least that long after
 * the start of the one before — a page, a retry or the next run alike, since a foreign system's
 * limit counts them all. It reads a monotonic clock, not the server's: the server's clock may be
 * moved (tests, a corrected system time) and a wait measured on it could last for ever.
 *
 * Hand-written rather than a rate-limit library: one feed's requests never overlap (a run joins the
 * one going), so a single "next turn" instant is all the state there is.
 */

export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

/** Resolves after `ms`, or at once when `signal` aborts (shutdown). */
export const sleep: Sleep = (ms, signal) =>
  new Promise<void>((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });

export class RequestPacer {
  /** When the next request may start, on `now`'s clock. */
  private nextTurn = -Infinity;

  constructor(
    private readonly minIntervalMs: number,
    private readonly now: () => number = () => performance.now(),
    private readonly wait: Sleep = sleep,
  ) {}

  /** Waits until a request may start, and takes that turn. */
  async turn(signal?: AbortSignal): Promise<void> {
    const now = this.now();
    const at = Math.max(now, this.nextTurn);
    this.nextTurn = at + this.minIntervalMs;
    if (at > now) await this.wait(at - now, signal);
  }
}

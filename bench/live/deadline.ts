import { sleep } from './config.js';

/** One deadline for the whole benchmark; every wait goes through it and says what it waited for. */
export class Deadline {
  phase = 'starting';
  private readonly end: number;

  constructor(private readonly ms: number) {
    this.end = Date.now() + ms;
  }

  private expired(): Error {
    return new Error(`bench/live: gave up after ${this.ms / 1000} s, while ${this.phase}`);
  }

  /** The promise, or a rejection when the deadline (or the tighter limit) passes first. */
  within<T>(promise: Promise<T>, limit?: { ms: number; message: () => string }): Promise<T> {
    const left = this.end - Date.now();
    if (left <= 0) return Promise.reject(this.expired());
    const ms = Math.min(left, limit?.ms ?? Infinity);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(ms < left && limit ? new Error(`bench/live: ${limit.message()}`) : this.expired()),
        ms,
      );
    });
    return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
  }

  /** Polls (outside the measured windows only). */
  async until(probe: () => boolean): Promise<void> {
    while (!probe()) await this.within(sleep(5));
  }
}

/** The waits of the browser bench: each one bounded, each saying what it waited for when it gives up. */

/** Every wait of the browser bench is bounded by this, unless it says otherwise. */
export const WAIT_MS = 60_000;

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms)));

/** The promise, or a rejection naming `what` when it has not settled within `ms`. */
export function within<T>(promise: Promise<T>, what: string, ms = WAIT_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`bench/browser: gave up after ${ms / 1000} s waiting for ${what}`)),
      ms,
    );
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * The clocks tests run on. Nothing a test checks may depend on the hour, weekday or month of the
 * machine's clock: a server in a test reads one of these, never the wall clock.
 */

/**
 * A Wednesday morning in Anning (10:30 in Asia/Shanghai): service halls open, mediation offices at
 * work, a month of history behind it. Tests of "a normal working moment" start here.
 */
export const WORKING_MORNING = new Date('2026-11-25T02:30:00Z');

/** 03:00 in Anning on the same Wednesday: halls closed since the evening before, the city asleep. */
export const NIGHT = new Date('2026-11-24T19:00:00Z');

/** A clock that starts at a fixed instant and then runs with real time; a test may move it on. */
export interface RunningClock {
  (): Date;
  /** Moves the clock on (a feed going stale, a pending period passing). */
  advance(ms: number): void;
  /** Marks a clock that moves by itself: a simulator on it may tick on a timer of its own. */
  readonly running: true;
}

/**
 * Starts at `start` and runs at the speed of real time from the moment it is made, so that a live
 * server, its simulator and a browser see time pass as they would — at the same hour every run.
 */
export function runningClock(start: Date = WORKING_MORNING): RunningClock {
  const origin = performance.now();
  let shift = 0;
  const clock = () => new Date(start.getTime() + (performance.now() - origin) + shift);
  return Object.assign(clock, {
    advance(ms: number) {
      shift += ms;
    },
    running: true as const,
  });
}

/** Whether a clock moves by itself (a running clock) rather than only when the test moves it. */
export const isRunning = (clock: () => Date): clock is RunningClock =>
  (clock as Partial<RunningClock>).running === true;

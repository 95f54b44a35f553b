/**
 * The live benchmark's settings and clock, the same in the bench's process and in the server
 * children (which inherit its environment).
 */

/** Walls connected to each server (BENCH_LIVE_CLIENTS overrides, for a quick look). */
export const CLIENTS = Number(process.env.BENCH_LIVE_CLIENTS ?? 1000);
/** Measured events per run, after the warm-up ones. */
export const EVENTS = 30;
export const WARM_UP_EVENTS = 3;
/** Walls connecting at once. */
export const CONNECT_WAVE = 100;
/** The whole benchmark, all runs, must finish within this. */
export const DEADLINE_MS = Number(process.env.BENCH_LIVE_TIMEOUT_MS ?? 150_000);
/** Every wall must have one event's delta within this. */
export const EVENT_LIMIT_MS = 5_000;
/** Set in a server child's environment (to the server's name): the child runs `child.ts`. */
export const CHILD_ROLE_VARIABLE = 'BENCH_LIVE_CHILD';

/** Milliseconds on the monotonic clock both processes share. */
export const clock = () => Number(process.hrtime.bigint()) / 1e6;
export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

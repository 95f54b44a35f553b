/**
 * The live benchmark's settings and clock, the same in the bench's process and in the server
 * children (which inherit its environment).
 */

/** `BENCH_QUICK=1`: fewer walls and events everywhere, for a look while developing (not for the table). */
export const QUICK = process.env.BENCH_QUICK === '1';
/** Walls connected to each server (BENCH_LIVE_CLIENTS overrides, for a quick look). */
export const CLIENTS = Number(process.env.BENCH_LIVE_CLIENTS ?? (QUICK ? 200 : 1000));
/** Measured events per run, after the warm-up ones. */
export const EVENTS = QUICK ? 10 : 30;
/** Walls of the run at scale (`live-scale.ts`; BENCH_LIVE_SCALE_WALLS overrides), and its events. */
export const SCALE_WALLS = Number(process.env.BENCH_LIVE_SCALE_WALLS ?? (QUICK ? 1000 : 5000));
export const SCALE_EVENTS = QUICK ? 8 : 20;
/** The run at scale must finish within this. */
export const SCALE_DEADLINE_MS = Number(process.env.BENCH_LIVE_SCALE_TIMEOUT_MS ?? 420_000);
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

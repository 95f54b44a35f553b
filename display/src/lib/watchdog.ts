/** What the wall's page tells its watchdog worker (watchdog.worker.ts). */
export type WatchdogMessage =
  | { type: 'start'; token: string; screen: string; heartbeatMs: number }
  /** The page is alive: the `seq` it has applied, when it last painted (epoch ms), how often it beats. */
  | { type: 'alive'; seq: number | null; paintedAt: number | null; heartbeatMs: number };

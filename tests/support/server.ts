/** A whole server on an ephemeral port, on one of the test databases, for integration and browser tests. */
import { loadCityConfig, readCityConfigFile } from '../../server/config/city.js';
import { parseEnv } from '../../server/config/env.js';
import type { Logger } from 'pino';
import { createLogger } from '../../server/logger.js';
import { startServer, type RunningServer } from '../../server/server.js';
import { type CityConfig, type FeedConfig } from '../../shared/city.js';
import { FEEDS, type FeedName } from '../../shared/feeds/index.js';
import type { Scenario } from '../../server/simulator/scenario.js';
import { startSimulator, type RunningSimulator } from '../../server/simulator/server.js';
import type { Role } from '../../shared/roles.js';
import { isRunning, runningClock } from './clock.js';
import type { DatabaseTarget, TestDatabase } from './databases.js';

export interface TestServer extends RunningServer {
  /** The built-in simulator the server polls, when asked for. */
  simulator: RunningSimulator | null;
  baseUrl: string;
  /** The clock the server and its simulator read (a running clock from a fixed morning by default). */
  clock: () => Date;
  adminToken: string;
  wallToken: string;
  /** A new token of a role (a street token limited to `streets`), named after them unless `name` is given. */
  issue(role: Role, streets?: string[], name?: string): Promise<string>;
  /** fetch against the server with a token (the admin's by default). */
  api(path: string, init?: RequestInit & { token?: string | null }): Promise<Response>;
}

export interface TestServerOptions {
  target: DatabaseTarget;
  /** Reuse a database (a restart); otherwise a new one is created and dropped at stop. */
  database?: TestDatabase;
  feedUrls?: Partial<Record<FeedName, string>>;
  /** Scheduled snapshot and refresh jobs; off by default so tests decide what runs. */
  jobs?: boolean;
  /**
   * Feeds polled at their intervals on the machine's clock (default on). Off, a feed is read once
   * at start and then only when the test runs it: for tests that count a feed's requests or runs.
   */
  pollSchedule?: boolean;
  /** Poll the built-in simulator for every feed (30 days of backfill, as the product), optionally with a scenario. */
  simulator?: boolean | { scenario: Scenario };
  /**
   * Whether the simulator moves the city on by a timer of its own (every second). Default: when the
   * clock runs by itself. Off, the city moves only when the test calls `simulator.tick()`, and the
   * only news is what the test pushes.
   */
  simulatorTicks?: boolean;
  /** Seed the month of demo values (slower); off by default. */
  seed?: boolean;
  /**
   * The server's clock. Default: a running clock from a fixed working morning (tests/support/clock.ts),
   * so that nothing depends on the hour the suite runs at. A clock the test moves by hand makes the
   * simulator move on only when told (`simulator.tick()`).
   */
  clock?: () => Date;
  city?: CityConfig;
  /** A configuration file to read the city from, read again on SIGHUP and POST /api/admin/reload. */
  cityFile?: string;
  displayDir?: string;
  /** A fixed port (a restart on the same address); default an ephemeral one. */
  port?: number;
  /** More environment variables (DATABASE_TIMEOUT_MS…). */
  env?: Record<string, string>;
  /** Where the server logs; by default a logger at TEST_LOG_LEVEL (silent). */
  logger?: Logger;
  /** How long history gathers marked days before recording them (the product waits 30 s). */
  historyDelayMs?: number;
  /** The server's version (package.json's in the product): a new one makes open walls reload. */
  version?: string;
}

/** Anning's configuration with some feed settings changed (short timeouts in fault tests). */
export async function testCity(
  feeds: Partial<Record<FeedName, Partial<FeedConfig>>> = {},
): Promise<CityConfig> {
  const city = await loadCityConfig('config/anning.json');
  for (const [feed, settings] of Object.entries(feeds) as [FeedName, Partial<FeedConfig>][])
    city.feeds[feed] = { ...city.feeds[feed], ...settings };
  return city;
}

export async function startTestServer(options: TestServerOptions): Promise<TestServer> {
  const database = options.database ?? (await options.target.create());
  const ownsDatabase = !options.database;
  const env = parseEnv({
    PORT: String(options.port ?? 0),
    HOST: '127.0.0.1',
    DATABASE_URL: database.url,
    SEED_DEMO: options.seed ? 'on' : 'off',
    // The demo's published months change what a seeded server's reports and alerts hold: asked for.
    DEMO_MONTHS: '0',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    ...options.env,
  });
  const file = options.cityFile ? await readCityConfigFile(options.cityFile) : null;
  const city = file?.config ?? options.city ?? (await loadCityConfig('config/anning.json'));
  const clock = options.clock ?? runningClock();
  const simulator = options.simulator
    ? await startSimulator({
        city,
        now: clock,
        scenario: typeof options.simulator === 'object' ? options.simulator.scenario : undefined,
        // On a clock the test moves, the simulator moves on when told (tick), not by a timer of its own.
        tickMs: (options.simulatorTicks ?? isRunning(clock)) ? 1000 : 3_600_000,
      })
    : null;
  const feedUrls =
    options.feedUrls ??
    (simulator ? Object.fromEntries(FEEDS.map((feed) => [feed, simulator.feedUrl(feed)])) : {});
  let running: RunningServer;
  try {
    running = await startServer({
      env,
      city,
      cityFile: options.cityFile,
      cityText: file?.text,
      logger: options.logger ?? createLogger(env.LOG_LEVEL),
      pgliteDir: database.pgliteDir,
      inMemory: !database.pgliteDir,
      pgliteImage: database.pgliteImage,
      clock,
      displayDir: options.displayDir,
      feedUrls,
      jobs: options.jobs ?? false,
      pollSchedule: options.pollSchedule,
      historyDelayMs: options.historyDelayMs ?? 200,
      version: options.version,
    });
  } catch (error) {
    await simulator?.stop();
    if (ownsDatabase) await database.drop();
    throw error;
  }
  const issue = async (
    role: Role,
    streets: string[] = [],
    name = `test ${role} ${streets.join(' ')}`.trim(),
  ) => (await running.ctx.tokens.create({ name, role, streets })).token;
  // A reused database issues no tokens on start: make some.
  const token = async (role: 'admin' | 'wall') =>
    running.issued.find((t) => t.role === role)?.token ?? (await issue(role));
  const baseUrl = `http://127.0.0.1:${running.port}`;
  const adminToken = await token('admin');
  return {
    ...running,
    simulator,
    baseUrl,
    clock,
    adminToken,
    wallToken: await token('wall'),
    issue,
    api(path, init = {}) {
      const { token: explicit, ...rest } = init;
      const headers = new Headers(rest.headers);
      const bearer = explicit === undefined ? adminToken : explicit;
      if (bearer !== null) headers.set('authorization', `Bearer ${bearer}`);
      return fetch(`${baseUrl}${path}`, { ...rest, headers });
    },
    async stop() {
      await running.stop();
      await simulator?.stop();
      if (ownsDatabase) await database.drop();
    },
  };
}

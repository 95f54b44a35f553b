/**
 * The demo's first start, with an in-memory PGlite and a simulator of its own on the machine's
 * clock: from nothing to listening, to warmed up (the simulator's 30 days backfilled, history
 * recorded), and then the thirteen past months the demo publishes, timed on their own (the same
 * call the warm-up ends with), so their share of the first start is not lost in its noise.
 */
import { publishDemoHistory } from '../server/bootstrap.js';
import { parseEnv } from '../server/config/env.js';
import { createLogger } from '../server/logger.js';
import { startServer } from '../server/server.js';
import { startSimulator } from '../server/simulator/server.js';
import { type CityConfig } from '../shared/city.js';
import { FEEDS } from '../shared/feeds/index.js';

export interface FirstStart {
  /** Start → the HTTP server listening, ms. */
  listening: number;
  /** Start → warmed up, ms. */
  warmedUp: number;
  months: number;
  /** Publishing the demo's past months after the warm-up, ms. */
  demoMonths: number;
}

export async function benchFirstStart(city: CityConfig, months = 13): Promise<FirstStart> {
  const started = performance.now();
  const simulator = await startSimulator({ city });
  const env = parseEnv({
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    SEED_DEMO: 'on',
    DEMO_MONTHS: '0',
  });
  try {
    const server = await startServer({
      env,
      city,
      logger: createLogger('silent'),
      inMemory: true,
      feedUrls: Object.fromEntries(FEEDS.map((feed) => [feed, simulator.feedUrl(feed)])),
    });
    try {
      const listening = performance.now() - started;
      await server.warmedUp;
      const warmedUp = performance.now() - started;
      const before = performance.now();
      const published = await publishDemoHistory(server.ctx, months, env.SIMULATOR_SEED);
      const demoMonths = performance.now() - before;
      if (published !== months) throw new Error(`${published} months published, expected ${months}`);
      return { listening, warmedUp, months, demoMonths };
    } finally {
      await server.stop();
    }
  } finally {
    await simulator.stop();
  }
}

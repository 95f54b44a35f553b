/**
 * One server node, as its own process, for the tests of several nodes on one PostgreSQL: the whole
 * server (startServer) on DATABASE_URL as NODE_ID, polling the incident feed at FEED_URL, on a clock
 * that runs from the fixed working morning (as every test's). Tells its parent, over IPC, its port
 * once it listens. Run with `node --import tsx tests/support/node.child.ts`.
 */
import { loadCityConfig } from '../../server/config/city.js';
import { parseEnv } from '../../server/config/env.js';
import { createLogger } from '../../server/logger.js';
import { startServer } from '../../server/server.js';
import { runningClock, WORKING_MORNING } from './clock.js';

const env = parseEnv({
  PORT: '0',
  HOST: '127.0.0.1',
  SEED_DEMO: 'off',
  DEMO_MONTHS: '0',
  LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
  ...process.env,
});
const city = await loadCityConfig('config/anning.json');
city.feeds.incident = { ...city.feeds.incident, pageSize: Number(process.env.PAGE_SIZE ?? 100) };
// Every node on the same instant: the parent says when its clocks began.
const started = Number(process.env.CLOCK_ORIGIN ?? Date.now());
const clock = runningClock(new Date(WORKING_MORNING.getTime() + (Date.now() - started)));
const server = await startServer({
  env,
  city,
  logger: createLogger(env.LOG_LEVEL),
  clock,
  feedUrls: process.env.FEED_URL ? { incident: process.env.FEED_URL } : {},
  jobs: true,
  historyDelayMs: 200,
});
process.send?.({ type: 'listening', port: server.port, node: server.ctx.nodes.id });
const stop = () => void server.stop().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('disconnect', stop);

/** Runs Pingan Wall from the environment: `npm start`. */
import { readFileSync } from 'node:fs';
import { readCityConfigFile } from './config/city.js';
import { type CityConfig } from '../shared/city.js';
import { FEEDS } from '../shared/feeds/index.js';
import { ConfigError, parseEnv, type Env } from './config/env.js';
import { createConsoleLogger } from './logger.js';
import { startServer, StartError } from './server.js';
import { loadScenario } from './simulator/scenario.js';
import { startSimulator } from './simulator/server.js';

const SHUTDOWN_LIMIT_MS = 10_000;

async function main() {
  let env;
  let city;
  let cityText;
  try {
    env = parseEnv();
    ({ config: city, text: cityText } = await readCityConfigFile(env.CITY_CONFIG));
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`Pingan Wall cannot start: ${error.message}\n`);
    process.exit(2);
  }
  const logger = createConsoleLogger(env.LOG_LEVEL, {
    format: env.LOG_FORMAT,
    timezone: city.city.timezone,
  });
  const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
  const simulator = env.SIMULATOR === 'on' ? await startBuiltInSimulator(env, city) : null;
  if (simulator) logger.info({ url: simulator.url }, 'simulator of the city feeds started');
  // The simulator stands in for every feed the configuration gives no URL, then or after a change.
  const fallbackFeedUrls = simulator
    ? Object.fromEntries(FEEDS.map((feed) => [feed, simulator.feedUrl(feed)]))
    : {};
  const running = await startServer({
    env,
    city,
    cityFile: env.CITY_CONFIG,
    cityText,
    logger,
    displayDir: 'display/build',
    version,
    fallbackFeedUrls,
  });

  const host = env.HOST === '0.0.0.0' || env.HOST === '::' ? 'localhost' : env.HOST;
  const base = `http://${host}:${running.port}`;
  const wall = running.issued.find((t) => t.role === 'wall');
  // The first configured screen: the wall opened from here is one the wallDown rule watches.
  const screen = running.ctx.city.screens.walls[0]?.name;
  const screenQuery = screen ? `&screen=${encodeURIComponent(screen)}` : '';
  const admin = running.issued.find((t) => t.role === 'admin');
  const lines = [
    '',
    `  Pingan Wall · ${city.city.name.zh} ${city.city.name.en} · ${running.ctx.database.kind}`,
    wall
      ? `  The wall:      ${base}/?token=${wall.token}${screenQuery}`
      : `  The wall:      ${base}/?token=<a wall token>   (npm run token -- create wall "lobby screen")`,
    ...(admin ? [`  Admin token:   ${admin.token}`] : []),
    ...(running.issued.length > 0
      ? ['  These tokens are shown this once; only their hashes are stored.']
      : []),
    '',
  ];
  process.stdout.write(lines.join('\n') + '\n');
  logger.info({ port: running.port, database: running.ctx.database.kind }, 'listening');

  const shutdown = (signal: string) => {
    logger.info({ signal }, 'shutting down');
    const timer = setTimeout(() => {
      logger.error('shutdown took over 10 s; exiting anyway');
      process.exit(1);
    }, SHUTDOWN_LIMIT_MS);
    timer.unref();
    Promise.all([running.stop(), simulator?.stop()]).then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

async function startBuiltInSimulator(env: Env, city: CityConfig) {
  let scenario;
  try {
    scenario = await loadScenario(env.SIMULATOR_SCENARIO, city);
  } catch (error) {
    process.stderr.write(`Pingan Wall cannot start the simulator: ${(error as Error).message}\n`);
    process.exit(2);
  }
  return startSimulator({ city, seed: env.SIMULATOR_SEED, scenario });
}

main().catch((error: unknown) => {
  if (error instanceof StartError || error instanceof ConfigError) {
    process.stderr.write(`Pingan Wall cannot start: ${error.message}\n`);
    process.exit(2);
  }
  process.stderr.write(
    `Pingan Wall failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});

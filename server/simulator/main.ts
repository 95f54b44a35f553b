/**
 * The simulator as its own process:
 *
 *     tsx server/simulator/main.ts [--port 4100] [--seed N] [--host 127.0.0.1]
 *         [--scenario config/scenarios/anning-demo.json] [--city config/anning.json] [--backfill-days 30]
 *
 * Prints the five feed URLs and runs until interrupted.
 */
import { parseArgs } from 'node:util';
import { FEEDS } from '../../shared/feeds/index.js';
import { loadCityConfig } from '../config/city.js';
import { ConfigError } from '../config/env.js';
import { DEFAULT_SEED } from './model.js';
import { loadScenario } from './scenario.js';
import { startSimulator } from './server.js';

function whole(name: string, text: string | undefined, fallback: number, min = 0): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < min)
    throw new ConfigError('command line', [`--${name}: "${text}" is not a whole number ≥ ${min}`]);
  return value;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '4100' },
      host: { type: 'string', default: '127.0.0.1' },
      seed: { type: 'string' },
      scenario: { type: 'string' },
      city: { type: 'string', default: 'config/anning.json' },
      'backfill-days': { type: 'string' },
    },
  });
  const city = await loadCityConfig(values.city);
  const scenario = values.scenario ? await loadScenario(values.scenario, city) : undefined;
  const simulator = await startSimulator({
    city,
    scenario,
    seed: whole('seed', values.seed, DEFAULT_SEED),
    port: whole('port', values.port, 4100),
    host: values.host,
    backfillDays: whole('backfill-days', values['backfill-days'], 30),
  });
  console.log(
    `Pingan Wall feed simulator for ${city.city.name.zh} (${city.city.name.en}) at ${simulator.url}`,
  );
  for (const feed of FEEDS) console.log(`  ${feed.padEnd(15)} ${simulator.feedUrl(feed)}`);
  if (scenario) console.log(`  scenario: ${values.scenario} (${scenario.events.length} events)`);
  console.log(`  control:         ${simulator.url}/control/status`);

  const shutdown = () => {
    simulator.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});

/**
 * The simulator as its own process (`npm run simulator -- --help` says what it takes). Prints the
 * five feed URLs and runs until interrupted.
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

const HELP = `Serves simulated feeds of a city (police incidents, anti-fraud, service windows, mediation,
surveys) over HTTP, in the feed contract the server polls: a month of history, then a city that
moves on every second. Stop it with Ctrl-C.

usage: npm run simulator -- [options]

  --port N             the port to listen on (default 4100; 0: any free port)
  --host ADDRESS       the address to listen on (default 127.0.0.1)
  --city FILE          the city configuration whose streets it simulates (default config/anning.json)
  --scenario FILE      a scenario of scripted events: a robbery at 10:05, a fraud wave… (default none)
  --seed N             the random seed: the same seed, the same city (default ${DEFAULT_SEED})
  --backfill-days N    the days of history it serves before now (default 30)
  -h, --help           this text

It prints each feed's URL: give them to the server as the feeds' "url" in the city configuration.
\`npm start\` runs one by itself (SIMULATOR=on); this is for a simulator of its own.
`;

async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        port: { type: 'string', default: '4100' },
        host: { type: 'string', default: '127.0.0.1' },
        seed: { type: 'string' },
        scenario: { type: 'string' },
        city: { type: 'string', default: 'config/anning.json' },
        'backfill-days': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    // An unknown option or one without its value: say which, and what there is.
    process.stderr.write(`${(error as Error).message}\n\n${HELP}`);
    process.exit(2);
  }
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
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

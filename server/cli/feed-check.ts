/**
 * The dry run from the shell, before a server runs:
 *   npm run feed:check -- <city config> <feed> [sample.json]
 * With a sample file (an array of records, or a whole page as the system answers, its records at
 * the feed's `paging.items`); without, the first page fetched from the feed's URL as the server
 * would ask for it (auth, query, body, CA, paging). Prints each mapped
 * item as it would be stored and each refused record with its reason; stores nothing. Exits 0 when
 * every record maps, 1 when some are refused, 2 when it cannot run.
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { FEEDS, type FeedName } from '../../shared/feeds/index.js';
import { loadCityConfig } from '../config/city.js';
import { ConfigError, parseEnv } from '../config/env.js';
import { dryRun, sampleRecords, type DryRun } from '../feeds/dry-run.js';
import { FeedFetchError } from '../feeds/http-source.js';
import { readOnePage } from '../feeds/poller.js';
import { feedRequestSetup } from '../feeds/request-setup.js';
import { firstPosition } from '../../shared/feed-paging.js';
import { recordParser } from '../feeds/records.js';
import { adapterOf } from '../feeds/registry.js';

const usage = `usage: npm run feed:check -- <city config> <${FEEDS.join('|')}> [sample.json]`;

const HELP = `Tries a feed's mapping before a server runs, storing nothing. With a sample file (an array of
records, or a whole page as the system answers), it maps those; without, it fetches the first page
from the feed's URL as the server would (auth, query, body, CA, paging). It prints each refused
record with its reason and each mapped item as it would be stored. Exits 0 when every record maps,
1 when some are refused, 2 when it cannot run.
`;

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(2);
}

/** The dry run as a person reads it: the count, each refusal, then each mapped item on a line. */
export function describeDryRun(result: DryRun): string {
  const lines = [
    `${result.feed}: ${result.records} records (${result.source}), ${result.mapped.length} mapped, ${result.rejected.length} refused`,
    ...result.rejected.map(({ line, reason }) => `  refused  line ${line}: ${reason}`),
    ...result.mapped.map(({ line, item }) => `  mapped   line ${line}: ${JSON.stringify(item)}`),
  ];
  return lines.join('\n');
}

async function main() {
  const [configPath, feedName, samplePath] = process.argv.slice(2);
  if (configPath === '--help' || configPath === '-h') {
    process.stdout.write(`${HELP}\n${usage}\n`);
    return;
  }
  if (!configPath || !feedName) fail(usage);
  if (!(FEEDS as readonly string[]).includes(feedName)) fail(`unknown feed "${feedName}"\n${usage}`);
  const feed = feedName as FeedName;
  let city;
  let env;
  try {
    city = await loadCityConfig(configPath);
    env = parseEnv();
  } catch (error) {
    if (error instanceof ConfigError) fail(error.message);
    throw error;
  }
  const config = city.feeds[feed];
  // Ids holding personal data are shown hashed with a key of this run, not the server's.
  const parser = recordParser(adapterOf(feed), config.mapping, city, {
    idKey: randomBytes(32),
    clockSkewSeconds: config.clockSkewSeconds,
  });
  let records: unknown[];
  let source: DryRun['source'];
  if (samplePath) {
    let sample: unknown;
    try {
      sample = JSON.parse(await readFile(samplePath, 'utf8'));
    } catch (error) {
      fail(`${samplePath} cannot be read as JSON: ${(error as Error).message}`);
    }
    const found = sampleRecords(sample, config.paging.items);
    if ('error' in found) fail(found.error);
    records = found;
    source = 'sample';
  } else {
    if (!config.url) fail(`feeds.${feed}.url is not set: give a sample file instead`);
    let request;
    try {
      request = feedRequestSetup(feed, config, process.env, env.SECRET_ENV_PREFIX);
    } catch (error) {
      if (error instanceof ConfigError) fail(error.message);
      throw error;
    }
    const context = {
      pageSize: config.pageSize,
      backfillDays: config.backfillDays,
      zone: city.city.timezone,
      now: new Date(),
    };
    try {
      records = await readOnePage(
        config,
        config.url,
        request,
        firstPosition(config.paging, context),
        context,
      );
    } catch (error) {
      if (error instanceof FeedFetchError) fail(error.message);
      throw error;
    } finally {
      await request.close();
    }
    source = 'fetched';
  }
  const result = dryRun(feed, parser, records, new Date(), source);
  process.stdout.write(`${describeDryRun(result)}\n`);
  process.exit(result.rejected.length > 0 ? 1 : 0);
}

if (process.argv[1]?.endsWith('feed-check.ts')) await main();

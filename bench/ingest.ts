/**
 * Ingest throughput through the real poll path (HTTP page → validation → upsert with cursor →
 * recompute of the touched streets) beside a raw batched insert of the same rows into the same
 * database. Both start from empty tables.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'drizzle-orm';
import pino from 'pino';
import type { CityConfig } from '../shared/city.js';
import { openDatabase, type Database } from '../server/db/client.js';
import { feedCursors, incidents } from '../server/db/schema/index.js';
import { FeedPoller } from '../server/feeds/poller.js';
import { feedIdKey } from '../server/feeds/opaque-id.js';
import { incidentAdapter } from '../server/feeds/incident.js';
import { createMetrics } from '../server/metrics.js';
import { LiveIndexService } from '../server/services/live-index.js';
import { IndicatorValueRepository } from '../server/repositories/indicator-values.js';
import { WeightSetRepository } from '../server/repositories/weight-sets.js';

const CATEGORIES = ['theft', 'dispute', 'traffic', 'other', 'assault', 'fraud'] as const;

function items(city: CityConfig, count: number, now: Date) {
  return Array.from({ length: count }, (_, i) => {
    const at = new Date(now.getTime() - (i % (29 * 24 * 60)) * 60_000).toISOString();
    return {
      id: `INC-${i}`,
      updatedAt: at,
      reportedAt: at,
      street: city.streets[i % city.streets.length]!.code,
      category: CATEGORIES[i % CATEGORIES.length],
      kind: i % 3 === 0 ? 'criminal' : 'public_order',
      status: 'closed',
      arrivedAt: at,
      closedAt: at,
      cleared: i % 5 === 0,
    };
  });
}

async function feedServer(all: unknown[]) {
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://x');
    const since = Number(url.searchParams.get('since') ?? 0);
    const limit = Number(url.searchParams.get('limit') ?? 500);
    const page = all.slice(since, since + limit);
    const next = since + page.length;
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ items: page, next: String(next), hasMore: next < all.length }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, close: () => server.close() };
}

async function emptyTables(database: Database) {
  await database.db.execute(sql`truncate ${incidents}, ${feedCursors}`);
}

export interface IngestResult {
  database: string;
  items: number;
  pollPerSecond: number;
  rawPerSecond: number;
}

export async function benchIngest(
  city: CityConfig,
  url: string | undefined,
  count = 20_000,
): Promise<IngestResult> {
  const now = new Date();
  const all = items(city, count, now);
  const database = await openDatabase({ url });
  await database.migrate();
  await emptyTables(database);
  const server = await feedServer(all);
  const db = database.db;
  try {
    const live = new LiveIndexService({
      city,
      db,
      values: new IndicatorValueRepository(db),
      weightSets: new WeightSetRepository(db),
    });
    const poller = new FeedPoller(
      incidentAdapter,
      { ...city.feeds.incident, pageSize: 500, maxPagesPerRun: 1000 },
      server.url,
      {
        db,
        city,
        logger: pino({ level: 'silent' }),
        metrics: createMetrics(),
        clock: () => new Date(),
        feedIdKey: await feedIdKey(db),
        onStored: (feed, batch) => live.refreshFeed(feed, new Date(), batch.streets),
      },
    );
    await poller.init();
    let started = performance.now();
    await poller.run();
    const pollSeconds = (performance.now() - started) / 1000;
    const [stored] = await db.select({ n: sql<number>`count(*)::int` }).from(incidents);
    if (stored?.n !== count) throw new Error(`the poll path stored ${stored?.n} of ${count} items`);

    await emptyTables(database);
    const rows = all.map((item) => incidentAdapter.toRow(incidentAdapter.schema.parse(item), item.street));
    started = performance.now();
    for (let i = 0; i < rows.length; i += 500)
      await db.insert(incidents).values(rows.slice(i, i + 500) as (typeof incidents.$inferInsert)[]);
    const rawSeconds = (performance.now() - started) / 1000;
    await emptyTables(database);
    return {
      database: database.kind,
      items: count,
      pollPerSecond: count / pollSeconds,
      rawPerSecond: count / rawSeconds,
    };
  } finally {
    server.close();
    await database.close();
  }
}

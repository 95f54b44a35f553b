import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseTargets, type TestDatabase } from '../support/databases.js';
import { feedItem } from '../support/feed-items.js';
import { startFeedServer, type TestFeedServer } from '../support/feed-server.js';
import { startTestServer, testCity } from '../support/server.js';
import { until } from '../support/wait.js';

/** Two servers started one after the other on a persistent database: generous on a busy machine. */
const TWO_STARTS_MS = 240_000;

describe.each(databaseTargets)('backfill across a restart on $name', (target) => {
  let feed: TestFeedServer;
  let database: TestDatabase;
  const now = new Date('2026-11-25T02:00:00Z');

  beforeAll(async () => {
    feed = await startFeedServer();
    database = await target.create({ persistent: true });
    // 120 incidents over the past 60 days, one every half day, spread over the streets.
    const streets = ['lianran', 'jinfang', 'wenquan'];
    for (let i = 0; i < 120; i++) {
      const at = new Date(now.getTime() - (i + 0.5) * 12 * 3_600_000).toISOString();
      feed.items.push(
        feedItem('incident', now, { id: `INC-${i}`, street: streets[i % 3], reportedAt: at, updatedAt: at }),
      );
    }
  });
  afterAll(async () => {
    await feed?.stop();
    await database?.drop();
  });

  it(
    'a restart in the middle of a backfill neither skips nor double-counts',
    async () => {
      // Pages of 10: a backfill of 12 pages. Stop the first server once 5 pages have been read.
      const city = await testCity({ incident: { pageSize: 10, backfillDays: 30 } });
      const withFeed = { target, database, city, clock: () => now, feedUrls: { incident: feed.url } };
      feed.delayMs = 40;
      const interrupted = await startTestServer(withFeed);
      await until(() => feed.requests >= 5, 'five pages of the backfill', 120_000);
      await interrupted.stop();
      const afterInterruption = (await countRows(database, target.name)) as number;
      expect(afterInterruption).toBeGreaterThan(0);
      expect(afterInterruption).toBeLessThan(60);

      const resumed = await startTestServer(withFeed);
      feed.delayMs = 0;
      await resumed.warmedUp;
      const rows = await resumed.ctx.database.db.query.incidents.findMany();
      // Exactly the 60 incidents of the last 30 days (one per half day), each once.
      expect(rows).toHaveLength(60);
      expect(new Set(rows.map((r) => r.id)).size).toBe(60);
      const health = (await (await resumed.api('/api/feeds')).json()).feeds.find(
        (f: { feed: string }) => f.feed === 'incident',
      );
      expect(health.backfill.done).toBe(true);
      await resumed.stop();
    },
    TWO_STARTS_MS,
  );
});

async function countRows(database: TestDatabase, kind: string): Promise<number> {
  const { openDatabase } = await import('../../server/db/client.js');
  const db = await openDatabase({
    url: database.url,
    pgliteDir: kind === 'pglite' ? database.pgliteDir : undefined,
  });
  try {
    return (await db.db.query.incidents.findMany()).length;
  } finally {
    await db.close();
  }
}

/**
 * After a restart the wall shows the latest events at once, and a feed's rate is what the feed
 * delivers: reading thirty days again is not a burst.
 */
import { eq } from 'drizzle-orm';
import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { feedCursors } from '../../server/db/schema/index.js';
import type { FeedFreshness, LiveSnapshot } from '../../shared/live.js';
import { databaseTargets, type TestDatabase } from '../support/databases.js';
import { startFeedServer, type TestFeedServer } from '../support/feed-server.js';
import type { LiveSocket } from '../support/live.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { until } from '../support/wait.js';

const NOW = new Date('2026-11-25T02:30:00Z');
const STREETS = ['lianran', 'jinfang', 'wenquan', 'qinglong'];
const MINUTE = 60_000;

/** An incident that happened and last changed `minutesAgo` before NOW. */
function incident(id: string, minutesAgo: number, street: string) {
  const at = new Date(NOW.getTime() - minutesAgo * MINUTE).toISOString();
  return { id, updatedAt: at, reportedAt: at, street, category: 'theft', kind: 'criminal', status: 'open' };
}

/** The first snapshot a wall gets from a server. */
async function firstSnapshot(server: TestServer): Promise<LiveSnapshot> {
  const socket: LiveSocket = io(`${server.baseUrl}/live`, {
    auth: { token: server.wallToken },
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
  });
  try {
    return await new Promise<LiveSnapshot>((resolve, reject) => {
      socket.on('snapshot', resolve);
      socket.on('connect_error', reject);
    });
  } finally {
    socket.disconnect();
  }
}

interface Rates {
  feeds: number;
  health: number;
  wall: number;
}

/** The incident feed's rate as /api/feeds, /api/health and the wall's feed panel give it. */
async function rates(server: TestServer): Promise<Rates> {
  type Health = { feed: string; itemsPerMinute: number };
  const { feeds }: { feeds: Health[] } = await (await server.api('/api/feeds')).json();
  const health: { feeds: Health[] } = await (await server.api('/api/health', { token: null })).json();
  const wall = (await firstSnapshot(server)).feeds.find((f: FeedFreshness) => f.feed === 'incident')!;
  return {
    feeds: feeds.find((f) => f.feed === 'incident')!.itemsPerMinute,
    health: health.feeds.find((f) => f.feed === 'incident')!.itemsPerMinute,
    wall: wall.itemsPerMinute,
  };
}

describe.each(databaseTargets)('a restarted server on $name', (target) => {
  let database: TestDatabase;
  let feed: TestFeedServer;
  let server: TestServer | null = null;
  const start = () =>
    startTestServer({
      target,
      database,
      clock: () => NOW,
      feedUrls: { incident: feed.url },
      // The feed is read once at start: what the rates count is what the start read.
      pollSchedule: false,
    });

  beforeAll(async () => {
    database = await target.create({ persistent: true });
    feed = await startFeedServer();
    // Thirty days of history, one incident every twenty minutes, none in the last five minutes…
    for (let i = 0; i < 2_100; i++)
      feed.items.push(incident(`OLD-${i}`, 20 * (i + 1) + 7, STREETS[i % STREETS.length]!));
    // …and ten in the last five: two a minute.
    for (let i = 0; i < 10; i++)
      feed.items.push(incident(`NEW-${i}`, 0.5 + i * 0.4, STREETS[i % STREETS.length]!));
  });
  afterAll(async () => {
    await server?.stop();
    await feed?.stop();
    await database?.drop();
  });

  it('shows the ticker it showed before, at once, and the true rate of a feed read again from its start', async () => {
    server = await start();
    await server.warmedUp;
    // The first start backfilled thirty days: the rate is the last five minutes', two a minute.
    expect(await rates(server)).toEqual({ feeds: 2, health: 2, wall: 2 });
    const before = await firstSnapshot(server);
    expect(before.ticker.length).toBeGreaterThan(10);
    // The feed's system was reset: it serves everything again from its start, past the backfill.
    await server.ctx.database.db
      .update(feedCursors)
      .set({ cursor: null })
      .where(eq(feedCursors.feed, 'incident'));
    await server.stop();
    server = null;

    const requests = feed.requests;
    server = await start();
    await server.warmedUp;
    const after = await firstSnapshot(server);
    // The latest events at once, though no new one arrived: the same ticker, newest first.
    expect(after.ticker).toEqual(before.ticker);
    expect(after.ticker.map((item) => item.key).slice(0, 10)).toEqual(
      Array.from({ length: 10 }, (_, i) => `incident:NEW-${i}`),
    );
    // Anonymised as ever: what, where, when.
    for (const item of after.ticker)
      expect(Object.keys(item).sort()).toEqual(['at', 'category', 'community', 'feed', 'key', 'street']);

    // Thirty days read again (2,110 items, five pages) are not a burst: still two a minute.
    const poller = server.ctx.feeds.pollers.get('incident')!;
    await until(async () => {
      await poller.run();
      return feed.lastRequest?.url.includes(`since=${feed.items.length}`);
    }, 'the feed read again to its end');
    expect(feed.requests - requests).toBeGreaterThanOrEqual(5);
    expect(await rates(server)).toEqual({ feeds: 2, health: 2, wall: 2 });
  });
});

/**
 * The pollers' schedule when the process is busy: a tick missed while the event loop was blocked
 * (a first start's warm-up does that) prints no node-cron warning on the console, one per feed (the
 * server logs it at debug level), and the next tick polls as usual.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { databaseTargets } from '../support/databases.js';
import { feedItem } from '../support/feed-items.js';
import { startFeedServer, type TestFeedServer } from '../support/feed-server.js';
import { startTestServer, testCity, type TestServer } from '../support/server.js';
import { until } from '../support/wait.js';

describe('a busy process and the poll schedule', () => {
  let feed: TestFeedServer;
  let server: TestServer;

  beforeAll(async () => {
    feed = await startFeedServer();
    feed.items.push(feedItem('incident', new Date('2026-11-25T02:00:00Z')));
    // Polled every second, so that a blocked event loop misses ticks.
    server = await startTestServer({
      target: databaseTargets[0]!,
      city: await testCity({ incident: { intervalSeconds: 1 } }),
      feedUrls: { incident: feed.url },
    });
    await server.warmedUp;
  });
  afterAll(async () => {
    await server?.stop();
    await feed?.stop();
  });

  it('says nothing on the console for the ticks it missed, and polls again after', async () => {
    const warn = vi.spyOn(console, 'warn');
    try {
      await until(() => feed.requests > 0, 'a first poll');
      // The event loop held for 2.5 s, as a heavy synchronous step would.
      const until2500 = Date.now() + 2500;
      while (Date.now() < until2500);
      const before = feed.requests;
      await until(() => feed.requests > before, 'a poll after the busy spell');
      const missed = warn.mock.calls.filter((call) => String(call[0]).includes('missed execution'));
      expect(missed).toEqual([]);
    } finally {
      warn.mockRestore();
    }
  });
});

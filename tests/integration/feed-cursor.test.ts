/**
 * A feed whose cursor never advances while it says it has more would be read again and again for
 * ever: the run stops at once, and the feed's health says why.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseTargets } from '../support/databases.js';
import { feedItem } from '../support/feed-items.js';
import { startFeedServer, type TestFeedServer } from '../support/feed-server.js';
import { startTestServer, testCity, type TestServer } from '../support/server.js';

describe.each(databaseTargets)('a feed whose cursor does not advance on $name', (target) => {
  let feed: TestFeedServer;
  let server: TestServer;
  const now = new Date('2026-11-25T02:00:00Z');

  beforeAll(async () => {
    feed = await startFeedServer();
    feed.items.push(
      feedItem('incident', now, { id: 'INC-stuck-1' }),
      feedItem('incident', now, { id: 'INC-stuck-2' }),
    );
    feed.fault = 'stuck';
    server = await startTestServer({
      target,
      clock: () => now,
      feedUrls: { incident: feed.url },
      // The runs this test counts are its own: no scheduled poll in between on a slow machine.
      pollSchedule: false,
      city: await testCity({ incident: { maxPagesPerRun: 5 } }),
    });
    await server.warmedUp;
  });
  afterAll(async () => {
    await server?.stop();
    await feed?.stop();
  });

  const health = async () =>
    (await (await server.api('/api/feeds')).json()).feeds.find(
      (f: { feed: string }) => f.feed === 'incident',
    );

  it('stops the run at the page that repeats its cursor, and says so in the feed’s health', async () => {
    // One page to "stuck", one from "stuck" to "stuck": there the run stopped.
    expect(feed.requests).toBe(2);
    const incident = await health();
    expect(incident.status).toBe('failing');
    expect(incident.consecutiveFailures).toBe(1);
    expect(incident.lastError).toBe(
      'the feed says hasMore but its cursor does not advance (stuck at "stuck")',
    );
    // What the first page carried is stored, once.
    expect((await server.ctx.database.db.query.incidents.findMany()).map((r) => r.id).sort()).toEqual([
      'INC-stuck-1',
      'INC-stuck-2',
    ]);
  });

  it('stops a run whose cursor goes round in a circle', async () => {
    feed.fault = 'circle';
    const before = feed.requests;
    await server.ctx.feeds.pollers.get('incident')!.run();
    // From "stuck" to a, a to b, then b back to a.
    expect(feed.requests - before).toBe(3);
    const incident = await health();
    expect(incident.consecutiveFailures).toBe(2);
    expect(incident.lastError).toBe(
      'the feed says hasMore but its cursor goes round in a circle (back to "a")',
    );
  });
});

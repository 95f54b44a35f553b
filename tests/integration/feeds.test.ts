import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { databaseTargets } from '../support/databases.js';
import { feedItem } from '../support/feed-items.js';
import { startFeedServer, type TestFeedServer } from '../support/feed-server.js';
import { startTestServer, testCity, type TestServer } from '../support/server.js';

interface LiveIndicator {
  id: string;
  raw: number | null;
  stale: boolean;
}

describe.each(databaseTargets)('polling the incident feed on $name', (target) => {
  let feed: TestFeedServer;
  let server: TestServer;
  let now = new Date('2026-11-25T02:00:00Z');

  beforeAll(async () => {
    feed = await startFeedServer();
    server = await startTestServer({
      target,
      clock: () => now,
      feedUrls: { incident: feed.url },
      city: await testCity({ incident: { timeoutMs: 300, retries: 1 } }),
      // Every poll is the test's: a scheduled one running when a fault is set would be joined, and
      // would answer as the feed did before.
      pollSchedule: false,
    });
    await server.warmedUp;
  });
  afterAll(async () => {
    await server?.stop();
    await feed?.stop();
  });
  afterEach(() => {
    feed.fault = 'none';
  });

  const poll = () => server.ctx.feeds.pollers.get('incident')!.run();
  const indicator = async (street: string, id: string): Promise<LiveIndicator> => {
    const live = await (await server.api('/api/index')).json();
    return live.streets
      .find((s: { code: string }) => s.code === street)
      .indicators.find((i: LiveIndicator) => i.id === id);
  };
  const count = async () => (await server.ctx.database.db.query.incidents.findMany()).length;

  it('stores a polled theft and counts it per 10k residents', async () => {
    feed.items.push(feedItem('incident', now, { id: 'INC-1', street: 'jinfang' }));
    await poll();
    const theft = await indicator('jinfang', 'theft');
    // One theft among 92,000 residents: 1 / 92,000 · 10,000 per 10k.
    expect(theft.raw).toBeCloseTo(10_000 / 92_000, 9);
  });

  it('does not count an item seen twice twice', async () => {
    feed.items.push(feedItem('incident', now, { id: 'INC-1', street: 'jinfang' }));
    await poll();
    expect(await count()).toBe(1);
    expect((await indicator('jinfang', 'theft')).raw).toBeCloseTo(10_000 / 92_000, 9);
  });

  it('applies an update: the theft is cleared and counts as a criminal case cleared', async () => {
    const before = (await indicator('jinfang', 'criminal_cleared')).raw;
    feed.items.push(
      feedItem('incident', now, {
        id: 'INC-1',
        updatedAt: now.toISOString(),
        status: 'closed',
        cleared: true,
        closedAt: now.toISOString(),
      }),
    );
    await poll();
    expect(before).toBe(0);
    expect((await indicator('jinfang', 'criminal_cleared')).raw).toBeCloseTo(10_000 / 92_000, 9);
    expect(await count()).toBe(1);
  });

  it('ignores an older version that arrives after a newer one', async () => {
    feed.items.push(
      feedItem('incident', now, { id: 'INC-1', updatedAt: '2026-11-24T00:00:00Z', status: 'open' }),
    );
    await poll();
    const [row] = await server.ctx.database.db.query.incidents.findMany();
    expect(row!.status).toBe('closed');
  });

  it('puts a late item into the window of when it happened, not when it arrived', async () => {
    const old = new Date(now.getTime() - 40 * 86_400_000).toISOString();
    const recent = new Date(now.getTime() - 5 * 86_400_000).toISOString();
    feed.items.push(
      feedItem('incident', now, { id: 'INC-OLD', street: 'wenquan', reportedAt: old, updatedAt: old }),
    );
    feed.items.push(feedItem('incident', now, { id: 'INC-LATE', street: 'wenquan', reportedAt: recent }));
    await poll();
    // Only the one of five days ago falls in the 30-day window.
    expect((await indicator('wenquan', 'theft')).raw).toBeCloseTo(10_000 / 36_000, 9);
  });

  it('quarantines invalid records with their reasons and stores the rest of the batch', async () => {
    feed.items.push(
      {
        ...feedItem('incident', now, { id: 'INC-BAD-1', category: 'alien abduction' }),
        reporterName: '张三',
      },
      feedItem('incident', now, { id: 'INC-BAD-2', street: 'atlantis' }),
      feedItem('incident', now, { id: 'INC-GOOD', street: 'bajie' }),
    );
    await poll();
    const quarantined = await (await server.api('/api/quarantine?feed=incident')).json();
    const reasons = quarantined.records.map((r: { reason: string }) => r.reason);
    expect(reasons).toEqual(
      expect.arrayContaining([expect.stringMatching(/^category: /), 'street: unknown street "atlantis"']),
    );
    // Nothing personal is kept, even in quarantine.
    expect(JSON.stringify(quarantined)).not.toContain('张三');
    expect((await indicator('bajie', 'theft')).raw).toBeGreaterThan(0);
  });

  it.each(['error', 'html', 'hang', 'garbage'] as const)(
    'a feed answering %s leaves the stored data intact and shows in its health',
    async (fault) => {
      const stored = await count();
      const before = await (await server.api('/api/index')).json();
      feed.fault = fault;
      feed.items.push(feedItem('incident', now, { id: `INC-${fault}` }));
      await poll();
      expect(await count()).toBe(stored);
      expect((await (await server.api('/api/index')).json()).streets).toEqual(before.streets);
      const health = (await (await server.api('/api/feeds')).json()).feeds.find(
        (f: { feed: string }) => f.feed === 'incident',
      );
      expect(health.consecutiveFailures).toBeGreaterThan(0);
      expect(health.lastError).toMatch(
        { error: /HTTP 503/, html: /not JSON/, hang: /no answer within/, garbage: /not a feed envelope/ }[
          fault
        ],
      );
      // Recovery: the next good run stores what was waiting and resets the failures.
      feed.fault = 'none';
      now = new Date(now.getTime() + 15 * 60_000);
      await poll();
      expect(await count()).toBe(stored + 1);
    },
  );

  it('flags the indicators of a feed that has not answered for too long as stale', async () => {
    feed.fault = 'error';
    now = new Date(now.getTime() + 3 * 60_000);
    await poll();
    expect((await indicator('jinfang', 'theft')).stale).toBe(true);
    expect((await indicator('jinfang', 'cameras_online')).stale).toBe(false);
    const health = await (await server.api('/api/health', { token: null })).json();
    expect(health.feeds).toContainEqual(
      expect.objectContaining({ feed: 'incident', status: 'stale', stale: true }),
    );
    feed.fault = 'none';
    now = new Date(now.getTime() + 60 * 60_000);
    await poll();
    expect((await indicator('jinfang', 'theft')).stale).toBe(false);
  });
});

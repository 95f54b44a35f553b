/**
 * /api/health tells a monitor what is wrong, not only whether the process answers: a feed that is
 * failing or stale makes it `degraded` with the reason, still 200 (the node serves what it has).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseTargets } from '../support/databases.js';
import { feedItem } from '../support/feed-items.js';
import { startFeedServer, type TestFeedServer } from '../support/feed-server.js';
import { startTestServer, testCity, type TestServer } from '../support/server.js';

interface Health {
  status: string;
  reasons: string[];
  feeds: {
    feed: string;
    status: string;
    lastSuccessAt: string | null;
    lastError: string | null;
    circuitOpenUntil?: string | null;
  }[];
}

describe.each(databaseTargets)('health on $name', (target) => {
  let incidents: TestFeedServer;
  let surveys: TestFeedServer;
  let server: TestServer;
  const start = new Date('2026-11-25T02:00:00Z');
  let now = start;

  beforeAll(async () => {
    incidents = await startFeedServer();
    surveys = await startFeedServer();
    incidents.items.push(feedItem('incident', now, { id: 'INC-1' }));
    server = await startTestServer({
      target,
      clock: () => now,
      feedUrls: { incident: incidents.url, survey: surveys.url },
      // One attempt a run: each failing run counts once.
      city: await testCity({ incident: { retries: 0 } }),
    });
    await server.warmedUp;
  });
  afterAll(async () => {
    await server?.stop();
    await incidents?.stop();
    await surveys?.stop();
  });

  const poll = (feed: 'incident' | 'survey') => server.ctx.feeds.pollers.get(feed)!.run();
  const health = async () => {
    const response = await server.api('/api/health', { token: null });
    return { status: response.status, body: (await response.json()) as Health };
  };

  it('is ok with no reasons while every polled feed answers', async () => {
    const { status, body } = await health();
    expect(status).toBe(200);
    expect(body.status).toBe('ok');
    expect(body.reasons).toEqual([]);
  });

  it('is degraded, still 200, naming a feed that fails and the circuit that opened', async () => {
    incidents.fault = 'error';
    // The circuit opens after three failed runs in a row.
    for (let run = 0; run < 3; run++) await poll('incident');
    const { status, body } = await health();
    expect(status).toBe(200);
    expect(body.status).toBe('degraded');
    const incident = body.feeds.find((f) => f.feed === 'incident')!;
    expect(incident.lastError).toMatch(/^HTTP 503/);
    expect(body.reasons).toEqual([
      `feed incident: failing (${incident.lastError}), circuit open until ${incident.circuitOpenUntil}`,
    ]);
    expect(incident.circuitOpenUntil).toMatch(/^2026-11-25T02:/);
  });

  it('names a feed gone stale with its last success, and is ok again once the feeds answer', async () => {
    incidents.fault = 'none';
    // Past the survey feed's 15 minutes (three of its 5-minute intervals) without a poll.
    now = new Date(start.getTime() + 16 * 60_000);
    await poll('incident');
    const stale = await health();
    expect(stale.status).toBe(200);
    expect(stale.body.status).toBe('degraded');
    expect(stale.body.reasons).toEqual([`feed survey: stale, last success ${start.toISOString()}`]);

    await poll('survey');
    const recovered = await health();
    expect(recovered.body).toMatchObject({ status: 'ok', reasons: [] });
  });
});

/**
 * A PostgreSQL that stops answering, behind a proxy the test controls: health says 503 at once, an
 * ingest answers 503 instead of hanging, the background loops settle instead of wedging, and all of
 * it recovers once the network does. A network fault only PostgreSQL has (PGlite runs in-process),
 * so this needs TEST_DATABASE_URL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseTargets, type TestDatabase } from '../support/databases.js';
import { feedItem } from '../support/feed-items.js';
import { startFeedServer, type TestFeedServer } from '../support/feed-server.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';
import { startTestServer, testCity, type TestServer } from '../support/server.js';
import { until } from '../support/wait.js';

const postgres = databaseTargets.find((target) => target.name === 'postgres');
const DATABASE_TIMEOUT_MS = 1500;
/** Far beyond the deadlines: what did not settle by then hangs. */
const HANG_MS = 10_000;

/** How a piece of work ended, or `hung` if it had not within HANG_MS. */
async function outcome(work: Promise<unknown>): Promise<'done' | 'failed' | 'hung'> {
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<'hung'>((resolve) => (timer = setTimeout(() => resolve('hung'), HANG_MS)));
  try {
    return await Promise.race([
      work.then(
        () => 'done' as const,
        () => 'failed' as const,
      ),
      hung,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

describe.skipIf(!postgres)('a PostgreSQL that stops answering (needs TEST_DATABASE_URL)', () => {
  const now = new Date('2026-11-25T02:00:00Z');
  let database: TestDatabase;
  let proxy: TcpProxy;
  let feed: TestFeedServer;
  let server: TestServer;

  beforeAll(async () => {
    database = await postgres!.create();
    const url = new URL(database.url!);
    proxy = await startTcpProxy({ host: url.hostname, port: Number(url.port || 5432) });
    url.hostname = '127.0.0.1';
    url.port = String(proxy.port);
    feed = await startFeedServer();
    server = await startTestServer({
      target: postgres!,
      database: { ...database, url: url.toString() },
      clock: () => now,
      feedUrls: { incident: feed.url },
      city: await testCity({ incident: { timeoutMs: 300, retries: 0 } }),
      env: { DATABASE_TIMEOUT_MS: String(DATABASE_TIMEOUT_MS) },
    });
    await server.warmedUp;
  });
  afterAll(async () => {
    await proxy?.forward();
    await server?.stop();
    await feed?.stop();
    await proxy?.stop();
    await database?.drop();
  });

  /** An answer within HANG_MS, or a failed test saying the request hung. */
  const request = async (path: string, init: RequestInit & { token?: string | null } = {}) => {
    const response = await server.api(path, { ...init, signal: AbortSignal.timeout(HANG_MS) });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const ingest = (id: string) =>
    request('/api/ingest/incident', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([feedItem('incident', now, { id })]),
    });

  it('answers health 503 and an ingest 503 while the network swallows everything, and nothing wedges', async () => {
    expect((await request('/api/health', { token: null })).status).toBe(200);
    proxy.blackhole();

    const health = await request('/api/health', { token: null });
    expect(health.status).toBe(503);
    expect(health.body).toMatchObject({ status: 'down', database: { status: 'down' } });
    expect(health.body.reasons).toContainEqual(
      expect.stringMatching(/^database: the database did not answer/),
    );

    const refused = await ingest('INC-DURING-BLACKHOLE');
    expect(refused.status).toBe(503);
    expect(refused.body.code).toBe('database_unavailable');

    // The loops that await the database settle (and say why in the log) rather than wait for ever;
    // the weight sets are read again meanwhile (as after a publication), and that read fails too.
    server.ctx.liveIndex.invalidateWeightSets();
    expect(await outcome(server.ctx.alerts.evaluate())).toBe('failed');
    expect(await outcome(server.live.tick())).toBe('done');
    expect(await outcome(server.ctx.dispatcher.runOnce())).toBe('failed');
    // A leader that cannot reach the database gives the lead up (another node may have it by now),
    // and its pollers stop; running one settles at once.
    await until(() => !server.leads(), 'the node to stop leading', 30_000);
    expect(await outcome(server.ctx.feeds.pollers.get('incident')!.run())).toBe('done');
  });

  it('answers 503, not 500, while connections are refused', async () => {
    await proxy.refuse();
    const health = await request('/api/health', { token: null });
    expect(health.status).toBe(503);
    const refused = await ingest('INC-DURING-REFUSAL');
    expect(refused).toMatchObject({ status: 503, body: { code: 'database_unavailable' } });
  });

  it('recovers by itself once the database answers again', async () => {
    await proxy.forward();
    let health = await request('/api/health', { token: null });
    for (let i = 0; i < 50 && health.status !== 200; i++) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      health = await request('/api/health', { token: null });
    }
    expect(health.status).toBe(200);
    // A read that failed during the outage is not kept as the answer.
    expect((await request('/api/index')).status).toBe(200);
    const stored = await ingest('INC-AFTER');
    expect(stored).toMatchObject({ status: 200, body: { stored: 1 } });
    expect(await outcome(server.ctx.alerts.evaluate())).toBe('done');
    expect(await outcome(server.ctx.dispatcher.runOnce())).toBe('done');
    // The node leads again, and polls the feed from where its cursor stood.
    await until(() => server.leads(), 'the node to lead again', 30_000);
    feed.items.push(feedItem('incident', now, { id: 'INC-POLLED-AFTER' }));
    // A run asked for now may join one the regained lead started before the item was there, so
    // the test asks again until a run has read it.
    const ids = await until(
      async () => {
        await server.ctx.feeds.pollers.get('incident')!.run();
        const stored = (await server.ctx.database.db.query.incidents.findMany()).map((row) => row.id);
        return stored.includes('INC-POLLED-AFTER') && stored;
      },
      'the poller to store the item pushed after the outage',
      30_000,
    );
    expect(ids).toEqual(expect.arrayContaining(['INC-AFTER', 'INC-POLLED-AFTER']));
  });
});

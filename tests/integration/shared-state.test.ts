/**
 * Several nodes on one database read the same walls, feed health and delivery tallies: what one
 * node's parts write, another's read, and /api/health says so. Two nodes' parts share one PGlite
 * (which one process alone may open) or hold two connections to one PostgreSQL; on PostgreSQL two
 * whole servers show it end to end.
 */
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AlertDispatcher } from '../../server/alerts/dispatcher.js';
import { SubscriptionRepository } from '../../server/alerts/subscriptions.js';
import { NodeRegistry } from '../../server/cluster/nodes.js';
import { CityConfigStore } from '../../server/config/store.js';
import { failed } from '../../server/alerts/channels/channel.js';
import { openDatabase, type Database, type Db } from '../../server/db/client.js';
import * as schema from '../../server/db/schema/index.js';
import { createFeedRuntime, type FeedRuntime } from '../../server/feeds/runtime.js';
import { EventBus } from '../../server/events.js';
import { createLogger } from '../../server/logger.js';
import { createMetrics } from '../../server/metrics.js';
import { CityConfigRepository } from '../../server/repositories/city-config.js';
import { healthRoutes } from '../../server/routes/health.js';
import { SharedDeliveryTallies } from '../../server/shared-state/delivery-tallies.js';
import { SharedFeedHealth } from '../../server/shared-state/feed-health.js';
import { SharedWalls } from '../../server/shared-state/walls.js';
import type { CityConfig } from '../../shared/city.js';
import { databaseTargets, type DatabaseTarget, type TestDatabase } from '../support/databases.js';
import { feedItem } from '../support/feed-items.js';
import { startFeedServer, type TestFeedServer } from '../support/feed-server.js';
import { connectedSocket } from '../support/live.js';
import { ENV, streetHead } from '../support/outbox.js';
import { startTestServer, testCity, type TestServer } from '../support/server.js';
import { until } from '../support/wait.js';

const logger = createLogger('silent');
const T0 = new Date('2026-11-25T02:00:00Z');

/** One node's handle on the shared database, and every statement it sent. */
interface TestNode {
  database: Database;
  statements: string[];
}

/** Two nodes on one database: one PGlite shared by both, or two connections to one PostgreSQL. */
async function twoNodes(
  target: DatabaseTarget,
  created: TestDatabase,
): Promise<{ a: TestNode; b: TestNode; close(): Promise<void> }> {
  const closers: (() => Promise<unknown>)[] = [];
  const node = (db: Db, kind: Database['kind'], statements: string[]): TestNode => ({
    statements,
    database: {
      db,
      kind,
      migrate: async () => {},
      ping: async () => void (await db.execute(sql`select 1`)),
      close: async () => {},
    },
  });
  const counted = () => {
    const statements: string[] = [];
    return { statements, logger: { logQuery: (query: string) => void statements.push(query) } };
  };
  const [a, b] = [counted(), counted()];
  if (target.name === 'pglite') {
    const client = new PGlite({ loadDataDir: created.pgliteImage });
    closers.push(() => client.close());
    const db = (logger: { logQuery(query: string): void }) =>
      drizzlePglite(client, { schema, logger }) as unknown as Db;
    return {
      a: node(db(a.logger), 'pglite', a.statements),
      b: node(db(b.logger), 'pglite', b.statements),
      close: async () => void (await Promise.all(closers.map((close) => close()))),
    };
  }
  const migrating = await openDatabase({ url: created.url });
  await migrating.migrate();
  await migrating.close();
  const db = (logger: { logQuery(query: string): void }) => {
    const client = postgres(created.url!, { max: 2, onnotice: () => {} });
    closers.push(() => client.end({ timeout: 5 }));
    return drizzlePostgres(client, { schema, logger }) as unknown as Db;
  };
  return {
    a: node(db(a.logger), 'postgres', a.statements),
    b: node(db(b.logger), 'postgres', b.statements),
    close: async () => void (await Promise.all(closers.map((close) => close()))),
  };
}

describe.each(databaseTargets)('shared state of several nodes on $name', (target) => {
  let created: TestDatabase;
  let nodes: Awaited<ReturnType<typeof twoNodes>>;
  let now: Date;
  const clock = () => now;
  let city: CityConfig;
  const stops: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    city = await testCity({ incident: { retries: 0 } });
  });
  beforeEach(async () => {
    now = T0;
    created = await target.create();
    nodes = await twoNodes(target, created);
  });
  afterEach(async () => {
    for (const stop of stops.splice(0).reverse()) await stop();
    await nodes.close();
    await created.drop();
  });

  const walls = (node: TestNode, nodeId: string) => {
    const shared = new SharedWalls(node.database.db, { nodeId, clock, logger });
    stops.push(() => shared.stop());
    return shared;
  };

  describe('walls', () => {
    it('a heartbeat recorded on one node is listed by another, and its disconnection too', async () => {
      const a = walls(nodes.a, 'node-a');
      const b = walls(nodes.b, 'node-b');
      a.beat('socket-1', { screen: '指挥中心主屏' }, 'wall', now);
      // Written by the node's own loop within a second; read by the other within another.
      const listed = await until(async () => (await b.list()).find((w) => w.screen === '指挥中心主屏'));
      // A heartbeat without seq or paint time (an older page's) says nothing of them.
      const watch = { beatAt: T0.toISOString(), seq: null, paintedAt: null, lagSince: null };
      expect(listed).toEqual({
        screen: '指挥中心主屏',
        role: 'wall',
        lastSeenAt: T0.toISOString(),
        ...watch,
        connected: true,
      });

      now = new Date(T0.getTime() + 5_000);
      a.gone('socket-1', now);
      await a.flush();
      await until(async () => (await b.list()).find((w) => w.screen === '指挥中心主屏' && !w.connected));
      expect(await b.list()).toEqual([
        { screen: '指挥中心主屏', role: 'wall', lastSeenAt: now.toISOString(), ...watch, connected: false },
      ]);
    });

    it('what a heartbeat says of its page — paint time, the seq applied, since when it lags — reaches the other node', async () => {
      const a = walls(nodes.a, 'node-a');
      const b = walls(nodes.b, 'node-b');
      // node-a sent two deltas; its wall has applied the first only.
      a.sent(1_000, new Date(T0.getTime() - 20_000));
      a.sent(2_000, new Date(T0.getTime() - 10_000));
      a.beat('a-1', { screen: 'duty-desk', seq: 1_000, paintedMsAgo: 1_500 }, 'wall', now);
      const listed = await until(async () => (await b.list()).find((w) => w.screen === 'duty-desk'));
      expect(listed).toMatchObject({
        seq: 1_000,
        paintedAt: new Date(T0.getTime() - 1_500).toISOString(),
        lagSince: new Date(T0.getTime() - 10_000).toISOString(),
        beatAt: T0.toISOString(),
      });
      const [watched] = await b.watched(
        [{ name: 'duty-desk', location: { zh: '值班席', en: 'Duty desk' } }],
        T0,
      );
      expect(watched!.report).toEqual({
        lastSeenAt: T0.toISOString(),
        beatAt: T0.toISOString(),
        paintedAt: listed.paintedAt,
        lagSince: listed.lagSince,
      });
    });

    it('a screen with sockets on two nodes is connected while either has one', async () => {
      const a = walls(nodes.a, 'node-a');
      const b = walls(nodes.b, 'node-b');
      a.beat('a-1', { screen: 'hall' }, 'wall', now);
      now = new Date(T0.getTime() + 1_000);
      b.beat('b-1', { screen: 'hall' }, 'admin', now);
      await Promise.all([a.flush(), b.flush()]);
      now = new Date(T0.getTime() + 2_000);
      a.gone('a-1', now);
      await a.flush();
      // a's socket went last, but b's is still there; b's heartbeat was the later, with its token's role.
      const watch = {
        beatAt: new Date(T0.getTime() + 1_000).toISOString(),
        seq: null,
        paintedAt: null,
        lagSince: null,
      };
      const hall = {
        screen: 'hall',
        role: 'admin',
        lastSeenAt: now.toISOString(),
        ...watch,
        connected: true,
      };
      await until(async () => (await a.list())[0]?.lastSeenAt === now.toISOString());
      expect(await a.list()).toEqual([hall]);
      await until(async () => (await b.list())[0]?.lastSeenAt === now.toISOString());
      expect(await b.list()).toEqual([hall]);

      now = new Date(T0.getTime() + 3_000);
      b.gone('b-1', now);
      await b.flush();
      await until(async () => !(await a.list())[0]?.connected, 'the last socket gone');
      expect(await a.list()).toEqual([
        { screen: 'hall', role: 'admin', lastSeenAt: now.toISOString(), ...watch, connected: false },
      ]);
    });

    it('the walls of a node that stopped renewing its rows read as disconnected after the TTL', async () => {
      const a = new SharedWalls(nodes.a.database.db, { nodeId: 'node-a', clock, logger, ttlMs: 90_000 });
      const b = walls(nodes.b, 'node-b');
      a.beat('a-1', { screen: 'lobby' }, 'wall', now);
      // node-a dies: its row still says one socket, and nothing renews it.
      await a.stop();
      now = new Date(T0.getTime() + 60_000);
      await until(async () => (await b.list()).length === 1);
      expect((await b.list())[0]).toMatchObject({ screen: 'lobby', connected: true });
      now = new Date(T0.getTime() + 91_000);
      expect((await b.list())[0]).toMatchObject({
        screen: 'lobby',
        connected: false,
        lastSeenAt: T0.toISOString(),
      });

      // The next server of node-a takes its predecessor's rows away before it writes.
      const restarted = walls(nodes.a, 'node-a');
      restarted.beat('a-2', { screen: 'kiosk' }, 'wall', now);
      await restarted.flush();
      await until(async () => (await b.list()).length === 1 && (await b.list())[0]!.screen === 'kiosk');
    });

    it('coalesces heartbeats: 1,000 walls beating make one statement a second, and the table keeps the 500 screens seen last', async () => {
      const a = walls(nodes.a, 'node-a');
      const b = walls(nodes.b, 'node-b');
      for (let i = 0; i < 1000; i++) a.beat(`s-${i}`, { screen: `screen-${i}` }, 'wall', now);
      await a.flush();
      // The first write claims the rows of this node's predecessor, writes the screens and prunes.
      expect(nodes.a.statements).toHaveLength(3);
      const count = async () => (await nodes.b.database.db.select().from(schema.wallHeartbeats)).length;
      expect(await count()).toBe(500);
      // Every wall beats every 5 s: a fifth of them each second, written in one statement.
      for (let second = 1; second <= 5; second++) {
        now = new Date(T0.getTime() + second * 1000);
        for (let i = second % 5; i < 1000; i += 5) a.beat(`s-${i}`, { screen: `screen-${i}` }, 'wall', now);
        await a.flush();
      }
      expect(nodes.a.statements).toHaveLength(3 + 5);
      // Pruned again a minute after the last time.
      now = new Date(T0.getTime() + 61_000);
      a.beat('s-0', { screen: 'screen-0' }, 'wall', now);
      await a.flush();
      expect(await count()).toBe(500);
      const listed = await b.list();
      expect(listed).toHaveLength(500);
      expect(listed[0]).toMatchObject({ screen: 'screen-0', lastSeenAt: now.toISOString(), connected: true });
    });
  });

  describe('feed health', () => {
    let incidents: TestFeedServer;
    const runtime = async (node: TestNode, urls: Record<string, string>) => {
      const feeds: FeedRuntime = await createFeedRuntime(
        {
          db: node.database.db,
          city,
          logger,
          metrics: createMetrics(),
          clock,
          feedIdKey: new Uint8Array(32).fill(7),
          onStored: async () => {},
        },
        (feed) => urls[feed],
      );
      stops.push(() => feeds.stop());
      return feeds;
    };
    const shared = (node: TestNode, nodeId: string, feeds: FeedRuntime) => {
      const health = new SharedFeedHealth({
        db: node.database.db,
        nodeId,
        clock,
        logger,
        pollers: feeds.pollers,
      });
      stops.push(() => health.stop());
      return health;
    };

    beforeEach(async () => {
      incidents = await startFeedServer();
      incidents.items.push(feedItem('incident', now, { id: 'INC-1' }));
      stops.push(() => incidents.stop());
    });

    it('the node that polls writes after its run; another node, which does not poll, reads it and ages it', async () => {
      const leaderFeeds = await runtime(nodes.a, { incident: `${incidents.url}?key=secret-in-query` });
      const leader = shared(nodes.a, 'node-a', leaderFeeds);
      // The other node has the same URL, but another node leads: its poller never runs.
      const other = shared(nodes.b, 'node-b', await runtime(nodes.b, { incident: incidents.url }));
      expect((await other.health()).find((h) => h.feed === 'incident')).toMatchObject({ status: 'waiting' });
      expect((await other.health()).find((h) => h.feed === 'fraud')).toEqual({
        feed: 'fraud',
        status: 'off',
        stale: false,
        url: null,
      });

      await leaderFeeds.runAll();
      await leader.publish();
      const polled = leaderFeeds.health().find((h) => h.feed === 'incident');
      expect(polled).toMatchObject({ status: 'ok', lastSuccessAt: T0.toISOString() });
      await until(async () => (await other.health()).find((h) => h.feed === 'incident')?.status === 'ok');
      expect((await other.health()).find((h) => h.feed === 'incident')).toEqual(polled);
      expect(JSON.stringify(await other.health())).not.toContain('secret-in-query');

      // Nothing changed: nothing written.
      const written = nodes.a.statements.length;
      await leader.publish();
      expect(nodes.a.statements.length).toBe(written);

      // Time passes and nobody polls (the leader died): the other node sees it go stale.
      now = new Date(T0.getTime() + 16 * 60_000);
      expect((await other.health()).find((h) => h.feed === 'incident')).toMatchObject({
        status: 'stale',
        stale: true,
        lastSuccessAt: T0.toISOString(),
        lagSeconds: 17 * 60,
      });
      expect(other.isStale('incident')).toBe(true);
    });

    it('a failing feed and its open circuit read the same on both nodes, half-open once the cool-down is over', async () => {
      const leaderFeeds = await runtime(nodes.a, { incident: incidents.url });
      const leader = shared(nodes.a, 'node-a', leaderFeeds);
      const other = shared(nodes.b, 'node-b', await runtime(nodes.b, {}));
      incidents.fault = 'error';
      for (let run = 0; run < 3; run++) await leaderFeeds.pollers.get('incident')!.run();
      await leader.publish();
      const failing = leaderFeeds.pollers.get('incident')!.snapshot();
      expect(failing).toMatchObject({ status: 'failing', circuit: 'open', consecutiveFailures: 3 });
      await until(
        async () => (await other.health()).find((h) => h.feed === 'incident')?.status === 'failing',
      );
      // A node without the feed's URL shows it too: another node polls it.
      expect((await other.health()).find((h) => h.feed === 'incident')).toEqual(failing);

      now = new Date(new Date(failing.circuitOpenUntil!).getTime() + 1);
      expect((await other.health()).find((h) => h.feed === 'incident')).toMatchObject({
        circuit: 'half-open',
        circuitOpenUntil: null,
      });
      expect((await other.health()).find((h) => h.feed === 'incident')).toEqual(
        (await leader.health()).find((h) => h.feed === 'incident'),
      );
    });

    it('when the leader moves, the node that polled last is read, and its own poller again once it runs later', async () => {
      const aFeeds = await runtime(nodes.a, { incident: incidents.url });
      const bFeeds = await runtime(nodes.b, { incident: incidents.url });
      const a = shared(nodes.a, 'node-a', aFeeds);
      const b = shared(nodes.b, 'node-b', bFeeds);
      await aFeeds.runAll();
      await a.publish();
      now = new Date(T0.getTime() + 60_000);
      incidents.fault = 'error';
      await bFeeds.runAll();
      await b.publish();
      const bSays = bFeeds.health().find((h) => h.feed === 'incident');
      expect(bSays).toMatchObject({ status: 'failing', lastSuccessAt: null });
      await until(async () => (await a.health()).find((h) => h.feed === 'incident')?.status === 'failing');
      expect((await a.health()).find((h) => h.feed === 'incident')).toEqual(bSays);

      now = new Date(T0.getTime() + 120_000);
      incidents.fault = 'none';
      await aFeeds.runAll();
      expect((await a.health()).find((h) => h.feed === 'incident')).toMatchObject({
        status: 'ok',
        lastSuccessAt: now.toISOString(),
      });
    });

    it('a feed whose URL was taken out is off again once the polling node writes', async () => {
      await nodes.a.database.db.insert(schema.feedHealth).values({
        feed: 'fraud',
        url: 'https://fraud.example',
        status: 'ok',
        stale: false,
        staleAt: new Date(T0.getTime() + 3_600_000),
        lastSuccessAt: T0,
        consecutiveFailures: 0,
        circuit: 'closed',
        itemsPerMinute: 0,
        quarantined: 0,
        backfillDone: true,
        backfillPages: 1,
        nodeId: 'node-c',
        updatedAt: T0,
      });
      const other = shared(nodes.b, 'node-b', await runtime(nodes.b, {}));
      expect((await other.health()).find((h) => h.feed === 'fraud')).toMatchObject({ status: 'ok' });
      const leaderFeeds = await runtime(nodes.a, { incident: incidents.url });
      const leader = shared(nodes.a, 'node-a', leaderFeeds);
      await leaderFeeds.runAll();
      await leader.publish();
      await until(async () => (await other.health()).find((h) => h.feed === 'fraud')?.status === 'off');
    });
  });

  describe('delivery tallies', () => {
    it('attempts counted on two nodes add up, and the later one decides whether the channel fails', async () => {
      const a = new SharedDeliveryTallies(nodes.a.database.db, { nodeId: 'node-a', logger });
      const b = new SharedDeliveryTallies(nodes.b.database.db, { nodeId: 'node-b', logger });
      stops.push(
        () => a.stop(),
        () => b.stop(),
      );
      const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);
      a.record('webhook', 1, failed('HTTP 503 from the receiver', true), at(0));
      a.record('webhook', 1, failed('HTTP 503 from the receiver', true), at(5));
      b.record('webhook', 1, failed('ECONNREFUSED', true), at(10));
      await Promise.all([a.flush(), b.flush()]);
      const existing = new Set([1]);
      const fromA = (await a.load()).report([], existing);
      expect(fromA).toEqual((await b.load()).report([], existing));
      expect(fromA).toMatchObject({
        status: 'degraded',
        channels: [
          {
            channel: 'webhook',
            status: 'failing',
            failures: 3,
            lastError: 'ECONNREFUSED',
            lastErrorAt: at(10).toISOString(),
          },
        ],
        subscriptions: [{ id: 1, status: 'failing', failures: 3 }],
      });

      a.record('webhook', 1, { ok: true }, at(20));
      await a.flush();
      expect((await b.load()).report([], existing)).toMatchObject({
        status: 'ok',
        channels: [
          { status: 'ok', failures: 3, lastError: 'ECONNREFUSED', lastSuccessAt: at(20).toISOString() },
        ],
      });
      // An attempt of node b made before node a's success, written after it, does not undo it.
      b.record('webhook', 1, failed('late', true), at(15));
      await b.flush();
      expect((await a.load()).report([], existing)).toMatchObject({
        status: 'ok',
        channels: [{ failures: 4, lastError: 'late', lastErrorAt: at(15).toISOString() }],
      });
    });

    it('coalesces: a hundred attempts in a second are one statement', async () => {
      const a = new SharedDeliveryTallies(nodes.a.database.db, { nodeId: 'node-a', logger });
      stops.push(() => a.stop());
      for (let i = 0; i < 100; i++) a.record('webhook', i % 10, failed('HTTP 500', true), T0);
      // Read through the other node, whose statements are not counted here.
      const rows = await until(async () => {
        const written = await nodes.b.database.db.select().from(schema.deliveryTallies);
        return written.length > 0 && written;
      }, 'the tallies written by their loop');
      expect(nodes.a.statements).toHaveLength(1);
      // One channel kind, ten subscriptions, ten lanes.
      expect(rows).toHaveLength(21);
      expect(rows.find((row) => row.scope === 'channel')).toMatchObject({ key: 'webhook', failures: 100 });
    });
  });

  it("another node's /api/health lists the feeds, walls and deliveries this node wrote", async () => {
    const incidents = await startFeedServer();
    stops.push(() => incidents.stop());
    incidents.fault = 'error';
    const leaderFeeds = await createFeedRuntime(
      {
        db: nodes.a.database.db,
        city,
        logger,
        metrics: createMetrics(),
        clock,
        feedIdKey: new Uint8Array(32),
        onStored: async () => {},
      },
      (feed) => (feed === 'incident' ? incidents.url : undefined),
    );
    stops.push(() => leaderFeeds.stop());
    await leaderFeeds.runAll();
    const leader = new SharedFeedHealth({
      db: nodes.a.database.db,
      nodeId: 'node-a',
      clock,
      logger,
      pollers: leaderFeeds.pollers,
    });
    await leader.publish();
    const wallsA = walls(nodes.a, 'node-a');
    wallsA.beat('a-1', { screen: '指挥中心主屏' }, 'wall', now);
    await wallsA.flush();
    const subscriptions = new SubscriptionRepository(nodes.a.database.db, city, { clock, env: ENV });
    const { id } = await subscriptions.create(streetHead('https://hooks.example/pingan'));
    const tallies = new SharedDeliveryTallies(nodes.a.database.db, { nodeId: 'node-a', logger });
    tallies.record('webhook', id, failed('HTTP 502', true), now);
    await tallies.flush();

    const metrics = createMetrics();
    const dispatcher = new AlertDispatcher({
      db: nodes.b.database.db,
      city,
      logger,
      metrics,
      clock,
      nodeId: 'node-b',
    });
    stops.push(() => dispatcher.stop());
    const config = await CityConfigStore.open(
      {
        repository: new CityConfigRepository(nodes.b.database.db),
        logger,
        events: new EventBus(logger),
        file: null,
      },
      city,
    );
    const app = healthRoutes({
      city,
      config,
      clock,
      database: nodes.b.database,
      dispatcher,
      feedHealth: new SharedFeedHealth({
        db: nodes.b.database.db,
        nodeId: 'node-b',
        clock,
        logger,
        pollers: new Map(),
      }),
      logger,
      metrics,
      startedAt: T0,
      version: 'test',
      walls: walls(nodes.b, 'node-b'),
      nodes: new NodeRegistry({
        db: nodes.b.database.db,
        nodeId: 'node-b',
        role: 'all',
        version: 'test',
        clock,
        logger,
      }),
    });
    const response = await app.request('/api/health');
    expect(response.status).toBe(200);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      status: 'degraded',
      reasons: [
        expect.stringMatching(/^feed incident: failing \(HTTP 503/),
        'alert channel webhook: failing (HTTP 502)',
      ],
      walls: [{ screen: '指挥中心主屏', role: 'wall', connected: true }],
      alerts: { status: 'degraded', channels: [{ channel: 'webhook', failures: 1, lastError: 'HTTP 502' }] },
    });
    expect((body.feeds as { feed: string }[]).find((f) => f.feed === 'incident')).toMatchObject({
      status: 'failing',
      consecutiveFailures: 1,
      circuit: 'closed',
    });
  });
});

const postgresTarget = databaseTargets.find((target) => target.name === 'postgres');

describe.skipIf(!postgresTarget)('two servers on one PostgreSQL (needs TEST_DATABASE_URL)', () => {
  let database: TestDatabase;
  let incidents: TestFeedServer;
  let first: TestServer;
  let second: TestServer;

  beforeAll(async () => {
    database = await postgresTarget!.create();
    incidents = await startFeedServer();
    incidents.items.push(feedItem('incident', T0, { id: 'INC-1' }));
    // One clock for both, standing still: what each node works out from time is the same.
    const clock = () => T0;
    // The first polls the incident feed; the second has no URL for it (as a node that never leads).
    first = await startTestServer({
      target: postgresTarget!,
      database,
      feedUrls: { incident: incidents.url },
      clock,
      env: { NODE_ID: 'node-a' },
    });
    second = await startTestServer({
      target: postgresTarget!,
      database,
      feedUrls: {},
      clock,
      env: { NODE_ID: 'node-b' },
    });
    await first.warmedUp;
  });
  afterAll(async () => {
    await second?.stop();
    await first?.stop();
    await incidents?.stop();
    await database?.drop();
  });

  it('both answer /api/health and /api/feeds alike, and a wall on one is listed by the other', async () => {
    const wall = await connectedSocket(first.baseUrl, first.wallToken);
    try {
      wall.emit('heartbeat', { screen: '指挥中心主屏' });
      const json = async (server: TestServer, path: string) =>
        (await (await server.api(path, { token: path === '/api/health' ? null : undefined })).json()) as {
          feeds: { feed: string; status: string }[];
          walls: { screen: string; connected: boolean }[];
        };
      const health = await until(async () => {
        const body = await json(second, '/api/health');
        return body.walls.some((w) => w.screen === '指挥中心主屏' && w.connected) &&
          body.feeds.find((f) => f.feed === 'incident')?.status === 'ok'
          ? body
          : null;
      }, 'the second server to see the first one’s wall and feed');
      expect(health.feeds).toEqual((await json(first, '/api/health')).feeds);
      expect(health.walls).toEqual((await json(first, '/api/health')).walls);
      const feeds = await until(async () => {
        const [a, b] = [await json(first, '/api/feeds'), await json(second, '/api/feeds')];
        return JSON.stringify(a.feeds) === JSON.stringify(b.feeds) && b;
      }, 'the same /api/feeds');
      expect(feeds.feeds.find((f) => f.feed === 'incident')).toMatchObject({ status: 'ok' });
    } finally {
      wall.disconnect();
    }
  });
  it("applies an administrator's change made on one node on the other, live index included", async () => {
    // A rate per 10k residents the second node knows (from the one incident both nodes stored).
    const perTenThousand = new Set(
      first.ctx.city.indicators.filter((i) => i.measure === 'count_per_10k').map((i) => i.id),
    );
    type Row = { code: string; indicators: { id: string; raw: number | null }[] };
    const rows = async (): Promise<Row[]> => (await (await second.api('/api/index')).json()).streets;
    const known = (await rows()).flatMap((row) =>
      row.indicators.filter((i) => perTenThousand.has(i.id) && (i.raw ?? 0) > 0).map((i) => ({ row, i })),
    )[0]!;
    expect(known, 'a rate per 10k the second node knows').toBeDefined();
    const street = first.ctx.city.streets.find((s) => s.code === known.row.code)!;
    const rate = async () =>
      (await rows()).find((row) => row.code === street.code)!.indicators.find((i) => i.id === known.i.id)!
        .raw as number;
    const before = known.i.raw!;
    const population = street.population * 2;
    const streets = first.ctx.city.streets.map((s) => (s.code === street.code ? { ...s, population } : s));
    const response = await first.api('/api/admin/config/streets', {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ value: streets, reason: 'census' }),
    });
    expect(response.status).toBe(200);
    const { version } = await response.json();
    await until(
      () => second.ctx.config.current().id === version.id,
      'the second node to take up the new version',
    );
    expect(second.ctx.city.streets.find((s) => s.code === street.code)!.population).toBe(population);
    const versions = async (server: TestServer) =>
      (await (await server.api('/api/admin/config/versions')).json()).versions;
    expect(await versions(second)).toEqual(await versions(first));
    // Twice the residents, half the rate: the second node recomputed over the new population.
    await until(
      async () => Math.abs((await rate()) - before / 2) < 1e-9,
      'the rate under the new population',
    );
  });
});

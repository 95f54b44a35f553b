/**
 * The outbox and its dispatcher against local receivers, on PGlite and PostgreSQL: notifications
 * queued in the alert's transaction reach the receiver once with their idempotency key, survive a
 * receiver that is down and a server restart, are given up at once when refused for good, wait for
 * the end of quiet hours, and are sent by the subscription's configuration as it is when they go.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AlertDispatcher } from '../../server/alerts/dispatcher.js';
import { AckLinks } from '../../server/alerts/links.js';
import { AlertOutbox, type OutboxItem } from '../../server/alerts/outbox.js';
import { SubscriptionRepository } from '../../server/alerts/subscriptions.js';
import { loadCityConfig } from '../../server/config/city.js';
import { openDatabase, type Database, type Db } from '../../server/db/client.js';
import { alertOutbox } from '../../server/db/schema/index.js';
import { createLogger } from '../../server/logger.js';
import { createMetrics } from '../../server/metrics.js';
import {
  explainAlert,
  step,
  type Observation,
  type Severity,
  type SubscriptionInput,
} from '../../shared/alerts/index.js';
import type { CityConfig } from '../../shared/city.js';
import { databaseTargets, type TestDatabase } from '../support/databases.js';
import { ROBOT_OK, startHttpReceiver, type HttpReceiver } from '../support/receivers.js';

const SECRET = 'whsec-0123456789abcdef';
const QUERY_TOKEN = 'q-token-5f1e2d3c4b5a';
const MAX_BACKOFF_MS = 60_000;
const LEASE_MS = 120_000;
const T0 = new Date('2026-11-25T02:00:00Z'); // 10:00 in Anning

let city: CityConfig;

/** A firing alert's first notification and its text, as the evaluator hands them to the outbox. */
function fired(observation: Observation, at: Date): OutboxItem {
  const { state, effects } = step(null, observation, at, {
    pendingMinutes: 0,
    repeatMinutes: 30,
    escalateMinutes: 60,
  });
  const effect = effects[0];
  if (!state || !effect) throw new Error('expected the alert to fire');
  return { effect, text: explainAlert(state, { config: city }) };
}

const indexDrop = (street: string, at: Date, severity: Severity = 'warning') =>
  fired(
    {
      key: { rule: 'indexDrop', street },
      condition: 'breach',
      severity,
      detail: { rule: 'indexDrop', index: 80.2, baseline: 86.4, drop: 6.2, points: 3, baselineDays: 7 },
    },
    at,
  );

const robbery = (event: string, at: Date) =>
  fired(
    {
      key: { rule: 'zeroTolerance', street: 'jinfang', event },
      condition: 'breach',
      severity: 'critical',
      detail: { rule: 'zeroTolerance', event, category: 'robbery', community: null, at: at.toISOString() },
    },
    at,
  );

const webhook = (url: string) => ({
  kind: 'webhook' as const,
  config: { url, secret: 'env:HOOK_SECRET', timeoutMs: 1000 },
});

const streetHead = (url: string, fields: Partial<SubscriptionInput> = {}): SubscriptionInput => ({
  name: '金方街道负责人',
  kind: 'person',
  streets: ['jinfang'],
  channels: [webhook(url)],
  ...fields,
});

/** A port nothing listens on (yet), and a receiver to start on it later. */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

async function listenOn(port: number, keys: string[]): Promise<Server> {
  const server = createServer((request, response) => {
    keys.push(String(request.headers['idempotency-key']));
    request.resume();
    request.on('end', () => response.writeHead(200).end('{}'));
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return server;
}

describe.each(databaseTargets)('the alert outbox on $name', (target) => {
  let testDatabase: TestDatabase;
  let database: Database;
  let receiver: HttpReceiver;
  let now: Date;
  let metrics: ReturnType<typeof createMetrics>;
  let subscriptions: SubscriptionRepository;
  let outbox: AlertOutbox;
  let dispatcher: AlertDispatcher;
  const clock = () => now;
  const hookUrl = () => `${receiver.origin}/hook?token=${QUERY_TOKEN}`;

  const open = async () => {
    database = await openDatabase({ url: testDatabase.url, pgliteDir: testDatabase.pgliteDir });
    await database.migrate();
    subscriptions = new SubscriptionRepository(database.db, city, clock);
    const links = new AckLinks(Buffer.from('k'.repeat(32)), 'https://pingan.example.gov.cn', 72 * 3_600_000);
    outbox = new AlertOutbox(database.db, city, { ackLink: (alert, sub, at) => links.url(alert, sub, at) });
    dispatcher = dispatcherOn(database.db);
  };
  const dispatcherOn = (db: Db) =>
    new AlertDispatcher({
      db,
      city,
      logger: createLogger('silent'),
      metrics,
      clock,
      env: { HOOK_SECRET: SECRET },
      maxBackoffMs: MAX_BACKOFF_MS,
      leaseMs: LEASE_MS,
    });
  /** Queues inside a transaction, as the evaluator does with the alert's transition. */
  const enqueue = (...items: OutboxItem[]) =>
    database.db.transaction((tx) => outbox.enqueue(tx as unknown as Db, items, now));
  const rows = () => database.db.select().from(alertOutbox).orderBy(alertOutbox.id);
  /** The idempotency key of every request the receiver got. */
  const delivered = () => receiver.requests.map((r) => String(r.headers['idempotency-key']));

  beforeEach(async () => {
    city ??= await loadCityConfig('config/anning.json');
    testDatabase = await target.create();
    receiver = await startHttpReceiver();
    metrics = createMetrics();
    now = T0;
    await open();
  });
  afterEach(async () => {
    await dispatcher.stop();
    await database.close();
    await receiver.stop();
    await testDatabase.drop();
  });

  it('a notification queued in the transaction reaches the webhook once, with its idempotency key and ack link', async () => {
    const { id } = await subscriptions.create(streetHead(hookUrl()));
    const item = indexDrop('jinfang', now);
    expect(await enqueue(item)).toBe(1);

    expect(await dispatcher.runOnce()).toBe(1);
    expect(await dispatcher.runOnce()).toBe(0);
    expect(receiver.requests).toHaveLength(1);
    const request = receiver.requests[0]!;
    expect(request.headers['idempotency-key']).toBe(`${item.effect.id}:${id}:0`);
    const body = JSON.parse(request.body);
    expect(body).toMatchObject({
      alertId: item.effect.alertId,
      street: 'jinfang',
      severity: 'warning',
      kind: 'fire',
      title: { zh: item.text.zh.title, en: item.text.en.title },
      at: item.effect.at,
    });
    expect(body.title.zh).toContain('金方');
    expect(body.ackUrl).toMatch(new RegExp(`^https://pingan\\.example\\.gov\\.cn/ack/.+sub=${id}&`));

    const [row] = await rows();
    expect(row).toMatchObject({ status: 'sent', attempts: 1, lockedUntil: null });
    expect(row?.sentAt?.toISOString()).toBe(T0.toISOString());
    const health = await dispatcher.health();
    expect(health.status).toBe('ok');
    expect(health.channels).toEqual([
      expect.objectContaining({
        channel: 'webhook',
        status: 'ok',
        sent: 1,
        pending: 0,
        failed: 0,
        failures: 0,
      }),
    ]);
    expect(health.subscriptions).toEqual([expect.objectContaining({ id, name: '金方街道负责人', sent: 1 })]);
    expect(await metrics.registry.metrics()).toMatch(
      /pingan_alert_notifications_total\{channel="webhook",outcome="sent"\} 1/,
    );
  });

  it('queues nothing when the transaction that stores the alert rolls back', async () => {
    await subscriptions.create(streetHead(hookUrl()));
    await expect(
      database.db.transaction(async (tx) => {
        await outbox.enqueue(tx as unknown as Db, [indexDrop('jinfang', now)], now);
        throw new Error('the transition could not be stored');
      }),
    ).rejects.toThrow('could not be stored');
    expect(await rows()).toEqual([]);
  });

  it('queues the same effect once however often it is enqueued, and only for matching subscriptions', async () => {
    await subscriptions.create(streetHead(hookUrl()));
    await subscriptions.create(streetHead(hookUrl(), { name: '连然街道负责人', streets: ['lianran'] }));
    await subscriptions.create(streetHead(hookUrl(), { name: '停用', enabled: false }));
    const item = indexDrop('jinfang', now);
    expect(await enqueue(item)).toBe(1);
    expect(await enqueue(item)).toBe(0);
    expect(await rows()).toHaveLength(1);
    await dispatcher.runOnce();
    expect(receiver.requests).toHaveLength(1);
  });

  it('sends each channel of a subscription its own notification', async () => {
    const second = await startHttpReceiver();
    try {
      const { id } = await subscriptions.create(
        streetHead(hookUrl(), { channels: [webhook(hookUrl()), webhook(`${second.origin}/other`)] }),
      );
      const item = indexDrop('jinfang', now);
      expect(await enqueue(item)).toBe(2);
      await dispatcher.runOnce();
      expect(receiver.requests.map((r) => r.headers['idempotency-key'])).toEqual([
        `${item.effect.id}:${id}:0`,
      ]);
      expect(second.requests.map((r) => r.headers['idempotency-key'])).toEqual([`${item.effect.id}:${id}:1`]);
    } finally {
      await second.stop();
    }
  });

  it('a receiver answering 503 for a while gets the notification exactly once when it is back', async () => {
    await subscriptions.create(streetHead(hookUrl()));
    await enqueue(indexDrop('jinfang', now));
    receiver.answer = { status: 503, body: 'maintenance' };

    expect(await dispatcher.runOnce()).toBe(1);
    expect(await dispatcher.runOnce()).toBe(0); // not due before its backoff
    const [waiting] = await rows();
    expect(waiting).toMatchObject({ status: 'pending', attempts: 1, lockedUntil: null });
    expect(waiting?.lastError).toMatch(/HTTP 503/);
    const wait = waiting!.nextAttemptAt.getTime() - now.getTime();
    expect(wait).toBeGreaterThanOrEqual(2_500);
    expect(wait).toBeLessThanOrEqual(5_000);
    expect((await dispatcher.health()).status).toBe('degraded');

    for (let i = 0; i < 4; i++) {
      now = new Date(now.getTime() + MAX_BACKOFF_MS);
      expect(await dispatcher.runOnce()).toBe(1);
    }
    receiver.answer = ROBOT_OK;
    now = new Date(now.getTime() + MAX_BACKOFF_MS);
    expect(await dispatcher.runOnce()).toBe(1);
    now = new Date(now.getTime() + 10 * MAX_BACKOFF_MS);
    expect(await dispatcher.runOnce()).toBe(0);

    const keys = delivered();
    expect(keys).toHaveLength(6);
    expect(new Set(keys).size).toBe(1); // every attempt carried the same key: one notification
    expect((await rows())[0]).toMatchObject({ status: 'sent', attempts: 6, lastError: null });
    const health = await dispatcher.health();
    expect(health.status).toBe('ok');
    expect(health.channels[0]).toMatchObject({
      sent: 1,
      failures: 5,
      lastError: expect.stringMatching(/503/),
    });
  });

  it('a receiver that refuses connections gets the notification once it listens again', async () => {
    const port = await freePort();
    await subscriptions.create(streetHead(`http://127.0.0.1:${port}/hook`));
    await enqueue(indexDrop('jinfang', now));
    expect(await dispatcher.runOnce()).toBe(1);
    const [refused] = await rows();
    expect(refused).toMatchObject({ status: 'pending', lastError: expect.stringMatching(/ECONNREFUSED/) });

    const keys: string[] = [];
    const back = await listenOn(port, keys);
    try {
      now = new Date(now.getTime() + MAX_BACKOFF_MS);
      expect(await dispatcher.runOnce()).toBe(1);
      now = new Date(now.getTime() + MAX_BACKOFF_MS);
      expect(await dispatcher.runOnce()).toBe(0);
      expect(keys).toEqual([refused!.idempotencyKey]);
    } finally {
      back.closeAllConnections();
      await new Promise<void>((resolve) => back.close(() => resolve()));
    }
  });

  it('a restart between the commit and the send neither loses nor duplicates the notification', async () => {
    // A database that outlives its handle (PGlite in memory would not).
    await database.close();
    await testDatabase.drop();
    testDatabase = await target.create({ persistent: true });
    await open();
    await subscriptions.create(streetHead(hookUrl()));
    expect(await enqueue(indexDrop('jinfang', now))).toBe(1);
    await database.close();

    await open();
    expect(await dispatcher.runOnce()).toBe(1);
    await dispatcher.stop();
    await database.close();

    await open();
    expect(await dispatcher.runOnce()).toBe(0);
    expect(receiver.requests).toHaveLength(1);
  });

  it('rows held by a dispatcher that died are sent by another once the lease runs out, once', async () => {
    await subscriptions.create(streetHead(hookUrl()));
    await enqueue(indexDrop('jinfang', now));
    // The first dispatcher claims the row and dies before sending it.
    expect(await outbox.claim(now, LEASE_MS, 10)).toHaveLength(1);

    expect(await dispatcher.runOnce()).toBe(0);
    now = new Date(now.getTime() + LEASE_MS + 1000);
    expect(await dispatcher.runOnce()).toBe(1);
    expect(await dispatcher.runOnce()).toBe(0);
    expect(receiver.requests).toHaveLength(1);
    expect((await rows())[0]).toMatchObject({ status: 'sent', attempts: 2 });
  });

  it('leaves a row whose lease ran out while it waited its turn, and sends it once on the next run', async () => {
    await subscriptions.create(streetHead(hookUrl(), { streets: [] }));
    await enqueue(indexDrop('jinfang', now), indexDrop('lianran', now));
    // A slow receiver: the first send takes most of the lease.
    receiver.answer = () => {
      now = new Date(now.getTime() + LEASE_MS - 1000);
      return ROBOT_OK;
    };
    expect(await dispatcher.runOnce()).toBe(2);
    expect(receiver.requests).toHaveLength(1);
    const [sent, left] = await rows();
    expect(sent?.status).toBe('sent');
    expect(left?.status).toBe('pending');

    receiver.answer = ROBOT_OK;
    now = new Date(now.getTime() + LEASE_MS);
    expect(await dispatcher.runOnce()).toBe(1);
    expect(await dispatcher.runOnce()).toBe(0);
    expect(new Set(delivered()).size).toBe(2);
    expect(receiver.requests).toHaveLength(2);
  });

  it('two dispatchers working the same outbox send every notification once', async () => {
    await subscriptions.create(streetHead(hookUrl(), { streets: [] }));
    const streets = city.streets.map((s) => s.code);
    expect(await enqueue(...streets.map((street) => indexDrop(street, now)))).toBe(streets.length);
    const other = dispatcherOn(database.db);
    const [a, b] = await Promise.all([dispatcher.runOnce(), other.runOnce()]);
    await Promise.all([dispatcher.runOnce(), other.runOnce()]);
    expect(a + b).toBe(streets.length);
    const keys = delivered();
    expect(keys).toHaveLength(streets.length);
    expect(new Set(keys).size).toBe(streets.length);
  });

  it('a receiver refusing for good fails the notification at once, and health shows why without the secret', async () => {
    const { id } = await subscriptions.create(streetHead(hookUrl()));
    await enqueue(indexDrop('jinfang', now));
    receiver.fail('permanent');

    expect(await dispatcher.runOnce()).toBe(1);
    now = new Date(now.getTime() + 10 * MAX_BACKOFF_MS);
    expect(await dispatcher.runOnce()).toBe(0);
    expect(receiver.requests).toHaveLength(1);
    // The receiver quoted back the URL (with its token) and the body; none of it may be kept.
    expect(receiver.requests[0]?.url).toContain(QUERY_TOKEN);
    const [row] = await rows();
    expect(row).toMatchObject({ status: 'failed', attempts: 1, lockedUntil: null });
    expect(row?.lastError).toMatch(/HTTP 400/);

    const health = await dispatcher.health();
    expect(health.status).toBe('degraded');
    const webhookHealth = health.channels.find((c) => c.channel === 'webhook');
    expect(webhookHealth).toMatchObject({ status: 'failing', failed: 1, sent: 0, pending: 0, failures: 1 });
    expect(webhookHealth?.lastError).toMatch(/HTTP 400/);
    expect(webhookHealth?.lastErrorAt).toBe(T0.toISOString());
    expect(health.subscriptions).toEqual([expect.objectContaining({ id, status: 'failing', failed: 1 })]);
    const text = JSON.stringify(health);
    expect(text).not.toContain(QUERY_TOKEN);
    expect(text).not.toContain(SECRET);
    expect(await metrics.registry.metrics()).toMatch(
      /pingan_alert_notifications_total\{channel="webhook",outcome="failed"\} 1/,
    );
  });

  it('gives up a notification that keeps failing after the last attempt allowed', async () => {
    await subscriptions.create(streetHead(hookUrl()));
    await enqueue(indexDrop('jinfang', now));
    receiver.fail('transient');
    const impatient = new AlertDispatcher({
      db: database.db,
      city,
      logger: createLogger('silent'),
      metrics,
      clock,
      env: { HOOK_SECRET: SECRET },
      maxAttempts: 3,
      maxBackoffMs: MAX_BACKOFF_MS,
    });
    for (let i = 0; i < 5; i++) {
      await impatient.runOnce();
      now = new Date(now.getTime() + MAX_BACKOFF_MS);
    }
    expect(receiver.requests).toHaveLength(3);
    const [row] = await rows();
    expect(row).toMatchObject({ status: 'failed', attempts: 3 });
    expect(row?.lastError).toMatch(/^gave up after 3 attempts: .*HTTP 500/);
  });

  it('prunes delivered notifications past their retention, but never one still waiting', async () => {
    await subscriptions.create(streetHead(hookUrl()));
    await enqueue(indexDrop('jinfang', now));
    await dispatcher.runOnce();
    now = new Date(now.getTime() + 60_000);
    receiver.fail('transient');
    // The same street's next alert, while its receiver refuses: it waits in the outbox.
    await enqueue(indexDrop('jinfang', now));
    await dispatcher.runOnce();
    expect((await rows()).map((row) => row.status)).toEqual(['sent', 'pending']);

    expect(await outbox.prune(T0)).toBe(0);
    expect(await outbox.prune(new Date(now.getTime() + 86_400_000))).toBe(1);
    expect((await rows()).map((row) => row.status)).toEqual(['pending']);
  });

  it('hashes an idempotency key that would be longer than a notification allows', async () => {
    const { id } = await subscriptions.create(streetHead(hookUrl()));
    const item = robbery(`JQ-${'7'.repeat(190)}`, now);
    expect(`${item.effect.id}:${id}:0`.length).toBeGreaterThan(200);
    expect(await enqueue(item)).toBe(1);
    expect(await enqueue(item)).toBe(0);
    await dispatcher.runOnce();
    expect(delivered()).toEqual([expect.stringMatching(/^h:[0-9a-f]{64}$/)]);
    expect((await rows())[0]?.status).toBe('sent');
  });

  it('quiet hours hold a warning until they end but let a critical alert through', async () => {
    await subscriptions.create(
      streetHead(hookUrl(), { streets: [], quietHours: { start: '22:00', end: '07:00' } }),
    );
    now = new Date('2026-11-25T15:30:00Z'); // 23:30 in Anning
    const warning = indexDrop('jinfang', now, 'warning');
    const critical = indexDrop('lianran', now, 'critical');
    expect(await enqueue(warning, critical)).toBe(2);

    expect(await dispatcher.runOnce()).toBe(1);
    expect(JSON.parse(receiver.requests[0]!.body).alertId).toBe(critical.effect.alertId);
    expect((await dispatcher.health()).channels[0]).toMatchObject({ sent: 1, pending: 1 });

    now = new Date('2026-11-25T22:59:00Z'); // 06:59
    expect(await dispatcher.runOnce()).toBe(0);
    now = new Date('2026-11-25T23:00:00Z'); // 07:00
    expect(await dispatcher.runOnce()).toBe(1);
    expect(JSON.parse(receiver.requests[1]!.body).alertId).toBe(warning.effect.alertId);
  });

  it('sends with the subscription as it is now: a new URL is used, a removed or disabled one fails with the reason', async () => {
    const moved = await startHttpReceiver();
    try {
      const { id } = await subscriptions.create(streetHead(hookUrl()));
      await enqueue(indexDrop('jinfang', now));
      // The channel is built (and cached) by a first attempt that fails…
      receiver.answer = { status: 503, body: '' };
      await dispatcher.runOnce();
      // …and rebuilt after the subscription changes.
      await subscriptions.update(id, streetHead(`${moved.origin}/new-hook`));
      now = new Date(now.getTime() + MAX_BACKOFF_MS);
      expect(await dispatcher.runOnce()).toBe(1);
      expect(moved.requests).toHaveLength(1);
      expect(receiver.requests).toHaveLength(1);

      const disabled = await subscriptions.create(
        streetHead(hookUrl(), { name: '连然街道负责人', streets: ['lianran'] }),
      );
      const removed = await subscriptions.create(
        streetHead(hookUrl(), { name: '温泉街道负责人', streets: ['wenquan'] }),
      );
      await enqueue(indexDrop('lianran', now), indexDrop('wenquan', now));
      await subscriptions.update(
        disabled.id,
        streetHead(hookUrl(), { streets: ['lianran'], enabled: false }),
      );
      await subscriptions.remove(removed.id);
      expect(await dispatcher.runOnce()).toBe(2);
      const failed = await database.db.select().from(alertOutbox).where(eq(alertOutbox.status, 'failed'));
      expect(failed.map((row) => row.lastError).sort()).toEqual([
        `subscription ${disabled.id} is disabled`,
        `subscription ${removed.id} was removed`,
      ]);
      expect(receiver.requests).toHaveLength(1);
    } finally {
      await moved.stop();
    }
  });

  it('runs by itself once started, and a poke sends at once', async () => {
    const polling = new AlertDispatcher({
      db: database.db,
      city,
      logger: createLogger('silent'),
      metrics,
      clock,
      env: { HOOK_SECRET: SECRET },
      pollMs: 60_000,
    });
    await subscriptions.create(streetHead(hookUrl()));
    polling.start();
    try {
      await enqueue(indexDrop('jinfang', now));
      polling.poke();
      await expect.poll(() => receiver.requests.length, { timeout: 5_000 }).toBe(1);
      expect(await metrics.registry.metrics()).toMatch(/pingan_alert_outbox_pending 0/);
    } finally {
      await polling.stop();
    }
  });
});

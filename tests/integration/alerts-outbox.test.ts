/**
 * The outbox and its dispatcher against local receivers, on PGlite and PostgreSQL: notifications
 * queued in the alert's transaction reach the receiver once with their idempotency key, survive a
 * receiver that is down and a server restart, are given up at once when refused for good, wait for
 * the end of quiet hours, and are sent by the subscription's configuration as it is when they go.
 */
import { spawn } from 'node:child_process';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { AlertOutbox } from '../../server/alerts/outbox.js';
import type { Db } from '../../server/db/client.js';
import { alertOutbox } from '../../server/db/schema/index.js';
import { databaseTargets } from '../support/databases.js';
import {
  anning,
  freePort,
  indexDrop,
  LEASE_MS,
  listenOn,
  MAX_BACKOFF_MS,
  QUERY_TOKEN,
  robbery,
  SECRET,
  streetHead,
  T0,
  useOutbox,
  webhook,
} from '../support/outbox.js';
import { ROBOT_OK, startHttpReceiver } from '../support/receivers.js';

describe.each(databaseTargets)('the alert outbox on $name', (target) => {
  const t = useOutbox(target);

  it('a notification queued in the transaction reaches the webhook once, with its idempotency key and ack link', async () => {
    const { id } = await t.subscriptions.create(streetHead(t.hookUrl()));
    const item = indexDrop('jinfang', t.now);
    expect(await t.enqueue(item)).toBe(1);

    expect(await t.dispatcher.runOnce()).toBe(1);
    expect(await t.dispatcher.runOnce()).toBe(0);
    expect(t.receiver.requests).toHaveLength(1);
    const request = t.receiver.requests[0]!;
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

    const [row] = await t.rows();
    expect(row).toMatchObject({ status: 'sent', attempts: 1, lockedUntil: null });
    expect(row?.sentAt?.toISOString()).toBe(T0.toISOString());
    const health = await t.dispatcher.health();
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
    expect(await t.metrics.registry.metrics()).toMatch(
      /pingan_alert_notifications_total\{channel="webhook",outcome="sent"\} 1/,
    );
  });

  it('queues nothing when the transaction that stores the alert rolls back', async () => {
    await t.subscriptions.create(streetHead(t.hookUrl()));
    await expect(
      t.database.db.transaction(async (tx) => {
        await t.outbox.enqueue(tx as unknown as Db, [indexDrop('jinfang', t.now)], t.now);
        throw new Error('the transition could not be stored');
      }),
    ).rejects.toThrow('could not be stored');
    expect(await t.rows()).toEqual([]);
  });

  it('queues the same effect once however often it is enqueued, and only for matching subscriptions', async () => {
    await t.subscriptions.create(streetHead(t.hookUrl()));
    await t.subscriptions.create(streetHead(t.hookUrl(), { name: '连然街道负责人', streets: ['lianran'] }));
    await t.subscriptions.create(streetHead(t.hookUrl(), { name: '停用', enabled: false }));
    const item = indexDrop('jinfang', t.now);
    expect(await t.enqueue(item)).toBe(1);
    expect(await t.enqueue(item)).toBe(0);
    expect(await t.rows()).toHaveLength(1);
    await t.dispatcher.runOnce();
    expect(t.receiver.requests).toHaveLength(1);
  });

  it('sends each channel of a subscription its own notification', async () => {
    const second = await startHttpReceiver();
    try {
      const { id } = await t.subscriptions.create(
        streetHead(t.hookUrl(), { channels: [webhook(t.hookUrl()), webhook(`${second.origin}/other`)] }),
      );
      const item = indexDrop('jinfang', t.now);
      expect(await t.enqueue(item)).toBe(2);
      await t.dispatcher.runOnce();
      expect(t.receiver.requests.map((r) => r.headers['idempotency-key'])).toEqual([
        `${item.effect.id}:${id}:0`,
      ]);
      expect(second.requests.map((r) => r.headers['idempotency-key'])).toEqual([`${item.effect.id}:${id}:1`]);
    } finally {
      await second.stop();
    }
  });

  it('a receiver answering 503 for a while gets the notification exactly once when it is back', async () => {
    await t.subscriptions.create(streetHead(t.hookUrl()));
    await t.enqueue(indexDrop('jinfang', t.now));
    t.receiver.answer = { status: 503, body: 'maintenance' };

    expect(await t.dispatcher.runOnce()).toBe(1);
    expect(await t.dispatcher.runOnce()).toBe(0); // not due before its backoff
    const [waiting] = await t.rows();
    expect(waiting).toMatchObject({ status: 'pending', attempts: 1, lockedUntil: null });
    expect(waiting?.lastError).toMatch(/HTTP 503/);
    const wait = waiting!.nextAttemptAt.getTime() - t.now.getTime();
    expect(wait).toBeGreaterThanOrEqual(2_500);
    expect(wait).toBeLessThanOrEqual(5_000);
    expect((await t.dispatcher.health()).status).toBe('degraded');

    for (let i = 0; i < 4; i++) {
      t.now = new Date(t.now.getTime() + MAX_BACKOFF_MS);
      expect(await t.dispatcher.runOnce()).toBe(1);
    }
    t.receiver.answer = ROBOT_OK;
    t.now = new Date(t.now.getTime() + MAX_BACKOFF_MS);
    expect(await t.dispatcher.runOnce()).toBe(1);
    t.now = new Date(t.now.getTime() + 10 * MAX_BACKOFF_MS);
    expect(await t.dispatcher.runOnce()).toBe(0);

    const keys = t.delivered();
    expect(keys).toHaveLength(6);
    expect(new Set(keys).size).toBe(1); // every attempt carried the same key: one notification
    expect((await t.rows())[0]).toMatchObject({ status: 'sent', attempts: 6, lastError: null });
    const health = await t.dispatcher.health();
    expect(health.status).toBe('ok');
    expect(health.channels[0]).toMatchObject({
      sent: 1,
      failures: 5,
      lastError: expect.stringMatching(/503/),
    });
  });

  it('a receiver that refuses connections gets the notification once it listens again', async () => {
    const port = await freePort();
    await t.subscriptions.create(streetHead(`http://127.0.0.1:${port}/hook`));
    await t.enqueue(indexDrop('jinfang', t.now));
    expect(await t.dispatcher.runOnce()).toBe(1);
    const [refused] = await t.rows();
    expect(refused).toMatchObject({ status: 'pending', lastError: expect.stringMatching(/ECONNREFUSED/) });

    const keys: string[] = [];
    const back = await listenOn(port, keys);
    try {
      t.now = new Date(t.now.getTime() + MAX_BACKOFF_MS);
      expect(await t.dispatcher.runOnce()).toBe(1);
      t.now = new Date(t.now.getTime() + MAX_BACKOFF_MS);
      expect(await t.dispatcher.runOnce()).toBe(0);
      expect(keys).toEqual([refused!.idempotencyKey]);
    } finally {
      back.closeAllConnections();
      await new Promise<void>((resolve) => back.close(() => resolve()));
    }
  });

  it('a restart between the commit and the send neither loses nor duplicates the notification', async () => {
    // A database that outlives its handle (PGlite in memory would not).
    await t.database.close();
    await t.testDatabase.drop();
    t.testDatabase = await target.create({ persistent: true });
    await t.open();
    await t.subscriptions.create(streetHead(t.hookUrl()));
    expect(await t.enqueue(indexDrop('jinfang', t.now))).toBe(1);
    await t.database.close();

    await t.open();
    expect(await t.dispatcher.runOnce()).toBe(1);
    await t.dispatcher.stop();
    await t.database.close();

    await t.open();
    expect(await t.dispatcher.runOnce()).toBe(0);
    expect(t.receiver.requests).toHaveLength(1);
  });

  it('rows held by a dispatcher that died are sent by another once the lease runs out, once', async () => {
    await t.subscriptions.create(streetHead(t.hookUrl()));
    await t.enqueue(indexDrop('jinfang', t.now));
    // The first dispatcher claims the row and dies before sending it.
    expect(await t.outbox.claim(t.now, LEASE_MS, 10)).toHaveLength(1);

    expect(await t.dispatcher.runOnce()).toBe(0);
    t.now = new Date(t.now.getTime() + LEASE_MS + 1000);
    expect(await t.dispatcher.runOnce()).toBe(1);
    expect(await t.dispatcher.runOnce()).toBe(0);
    expect(t.receiver.requests).toHaveLength(1);
    expect((await t.rows())[0]).toMatchObject({ status: 'sent', attempts: 2 });
  });

  it('a send that outlasts its lease keeps its row: the lease is renewed while the send is in flight', async () => {
    // A receiver that holds its answer until told.
    const held: ServerResponse[] = [];
    const slow = createServer((request, response) => {
      request.resume();
      request.on('end', () => held.push(response));
    });
    await new Promise<void>((resolve) => slow.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = slow.address() as AddressInfo;
      const url = `http://127.0.0.1:${port}/hook`;
      await t.subscriptions.create(streetHead(url, { channels: [webhook(url, 10_000)] }));
      await t.enqueue(indexDrop('jinfang', t.now));
      const sender = t.dispatcherOn(t.database.db, { nodeId: 'node-a', leaseMs: 60_000, renewEveryMs: 20 });
      const other = t.dispatcherOn(t.database.db, { nodeId: 'node-b', leaseMs: 60_000 });
      const sending = sender.runOnce();
      while (held.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));

      // Two leases pass while the receiver thinks; the sender renews, so the other node finds nothing.
      t.now = new Date(t.now.getTime() + 120_000);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(await other.runOnce()).toBe(0);

      held[0]!.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      expect(await sending).toBe(1);
      expect(held).toHaveLength(1);
      expect((await t.rows())[0]).toMatchObject({ status: 'sent', attempts: 1, lockedUntil: null });
      await other.stop();
      await sender.stop();
    } finally {
      for (const response of held) response.destroy();
      slow.closeAllConnections();
      await new Promise<void>((resolve) => slow.close(() => resolve()));
    }
  });

  it('a dispatcher starting releases the claims of its node’s dead processes, not those of a live one', async () => {
    await t.subscriptions.create(streetHead(t.hookUrl(), { streets: [] }));
    await t.enqueue(indexDrop('jinfang', t.now), indexDrop('lianran', t.now));
    const exited = spawn(process.execPath, ['-e', '']);
    await new Promise((resolve) => exited.once('exit', resolve));
    const claimAs = async (claimant: string) =>
      (await new AlertOutbox(t.database.db, await anning(), { claimant }).claim(t.now, LEASE_MS, 1))[0]!;
    await claimAs(`node-a:${exited.pid}:killed`);
    // Another server on the same host, still running (the test runner's parent process stands in).
    const live = await claimAs(`node-a:${process.ppid}:running`);

    const dispatcher = t.dispatcherOn(t.database.db, { nodeId: 'node-a' });
    expect(await dispatcher.runOnce()).toBe(1);
    expect(t.receiver.requests).toHaveLength(1);
    expect((await t.rows()).find((row) => row.id === live.id)).toMatchObject({
      status: 'pending',
      claimedBy: `node-a:${process.ppid}:running`,
    });
    await dispatcher.stop();
  });

  it('leaves a row whose lease ran out while it waited its turn, and sends it once on the next run', async () => {
    await t.subscriptions.create(streetHead(t.hookUrl(), { streets: [] }));
    await t.enqueue(indexDrop('jinfang', t.now), indexDrop('lianran', t.now));
    // A slow receiver: the first send takes most of the lease.
    t.receiver.answer = () => {
      t.now = new Date(t.now.getTime() + LEASE_MS - 1000);
      return ROBOT_OK;
    };
    expect(await t.dispatcher.runOnce()).toBe(2);
    expect(t.receiver.requests).toHaveLength(1);
    const [sent, left] = await t.rows();
    expect(sent?.status).toBe('sent');
    expect(left?.status).toBe('pending');

    t.receiver.answer = ROBOT_OK;
    t.now = new Date(t.now.getTime() + LEASE_MS);
    expect(await t.dispatcher.runOnce()).toBe(1);
    expect(await t.dispatcher.runOnce()).toBe(0);
    expect(new Set(t.delivered()).size).toBe(2);
    expect(t.receiver.requests).toHaveLength(2);
  });

  it('two dispatchers working the same outbox send every notification once', async () => {
    await t.subscriptions.create(streetHead(t.hookUrl(), { streets: [] }));
    const streets = (await anning()).streets.map((s) => s.code);
    expect(await t.enqueue(...streets.map((street) => indexDrop(street, t.now)))).toBe(streets.length);
    const other = t.dispatcherOn(t.database.db);
    const [a, b] = await Promise.all([t.dispatcher.runOnce(), other.runOnce()]);
    await Promise.all([t.dispatcher.runOnce(), other.runOnce()]);
    expect(a + b).toBe(streets.length);
    const keys = t.delivered();
    expect(keys).toHaveLength(streets.length);
    expect(new Set(keys).size).toBe(streets.length);
  });

  it('a receiver refusing for good fails the notification at once, and health shows why without the secret', async () => {
    const { id } = await t.subscriptions.create(streetHead(t.hookUrl()));
    await t.enqueue(indexDrop('jinfang', t.now));
    t.receiver.fail('permanent');

    expect(await t.dispatcher.runOnce()).toBe(1);
    t.now = new Date(t.now.getTime() + 10 * MAX_BACKOFF_MS);
    expect(await t.dispatcher.runOnce()).toBe(0);
    expect(t.receiver.requests).toHaveLength(1);
    // The receiver quoted back the URL (with its token) and the body; none of it may be kept.
    expect(t.receiver.requests[0]?.url).toContain(QUERY_TOKEN);
    const [row] = await t.rows();
    expect(row).toMatchObject({ status: 'failed', attempts: 1, lockedUntil: null });
    expect(row?.lastError).toMatch(/HTTP 400/);

    const health = await t.dispatcher.health();
    expect(health.status).toBe('degraded');
    const webhookHealth = health.channels.find((c) => c.channel === 'webhook');
    expect(webhookHealth).toMatchObject({ status: 'failing', failed: 1, sent: 0, pending: 0, failures: 1 });
    expect(webhookHealth?.lastError).toMatch(/HTTP 400/);
    expect(webhookHealth?.lastErrorAt).toBe(T0.toISOString());
    expect(health.subscriptions).toEqual([expect.objectContaining({ id, status: 'failing', failed: 1 })]);
    const text = JSON.stringify(health);
    expect(text).not.toContain(QUERY_TOKEN);
    expect(text).not.toContain(SECRET);
    expect(await t.metrics.registry.metrics()).toMatch(
      /pingan_alert_notifications_total\{channel="webhook",outcome="failed"\} 1/,
    );
  });

  it('gives up a notification that keeps failing after the last attempt allowed', async () => {
    await t.subscriptions.create(streetHead(t.hookUrl()));
    await t.enqueue(indexDrop('jinfang', t.now));
    t.receiver.fail('transient');
    const impatient = t.dispatcherOn(t.database.db, { maxAttempts: 3 });
    for (let i = 0; i < 5; i++) {
      await impatient.runOnce();
      t.now = new Date(t.now.getTime() + MAX_BACKOFF_MS);
    }
    expect(t.receiver.requests).toHaveLength(3);
    const [row] = await t.rows();
    expect(row).toMatchObject({ status: 'failed', attempts: 3 });
    expect(row?.lastError).toMatch(/^gave up after 3 attempts: .*HTTP 500/);
  });

  it('prunes delivered notifications past their retention, but never one still waiting', async () => {
    await t.subscriptions.create(streetHead(t.hookUrl()));
    await t.enqueue(indexDrop('jinfang', t.now));
    await t.dispatcher.runOnce();
    t.now = new Date(t.now.getTime() + 60_000);
    t.receiver.fail('transient');
    // The same street's next alert, while its receiver refuses: it waits in the outbox.
    await t.enqueue(indexDrop('jinfang', t.now));
    await t.dispatcher.runOnce();
    expect((await t.rows()).map((row) => row.status)).toEqual(['sent', 'pending']);

    expect(await t.outbox.prune(T0)).toBe(0);
    expect(await t.outbox.prune(new Date(t.now.getTime() + 86_400_000))).toBe(1);
    expect((await t.rows()).map((row) => row.status)).toEqual(['pending']);
  });

  it('hashes an idempotency key that would be longer than a notification allows', async () => {
    const { id } = await t.subscriptions.create(streetHead(t.hookUrl()));
    const item = robbery(`JQ-${'7'.repeat(190)}`, t.now);
    expect(`${item.effect.id}:${id}:0`.length).toBeGreaterThan(200);
    expect(await t.enqueue(item)).toBe(1);
    expect(await t.enqueue(item)).toBe(0);
    await t.dispatcher.runOnce();
    expect(t.delivered()).toEqual([expect.stringMatching(/^h:[0-9a-f]{64}$/)]);
    expect((await t.rows())[0]?.status).toBe('sent');
  });

  it('quiet hours hold a warning until they end but let a critical alert through', async () => {
    await t.subscriptions.create(
      streetHead(t.hookUrl(), { streets: [], quietHours: { start: '22:00', end: '07:00' } }),
    );
    t.now = new Date('2026-11-25T15:30:00Z'); // 23:30 in Anning
    const warning = indexDrop('jinfang', t.now, 'warning');
    const critical = indexDrop('lianran', t.now, 'critical');
    expect(await t.enqueue(warning, critical)).toBe(2);

    expect(await t.dispatcher.runOnce()).toBe(1);
    expect(JSON.parse(t.receiver.requests[0]!.body).alertId).toBe(critical.effect.alertId);
    expect((await t.dispatcher.health()).channels[0]).toMatchObject({ sent: 1, pending: 1 });

    t.now = new Date('2026-11-25T22:59:00Z'); // 06:59
    expect(await t.dispatcher.runOnce()).toBe(0);
    t.now = new Date('2026-11-25T23:00:00Z'); // 07:00
    expect(await t.dispatcher.runOnce()).toBe(1);
    expect(JSON.parse(t.receiver.requests[1]!.body).alertId).toBe(warning.effect.alertId);
  });

  it('sends with the subscription as it is now: a new URL is used, a removed or disabled one fails with the reason', async () => {
    const moved = await startHttpReceiver();
    try {
      const { id } = await t.subscriptions.create(streetHead(t.hookUrl()));
      await t.enqueue(indexDrop('jinfang', t.now));
      // The channel is built (and cached) by a first attempt that fails…
      t.receiver.answer = { status: 503, body: '' };
      await t.dispatcher.runOnce();
      // …and rebuilt after the subscription changes.
      await t.subscriptions.update(id, streetHead(`${moved.origin}/new-hook`));
      t.now = new Date(t.now.getTime() + MAX_BACKOFF_MS);
      expect(await t.dispatcher.runOnce()).toBe(1);
      expect(moved.requests).toHaveLength(1);
      expect(t.receiver.requests).toHaveLength(1);

      const disabled = await t.subscriptions.create(
        streetHead(t.hookUrl(), { name: '连然街道负责人', streets: ['lianran'] }),
      );
      const removed = await t.subscriptions.create(
        streetHead(t.hookUrl(), { name: '温泉街道负责人', streets: ['wenquan'] }),
      );
      await t.enqueue(indexDrop('lianran', t.now), indexDrop('wenquan', t.now));
      await t.subscriptions.update(
        disabled.id,
        streetHead(t.hookUrl(), { streets: ['lianran'], enabled: false }),
      );
      await t.subscriptions.remove(removed.id);
      expect(await t.dispatcher.runOnce()).toBe(2);
      const failed = await t.database.db.select().from(alertOutbox).where(eq(alertOutbox.status, 'failed'));
      expect(failed.map((row) => row.lastError).sort()).toEqual([
        `subscription ${disabled.id} is disabled`,
        `subscription ${removed.id} was removed`,
      ]);
      expect(t.receiver.requests).toHaveLength(1);
    } finally {
      await moved.stop();
    }
  });

  it('runs by itself once started, and a poke sends at once', async () => {
    const polling = t.dispatcherOn(t.database.db, { pollMs: 60_000 });
    await t.subscriptions.create(streetHead(t.hookUrl()));
    polling.start();
    try {
      await t.enqueue(indexDrop('jinfang', t.now));
      polling.poke();
      await expect.poll(() => t.receiver.requests.length, { timeout: 15_000 }).toBe(1);
      // Counted once the lane has recorded the delivery, a moment after the receiver has it.
      await expect.poll(() => t.metrics.registry.metrics()).toMatch(/pingan_alert_outbox_pending 0/);
    } finally {
      await polling.stop();
    }
  });
});

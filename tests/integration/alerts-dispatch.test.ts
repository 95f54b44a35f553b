/**
 * How the dispatcher shares its time between receivers, on PGlite and PostgreSQL: a receiver that
 * hangs or is down holds up only its own notifications, a stop hands what is in flight back at once,
 * an alert's notifications reach a receiver in the order they happened, and what has become moot by
 * the time it could go (a repeat of an acknowledged alert, a fire whose alert already resolved) is
 * skipped with the reason rather than sent.
 */
import { describe, expect, it } from 'vitest';
import type { Notification } from '../../server/alerts/channels/channel.js';
import { AlertRepository } from '../../server/repositories/alerts.js';
import {
  acknowledge,
  explainAlert,
  step,
  type AlertEffect,
  type AlertState,
} from '../../shared/alerts/index.js';
import { databaseTargets } from '../support/databases.js';
import {
  anning,
  freePort,
  indexDrop,
  indexDropObservation,
  LEASE_MS,
  LIFECYCLE,
  listenOn,
  MAX_BACKOFF_MS,
  streetHead,
  useOutbox,
  webhook,
} from '../support/outbox.js';
import { startHttpReceiver } from '../support/receivers.js';

const MINUTE = 60_000;

describe.each(databaseTargets)('the alert dispatcher on $name', (target) => {
  const t = useOutbox(target);
  const alerts = new AlertRepository();

  /**
   * Moves a street's index-drop alert one step at the test's clock and does what the evaluator does
   * with the result: stores the alert (unless `store` is false) and queues its notifications, in one
   * transaction. Resolves with the alert and the effects of the step.
   */
  async function advance(
    state: AlertState | null,
    condition: 'breach' | 'clear',
    { street = 'jinfang', store = true } = {},
  ): Promise<{ state: AlertState; effects: AlertEffect[] }> {
    const result = step(state, { ...indexDropObservation(street), condition }, t.now, LIFECYCLE);
    const next = result.state!;
    const text = explainAlert(next, { config: await anning() });
    await t.database.db.transaction(async (tx) => {
      if (store) await alerts.save(tx, next, text, t.now);
      await t.outbox.enqueue(
        tx,
        result.effects.map((effect) => ({ effect, text })),
        t.now,
      );
    });
    return { state: next, effects: result.effects };
  }

  const kinds = (requests: { body: string }[]) =>
    requests.map((r) => (JSON.parse(r.body) as Notification).kind);

  it('delivers to a working receiver while another receiver hangs on its notifications', async () => {
    const hanging = await startHttpReceiver();
    hanging.answer = 'hang';
    try {
      await t.subscriptions.create(
        streetHead(`${hanging.origin}/hook`, { channels: [webhook(`${hanging.origin}/hook`, 60_000)] }),
      );
      await t.subscriptions.create(streetHead(t.hookUrl(), { name: '连然街道负责人', streets: ['lianran'] }));
      await t.enqueue(indexDrop('jinfang', t.now), indexDrop('jinfang', new Date(t.now.getTime() + 1)));
      t.dispatcher.start();
      await expect.poll(() => hanging.requests.length, { timeout: 20_000 }).toBe(1);

      await t.enqueue(indexDrop('lianran', t.now));
      t.dispatcher.poke();
      await expect.poll(() => t.receiver.requests.length, { timeout: 20_000 }).toBe(1);
      // The hanging lane is still on its first notification: nothing waited for it.
      expect(hanging.requests).toHaveLength(1);
    } finally {
      await t.dispatcher.stop();
      await hanging.stop();
    }
  });

  it('tries a receiver that is down once per backoff, however many notifications wait for it', async () => {
    const port = await freePort();
    await t.subscriptions.create(streetHead(`http://127.0.0.1:${port}/hook`, { streets: [] }));
    const streets = ['jinfang', 'lianran', 'wenquan', 'bajie'];
    await t.enqueue(...streets.map((street) => indexDrop(street, t.now)));

    expect(await t.dispatcher.runOnce()).toBe(4);
    const waiting = await t.rows();
    expect(waiting.map((row) => row.attempts)).toEqual([1, 0, 0, 0]);
    expect(waiting.every((row) => row.status === 'pending' && row.lockedUntil === null)).toBe(true);
    expect(new Set(waiting.map((row) => row.nextAttemptAt.getTime())).size).toBe(1);
    expect(waiting[0]!.nextAttemptAt.getTime()).toBeGreaterThan(t.now.getTime());

    const keys: string[] = [];
    const back = await listenOn(port, keys);
    try {
      t.now = new Date(t.now.getTime() + MAX_BACKOFF_MS);
      expect(await t.dispatcher.runOnce()).toBe(4);
      expect(await t.dispatcher.runOnce()).toBe(0);
      expect(keys).toEqual(waiting.map((row) => row.idempotencyKey));
    } finally {
      back.closeAllConnections();
      await new Promise<void>((resolve) => back.close(() => resolve()));
    }
  });

  it('stops without waiting out a hanging send, and the next start sends it once', async () => {
    t.receiver.answer = 'hang';
    await t.subscriptions.create(streetHead(t.hookUrl(), { channels: [webhook(t.hookUrl(), 60_000)] }));
    await t.enqueue(indexDrop('jinfang', t.now));
    t.dispatcher.start();
    await expect.poll(() => t.receiver.requests.length, { timeout: 20_000 }).toBe(1);

    const stopping = Date.now();
    await t.dispatcher.stop();
    // Far from the 60-second timeout of the send it cut short.
    expect(Date.now() - stopping).toBeLessThan(10_000);
    const [handedBack] = await t.rows();
    expect(handedBack).toMatchObject({ status: 'pending', lockedUntil: null, attempts: 0 });
    expect(handedBack!.nextAttemptAt.getTime()).toBeLessThanOrEqual(t.now.getTime());

    t.receiver.answer = { status: 204, body: '' };
    const restarted = t.dispatcherOn(t.database.db);
    expect(await restarted.runOnce()).toBe(1);
    expect(await restarted.runOnce()).toBe(0);
    expect(new Set(t.delivered())).toEqual(new Set([handedBack!.idempotencyKey]));
    expect((await t.rows())[0]?.status).toBe('sent');
  });

  it("keeps an alert's resolution behind its firing while the firing is retried", async () => {
    await t.subscriptions.create(streetHead(t.hookUrl()));
    t.receiver.answer = { status: 503, body: 'maintenance' };
    // Not stored: the order alone is under test, not whether the alert is still open.
    const firing = await advance(null, 'breach', { store: false });
    expect(await t.dispatcher.runOnce()).toBe(1);

    t.now = new Date(t.now.getTime() + 1000);
    await advance(firing.state, 'clear', { store: false });
    // The firing is not due again yet, and the resolution may not overtake it.
    expect(await t.dispatcher.runOnce()).toBe(0);

    t.receiver.answer = { status: 204, body: '' };
    t.now = new Date(t.now.getTime() + MAX_BACKOFF_MS);
    expect(await t.dispatcher.runOnce()).toBe(1);
    expect(await t.dispatcher.runOnce()).toBe(1);
    expect(kinds(t.receiver.requests)).toEqual(['fire', 'fire', 'resolve']);
  });

  it('skips the repeats and escalations of an alert acknowledged while they waited, and says why', async () => {
    await t.subscriptions.create(
      streetHead(t.hookUrl(), {
        audiences: ['street', 'leaders'],
        quietHours: { start: '22:00', end: '07:00', critical: 'deliver' },
      }),
    );
    t.now = new Date('2026-11-25T15:30:00Z'); // 23:30 in Anning: warnings wait for 07:00
    let alert = (await advance(null, 'breach')).state;
    t.now = new Date(t.now.getTime() + 30 * MINUTE);
    alert = (await advance(alert, 'breach')).state;
    t.now = new Date(t.now.getTime() + 30 * MINUTE);
    const escalated = await advance(alert, 'breach');
    expect(escalated.effects.map((e) => e.kind).sort()).toEqual(['escalate', 'repeat']);
    const acknowledged = acknowledge(escalated.state, '值班员', '已派员处置', t.now);
    if (!acknowledged.ok) throw new Error(acknowledged.reason);
    await alerts.save(
      t.database.db,
      acknowledged.state,
      explainAlert(acknowledged.state, { config: await anning() }),
      t.now,
    );

    t.now = new Date('2026-11-25T23:00:00Z'); // 07:00
    while ((await t.dispatcher.runOnce()) > 0);
    // The firing still tells the street head what happened overnight; the reminders are moot.
    expect(kinds(t.receiver.requests)).toEqual(['fire']);
    const rows = await t.rows();
    expect(rows.map((row) => [row.status, row.lastError])).toEqual([
      ['sent', null],
      ['skipped', 'the alert was acknowledged before this repeat went out'],
      ['skipped', 'the alert was acknowledged before this repeat went out'],
      ['skipped', 'the alert was acknowledged before this escalate went out'],
    ]);
    const health = await t.dispatcher.health();
    expect(health).toMatchObject({ status: 'ok' });
    expect(health.channels[0]).toMatchObject({ sent: 1, pending: 0, failed: 0, skipped: 3, failures: 0 });
  });

  it('skips a firing whose alert resolved before it could go, and the resolution nobody needs', async () => {
    await t.subscriptions.create(
      streetHead(t.hookUrl(), { quietHours: { start: '22:00', end: '07:00', critical: 'deliver' } }),
    );
    t.now = new Date('2026-11-25T15:30:00Z'); // 23:30
    const firing = await advance(null, 'breach');
    t.now = new Date('2026-11-25T18:00:00Z'); // 02:00
    await advance(firing.state, 'clear');

    t.now = new Date('2026-11-25T23:00:00Z'); // 07:00
    while ((await t.dispatcher.runOnce()) > 0);
    expect(t.receiver.requests).toEqual([]);
    expect((await t.rows()).map((row) => [row.status, row.lastError])).toEqual([
      ['skipped', 'the alert resolved before its notification went out'],
      ['skipped', 'this channel was never told of the alert'],
    ]);
  });

  it('ignores an outcome recorded after the lease ran out and another dispatcher sent the row', async () => {
    await t.subscriptions.create(streetHead(t.hookUrl()));
    await t.enqueue(indexDrop('jinfang', t.now));
    const [stale] = await t.outbox.claim(t.now, LEASE_MS, 10);

    t.now = new Date(t.now.getTime() + LEASE_MS + 1000);
    expect(await t.dispatcher.runOnce()).toBe(1);
    await t.outbox.retryAt(stale!, t.now, 'the slow node finally gave up');
    await t.outbox.markDone(stale!, 'failed', 'the slow node refused');
    expect((await t.rows())[0]).toMatchObject({ status: 'sent', attempts: 2, lastError: null });
    expect(t.receiver.requests).toHaveLength(1);
  });

  it('is healthy again once a subscription whose receiver kept failing is removed', async () => {
    const working = await t.subscriptions.create(streetHead(t.hookUrl()));
    const broken = await t.subscriptions.create(
      streetHead(`http://127.0.0.1:${await freePort()}/hook`, { name: '已撤销的值班群' }),
    );
    await t.enqueue(indexDrop('jinfang', t.now));
    await t.dispatcher.runOnce();
    const degraded = await t.dispatcher.health();
    expect(degraded).toMatchObject({
      status: 'degraded',
      channels: [{ channel: 'webhook', status: 'failing' }],
    });

    await t.subscriptions.remove(broken.id);
    const healthy = await t.dispatcher.health();
    expect(healthy).toMatchObject({
      status: 'ok',
      channels: [{ channel: 'webhook', status: 'ok', failures: 1 }],
    });
    // The history stays: the removed subscription's failure is still there to read.
    expect(healthy.subscriptions.find((s) => s.id === broken.id)).toMatchObject({ failures: 1 });
    expect(healthy.subscriptions.find((s) => s.id === working.id)).toMatchObject({ status: 'ok', sent: 1 });
  });

  it('puts no acknowledgement link in what goes to the walls over the socket', async () => {
    const emitted: Notification[] = [];
    await t.subscriptions.create(
      streetHead(t.hookUrl(), { channels: [{ kind: 'socket', config: {} }, webhook(t.hookUrl())] }),
    );
    await t.enqueue(indexDrop('jinfang', t.now));
    const dispatcher = t.dispatcherOn(t.database.db, { emit: (n) => void emitted.push(n) });
    expect(await dispatcher.runOnce()).toBe(2);
    expect(emitted).toHaveLength(1);
    expect(emitted[0]).not.toHaveProperty('ackUrl');
    expect(JSON.parse(t.receiver.requests[0]!.body)).toHaveProperty('ackUrl');
  });
});

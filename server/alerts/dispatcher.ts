/**
 * The dispatcher (投递): sends what the outbox holds. It claims due rows under a lease, builds each
 * row's channel from its subscription's configuration as it is now, sends, and records the outcome:
 * sent; retried with exponential backoff and jitter; failed — refused for good by the receiver, the
 * subscription gone or disabled, or `maxAttempts` attempts made; or skipped, moot by then.
 *
 * Each subscription channel is a lane, sent to one row at a time; lanes run side by side and the
 * poll loop never waits for them, so a receiver that hangs delays only its own notifications.
 *
 * Guarantees: a queued notification is never lost (a crash leaves it pending, or claimed until the
 * lease runs out and another dispatcher takes it, or the next server of the same node releases it at
 * once when it starts); a row marked sent is never sent
 * again; a crash between a delivery and its record can repeat that one delivery, with the same
 * idempotency key, which receivers use to drop it.
 */
import { inArray } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { Subscription } from '../../shared/alerts/subscriptions.js';
import { describeIssues, type CityConfig } from '../../shared/city.js';
import type { Db } from '../db/client.js';
import { alertSubscriptions } from '../db/schema/index.js';
import type { EventSource } from '../events.js';
import type { Metrics } from '../metrics.js';
import {
  failed,
  notificationSchema,
  type Channel,
  type DeliveryFailure,
  type DeliveryResult,
  type Notification,
} from './channels/channel.js';
import { createChannel } from './channels/registry.js';
import type { AlertDeliveryHealth } from './delivery-health.js';
import { claimantId, defaultNodeId, isDeadPredecessor } from '../node-identity.js';
import { AlertOutbox, laneOf, type ClaimedNotification } from './outbox.js';
import { storedSubscription } from './subscriptions.js';
import { SharedDeliveryTallies } from '../shared-state/delivery-tallies.js';

export interface DispatcherOptions {
  db: Db;
  city: CityConfig;
  logger: Logger;
  metrics: Metrics;
  /** Every due time and record is read from it, so that tests can drive time. */
  clock: () => Date;
  /** Where channels read `env:NAME` credentials; process.env when absent. */
  env?: Record<string, string | undefined>;
  /** What those references must start with (SECRET_ENV_PREFIX); `PINGAN_SECRET_` when absent. */
  secretPrefix?: string;
  /** The socket channel's delivery: to every wall allowed to see it. */
  emit?: (notification: Notification) => void | Promise<void>;
  /** Heard: `notification.queued`, to send at once rather than at the next look for due rows. */
  events?: EventSource;
  /** How often due rows are looked for without a poke (retries, the end of quiet hours). Default 2 s. */
  pollMs?: number;
  /**
   * How long a claim holds a row unless renewed; the rows of a lane are renewed every `renewEveryMs`
   * while it runs, so a send may take longer. Default 60 s.
   */
  leaseMs?: number;
  /** How often a running lane renews the lease of its rows. Default a third of the lease. */
  renewEveryMs?: number;
  /** This node (NODE_ID, by default the host name): its dead processes' claims are released at start. */
  nodeId?: string;
  /**
   * Nothing else can be dispatching from this database (PGlite, whose folder one server locks):
   * every claim found at start is a dead server's, released at once.
   */
  exclusive?: boolean;
  /** Attempts before a notification is given up. Default 50: about 2 to 4 hours at the default cap. */
  maxAttempts?: number;
  /** The longest wait between two attempts. Default 5 min. */
  maxBackoffMs?: number;
  /** Rows claimed at once. Default 20. */
  batchSize?: number;
}

/** The longest a channel may take to answer (its `timeoutMs` is at most this). */
const MAX_SEND_MS = 120_000;

/** The first retry waits about this long; each further one twice as long, up to `maxBackoffMs`. */
export const BASE_BACKOFF_MS = 5_000;

/**
 * The wait after the `attempts`-th failed attempt: min(base·2^(attempts−1), cap), less a random
 * 0–50 % so that notifications that failed together do not all come back together.
 */
export function backoffMs(
  attempts: number,
  maxBackoffMs: number,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(maxBackoffMs, BASE_BACKOFF_MS * 2 ** Math.max(0, attempts - 1));
  return Math.round(ceiling * (0.5 + 0.5 * random()));
}

interface LoadedSubscription {
  id: number;
  enabled: boolean;
  spec: Subscription | null;
  fingerprint: string;
}

/** Channels built for one version of a subscription, by channel index. */
interface BuiltChannels {
  fingerprint: string;
  channels: Map<number, Channel>;
}

export class AlertDispatcher {
  private readonly outbox: AlertOutbox;
  private readonly pollMs: number;
  private readonly leaseMs: number;
  private readonly maxAttempts: number;
  private readonly maxBackoffMs: number;
  private readonly batchSize: number;
  /** The lease a row must still have for a send to start. */
  private readonly sendMarginMs: number;
  private readonly renewEveryMs: number;
  private readonly nodeId: string;
  /** Whether the claims of this node's dead processes have been released (before the first claim). */
  private recovered = false;
  private readonly built = new Map<number, BuiltChannels>();
  /** Every dispatcher's attempts, this one's added once a second. */
  private readonly tallies: SharedDeliveryTallies;
  /** The lanes this dispatcher is sending to, each a task working through its claimed rows in order. */
  private readonly lanes = new Map<string, Promise<void>>();
  /** Claims run one after another: a lane is marked busy before the next claim looks. */
  private claiming: Promise<unknown> = Promise.resolve();
  /** Aborts the sends in flight when the dispatcher stops. */
  private readonly stopping = new AbortController();
  private timer: NodeJS.Timeout | null = null;
  private started = false;
  private stopListening: (() => void) | undefined;

  constructor(private readonly options: DispatcherOptions) {
    this.nodeId = options.nodeId ?? defaultNodeId();
    this.outbox = new AlertOutbox(options.db, options.city, {
      logger: options.logger,
      claimant: claimantId(this.nodeId),
    });
    this.tallies = new SharedDeliveryTallies(options.db, { nodeId: this.nodeId, logger: options.logger });
    this.pollMs = options.pollMs ?? 2_000;
    this.leaseMs = options.leaseMs ?? 60_000;
    this.renewEveryMs = options.renewEveryMs ?? this.leaseMs / 3;
    this.maxAttempts = options.maxAttempts ?? 50;
    this.maxBackoffMs = options.maxBackoffMs ?? 5 * 60_000;
    this.batchSize = options.batchSize ?? 20;
    this.sendMarginMs = Math.min(MAX_SEND_MS, this.leaseMs / 2);
  }

  private get stopped(): boolean {
    return this.stopping.signal.aborted;
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    this.stopListening = this.options.events?.on('notification.queued', () => this.poke());
    this.schedule(0);
  }

  /**
   * Stops polling, aborts the sends in flight and gives their rows back (due at once, for the next
   * start or another node), then waits for the lanes to wind down.
   */
  async stop(): Promise<void> {
    this.stopListening?.();
    this.stopping.abort();
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.claiming;
    await this.idle();
    await this.tallies.stop();
  }

  /** Something was queued, or a lane is free again: look now rather than at the next poll. */
  poke(): void {
    if (this.started) this.schedule(0);
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.tick();
    }, ms);
    this.timer.unref();
  }

  /** Claims and starts lanes without waiting for them: a slow receiver never delays the next look. */
  private async tick(): Promise<void> {
    let claimed = 0;
    try {
      claimed = (await this.claimAndStart()).length;
    } catch (error) {
      // The database may be away for a moment; claimed rows come back when their lease runs out.
      this.options.logger.error({ err: error }, 'alert dispatch failed');
    }
    if (this.timer === null) this.schedule(claimed >= this.batchSize ? 0 : this.pollMs);
  }

  /**
   * Sends what is due now and waits for every send in flight, earlier ones included, and for their
   * tallies to be written; resolves with how many rows this call claimed.
   */
  async runOnce(): Promise<number> {
    const claimed = await this.claimAndStart();
    await this.idle();
    // Not written (the database away): written with the next attempts.
    await this.tallies
      .flush()
      .catch((error: unknown) => this.options.logger.warn({ err: error }, 'delivery tallies not written'));
    return claimed.length;
  }

  /** Resolves once no lane is sending. */
  private async idle(): Promise<void> {
    while (this.lanes.size > 0) await Promise.all(this.lanes.values());
  }

  private claimAndStart(): Promise<ClaimedNotification[]> {
    const run = this.claiming.then(async () => {
      if (this.stopped) return [];
      if (!this.recovered) await this.recover();
      const claimed = await this.outbox.claim(this.options.clock(), this.leaseMs, this.batchSize, [
        ...this.lanes.keys(),
      ]);
      if (claimed.length > 0) {
        const [subscriptions, moot] = await Promise.all([this.load(claimed), this.outbox.moot(claimed)]);
        const byLane = new Map<string, ClaimedNotification[]>();
        for (const row of claimed) byLane.set(laneOf(row), [...(byLane.get(laneOf(row)) ?? []), row]);
        for (const [lane, rows] of byLane) {
          const task = this.sendLane(rows, subscriptions, moot)
            .catch((error: unknown) => {
              // The outbox could not be written: the rows come back when their lease runs out.
              this.options.logger.error({ err: error, lane }, 'alert dispatch failed');
            })
            .finally(() => {
              this.lanes.delete(lane);
              this.poke();
            })
            .then(() => this.countPending());
          this.lanes.set(lane, task);
        }
      }
      await this.countPending();
      return claimed;
    });
    this.claiming = run.catch(() => undefined);
    return run;
  }

  /**
   * Before the first claim: releases the rows held by processes of this node that have died (killed,
   * crashed), so they go now rather than when their lease runs out. Another node's claims, and a live
   * process's, are left alone; with `exclusive`, every claim is a dead process's.
   */
  private async recover(): Promise<void> {
    const others = await this.outbox.otherClaimants(this.options.clock());
    const dead = this.options.exclusive
      ? others
      : others.filter((claimant) => isDeadPredecessor(claimant, this.nodeId));
    const released = await this.outbox.releaseClaimsOf(dead);
    // The only dispatcher of its database counts from its start, as the one server it is.
    if (this.options.exclusive) await this.tallies.clear();
    if (released > 0)
      this.options.logger.warn(
        { released, claimants: dead },
        'released the notifications held by a server of this node that is gone; sending them now',
      );
    this.recovered = true;
  }

  /** The outbox's pending rows as a metric, after every claim and every lane. */
  private async countPending(): Promise<void> {
    try {
      this.options.metrics.alertOutboxPending.set(await this.outbox.pending());
    } catch (error) {
      this.options.logger.warn({ err: error }, 'outbox not counted');
    }
  }

  /**
   * One lane's rows, in order. After a failure that may pass, the rest of the lane waits as long as
   * the failed row: a receiver that is down costs one timeout per backoff, not one per notification.
   * While the lane runs, its rows' lease is renewed, so a slow receiver does not lose them; a row
   * another claim took meanwhile is dropped from the lane (and its send in flight, if any, aborted).
   */
  private async sendLane(
    rows: readonly ClaimedNotification[],
    subscriptions: ReadonlyMap<number, LoadedSubscription>,
    moot: ReadonlyMap<number, string>,
  ): Promise<void> {
    /** Rows still this lane's to send (and to renew). */
    const held = new Set(rows.map((row) => row.id));
    let inFlight: { id: number; lost: AbortController } | null = null;
    let renewing: Promise<void> | null = null;
    const renew = async () => {
      const now = this.options.clock();
      const mine = rows.filter((row) => held.has(row.id));
      let kept: Set<number>;
      try {
        kept = await this.outbox.renew(mine, now, this.leaseMs);
      } catch (error) {
        // Not renewed: the send margin below stops sends whose lease is running out.
        this.options.logger.warn({ err: error }, 'notification lease not renewed');
        return;
      }
      const until = new Date(now.getTime() + this.leaseMs);
      for (const row of mine) {
        if (kept.has(row.id)) row.lockedUntil = until;
        else {
          held.delete(row.id);
          if (inFlight?.id === row.id) inFlight.lost.abort();
        }
      }
    };
    const heartbeat = setInterval(() => {
      renewing ??= renew().finally(() => {
        renewing = null;
      });
    }, this.renewEveryMs);
    heartbeat.unref();
    const rest = (i: number) => rows.slice(i).filter((row) => held.has(row.id));
    try {
      for (const [i, row] of rows.entries()) {
        if (this.stopped) return await this.outbox.release(rest(i));
        if (!held.has(row.id)) continue;
        // A row whose lease is nearly over (not renewed: the database away) may be taken by another
        // node at any moment: it is left to be claimed again rather than sent twice.
        if (row.lockedUntil.getTime() - this.options.clock().getTime() < this.sendMarginMs) {
          held.delete(row.id);
          continue;
        }
        const reason = moot.get(row.id);
        if (reason !== undefined) {
          held.delete(row.id);
          await this.outbox.markDone(row, 'skipped', reason);
          this.options.logger.info(
            { alert: row.alertId, channel: row.channel, reason },
            'notification skipped',
          );
          continue;
        }
        const lost = new AbortController();
        inFlight = { id: row.id, lost };
        const retryAt = await this.deliver(row, subscriptions.get(row.subscriptionId ?? -1), lost.signal);
        inFlight = null;
        held.delete(row.id);
        if (retryAt) return await this.outbox.release(rest(i + 1), retryAt);
      }
    } finally {
      clearInterval(heartbeat);
      await renewing;
    }
  }

  private async load(rows: readonly ClaimedNotification[]): Promise<Map<number, LoadedSubscription>> {
    const ids = [
      ...new Set(rows.flatMap((row) => (row.subscriptionId === null ? [] : [row.subscriptionId]))),
    ];
    if (ids.length === 0) return new Map();
    const found = await this.options.db
      .select()
      .from(alertSubscriptions)
      .where(inArray(alertSubscriptions.id, ids));
    return new Map(
      found.map((row) => {
        // The timestamp alone is not enough: two updates within one tick of a test clock share it.
        const fingerprint = `${row.updatedAt.getTime()}:${JSON.stringify(row.spec)}`;
        return [row.id, { id: row.id, enabled: row.enabled, spec: storedSubscription(row), fingerprint }];
      }),
    );
  }

  /** The row's channel as its subscription configures it now, or why it cannot be sent. */
  private channelFor(
    row: ClaimedNotification,
    subscription: LoadedSubscription | undefined,
  ): { channel: Channel } | { failure: DeliveryFailure } {
    const final = (error: string) => ({ failure: failed(error, false) });
    if (row.subscriptionId === null) return final('the notification names no subscription');
    if (!subscription) return final(`subscription ${row.subscriptionId} was removed`);
    if (!subscription.enabled) return final(`subscription ${row.subscriptionId} is disabled`);
    if (!subscription.spec)
      return final(`subscription ${row.subscriptionId} no longer passes validation: replace it`);
    const configured = subscription.spec.channels[row.channelIndex];
    if (!configured)
      return final(`subscription ${row.subscriptionId} has no channel ${row.channelIndex} any more`);
    if (configured.kind !== row.channel)
      return final(
        `channel ${row.channelIndex} of subscription ${row.subscriptionId} is now ${configured.kind}, not ${row.channel}`,
      );

    let built = this.built.get(subscription.id);
    if (built?.fingerprint !== subscription.fingerprint) {
      built = { fingerprint: subscription.fingerprint, channels: new Map() };
      this.built.set(subscription.id, built);
    }
    const cached = built.channels.get(row.channelIndex);
    if (cached) return { channel: cached };
    try {
      const channel = createChannel(configured.kind, configured.config, {
        env: this.options.env,
        secretPrefix: this.options.secretPrefix,
        emit: this.options.emit,
      });
      built.channels.set(row.channelIndex, channel);
      return { channel };
    } catch (error) {
      // A missing environment variable or a hub not yet there: an operator can fix it, so retry.
      return { failure: failed(`channel cannot be built: ${(error as Error).message}`, true) };
    }
  }

  /** One attempt: never throws for the receiver's sake, only when the outbox cannot be written. */
  private async attempt(
    row: ClaimedNotification,
    subscription: LoadedSubscription | undefined,
    signal: AbortSignal,
  ): Promise<DeliveryResult> {
    const parsed = notificationSchema.safeParse(row.notification);
    if (!parsed.success)
      return failed(`invalid notification: ${describeIssues(parsed.error).join('; ')}`, false);
    const resolved = this.channelFor(row, subscription);
    if ('failure' in resolved) return resolved.failure;
    try {
      return await resolved.channel.send(parsed.data, signal);
    } catch (error) {
      // Channels promise never to throw; one that does is treated as a transient failure.
      return failed(`the channel threw: ${(error as Error).message}`, true);
    }
  }

  /**
   * One attempt and its record; resolves with when it is due again if it may yet go. `lost` aborts
   * the send when another claim has taken the row.
   */
  private async deliver(
    row: ClaimedNotification,
    subscription: LoadedSubscription | undefined,
    lost: AbortSignal,
  ): Promise<Date | null> {
    const result = await this.attempt(row, subscription, AbortSignal.any([this.stopping.signal, lost]));
    if (!result.ok && lost.aborted) return null; // the row is another claim's now: nothing to record
    if (!result.ok && this.stopped) {
      // Cut short by the stop, not refused: due again at once, without counting against it.
      await this.outbox.release([row]);
      return null;
    }
    const now = this.options.clock();
    this.tallies.record(row.channel, row.subscriptionId, result, now);
    const { logger, metrics } = this.options;
    const about = {
      channel: row.channel,
      subscription: row.subscriptionId,
      alert: row.alertId,
      attempt: row.attempts,
    };
    if (result.ok) {
      await this.outbox.markSent(row, now);
      metrics.alertNotifications.inc({ channel: row.channel, outcome: 'sent' });
      logger.info(about, 'notification sent');
      return null;
    }
    if (result.retryable && row.attempts < this.maxAttempts) {
      const next = new Date(now.getTime() + backoffMs(row.attempts, this.maxBackoffMs));
      await this.outbox.retryAt(row, next, result.error);
      metrics.alertNotifications.inc({ channel: row.channel, outcome: 'retry' });
      logger.warn(
        { ...about, error: result.error, next: next.toISOString() },
        'notification not delivered; will retry',
      );
      return next;
    }
    const error = result.retryable ? `gave up after ${row.attempts} attempts: ${result.error}` : result.error;
    await this.outbox.markDone(row, 'failed', error);
    metrics.alertNotifications.inc({ channel: row.channel, outcome: 'failed' });
    logger.error({ ...about, error }, 'notification failed for good');
    return null;
  }

  /** Per channel kind and per subscription: outbox counts with every dispatcher's attempts (all nodes). */
  async health(): Promise<AlertDeliveryHealth> {
    const [counts, existing, tallies] = await Promise.all([
      this.outbox.counts(),
      this.options.db.select({ id: alertSubscriptions.id }).from(alertSubscriptions),
      this.tallies.load(),
    ]);
    return tallies.report(counts, new Set(existing.map((row) => row.id)));
  }
}

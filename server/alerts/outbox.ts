/**
 * The notification outbox (发件箱). The evaluator queues notifications in the same transaction that
 * stores the alert transition which caused them, so an alert is never recorded without its
 * notifications, nor notified without being recorded. A row per (effect, subscription, channel) is
 * keyed by a unique idempotency key: evaluating the same effect again queues nothing new, and the
 * key travels with every attempt so that receivers can drop a resend. The dispatcher claims due rows
 * under a lease and records each outcome here.
 */
import { createHash } from 'node:crypto';
import { and, asc, count, eq, inArray, isNull, lt, lte, max, or, sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { AlertText } from '../../shared/alerts/explain.js';
import { matches, quietUntil } from '../../shared/alerts/subscriptions.js';
import type { AlertEffect, EffectKind } from '../../shared/alerts/types.js';
import type { CityConfig } from '../../shared/city.js';
import { describeIssues } from '../../shared/city.js';
import type { Db } from '../db/client.js';
import { alertOutbox, alertSubscriptions } from '../db/schema/index.js';
import { notificationSchema, type Notification } from './channels/channel.js';
import { storedSubscription } from './subscriptions.js';

/** The notification kind a channel shows for each effect of the lifecycle. */
export const NOTIFICATION_KIND: Record<EffectKind, Notification['kind']> = {
  notify: 'fire',
  repeat: 'repeat',
  escalate: 'escalate',
  'resolved-notify': 'resolve',
};

const MAX_KEY_CHARS = 200;

/**
 * `${effect.id}:${subscriptionId}:${channelIndex}`, or `h:` and its SHA-256 when that is longer than
 * a Notification allows (a zero-tolerance alert's key carries the event id, whose length is the feed's).
 */
export function idempotencyKey(effectId: string, subscriptionId: number, channelIndex: number): string {
  const key = `${effectId}:${subscriptionId}:${channelIndex}`;
  return key.length <= MAX_KEY_CHARS ? key : `h:${createHash('sha256').update(key).digest('hex')}`;
}

export interface OutboxItem {
  effect: AlertEffect;
  text: AlertText;
}

export interface OutboxOptions {
  /** The acknowledgement link for a subscription, when the server knows its public URL. */
  ackLink?: (alertId: string, subscriptionId: number, now: Date) => string | undefined;
  /** Told about stored subscriptions that no longer parse (they are skipped). */
  logger?: Logger;
}

/** A row claimed for sending. */
export interface ClaimedNotification {
  id: number;
  idempotencyKey: string;
  alertId: string;
  subscriptionId: number | null;
  channelIndex: number;
  channel: string;
  notification: Record<string, unknown>;
  /** Including the attempt now being made. */
  attempts: number;
  /** This claim holds the row until then. */
  lockedUntil: Date;
  createdAt: Date;
}

/** Rows of one (channel kind, subscription, status), for health. */
export interface OutboxCount {
  channel: string;
  subscriptionId: number | null;
  /** The subscription's name; null when it has been removed. */
  subscriptionName: string | null;
  status: 'pending' | 'sent' | 'failed';
  count: number;
  lastSentAt: Date | null;
}

export class AlertOutbox {
  constructor(
    private readonly db: Db,
    private readonly city: CityConfig,
    private readonly options: OutboxOptions = {},
  ) {}

  /**
   * Queues the notifications of `items` for every enabled subscription they match, one row per
   * channel. Call it inside the transaction that stores the transitions (`tx`), so that both commit
   * or neither does. Returns how many rows were new: a key already queued is left as it is.
   */
  async enqueue(tx: Db, items: readonly OutboxItem[], now: Date): Promise<number> {
    if (items.length === 0) return 0;
    const rows = await tx.select().from(alertSubscriptions).where(eq(alertSubscriptions.enabled, true));
    const subscriptions = rows.flatMap((row) => {
      const spec = storedSubscription(row);
      if (!spec)
        this.options.logger?.warn({ subscription: row.id }, 'stored subscription no longer parses; skipped');
      return spec ? [{ id: row.id, spec }] : [];
    });

    const values: (typeof alertOutbox.$inferInsert)[] = [];
    for (const { effect, text } of items)
      for (const { id, spec } of subscriptions) {
        if (!matches(spec, effect)) continue;
        const deferredTo = quietUntil(spec.quietHours, effect.severity, now, this.city.city.timezone);
        const due = deferredTo ?? now;
        spec.channels.forEach((channel, channelIndex) => {
          const key = idempotencyKey(effect.id, id, channelIndex);
          const kind = NOTIFICATION_KIND[effect.kind];
          // A deferred link would expire while it waits: its lifetime starts when it is sent.
          const ackUrl = kind === 'resolve' ? undefined : this.options.ackLink?.(effect.alertId, id, due);
          const notification = {
            idempotencyKey: key,
            alertId: effect.alertId,
            street: effect.alert.street ?? '',
            severity: effect.severity,
            kind,
            title: { zh: text.zh.title, en: text.en.title },
            body: { zh: text.zh.body, en: text.en.body },
            ...(ackUrl === undefined ? {} : { ackUrl }),
            at: effect.at,
          };
          // A notification no channel can accept is kept as failed, with the reason, rather than
          // thrown: the alert transition still commits and health shows what went wrong.
          const checked = notificationSchema.safeParse(notification);
          values.push({
            idempotencyKey: key,
            alertId: effect.alertId,
            subscriptionId: id,
            channelIndex,
            channel: channel.kind,
            notification,
            status: checked.success ? 'pending' : 'failed',
            lastError: checked.success
              ? null
              : `invalid notification: ${describeIssues(checked.error).join('; ')}`,
            nextAttemptAt: due,
            createdAt: now,
          });
        });
      }
    if (values.length === 0) return 0;
    const inserted = await tx
      .insert(alertOutbox)
      .values(values)
      .onConflictDoNothing({ target: alertOutbox.idempotencyKey })
      .returning({ id: alertOutbox.id });
    return inserted.length;
  }

  /**
   * Takes up to `limit` due rows for `leaseMs` and counts the attempt. One statement, with SKIP
   * LOCKED: two dispatchers (two nodes) never take the same row, and a dispatcher that dies holding
   * rows loses them to another when the lease runs out.
   */
  async claim(now: Date, leaseMs: number, limit: number): Promise<ClaimedNotification[]> {
    const due = this.db
      .select({ id: alertOutbox.id })
      .from(alertOutbox)
      .where(
        and(
          eq(alertOutbox.status, 'pending'),
          lte(alertOutbox.nextAttemptAt, now),
          or(isNull(alertOutbox.lockedUntil), lt(alertOutbox.lockedUntil, now)),
        ),
      )
      .orderBy(asc(alertOutbox.id))
      .limit(limit)
      .for('update', { skipLocked: true });
    const lockedUntil = new Date(now.getTime() + leaseMs);
    const rows = await this.db
      .update(alertOutbox)
      .set({
        lockedUntil,
        attempts: sql`${alertOutbox.attempts} + 1`,
      })
      .where(inArray(alertOutbox.id, due))
      .returning({
        id: alertOutbox.id,
        idempotencyKey: alertOutbox.idempotencyKey,
        alertId: alertOutbox.alertId,
        subscriptionId: alertOutbox.subscriptionId,
        channelIndex: alertOutbox.channelIndex,
        channel: alertOutbox.channel,
        notification: alertOutbox.notification,
        attempts: alertOutbox.attempts,
        lockedUntil: alertOutbox.lockedUntil,
        createdAt: alertOutbox.createdAt,
      });
    return rows
      .map((row) => ({ ...row, lockedUntil: row.lockedUntil ?? lockedUntil }))
      .sort((a, b) => a.id - b.id);
  }

  /** Delivered: never sent again. Only a pending row changes, so a late duplicate outcome is ignored. */
  async markSent(id: number, now: Date): Promise<void> {
    await this.db
      .update(alertOutbox)
      .set({ status: 'sent', sentAt: now, lockedUntil: null, lastError: null })
      .where(and(eq(alertOutbox.id, id), eq(alertOutbox.status, 'pending')));
  }

  /** Not delivered yet: due again at `next`. */
  async retryAt(id: number, next: Date, error: string): Promise<void> {
    await this.db
      .update(alertOutbox)
      .set({ nextAttemptAt: next, lockedUntil: null, lastError: error })
      .where(and(eq(alertOutbox.id, id), eq(alertOutbox.status, 'pending')));
  }

  /** Given up: kept with the reason, for health and for people. */
  async markFailed(id: number, error: string): Promise<void> {
    await this.db
      .update(alertOutbox)
      .set({ status: 'failed', lockedUntil: null, lastError: error })
      .where(and(eq(alertOutbox.id, id), eq(alertOutbox.status, 'pending')));
  }

  /**
   * Deletes delivered and given-up rows queued before `before`: the outbox is a transport, the alerts
   * themselves are the record. Pending rows stay, however old.
   */
  async prune(before: Date): Promise<number> {
    const rows = await this.db
      .delete(alertOutbox)
      .where(and(inArray(alertOutbox.status, ['sent', 'failed']), lt(alertOutbox.createdAt, before)))
      .returning({ id: alertOutbox.id });
    return rows.length;
  }

  /** Rows waiting to be sent (claimed or not). */
  async pending(): Promise<number> {
    const [row] = await this.db
      .select({ n: count() })
      .from(alertOutbox)
      .where(eq(alertOutbox.status, 'pending'));
    return row?.n ?? 0;
  }

  /** Rows by channel kind, subscription and status, with the last delivery of each: for health. */
  async counts(): Promise<OutboxCount[]> {
    const rows = await this.db
      .select({
        channel: alertOutbox.channel,
        subscriptionId: alertOutbox.subscriptionId,
        subscriptionName: alertSubscriptions.name,
        status: alertOutbox.status,
        count: count(),
        lastSentAt: max(alertOutbox.sentAt),
      })
      .from(alertOutbox)
      .leftJoin(alertSubscriptions, eq(alertSubscriptions.id, alertOutbox.subscriptionId))
      .groupBy(alertOutbox.channel, alertOutbox.subscriptionId, alertSubscriptions.name, alertOutbox.status);
    return rows.map((row) => ({
      ...row,
      status: row.status as OutboxCount['status'],
      // max() of a timestamp comes back as a string from some drivers.
      lastSentAt: row.lastSentAt === null ? null : new Date(row.lastSentAt),
    }));
  }
}

/**
 * The notification outbox (发件箱). The evaluator queues notifications in the same transaction that
 * stores the alert transition which caused them, so an alert is never recorded without its
 * notifications, nor notified without being recorded. A row per (effect, subscription, channel) is
 * keyed by a unique idempotency key: evaluating the same effect again queues nothing new, and the
 * key travels with every attempt so that receivers can drop a resend. The dispatcher claims due rows
 * under a lease and records each outcome here.
 */
import { createHash } from 'node:crypto';
import {
  and,
  asc,
  count,
  eq,
  gte,
  inArray,
  isNotNull,
  isNull,
  lt,
  lte,
  max,
  ne,
  notExists,
  notInArray,
  or,
  sql,
} from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { Logger } from 'pino';
import type { AlertText } from '../../shared/alerts/text.js';
import { matches, quietUntil } from '../../shared/alerts/subscriptions.js';
import type { AlertEffect, EffectKind } from '../../shared/alerts/types.js';
import type { CityConfig } from '../../shared/city.js';
import { describeIssues } from '../../shared/city.js';
import type { Db } from '../db/client.js';
import { alertOutbox, alerts, alertSubscriptions } from '../db/schema/index.js';
import { notificationSchema, type Notification } from './channels/channel.js';
import { claimantId, defaultNodeId } from '../node-identity.js';
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
  /** Who claims rows through this outbox (server/node-identity.ts); a new id of this process by default. */
  claimant?: string;
}

/** pending → sent, failed (refused or given up) or skipped (moot by the time it could go). */
export type OutboxStatus = 'pending' | 'sent' | 'failed' | 'skipped';

/**
 * A lane: one channel of one subscription. A lane's notifications go one at a time, so a receiver
 * that hangs holds up only its own.
 */
export const laneOf = (row: { subscriptionId: number | null; channelIndex: number }): string =>
  `${row.subscriptionId ?? '-'}:${row.channelIndex}`;
const laneExpression = sql<string>`coalesce(${alertOutbox.subscriptionId}::text, '-') || ':' || ${alertOutbox.channelIndex}`;

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
  /** This claim holds the row until then (renewed while it is being sent). */
  lockedUntil: Date;
  /** The claimant holding it. */
  claimedBy: string;
  createdAt: Date;
}

/** Rows of one (channel kind, subscription, status), for health. */
export interface OutboxCount {
  channel: string;
  subscriptionId: number | null;
  /** The subscription's name; null when it has been removed. */
  subscriptionName: string | null;
  status: OutboxStatus;
  count: number;
  lastSentAt: Date | null;
}

export class AlertOutbox {
  readonly claimant: string;

  constructor(
    private readonly db: Db,
    private readonly city: CityConfig,
    private readonly options: OutboxOptions = {},
  ) {
    this.claimant = options.claimant ?? claimantId(defaultNodeId());
  }

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
          // The socket channel reaches every wall that may see the street, read-only ones included, and
          // a signed link acknowledges without a token: its pages acknowledge with their own token.
          const ackUrl =
            kind === 'resolve' || channel.kind === 'socket'
              ? undefined
              : this.options.ackLink?.(effect.alertId, id, due);
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
   * Takes up to `limit` due rows for `leaseMs` in this outbox's claimant's name and counts the
   * attempt. One statement, with SKIP LOCKED: two dispatchers (two nodes) never take the same row, and
   * a dispatcher that dies holding rows loses them to another when the lease runs out, or at once to
   * the next server of its node (`releaseClaimsOf`).
   *
   * A row waits while an earlier row of the same alert to the same subscription channel is still
   * pending (a fire being retried is not overtaken by its resolve), and rows of the lanes in `busy`
   * (`laneOf`: this node is still sending to them) are left alone, so that a receiver that hangs
   * holds up its own notifications only. Rows that have waited longest go first.
   */
  async claim(
    now: Date,
    leaseMs: number,
    limit: number,
    busy: readonly string[] = [],
  ): Promise<ClaimedNotification[]> {
    const free = and(
      eq(alertOutbox.status, 'pending'),
      lte(alertOutbox.nextAttemptAt, now),
      or(isNull(alertOutbox.lockedUntil), lt(alertOutbox.lockedUntil, now)),
    );
    const earlier = alias(alertOutbox, 'earlier');
    const overtakes = this.db
      .select({ id: earlier.id })
      .from(earlier)
      .where(
        and(
          eq(earlier.status, 'pending'),
          eq(earlier.alertId, alertOutbox.alertId),
          sql`${earlier.subscriptionId} is not distinct from ${alertOutbox.subscriptionId}`,
          eq(earlier.channelIndex, alertOutbox.channelIndex),
          lt(earlier.id, alertOutbox.id),
        ),
      );
    const due = this.db
      .select({ id: alertOutbox.id })
      .from(alertOutbox)
      .where(
        and(
          free,
          notExists(overtakes),
          busy.length === 0 ? undefined : notInArray(laneExpression, [...busy]),
        ),
      )
      .orderBy(asc(alertOutbox.nextAttemptAt), asc(alertOutbox.id))
      .limit(limit)
      .for('update', { skipLocked: true });
    const lockedUntil = new Date(now.getTime() + leaseMs);
    const rows = await this.db
      .update(alertOutbox)
      .set({
        lockedUntil,
        claimedBy: this.claimant,
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
      .map((row) => ({ ...row, lockedUntil: row.lockedUntil ?? lockedUntil, claimedBy: this.claimant }))
      .sort((a, b) => a.id - b.id);
  }

  /**
   * Gives claimed rows back without an attempt (a dispatcher stopping, or a lane that stopped after
   * its receiver failed): due again at `next`, or at once.
   */
  async release(rows: readonly ClaimedNotification[], next?: Date): Promise<void> {
    if (rows.length === 0) return;
    for (const row of rows)
      await this.db
        .update(alertOutbox)
        .set({
          lockedUntil: null,
          claimedBy: null,
          attempts: sql`${alertOutbox.attempts} - 1`,
          ...(next ? { nextAttemptAt: next } : {}),
        })
        .where(this.heldBy(row));
  }

  /**
   * For each claimed row, whether it still has a reason to go: a repeat or an escalation asks for an
   * acknowledgement, so it is moot once the alert is acknowledged or resolved; a fire is moot once
   * the alert has resolved; a resolve is moot when its lane was never told of the alert. Alerts not
   * stored (yet) are not judged. Returns the reason by row id.
   */
  async moot(rows: readonly ClaimedNotification[]): Promise<Map<number, string>> {
    const reasons = new Map<number, string>();
    if (rows.length === 0) return reasons;
    const alertIds = [...new Set(rows.map((row) => row.alertId))];
    const statuses = new Map(
      (
        await this.db
          .select({ id: alerts.id, status: alerts.status })
          .from(alerts)
          .where(inArray(alerts.id, alertIds))
      ).map((row) => [row.id, row.status]),
    );
    const told = new Set(
      (
        await this.db
          .selectDistinct({
            alertId: alertOutbox.alertId,
            subscriptionId: alertOutbox.subscriptionId,
            channelIndex: alertOutbox.channelIndex,
          })
          .from(alertOutbox)
          .where(and(inArray(alertOutbox.alertId, alertIds), eq(alertOutbox.status, 'sent')))
      ).map((row) => `${row.alertId}|${laneOf(row)}`),
    );
    for (const row of rows) {
      const kind = row.notification.kind as Notification['kind'];
      const status = statuses.get(row.alertId);
      if ((kind === 'repeat' || kind === 'escalate') && (status === 'acknowledged' || status === 'resolved'))
        reasons.set(row.id, `the alert was ${status} before this ${kind} went out`);
      else if (kind === 'fire' && status === 'resolved')
        reasons.set(row.id, 'the alert resolved before its notification went out');
      else if (kind === 'resolve' && !told.has(`${row.alertId}|${laneOf(row)}`))
        reasons.set(row.id, 'this channel was never told of the alert');
    }
    return reasons;
  }

  /**
   * Extends the lease of the rows this claim still holds to `leaseMs` from `now` (a send in flight, or
   * rows waiting their turn in a lane); returns the ids it still holds. A row missing from the answer
   * was taken by another claim after its lease ran out: it must not be sent from here.
   */
  async renew(rows: readonly ClaimedNotification[], now: Date, leaseMs: number): Promise<Set<number>> {
    if (rows.length === 0) return new Set();
    const renewed = await this.db
      .update(alertOutbox)
      .set({ lockedUntil: new Date(now.getTime() + leaseMs) })
      .where(or(...rows.map((row) => this.heldBy(row))))
      .returning({ id: alertOutbox.id });
    return new Set(renewed.map((row) => row.id));
  }

  /** Who holds pending rows whose lease has not run out, besides this outbox's claimant. */
  async otherClaimants(now: Date): Promise<string[]> {
    const rows = await this.db
      .selectDistinct({ claimedBy: alertOutbox.claimedBy })
      .from(alertOutbox)
      .where(
        and(
          eq(alertOutbox.status, 'pending'),
          gte(alertOutbox.lockedUntil, now),
          isNotNull(alertOutbox.claimedBy),
          ne(alertOutbox.claimedBy, this.claimant),
        ),
      );
    return rows.flatMap((row) => (row.claimedBy === null ? [] : [row.claimedBy]));
  }

  /**
   * Releases at once the pending rows held by claimants known to be dead, due as they were; the
   * attempt their claim counted stays counted (it may have reached the receiver before the crash).
   */
  async releaseClaimsOf(claimants: readonly string[]): Promise<number> {
    if (claimants.length === 0) return 0;
    const released = await this.db
      .update(alertOutbox)
      .set({ lockedUntil: null, claimedBy: null })
      .where(and(eq(alertOutbox.status, 'pending'), inArray(alertOutbox.claimedBy, [...claimants])))
      .returning({ id: alertOutbox.id });
    return released.length;
  }

  /**
   * The row as this claim holds it: a later claim of the same row (the lease ran out) counts another
   * attempt, and a claim by another process names another claimant.
   */
  private heldBy(row: ClaimedNotification) {
    return and(
      eq(alertOutbox.id, row.id),
      eq(alertOutbox.status, 'pending'),
      eq(alertOutbox.attempts, row.attempts),
      eq(alertOutbox.claimedBy, row.claimedBy),
    );
  }

  /**
   * Delivered: never sent again. Like every outcome below, it changes the row only as this claim
   * holds it, so an outcome arriving after the lease ran out and another node took the row is ignored.
   */
  async markSent(row: ClaimedNotification, now: Date): Promise<void> {
    await this.db
      .update(alertOutbox)
      .set({ status: 'sent', sentAt: now, lockedUntil: null, claimedBy: null, lastError: null })
      .where(this.heldBy(row));
  }

  /** Not delivered yet: due again at `next`. */
  async retryAt(row: ClaimedNotification, next: Date, error: string): Promise<void> {
    await this.db
      .update(alertOutbox)
      .set({ nextAttemptAt: next, lockedUntil: null, claimedBy: null, lastError: error })
      .where(this.heldBy(row));
  }

  /** Given up (`failed`) or no longer worth sending (`skipped`): kept with the reason, for health and people. */
  async markDone(row: ClaimedNotification, status: 'failed' | 'skipped', reason: string): Promise<void> {
    await this.db
      .update(alertOutbox)
      .set({ status, lockedUntil: null, claimedBy: null, lastError: reason })
      .where(this.heldBy(row));
  }

  /**
   * Deletes delivered, given-up and skipped rows queued before `before`: the outbox is a transport,
   * the alerts themselves are the record. Pending rows stay, however old.
   */
  async prune(before: Date): Promise<number> {
    const rows = await this.db
      .delete(alertOutbox)
      .where(and(ne(alertOutbox.status, 'pending'), lt(alertOutbox.createdAt, before)))
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

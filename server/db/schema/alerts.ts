import { sql } from 'drizzle-orm';
import {
  bigserial,
  boolean,
  index,
  integer,
  jsonb,
  pgTable,
  serial,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import type { AlertText } from '../../../shared/alerts/text.js';
import type { AlertState } from '../../../shared/alerts/types.js';

const instant = (name: string) => timestamp(name, { withTimezone: true });

/**
 * Alerts, one row per alert (not per key): the whole state as the pure lifecycle left it, plus its
 * explanation as last rendered. At most one open alert per key, enforced by a partial unique index,
 * so two evaluations can never open the same alert twice.
 */
export const alerts = pgTable(
  'alerts',
  {
    id: text('id').primaryKey(),
    key: text('key').notNull(),
    rule: text('rule').notNull(),
    street: text('street'),
    feed: text('feed'),
    status: text('status').notNull(),
    severity: text('severity').notNull(),
    openedAt: instant('opened_at').notNull(),
    firedAt: instant('fired_at'),
    resolvedAt: instant('resolved_at'),
    updatedAt: instant('updated_at').notNull(),
    state: jsonb('state').$type<AlertState>().notNull(),
    text: jsonb('text').$type<AlertText>().notNull(),
  },
  (t) => [
    uniqueIndex('alerts_open_key')
      .on(t.key)
      .where(sql`status <> 'resolved'`),
    index('alerts_status_opened').on(t.status, t.openedAt),
    index('alerts_street_opened').on(t.street, t.openedAt),
  ],
);

/** Silences created at run time (POST /api/silences); the configuration's standing ones are not stored. */
export const alertSilences = pgTable(
  'alert_silences',
  {
    id: serial('id').primaryKey(),
    rule: text('rule'),
    street: text('street'),
    feed: text('feed'),
    startsAt: instant('starts_at'),
    endsAt: instant('ends_at').notNull(),
    reason: text('reason'),
    createdBy: text('created_by').notNull(),
    createdAt: instant('created_at').notNull().defaultNow(),
  },
  (t) => [index('alert_silences_ends').on(t.endsAt)],
);

/**
 * Who gets what: a person or a group, the audiences it belongs to (street heads, leaders,
 * operators), its streets, rules and severities (empty: all), its channels, quiet hours and language.
 * Channel configurations may hold `env:NAME` references instead of secrets.
 */
export const alertSubscriptions = pgTable('alert_subscriptions', {
  id: serial('id').primaryKey(),
  name: text('name').notNull(),
  kind: text('kind').notNull(),
  enabled: boolean('enabled').notNull().default(true),
  /** The validated subscription as the API accepted it (shared/alerts/subscriptions.ts). */
  spec: jsonb('spec').$type<Record<string, unknown>>().notNull(),
  createdAt: instant('created_at').notNull().defaultNow(),
  updatedAt: instant('updated_at').notNull().defaultNow(),
});

/**
 * The outbox: one row per notification per subscription channel, written in the same transaction as
 * the alert transition that caused it, then sent by the dispatcher. The idempotency key is unique:
 * a notification is queued once, and a row marked sent is never sent again.
 */
export const alertOutbox = pgTable(
  'alert_outbox',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    idempotencyKey: text('idempotency_key').notNull().unique(),
    alertId: text('alert_id').notNull(),
    subscriptionId: integer('subscription_id'),
    /** Index of the channel in the subscription's list. */
    channelIndex: integer('channel_index').notNull().default(0),
    channel: text('channel').notNull(),
    /** The notification as the channel receives it (server/alerts/channels/channel.ts). */
    notification: jsonb('notification').$type<Record<string, unknown>>().notNull(),
    /** pending → sent | failed | skipped (server/alerts/outbox.ts OutboxStatus). */
    status: text('status').notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: instant('next_attempt_at').notNull(),
    /** A dispatcher holds the row until then (renewing it while it sends); afterwards another may take it. */
    lockedUntil: instant('locked_until'),
    /**
     * Who holds the row: `<node id>:<pid>:<random>` of one server process (server/node-identity.ts),
     * so that a restarted server releases at once what its dead predecessor held.
     */
    claimedBy: text('claimed_by'),
    lastError: text('last_error'),
    createdAt: instant('created_at').notNull(),
    sentAt: instant('sent_at'),
  },
  (t) => [
    index('alert_outbox_due')
      .on(t.nextAttemptAt)
      .where(sql`status = 'pending'`),
    index('alert_outbox_alert').on(t.alertId),
  ],
);

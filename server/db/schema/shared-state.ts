/**
 * What every node of a deployment must read alike, though each knows only its part of it: the walls
 * its sockets see, the feeds its pollers read, the deliveries its dispatcher attempted
 * (DESIGN.md "Scaling past one machine"). Each node writes its part here, a second at most after it
 * changed, and reads the others' (server/shared-state/).
 */
import {
  bigint,
  boolean,
  doublePrecision,
  integer,
  pgTable,
  primaryKey,
  text,
  timestamp,
} from 'drizzle-orm/pg-core';

const instant = (name: string) => timestamp(name, { withTimezone: true });

/**
 * One row per screen and node that has seen it: a screen whose sockets sit on two nodes is connected
 * while either has one, and a node that dies takes only its own rows' `sockets` with it (a row not
 * renewed for a while is read as disconnected). At most 500 screens, the longest unseen pruned.
 */
export const wallHeartbeats = pgTable(
  'wall_heartbeats',
  {
    screen: text('screen').notNull(),
    nodeId: text('node_id').notNull(),
    /** The role of the token it last beat with. */
    role: text('role').notNull(),
    lastSeenAt: instant('last_seen_at').notNull(),
    /** Its last heartbeat (a socket closing sets `last_seen_at` only). */
    beatAt: instant('beat_at'),
    /** The live channel's `seq` it had applied, as of its last heartbeat. */
    seq: bigint('seq', { mode: 'number' }),
    /** When it last painted, as of its last heartbeat; null when its page does not say. */
    paintedAt: instant('painted_at'),
    /** Since when it had lagged the live channel (the oldest delta it had not applied), as of its last heartbeat. */
    lagSince: instant('lag_since'),
    /** Its sockets connected to this node now. */
    sockets: integer('sockets').notNull(),
    /** When the node last wrote or renewed the row: older than the TTL, the node is taken as gone. */
    updatedAt: instant('updated_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.screen, t.nodeId] })],
);

/**
 * One row per feed: its health as the node that polls it computed it after its last run. Readers
 * age it to their own now (`stale_at`, `circuit_open_until`, `newest_item_at`); the rate is the
 * poller's as of `updated_at`.
 */
export const feedHealth = pgTable('feed_health', {
  feed: text('feed').primaryKey(),
  /** Scheme and host only: the path and query may hold keys. */
  url: text('url'),
  /** As at `updated_at`. */
  status: text('status').notNull(),
  stale: boolean('stale').notNull(),
  /** When the feed goes stale unless a run succeeds first. */
  staleAt: instant('stale_at').notNull(),
  lastSuccessAt: instant('last_success_at'),
  lastErrorAt: instant('last_error_at'),
  lastError: text('last_error'),
  consecutiveFailures: integer('consecutive_failures').notNull(),
  circuit: text('circuit').notNull(),
  circuitOpenUntil: instant('circuit_open_until'),
  newestItemAt: instant('newest_item_at'),
  itemsPerMinute: doublePrecision('items_per_minute').notNull(),
  quarantined: integer('quarantined').notNull(),
  backfillDone: boolean('backfill_done').notNull(),
  backfillPages: integer('backfill_pages').notNull(),
  /** The node that polled it. */
  nodeId: text('node_id').notNull(),
  updatedAt: instant('updated_at').notNull(),
});

/**
 * The dispatchers' attempts, as DeliveryTallies counts them (server/alerts/delivery-health.ts): one
 * row per channel kind (`scope` channel, `key` the kind), per subscription (`key` its id, or `none`)
 * and per lane (`key` kind and id), every node adding to the same rows.
 */
export const deliveryTallies = pgTable(
  'delivery_tallies',
  {
    scope: text('scope').notNull(),
    key: text('key').notNull(),
    channel: text('channel'),
    subscriptionId: integer('subscription_id'),
    failures: integer('failures').notNull(),
    /** Whether the latest attempt (by `last_attempt_at`) failed. */
    lastFailed: boolean('last_failed').notNull(),
    lastError: text('last_error'),
    lastErrorAt: instant('last_error_at'),
    lastSuccessAt: instant('last_success_at'),
    lastAttemptAt: instant('last_attempt_at').notNull(),
    /** The first attempt counted. */
    since: instant('since').notNull(),
    /** The node that wrote last. */
    nodeId: text('node_id').notNull(),
  },
  (t) => [primaryKey({ columns: [t.scope, t.key] })],
);

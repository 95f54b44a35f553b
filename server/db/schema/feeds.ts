import {
  boolean,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  serial,
  smallint,
  text,
  timestamp,
} from 'drizzle-orm/pg-core';

const instant = (name: string) => timestamp(name, { withTimezone: true });

/**
 * Items of the five feeds, one table each, keyed by the feed's own id: an item seen again updates
 * its row (a status change, a clearance) and is never counted twice. Only the contract's fields
 * exist here, so nothing personal can be stored.
 */
export const incidents = pgTable(
  'incidents',
  {
    id: text('id').primaryKey(),
    updatedAt: instant('updated_at').notNull(),
    reportedAt: instant('reported_at').notNull(),
    street: text('street').notNull(),
    community: text('community'),
    category: text('category').notNull(),
    kind: text('kind').notNull(),
    status: text('status').notNull(),
    arrivedAt: instant('arrived_at'),
    closedAt: instant('closed_at'),
    cleared: boolean('cleared'),
    gang: boolean('gang'),
    homicide: boolean('homicide'),
  },
  (t) => [index('incidents_street_time').on(t.street, t.reportedAt)],
);

export const fraudEvents = pgTable(
  'fraud_events',
  {
    id: text('id').primaryKey(),
    updatedAt: instant('updated_at').notNull(),
    occurredAt: instant('occurred_at').notNull(),
    street: text('street').notNull(),
    community: text('community'),
    type: text('type').notNull(),
    lossYuan: doublePrecision('loss_yuan'),
    interceptedYuan: doublePrecision('intercepted_yuan'),
    dissuaded: boolean('dissuaded'),
  },
  (t) => [index('fraud_events_street_time').on(t.street, t.occurredAt)],
);

export const windowTickets = pgTable(
  'window_tickets',
  {
    id: text('id').primaryKey(),
    updatedAt: instant('updated_at').notNull(),
    takenAt: instant('taken_at').notNull(),
    street: text('street').notNull(),
    hall: text('hall').notNull(),
    service: text('service').notNull(),
    calledAt: instant('called_at'),
    finishedAt: instant('finished_at'),
    status: text('status').notNull(),
    limitMinutes: doublePrecision('limit_minutes'),
  },
  (t) => [index('window_tickets_street_time').on(t.street, t.takenAt)],
);

export const mediationCases = pgTable(
  'mediation_cases',
  {
    id: text('id').primaryKey(),
    updatedAt: instant('updated_at').notNull(),
    acceptedAt: instant('accepted_at').notNull(),
    street: text('street').notNull(),
    community: text('community'),
    type: text('type').notNull(),
    status: text('status').notNull(),
    closedAt: instant('closed_at'),
  },
  (t) => [index('mediation_cases_street_time').on(t.street, t.acceptedAt)],
);

export const surveyResponses = pgTable(
  'survey_responses',
  {
    id: text('id').primaryKey(),
    updatedAt: instant('updated_at').notNull(),
    surveyedAt: instant('surveyed_at').notNull(),
    street: text('street').notNull(),
    /** Null when the response's community is not one of its street's (shared/vocabulary.ts). */
    community: text('community'),
    method: text('method').notNull(),
    safety: smallint('safety').notNull(),
    satisfaction: smallint('satisfaction').notNull(),
    police: smallint('police'),
    urban: smallint('urban'),
    environment: smallint('environment'),
    market: smallint('market'),
  },
  (t) => [index('survey_responses_street_time').on(t.street, t.surveyedAt)],
);

/** Where each feed's polling has reached. Written in the same transaction as the items it covers. */
export const feedCursors = pgTable('feed_cursors', {
  feed: text('feed').primaryKey(),
  cursor: text('cursor'),
  /** Pages read since the first start; backfill is done once a page comes back without hasMore. */
  backfilled: boolean('backfilled').notNull().default(false),
  pages: integer('pages').notNull().default(0),
  updatedAt: instant('updated_at').notNull().defaultNow(),
});

/**
 * Records that failed validation, with the reason. Only the contract's fields of the record are
 * kept, so a malformed record carrying a name or a phone number does not store it.
 */
export const quarantine = pgTable(
  'quarantine',
  {
    id: serial('id').primaryKey(),
    feed: text('feed').notNull(),
    via: text('via').notNull(),
    record: jsonb('record').$type<Record<string, unknown>>().notNull(),
    /** The configured street the record names, when it names one: a street token sees its own streets' only. */
    street: text('street'),
    reason: text('reason').notNull(),
    receivedAt: instant('received_at').notNull().defaultNow(),
  },
  (t) => [index('quarantine_feed_time').on(t.feed, t.receivedAt)],
);

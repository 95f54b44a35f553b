import { date, integer, jsonb, pgTable, serial, text, timestamp } from 'drizzle-orm/pg-core';
import type { Weights } from '../../../shared/index/types.js';

/**
 * Versioned weight sets. A draft has no effective date; a published set is in force from its date
 * until a later one. Published sets are never edited: a change is a new version.
 */
export const weightSets = pgTable('weight_sets', {
  id: serial('id').primaryKey(),
  name: text('name').notNull(),
  effectiveFrom: date('effective_from', { mode: 'string' }),
  weights: jsonb('weights').$type<Weights>().notNull(),
  note: text('note'),
  createdBy: text('created_by').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

/** Audit trail of weight sets: who created or published which version, when. */
export const weightSetEvents = pgTable('weight_set_events', {
  id: serial('id').primaryKey(),
  weightSetId: integer('weight_set_id')
    .notNull()
    .references(() => weightSets.id),
  action: text('action').notNull(),
  actor: text('actor').notNull(),
  detail: jsonb('detail').$type<Record<string, unknown>>(),
  at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
});

import { date, doublePrecision, index, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * Raw values of indicators per street and period (a month `2026-11` or a day `2026-11-25`), for
 * indicators without a feed and for demo data. Re-importing a period replaces its value.
 */
export const indicatorValues = pgTable(
  'indicator_values',
  {
    indicatorId: text('indicator_id').notNull(),
    streetCode: text('street_code').notNull(),
    period: text('period').notNull(),
    /** First and last local date of the period. */
    periodStart: date('period_start', { mode: 'string' }).notNull(),
    periodEnd: date('period_end', { mode: 'string' }).notNull(),
    value: doublePrecision('value').notNull(),
    /** Where the value came from: `import` or `demo`. */
    origin: text('origin').notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.indicatorId, t.streetCode, t.period] }),
    index('indicator_values_latest').on(t.indicatorId, t.streetCode, t.periodStart),
  ],
);

import { integer, jsonb, pgTable, serial, text, timestamp, unique } from 'drizzle-orm/pg-core';
import type { MonthlyFigures } from '../../../shared/reports/monthly.js';

/**
 * Published months. Version 1 is the publication; a correction is a later version with its reason,
 * kept beside the earlier ones. Rows are never updated: what was published stays readable as it was.
 */
export const monthlyReports = pgTable(
  'monthly_reports',
  {
    id: serial('id').primaryKey(),
    /** YYYY-MM. */
    month: text('month').notNull(),
    version: integer('version').notNull(),
    /** Why a correction was published; null for the first version. */
    reason: text('reason'),
    publishedBy: text('published_by').notNull(),
    publishedAt: timestamp('published_at', { withTimezone: true }).notNull(),
    /** SHA-256 of the figures' canonical JSON. */
    hash: text('hash').notNull(),
    figures: jsonb('figures').$type<MonthlyFigures>().notNull(),
  },
  (t) => [unique('monthly_reports_month_version').on(t.month, t.version)],
);

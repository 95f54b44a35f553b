import { sql } from 'drizzle-orm';
import { jsonb, pgTable, serial, text, timestamp } from 'drizzle-orm/pg-core';

/** API and socket tokens. Only the SHA-256 of a token is stored; the token itself is shown once. */
export const tokens = pgTable('tokens', {
  id: serial('id').primaryKey(),
  name: text('name').notNull(),
  role: text('role').notNull(),
  /** For the `street` role: the street codes it may read and acknowledge. */
  streets: jsonb('streets')
    .$type<string[]>()
    .notNull()
    .default(sql`'[]'::jsonb`),
  hash: text('hash').notNull().unique(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
  revokedAt: timestamp('revoked_at', { withTimezone: true }),
});

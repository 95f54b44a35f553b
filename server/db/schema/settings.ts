import { pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/** Values the server creates once and keeps across restarts, such as the key that signs ack links. */
export const settings = pgTable('settings', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

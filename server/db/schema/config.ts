import { index, jsonb, pgTable, serial, text, timestamp } from 'drizzle-orm/pg-core';
import type { CityConfig } from '../../../shared/city.js';

/**
 * Every version of the city configuration the server has run with: the file's, as it seeded the
 * store or was reloaded, and each administrator's change, with who made it and why. The newest is
 * in force. A version is never edited: a change is a new row.
 */
export const cityConfigVersions = pgTable(
  'city_config_versions',
  {
    id: serial('id').primaryKey(),
    /** The whole configuration, parsed (defaults filled in). */
    config: jsonb('config').$type<CityConfig>().notNull(),
    /** `file` (seeded at start from a changed file), `reload` (SIGHUP, POST /api/admin/reload), `admin`. */
    source: text('source').notNull(),
    /** The sections that differ from the version before (all of them for the first). */
    sections: text('sections').array().notNull(),
    actor: text('actor').notNull(),
    reason: text('reason').notNull(),
    /** SHA-256 of the file's text, for versions read from it: an unchanged file does not seed again. */
    fileHash: text('file_hash'),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [index('city_config_versions_file_hash').on(table.fileHash)],
);

import {
  boolean,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  serial,
  text,
  timestamp,
} from 'drizzle-orm/pg-core';
import type { Block } from '../../../shared/index/types.js';

/** One indicator's part in a recorded street index: enough to explain a later change. */
export interface SnapshotIndicator {
  id: string;
  raw: number | null;
  score: number | null;
  contribution: number;
}

/**
 * The live index recorded at an instant, one row per street plus one for the city
 * (street_code `_city`), for history, trends and alert baselines.
 */
export const indexSnapshots = pgTable(
  'index_snapshots',
  {
    id: serial('id').primaryKey(),
    at: timestamp('at', { withTimezone: true }).notNull(),
    streetCode: text('street_code').notNull(),
    index: doublePrecision('index'),
    rank: integer('rank'),
    provisional: boolean('provisional').notNull(),
    weightSetId: integer('weight_set_id').notNull(),
    blocks: jsonb('blocks').$type<Record<Block, number | null>>(),
    indicators: jsonb('indicators').$type<SnapshotIndicator[]>(),
  },
  (t) => [index('index_snapshots_street_at').on(t.streetCode, t.at)],
);

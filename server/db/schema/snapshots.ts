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

export type SnapshotKind = 'live' | 'recorded';

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
    /**
     * `live`: the index the server showed at that instant. `recorded`: a past day computed afresh
     * from what the database holds for it (one instant per day, replaced when later inputs arrive);
     * a day's history takes its value from its recorded snapshot when it has one.
     */
    kind: text('kind').$type<SnapshotKind>().notNull().default('live'),
  },
  (t) => [index('index_snapshots_street_at').on(t.streetCode, t.at)],
);

/**
 * Past local days whose recorded snapshot is to be computed (again): inputs for them arrived after
 * they were recorded. Kept in the database so that a crash between the mark and the recording
 * loses nothing; `marks` counts marks, so that a recording clears only the marks it has seen.
 */
export const historyDue = pgTable('history_due', {
  day: text('day').primaryKey(),
  marks: integer('marks').notNull().default(1),
});

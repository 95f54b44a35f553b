/**
 * One interface for every feed. An adapter is its feed's definition (shared/feeds: item schema,
 * times, the fields rules may name) with its table, the column of each field rules may name, and
 * how an item becomes a row. Fetching, validation, storage and quarantine are the same for every
 * feed (poller.ts; routes/feeds.ts for pushes and imports).
 */
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import type { z } from 'zod';
import type { FeedItems, FeedName, FeedDefinitionOf } from '../../shared/feeds/index.js';

type FeedTable = PgTable & { id: PgColumn; updatedAt: PgColumn; street: PgColumn };

export interface FeedAdapter<F extends FeedName = FeedName> {
  readonly feed: F;
  readonly definition: FeedDefinitionOf<F>;
  readonly schema: z.ZodType<FeedItems[F]>;
  readonly table: FeedTable;
  /** The column of each contract field that rules may name (see shared/feed-rules.ts). */
  readonly columns: Readonly<Record<string, PgColumn>>;
  /** When the item happened, the column of the definition's event time: decides the window it counts in. */
  readonly eventTime: PgColumn;
  /** The row for an item whose street has been resolved to a code. */
  toRow(item: FeedItems[F], street: string): Record<string, unknown>;
}

/** The fields of a feed that rules may name: each needs its column. */
type RuleField<F extends FeedName> =
  | FeedDefinitionOf<F>['times'][number]
  | FeedDefinitionOf<F>['rules']['filters'][number]
  | FeedDefinitionOf<F>['rules']['numbers'][number];

/**
 * A feed's adapter from its definition and the parts of its own: its table, the column of every
 * field rules may name (a missing or an unknown one is a compile error), keyed by the row's
 * property names, and how an item becomes a row.
 */
export function feedAdapter<F extends FeedName>(
  definition: FeedDefinitionOf<F> & { readonly name: F },
  parts: {
    table: FeedTable;
    columns: { readonly [K in RuleField<F>]: PgColumn };
    toRow(item: FeedItems[F], street: string): Record<string, unknown>;
  },
): FeedAdapter<F> {
  const columns: Readonly<Record<string, PgColumn>> = parts.columns;
  return {
    feed: definition.name,
    definition,
    // The definition's schema is its feed's (generic code cannot see it through the union of feeds).
    schema: definition.schema as unknown as z.ZodType<FeedItems[F]>,
    table: parts.table,
    columns,
    eventTime: columns[definition.eventTime]!,
    toRow: parts.toRow,
  };
}

export const instantOrNull = (value: string | undefined): Date | null => (value ? new Date(value) : null);

/**
 * One interface for the five feeds. An adapter knows its feed's item schema, its table, which
 * column holds each contract field, and how an item becomes a row. Fetching, validation, storage
 * and quarantine are the same for every feed (poller.ts; routes/feeds.ts for pushes and imports).
 */
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import type { z } from 'zod';
import type { FeedName } from '../../shared/city.js';
import type { FeedItems } from '../../shared/feeds.js';

export interface FeedAdapter<F extends FeedName = FeedName> {
  readonly feed: F;
  readonly schema: z.ZodType<FeedItems[F]>;
  readonly table: PgTable & { id: PgColumn; updatedAt: PgColumn; street: PgColumn };
  /** The column of each contract field that rules may name (see shared/feed-rules.ts). */
  readonly columns: Readonly<Record<string, PgColumn>>;
  /** When the item happened: decides the window it counts in. */
  readonly eventTime: PgColumn;
  /** The row for an item whose street has been resolved to a code. */
  toRow(item: FeedItems[F], street: string): Record<string, unknown>;
}

export const instantOrNull = (value: string | undefined): Date | null => (value ? new Date(value) : null);

/**
 * Storing a feed batch: idempotent upsert by the feed's id (a newer version replaces an older one,
 * an older one arriving late changes nothing), quarantine of the invalid records, and — for polling
 * — the cursor, all in one transaction: a cursor is never ahead of what is committed.
 */
import { sql } from 'drizzle-orm';
import type { FeedName } from '../../shared/city.js';
import type { Db } from '../db/client.js';
import { feedCursors, quarantine } from '../db/schema/index.js';
import type { FeedAdapter } from './adapter.js';
import type { InvalidRecord, ValidRecord } from './records.js';

export type Via = 'poll' | 'ingest' | 'import';

export interface CursorUpdate {
  cursor: string | null;
  backfilled: boolean;
}

export interface StoredBatch {
  stored: number;
  quarantined: number;
  /** Streets whose items changed: their indicators of this feed need recomputing. */
  streets: Set<string>;
  /** Rows of items seen for the first time (the live ticker's news). */
  created: Record<string, unknown>[];
}

const CHUNK = 500;

export async function storeBatch(
  db: Db,
  adapter: FeedAdapter,
  batch: { valid: ValidRecord[]; invalid: InvalidRecord[] },
  via: Via,
  cursor?: CursorUpdate,
): Promise<StoredBatch> {
  // One version per id within a batch: the newest. PostgreSQL refuses to upsert one row twice in a statement.
  const newest = new Map<string, ValidRecord>();
  for (const record of batch.valid) {
    const id = record.row.id as string;
    const known = newest.get(id);
    if (!known || known.updatedAt <= record.updatedAt) newest.set(id, record);
  }
  const rows = [...newest.values()].map((r) => r.row);
  const table = adapter.table;
  const columnNames = Object.keys(rows[0] ?? {}).filter((key) => key !== 'id');
  const set = Object.fromEntries(
    columnNames.map((key) => {
      const column = (table as unknown as Record<string, { name: string }>)[key]!;
      return [key, sql.raw(`excluded."${column.name}"`)];
    }),
  );

  const createdIds = new Set<string>();
  await db.transaction(async (tx) => {
    for (let i = 0; i < rows.length; i += CHUNK) {
      const written = await tx
        .insert(table)
        .values(rows.slice(i, i + CHUNK))
        .onConflictDoUpdate({
          target: table.id,
          set,
          setWhere: sql`excluded."updated_at" >= ${table.updatedAt}`,
        })
        // xmax is 0 for a row this statement inserted, and set for one it updated.
        .returning({ id: table.id, inserted: sql<boolean>`(xmax = 0)` });
      for (const row of written) if (row.inserted) createdIds.add(row.id as string);
    }
    if (batch.invalid.length > 0)
      await tx.insert(quarantine).values(
        batch.invalid.map((bad) => ({
          feed: adapter.feed,
          via,
          record: bad.record,
          street: bad.street,
          reason: bad.reason,
        })),
      );
    if (cursor) await saveCursor(tx as unknown as Db, adapter.feed, cursor);
  });
  return {
    stored: rows.length,
    quarantined: batch.invalid.length,
    streets: new Set(batch.valid.map((r) => r.street)),
    created: createdIds.size > 0 ? rows.filter((row) => createdIds.has(row.id as string)) : [],
  };
}

async function saveCursor(db: Db, feed: FeedName, update: CursorUpdate): Promise<void> {
  await db
    .insert(feedCursors)
    .values({ feed, cursor: update.cursor, backfilled: update.backfilled, pages: 1 })
    .onConflictDoUpdate({
      target: feedCursors.feed,
      set: {
        cursor: update.cursor,
        backfilled: sql`${feedCursors.backfilled} or ${update.backfilled}`,
        pages: sql`${feedCursors.pages} + 1`,
        updatedAt: sql`now()`,
      },
    });
}

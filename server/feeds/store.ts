/**
 * Storing a feed batch: idempotent upsert by the feed's id (a newer version replaces an older one,
 * an older one arriving late changes nothing), quarantine of the invalid records, and — for polling
 * — the cursor, all in one transaction: a cursor is never ahead of what is committed.
 */
import { sql } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';
import type { FeedName } from '../../shared/feeds/index.js';
import type { Db } from '../db/client.js';
import { feedCursors, quarantine } from '../db/schema/index.js';
import type { FeedAdapter } from './adapter.js';
import type { InvalidRecord, ValidRecord } from './records.js';

export type Via = 'poll' | 'ingest' | 'import' | 'webhook';

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
  /** The earliest event time among the items stored: the days from then on count them. */
  earliest: Date | null;
}

const CHUNK = 500;

type ItemTable = FeedAdapter['table'];

/**
 * Upserts rows in one statement whose only parameter is the rows as JSON, unpacked by
 * `jsonb_to_recordset`: a query builder's cost grows with rows × columns parameters, and on a
 * backfill of 100,000 items that cost, not the database, was most of the time. A newer version
 * replaces an older one; an older one arriving late changes nothing. Returns the ids inserted.
 */
async function upsertChunk(db: Db, table: ItemTable, rows: Record<string, unknown>[]): Promise<string[]> {
  if (rows.length === 0) return [];
  const keys = Object.keys(rows[0]!);
  const columns = keys.map((key) => (table as unknown as Record<string, PgColumn>)[key]!);
  const names = columns.map((column) => `"${column.name}"`);
  const recordType = columns.map((column) => `"${column.name}" ${column.getSQLType()}`).join(', ');
  const records = rows.map((row) => Object.fromEntries(keys.map((key, i) => [columns[i]!.name, row[key]])));
  const updates = names
    .filter((name) => name !== '"id"')
    .map((name) => `${name} = excluded.${name}`)
    .join(', ');
  const result = await db.execute(sql`
    insert into ${table} (${sql.raw(names.join(', '))})
    select ${sql.raw(names.join(', '))}
      from jsonb_to_recordset(${JSON.stringify(records)}::jsonb) as item(${sql.raw(recordType)})
    on conflict ("id") do update set ${sql.raw(updates)}
      where excluded."updated_at" >= ${table}."updated_at"
    returning "id", (xmax = 0) as inserted`);
  // xmax is 0 for a row this statement inserted, and set for one it updated.
  return rowsOf<{ id: string; inserted: boolean }>(result)
    .filter((row) => row.inserted)
    .map((row) => row.id);
}

/** The rows of an `execute`: postgres.js answers an array, PGlite an object holding one. */
function rowsOf<T>(result: unknown): T[] {
  return Array.isArray(result) ? (result as T[]) : ((result as { rows: T[] }).rows ?? []);
}

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
  const createdIds = new Set<string>();
  await db.transaction(async (tx) => {
    for (let i = 0; i < rows.length; i += CHUNK)
      for (const id of await upsertChunk(tx as unknown as Db, table, rows.slice(i, i + CHUNK)))
        createdIds.add(id);
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
    earliest: batch.valid.reduce<Date | null>(
      (min, r) => (min === null || r.eventTime < min ? r.eventTime : min),
      null,
    ),
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

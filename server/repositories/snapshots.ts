/** Recorded snapshots of the live index, for history and trends. */
import { and, asc, eq, gte, lt, lte, sql } from 'drizzle-orm';
import type { LiveIndex } from '../../shared/api.js';
import type { IndexResult } from '../../shared/index/types.js';
import type { Db } from '../db/client.js';
import { historyDue, indexSnapshots, type SnapshotKind } from '../db/schema/index.js';

/** The street code under which the city's own index is recorded. */
export const CITY = '_city';

export interface HistoryPoint {
  at: Date;
  index: number | null;
  rank: number | null;
  provisional: boolean;
}

/** The local date of a snapshot in a time zone, as text (YYYY-MM-DD). */
const localDay = (timeZone: string) =>
  sql<string>`to_char(${indexSnapshots.at} at time zone ${timeZone}, 'YYYY-MM-DD')`;

/** A day's value: its recorded snapshot's where it has one, else the mean of its live ones. */
export const dayMean = sql<number | string | null>`case when bool_or(${indexSnapshots.kind} = 'recorded')
  then avg(${indexSnapshots.index}) filter (where ${indexSnapshots.kind} = 'recorded')
  else avg(${indexSnapshots.index}) end`;

/** The computed index a live index shows, as a snapshot keeps it (grades by id). */
export function resultOf(live: LiveIndex): IndexResult {
  return { city: live.city, streets: live.streets.map((s) => ({ ...s, grade: s.grade?.id ?? null })) };
}

/** The rows of one snapshot: every street of a computed index, and the city. */
function snapshotRows(
  at: Date,
  result: IndexResult,
  weightSetId: number,
  kind: SnapshotKind,
): (typeof indexSnapshots.$inferInsert)[] {
  const streets = result.streets.map((street) => ({
    at,
    kind,
    streetCode: street.code,
    index: street.index,
    rank: street.rank,
    provisional: street.provisional,
    weightSetId,
    blocks: street.blocks,
    indicators: street.indicators.map(({ id, raw, score, contribution }) => ({
      id,
      raw,
      score,
      contribution,
    })),
  }));
  const city = {
    at,
    kind,
    streetCode: CITY,
    index: result.city,
    rank: null,
    provisional: result.streets.some((s) => s.provisional),
    weightSetId,
    blocks: null,
    indicators: null,
  };
  return [...streets, city];
}

export class SnapshotRepository {
  constructor(private readonly db: Db) {}

  /** Records every street of the live index, and the city, at one instant. */
  async record(at: Date, result: IndexResult, weightSetId: number): Promise<void> {
    await this.db.insert(indexSnapshots).values(snapshotRows(at, result, weightSetId, 'live'));
  }

  /**
   * Records a past day computed afresh, at its one instant, in place of what was recorded for it
   * before (the live snapshots of that day stay, for the hours they describe).
   */
  async replaceRecorded(at: Date, result: IndexResult, weightSetId: number): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx
        .delete(indexSnapshots)
        .where(and(eq(indexSnapshots.at, at), eq(indexSnapshots.kind, 'recorded')));
      await tx.insert(indexSnapshots).values(snapshotRows(at, result, weightSetId, 'recorded'));
    });
  }

  /**
   * The local days between two instants that have any snapshot of the city, each with whether it
   * has a recorded one and whether that recording lacked anything (provisional).
   */
  async days(
    from: Date,
    to: Date,
    timeZone: string,
  ): Promise<{ day: string; recorded: boolean; provisional: boolean }[]> {
    const day = localDay(timeZone);
    const recorded = sql`${indexSnapshots.kind} = 'recorded'`;
    const rows = await this.db
      .select({
        day,
        recorded: sql<boolean>`bool_or(${recorded})`,
        provisional: sql<boolean>`coalesce(bool_or(${indexSnapshots.provisional}) filter (where ${recorded}), false)`,
      })
      .from(indexSnapshots)
      .where(
        and(eq(indexSnapshots.streetCode, CITY), gte(indexSnapshots.at, from), lt(indexSnapshots.at, to)),
      )
      .groupBy(sql`1`)
      .orderBy(sql`1`);
    return rows.map((row) => ({ day: row.day, recorded: !!row.recorded, provisional: !!row.provisional }));
  }

  /** The series of one street (or the city) between two instants, oldest first. */
  async history(streetCode: string, from: Date, to: Date): Promise<HistoryPoint[]> {
    return this.db
      .select({
        at: indexSnapshots.at,
        index: indexSnapshots.index,
        rank: indexSnapshots.rank,
        provisional: indexSnapshots.provisional,
      })
      .from(indexSnapshots)
      .where(
        and(
          eq(indexSnapshots.streetCode, streetCode),
          gte(indexSnapshots.at, from),
          lte(indexSnapshots.at, to),
        ),
      )
      .orderBy(asc(indexSnapshots.at));
  }

  /**
   * The index per local day of a street (or the city) since an instant, oldest first: a day's
   * recorded snapshot where it has one, else the mean of its live snapshots.
   */
  async daily(
    streetCode: string,
    from: Date,
    timeZone: string,
  ): Promise<{ day: string; index: number | null }[]> {
    const rows = await this.db
      .select({ day: localDay(timeZone), index: dayMean })
      .from(indexSnapshots)
      .where(and(eq(indexSnapshots.streetCode, streetCode), gte(indexSnapshots.at, from)))
      // By position: the time zone is a parameter, and two parameters never count as one expression.
      .groupBy(sql`1`)
      .orderBy(sql`1`);
    return rows.map((row) => ({ day: row.day, index: row.index === null ? null : Number(row.index) }));
  }

  /** Marks past days due for recording (again). */
  async markDue(days: readonly string[]): Promise<void> {
    if (days.length === 0) return;
    await this.db
      .insert(historyDue)
      .values(days.map((day) => ({ day })))
      .onConflictDoUpdate({ target: historyDue.day, set: { marks: sql`${historyDue.marks} + 1` } });
  }

  /** The days due for recording, oldest first, each with the marks seen. */
  async due(): Promise<{ day: string; marks: number }[]> {
    return this.db.select().from(historyDue).orderBy(asc(historyDue.day));
  }

  /** Clears a day's mark, unless it was marked again since `marks` was read. */
  async clearDue(day: string, marks: number): Promise<void> {
    await this.db.delete(historyDue).where(and(eq(historyDue.day, day), lte(historyDue.marks, marks)));
  }

  /** Deletes snapshots older than an instant; returns how many went. */
  async prune(before: Date): Promise<number> {
    const rows = await this.db
      .delete(indexSnapshots)
      .where(lt(indexSnapshots.at, before))
      .returning({ id: indexSnapshots.id });
    return rows.length;
  }
}

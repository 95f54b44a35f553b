/** Recorded snapshots of the live index, for history and trends. */
import { and, asc, eq, gte, lt, lte, sql } from 'drizzle-orm';
import type { IndexResult } from '../../shared/index/types.js';
import type { Db } from '../db/client.js';
import { indexSnapshots } from '../db/schema/index.js';

/** The street code under which the city's own index is recorded. */
export const CITY = '_city';

export interface HistoryPoint {
  at: Date;
  index: number | null;
  rank: number | null;
  provisional: boolean;
}

export class SnapshotRepository {
  constructor(private readonly db: Db) {}

  /** Records every street of a computed index, and the city, at one instant. */
  async record(at: Date, result: IndexResult, weightSetId: number): Promise<void> {
    const streets = result.streets.map((street) => ({
      at,
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
      streetCode: CITY,
      index: result.city,
      rank: null,
      provisional: result.streets.some((s) => s.provisional),
      weightSetId,
      blocks: null,
      indicators: null,
    };
    await this.db.insert(indexSnapshots).values([...streets, city]);
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

  /** Mean index per local day of a street (or the city) since an instant, oldest first. */
  async daily(
    streetCode: string,
    from: Date,
    timeZone: string,
  ): Promise<{ day: string; index: number | null }[]> {
    const day = sql<string>`to_char(${indexSnapshots.at} at time zone ${timeZone}, 'YYYY-MM-DD')`;
    const rows = await this.db
      .select({ day, index: sql<number | null>`avg(${indexSnapshots.index})` })
      .from(indexSnapshots)
      .where(and(eq(indexSnapshots.streetCode, streetCode), gte(indexSnapshots.at, from)))
      // By position: the time zone is a parameter, and two parameters never count as one expression.
      .groupBy(sql`1`)
      .orderBy(sql`1`);
    return rows.map((row) => ({ day: row.day, index: row.index === null ? null : Number(row.index) }));
  }

  async any(): Promise<boolean> {
    const rows = await this.db.select({ id: indexSnapshots.id }).from(indexSnapshots).limit(1);
    return rows.length > 0;
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

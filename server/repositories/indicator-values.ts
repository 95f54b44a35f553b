/** Stored raw values of indicators per street and period. */
import { count, eq, lte, sql } from 'drizzle-orm';
import type { ValidIndicatorValue } from '../../shared/indicator-values.js';
import type { Db } from '../db/client.js';
import { indicatorValues } from '../db/schema/index.js';

/** A stored value: the same shape validation gives. */
export type IndicatorValueRow = ValidIndicatorValue;

/** Rows per INSERT statement: well under PostgreSQL's 65,535 bind parameters. */
const CHUNK = 1000;

/** The columns of a value as the engine reads it. */
const VALUE_COLUMNS = {
  indicatorId: indicatorValues.indicatorId,
  streetCode: indicatorValues.streetCode,
  period: indicatorValues.period,
  periodStart: indicatorValues.periodStart,
  periodEnd: indicatorValues.periodEnd,
  value: indicatorValues.value,
};

export class IndicatorValueRepository {
  constructor(private readonly db: Db) {}

  /** Inserts or replaces values, all in one transaction: either every row lands or none does. */
  async upsertMany(rows: IndicatorValueRow[], origin: 'import' | 'demo'): Promise<void> {
    if (rows.length === 0) return;
    await this.db.transaction(async (tx) => {
      for (let i = 0; i < rows.length; i += CHUNK) {
        await tx
          .insert(indicatorValues)
          .values(rows.slice(i, i + CHUNK).map((row) => ({ ...row, origin })))
          .onConflictDoUpdate({
            target: [indicatorValues.indicatorId, indicatorValues.streetCode, indicatorValues.period],
            set: {
              value: sql`excluded.value`,
              origin: sql`excluded.origin`,
              updatedAt: sql`now()`,
            },
          });
      }
    });
  }

  /**
   * The most recent value of every (indicator, street) whose period has started by a local date.
   * Where a day and a month start on the same date, the shorter period (the day) wins.
   */
  async latestAsOf(date: string): Promise<IndicatorValueRow[]> {
    return this.db
      .selectDistinctOn([indicatorValues.indicatorId, indicatorValues.streetCode], VALUE_COLUMNS)
      .from(indicatorValues)
      .where(lte(indicatorValues.periodStart, date))
      .orderBy(
        indicatorValues.indicatorId,
        indicatorValues.streetCode,
        sql`${indicatorValues.periodStart} desc`,
        sql`${indicatorValues.periodEnd} asc`,
      );
  }

  /** The values whose period is exactly `period` (a month's own values). */
  async ofPeriod(period: string): Promise<IndicatorValueRow[]> {
    return this.db.select(VALUE_COLUMNS).from(indicatorValues).where(eq(indicatorValues.period, period));
  }

  async count(filter?: { origin?: 'import' | 'demo' }): Promise<number> {
    const [row] = await this.db
      .select({ n: count() })
      .from(indicatorValues)
      .where(filter?.origin ? eq(indicatorValues.origin, filter.origin) : undefined);
    return row?.n ?? 0;
  }
}

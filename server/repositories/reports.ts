/** Published months and their versions. Nothing published is ever updated or deleted. */
import { createHash } from 'node:crypto';
import { and, asc, desc, eq, inArray, max, sql } from 'drizzle-orm';
import type { Month, MonthlyFigures } from '../../shared/reports/monthly.js';
import type { Db } from '../db/client.js';
import { monthlyReports } from '../db/schema/index.js';

export type PublishedMonth = typeof monthlyReports.$inferSelect;

/** JSON with every object's keys sorted: the same figures always give the same text. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object')
    return `{${Object.keys(value)
      .sort()
      .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
      .map((key) => `${JSON.stringify(key)}:${canonical((value as Record<string, unknown>)[key])}`)
      .join(',')}}`;
  return JSON.stringify(value);
}

/** The content hash of published figures: SHA-256 of their canonical JSON, hex. */
export function figuresHash(figures: MonthlyFigures): string {
  return createHash('sha256').update(canonical(figures)).digest('hex');
}

export class ReportRepository {
  constructor(private readonly db: Db) {}

  /** Every published month with its latest version's summary, newest month first. */
  async months(): Promise<{ month: Month; versions: number; publishedAt: Date }[]> {
    const rows = await this.db
      .select({
        month: monthlyReports.month,
        versions: max(monthlyReports.version),
        publishedAt: sql<Date>`min(${monthlyReports.publishedAt})`,
      })
      .from(monthlyReports)
      .groupBy(monthlyReports.month)
      .orderBy(desc(monthlyReports.month));
    return rows.map((row) => ({
      month: row.month,
      versions: row.versions ?? 1,
      publishedAt: new Date(row.publishedAt),
    }));
  }

  /** Every version of a month, oldest first; empty when the month is not published. */
  async versions(month: Month): Promise<PublishedMonth[]> {
    return this.db
      .select()
      .from(monthlyReports)
      .where(eq(monthlyReports.month, month))
      .orderBy(asc(monthlyReports.version));
  }

  /** The latest version of each of some months. */
  async latest(months: readonly Month[]): Promise<Map<Month, PublishedMonth>> {
    if (months.length === 0) return new Map();
    const rows = await this.db
      .selectDistinctOn([monthlyReports.month])
      .from(monthlyReports)
      .where(inArray(monthlyReports.month, [...months]))
      .orderBy(monthlyReports.month, desc(monthlyReports.version));
    return new Map(rows.map((row) => [row.month, row]));
  }

  /** Each street's grade in every published month (latest versions), for the red-month ladder. */
  async grades(): Promise<Record<string, { month: Month; grade: string | null; index: number | null }[]>> {
    const rows = await this.db
      .selectDistinctOn([monthlyReports.month], {
        month: monthlyReports.month,
        figures: monthlyReports.figures,
      })
      .from(monthlyReports)
      .orderBy(monthlyReports.month, desc(monthlyReports.version));
    const byStreet: Record<string, { month: Month; grade: string | null; index: number | null }[]> = {};
    for (const row of rows)
      for (const street of row.figures.streets)
        (byStreet[street.code] ??= []).push({ month: row.month, grade: street.grade, index: street.index });
    return byStreet;
  }

  /**
   * Publishes a month: its first version, or with a reason a correction after the latest. Without
   * a reason an already published month is left as it is and its first version returned. Two
   * publishers at once cannot both write one version: the (month, version) key refuses the second.
   */
  async publish(
    figures: MonthlyFigures,
    by: string,
    at: Date,
    reason: string | null,
  ): Promise<{ row: PublishedMonth; created: boolean }> {
    return this.db.transaction(async (tx) => {
      const [last] = await tx
        .select()
        .from(monthlyReports)
        .where(eq(monthlyReports.month, figures.month))
        .orderBy(desc(monthlyReports.version))
        .limit(1);
      if (last && reason === null) {
        const [first] = await tx
          .select()
          .from(monthlyReports)
          .where(and(eq(monthlyReports.month, figures.month), eq(monthlyReports.version, 1)));
        return { row: first ?? last, created: false };
      }
      const [row] = await tx
        .insert(monthlyReports)
        .values({
          month: figures.month,
          version: (last?.version ?? 0) + 1,
          reason,
          publishedBy: by,
          publishedAt: at,
          hash: figuresHash(figures),
          figures,
        })
        .returning();
      return { row: row!, created: true };
    });
  }
}

/**
 * Survey responses aggregated for the drill-down (shared/surveys.ts): one query returns, per
 * street, community and survey method, the number of responses and each question's count, sum and
 * sum of squares, so no response is ever loaded into the process and none of a respondent's
 * answers leaves the database. Sums are taken in `numeric`, which nothing stored can overflow.
 */
import { and, gte, inArray, lt, sql, type SQL } from 'drizzle-orm';
import {
  SURVEY_QUESTIONS,
  type Moments,
  type SurveyCell,
  type SurveyQuestion,
} from '../../shared/surveys.js';
import type { PgColumn } from 'drizzle-orm/pg-core';
import type { Db } from '../db/client.js';
import { surveyResponses } from '../db/schema/index.js';

type Row = Record<string, unknown>;

export class SurveyRepository {
  constructor(private readonly db: Db) {}

  /**
   * The moments of the responses surveyed in [from, to) in some streets, per street, community
   * (null: unknown) and method. A group without responses has no row.
   */
  async cells(streets: readonly string[], from: Date, to: Date): Promise<SurveyCell[]> {
    if (streets.length === 0) return [];
    const selection: Record<string, SQL | PgColumn> = {
      street: surveyResponses.street,
      community: surveyResponses.community,
      method: surveyResponses.method,
      responses: sql`count(*)`,
    };
    for (const question of SURVEY_QUESTIONS) {
      const column = surveyResponses[question];
      // count(x) and sum(x) skip the responses that left a department out.
      selection[`n_${question}`] = sql`count(${column})`;
      selection[`sum_${question}`] = sql`coalesce(sum(${column}::numeric), 0)`;
      selection[`squares_${question}`] = sql`coalesce(sum(${column}::numeric * ${column}::numeric), 0)`;
    }
    const rows = (await this.db
      .select(selection)
      .from(surveyResponses)
      .where(
        and(
          inArray(surveyResponses.street, [...streets]),
          gte(surveyResponses.surveyedAt, from),
          lt(surveyResponses.surveyedAt, to),
        ),
      )
      .groupBy(surveyResponses.street, surveyResponses.community, surveyResponses.method)) as Row[];
    return rows.map((row) => ({
      street: String(row.street),
      community: row.community === null ? null : String(row.community),
      method: String(row.method),
      moments: {
        n: Number(row.responses),
        questions: Object.fromEntries(
          SURVEY_QUESTIONS.map((question) => [question, momentsOf(row, question)]),
        ) as Record<SurveyQuestion, Moments>,
      },
    }));
  }
}

/** A question's moments from a row; counts are bigints and sums numerics, which arrive as text. */
const momentsOf = (row: Row, question: SurveyQuestion): Moments => ({
  n: Number(row[`n_${question}`]),
  sum: Number(row[`sum_${question}`]),
  sumSquares: Number(row[`squares_${question}`]),
});

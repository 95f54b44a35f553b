/**
 * 公众评价 drill-down: a calendar month's survey responses by street, community and survey method
 * (shared/surveys.ts computes; server/repositories/surveys.ts aggregates in SQL). Only aggregates
 * are answered: counts, means and intervals, never a response.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import { addDays, localDate, parsePeriod, startOfLocalDate } from '../../shared/period.js';
import { canSeeStreet } from '../../shared/roles.js';
import { CONFIDENCE, surveyDrillDown, type SurveysPayload } from '../../shared/surveys.js';
import type { AppContext } from '../context.js';
import { ensureAllowed, type AppEnv } from '../http/auth.js';
import { badRequest, zodMessage } from '../http/errors.js';
import { surveysAnswer } from '../openapi/answers/surveys.js';
import { documented } from '../openapi/describe.js';
import { SurveyRepository } from '../repositories/surveys.js';

const surveysQuery = z.object({
  month: z
    .string()
    .meta({ description: 'A calendar month, YYYY-MM, not in the future.', examples: ['2026-11'] }),
  street: z
    .string()
    .optional()
    .meta({ description: 'A street’s code: that street only. Absent: every street the caller may see.' }),
});

export function surveyRoutes(ctx: Pick<AppContext, 'city' | 'clock' | 'database'>) {
  const surveys = new SurveyRepository(ctx.database.db);
  return new Hono<AppEnv>().get(
    '/api/surveys',
    documented({
      tag: 'Surveys',
      summary: 'A month’s survey responses by street, community and survey method',
      description:
        'Only aggregates: for each group its number of responses, and each question’s mean with a 95% interval once the group reaches the city’s minimum sample.',
      query: surveysQuery,
      answer: surveysAnswer,
      errors: [400],
    }),
    async (c) => {
      const query = surveysQuery.safeParse(c.req.query());
      if (!query.success) throw badRequest(zodMessage(query.error));
      const { city } = ctx;
      const timeZone = city.city.timezone;
      const now = ctx.clock();

      const period = parsePeriod(query.data.month);
      if ('error' in period) throw badRequest(`month: ${period.error}`);
      if (period.kind !== 'month')
        throw badRequest(`month: "${query.data.month}" is a day; expected a month YYYY-MM`);
      const today = localDate(now, timeZone);
      if (period.start > today)
        throw badRequest(`month: ${period.period} is in the future (today is ${today} in ${timeZone})`);

      const { street } = query.data;
      if (street !== undefined && !city.streets.some((s) => s.code === street))
        throw badRequest(`street: no street "${street}" is configured`);
      // A street token names one of its streets, or gets them all; any other street is refused.
      if (street !== undefined) ensureAllowed(c, 'read', street);
      const principal = c.get('principal');
      const shown = (code: string) =>
        street !== undefined ? code === street : canSeeStreet(principal, code);

      const from = startOfLocalDate(period.start, timeZone);
      const to = startOfLocalDate(addDays(period.end, 1), timeZone);
      const codes = city.streets.map((s) => s.code);
      const drill = surveyDrillDown(
        await surveys.cells(codes, from, to),
        city.streets,
        city.surveys.minSample,
      );
      const payload: SurveysPayload = {
        month: period.period,
        from: from.toISOString(),
        to: to.toISOString(),
        timezone: timeZone,
        complete: now >= to,
        minSample: city.surveys.minSample,
        interval: { confidence: CONFIDENCE, method: 'student-t' },
        // The city as a whole, as /api/index gives it to every reader: no one street's figures.
        city: drill.city,
        streets: drill.streets.filter((s) => shown(s.code)),
      };
      return c.json(payload);
    },
  );
}

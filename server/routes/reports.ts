/** The monthly publication: the published months, one month (JSON or its ranking as CSV), publish. */
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { describeIssues } from '../../shared/city.js';
import { rankingCsv, type MonthComparison, type MonthlyReport } from '../../shared/reports/monthly.js';
import { canSeeStreet, type Principal } from '../../shared/roles.js';
import { withoutNul } from '../../shared/storable.js';
import type { AppContext } from '../context.js';
import type { AppEnv } from '../http/auth.js';
import { readJson } from '../http/body.js';
import { badRequest } from '../http/errors.js';
import { monthList, monthlyReport, publishAnswer, rankingCsvAnswer } from '../openapi/answers/reports.js';
import { documented } from '../openapi/describe.js';
import { ReportService } from '../services/reports.js';

const publishBody = z.object({
  /** A correction's reason: with one, a published month gets a new version. */
  reason: withoutNul(z.string().trim().min(1, 'must not be empty').max(2000))
    .optional()
    .meta({ description: 'Why the published month is corrected: with one, a new version is published.' }),
});

const reportQuery = z.object({
  draft: z.enum(['0', '1', 'true', 'false']).optional().meta({
    description:
      '`1` or `true`: the month computed now from its data, published or not (a running month so far).',
  }),
  version: z.coerce
    .number()
    .int('must be a whole number')
    .min(1, 'must be 1 or more')
    .optional()
    .meta({ description: 'A published version; the latest when absent. Not with `draft`.' }),
});

/** The month of the path, as the document says it (the handler reads it with monthParam). */
const monthPath = z.object({
  month: z.string().meta({
    description: 'A month, YYYY-MM; YYYY-MM.csv for its ranking as CSV.',
    examples: ['2026-10', '2026-10.csv'],
  }),
});
const publishPath = z.object({ month: z.string().meta({ description: 'A month that is over, YYYY-MM.' }) });

/**
 * What documented() says in one way only, said here beside it: a success answer in more than one
 * media type, or a second success status. It replaces documented()'s answer of the same status.
 */
/** The month of a path parameter, or a 400 naming it. */
function monthParam(text: string) {
  try {
    return ReportService.period(text);
  } catch (error) {
    throw badRequest(`month: ${(error as Error).message}`);
  }
}

/** A report as a caller may see it: a street token, its own streets only (the city figure stays). */
function visibleTo(principal: Principal, report: MonthlyReport): MonthlyReport {
  if (principal.role !== 'street') return report;
  const mine = <T extends { code: string }>(streets: T[]) =>
    streets.filter((s) => canSeeStreet(principal, s.code));
  const comparison = (c: MonthComparison): MonthComparison =>
    c.available ? { ...c, streets: mine(c.streets) } : c;
  return {
    ...report,
    figures: { ...report.figures, streets: mine(report.figures.streets) },
    monthOnMonth: comparison(report.monthOnMonth),
    yearOnYear: comparison(report.yearOnYear),
    ladder: mine(report.ladder),
  };
}

export function reportRoutes(ctx: Pick<AppContext, 'reports'>) {
  const read = async (c: Context<AppEnv>, text: string) => {
    const query = reportQuery.safeParse(c.req.query());
    if (!query.success) throw badRequest(describeIssues(query.error, 'query').join('; '));
    const draft = query.data.draft === '1' || query.data.draft === 'true';
    if (draft && query.data.version !== undefined) throw badRequest('version: a draft has no version');
    const report = await ctx.reports.report(monthParam(text), { draft, version: query.data.version });
    return visibleTo(c.get('principal'), report);
  };

  return new Hono<AppEnv>()
    .get(
      '/api/reports/monthly',
      documented({ tag: 'Reports', summary: 'The published months', answer: monthList }),
      async (c) => {
        const months = await ctx.reports.months();
        return c.json({
          months: months.map((m) => ({ ...m, publishedAt: m.publishedAt.toISOString() })),
        });
      },
    )
    .get(
      '/api/reports/monthly/:month',
      documented({
        tag: 'Reports',
        summary: 'A month: its ranking, 环比 and 同比, each street’s points lost; or its ranking as CSV',
        description:
          'The month as JSON; with `.csv` after the month (`/api/reports/monthly/2026-10.csv`), its ranking as a CSV download. A month not published (or without that version) is 404 unless `draft=1`; a draft of a month to come, or of one before any weight set, is 409.',
        params: monthPath,
        query: reportQuery,
        answer: {
          description: 'The month as JSON, or (`{month}` ending in `.csv`) its ranking as CSV.',
          media: { 'application/json': monthlyReport, 'text/csv': rankingCsvAnswer },
        },
        answerHeaders: {
          'Content-Disposition':
            'For the CSV: `attachment; filename="pingan-2026-10-v2.csv"` (the version shown, or `-draft`).',
        },
        errors: [400, 404, 409],
      }),
      async (c) => {
        const text = c.req.param('month');
        if (!text.endsWith('.csv')) return c.json(await read(c, text));
        const report = await read(c, text.slice(0, -'.csv'.length));
        const csv = rankingCsv(report.figures, report.monthOnMonth, report.yearOnYear);
        const name = `pingan-${report.month}${report.status === 'draft' ? '-draft' : `-v${report.publication!.version}`}.csv`;
        // A byte-order mark: spreadsheet programs otherwise take UTF-8 street names for another encoding.
        return c.body(`\uFEFF${csv}`, 200, {
          'content-type': 'text/csv; charset=utf-8',
          'content-disposition': `attachment; filename="${name}"`,
        });
      },
    )
    .post(
      '/api/reports/monthly/:month/publish',
      documented({
        tag: 'Reports',
        summary: 'Publish a month that is over, or correct a published one',
        description:
          'Without a body, a publication: the month’s figures computed and frozen as version 1 (201), or, when it is published already, nothing changes (200, `created: false`). With a `reason`, a correction: a new version (201). A month still running or to come is 409.',
        params: publishPath,
        body: {
          description: 'None for a publication; `{"reason": "…"}` for a correction.',
          media: { 'application/json': publishBody },
        },
        bodyOptional: true,
        answer: publishAnswer,
        status: 201,
        errors: [400, 409],
        otherAnswers: {
          200: {
            description: 'Published already: nothing changed (`created: false`).',
            schema: publishAnswer,
          },
        },
      }),
      async (c) => {
        const period = monthParam(c.req.param('month'));
        // No body: a publication; {"reason": "…"}: a correction.
        const body = (await c.req.raw.clone().text()).trim() === '' ? {} : await readJson(c, publishBody);
        const { publication, created } = await ctx.reports.publish(
          period,
          c.get('principal').name,
          body.reason ?? null,
        );
        return c.json({ month: period.period, created, publication }, created ? 201 : 200);
      },
    );
}

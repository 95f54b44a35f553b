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
import { ReportService } from '../services/reports.js';

const publishBody = z.object({
  /** A correction's reason: with one, a published month gets a new version. */
  reason: withoutNul(z.string().trim().min(1, 'must not be empty').max(2000)).optional(),
});

const reportQuery = z.object({
  draft: z.enum(['0', '1', 'true', 'false']).optional(),
  version: z.coerce.number().int('must be a whole number').min(1, 'must be 1 or more').optional(),
});

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
    .get('/api/reports/monthly', async (c) => {
      const months = await ctx.reports.months();
      return c.json({
        months: months.map((m) => ({ ...m, publishedAt: m.publishedAt.toISOString() })),
      });
    })
    .get('/api/reports/monthly/:month', async (c) => {
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
    })
    .post('/api/reports/monthly/:month/publish', async (c) => {
      const period = monthParam(c.req.param('month'));
      // No body: a publication; {"reason": "…"}: a correction.
      const body = (await c.req.raw.clone().text()).trim() === '' ? {} : await readJson(c, publishBody);
      const { publication, created } = await ctx.reports.publish(
        period,
        c.get('principal').name,
        body.reason ?? null,
      );
      return c.json({ month: period.period, created, publication }, created ? 201 : 200);
    });
}

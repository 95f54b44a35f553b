/** Import of indicator values (JSON or CSV), all or nothing. */
import { Hono } from 'hono';
import { validateIndicatorValues } from '../../shared/indicator-values.js';
import { startOfLocalDate } from '../../shared/period.js';
import type { AppContext } from '../context.js';
import type { AppEnv } from '../http/auth.js';
import { readRecords } from '../http/body.js';
import { ApiError } from '../http/errors.js';

export function indicatorValueRoutes(
  ctx: Pick<AppContext, 'city' | 'events' | 'logger' | 'metrics' | 'values'>,
) {
  return new Hono<AppEnv>().post('/api/indicator-values', async (c) => {
    const { records, firstLine } = await readRecords(c, 'values');
    if (records.length === 0) throw new ApiError(400, 'bad_request', 'no rows to import');
    const { valid, problems } = validateIndicatorValues(records, ctx.city, firstLine);
    if (problems.length > 0) {
      ctx.metrics.rowsRejected.inc(problems.length);
      const lines = new Set(problems.map((p) => p.line)).size;
      throw new ApiError(
        400,
        'invalid_rows',
        `${lines} of ${records.length} rows are invalid; nothing was stored`,
        problems,
      );
    }
    await ctx.values.upsertMany(valid, 'import');
    const earliest = valid.reduce(
      (min, row) => (row.periodStart < min ? row.periodStart : min),
      valid[0]!.periodStart,
    );
    // Every node's live index reads them; the days of their periods so far are recorded again.
    await ctx.events.emit('values.imported', { since: startOfLocalDate(earliest, ctx.city.city.timezone) });
    ctx.metrics.valuesImported.inc(valid.length);
    ctx.logger.info({ rows: valid.length, by: c.get('principal').name }, 'indicator values imported');
    return c.json({ stored: valid.length }, 201);
  });
}

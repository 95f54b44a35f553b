/** Import of indicator values (JSON or CSV), all or nothing. */
import { Hono } from 'hono';
import { z } from 'zod';
import { validateIndicatorValues } from '../../shared/indicator-values.js';
import { startOfLocalDate } from '../../shared/period.js';
import type { AppContext } from '../context.js';
import type { AppEnv } from '../http/auth.js';
import { readRecords } from '../http/body.js';
import { ApiError } from '../http/errors.js';
import { valuesStored } from '../openapi/answers/indicator-values.js';
import { documented } from '../openapi/describe.js';

/**
 * One row as the document describes it; shared/indicator-values.ts checks each row (the body is
 * read as records by readRecords, which parses no schema).
 */
const valueRow = z
  .object({
    indicator: z.string().meta({ description: 'An indicator’s id.' }),
    street: z.union([z.string(), z.number()]).meta({
      description:
        'The street: its code, its name (with or without 街道/镇/乡), or an alias such as its division code.',
    }),
    period: z.string().meta({
      description:
        'A month (YYYY-MM) or a day (YYYY-MM-DD); a feed’s indicator takes a whole month only, standing in its publication.',
    }),
    value: z.union([z.number(), z.string()]).meta({
      description:
        'A number ≥ 0 (or its text): at most 100 for a percentage, 100,000 for a rate per 10k, 1e9 else.',
    }),
  })
  .meta({ id: 'IndicatorValueRow' });
const csvRows = z.string().meta({
  description:
    'CSV with a header row naming the columns `indicator,street,period,value`; the lines under it are the rows (line 2 is the first).',
  examples: ['indicator,street,period,value\nsome_indicator,some_street,2026-10,0.4\n'],
});
const valuesBody = {
  media: {
    'application/json': z
      .union([z.array(valueRow), z.object({ values: z.array(valueRow) })])
      .meta({ description: 'The rows as an array, or as `{"values": [...]}`.' }),
    'text/csv': csvRows,
    'application/csv': csvRows,
    'multipart/form-data': z.object({
      file: z.file().meta({
        description:
          'A file of the rows: CSV when its type is CSV or its name ends in `.csv`, JSON otherwise.',
      }),
    }),
  },
  description:
    'The rows to store, all or none: JSON (any type of body other than CSV and a form is read as JSON), CSV, or a form uploading a file of either.',
};

export function indicatorValueRoutes(
  ctx: Pick<AppContext, 'city' | 'events' | 'logger' | 'metrics' | 'values'>,
) {
  return new Hono<AppEnv>().post(
    '/api/indicator-values',
    documented({
      tag: 'City and index',
      summary: 'Import indicator values: all rows, or none',
      description:
        'A row of the same indicator, street and period as a stored one replaces its value; every node’s live index reads them, and the days of their periods are recorded again. When any row is bad, nothing is stored: the 400 has `code: invalid_rows` and `details` lists each `{line, field, reason}` (a line of the CSV, or the 1-based position in the JSON array).',
      body: valuesBody,
      answer: valuesStored,
      status: 201,
      errors: [400, 413],
    }),
    async (c) => {
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
    },
  );
}

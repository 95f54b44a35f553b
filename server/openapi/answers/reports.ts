/** The answers about the monthly publication: the months published, one month, a publication. */
import { z } from 'zod';
import type { IndicatorChange } from '../../../shared/index/contributions.js';
import type { IndicatorResult } from '../../../shared/index/types.js';
import type {
  LadderStanding,
  MonthComparison,
  MonthlyFigures,
  MonthlyReport,
  MonthlyStreet,
  Publication,
  StreetChange,
} from '../../../shared/reports/monthly.js';
import type { ReportService } from '../../services/reports.js';
import { instant, localDate, month, names } from './common.js';
import { weights, type Sent } from './weights.js';

const rank = z.number().int().nullable();

const publication = z
  .object({
    version: z.number().int(),
    reason: z
      .string()
      .nullable()
      .meta({ description: 'Why this correction was published; null for version 1.' }),
    publishedBy: z.string(),
    publishedAt: instant,
    hash: z
      .string()
      .meta({ description: 'SHA-256 of the figures’ canonical JSON: the same figures, the same hash.' }),
  })
  .meta({
    id: 'Publication',
    description: 'One published version of a month.',
  }) satisfies z.ZodType<Publication>;

const indicatorResult = z
  .object({
    id: z.string(),
    raw: z.number().nullable(),
    smoothed: z.number().nullable().optional().meta({
      description: 'The empirical-Bayes smoothed rate that was scored, present where it differs from `raw`.',
    }),
    score: z.number().nullable().meta({ description: 'The 0–100 score; null when the value is unknown.' }),
    contribution: z.number().meta({ description: 'Points it adds to the index; they sum to the index.' }),
    pointsLost: z.number().meta({ description: '扣分项: points lost against a perfect 100.' }),
  })
  .meta({ id: 'IndicatorResult' }) satisfies z.ZodType<IndicatorResult>;

const monthlyStreet = z
  .object({
    code: z.string(),
    name: names,
    population: z.number().int().meta({ description: 'The population its rates per 10k were taken over.' }),
    index: z.number().nullable(),
    grade: z.string().nullable().meta({ description: 'The grade’s id.' }),
    rank,
    provisional: z.boolean().meta({ description: 'A block lacked data.' }),
    blocks: z.object({
      positive: z.number().nullable(),
      negative: z.number().nullable(),
      public: z.number().nullable(),
    }),
    indicators: z.array(indicatorResult),
  })
  .meta({ id: 'MonthlyStreet' }) satisfies z.ZodType<MonthlyStreet>;

const figures = z
  .object({
    month,
    city: z.number().nullable(),
    cityGrade: z.string().nullable(),
    weightSet: z.object({
      id: z.number().int(),
      name: z.string(),
      effectiveFrom: localDate.nullable(),
      weights,
    }),
    streets: z.array(monthlyStreet),
  })
  .meta({
    id: 'MonthlyFigures',
    description: 'What a publication freezes: every street’s result, the weights and the populations used.',
  }) satisfies z.ZodType<MonthlyFigures>;

const indicatorChange = z
  .object({
    id: z.string(),
    before: z.number().meta({ description: 'Its contribution the earlier month (0 when it was not there).' }),
    after: z.number(),
    change: z.number().meta({ description: '`after` − `before`.' }),
    rawBefore: z.number().nullable(),
    rawAfter: z.number().nullable(),
  })
  .meta({ id: 'IndicatorChange' }) satisfies z.ZodType<IndicatorChange>;

const streetChange = z.object({
  code: z.string(),
  index: z.number().nullable().meta({ description: 'This month’s index − the earlier month’s.' }),
  rank: rank.meta({ description: 'Places moved up (negative: down).' }),
  indicators: z.array(indicatorChange).meta({
    description: 'Every indicator’s change of contribution, largest first; they add up to `index`.',
  }),
}) satisfies z.ZodType<StreetChange>;

const comparison = z
  .discriminatedUnion('available', [
    z.object({
      against: month,
      available: z.literal(true),
      city: z.number().nullable(),
      streets: z.array(streetChange),
    }),
    z.object({
      against: month,
      available: z.literal(false),
      reason: z.string().meta({ description: 'Why there is none: the earlier month is not published.' }),
    }),
  ])
  .meta({
    id: 'MonthComparison',
    description: 'The month against an earlier published one, or why there is no comparison.',
  }) satisfies z.ZodType<MonthComparison>;

const ladderStanding = z
  .object({
    code: z.string(),
    months: z
      .number()
      .int()
      .meta({ description: 'Published months in a row at the lowest grade, ending with this month.' }),
    run: z
      .array(z.object({ month, index: z.number().nullable() }))
      .meta({ description: 'Those months, oldest first.' }),
    step: z
      .enum(['none', 'warning', 'interview'])
      .meta({ description: '`warning`: 预警; `interview`: 约谈.' }),
    warnAt: z.number().int(),
    interviewAt: z.number().int(),
  })
  .meta({
    id: 'LadderStanding',
    description: 'Where a street stands on the red-month ladder.',
  }) satisfies z.ZodType<LadderStanding>;

export const monthlyReport = z
  .object({
    month,
    status: z
      .enum(['published', 'draft'])
      .meta({ description: '`draft`: computed now (`?draft=1`), not published.' }),
    complete: z
      .boolean()
      .meta({ description: 'False for a draft of the month still running: the data so far.' }),
    publication: publication.nullable().meta({ description: 'The version shown; null for a draft.' }),
    versions: z.array(publication).meta({ description: 'Every published version, oldest first.' }),
    figures,
    monthOnMonth: comparison.meta({ description: '环比: against the month before.' }),
    yearOnYear: comparison.meta({ description: '同比: against the same month a year before.' }),
    ladder: z.array(ladderStanding),
  })
  .meta({
    id: 'MonthlyReport',
    description: 'A month: a street token gets its own streets (the city’s figure stays).',
  }) satisfies z.ZodType<MonthlyReport>;

/** The ranking of `GET /api/reports/monthly/{month}.csv`. */
export const rankingCsvAnswer = z.string().meta({
  description:
    'The ranking as CSV: UTF-8 after a byte-order mark, CRLF line ends, a header row, then the ranked streets best first and those without an index after them. Columns: rank, street (code), street_zh, index, grade, mom_index, mom_rank (环比), yoy_index, yoy_rank (同比), provisional (yes or no); an unknown value is empty.',
  examples: [
    '\uFEFFrank,street,street_zh,index,grade,mom_index,mom_rank,yoy_index,yoy_rank,provisional\r\n1,some_street,某街道,82.5,good,1.2,1,,,no\r\n',
  ],
});

type PublishedMonths = Sent<Awaited<ReturnType<ReportService['months']>>>;

export const monthList = z.object({
  months: z
    .array(
      z.object({
        month,
        versions: z.number().int(),
        publishedAt: instant.meta({ description: 'When its first version was published.' }),
      }),
    )
    .meta({ description: 'Every published month, newest first.' }),
}) satisfies z.ZodType<{ months: PublishedMonths }>;

export const publishAnswer = z.object({
  month,
  created: z
    .boolean()
    .meta({ description: 'False when the month was published already and nothing changed (answered 200).' }),
  publication,
}) satisfies z.ZodType<{ month: string; created: boolean; publication: Publication }>;

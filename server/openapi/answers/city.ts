/** The answers about the city: its streets and indicators, the live index and its history. */
import { z } from 'zod';
import type { LiveIndex } from '../../../shared/api.js';
import {
  cityInfoSchema,
  gradeSchema,
  indicatorConfigSchema,
  streetConfigSchema,
} from '../../../shared/city.js';
import { instant, localDate, names } from './common.js';

const grade = gradeSchema.meta({ id: 'Grade', description: 'A grade band: index at least `min`.' });

export const streetsAnswer = z.object({
  city: cityInfoSchema,
  streets: z.array(streetConfigSchema.meta({ id: 'Street' })),
});

export const indicatorsAnswer = z.object({
  indicators: z.array(indicatorConfigSchema.meta({ id: 'Indicator' })),
  grades: z.array(grade),
});

const liveIndicator = z
  .object({
    id: z.string(),
    raw: z.number().nullable(),
    smoothed: z
      .number()
      .nullable()
      .meta({ description: 'The value scored: the raw value or its smoothed rate.' }),
    score: z.number().nullable(),
    contribution: z.number(),
    pointsLost: z.number().meta({ description: '扣分项: points lost against a perfect 100.' }),
    period: z
      .string()
      .nullable()
      .meta({ description: 'The period of an imported value; null for a feed-based one.' }),
    stale: z.boolean(),
  })
  .meta({ id: 'LiveIndicator' });

const liveStreet = z
  .object({
    code: z.string(),
    name: names,
    index: z.number().nullable(),
    grade: grade.nullable(),
    rank: z.number().int().nullable(),
    provisional: z.boolean(),
    blocks: z.object({
      positive: z.number().nullable(),
      negative: z.number().nullable(),
      public: z.number().nullable(),
    }),
    indicators: z.array(liveIndicator),
  })
  .meta({ id: 'LiveStreet' });

export const liveIndexAnswer = z
  .object({
    at: instant,
    date: localDate,
    city: z.number().nullable(),
    cityGrade: grade.nullable(),
    weightSet: z.object({ id: z.number().int(), name: z.string(), effectiveFrom: localDate.nullable() }),
    streets: z.array(liveStreet),
  })
  .meta({
    id: 'LiveIndex',
    description: 'The live index: a street token gets its own streets.',
  }) satisfies z.ZodType<LiveIndex>;

export const historyAnswer = z.object({
  street: z.string().meta({ description: 'The street, or `_city` for the city.' }),
  from: instant,
  to: instant,
  points: z.array(
    z.object({
      at: instant,
      index: z.number().nullable(),
      rank: z.number().int().nullable(),
      provisional: z.boolean(),
    }),
  ),
});

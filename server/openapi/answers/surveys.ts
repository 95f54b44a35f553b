/** The answer of the survey drill-down (公众评价): counts, means and intervals, never a response. */
import { z } from 'zod';
import { SURVEY_METHODS, SURVEY_QUESTIONS, type SurveysPayload } from '../../../shared/surveys.js';
import { instant, month, names } from './common.js';

const count = z.number().int();

const estimate = z
  .discriminatedUnion('insufficient', [
    z.object({ n: count, insufficient: z.literal(true) }),
    z.object({
      n: count,
      insufficient: z.literal(false),
      mean: z.number(),
      ci95: z
        .object({ low: z.number(), high: z.number() })
        .nullable()
        .meta({ description: 'The 95% confidence interval of the mean; null with fewer than two answers.' }),
    }),
  ])
  .meta({
    id: 'SurveyEstimate',
    description:
      'A question’s mean over a group: with its interval, or only how many answered it when they are fewer than `minSample` (样本不足).',
  });

const questions = z
  .record(z.enum(SURVEY_QUESTIONS), estimate)
  .meta({ description: 'Each question’s estimate, by question.' });

/** Fewer responses than the minimum sample: the group's n alone. */
const few = { n: count, insufficient: z.literal(true) };
/** Enough of them: every question's estimate. */
const enough = { n: count, insufficient: z.literal(false), questions };

const group = z.discriminatedUnion('insufficient', [z.object(few), z.object(enough)]).meta({
  id: 'SurveyGroup',
  description: 'A group of responses: its n, and its estimates when it has enough.',
});

/** A group with its responses split by survey method (入户, 电话, 网络), each split under the same rule. */
const byMethod = { methods: z.record(z.enum(SURVEY_METHODS), group) };
const methodGroupWith = <Shape extends z.core.$ZodLooseShape>(shape: Shape) =>
  z.discriminatedUnion('insufficient', [
    z.object({ ...shape, ...few }),
    z.object({ ...shape, ...enough, ...byMethod }),
  ]);

const community = methodGroupWith({
  community: z
    .string()
    .nullable()
    .meta({ description: 'Null: the responses whose community is not one of the street’s.' }),
}).meta({ id: 'SurveyCommunity' });

const street = methodGroupWith({
  code: z.string(),
  name: names,
  communities: z.array(community).meta({
    description: 'The configured communities in their order, then any other stored one, then the unknown.',
  }),
}).meta({ id: 'SurveyStreet' });

export const surveysAnswer = z
  .object({
    month,
    from: instant.meta({ description: 'The month’s first instant in the city’s time zone.' }),
    to: instant.meta({ description: 'The next month’s first instant.' }),
    timezone: z.string(),
    complete: z
      .boolean()
      .meta({ description: 'Whether the month has ended; a running month has the responses so far.' }),
    minSample: count.meta({ description: 'A group or question with fewer responses shows only its n.' }),
    interval: z.object({ confidence: z.number(), method: z.literal('student-t') }),
    city: methodGroupWith({}).meta({
      id: 'SurveyCity',
      description:
        'Every street’s responses together, as every reader gets the city: no one street’s figures.',
    }),
    streets: z.array(street).meta({
      description: 'Each street the caller may see (a street token: its own), or the one asked for.',
    }),
  })
  .meta({ id: 'Surveys' }) satisfies z.ZodType<SurveysPayload>;

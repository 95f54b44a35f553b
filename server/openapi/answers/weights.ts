/** The answers about weight sets: the versions, their trail, and the quarterly review's trials. */
import { z } from 'zod';
import type {
  ContributionChange,
  IndicatorRemoval,
  RankInterval,
} from '../../../shared/index/sensitivity.js';
import type { Normalisation, Weights } from '../../../shared/index/types.js';
import type { WeightSetRepository, WeightSetRow } from '../../repositories/weight-sets.js';
import type { LiveIndexService } from '../../services/live-index.js';
import type { WeightsReview } from '../../services/weights-review.js';
import { instant, localDate, names } from './common.js';

/** A value as JSON sends it: each `Date` in it becomes its ISO 8601 string. */
export type Sent<T> = T extends Date
  ? string
  : T extends readonly (infer Item)[]
    ? Sent<Item>[]
    : T extends object
      ? { [K in keyof T]: Sent<T[K]> }
      : T;

const normalisation = z
  .discriminatedUnion('method', [
    z.object({
      method: z.literal('efficacy'),
      unacceptable: z.number().meta({ description: '不允许值: the value that scores 60.' }),
      satisfactory: z.number().meta({ description: '满意值: the value that scores 100.' }),
    }),
    z.object({ method: z.literal('minmax'), worst: z.number(), best: z.number() }),
    z.object({
      method: z.literal('target'),
      target: z.number(),
      zero: z.number().optional().meta({ description: 'The value that scores 0; 0 when absent.' }),
    }),
  ])
  .meta({
    id: 'Normalisation',
    description:
      'How a raw value becomes a 0–100 score: 功效系数法 (`efficacy`), fixed goalposts (`minmax`), or distance to a target (`target`).',
  }) satisfies z.ZodType<Normalisation>;

/** A set of weights as stored and sent. */
export const weights = z
  .object({
    blocks: z
      .object({ positive: z.number(), negative: z.number(), public: z.number() })
      .meta({ description: 'The weight of each block: 正向, 逆向, 公众评价.' }),
    indicators: z
      .record(z.string(), z.number())
      .meta({ description: 'Each indicator’s weight within its block, by indicator id.' }),
    aggregation: z.enum(['arithmetic', 'geometric']),
    normalisation: z.record(z.string(), normalisation).optional().meta({
      description: 'Goalposts fixed for this set, overriding the indicators’ own, by indicator id.',
    }),
    availabilityThreshold: z.number().optional().meta({
      description:
        'The share of a block’s weight that must have data for the block to score; 2/3 when absent.',
    }),
  })
  .meta({ id: 'Weights', description: 'The weights of a weight set.' }) satisfies z.ZodType<Weights>;

/** What the routes add to a stored set. */
interface Presented {
  status: string;
}

export const weightSet = z
  .object({
    id: z.number().int(),
    name: z.string(),
    effectiveFrom: localDate
      .nullable()
      .meta({ description: 'The day the set comes into force; null for a draft.' }),
    weights,
    note: z.string().nullable(),
    createdBy: z.string().meta({ description: 'The name of the token that made it.' }),
    createdAt: instant,
    status: z.enum(['draft', 'scheduled', 'in_force', 'superseded']).meta({
      description:
        '`draft`: no date yet; `scheduled`: in force from a day to come; `in_force`: the set of today; `superseded`: replaced by a later one.',
    }),
  })
  .meta({
    id: 'WeightSet',
    description: 'A version of the weights. A published set is never changed: a change is a new version.',
  }) satisfies z.ZodType<Sent<WeightSetRow> & Presented>;

export const weightSetList = z.object({
  today: localDate,
  nextQuarter: localDate.meta({
    description:
      'The first day of next quarter: when a set agreed at this quarter’s review would come into force.',
  }),
  weightSets: z
    .array(weightSet)
    .meta({ description: 'Every version: the published ones latest first, then the drafts.' }),
});

const eventFields = {
  action: z.enum(['drafted', 'created', 'edited', 'published']).meta({
    description:
      '`drafted`: saved without a date; `created`: saved with one; `edited`; `published`: given its date.',
  }),
  actor: z.string().meta({ description: 'The name of the token that did it.' }),
  at: instant,
  detail: z.record(z.string(), z.unknown()).nullable().meta({
    description:
      'What was done: `effectiveFrom` and `note` when saved, `note` when edited, `effectiveFrom` and `reason` when published.',
  }),
};

type HistoryEvent = Sent<Awaited<ReturnType<WeightSetRepository['history']>>[number]>;
type AuditEvent = Sent<Awaited<ReturnType<WeightSetRepository['audit']>>[number]>;

export const weightSetHistory = z.object({
  id: z.number().int(),
  events: z
    .array(z.object(eventFields) satisfies z.ZodType<HistoryEvent>)
    .meta({ description: 'Oldest first.' }),
});

export const weightSetAudit = z.object({
  events: z
    .array(
      z.object({
        weightSetId: z.number().int(),
        name: z.string().meta({ description: 'The set’s name now.' }),
        ...eventFields,
      }) satisfies z.ZodType<AuditEvent>,
    )
    .meta({ description: 'Every set’s events, newest first (the latest 200).' }),
});

const period = z
  .string()
  .meta({ description: '`live`, or the published month (YYYY-MM) the draft was tried on.' });
const asOf = localDate.meta({
  description: 'The day whose values were used: today, or the month’s last day.',
});
const rank = z.number().int().nullable();
const rankShift = rank.meta({
  description: 'Places the draft moves the street up (negative: down); null unless ranked under both.',
});

const contributionChange = z
  .object({
    indicator: z.string(),
    current: z.number().meta({ description: 'Points of the index under the set in force.' }),
    draft: z.number().meta({ description: 'Points of the index under the draft.' }),
    delta: z.number(),
  })
  .meta({ id: 'ContributionChange' }) satisfies z.ZodType<ContributionChange>;

const trialSide = z.object({
  index: z.number().nullable(),
  rank,
  grade: z.string().nullable().meta({ description: 'The grade’s id.' }),
});

export const whatIfAnswer = z
  .object({
    period,
    asOf,
    inForce: z
      .object({ id: z.number().int(), name: z.string() })
      .meta({ description: 'The set the draft is compared with: the one in force then.' }),
    city: z.object({ current: z.number().nullable(), draft: z.number().nullable() }),
    streets: z.array(
      z.object({
        code: z.string(),
        name: names,
        current: trialSide,
        draft: trialSide,
        rankShift,
        topChanges: z
          .array(contributionChange)
          .meta({ description: 'The indicators whose contribution the draft moves most, at most 3.' }),
      }),
    ),
    meanAbsoluteRankShift: z.number().nullable(),
  })
  .meta({
    id: 'WhatIf',
    description: 'A draft set of weights beside the set in force, on the same values.',
  }) satisfies z.ZodType<Awaited<ReturnType<WeightsReview['whatIf']>>>;

const rankInterval = z.object({
  code: z.string(),
  name: names.nullable(),
  rank: rank.meta({ description: 'The rank under the draft’s own weights.' }),
  median: rank,
  p5: rank.meta({ description: 'The 5th percentile: the better end of the interval.' }),
  p95: rank.meta({ description: 'The 95th percentile: the worse end.' }),
  rankedDraws: z.number().int().meta({ description: 'The draws in which the street had an index.' }),
}) satisfies z.ZodType<RankInterval>;

const removal = z.object({
  indicator: z.string(),
  name: names.nullable(),
  ranks: z
    .record(z.string(), rank)
    .meta({ description: 'Each street’s rank without this indicator, by street code.' }),
  shifts: z.record(z.string(), rank).meta({
    description:
      'By street code: the rank with it − the rank without it (positive: it held the street back).',
  }),
  meanAbsoluteRankShift: z.number().nullable(),
}) satisfies z.ZodType<IndicatorRemoval>;

export const sensitivityAnswer = z
  .object({
    period,
    asOf,
    noise: z.number(),
    draws: z.number().int(),
    seed: z.number().int(),
    streets: z.array(rankInterval).meta({
      description: 'Each street’s ranks over the draws, every weight perturbed by up to ±`noise`.',
    }),
    removal: z
      .array(removal)
      .meta({ description: 'For each weighted indicator in turn: the ranks with its weight set to 0.' }),
  })
  .meta({
    id: 'Sensitivity',
    description: 'How far a draft’s ranking rests on its exact weights.',
  }) satisfies z.ZodType<Awaited<ReturnType<WeightsReview['sensitivity']>>>;

const previewSide = z.object({ index: z.number().nullable(), rank });
const previewSet = z.object({ id: z.number().int(), name: z.string(), city: z.number().nullable() });

export const previewAnswer = z
  .object({
    period: z.string().meta({ description: 'The period, as given.' }),
    asOf: localDate.meta({
      description: 'The period’s last day: its values as of then (or now, while it runs).',
    }),
    current: previewSet.meta({ description: 'The set in force on that day.' }),
    draft: previewSet,
    streets: z
      .array(z.object({ code: z.string(), name: names, current: previewSide, draft: previewSide, rankShift }))
      .meta({ description: 'A street token gets its own streets, still ranked among all the city’s.' }),
    meanAbsoluteRankShift: z.number().nullable().meta({ description: 'Over every street of the city.' }),
  })
  .meta({ id: 'WeightSetPreview' }) satisfies z.ZodType<
  { period: string; asOf: string } & Awaited<ReturnType<LiveIndexService['preview']>>
>;

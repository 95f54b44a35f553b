/**
 * How a feed-based indicator is computed from the stored items of its feed: an aggregate over the
 * street's items whose event time falls in the indicator's window. Rules are data in the city
 * configuration, checked against the fields each feed really has.
 */
import { z } from 'zod';
import { ruleFieldsOf } from './feeds/catalogue.js';
import type { FeedDefinition } from './feeds/definition.js';
import type { Measure } from './index/types.js';

const scalar = z.union([z.string(), z.boolean()]);
/** Field → a value, or a list of values any of which matches. */
const filter = z.record(z.string(), z.union([scalar, z.array(scalar).min(1)]));

export const feedRuleSchema = z.discriminatedUnion('aggregate', [
  /** Items matching `where`. */
  z.object({ aggregate: z.literal('count'), where: filter.optional() }),
  /** 100 · items matching `where` and `of` / items matching `of`. */
  z.object({ aggregate: z.literal('share'), where: filter, of: filter.optional() }),
  /**
   * 100 · items whose `to` came within the limit after `from` / items that either have a `to` or
   * are already overdue without one (an incident nobody reached counts as late).
   */
  z.object({
    aggregate: z.literal('on_time'),
    from: z.string(),
    to: z.string(),
    limitMinutes: z.number().positive(),
    /** A per-item limit that overrides `limitMinutes` where present. */
    limitField: z.string().optional(),
    where: filter.optional(),
  }),
  /** Σ field. */
  z.object({ aggregate: z.literal('sum'), field: z.string(), where: filter.optional() }),
  /** 100 · Σ numerator / Σ denominator. */
  z.object({
    aggregate: z.literal('sum_ratio'),
    numerator: z.string(),
    denominator: z.string(),
    where: filter.optional(),
  }),
  /** Mean of a field over the items that have it. */
  z.object({ aggregate: z.literal('mean'), field: z.string(), where: filter.optional() }),
  /** Mean minutes from one time to another, over the items that have both. */
  z.object({
    aggregate: z.literal('mean_minutes'),
    from: z.string(),
    to: z.string(),
    where: filter.optional(),
  }),
]);

export type FeedRule = z.infer<typeof feedRuleSchema>;
export type FeedFilter = z.infer<typeof filter>;

/** Which measures each aggregate can feed. */
const MEASURES_OF: Record<FeedRule['aggregate'], readonly Measure[]> = {
  count: ['count', 'count_per_10k'],
  share: ['ratio'],
  on_time: ['ratio'],
  sum: ['sum_per_capita'],
  sum_ratio: ['ratio'],
  mean: ['mean'],
  mean_minutes: ['mean'],
};

/**
 * Problems of a rule for a feed and a measure, each with the path inside the rule: an unknown
 * field (the fields rules may name are the feed definition's: shared/feeds), a time that is not a
 * time, an aggregate that cannot give this measure.
 */
export function checkFeedRule(
  rule: FeedRule,
  definition: Pick<FeedDefinition, 'name' | 'times' | 'rules'>,
  measure: Measure,
): { path: string; message: string }[] {
  const feed = definition.name;
  const fields = ruleFieldsOf(definition);
  const problems: { path: string; message: string }[] = [];
  const expect = (path: string, value: string, kinds: readonly string[], what: string) => {
    if (!kinds.includes(value))
      problems.push({
        path,
        message: `the ${feed} feed has no ${what} "${value}" (${kinds.join(', ') || 'none'})`,
      });
  };
  const checkFilter = (path: string, where: FeedFilter | undefined) => {
    for (const field of Object.keys(where ?? {}))
      expect(`${path}.${field}`, field, fields.filters, 'field to filter on');
  };
  if (!MEASURES_OF[rule.aggregate].includes(measure))
    problems.push({
      path: 'aggregate',
      message: `${rule.aggregate} cannot give the measure ${measure} (it gives ${MEASURES_OF[rule.aggregate].join(', ')})`,
    });
  checkFilter('where', rule.where);
  switch (rule.aggregate) {
    case 'count':
      break;
    case 'share':
      checkFilter('of', rule.of);
      break;
    case 'on_time':
    case 'mean_minutes':
      expect('from', rule.from, fields.times, 'time');
      expect('to', rule.to, fields.times, 'time');
      if (rule.aggregate === 'on_time' && rule.limitField)
        expect('limitField', rule.limitField, fields.numbers, 'number');
      break;
    case 'sum':
    case 'mean':
      expect('field', rule.field, fields.numbers, 'number');
      break;
    case 'sum_ratio':
      expect('numerator', rule.numerator, fields.numbers, 'number');
      expect('denominator', rule.denominator, fields.numbers, 'number');
      break;
  }
  return problems;
}

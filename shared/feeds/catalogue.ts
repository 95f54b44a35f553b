/**
 * The tables every part of the wall reads per feed, derived from a list of feed definitions: the
 * real feeds' catalogue is `feedCatalogue(FEED_DEFINITIONS)` (index.ts), and a list with one more
 * definition yields the same tables with one more feed.
 */
import type { z } from 'zod';
import type { Names } from '../names.js';
import { timeFieldsOf } from './contract.js';
import type { FeedDefinition, VocabularyList } from './definition.js';

/** The definition in a list with a name. */
export type DefinitionNamed<D extends FeedDefinition, F extends string> = Extract<D, { name: F }>;

type ByFeed<D extends FeedDefinition, V> = { readonly [F in D['name']]: V };
type EachFeed<D extends FeedDefinition, K extends keyof FeedDefinition> = {
  readonly [F in D['name']]: DefinitionNamed<D, F>[K];
};

/** Each feed's items, by feed. */
export type ItemsOf<D extends FeedDefinition> = {
  [F in D['name']]: z.output<DefinitionNamed<D, F>['schema']>;
};

/** The feeds of a list that the wall's ticker shows. */
export type TickerFeedOf<D extends FeedDefinition> = Extract<D, { ticker: object }>['name'];

/** What the ticker shows of a feed's item: what happened (`category`), when (`time`), under which label. */
export interface TickerFields {
  readonly category: string;
  readonly time: string;
  readonly label: Names;
}

/** The fields of a feed that rules may name, by what they hold. */
export interface RuleFields {
  readonly filters: readonly string[];
  readonly numbers: readonly string[];
  readonly times: readonly string[];
}

/** The fields of a feed that rules may name: its filters and numbers, and its times. */
export const ruleFieldsOf = (definition: Pick<FeedDefinition, 'times' | 'rules'>): RuleFields => ({
  filters: definition.rules.filters,
  numbers: definition.rules.numbers,
  times: definition.times,
});

export interface FeedCatalogue<D extends FeedDefinition> {
  /** The feeds' names, in the list's order (the order the wall and the simulator use). */
  readonly feeds: readonly D['name'][];
  /** Each feed's definition. */
  readonly definitions: { readonly [F in D['name']]: DefinitionNamed<D, F> };
  /** Each feed's item schema. */
  readonly schemas: EachFeed<D, 'schema'>;
  /** The time an item happened, which decides the window it counts in. */
  readonly eventTime: EachFeed<D, 'eventTime'>;
  /** Every time field of each feed's items, `updatedAt` first. */
  readonly timeFields: ByFeed<D, readonly string[]>;
  /** The fields of each feed that rules may name, by what they hold. */
  readonly ruleFields: ByFeed<D, RuleFields>;
  /** The free-text fields of each feed and the list each is checked against. */
  readonly freeText: ByFeed<D, Readonly<Record<string, VocabularyList>>>;
  /** Each feed's name in alert texts. */
  readonly names: ByFeed<D, Names>;
  /** Each feed's label on the wall. */
  readonly short: ByFeed<D, Names>;
  /** The feeds the ticker shows, with the field it shows and its label there. */
  readonly ticker: { readonly [F in TickerFeedOf<D>]: TickerFields };
  /** Each feed's default poll interval, in seconds. */
  readonly pollSeconds: ByFeed<D, number>;
  /** The simulator's prefix of each feed's ids. */
  readonly idPrefix: ByFeed<D, string>;
}

/** The derived tables of a list of definitions. Throws when two definitions share a name. */
export function feedCatalogue<const D extends readonly FeedDefinition[]>(
  definitions: D,
): FeedCatalogue<D[number]> {
  type Definition = D[number];
  const names = definitions.map((d) => d.name);
  const twice = names.find((name, i) => names.indexOf(name) !== i);
  if (twice !== undefined) throw new Error(`two feeds are called "${twice}"`);
  const each = <V>(value: (definition: Definition) => V) =>
    Object.fromEntries(definitions.map((d) => [d.name, value(d)])) as ByFeed<Definition, V>;
  return {
    feeds: names,
    definitions: each((d) => d) as FeedCatalogue<Definition>['definitions'],
    schemas: each((d) => d.schema) as EachFeed<Definition, 'schema'>,
    eventTime: each((d) => d.eventTime) as EachFeed<Definition, 'eventTime'>,
    timeFields: each(timeFieldsOf),
    ruleFields: each(ruleFieldsOf),
    freeText: each((d) => d.freeText),
    names: each((d) => d.names),
    short: each((d) => d.short),
    ticker: Object.fromEntries(
      definitions.flatMap((d) =>
        d.ticker
          ? [[d.name, { category: d.ticker.category, time: d.eventTime, label: d.ticker.label ?? d.short }]]
          : [],
      ),
    ) as FeedCatalogue<Definition>['ticker'],
    pollSeconds: each((d) => d.pollSeconds),
    idPrefix: each((d) => d.idPrefix),
  };
}

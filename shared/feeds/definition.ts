/**
 * What defines a feed, stated once: its item schema, its times, the fields rules may name, its
 * free-text fields, its names and how often it is polled. Everything else that is per feed (the
 * list of feeds, the tables of event times and rule fields, the city configuration's defaults, the
 * wall's labels) is derived from the definitions (catalogue.ts). A field a definition names that its
 * schema does not have is a compile error.
 */
import type { z } from 'zod';
import type { Names } from '../names.js';

/** What every item holds, whatever its feed (fields.ts `itemBase`). */
export interface ItemBase {
  id: string;
  updatedAt: string;
  street: string;
}

/** An item schema: a zod object whose items have at least the base fields. */
export type ItemSchema = z.ZodType<ItemBase> & { readonly shape: Record<string, unknown> };

/** The city's lists a free-text field is checked against (shared/vocabulary.ts). */
export type VocabularyList = 'communities' | 'halls' | 'services' | 'mediationTypes';

type Nested<T> = {
  [K in keyof T]-?: NonNullable<T[K]> extends Record<string, unknown> ? K : never;
}[keyof T];
type UnionToIntersection<U> = (U extends unknown ? (u: U) => void : never) extends (i: infer I) => void
  ? I
  : never;

/**
 * An item as its row holds it: a nested object's fields (a survey's `departments.police`) are
 * fields of their own (`police`), as the adapters store them and rules name them.
 */
export type Flat<T> = Omit<T, Nested<T>> &
  Partial<UnionToIntersection<{ [K in Nested<T>]: NonNullable<T[K]> }[Nested<T>]>>;

/** The fields of an item (flattened) whose values are of type V. */
export type FieldOf<T, V> = {
  [K in keyof Flat<T> & string]-?: NonNullable<Flat<T>[K]> extends V ? K : never;
}[keyof Flat<T> & string];

/** An item of a schema. */
export type ItemOf<S extends ItemSchema> = z.output<S>;

/** Where the wall's ticker shows a feed's new items: the field shown as what happened, at its event time. */
export interface TickerSpec {
  readonly category: string;
  /** The ticker's label of the feed, when it differs from its `short` one. */
  readonly label?: Names;
}

export interface FeedDefinition {
  /** The feed's name: in URLs (/api/ingest/:feed), the configuration (`feeds.<name>`), the database. */
  readonly name: string;
  /** Its items, as the contract has them. */
  readonly schema: ItemSchema;
  /**
   * Its items' times besides `updatedAt` (which every item has): each is checked against the
   * server's clock, read by a mapping's `times` format, and may be a rule's `from` or `to`.
   */
  readonly times: readonly string[];
  /** The time an item happened, which decides the window it counts in: one of `times`. */
  readonly eventTime: string;
  /** The fields rules may name besides the times (shared/feed-rules.ts), by what they hold. */
  readonly rules: {
    /** Fields to filter on (`where`, `of`). */
    readonly filters: readonly string[];
    /** Fields to sum or average (`field`, `numerator`, `limitField`…). */
    readonly numbers: readonly string[];
  };
  /**
   * Its free-text fields and the list each is checked against (shared/vocabulary.ts). A community
   * is optional in most feeds (and nullable in storage): an unknown one becomes null; the others are
   * required and become unknown.
   */
  readonly freeText: { readonly [field: string]: VocabularyList };
  /** Its name in alert texts and notifications. */
  readonly names: Names;
  /** Its label on the wall, where space is short. */
  readonly short: Names;
  /** How the wall's ticker shows its new items; null: it does not. */
  readonly ticker: TickerSpec | null;
  /** How often it is polled unless the city configuration says otherwise (`intervalSeconds`). */
  readonly pollSeconds: number;
  /** The simulator's prefix of its item ids: `INC-jinfang-20261125T0315Z-03`. */
  readonly idPrefix: string;
}

/** What a definition's fields must be for its schema. */
type Checked<D extends FeedDefinition, Item = ItemOf<D['schema']>> = {
  readonly times: readonly FieldOf<Item, string>[];
  /** (An object type rather than the times, whose intersection with another literal would be never.) */
  readonly eventTime: D['eventTime'] extends D['times'][number] ? string : { readonly oneOf: D['times'] };
  readonly rules: {
    readonly filters: readonly FieldOf<Item, string | boolean>[];
    readonly numbers: readonly FieldOf<Item, number>[];
  };
  readonly freeText: {
    readonly [F in keyof D['freeText']]: F extends FieldOf<Item, string> ? VocabularyList : never;
  };
  readonly ticker: { readonly category: FieldOf<Item, string>; readonly label?: Names } | null;
};

/**
 * A feed's definition, checked against its schema: every field it names is one of the items'
 * (times and free text hold strings, numbers numbers, filters strings or booleans; a survey's
 * `departments.police` is `police`, as its row has it), and the event time is one of its times.
 * Its type keeps every name it states, so that what is derived from it (an adapter's columns, the
 * feeds on the ticker) is checked too.
 */
export function defineFeed<const D extends FeedDefinition>(definition: D & NoInfer<Checked<D>>): D {
  return definition;
}

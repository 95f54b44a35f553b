/**
 * The feeds' free-text fields checked against the city's vocabularies. A community must be one of
 * its street's, a hall one of its street's halls, a service or a mediation type one of the city's
 * lists; anything else is stored as unknown. So a name or a phone number typed into a free-text field
 * ("张三 13812345678") is never stored, and the wall only ever shows the city's own words.
 *
 * A community matches with or without its 社区/村 suffix and by its configured aliases
 * (shared/streets.ts); the other lists match ignoring surrounding whitespace, otherwise exactly.
 */
import type { CityConfig } from './city.js';
import type { VocabularyList } from './feeds/definition.js';
import { FREE_TEXT_FIELDS, type FeedName } from './feeds/index.js';
import { cityRegions } from './streets.js';

/** What a not-null free-text field holds when its value is not in its vocabulary. */
export const UNKNOWN = 'unknown';

/** What an unknown value of each free-text field becomes. */
export const unknownValueOf = (field: string): null | typeof UNKNOWN =>
  field === 'community' ? null : UNKNOWN;

export interface CityVocabulary {
  /** The known value of a list (for a street's own lists, of that street), or null. */
  known(list: VocabularyList, value: unknown, street: string | undefined): string | null;
}

/** The vocabularies of a city configuration, ready to look values up in. */
export function cityVocabulary(city: Pick<CityConfig, 'streets' | 'vocabulary'>): CityVocabulary {
  const regions = cityRegions(city);
  const halls = new Map(city.streets.map((street) => [street.code, new Set(street.halls)]));
  const cityWide = {
    services: new Set(city.vocabulary.services),
    mediationTypes: new Set(city.vocabulary.mediationTypes),
  };
  return {
    known(list, value, street) {
      // A community as other systems write it (大屯 for 大屯社区, an alias) is stored by its own name.
      if (list === 'communities') return regions.community(value, street) ?? null;
      if (typeof value !== 'string') return null;
      const words =
        list === 'halls' ? (street === undefined ? undefined : halls.get(street)) : cityWide[list];
      const text = value.trim();
      return words?.has(text) ? text : null;
    },
  };
}

/**
 * A record (an item or a row: both name the fields alike) with each free-text field of its feed
 * that it has replaced by its known value, or by unknown (null for a community, else
 * {@link UNKNOWN}). `street` is the street's code, when it is known.
 */
export function withKnownFreeText<T extends Record<string, unknown>>(
  feed: FeedName,
  record: T,
  street: string | undefined,
  vocabulary: CityVocabulary,
): T {
  const checked: Record<string, unknown> = { ...record };
  for (const [field, list] of Object.entries(FREE_TEXT_FIELDS[feed])) {
    if (!(field in record) || record[field] === undefined || record[field] === null) continue;
    checked[field] = vocabulary.known(list, record[field], street) ?? unknownValueOf(field);
  }
  return checked as T;
}

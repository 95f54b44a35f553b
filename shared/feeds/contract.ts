/**
 * The feed contract besides the items themselves: the envelope every polled feed speaks, and the
 * check of an item's times against the server's clock.
 */
import { z } from 'zod';
import { withoutNul } from '../storable.js';
import type { FeedDefinition } from './definition.js';

/** How far ahead of the server's clock an item's times may be, by default: clocks of two systems differ. */
export const CLOCK_SKEW_SECONDS = 300;

const duration = (seconds: number) =>
  seconds % 60 === 0
    ? `${seconds / 60} minute${seconds === 60 ? '' : 's'}`
    : `${seconds} second${seconds === 1 ? '' : 's'}`;

/** Every time field of a feed's items: `updatedAt`, then the feed's own. */
export const timeFieldsOf = (definition: Pick<FeedDefinition, 'times'>): readonly string[] => [
  'updatedAt',
  ...definition.times,
];

/**
 * Why an item's times cannot be true: each that lies more than `skewSeconds` ahead of `now` (the
 * server's clock). An item "updated" in the future would win over every real update after it.
 */
export function timesAhead(
  definition: Pick<FeedDefinition, 'times'>,
  item: object,
  now: Date,
  skewSeconds = CLOCK_SKEW_SECONDS,
): string[] {
  const limit = now.getTime() + skewSeconds * 1000;
  const reasons: string[] = [];
  for (const field of timeFieldsOf(definition)) {
    const value = (item as Record<string, unknown>)[field];
    if (typeof value === 'string' && Date.parse(value) > limit)
      reasons.push(
        `${field}: ${value} is more than ${duration(skewSeconds)} ahead of the server clock (${now.toISOString()})`,
      );
  }
  return reasons;
}

/** `GET <url>?since=<cursor>&limit=<n>` answers with this. */
export const envelopeSchema = z.object({
  items: z.array(z.unknown()),
  next: withoutNul(z.string()).nullable().optional(),
  hasMore: z.boolean(),
});

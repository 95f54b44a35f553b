/**
 * Silences (静默): an officer mutes the notifications of some alerts until an end time, e.g. during
 * planned maintenance of a feed or while a known incident is being handled. Alerts keep changing
 * state underneath; only their notifications wait.
 */
import { z } from 'zod';
import { canSeeStreet, type Principal } from '../roles.js';
import { storableInstant, withoutNul } from '../storable.js';
import type { AlertKey } from './alert.js';

/** A silence's start or end: within the years the database stores. */
const instant = storableInstant();

/**
 * A silence of a set of rules: notifications of the alerts it matches are withheld from `startsAt`
 * (default: always already) until `endsAt`. An absent `rule`, `street` or `feed` matches any.
 */
export function silenceSchemaOf<const Rule extends string>(rules: readonly [Rule, ...Rule[]]) {
  return z
    .strictObject({
      id: z.string().min(1).optional(),
      rule: z.enum(rules).optional(),
      street: z.string().min(1).optional(),
      feed: z.string().min(1).optional(),
      startsAt: instant.optional(),
      endsAt: instant,
      by: z.string().optional(),
      reason: withoutNul(z.string()).optional(),
    })
    .refine((s) => s.startsAt === undefined || Date.parse(s.startsAt) < Date.parse(s.endsAt), {
      message: 'a silence must end after it starts',
      path: ['endsAt'],
    });
}

/** A silence of any rule (rules/index.ts has the city's `Silence`). */
export type SilenceOf<Rule extends string = string> = z.infer<ReturnType<typeof silenceSchemaOf<Rule>>>;

/** Whether a silence covers this key at `now`: each field it sets matches, and now ∈ [startsAt, endsAt). */
export function silenceMatches(silence: SilenceOf, key: AlertKey, now: Date): boolean {
  const t = now.getTime();
  if (silence.startsAt !== undefined && t < Date.parse(silence.startsAt)) return false;
  if (t >= Date.parse(silence.endsAt)) return false;
  if (silence.rule !== undefined && silence.rule !== key.rule) return false;
  if (silence.street !== undefined && silence.street !== key.street) return false;
  if (silence.feed !== undefined && silence.feed !== key.feed) return false;
  return true;
}

/** Whether any of the silences covers this key at `now`. */
export function isSilenced(silences: readonly SilenceOf[], key: AlertKey, now: Date): boolean {
  return silences.some((silence) => silenceMatches(silence, key, now));
}

/**
 * Whether a token may see a silence, by the rule that decides which alerts it sees. Every role but
 * `street` sees them all. A street token sees the silences of its own streets and the city-wide ones
 * (no street, no feed), which hold back its streets' notifications too; not another street's, and
 * not a feed's (feed alerts are for operators).
 */
export function canSeeSilence(principal: Principal, silence: Pick<SilenceOf, 'street' | 'feed'>): boolean {
  if (principal.role !== 'street') return true;
  if (silence.street !== undefined) return canSeeStreet(principal, silence.street);
  return silence.feed === undefined;
}

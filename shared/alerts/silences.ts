/**
 * Silences (静默): an officer mutes the notifications of some alerts until an end time, e.g. during
 * planned maintenance of a feed or while a known incident is being handled. Alerts keep changing
 * state underneath; only their notifications wait.
 */
import { canSeeStreet, type Principal } from '../roles.js';
import type { Silence } from './config.js';
import type { AlertKey } from './types.js';

/** Whether a silence covers this key at `now`: each field it sets matches, and now ∈ [startsAt, endsAt). */
export function silenceMatches(silence: Silence, key: AlertKey, now: Date): boolean {
  const t = now.getTime();
  if (silence.startsAt !== undefined && t < Date.parse(silence.startsAt)) return false;
  if (t >= Date.parse(silence.endsAt)) return false;
  if (silence.rule !== undefined && silence.rule !== key.rule) return false;
  if (silence.street !== undefined && silence.street !== key.street) return false;
  if (silence.feed !== undefined && silence.feed !== key.feed) return false;
  return true;
}

/** Whether any of the silences covers this key at `now`. */
export function isSilenced(silences: readonly Silence[], key: AlertKey, now: Date): boolean {
  return silences.some((silence) => silenceMatches(silence, key, now));
}

/**
 * Whether a token may see a silence, by the rule that decides which alerts it sees. Every role but
 * `street` sees them all. A street token sees the silences of its own streets and the city-wide ones
 * (no street, no feed), which hold back its streets' notifications too; not another street's, and
 * not a feed's (feed alerts are for operators).
 */
export function canSeeSilence(principal: Principal, silence: Pick<Silence, 'street' | 'feed'>): boolean {
  if (principal.role !== 'street') return true;
  if (silence.street !== undefined) return canSeeStreet(principal, silence.street);
  return silence.feed === undefined;
}

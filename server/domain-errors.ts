/**
 * What the server's services refuse, by kind. A service throws (or returns) a refusal with its
 * code and a sentence; which HTTP status that is, is said once, in http/errors.ts — the services
 * know nothing of HTTP, and the socket answers with the same codes.
 */
export const REFUSALS = [
  /** The thing asked for does not exist. */
  'not_found',
  /** The caller may not do this (a street token, another street's alert). */
  'forbidden',
  /** What was sent is not valid; `details` lists each problem. */
  'invalid',
  /** No weight set is in force on the day asked for. */
  'no_weight_set',
  /** The month is not over yet: it cannot be published. */
  'month_not_over',
  /** The alert is not firing yet (still pending): there is nothing to acknowledge. */
  'pending',
  /** The alert was acknowledged already. */
  'acknowledged',
  /** The alert has resolved. */
  'resolved',
] as const;

export type Refusal = (typeof REFUSALS)[number];

export class DomainError extends Error {
  constructor(
    readonly refusal: Refusal,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

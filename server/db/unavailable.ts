/**
 * Which failures mean "the database is not there" rather than "this query is wrong": the API answers
 * them 503 (try again), not 500 (a bug), and health reports the database down.
 */
import { DatabaseTimeoutError, FROM_DATABASE } from './deadline.js';

/** postgres.js's codes for a connection that could not be made or was lost, and our deadline's. */
const DRIVER_CODES = new Set([
  'DATABASE_TIMEOUT', // server/db/deadline.ts
  'CONNECT_TIMEOUT',
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
]);

/** The socket's codes: the database's only when its client says the error is its own (FROM_DATABASE). */
const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/**
 * SQLSTATEs of an unavailable server: class 08 (connection exception), 57P01–57P03 (shut down by an
 * administrator, crashed, not accepting connections yet), 53300 (too many connections).
 */
const isUnavailableState = (code: string) =>
  /^08[0-9A-Z]{3}$/.test(code) || ['57P01', '57P02', '57P03', '53300'].includes(code);

/**
 * Whether an error, or one of its causes (drizzle wraps the driver's), says the database is
 * unavailable. A socket error counts when it came from the database client, not from a feed or a
 * receiver somewhere else.
 */
export function isDatabaseUnavailable(error: unknown, fromDatabase = false, depth = 0): boolean {
  if (!(error instanceof Error) || depth > 10) return false;
  const ours = fromDatabase || FROM_DATABASE in error;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (DRIVER_CODES.has(code) || isUnavailableState(code)) return true;
    if (ours && SOCKET_CODES.has(code)) return true;
  }
  // Connecting to every address of a host name fails as one AggregateError.
  if (error instanceof AggregateError && error.errors.some((e) => isDatabaseUnavailable(e, ours, depth + 1)))
    return true;
  return isDatabaseUnavailable(error.cause, ours, depth + 1);
}

/**
 * A database failure in a few words that a monitor may show and an unauthenticated caller may read:
 * the deadline's sentence, or the driver's code; never a query, its parameters or an address.
 */
export function describeUnavailable(error: unknown): string {
  for (let cause: unknown = error, depth = 0; cause instanceof Error && depth <= 10; depth++) {
    if (cause instanceof DatabaseTimeoutError) return cause.message;
    const code = (cause as { code?: unknown }).code;
    if (typeof code === 'string' && isDatabaseUnavailable(cause, true))
      return `the database cannot be reached (${code})`;
    cause = cause.cause;
  }
  return isDatabaseUnavailable(error)
    ? 'the database cannot be reached'
    : 'the database failed to answer (the server log has the details)';
}

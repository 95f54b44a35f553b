/** One error type for the API, mapped once to `{code, message}` with the right status. */
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Logger } from 'pino';
import { ZodError } from 'zod';
import { describeIssues } from '../../shared/city.js';
import { isDatabaseUnavailable } from '../db/unavailable.js';
import { DomainError, type Refusal } from '../domain-errors.js';

export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export const badRequest = (message: string, details?: unknown) =>
  new ApiError(400, 'bad_request', message, details);
export const notFound = (message: string) => new ApiError(404, 'not_found', message);
export const conflict = (message: string) => new ApiError(409, 'conflict', message);

/** The one place a service's refusal becomes an HTTP status, and the code the answer carries. */
const REFUSAL_ANSWERS = {
  not_found: [404, 'not_found'],
  forbidden: [403, 'forbidden'],
  invalid: [400, 'bad_request'],
  no_weight_set: [409, 'no_weight_set'],
  month_not_over: [409, 'month_not_over'],
  pending: [409, 'pending'],
  acknowledged: [409, 'acknowledged'],
  resolved: [409, 'resolved'],
} as const satisfies Record<Refusal, [ContentfulStatusCode, string]>;

/** A service's refusal as the API answers it. */
export function refused(refusal: Refusal, message: string, details?: unknown): ApiError {
  const [status, code] = REFUSAL_ANSWERS[refusal];
  return new ApiError(status, code, message, details);
}

/** `weights.blocks.public: expected a number; name: is missing` from a zod error. */
export function zodMessage(error: ZodError): string {
  return describeIssues(error, 'body').join('; ');
}

/**
 * Said when the database does not answer or refuses connections. Whatever the request was meant to
 * change may or may not have been stored: ingests and imports are idempotent, so sending it again is safe.
 */
export const DATABASE_UNAVAILABLE_MESSAGE =
  'the database is unavailable; try again shortly (what this request changes may or may not be stored)';

/**
 * An error answer: `{code, message, details?, requestId}`. The request's id (its `X-Request-Id`) is
 * what a caller quotes to the operator, who finds it on every log line of the request.
 */
export function errorAnswer(
  c: Context,
  status: ContentfulStatusCode,
  code: string,
  message: string,
  details?: unknown,
) {
  const requestId = (c.var as { requestId?: string }).requestId;
  return c.json({ code, message, details, requestId }, status);
}

export function errorHandler(logger: Logger) {
  return (thrown: Error, c: Context) => {
    const error =
      thrown instanceof DomainError ? refused(thrown.refusal, thrown.message, thrown.details) : thrown;
    if (error instanceof ApiError)
      return errorAnswer(c, error.status, error.code, error.message, error.details);
    if (error instanceof ZodError) return errorAnswer(c, 400, 'bad_request', zodMessage(error));
    if (error instanceof HTTPException) {
      const code = error.status === 413 ? 'too_large' : 'http_error';
      return errorAnswer(c, error.status, code, error.message || 'request refused');
    }
    // The logger's `err` serializer keeps a failed query's parameters (a subscription's secrets) out.
    if (isDatabaseUnavailable(error)) {
      logger.warn({ err: error, path: c.req.path }, 'request failed: the database is unavailable');
      c.header('retry-after', '5');
      return errorAnswer(c, 503, 'database_unavailable', DATABASE_UNAVAILABLE_MESSAGE);
    }
    logger.error({ err: error, path: c.req.path }, 'request failed');
    return errorAnswer(c, 500, 'internal', 'internal error; the server log has the details');
  };
}

/** One error type for the API, mapped once to `{code, message}` with the right status. */
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Logger } from 'pino';
import { ZodError } from 'zod';
import { describeIssues } from '../../shared/city.js';
import { isDatabaseUnavailable } from '../db/unavailable.js';

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

export function errorHandler(logger: Logger) {
  return (error: Error, c: Context) => {
    if (error instanceof ApiError)
      return c.json({ code: error.code, message: error.message, details: error.details }, error.status);
    if (error instanceof ZodError) return c.json({ code: 'bad_request', message: zodMessage(error) }, 400);
    if (error instanceof HTTPException) {
      const code = error.status === 413 ? 'too_large' : 'http_error';
      return c.json({ code, message: error.message || 'request refused' }, error.status);
    }
    // The logger's `err` serializer keeps a failed query's parameters (a subscription's secrets) out.
    if (isDatabaseUnavailable(error)) {
      logger.warn({ err: error, path: c.req.path }, 'request failed: the database is unavailable');
      c.header('retry-after', '5');
      return c.json({ code: 'database_unavailable', message: DATABASE_UNAVAILABLE_MESSAGE }, 503);
    }
    logger.error({ err: error, path: c.req.path }, 'request failed');
    return c.json({ code: 'internal', message: 'internal error; the server log has the details' }, 500);
  };
}

/**
 * The workbench's writes (POST, PUT) with the bearer token. A refusal keeps the server's `details`
 * (the 400's issues, one per path) so that the page can put each beside the field it names.
 */
import { ApiFailure, type FailureKind } from '../api.js';

const TIMEOUT_MS = 20_000;

export class ApiRefusal extends ApiFailure {
  constructor(
    kind: FailureKind,
    message: string,
    status: number | null,
    readonly details: unknown,
  ) {
    super(kind, message, status);
  }
}

const isErrorBody = (body: unknown): body is { message: string; details?: unknown } =>
  typeof body === 'object' && body !== null && 'message' in body && typeof body.message === 'string';

/** Whether a failure is a call given up on by its caller (a newer edit superseded it). */
export const isAborted = (error: unknown): boolean =>
  error instanceof DOMException && error.name === 'AbortError';

/** Sends JSON; resolves to the answer's JSON or rejects with an ApiRefusal (or the AbortError of `signal`). */
export async function sendJson<T>(
  method: 'POST' | 'PUT',
  path: string,
  token: string,
  body: unknown,
  signal?: AbortSignal,
): Promise<T> {
  let response: Response;
  const timeout = AbortSignal.timeout(TIMEOUT_MS);
  try {
    response = await fetch(path, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        accept: 'application/json',
        'content-type': 'application/json',
      },
      body: JSON.stringify(body),
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      cache: 'no-store',
    });
  } catch (error) {
    if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : error;
    throw new ApiRefusal('network', error instanceof Error ? error.message : String(error), null, null);
  }
  const answer: unknown = await response.json().catch(() => null);
  if (response.ok && answer !== null) return answer as T;
  const message = isErrorBody(answer) ? answer.message : `${response.status} ${response.statusText}`.trim();
  const kind: FailureKind =
    response.status === 401 ? 'token' : response.status === 403 ? 'forbidden' : 'server';
  throw new ApiRefusal(kind, message, response.status, isErrorBody(answer) ? answer.details : undefined);
}

/**
 * Reading one page of a feed over HTTP: a GET with the paging's query parameters, or a POST of a
 * JSON body, with the configured headers and query, a timeout per attempt and retries with
 * exponential backoff and full jitter, each attempt waiting for the feed's turn (its request rate).
 * Anything but a 200 with a readable answer is a failure that stores nothing. A failure's message
 * names the feed by scheme and host only and quotes nothing of its path, query, headers or body:
 * it reaches the log and /api/health, which anyone may read.
 */
import type { Dispatcher } from 'undici';
import { describeUrl, scrubber, urlSecrets } from '../http/url-secrets.js';
import { sleep } from './pacer.js';

export interface PageRequest {
  url: string;
  method?: 'GET' | 'POST';
  /** Sent with every request (an API key, the authorization); never quoted in an error. */
  headers?: Readonly<Record<string, string>>;
  /** Added to the URL's own query: the configured parameters and, in a GET, the paging's. */
  query?: readonly (readonly [string, string])[];
  /** A POST's JSON body. */
  body?: unknown;
  /** Values read from the environment (tokens, passwords): never quoted in an error. */
  secrets?: readonly string[];
  /** A connection pool of the feed's own (its CA); fetch's default when absent. */
  dispatcher?: Dispatcher;
  /** Waits for the feed's turn before each attempt (its request rate). */
  pace?: (signal?: AbortSignal) => Promise<void>;
  timeoutMs: number;
  retries: number;
  /** Base of the backoff between attempts. */
  backoffMs?: number;
  /** Aborts the whole fetch, retries included (shutdown). */
  signal?: AbortSignal;
  /** For tests: where the jitter comes from. */
  random?: () => number;
}

/** How an answer's JSON is read: its value, or what is wrong with it. */
export type AnswerReader<T> = (json: unknown) => { ok: true; answer: T } | { ok: false; problems: string[] };

export class FeedFetchError extends Error {
  /**
   * The connection was closed by the other side before any answer (ECONNRESET, "other side
   * closed"): typically a kept-alive connection the feed closed as idle just as it was reused.
   */
  constructor(
    message: string,
    readonly connectionLost = false,
  ) {
    super(message);
  }
}

/** Network error codes of a connection closed under a request. */
const CONNECTION_LOST = new Set(['ECONNRESET', 'UND_ERR_SOCKET', 'EPIPE']);

const MAX_BODY_CHARS = 200;
/** An answer is scrubbed whole before it is cut, so that no part of a secret survives at the cut. */
const MAX_SCRUBBED_CHARS = 64 * 1024;

async function fetchOnce<T>(request: PageRequest, read: AnswerReader<T>): Promise<T> {
  const where = describeUrl(request.url);
  const scrub = scrubber([
    ...urlSecrets(request.url),
    ...Object.values(request.headers ?? {}),
    ...(request.secrets ?? []),
  ]);
  const gist = (text: string) =>
    scrub(text.slice(0, MAX_SCRUBBED_CHARS)).replace(/\s+/g, ' ').trim().slice(0, MAX_BODY_CHARS);
  const url = new URL(request.url);
  for (const [name, value] of request.query ?? []) url.searchParams.set(name, value);
  const post = request.method === 'POST';
  const signals = [AbortSignal.timeout(request.timeoutMs), ...(request.signal ? [request.signal] : [])];
  let response: Response;
  let text: string;
  try {
    const init = {
      method: post ? 'POST' : 'GET',
      signal: AbortSignal.any(signals),
      headers: {
        accept: 'application/json',
        ...(post ? { 'content-type': 'application/json; charset=utf-8' } : {}),
        ...request.headers,
      },
      body: post ? JSON.stringify(request.body ?? {}) : undefined,
      // Node's fetch is undici's: it takes an undici pool as its dispatcher (same major version).
      dispatcher: request.dispatcher,
    };
    response = await fetch(url, init as RequestInit);
    text = await response.text();
  } catch (error) {
    const name = (error as Error).name;
    if (name === 'TimeoutError')
      throw new FeedFetchError(`no answer within ${request.timeoutMs} ms from ${where}`);
    if (name === 'AbortError') throw new FeedFetchError('aborted');
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    throw new FeedFetchError(
      `cannot reach ${where}: ${cause ?? gist((error as Error).message)}`,
      cause !== undefined && CONNECTION_LOST.has(cause),
    );
  }
  if (!response.ok) {
    const quoted = gist(text);
    throw new FeedFetchError(`HTTP ${response.status} from ${where}${quoted ? `: ${quoted}` : ''}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new FeedFetchError(`the answer of ${where} is not JSON: ${gist(text)}`);
  }
  const answer = read(json);
  if (!answer.ok)
    throw new FeedFetchError(`the answer of ${where} is not a feed envelope: ${answer.problems.join('; ')}`);
  return answer.answer;
}

/**
 * One page, retried; throws the last attempt's FeedFetchError when every attempt failed. A connection
 * lost under the request is tried again at once on a new one, once, besides the retries: it was a
 * pooled connection the feed had closed, not a feed failing.
 */
export async function fetchPage<T>(request: PageRequest, read: AnswerReader<T>): Promise<T> {
  const random = request.random ?? Math.random;
  const base = request.backoffMs ?? 500;
  let reconnected = false;
  for (let attempt = 0; ; attempt++) {
    try {
      await request.pace?.(request.signal);
      if (request.signal?.aborted) throw new FeedFetchError('aborted');
      return await fetchOnce(request, read);
    } catch (error) {
      if (
        error instanceof FeedFetchError &&
        error.connectionLost &&
        !reconnected &&
        !request.signal?.aborted
      ) {
        reconnected = true;
        attempt--;
        continue;
      }
      if (!(error instanceof FeedFetchError) || attempt >= request.retries || request.signal?.aborted)
        throw error;
      // Full jitter: anywhere between 0 and the exponential ceiling.
      await sleep(random() * base * 2 ** attempt, request.signal);
    }
  }
}

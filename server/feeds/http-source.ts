/**
 * Reading one page of a feed over HTTP: `GET <url>?since=<cursor>&limit=<n>` with the configured
 * headers, a timeout per attempt and retries with exponential backoff and full jitter. Anything but
 * a 200 with a valid envelope is a failure that stores nothing. A failure's message names the feed by
 * scheme and host only and quotes nothing of its path, query or headers: it reaches the log and
 * /api/health, which anyone may read.
 */
import { describeIssues } from '../../shared/city.js';
import { envelopeSchema, type Envelope } from '../../shared/feeds.js';
import { describeUrl, scrubber, urlSecrets } from '../http/url-secrets.js';

export interface PageRequest {
  url: string;
  /** Sent with every request (an API key, a bearer token); never quoted in an error. */
  headers?: Readonly<Record<string, string>>;
  cursor: string | null;
  limit: number;
  timeoutMs: number;
  retries: number;
  /** Base of the backoff between attempts. */
  backoffMs?: number;
  /** Aborts the whole fetch, retries included (shutdown). */
  signal?: AbortSignal;
  /** For tests: where the jitter comes from. */
  random?: () => number;
}

export class FeedFetchError extends Error {}

const MAX_BODY_CHARS = 200;
/** An answer is scrubbed whole before it is cut, so that no part of a secret survives at the cut. */
const MAX_SCRUBBED_CHARS = 64 * 1024;

async function fetchOnce(request: PageRequest): Promise<Envelope> {
  const where = describeUrl(request.url);
  const scrub = scrubber([...urlSecrets(request.url), ...Object.values(request.headers ?? {})]);
  const gist = (text: string) =>
    scrub(text.slice(0, MAX_SCRUBBED_CHARS)).replace(/\s+/g, ' ').trim().slice(0, MAX_BODY_CHARS);
  const url = new URL(request.url);
  if (request.cursor !== null) url.searchParams.set('since', request.cursor);
  url.searchParams.set('limit', String(request.limit));
  const signals = [AbortSignal.timeout(request.timeoutMs), ...(request.signal ? [request.signal] : [])];
  let response: Response;
  let text: string;
  try {
    response = await fetch(url, {
      signal: AbortSignal.any(signals),
      headers: { accept: 'application/json', ...request.headers },
    });
    text = await response.text();
  } catch (error) {
    const name = (error as Error).name;
    if (name === 'TimeoutError')
      throw new FeedFetchError(`no answer within ${request.timeoutMs} ms from ${where}`);
    if (name === 'AbortError') throw new FeedFetchError('aborted');
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    throw new FeedFetchError(`cannot reach ${where}: ${cause ?? gist((error as Error).message)}`);
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
  const envelope = envelopeSchema.safeParse(json);
  if (!envelope.success)
    throw new FeedFetchError(
      `the answer of ${where} is not a feed envelope: ${describeIssues(envelope.error).join('; ')}`,
    );
  return envelope.data;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });

/** One page, retried; throws the last attempt's FeedFetchError when every attempt failed. */
export async function fetchPage(request: PageRequest): Promise<Envelope> {
  const random = request.random ?? Math.random;
  const base = request.backoffMs ?? 500;
  for (let attempt = 0; ; attempt++) {
    try {
      return await fetchOnce(request);
    } catch (error) {
      if (!(error instanceof FeedFetchError) || attempt >= request.retries || request.signal?.aborted)
        throw error;
      // Full jitter: anywhere between 0 and the exponential ceiling.
      await sleep(random() * base * 2 ** attempt, request.signal);
    }
  }
}

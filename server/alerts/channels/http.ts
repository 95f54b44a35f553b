/**
 * One HTTP request to a receiver, bounded by a timeout, with the answer classified the same way for
 * every HTTP channel (webhook, WeCom, DingTalk, SMS gateway).
 */
import { deadline, failed, type DeliveryFailure, type DeliveryResult } from './channel.js';
import { describeUrl } from '../../http/url-secrets.js';

export interface HttpRequest {
  url: string;
  method?: 'POST' | 'PUT';
  headers?: Record<string, string>;
  body: string;
  timeoutMs: number;
  signal?: AbortSignal | undefined;
  /** Removes secrets from anything quoted in an error message. */
  scrub: (text: string) => string;
}

export type HttpAnswer = { ok: true; status: number; text: string } | { ok: false; result: DeliveryFailure };

/** A receiver's answer is read only this far: enough for `{"errcode":…}` or an error page's gist. */
const MAX_ANSWER_BYTES = 64 * 1024;
const QUOTED_CHARS = 200;

/** 408 and 429 ask to come back later; other 4xx say the request itself is wrong. */
export const isRetryableStatus = (status: number): boolean =>
  status >= 500 || status === 408 || status === 429;

/** A short, scrubbed quote of a receiver's answer for an error message. */
export function quote(text: string, scrub: (text: string) => string): string {
  const oneLine = scrub(text).replace(/\s+/g, ' ').trim();
  return oneLine.length > QUOTED_CHARS ? `${oneLine.slice(0, QUOTED_CHARS)}…` : oneLine;
}

async function readCapped(response: Response): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  while (size < MAX_ANSWER_BYTES) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.byteLength;
  }
  await reader.cancel().catch(() => {});
  return Buffer.concat(chunks).subarray(0, MAX_ANSWER_BYTES).toString('utf8');
}

/** Sends the request; a 2xx answer comes back with its text, anything else as a classified failure. */
export async function sendHttp(request: HttpRequest): Promise<HttpAnswer> {
  const limit = deadline(request.timeoutMs, request.signal);
  const where = describeUrl(request.url);
  try {
    const response = await fetch(request.url, {
      method: request.method ?? 'POST',
      headers: { 'user-agent': 'pingan-wall', ...request.headers },
      body: request.body,
      signal: limit.signal,
      // A redirect would re-send a signed alert somewhere not configured; report it instead.
      redirect: 'manual',
    });
    const text = await readCapped(response);
    if (response.status >= 200 && response.status < 300) return { ok: true, status: response.status, text };
    const gist = quote(text, request.scrub);
    const error = `${request.scrub(where)} answered HTTP ${response.status}${gist ? `: ${gist}` : ''}`;
    return { ok: false, result: failed(error, isRetryableStatus(response.status)) };
  } catch (error) {
    if (limit.signal.aborted) return { ok: false, result: limit.failure() };
    return { ok: false, result: failed(`${request.scrub(where)}: ${networkError(error)}`, true) };
  }
}

/** "ECONNREFUSED" rather than fetch's bare "fetch failed". */
function networkError(error: unknown): string {
  const cause =
    error instanceof Error ? (error.cause as { code?: unknown; message?: unknown } | undefined) : undefined;
  const code = typeof cause?.code === 'string' ? ` (${cause.code})` : '';
  if (typeof cause?.message === 'string') return `network error${code}: ${cause.message}`;
  if (code) return `network error${code}`;
  return `network error: ${error instanceof Error ? error.message : String(error)}`;
}

/** The JSON a robot answered, or null when it is not JSON. */
/** A receiver's success, with what it answered quoted (a test notification shows it). */
export function answered(
  answer: { status: number; text: string },
  scrub: (text: string) => string,
): DeliveryResult {
  const gist = quote(answer.text, scrub);
  return { ok: true, answer: `HTTP ${answer.status}${gist ? `: ${gist}` : ''}` };
}

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

/**
 * A group robot's verdict (WeCom, DingTalk): HTTP 200 with `{"errcode":0}` is delivered; another
 * errcode is a refusal, retryable only for the codes that mean "busy" or "too fast".
 */
export function robotVerdict(
  robot: string,
  text: string,
  retryableCodes: ReadonlySet<number>,
  scrub: (text: string) => string,
): DeliveryResult {
  const answer = parseJson(text) as { errcode?: unknown; errmsg?: unknown } | null;
  if (typeof answer?.errcode !== 'number')
    return failed(
      `${robot} answered without an errcode (is the URL a robot's?): ${quote(text, scrub)}`,
      false,
    );
  if (answer.errcode === 0) return { ok: true, answer: `HTTP 200: ${quote(text, scrub)}` };
  const message = typeof answer.errmsg === 'string' ? `: ${quote(answer.errmsg, scrub)}` : '';
  return failed(
    `${robot} refused the message, errcode ${answer.errcode}${message}`,
    retryableCodes.has(answer.errcode),
  );
}

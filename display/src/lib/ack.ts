/**
 * Acknowledging an alert with a comment: the comment's rules (required, at most 500 characters),
 * and the signed link of a notification — `/ack/<alert id>?sub=&exp=&sig=` opens a page that reads
 * and acknowledges the alert through `/api/ack/<alert id>` with the same query and no token.
 * Every failure comes back as a value with a code, never as a thrown error.
 */
import type { AlertView, Names } from '$shared/api.js';

/** The most a comment may say (the server refuses longer ones). */
export const COMMENT_MAX = 500;

export interface CommentCheck {
  /** Characters of the trimmed comment, as the server counts them. */
  length: number;
  /** Why it cannot be sent yet; null when it can. */
  problem: 'empty' | 'too_long' | null;
}

/** Whether a comment can be sent: not blank, at most {@link COMMENT_MAX} characters once trimmed. */
export function checkComment(comment: string): CommentCheck {
  const length = comment.trim().length;
  return { length, problem: length === 0 ? 'empty' : length > COMMENT_MAX ? 'too_long' : null };
}

/** A signed acknowledgement link, as its page reads it from its URL. */
export interface AckLink {
  alertId: string;
  sub: string;
  exp: string;
  sig: string;
}

export function ackLinkFrom(alertId: string, params: URLSearchParams): AckLink {
  return {
    alertId,
    sub: params.get('sub') ?? '',
    exp: params.get('exp') ?? '',
    sig: params.get('sig') ?? '',
  };
}

/** The API path of a link: `/api/ack/<id>?sub=&exp=&sig=`. */
export function ackApiPath(link: AckLink): string {
  const query = new URLSearchParams({ sub: link.sub, exp: link.exp, sig: link.sig });
  return `/api/ack/${encodeURIComponent(link.alertId)}?${query.toString()}`;
}

/** When the link says it expires (epoch ms); null when it does not say. */
export function linkExpiry(link: AckLink): number | null {
  return /^\d+$/.test(link.exp) ? Number(link.exp) * 1000 : null;
}

/**
 * What a refusal is about. The server's codes — `link_invalid`, `link_expired` (403), `pending`,
 * `acknowledged`, `resolved` (409), `forbidden`, `not_found`, `bad_request`, `too_large` (413),
 * `internal` (500), `starting` (503) — and the client's own: `network` (no answer), `timeout` and
 * `offline` (the live channel), `server` (anything else). The page words each one in its language
 * (ack-i18n.ts); `message` is the server's own text, in English.
 */
export interface AckRefusal {
  ok: false;
  status: number | null;
  code: string;
  message: string;
}

export type AckAnswer<T> = ({ ok: true } & T) | AckRefusal;

const TIMEOUT_MS = 15_000;

async function call<T>(
  path: string,
  init: RequestInit,
  fetchImpl: typeof fetch,
  valid: (body: unknown) => body is T,
): Promise<AckAnswer<T>> {
  let response: Response;
  try {
    response = await fetchImpl(path, {
      ...init,
      headers: { accept: 'application/json', ...(init.body ? { 'content-type': 'application/json' } : {}) },
      signal: AbortSignal.timeout(TIMEOUT_MS),
      cache: 'no-store',
    });
  } catch (error) {
    return {
      ok: false,
      status: null,
      code: 'network',
      message: error instanceof Error ? error.message : String(error),
    };
  }
  const body: unknown = await response.json().catch(() => null);
  if (response.ok && valid(body)) return { ok: true, ...body };
  const said = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  return {
    ok: false,
    status: response.status,
    code: typeof said.code === 'string' ? said.code : 'server',
    message:
      typeof said.message === 'string' ? said.message : `${response.status} ${response.statusText}`.trim(),
  };
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null;

/** An alert as the API answers it: the fields the page reads are there. */
export function isAlertView(value: unknown): value is AlertView {
  return (
    isObject(value) &&
    typeof value.id === 'string' &&
    typeof value.status === 'string' &&
    isObject(value.text) &&
    isObject(value.text.zh) &&
    isObject(value.text.en)
  );
}

/**
 * `GET /api/ack/:id?…`: the alert the link is for and when the link expires; and, when the server
 * says, the street's names and the city's time zone (the page has no token to ask for them).
 */
export interface AckLinkRead {
  alert: AlertView;
  expiresAt: string | null;
  streetName?: Names | null;
  timezone?: string;
}

export function readAckLink(link: AckLink, fetchImpl: typeof fetch): Promise<AckAnswer<AckLinkRead>> {
  return call(
    ackApiPath(link),
    { method: 'GET' },
    fetchImpl,
    (body): body is AckLinkRead => isObject(body) && isAlertView(body.alert),
  );
}

/** `POST /api/ack/:id?…` with the comment: the alert, acknowledged. */
export function confirmAckLink(
  link: AckLink,
  comment: string,
  fetchImpl: typeof fetch,
): Promise<AckAnswer<{ alert: AlertView }>> {
  return call(
    ackApiPath(link),
    { method: 'POST', body: JSON.stringify({ comment: comment.trim() }) },
    fetchImpl,
    (body): body is { alert: AlertView } => isObject(body) && isAlertView(body.alert),
  );
}

/**
 * URLs that may carry secrets — a robot's key in the query, a webhook's token in the path, user info
 * — as channels and feeds show them: by scheme and host to everyone (health, errors, logs), masked
 * in an administrator's answers, and scrubbed out of any text a receiver or a feed quotes back.
 */

import { isEnvReference } from '../config/secret-env.js';

export const MASK = '***';

const safeDecode = (value: string): string => {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
};

/**
 * Whether a segment of a URL's path may be a credential: Feishu, Slack and Teams keep their webhook's
 * token in the path (`/open-apis/bot/v2/hook/9f8e7d6c-…`). Long segments, or shorter ones mixing
 * letters and digits, are taken for tokens; the words of a path (`hook`, `send`, `v2`, `open-apis`)
 * are kept, so a person can still tell which endpoint it is.
 */
const mayBeToken = (segment: string): boolean =>
  segment.length >= 16 || (segment.length >= 8 && /\d/.test(segment) && /[a-z]/i.test(segment));

/**
 * A URL for a log or an answer: no user info, every query value masked (WeCom and DingTalk keep
 * their keys there), and every path segment that may be a token masked.
 */
export function maskUrl(value: string): string {
  if (isEnvReference(value)) return value;
  const url = new URL(value);
  url.username = '';
  url.password = '';
  for (const key of [...url.searchParams.keys()]) url.searchParams.set(key, MASK);
  url.pathname = url.pathname
    .split('/')
    .map((segment) => (mayBeToken(safeDecode(segment)) ? MASK : segment))
    .join('/');
  return url.toString();
}

/**
 * The secret parts of a URL, decoded and as written: its user info, its query values, and its path —
 * whole, and each segment that may be a token — for a receiver that echoes the URL, or its token, back.
 */
export function urlSecrets(value: string): string[] {
  const url = new URL(value);
  const userInfo = [url.username, url.password];
  const rawValues = url.search
    .slice(1)
    .split('&')
    .map((pair) => pair.split('=')[1] ?? '');
  const path = url.pathname === '/' ? [] : [url.pathname, safeDecode(url.pathname)];
  const tokens = url.pathname
    .split('/')
    .flatMap((segment) => [segment, safeDecode(segment)])
    .filter(mayBeToken);
  return [
    ...userInfo,
    ...userInfo.map(safeDecode),
    ...url.searchParams.values(),
    ...rawValues,
    ...path,
    ...tokens,
  ];
}

/**
 * Where a request went, for an error message that /api/health shows to anyone: scheme and host only.
 * Not the path, where some webhooks keep their token; not the query or the user info, which hold keys.
 */
export const describeUrl = (value: string): string => {
  const url = new URL(value);
  return `${url.protocol}//${url.host}`;
};

/**
 * Removes secrets from text that may have come back from the other end (an echoed URL or header),
 * with further replacements of its own (a phone number by its masked form). Values under 4
 * characters are left alone: masking them would mangle the message and they protect nothing.
 */
export function scrubber(
  secrets: readonly string[],
  replacements: readonly (readonly [string, string])[] = [],
) {
  const all = [...secrets.map((secret) => [secret, MASK] as const), ...replacements]
    .filter(([value]) => value.length >= 4)
    .sort(([a], [b]) => b.length - a.length);
  return (text: string): string =>
    all.reduce((scrubbed, [value, mask]) => scrubbed.split(value).join(mask), text);
}

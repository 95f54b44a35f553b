/**
 * Credentials in channel configurations. Any credential may be written as `"env:NAME"` so that the
 * configuration file can be committed without it; the value is read from the environment when the
 * channel is built, from variables under the allowed prefix only (server/config/secret-env.ts).
 * Secrets are masked for logs and scrubbed out of every error message.
 */
import { z } from 'zod';
import { ConfigError } from '../../config/env.js';
import { ENV_REFERENCE, isEnvReference, readReference } from '../../config/secret-env.js';
import type { ChannelContext, ChannelKind } from './channel.js';

export { isEnvReference };

const MASK = '***';

/** http(s) only: a channel has no business posting to file: or data: URLs. */
export const httpUrl = z.url({ protocol: /^https?$/, message: 'expected an http(s) URL' });

/** A credential: `env:NAME`, or a literal that `literal` accepts. */
export function credential(literal: z.ZodType<string> = z.string().min(1)) {
  return z.string().superRefine((value, ctx) => {
    if (isEnvReference(value)) {
      if (!ENV_REFERENCE.test(value))
        ctx.addIssue({ code: 'custom', message: 'expected env:NAME with NAME an environment variable name' });
      return;
    }
    const parsed = literal.safeParse(value);
    if (!parsed.success)
      for (const issue of parsed.error.issues) ctx.addIssue({ code: 'custom', message: issue.message });
  });
}

/**
 * Reads `env:NAME` references from the environment at construction, checking what they hold. A name
 * outside the allowed prefix, or one of the server's own settings, is refused like a missing one.
 */
export function credentialReader(kind: ChannelKind, context: ChannelContext) {
  const env = context.env ?? process.env;
  return (value: string, path: string, literal?: z.ZodType<string>): string => {
    const refuse = (problem: string) =>
      new ConfigError(`${kind} channel configuration`, [`${path}: ${problem}`]);
    const read = readReference(value, env, context.secretPrefix);
    if (!read.ok) throw refuse(read.problem);
    if (read.name === null) return value;
    const checked = literal?.safeParse(read.value);
    if (checked && !checked.success)
      throw refuse(`environment variable ${read.name}: ${checked.error.issues[0]?.message ?? 'invalid'}`);
    return read.value;
  };
}

/** A secret for a log: the reference when it is one, otherwise a mask. */
export const maskSecret = (value: string): string => (isEnvReference(value) ? value : MASK);

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
 * "zhang.wei@example.com" → "z***@example.com": the domain says which organisation, the local part
 * (who) is personal data. Kept as written: an `env:NAME` reference, or text that is not an address.
 */
export function maskEmail(value: string): string {
  if (isEnvReference(value)) return value;
  const at = value.lastIndexOf('@');
  if (at <= 0) return value;
  return `${[...value.slice(0, at)][0]}${MASK}${value.slice(at)}`;
}

/** Something that looks like an e-mail address, in an SMTP reply or any other text. */
const EMAIL_ADDRESS = /[^\s<>()[\]@,;:"']+@[^\s<>()[\]@,;:"']+\.[^\s<>()[\]@,;:"'.]+/g;

/** Text with every e-mail address in it masked, as `maskEmail` does: SMTP replies quote recipients. */
export const maskEmailsIn = (text: string): string => text.replace(EMAIL_ADDRESS, maskEmail);

/** "+8613812345678" → "+86*******5678": enough for an operator to tell two recipients apart. */
export function maskPhone(value: string): string {
  if (isEnvReference(value)) return value;
  let keep = 4;
  return [...value]
    .reverse()
    .map((char) => (/\d/.test(char) && keep-- <= 0 ? '*' : char))
    .reverse()
    .join('');
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
 * Removes secrets and phone numbers from text that may have come back from a receiver (an echoed
 * URL, a gateway quoting the number it refused). Values under 4 characters are left alone: masking
 * them would mangle the message and they protect nothing.
 */
export function scrubber(secrets: readonly string[], phones: readonly string[] = []) {
  const replacements = [
    ...secrets.map((secret) => [secret, MASK] as const),
    ...phones.map((phone) => [phone, maskPhone(phone)] as const),
  ]
    .filter(([value]) => value.length >= 4)
    .sort(([a], [b]) => b.length - a.length);
  return (text: string): string =>
    replacements.reduce((scrubbed, [value, mask]) => scrubbed.split(value).join(mask), text);
}

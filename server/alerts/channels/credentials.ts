/**
 * Credentials in channel configurations. Any credential may be written as `"env:NAME"` so that the
 * configuration file can be committed without it; the value is read from the environment when the
 * channel is built, from variables under the allowed prefix only (server/config/secret-env.ts).
 * Secrets are masked for logs and scrubbed out of every error message.
 */
import { z } from 'zod';
import { ConfigError } from '../../config/env.js';
import { ENV_REFERENCE, isEnvReference, readReference } from '../../config/secret-env.js';
import { MASK, scrubber as scrubberOf } from '../../http/url-secrets.js';
import type { ChannelContext, ChannelKind } from './channel.js';

export { isEnvReference };

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
 * Removes secrets and phone numbers from text that may have come back from a receiver (an echoed
 * URL, a gateway quoting the number it refused); phone numbers keep their last digits.
 */
export const scrubber = (secrets: readonly string[], phones: readonly string[] = []) =>
  scrubberOf(
    secrets,
    phones.map((phone) => [phone, maskPhone(phone)] as const),
  );

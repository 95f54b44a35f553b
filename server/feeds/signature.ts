/**
 * Checking a pushed request's HMAC signature (shared/feed-push.ts says how a feed writes it). The
 * comparison takes the same time whatever the signature, and every refusal says what to fix without
 * saying anything of the secret or of the signature expected.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { FeedPush } from '../../shared/feed-push.js';

export interface SignedRequest {
  body: string;
  /** Lower-case header name → value. */
  header: (name: string) => string | undefined;
  now: Date;
}

/** The signature of a body (and timestamp) as the feed's system writes it. */
export function sign(push: FeedPush, secret: string, body: string, timestamp?: string): string {
  const content = timestamp === undefined ? body : `${timestamp}.${body}`;
  return createHmac(push.algorithm, secret).update(content, 'utf8').digest(push.encoding);
}

/** Why a request's signature does not hold, or null when it does. */
export function signatureProblem(push: FeedPush, secret: string, request: SignedRequest): string | null {
  const given = request.header(push.signatureHeader)?.trim();
  if (!given) return `${push.signatureHeader}: the request is not signed`;
  let timestamp: string | undefined;
  if (push.timestampHeader) {
    timestamp = request.header(push.timestampHeader)?.trim();
    if (!timestamp) return `${push.timestampHeader}: the signing time is missing`;
    if (!/^\d{9,13}$/.test(timestamp))
      return `${push.timestampHeader}: expected Unix seconds or milliseconds`;
    const ms = timestamp.length > 11 ? Number(timestamp) : Number(timestamp) * 1000;
    const skew = Math.abs(ms - request.now.getTime()) / 1000;
    if (skew > push.toleranceSeconds)
      return `${push.timestampHeader}: signed ${Math.round(skew)} s from the server's clock, more than the ${push.toleranceSeconds} s allowed`;
  }
  const value = given.startsWith(`${push.algorithm}=`) ? given.slice(push.algorithm.length + 1) : given;
  const expected = Buffer.from(sign(push, secret, request.body, timestamp), push.encoding);
  const actual = Buffer.from(value, push.encoding);
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected))
    return `${push.signatureHeader}: the signature does not match the body (${push.algorithm} HMAC, ${push.encoding})`;
  return null;
}

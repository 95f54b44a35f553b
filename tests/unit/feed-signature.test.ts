import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signatureProblem } from '../../server/feeds/signature.js';
import { feedPushSchema } from '../../shared/feed-push.js';

const SECRET = 'a-shared-secret';
const NOW = new Date('2026-11-25T02:30:00Z');
const BODY = '{"items":[{"id":"A1"}]}';
const seconds = String(NOW.getTime() / 1000);
const hmac = (content: string, algorithm = 'sha256', encoding: 'hex' | 'base64' = 'hex') =>
  createHmac(algorithm, SECRET).update(content).digest(encoding);

const check = (config: Record<string, unknown>, headers: Record<string, string>, body = BODY) =>
  signatureProblem(feedPushSchema.parse({ secret: 'env:PINGAN_SECRET_X', ...config }), SECRET, {
    body,
    header: (name) => headers[name],
    now: NOW,
  });

describe('signed pushes', () => {
  it('accepts the HMAC of timestamp and body, with or without the algorithm prefix, in seconds or ms', () => {
    const signature = hmac(`${seconds}.${BODY}`);
    expect(
      check({}, { 'x-pingan-signature': `sha256=${signature}`, 'x-pingan-timestamp': seconds }),
    ).toBeNull();
    expect(check({}, { 'x-pingan-signature': signature, 'x-pingan-timestamp': seconds })).toBeNull();
    const ms = String(NOW.getTime());
    expect(check({}, { 'x-pingan-signature': hmac(`${ms}.${BODY}`), 'x-pingan-timestamp': ms })).toBeNull();
  });

  it("speaks another system's convention: its headers, algorithm, encoding, no timestamp", () => {
    const config = {
      signatureHeader: 'X-Hub-Sign',
      timestampHeader: null,
      algorithm: 'sha512',
      encoding: 'base64',
    };
    expect(check(config, { 'x-hub-sign': hmac(BODY, 'sha512', 'base64') })).toBeNull();
    expect(check(config, { 'x-hub-sign': hmac(BODY) })).toBe(
      'x-hub-sign: the signature does not match the body (sha512 HMAC, base64)',
    );
  });

  it('refuses what is unsigned, forged, changed on the way, or replayed late, saying which', () => {
    const signature = hmac(`${seconds}.${BODY}`);
    expect(check({}, {})).toBe('x-pingan-signature: the request is not signed');
    expect(check({}, { 'x-pingan-signature': signature })).toBe(
      'x-pingan-timestamp: the signing time is missing',
    );
    expect(check({}, { 'x-pingan-signature': signature, 'x-pingan-timestamp': 'yesterday' })).toBe(
      'x-pingan-timestamp: expected Unix seconds or milliseconds',
    );
    expect(
      check({}, { 'x-pingan-signature': signature, 'x-pingan-timestamp': seconds }, BODY.replace('A1', 'A2')),
    ).toBe('x-pingan-signature: the signature does not match the body (sha256 HMAC, hex)');
    expect(check({}, { 'x-pingan-signature': 'sha256=zz', 'x-pingan-timestamp': seconds })).toMatch(
      /does not match/,
    );
    const late = String(NOW.getTime() / 1000 - 600);
    expect(check({}, { 'x-pingan-signature': hmac(`${late}.${BODY}`), 'x-pingan-timestamp': late })).toBe(
      "x-pingan-timestamp: signed 600 s from the server's clock, more than the 300 s allowed",
    );
  });

  it('keeps the secret out of the configuration', () => {
    const parsed = feedPushSchema.safeParse({ secret: 'plain-secret' });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.message).toBe('expected env:NAME: a secret stays in the environment');
  });
});

/**
 * How a system that pushes instead of being polled proves it is the one configured: an HMAC of the
 * request's body (and of its timestamp, when the system sends one) with a shared secret, in a header.
 * The configuration says where the signature and timestamp are and how they are written, so that a
 * system with its own convention can be connected without code.
 */
import { z } from 'zod';
import { ENV_REFERENCE } from './env-reference.js';
import { HEADER_NAME, HEADER_NAME_MESSAGE } from './http-header.js';

const headerName = z
  .string()
  .regex(HEADER_NAME, HEADER_NAME_MESSAGE)
  .transform((name) => name.toLowerCase());

export const SIGNATURE_ALGORITHMS = ['sha256', 'sha512', 'sha1'] as const;

export const feedPushSchema = z.strictObject({
  /** The shared secret: `env:NAME`, never written into the configuration itself. */
  secret: z.string().regex(ENV_REFERENCE, 'expected env:NAME: a secret stays in the environment'),
  /** Where the signature is: `sha256=<hex>` (the algorithm's name and `=` may be left out). */
  signatureHeader: headerName.default('x-pingan-signature'),
  /**
   * Where the sending time is (Unix seconds or milliseconds): signed as `<timestamp>.<body>` and
   * refused when further than `toleranceSeconds` from the server's clock (a replayed request). null:
   * the system sends none, and the body alone is signed.
   */
  timestampHeader: headerName.nullable().default('x-pingan-timestamp'),
  toleranceSeconds: z.number().int().min(1).max(86_400).default(300),
  algorithm: z.enum(SIGNATURE_ALGORITHMS).default('sha256'),
  encoding: z.enum(['hex', 'base64']).default('hex'),
  /** Where the items are in the pushed JSON (a dotted path); a bare array is read as it is. */
  items: z.string().trim().min(1).default('items'),
});

export type FeedPush = z.infer<typeof feedPushSchema>;

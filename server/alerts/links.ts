/**
 * Signed acknowledgement links: the link in a notification opens a small page where the street head
 * confirms with a comment, without a token. The link names the alert, the subscription it was sent
 * to and an expiry, signed with HMAC-SHA256 under a key the server creates once and keeps in the
 * database (or ACK_LINK_SECRET), so links survive restarts and cannot be forged or extended.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Db } from '../db/client.js';
import { storedKey } from '../repositories/settings.js';

const SECRET_KEY = 'ack_link_secret';

/** What a link carries in its query, as received (strings, maybe missing). */
export interface AckLinkQuery {
  sub?: string | null;
  exp?: string | null;
  sig?: string | null;
}

export type AckLinkCheck =
  | { ok: true; subscriptionId: number | null; expiresAt: Date }
  | { ok: false; code: 'link_invalid' | 'link_expired'; message: string };

/** The key: ACK_LINK_SECRET when set, else one created on first start and kept in `settings`. */
export async function ackLinkSecret(db: Db, configured?: string): Promise<Buffer> {
  if (configured) return Buffer.from(configured, 'utf8');
  return storedKey(db, SECRET_KEY);
}

export class AckLinks {
  constructor(
    private readonly secret: Buffer,
    /** Where people reach the server, e.g. https://wall.example.gov.cn (no trailing slash). */
    private readonly baseUrl: string,
    private readonly ttlMs: number,
  ) {}

  private sign(alertId: string, subscription: string, expires: string): string {
    return createHmac('sha256', this.secret)
      .update(`${alertId}\n${subscription}\n${expires}`)
      .digest('base64url');
  }

  /** The page that acknowledges `alertId`, valid for the configured time from `now`. */
  url(alertId: string, subscriptionId: number | null, now: Date): string {
    const sub = subscriptionId === null ? '' : String(subscriptionId);
    const exp = String(Math.floor((now.getTime() + this.ttlMs) / 1000));
    const query = new URLSearchParams({ sub, exp, sig: this.sign(alertId, sub, exp) });
    return `${this.baseUrl}/ack/${encodeURIComponent(alertId)}?${query.toString()}`;
  }

  /** Checks a link's signature and expiry. */
  verify(alertId: string, query: AckLinkQuery, now: Date): AckLinkCheck {
    const sub = query.sub ?? '';
    const exp = query.exp ?? '';
    const given = Buffer.from(query.sig ?? '', 'base64url');
    const expected = Buffer.from(this.sign(alertId, sub, exp), 'base64url');
    if (!/^\d+$/.test(exp) || (sub !== '' && !/^\d+$/.test(sub)))
      return {
        ok: false,
        code: 'link_invalid',
        message: 'the link is incomplete: open it from the notification again',
      };
    if (given.length !== expected.length || !timingSafeEqual(given, expected))
      return {
        ok: false,
        code: 'link_invalid',
        message: 'the link is not valid: it was changed or cut short',
      };
    const expiresAt = new Date(Number(exp) * 1000);
    if (now.getTime() >= expiresAt.getTime())
      return {
        ok: false,
        code: 'link_expired',
        message: `the link expired at ${expiresAt.toISOString()}: acknowledge on the street page instead`,
      };
    return { ok: true, subscriptionId: sub === '' ? null : Number(sub), expiresAt };
  }
}

/**
 * Generic webhook: the notification as JSON, signed so that the receiver can tell it came from us
 * and is fresh. The signature is HMAC-SHA256 over "<timestamp>.<raw body>" (the Stripe scheme):
 * binding the timestamp stops a captured request from being replayed later.
 */
import { createHmac } from 'node:crypto';
import { z } from 'zod';
import { timeoutMsSchema, type Channel, type ChannelDefinition, type Notification } from './channel.js';
import { credential, credentialReader, httpUrl, maskSecret, scrubber } from './credentials.js';
import { maskUrl, urlSecrets } from '../../http/url-secrets.js';
import { answered, sendHttp } from './http.js';

export const webhookConfigSchema = z.strictObject({
  url: credential(httpUrl),
  /** At least 16 characters: it is the only thing that authenticates us to the receiver. */
  secret: credential(z.string().min(16, 'must be at least 16 characters')),
  timeoutMs: timeoutMsSchema,
});
export type WebhookConfig = z.infer<typeof webhookConfigSchema>;

/** `sha256=<hex>` of HMAC-SHA256(secret, "<timestamp>.<raw body>"), the X-Pingan-Signature header. */
export function webhookSignature(secret: string, timestamp: number, rawBody: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${rawBody}`).digest('hex')}`;
}

/** The JSON body: every field of the notification, `ackUrl` null when there is none. */
export const webhookBody = (n: Notification): string =>
  JSON.stringify({
    idempotencyKey: n.idempotencyKey,
    alertId: n.alertId,
    street: n.street,
    severity: n.severity,
    kind: n.kind,
    title: n.title,
    body: n.body,
    ackUrl: n.ackUrl ?? null,
    at: n.at,
  });

export const webhookChannel: ChannelDefinition<WebhookConfig> = {
  kind: 'webhook',
  configSchema: webhookConfigSchema,
  create(config, context): Channel {
    const read = credentialReader('webhook', context);
    const url = read(config.url, 'url', httpUrl);
    const secret = read(config.secret, 'secret');
    const scrub = scrubber([secret, ...urlSecrets(url)]);
    return {
      kind: 'webhook',
      async send(notification, signal) {
        const body = webhookBody(notification);
        // Read at send time: the signature must be fresh for each attempt.
        const timestamp = Math.floor(Date.now() / 1000);
        const answer = await sendHttp({
          url,
          body,
          timeoutMs: config.timeoutMs,
          signal,
          scrub,
          headers: {
            'content-type': 'application/json; charset=utf-8',
            'idempotency-key': notification.idempotencyKey,
            'x-pingan-timestamp': String(timestamp),
            'x-pingan-signature': webhookSignature(secret, timestamp, body),
          },
        });
        return answer.ok ? answered(answer, scrub) : answer.result;
      },
    };
  },
  redact: (config) => ({ ...config, url: maskUrl(config.url), secret: maskSecret(config.secret) }),
};

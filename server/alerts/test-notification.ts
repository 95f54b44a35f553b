/**
 * "Send a test notification": one made-up notification through every channel of a subscription, at
 * once and outside the outbox (nothing is retried or recorded), so that an administrator sees what
 * each receiver answered — the robot's errcode, the webhook's status, the SMTP server's reply —
 * before a real alert depends on it.
 */
import type { CityConfig } from '../../shared/city.js';
import type { Subscription } from '../../shared/alerts/subscriptions.js';
import { ConfigError } from '../config/env.js';
import type { ChannelContext, Notification } from './channels/channel.js';
import { createChannel } from './channels/registry.js';

/** What one channel's receiver made of the test. */
export interface ChannelTestResult {
  channel: string;
  ok: boolean;
  /** What the receiver answered, quoted without secrets; null when it said nothing we keep. */
  answer: string | null;
  error: string | null;
}

/** The test notification: plainly a test in both languages, for the subscription's first street. */
export function testNotification(
  subscriptionId: number,
  spec: Subscription,
  city: Pick<CityConfig, 'streets'>,
  now: Date,
): Notification {
  const code = spec.streets[0] ?? city.streets[0]?.code ?? '';
  const street = city.streets.find((s) => s.code === code);
  return {
    idempotencyKey: `test-${subscriptionId}-${now.getTime()}`,
    alertId: `test-${subscriptionId}`,
    street: code,
    severity: 'info',
    kind: 'fire',
    title: { zh: '测试通知（无需处置）', en: 'Test notification (no action needed)' },
    body: {
      zh: `这是平安指数预警订阅“${spec.name}”的测试通知。\n${street ? `街道：${street.name.zh}` : ''}`.trim(),
      en: `This is a test of the Safety Index alert subscription "${spec.name}".\n${street ? `Street: ${street.name.en}` : ''}`.trim(),
    },
    at: now.toISOString(),
  };
}

/** Sends the notification through each channel in turn; never throws for a receiver's sake. */
export async function sendTest(
  spec: Subscription,
  notification: Notification,
  context: ChannelContext,
): Promise<ChannelTestResult[]> {
  const results: ChannelTestResult[] = [];
  for (const configured of spec.channels) {
    let channel;
    try {
      channel = createChannel(configured.kind, configured.config, context);
    } catch (error) {
      // A missing environment variable: the ConfigError names it, never its value.
      if (!(error instanceof ConfigError)) throw error;
      results.push({ channel: configured.kind, ok: false, answer: null, error: error.message });
      continue;
    }
    const result = await channel.send(notification);
    results.push(
      result.ok
        ? { channel: configured.kind, ok: true, answer: result.answer ?? null, error: null }
        : { channel: configured.kind, ok: false, answer: null, error: result.error },
    );
  }
  return results;
}

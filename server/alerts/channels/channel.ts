/**
 * One interface for every way a notification reaches a person: the wall's socket, a webhook, the
 * WeCom and DingTalk group robots, email and SMS. A channel sends one notification and says whether
 * it arrived, and if not whether trying again can help; retries, backoff and the once-per-key
 * guarantee belong to the dispatcher and its outbox, not to the channels.
 */
import { z } from 'zod';

export const CHANNEL_KINDS = ['socket', 'webhook', 'wecom', 'dingtalk', 'email', 'sms'] as const;
export type ChannelKind = (typeof CHANNEL_KINDS)[number];

const bilingual = z.strictObject({ zh: z.string().min(1), en: z.string().min(1) });

/** What the dispatcher hands a channel: one notification of one alert, with its text in both languages. */
export const notificationSchema = z.strictObject({
  /** The same key for every attempt of the same notification: receivers can drop a resend. */
  idempotencyKey: z.string().min(1).max(200),
  alertId: z.string().min(1),
  street: z.string(),
  severity: z.enum(['info', 'warning', 'critical']),
  kind: z.enum(['fire', 'repeat', 'escalate', 'resolve']),
  title: bilingual,
  /** Lines separated by "\n". */
  body: z.strictObject({ zh: z.string(), en: z.string() }),
  /** Where the street head acknowledges the alert. */
  ackUrl: z.url({ protocol: /^https?$/ }).optional(),
  at: z.iso.datetime({ offset: true }),
});
export type Notification = z.infer<typeof notificationSchema>;

/**
 * Retryable: the receiver may accept the same notification later (network error, timeout, 5xx, 408,
 * 429, a robot's rate limit, the caller's abort). Not retryable: the receiver refused it and will
 * again (any other 4xx, an SMTP 5xx, a robot's error code) — a configuration problem for a person.
 */
export type DeliveryResult =
  /** `answer`: what the receiver said, quoted without secrets (`HTTP 200: {"errcode":0}`), when it said something. */
  { ok: true; answer?: string } | { ok: false; retryable: boolean; error: string };
export type DeliveryFailure = Extract<DeliveryResult, { ok: false }>;

export interface Channel {
  readonly kind: ChannelKind;
  /**
   * Delivers once; never throws. Resolves within the channel's `timeoutMs` (or when `signal`
   * aborts). Error messages name no secret, phone number or credential-bearing URL.
   */
  send(notification: Notification, signal?: AbortSignal): Promise<DeliveryResult>;
}

/** What the server gives channels when it builds them. */
export interface ChannelContext {
  /** Where `env:NAME` credentials are read from; `process.env` when absent. */
  env?: Readonly<Record<string, string | undefined>>;
  /** The prefix `env:NAME` references must start with (SECRET_ENV_PREFIX); `PINGAN_SECRET_` when absent. */
  secretPrefix?: string;
  /** The live hub's emitter, required by the socket channel. */
  emit?: (notification: Notification) => void | Promise<void>;
}

/** A channel kind: how to read its configuration, build it, and show its configuration safely. */
export interface ChannelDefinition<C = unknown> {
  readonly kind: ChannelKind;
  readonly configSchema: z.ZodType<C>;
  /** Resolves `env:NAME` credentials; throws a ConfigError naming a missing variable. */
  create(config: C, context: ChannelContext): Channel;
  /** The configuration with every secret masked (`env:NAME` references are kept: they are not secrets). */
  redact(config: C): Record<string, unknown>;
}

export const delivered: DeliveryResult = { ok: true };

export const failed = (error: string, retryable: boolean): DeliveryFailure => ({
  ok: false,
  retryable,
  error,
});

/** Aborts on the caller's signal or after `timeoutMs`, and tells which of the two happened. */
export function deadline(timeoutMs: number, signal?: AbortSignal) {
  const timeout = AbortSignal.timeout(timeoutMs);
  const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
  return {
    signal: combined,
    /** The failure to report once `signal` has aborted. */
    failure(): DeliveryFailure {
      return timeout.aborted
        ? failed(`timed out after ${timeoutMs} ms`, true)
        : failed('aborted before the receiver answered', true);
    },
  };
}

/** Timeouts every network channel accepts: long enough for a slow robot, short enough for a worker. */
export const timeoutMsSchema = z.number().int().positive().max(120_000).default(10_000);

/** Which language(s) a message is written in; street heads read Chinese. */
export const langSchema = z.enum(['zh', 'en', 'both']);
export type Lang = z.infer<typeof langSchema>;

/**
 * Subscriptions (订阅): who is told about which alerts, on which channels, and when not to wake them.
 * A subscription names a role ("金方街道负责人", "指挥中心值班组"), never a person: the people behind it
 * are reached through its channels, whose credentials and phone numbers live in the environment.
 *
 * This file holds the shape of a subscription and the two pure decisions made with it: whether an
 * alert effect concerns it, and until when quiet hours hold a notification back. Each channel's own
 * configuration is checked on the server, by the channel's schema.
 */
import { z } from 'zod';
import { addDays, zoneOffset } from '../period.js';
import { refuseNul } from '../storable.js';
import { RULES, SEVERITIES, type AlertEffect, type Audience, type Severity } from './types.js';

/** Every audience of alert.ts, as a tuple for the schema. */
export const AUDIENCES = ['street', 'leaders', 'operators'] as const satisfies readonly Audience[];

/**
 * The channel kinds, repeated from server/alerts/channels/channel.ts because shared/ may not import
 * server code; server/alerts/subscriptions.ts fails to compile when the two lists differ.
 */
export const SUBSCRIPTION_CHANNEL_KINDS = ['socket', 'webhook', 'wecom', 'dingtalk', 'email', 'sms'] as const;
export type SubscriptionChannelKind = (typeof SUBSCRIPTION_CHANNEL_KINDS)[number];

const localTime = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected a local time HH:MM, 00:00 to 23:59');

/**
 * Quiet hours in the city's local time, e.g. 22:00–07:00 (wrapping midnight). Warnings wait for the
 * end; a critical alert is delivered at once unless `critical` is `defer`.
 */
export const quietHoursSchema = z
  .strictObject({
    start: localTime,
    end: localTime,
    critical: z.enum(['deliver', 'defer']).default('deliver'),
  })
  .refine((quiet) => quiet.start !== quiet.end, {
    path: ['end'],
    message: 'must differ from start: quiet hours of no length (or of a whole day) are ambiguous',
  });
export type QuietHours = z.infer<typeof quietHoursSchema>;

export const subscriptionChannelSchema = z.strictObject({
  kind: z.enum(SUBSCRIPTION_CHANNEL_KINDS),
  /** Checked on the server by the kind's own schema (server/alerts/channels/registry.ts). */
  config: z.record(z.string(), z.unknown()).default({}),
});

/**
 * A subscription. Every string in it, channel configurations included, is refused when it holds a
 * NUL character: the whole subscription is stored as jsonb, which cannot hold one.
 */
export const subscriptionSchema = z
  .strictObject({
    /** A role label such as "金方街道负责人", not a person's name. */
    name: z.string().trim().min(1, 'is required').max(100),
    kind: z.enum(['person', 'group']),
    audiences: z.array(z.enum(AUDIENCES)).min(1, 'at least one audience is required').default(['street']),
    /** Street codes; empty: every street (and the alerts that have no street, such as stale feeds). */
    streets: z.array(z.string().min(1)).default([]),
    /** Empty: every rule. */
    rules: z.array(z.enum(RULES)).default([]),
    /** Empty: every severity. */
    severities: z.array(z.enum(SEVERITIES)).default([]),
    channels: z.array(subscriptionChannelSchema).min(1, 'at least one channel is required'),
    quietHours: quietHoursSchema.optional(),
    enabled: z.boolean().default(true),
  })
  .superRefine(refuseNul);

/** A subscription as accepted (defaults filled in). */
export type Subscription = z.infer<typeof subscriptionSchema>;
/** A subscription as written by an administrator (defaults may be left out). */
export type SubscriptionInput = z.input<typeof subscriptionSchema>;

/**
 * Whether an alert effect concerns a subscription: it is enabled, shares an audience with the
 * effect, and its street, rule and severity filters (empty: all) let the effect through. An alert
 * without a street (a stale feed) reaches only subscriptions without a street filter.
 */
export function matches(
  subscription: Pick<Subscription, 'enabled' | 'audiences' | 'streets' | 'rules' | 'severities'>,
  effect: Pick<AlertEffect, 'audience' | 'severity' | 'alert'>,
): boolean {
  if (!subscription.enabled) return false;
  if (!subscription.audiences.some((audience) => effect.audience.includes(audience))) return false;
  const { street, rule } = effect.alert;
  if (subscription.streets.length > 0 && (street === null || !subscription.streets.includes(street)))
    return false;
  if (subscription.rules.length > 0 && !subscription.rules.includes(rule)) return false;
  if (subscription.severities.length > 0 && !subscription.severities.includes(effect.severity)) return false;
  return true;
}

const minutesOf = (time: string): number => {
  const [hours, minutes] = time.split(':').map(Number) as [number, number];
  return hours * 60 + minutes;
};

/** The instant a local date and minute of the day occur in a time zone (the offset at that instant). */
function localInstant(date: string, minute: number, timeZone: string): Date {
  const wall = Date.parse(`${date}T00:00:00Z`) + minute * 60_000;
  const first = wall - zoneOffset(wall, timeZone);
  // Across a change of offset, the offset at the answer is the one that counts.
  return new Date(wall - zoneOffset(first, timeZone));
}

/**
 * When a notification of this severity must wait for the end of quiet hours: the instant they end,
 * reckoned in the city's time zone. Null when it may go now: no quiet hours, outside them (the
 * start is inside, the end is not), or a critical alert with `critical: 'deliver'`.
 */
export function quietUntil(
  quietHours: QuietHours | undefined,
  severity: Severity,
  now: Date,
  timeZone: string,
): Date | null {
  if (!quietHours) return null;
  if (severity === 'critical' && quietHours.critical === 'deliver') return null;
  const local = new Date(now.getTime() + zoneOffset(now.getTime(), timeZone));
  const today = local.toISOString().slice(0, 10);
  const minute = local.getUTCHours() * 60 + local.getUTCMinutes();
  const start = minutesOf(quietHours.start);
  const end = minutesOf(quietHours.end);
  let endDate: string;
  if (start < end) {
    if (minute < start || minute >= end) return null;
    endDate = today;
  } else {
    // Wrapping midnight (22:00–07:00): quiet from the start to midnight, and from midnight to the end.
    if (minute >= end && minute < start) return null;
    endDate = minute >= start ? addDays(today, 1) : today;
  }
  const until = localInstant(endDate, end, timeZone);
  return until.getTime() > now.getTime() ? until : null;
}

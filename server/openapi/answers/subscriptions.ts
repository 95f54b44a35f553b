/**
 * Subscriptions: the body an administrator writes (the shared schema, each channel with its kind's
 * configuration), and what the API shows of one — every secret masked.
 */
import { z } from 'zod';
import { AUDIENCES, quietHoursSchema, subscriptionSchema } from '../../../shared/alerts/subscriptions.js';
import { RULES, SEVERITIES } from '../../../shared/alerts/types.js';
import { CHANNEL_KINDS } from '../../alerts/channels/channel.js';
import { dingtalkConfigSchema } from '../../alerts/channels/dingtalk.js';
import { emailConfigSchema } from '../../alerts/channels/email.js';
import { smsConfigSchema } from '../../alerts/channels/sms.js';
import { socketConfigSchema } from '../../alerts/channels/socket.js';
import { webhookConfigSchema } from '../../alerts/channels/webhook.js';
import { wecomConfigSchema } from '../../alerts/channels/wecom.js';
import type { ChannelView, SubscriptionView } from '../../alerts/subscriptions.js';
import type { ChannelTestResult } from '../../alerts/test-notification.js';
import { jsonValue } from '../../../shared/json-value.js';
import { instant } from './common.js';

const CREDENTIAL =
  'Any credential may be written `env:NAME`, read from the server’s environment (NAME under the secret prefix) when the channel is built.';

/** The SMS gateway's configuration: its body template is any JSON, with its default. */
const smsConfig = smsConfigSchema.extend({
  bodyTemplate: jsonValue.default(smsConfigSchema.shape.bodyTemplate.def.defaultValue).meta({
    description:
      'The JSON body sent to the gateway. In its strings {message}, {phones}, {idempotencyKey} and {alertId} are filled in; a string that is exactly "{phoneNumbers}" becomes the array of numbers.',
  }),
});

/** A channel of the body: its kind, and the configuration that kind's schema checks. */
const channelOf = <Kind extends (typeof CHANNEL_KINDS)[number]>(
  kind: Kind,
  config: z.ZodType,
  description: string,
) => z.strictObject({ kind: z.literal(kind), config }).meta({ description });

/**
 * The body of POST and PUT: the shared subscription schema, with each channel's configuration as
 * its kind's schema has it. The route reads the body as it is and the repository validates it with
 * these same schemas (server/alerts/subscriptions.ts), plus what only the server can check: the
 * streets against the city, no phone number written out, every `env:NAME` set.
 */
export const subscriptionBody = z
  .strictObject({
    ...subscriptionSchema.shape,
    // Not the city's codes as an enum: the document is public, and names no street.
    streets: subscriptionSchema.shape.streets.meta({
      description:
        'Codes of the city’s streets (GET /api/streets). Empty: every street, and the alerts of no street (a stale feed).',
    }),
    rules: subscriptionSchema.shape.rules.meta({ description: 'Empty: every rule.' }),
    severities: subscriptionSchema.shape.severities.meta({ description: 'Empty: every severity.' }),
    channels: z
      .array(
        z.discriminatedUnion('kind', [
          channelOf(
            'socket',
            socketConfigSchema.default({}),
            'The wall’s notification stream (a live socket event).',
          ),
          channelOf('webhook', webhookConfigSchema, `A signed JSON POST. ${CREDENTIAL}`),
          channelOf('wecom', wecomConfigSchema, `A WeCom (企业微信) group robot. ${CREDENTIAL}`),
          channelOf('dingtalk', dingtalkConfigSchema, `A DingTalk (钉钉) group robot. ${CREDENTIAL}`),
          channelOf('email', emailConfigSchema, `E-mail through SMTP. ${CREDENTIAL}`),
          channelOf(
            'sms',
            smsConfig,
            `SMS through an HTTP gateway. Phone numbers are personal data: each must be \`env:NAME\`. ${CREDENTIAL}`,
          ),
        ]),
      )
      .min(1),
    quietHours: quietHoursSchema.optional().meta({
      description: 'Local times HH:MM; warnings wait for the end, critical alerts as `critical` says.',
    }),
  })
  .meta({
    description:
      'A subscription: a role (never a person’s name), which alerts concern it, and its channels. PUT replaces the whole of it; a secret sent back masked, as the API showed it, keeps the stored one.',
  });

const channelView = z
  .object({
    kind: z.enum(CHANNEL_KINDS),
    config: z.record(z.string(), z.unknown()).nullable().meta({
      description:
        'The kind’s configuration as stored, its defaults filled in, with every secret masked as `***`: a secret or password, a header’s value, a URL’s query values and token-like path segments (its user info is left out), an e-mail address but for its first letter and domain, a phone number but for its last four digits. An `env:NAME` reference is shown as written. Null when the configuration no longer passes its kind’s schema (see `problem`).',
    }),
    problem: z.string().optional().meta({ description: 'Why the stored configuration no longer passes.' }),
  })
  .meta({ id: 'SubscriptionChannel' }) satisfies z.ZodType<ChannelView>;

export const subscriptionView = z
  .object({
    id: z.number().int(),
    name: z.string(),
    kind: z.enum(['person', 'group']),
    audiences: z.array(z.enum(AUDIENCES)),
    streets: z.array(z.string()).meta({ description: 'Empty: every street.' }),
    rules: z.array(z.enum(RULES)).meta({ description: 'Empty: every rule.' }),
    severities: z.array(z.enum(SEVERITIES)).meta({ description: 'Empty: every severity.' }),
    channels: z.array(channelView),
    quietHours: z
      .object({ start: z.string(), end: z.string(), critical: z.enum(['deliver', 'defer']) })
      .optional(),
    enabled: z.boolean(),
    createdAt: instant,
    updatedAt: instant,
    problem: z.string().optional().meta({
      description:
        'Set when the stored subscription no longer passes validation (after an upgrade): its filters and channels are then empty; replace it with PUT.',
    }),
  })
  .meta({
    id: 'Subscription',
    description: 'A subscription as the API shows it: never a secret.',
  }) satisfies z.ZodType<SubscriptionView>;

export const subscriptionList = z.object({ subscriptions: z.array(subscriptionView) });

export const subscriptionTested = z.object({
  subscription: z.number().int(),
  results: z
    .array(
      z.object({
        channel: z.enum(CHANNEL_KINDS),
        ok: z.boolean(),
        answer: z.string().nullable().meta({
          description: 'What the receiver answered, without secrets; null when it said nothing kept.',
        }),
        error: z.string().nullable(),
      }) satisfies z.ZodType<ChannelTestResult>,
    )
    .meta({ description: 'One per channel, in the subscription’s order.' }),
});

export const subscriptionRemoved = z.object({ removed: z.number().int() });

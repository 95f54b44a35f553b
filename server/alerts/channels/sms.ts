/**
 * SMS through an HTTP gateway (运营商/云短信网关). Gateways differ, so the request is a template: the
 * message is filled from `template`, the request body from `bodyTemplate`. One request carries every
 * number, so a retry never texts only half of the recipients twice. Phone numbers are personal data:
 * masked in `redact` and scrubbed from every error message.
 */
import { z } from 'zod';
import { timeoutMsSchema, type Channel, type ChannelDefinition, type Notification } from './channel.js';
import { credential, credentialReader, httpUrl, maskPhone, maskSecret, scrubber } from './credentials.js';
import { maskUrl, urlSecrets } from '../../http/url-secrets.js';
import { answered, sendHttp } from './http.js';
import { bodyLines, kindLabel, severityLabel, truncate } from './message.js';
import { jsonValue } from '../../../shared/json-value.js';

/** Text placeholders of `template`. */
const TEXT_FIELDS = ['title', 'body', 'ackUrl', 'street', 'severity', 'kind', 'alertId', 'at'] as const;
type TextField = (typeof TEXT_FIELDS)[number];
const PLACEHOLDER = /\{(\w+)\}/g;

/** Long texts cost several SMS each and get cut by phones anyway. */
export const MAX_SMS_CHARS = 300;

const phoneNumber = z.string().regex(/^\+?\d{5,15}$/, 'expected a phone number of digits, optionally with +');

const DEFAULT_BODY_TEMPLATE = {
  phoneNumbers: '{phoneNumbers}',
  message: '{message}',
  idempotencyKey: '{idempotencyKey}',
};

export const smsConfigSchema = z.strictObject({
  url: credential(httpUrl),
  method: z.enum(['POST', 'PUT']).default('POST'),
  /** e.g. `{"authorization": "env:SMS_TOKEN"}`; every value is treated as a secret. */
  headers: z.record(z.string(), credential()).default({}),
  /** The message, with placeholders {title} {body} {ackUrl} {street} {severity} {kind} {alertId} {at}. */
  template: z
    .string()
    .min(1)
    .default('【平安指数】{title} {ackUrl}')
    .refine(
      (template) =>
        [...template.matchAll(PLACEHOLDER)].every(([, name]) => TEXT_FIELDS.includes(name as TextField)),
      { message: `unknown placeholder; expected some of ${TEXT_FIELDS.map((f) => `{${f}}`).join(' ')}` },
    ),
  phoneNumbers: z.array(credential(phoneNumber)).min(1),
  /**
   * The JSON body. In its strings {message}, {phones} (comma-separated), {idempotencyKey} and
   * {alertId} are filled; a string that is exactly "{phoneNumbers}" becomes the array of numbers.
   */
  bodyTemplate: jsonValue.default(DEFAULT_BODY_TEMPLATE),
  lang: z.enum(['zh', 'en']).default('zh'),
  timeoutMs: timeoutMsSchema,
});
export type SmsConfig = z.infer<typeof smsConfigSchema>;
type Json = SmsConfig['bodyTemplate'];

const fill = (template: string, values: Readonly<Record<string, string>>): string =>
  template.replace(PLACEHOLDER, (placeholder, name: string) => values[name] ?? placeholder);

/**
 * The message from the template, at most {@link MAX_SMS_CHARS}: the body gives way first, then the
 * title, so the ack link at the end survives.
 */
export function smsText(template: string, n: Notification, lang: 'zh' | 'en'): string {
  const values: Record<TextField, string> = {
    title: n.title[lang],
    body: bodyLines(n, lang).join(' '),
    ackUrl: n.ackUrl ?? '',
    street: n.street,
    severity: severityLabel(n, lang),
    kind: kindLabel(n, lang),
    alertId: n.alertId,
    at: n.at,
  };
  let text = fill(template, values).trim();
  for (const field of ['body', 'title'] as const) {
    const over = [...text].length - MAX_SMS_CHARS;
    if (over <= 0) break;
    values[field] = truncate(values[field], Math.max(1, [...values[field]].length - over));
    text = fill(template, values).trim();
  }
  return truncate(text, MAX_SMS_CHARS);
}

function fillJson(template: Json, values: Readonly<Record<string, string>>, phones: string[]): Json {
  if (template === '{phoneNumbers}') return phones;
  if (typeof template === 'string') return fill(template, values);
  if (Array.isArray(template)) return template.map((item) => fillJson(item, values, phones));
  if (template !== null && typeof template === 'object')
    return Object.fromEntries(Object.entries(template).map(([k, v]) => [k, fillJson(v, values, phones)]));
  return template;
}

export const smsChannel: ChannelDefinition<SmsConfig> = {
  kind: 'sms',
  configSchema: smsConfigSchema,
  create(config, context): Channel {
    const read = credentialReader('sms', context);
    const url = read(config.url, 'url', httpUrl);
    const headers = Object.fromEntries(
      Object.entries(config.headers).map(([name, value]) => [name, read(value, `headers.${name}`)]),
    );
    const phones = config.phoneNumbers.map((value, i) => read(value, `phoneNumbers.${i}`, phoneNumber));
    const scrub = scrubber([...Object.values(headers), ...urlSecrets(url)], phones);
    return {
      kind: 'sms',
      async send(notification, signal) {
        const message = smsText(config.template, notification, config.lang);
        const values = {
          message,
          phones: phones.join(','),
          idempotencyKey: notification.idempotencyKey,
          alertId: notification.alertId,
        };
        const answer = await sendHttp({
          url,
          method: config.method,
          headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
          body: JSON.stringify(fillJson(config.bodyTemplate, values, phones)),
          timeoutMs: config.timeoutMs,
          signal,
          scrub,
        });
        return answer.ok ? answered(answer, scrub) : answer.result;
      },
    };
  },
  redact: (config) => ({
    ...config,
    url: maskUrl(config.url),
    headers: Object.fromEntries(
      Object.entries(config.headers).map(([name, value]) => [name, maskSecret(value)]),
    ),
    phoneNumbers: config.phoneNumbers.map(maskPhone),
  }),
};

/**
 * DingTalk (钉钉) group robot with signing (加签): each request carries `timestamp` (ms) and
 * `sign = urlEncode(base64(HmacSHA256(secret, timestamp + "\n" + secret)))` in its query. DingTalk
 * refuses a timestamp more than an hour off, so both are made at send time.
 */
import { createHmac } from 'node:crypto';
import { z } from 'zod';
import { langSchema, timeoutMsSchema, type Channel, type ChannelDefinition } from './channel.js';
import { credential, credentialReader, httpUrl, maskSecret, scrubber } from './credentials.js';
import { maskUrl, urlSecrets } from '../../http/url-secrets.js';
import { robotVerdict, sendHttp } from './http.js';
import { headline, markdown } from './message.js';

export const dingtalkConfigSchema = z.strictObject({
  /** `https://oapi.dingtalk.com/robot/send?access_token=…` */
  url: credential(httpUrl),
  /** The robot's signing secret ("SEC…"). */
  secret: credential(),
  lang: langSchema.default('zh'),
  timeoutMs: timeoutMsSchema,
});
export type DingtalkConfig = z.infer<typeof dingtalkConfigSchema>;

/** DingTalk's markdown text limit is not documented precisely; 5000 characters stays well inside it. */
const MAX_TEXT_CHARS = 5000;

/** -1 系统繁忙 (busy), 130101 发送太快 (over 20 messages a minute). */
const RETRYABLE_ERRCODES = new Set([-1, 130101]);

/** The `sign` query value before URL encoding: base64 of HMAC-SHA256 keyed by the secret. */
export function dingtalkSign(secret: string, timestampMs: number): string {
  return createHmac('sha256', secret).update(`${timestampMs}\n${secret}`).digest('base64');
}

/** The robot URL with `timestamp` and `sign` set (URLSearchParams does the URL encoding). */
export function signedDingtalkUrl(url: string, secret: string, timestampMs: number): string {
  const signed = new URL(url);
  signed.searchParams.set('timestamp', String(timestampMs));
  signed.searchParams.set('sign', dingtalkSign(secret, timestampMs));
  return signed.toString();
}

export const dingtalkChannel: ChannelDefinition<DingtalkConfig> = {
  kind: 'dingtalk',
  configSchema: dingtalkConfigSchema,
  create(config, context): Channel {
    const read = credentialReader('dingtalk', context);
    const url = read(config.url, 'url', httpUrl);
    const secret = read(config.secret, 'secret');
    const scrub = scrubber([secret, ...urlSecrets(url)]);
    return {
      kind: 'dingtalk',
      async send(notification, signal) {
        const primary = config.lang === 'en' ? 'en' : 'zh';
        const body = JSON.stringify({
          msgtype: 'markdown',
          markdown: {
            // The title is what the chat list and the phone's banner show.
            title: headline(notification, primary),
            text: markdown(notification, config.lang, { max: MAX_TEXT_CHARS, unit: 'chars' }),
          },
        });
        const answer = await sendHttp({
          url: signedDingtalkUrl(url, secret, Date.now()),
          body,
          headers: { 'content-type': 'application/json; charset=utf-8' },
          timeoutMs: config.timeoutMs,
          signal,
          scrub,
        });
        return answer.ok
          ? robotVerdict('DingTalk robot', answer.text, RETRYABLE_ERRCODES, scrub)
          : answer.result;
      },
    };
  },
  redact: (config) => ({ ...config, url: maskUrl(config.url), secret: maskSecret(config.secret) }),
};

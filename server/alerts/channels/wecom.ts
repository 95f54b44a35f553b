/**
 * WeCom (企业微信) group robot: a markdown message to the robot's webhook
 * (`https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…`). The key in the URL is the robot's only
 * credential, so the whole URL is treated as a secret.
 */
import { z } from 'zod';
import { langSchema, timeoutMsSchema, type Channel, type ChannelDefinition } from './channel.js';
import { credential, credentialReader, httpUrl, scrubber } from './credentials.js';
import { maskUrl, urlSecrets } from '../../http/url-secrets.js';
import { robotVerdict, sendHttp } from './http.js';
import { markdown } from './message.js';

export const wecomConfigSchema = z.strictObject({
  url: credential(httpUrl),
  lang: langSchema.default('zh'),
  timeoutMs: timeoutMsSchema,
});
export type WecomConfig = z.infer<typeof wecomConfigSchema>;

/** WeCom refuses markdown content over 4096 bytes of UTF-8. */
const MAX_CONTENT_BYTES = 4096;

/** -1 系统繁忙 (busy), 45009 接口调用超过限制 (20 messages a minute per robot), 45033 too many at once. */
const RETRYABLE_ERRCODES = new Set([-1, 45009, 45033]);

export const wecomChannel: ChannelDefinition<WecomConfig> = {
  kind: 'wecom',
  configSchema: wecomConfigSchema,
  create(config, context): Channel {
    const url = credentialReader('wecom', context)(config.url, 'url', httpUrl);
    const scrub = scrubber(urlSecrets(url));
    return {
      kind: 'wecom',
      async send(notification, signal) {
        const content = markdown(notification, config.lang, { max: MAX_CONTENT_BYTES, unit: 'bytes' });
        const answer = await sendHttp({
          url,
          body: JSON.stringify({ msgtype: 'markdown', markdown: { content } }),
          headers: { 'content-type': 'application/json; charset=utf-8' },
          timeoutMs: config.timeoutMs,
          signal,
          scrub,
        });
        return answer.ok
          ? robotVerdict('WeCom robot', answer.text, RETRYABLE_ERRCODES, scrub)
          : answer.result;
      },
    };
  },
  redact: (config) => ({ ...config, url: maskUrl(config.url) }),
};

/**
 * What the HTTP receivers see beyond the contract: the webhook's signature, DingTalk's signing,
 * the robots' error codes, the SMS gateway's filled templates and masked numbers.
 */
import { createHmac } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createChannel, redactChannelConfig } from '../../server/alerts/channels/registry.js';
import { sampleNotification, startHttpReceiver, type HttpReceiver } from '../support/receivers.js';

let http: HttpReceiver;
beforeEach(async () => {
  http = await startHttpReceiver();
});
afterEach(() => http.stop());

const notification = sampleNotification();
const firstRequest = () => {
  const request = http.requests[0];
  if (!request) throw new Error('nothing reached the receiver');
  return request;
};

describe('the webhook', () => {
  const secret = 'whsec-0123456789abcdef';
  const webhook = () => createChannel('webhook', { url: `${http.origin}/hook`, secret, timeoutMs: 2000 });

  it('signs "<timestamp>.<raw body>" with the secret, so the receiver can verify it and its freshness', async () => {
    await webhook().send(notification);
    const { headers, body } = firstRequest();
    const timestamp = Number(headers['x-pingan-timestamp']);
    expect(Math.abs(timestamp - Date.now() / 1000)).toBeLessThan(5);
    const sign = (key: string, ts: number) =>
      `sha256=${createHmac('sha256', key).update(`${ts}.${body}`).digest('hex')}`;
    expect(headers['x-pingan-signature']).toBe(sign(secret, timestamp));
    // A replay with another timestamp, or a forger without the secret, does not verify.
    expect(headers['x-pingan-signature']).not.toBe(sign(secret, timestamp + 60));
    expect(headers['x-pingan-signature']).not.toBe(sign('another-secret-value', timestamp));
  });

  it('posts every field of the notification as JSON with its idempotency key as a header', async () => {
    await webhook().send(notification);
    const { headers, body } = firstRequest();
    expect(headers['idempotency-key']).toBe(notification.idempotencyKey);
    expect(headers['content-type']).toMatch(/^application\/json/);
    expect(JSON.parse(body)).toEqual(notification);
  });

  it.each([
    [408, true],
    [429, true],
    [502, true],
    [401, false],
    [404, false],
    [410, false],
  ])('classifies HTTP %i as retryable: %s', async (status, retryable) => {
    http.answer = { status, body: '' };
    expect(await webhook().send(notification)).toMatchObject({ ok: false, retryable });
  });

  it('names only the scheme and host of a receiver, and masks a path token the receiver echoes back', async () => {
    // A Feishu-style robot: the token is the last segment of the path.
    const token = '9f8e7d6c-path-token';
    const robot = createChannel('webhook', {
      url: `${http.origin}/open-apis/bot/v2/hook/${token}`,
      secret,
      timeoutMs: 2000,
    });
    http.answer = ({ url }) => ({ status: 404, body: `no robot at ${url}; token ${token} is unknown` });
    const result = await robot.send(notification);
    expect(result).toEqual({
      ok: false,
      retryable: false,
      error: `${http.origin} answered HTTP 404: no robot at ***; token *** is unknown`,
    });
    expect(
      JSON.stringify(
        redactChannelConfig('webhook', {
          url: `https://open.feishu.cn/open-apis/bot/v2/hook/${token}`,
          secret,
        }),
      ),
    ).toContain('"url":"https://open.feishu.cn/open-apis/bot/v2/hook/***"');
  });

  it('does not follow a redirect to somewhere it was not configured to post', async () => {
    http.answer = { status: 302, body: '' };
    expect(await webhook().send(notification)).toMatchObject({ ok: false, retryable: false });
    expect(http.requests).toHaveLength(1);
  });
});

describe('the DingTalk robot', () => {
  const secret = 'SEC0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcd';
  const robot = () =>
    createChannel('dingtalk', {
      url: `${http.origin}/robot/send?access_token=t0ken`,
      secret,
      timeoutMs: 2000,
    });

  it('signs each request: sign is the URL-encoded base64 HMAC of "timestamp\\nsecret", timestamp in ms', async () => {
    await robot().send(notification);
    const { url, body } = firstRequest();
    const query = new URL(url, http.origin).searchParams;
    const timestamp = Number(query.get('timestamp'));
    expect(Math.abs(timestamp - Date.now())).toBeLessThan(5000);
    const expected = createHmac('sha256', secret).update(`${timestamp}\n${secret}`).digest('base64');
    expect(query.get('sign')).toBe(expected);
    expect(url).toContain(`sign=${encodeURIComponent(expected)}`);
    expect(query.get('access_token')).toBe('t0ken');
    expect(JSON.parse(body)).toMatchObject({
      msgtype: 'markdown',
      markdown: { title: `【严重】${notification.title.zh}` },
    });
  });

  it.each([
    [310000, 'sign not match', false],
    [130101, 'send too fast', true],
  ])('reports errcode %i (%s) as a failure, retryable: %s', async (errcode, errmsg, retryable) => {
    http.answer = { status: 200, body: JSON.stringify({ errcode, errmsg }) };
    const result = await robot().send(notification);
    expect(result).toMatchObject({ ok: false, retryable });
    expect(!result.ok && result.error).toContain(String(errcode));
  });
});

describe('the WeCom robot', () => {
  const robot = () =>
    createChannel('wecom', { url: `${http.origin}/cgi-bin/webhook/send?key=k3y`, timeoutMs: 2000 });

  it('posts markdown that leads with severity and title and ends with the ack link', async () => {
    await robot().send(sampleNotification({ kind: 'escalate' }));
    const { msgtype, markdown } = JSON.parse(firstRequest().body) as {
      msgtype: string;
      markdown: { content: string };
    };
    expect(msgtype).toBe('markdown');
    expect(markdown.content.startsWith(`### 【严重·升级】${notification.title.zh}`)).toBe(true);
    expect(markdown.content.endsWith(`[确认处置](${notification.ackUrl})`)).toBe(true);
  });

  it('keeps a long message within 4096 bytes without losing the ack link', async () => {
    await robot().send(sampleNotification({ body: { zh: '扣分明细 '.repeat(2000), en: 'x' } }));
    const { markdown } = JSON.parse(firstRequest().body) as { markdown: { content: string } };
    expect(Buffer.byteLength(markdown.content)).toBeLessThanOrEqual(4096);
    expect(markdown.content).toContain(`(${notification.ackUrl})`);
  });

  it.each([
    [{ errcode: 93000, errmsg: 'invalid webhook url' }, false],
    [{ errcode: 45009, errmsg: 'api freq out of limit' }, true],
    [{ message: 'not a robot' }, false],
  ])('reports %j as a failure, retryable: %s', async (answer, retryable) => {
    http.answer = { status: 200, body: JSON.stringify(answer) };
    expect(await robot().send(notification)).toMatchObject({ ok: false, retryable });
  });
});

describe('the SMS gateway', () => {
  const phones = ['+8613812345678', '13987654321'];
  const config = (template = '【平安指数】{severity}: {title} {ackUrl}') => ({
    url: `${http.origin}/sms`,
    headers: { 'x-api-key': 'sms-api-key-123' },
    template,
    phoneNumbers: phones,
    bodyTemplate: {
      to: '{phones}',
      list: '{phoneNumbers}',
      text: '{message}',
      ref: '{idempotencyKey}',
      sign: 'PINGAN',
    },
    timeoutMs: 2000,
  });
  const gateway = (template?: string) => createChannel('sms', config(template));

  it('fills the message template and the body template', async () => {
    await gateway().send(notification);
    expect(JSON.parse(firstRequest().body)).toEqual({
      to: phones.join(','),
      list: phones,
      text: `【平安指数】严重: ${notification.title.zh} ${notification.ackUrl}`,
      ref: notification.idempotencyKey,
      sign: 'PINGAN',
    });
  });

  it('cuts a long message to 300 characters, shortening the title so the ack link survives', async () => {
    await gateway().send(sampleNotification({ title: { zh: '很长的标题'.repeat(100), en: 'long' } }));
    const { text } = JSON.parse(firstRequest().body) as { text: string };
    expect([...text]).toHaveLength(300);
    expect(text.endsWith(` ${notification.ackUrl}`)).toBe(true);
  });

  it('masks phone numbers in its redacted configuration and in errors that quote them', async () => {
    const redacted = JSON.stringify(redactChannelConfig('sms', config()));
    expect(redacted).toContain('+*********5678');
    expect(redacted).toContain('*******4321');
    http.answer = { status: 400, body: 'invalid number +8613812345678' };
    const result = await gateway().send(notification);
    expect(result).toMatchObject({ ok: false, retryable: false });
    expect(!result.ok && result.error).toContain('invalid number +*********5678');
  });

  it('refuses a template with a placeholder it cannot fill, naming it', () => {
    expect(() => gateway('{title} {phone}')).toThrow(/template: unknown placeholder/);
  });
});

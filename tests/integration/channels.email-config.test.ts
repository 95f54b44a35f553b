/**
 * The email channel's message (subject, HTML link, a Message-ID that marks a resend), and the
 * registry refusing malformed channel configurations with the path and the reason.
 */
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChannel, redactChannelConfig } from '../../server/alerts/channels/registry.js';
import type { ChannelKind } from '../../server/alerts/channels/channel.js';
import { ConfigError } from '../../server/config/env.js';
import { sampleNotification, startSmtpReceiver, type SmtpReceiver } from '../support/receivers.js';

describe('the email channel', () => {
  let smtp: SmtpReceiver;
  beforeAll(async () => {
    smtp = await startSmtpReceiver();
  });
  afterAll(() => smtp.stop());

  const mailer = () =>
    createChannel('email', {
      host: smtp.host,
      port: smtp.port,
      from: '平安指数 <alerts@pingan.example.gov.cn>',
      to: ['jinfang-head@example.gov.cn'],
      timeoutMs: 2000,
    });
  const lastMail = () => {
    const mail = smtp.messages.at(-1);
    if (!mail) throw new Error('no mail arrived');
    return mail;
  };

  it('sends the headline as subject, both languages as text, and an HTML link to acknowledge', async () => {
    const notification = sampleNotification();
    expect(await mailer().send(notification)).toEqual({
      ok: true,
      answer: expect.stringMatching(/^1 accepted: 250/),
    });
    const mail = lastMail();
    expect(mail.to).toEqual(['jinfang-head@example.gov.cn']);
    expect(mail.headers.subject).toBe(`【严重】${notification.title.zh}`);
    expect(mail.text).toContain(notification.title.en);
    expect(mail.text).toContain(`<a href="${notification.ackUrl?.replace('&', '&amp;')}">确认处置</a>`);
  });

  it('gives a resend the same Message-ID, and another notification a different one', async () => {
    const first = sampleNotification();
    await mailer().send(first);
    await mailer().send(first);
    await mailer().send(
      sampleNotification({ idempotencyKey: `${first.idempotencyKey}:repeat-1`, kind: 'repeat' }),
    );
    const ids = smtp.messages.slice(-3).map((mail) => mail.headers['message-id']);
    expect(ids[0]).toMatch(/^<[0-9a-f]{32}@pingan\.example\.gov\.cn>$/);
    expect(ids[1]).toBe(ids[0]);
    expect(ids[2]).not.toBe(ids[0]);
    expect(lastMail().headers['x-pingan-idempotency-key']).toBe(`${first.idempotencyKey}:repeat-1`);
  });

  it('masks the addresses an SMTP refusal quotes, keeping their domains', async () => {
    // A server that refuses each recipient by quoting it, as Postfix does.
    const refusing = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      disableReverseLookup: true,
      logger: false,
      onRcptTo(address, _session, callback) {
        callback(Object.assign(new Error(`<${address.address}> rejected`), { responseCode: 550 }));
      },
    });
    await new Promise<void>((resolve) => refusing.listen(0, '127.0.0.1', () => resolve()));
    try {
      const result = await createChannel('email', {
        host: '127.0.0.1',
        port: (refusing.server.address() as AddressInfo).port,
        from: 'alerts@pingan.example.gov.cn',
        to: ['zhang.wei@example.com'],
        timeoutMs: 2000,
      }).send(sampleNotification());
      expect(result).toMatchObject({ ok: false, retryable: false });
      expect(!result.ok && result.error).toMatch(
        /^SMTP server answered 550: .*550 <z\*\*\*@example\.com> rejected$/,
      );
      expect(!result.ok && result.error).not.toContain('zhang.wei');
    } finally {
      await new Promise<void>((resolve) => refusing.close(() => resolve()));
    }
  });

  it('masks recipients in its redacted configuration, and reads env:NAME ones from the environment', async () => {
    const config = {
      host: smtp.host,
      port: smtp.port,
      from: '平安指数 <alerts@anning.example>',
      to: ['jinfang-duty@anning.example', 'env:PINGAN_SECRET_JINFANG_HEAD_MAIL'],
      timeoutMs: 2000,
    };
    expect(redactChannelConfig('email', config).to).toEqual([
      'j***@anning.example',
      'env:PINGAN_SECRET_JINFANG_HEAD_MAIL',
    ]);
    const mailer = createChannel('email', config, {
      env: { PINGAN_SECRET_JINFANG_HEAD_MAIL: 'head@anning.example' },
    });
    expect(await mailer.send(sampleNotification())).toMatchObject({ ok: true });
    expect(lastMail().to).toEqual(['jinfang-duty@anning.example', 'head@anning.example']);
    expect(() =>
      createChannel('email', config, { env: { PINGAN_SECRET_JINFANG_HEAD_MAIL: 'not an address' } }),
    ).toThrow(/to\.1: environment variable PINGAN_SECRET_JINFANG_HEAD_MAIL: /);
  });

  it('says a resolved alert is resolved, linking to it rather than asking for an acknowledgement', async () => {
    await mailer().send(sampleNotification({ kind: 'resolve' }));
    expect(lastMail().headers.subject).toMatch(/^【已恢复】/);
    expect(lastMail().text).toContain('查看详情');
    expect(lastMail().text).not.toContain('确认处置');
  });
});

describe('the channel registry', () => {
  const refusal = (
    kind: ChannelKind,
    config: unknown,
    env: Record<string, string> = {},
    secretPrefix?: string,
  ) => {
    try {
      createChannel(kind, config, { env, emit: () => {}, secretPrefix });
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      return (error as ConfigError).message;
    }
    throw new Error('the configuration was accepted');
  };

  it('refuses a malformed configuration with the path and the reason of each problem', () => {
    const message = refusal('webhook', {
      url: 'ftp://example.com',
      secret: 'short',
      timeoutMs: -1,
      secert: 'x',
    });
    expect(message).toContain('invalid webhook channel configuration');
    expect(message).toContain('url: expected an http(s) URL');
    expect(message).toContain('secret: must be at least 16 characters');
    expect(message).toMatch(/timeoutMs: .*>0/);
    expect(message).toMatch(/secert/);
  });

  it('names the entry of a list that is wrong', () => {
    const message = refusal('email', {
      host: 'smtp.example.com',
      from: 'alerts@example.com',
      to: ['ok@example.com', 'nobody'],
    });
    expect(message).toMatch(/to\.1: /);
  });

  it('refuses an env reference that is not a variable name', () => {
    expect(refusal('dingtalk', { url: 'https://oapi.dingtalk.com/robot/send', secret: 'env:1-bad' })).toMatch(
      /secret: expected env:NAME/,
    );
  });

  it('checks what an environment variable holds without quoting it', () => {
    const held = 'not-a-url-but-a-secret-token';
    const message = refusal(
      'wecom',
      { url: 'env:PINGAN_SECRET_WECOM_URL' },
      { PINGAN_SECRET_WECOM_URL: held },
    );
    expect(message).toContain('url: environment variable PINGAN_SECRET_WECOM_URL: expected an http(s) URL');
    expect(message).not.toContain(held);
  });

  it("refuses to read the server's own settings, whatever the prefix, and variables outside it", () => {
    const env = { ACK_LINK_SECRET: 'ack-link-secret-0123456789', WECOM_URL: 'https://qyapi.example/send' };
    const own = refusal(
      'sms',
      {
        url: 'https://sms.example.gov.cn/send',
        phoneNumbers: ['+8613800000000'],
        headers: { 'x-link': 'env:ACK_LINK_SECRET' },
      },
      env,
      'ACK_',
    );
    expect(own).toContain(
      "headers.x-link: env:ACK_LINK_SECRET is one of the server's own settings: it is never sent anywhere",
    );
    expect(own).not.toContain(env.ACK_LINK_SECRET);
    expect(refusal('wecom', { url: 'env:WECOM_URL' }, env)).toContain(
      'url: env:WECOM_URL is not under PINGAN_SECRET_ (SECRET_ENV_PREFIX): only variables whose names start with it may be referenced',
    );
  });

  it('refuses a socket channel without the live hub to emit to, and an unknown kind', () => {
    expect(() => createChannel('socket', {})).toThrow(/emit/);
    expect(() => createChannel('pager' as ChannelKind, {})).toThrow(/kind: expected one of socket, webhook/);
  });
});

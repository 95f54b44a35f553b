/**
 * The contract every notification channel keeps, run by each of them against local receivers:
 * delivered once with the title and the ack link; failures classified so the dispatcher retries
 * only what can succeed; a hanging receiver cut off; no secret in an error or a log; `env:NAME`
 * credentials read from the environment, a missing one refused by name.
 */
import { createHmac } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ChannelContext, ChannelKind, Notification } from '../../server/alerts/channels/channel.js';
import { createChannel, redactChannelConfig } from '../../server/alerts/channels/registry.js';
import { ConfigError } from '../../server/config/env.js';
import {
  sampleNotification,
  startHttpReceiver,
  startSmtpReceiver,
  type HttpReceiver,
  type ReceivedRequest,
  type ReceiverFault,
  type SmtpReceiver,
} from '../support/receivers.js';

type Fault = ReceiverFault;
const FAULTS: readonly Fault[] = ['transient', 'permanent', 'hang', 'down'];
/**
 * Each channel's timeout here: what a hanging receiver costs a test, and long enough that a local
 * receiver answers well within it on a busy machine (400 ms was not, for an SMTP conversation).
 */
const TIMEOUT_MS = 3000;

interface Receivers {
  http: HttpReceiver;
  smtp: SmtpReceiver;
}

interface ChannelUnderTest {
  config: Record<string, unknown>;
  context?: ChannelContext;
  /** What reached the receiver, one entry per delivery; `authentic` when it carries the right credentials. */
  received(): { text: string; authentic: boolean }[];
  fail(fault: Fault): void;
}

interface ChannelCase {
  name: ChannelKind;
  /** Credentials by environment variable name; `make` writes each as `credential(NAME)`. */
  credentials?(receivers: Receivers): Record<string, string>;
  /** Secrets beyond the credentials themselves (a token inside a URL). */
  secrets?: string[];
  /** Called with the credentials written literally, and again as `env:NAME` references. */
  make(receivers: Receivers, credential: (name: string) => string): ChannelUnderTest;
  /** The faults its receiver can show; all of them unless told. */
  faults?: readonly Fault[];
}

function runChannelContract({ name, credentials, secrets = [], make, faults = FAULTS }: ChannelCase) {
  describe(`the ${name} channel`, () => {
    let receivers: Receivers;
    let subject: ChannelUnderTest;
    /** The configuration with `env:NAME` credentials, and an environment that holds them. */
    let fromEnv: { config: Record<string, unknown>; env: Record<string, string> };
    let forbidden: string[];
    const notification = sampleNotification();
    const channel = (config = subject.config, env: Record<string, string> = {}) =>
      createChannel(name, config, { ...subject.context, env });

    beforeEach(async () => {
      receivers = { http: await startHttpReceiver(), smtp: await startSmtpReceiver() };
      const env = credentials?.(receivers) ?? {};
      subject = make(receivers, (key) => env[key] ?? '');
      fromEnv = { config: make(receivers, (key) => `env:${key}`).config, env };
      forbidden = [...Object.values(env), ...secrets];
    });
    afterEach(async () => {
      await Promise.all([receivers.http.stop(), receivers.smtp.stop()]);
    });

    it('delivers a notification once, with its title, its ack link and the right credentials', async () => {
      const result = await channel().send(notification);
      expect(result.ok).toBe(true);
      // What the receiver answered, for a test notification: quoted without any secret.
      if (result.ok && result.answer !== undefined)
        for (const secret of forbidden) expect(result.answer).not.toContain(secret);
      const received = subject.received();
      expect(received).toHaveLength(1);
      expect(received[0]?.text).toContain(notification.title.zh);
      expect(received[0]?.text).toContain(notification.ackUrl);
      expect(received[0]?.authentic).toBe(true);
    });

    const outcomes: [Fault, string, boolean][] = [
      [
        'transient',
        'a receiver failing for now (HTTP 500, SMTP 451, a throwing hub) is worth retrying',
        true,
      ],
      ['permanent', 'a receiver refusing the request (HTTP 400, SMTP 550) is not worth retrying', false],
      ['down', 'a receiver that refuses the connection is worth retrying', true],
    ];
    for (const [fault, sentence, retryable] of outcomes)
      it.skipIf(!faults.includes(fault))(sentence, async () => {
        subject.fail(fault);
        expect(await channel().send(notification)).toMatchObject({ ok: false, retryable });
      });

    it.skipIf(!faults.includes('hang'))(
      'gives up on a hanging receiver at its timeout, worth retrying',
      async () => {
        subject.fail('hang');
        const started = performance.now();
        expect(await channel().send(notification)).toMatchObject({ ok: false, retryable: true });
        // The receiver never answers: giving up at all, well before the test's own limit, is the point.
        expect(performance.now() - started).toBeLessThan(TIMEOUT_MS + 10_000);
      },
    );

    it('reports a send the dispatcher aborts as worth retrying', async () => {
      const result = await channel().send(notification, AbortSignal.abort());
      expect(result).toMatchObject({ ok: false, retryable: true });
    });

    it('names no secret in its errors or its redacted configuration', async () => {
      const texts = [subject.config, fromEnv.config].map((config) =>
        JSON.stringify(redactChannelConfig(name, config)),
      );
      for (const fault of faults) {
        subject.fail(fault);
        const result = await channel().send(notification);
        if (!result.ok) texts.push(result.error);
      }
      for (const text of texts) for (const secret of forbidden) expect(text).not.toContain(secret);
    });

    it.skipIf(!credentials)('reads env:NAME credentials from the environment', async () => {
      const { config, env } = fromEnv;
      for (const key of Object.keys(env))
        expect(JSON.stringify(redactChannelConfig(name, config))).toContain(`env:${key}`);
      expect(await channel(config, env).send(notification)).toMatchObject({ ok: true });
      expect(subject.received().map((delivery) => delivery.authentic)).toEqual([true]);
    });

    it.skipIf(!credentials)('refuses to start when a credential’s variable is missing, naming it', () => {
      const { config, env } = fromEnv;
      for (const missing of Object.keys(env)) {
        const others = Object.fromEntries(Object.entries(env).filter(([key]) => key !== missing));
        expect(() => channel(config, others)).toThrow(ConfigError);
        expect(() => channel(config, others)).toThrow(new RegExp(`${missing} is not set`));
      }
    });
  });
}

/** A channel that posts to the HTTP receiver: what reached it, with its credentials checked, and its faults. */
const viaHttp = ({ http }: Receivers, authentic: (request: ReceivedRequest) => boolean) => ({
  received: () => http.requests.map((request) => ({ text: request.body, authentic: authentic(request) })),
  fail: (fault: Fault) => http.fail(fault),
});

const query = (request: ReceivedRequest) => new URL(request.url, 'http://receiver').searchParams;
const hmac = (secret: string, text: string) => createHmac('sha256', secret).update(text);
const timeoutMs = TIMEOUT_MS;

const WEBHOOK_SECRET = 'whsec-5f1c2a9e7b3d4c6f';
// Feishu, Slack and Teams keep a webhook's token in its path.
const WEBHOOK_PATH_TOKEN = '9f8e7d6c-5b4a-4321-path-token';
runChannelContract({
  name: 'webhook',
  credentials: () => ({ PINGAN_SECRET_WEBHOOK_SECRET: WEBHOOK_SECRET }),
  secrets: [WEBHOOK_PATH_TOKEN],
  make: (r, credential) => ({
    config: {
      url: `${r.http.origin}/open-apis/bot/v2/hook/${WEBHOOK_PATH_TOKEN}`,
      secret: credential('PINGAN_SECRET_WEBHOOK_SECRET'),
      timeoutMs,
    },
    ...viaHttp(r, ({ headers, body }) => {
      const signed = hmac(WEBHOOK_SECRET, `${String(headers['x-pingan-timestamp'])}.${body}`).digest('hex');
      return headers['x-pingan-signature'] === `sha256=${signed}`;
    }),
  }),
});

const WECOM_KEY = '693a91f6-7b3d-4bc4-97a0-0ec2f1fa5aaa';
runChannelContract({
  name: 'wecom',
  // The robot's key is in its URL, so the whole URL is the credential.
  credentials: (r) => ({ PINGAN_SECRET_WECOM_URL: `${r.http.origin}/cgi-bin/webhook/send?key=${WECOM_KEY}` }),
  secrets: [WECOM_KEY],
  make: (r, credential) => ({
    config: { url: credential('PINGAN_SECRET_WECOM_URL'), timeoutMs },
    ...viaHttp(r, (request) => query(request).get('key') === WECOM_KEY),
  }),
});

const DINGTALK_TOKEN = 'c0ffee00d1ngta1k7oken00000000000000000000000000000000000000000a';
const DINGTALK_SECRET = 'SEC3b5e7d0c9a8f6e4d2c1b0a9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b2a1f0e9d8';
runChannelContract({
  name: 'dingtalk',
  credentials: () => ({ PINGAN_SECRET_DINGTALK_SECRET: DINGTALK_SECRET }),
  secrets: [DINGTALK_TOKEN],
  make: (r, credential) => ({
    config: {
      url: `${r.http.origin}/robot/send?access_token=${DINGTALK_TOKEN}`,
      secret: credential('PINGAN_SECRET_DINGTALK_SECRET'),
      timeoutMs,
    },
    ...viaHttp(r, (request) => {
      const params = query(request);
      const sign = hmac(DINGTALK_SECRET, `${params.get('timestamp')}\n${DINGTALK_SECRET}`).digest('base64');
      return params.get('access_token') === DINGTALK_TOKEN && params.get('sign') === sign;
    }),
  }),
});

const SMS_TOKEN = 'Bearer sms-7d9e2f4a6b8c0d1e';
const PHONES = ['+8613812345678', '13987654321'];
runChannelContract({
  name: 'sms',
  credentials: () => ({ PINGAN_SECRET_SMS_TOKEN: SMS_TOKEN, PINGAN_SECRET_SMS_PHONE: PHONES[0] ?? '' }),
  secrets: PHONES,
  make: (r, credential) => ({
    config: {
      url: `${r.http.origin}/sms/send`,
      headers: { authorization: credential('PINGAN_SECRET_SMS_TOKEN') },
      phoneNumbers: [credential('PINGAN_SECRET_SMS_PHONE'), PHONES[1]],
      timeoutMs,
    },
    ...viaHttp(r, ({ headers, body }) => {
      const { phoneNumbers } = JSON.parse(body) as { phoneNumbers?: unknown };
      return headers.authorization === SMS_TOKEN && JSON.stringify(phoneNumbers) === JSON.stringify(PHONES);
    }),
  }),
});

const SMTP_USER = 'pingan-relay-7f3a';
const SMTP_PASS = 'smtp-pa55-9c1e4b7d';
const RECIPIENTS = ['jinfang-head@example.gov.cn', 'duty@example.gov.cn'];
runChannelContract({
  name: 'email',
  credentials: () => ({
    PINGAN_SECRET_SMTP_USER: SMTP_USER,
    PINGAN_SECRET_SMTP_PASS: SMTP_PASS,
    PINGAN_SECRET_MAIL_TO: RECIPIENTS[0] ?? '',
  }),
  // A recipient's address is personal data, written literally or not.
  secrets: RECIPIENTS,
  make: ({ smtp }, credential) => ({
    config: {
      host: smtp.host,
      port: smtp.port,
      auth: { user: credential('PINGAN_SECRET_SMTP_USER'), pass: credential('PINGAN_SECRET_SMTP_PASS') },
      from: '平安指数 <alerts@pingan.example.gov.cn>',
      to: [credential('PINGAN_SECRET_MAIL_TO'), RECIPIENTS[1]],
      timeoutMs,
    },
    received: () =>
      smtp.messages.map((mail) => ({
        text: `${mail.headers.subject}\n${mail.text}`,
        authentic:
          mail.user === SMTP_USER &&
          mail.pass === SMTP_PASS &&
          JSON.stringify(mail.to) === JSON.stringify(RECIPIENTS),
      })),
    fail: (fault) => smtp.fail(fault),
  }),
});

runChannelContract({
  name: 'socket',
  make: () => {
    const emitted: Notification[] = [];
    let hubReady = true;
    const emit = (notification: Notification) => {
      if (!hubReady) throw new Error('live hub not started');
      emitted.push(notification);
    };
    return {
      config: {},
      context: { emit },
      received: () => emitted.map((n) => ({ text: JSON.stringify(n), authentic: true })),
      fail: () => (hubReady = false),
    };
  },
  // The hub is in-process: it cannot refuse for good, hang or be unreachable.
  faults: ['transient'],
});

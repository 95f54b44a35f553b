/**
 * /api/subscriptions on a running server, on PGlite and PostgreSQL: the administrator manages who is
 * told of which alerts; a mistake is refused with the path and the reason; nobody else may look;
 * secrets never come back out, and a failing channel shows in /api/health without them.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { eq } from 'drizzle-orm';
import { AlertOutbox } from '../../server/alerts/outbox.js';
import { alertSubscriptions } from '../../server/db/schema/index.js';
import type { Db } from '../../server/db/client.js';
import { databaseTargets } from '../support/databases.js';
import { fired, staleFraudFeed } from '../support/outbox.js';
import { startHttpReceiver, type HttpReceiver } from '../support/receivers.js';
import { startTestServer, type TestServer } from '../support/server.js';

const HOOK_SECRET = 'whsec-literal-0123456789';
const ROBOT_KEY = 'robot-key-8f7e6d5c4b3a';

const json = (method: string, body: unknown, token?: string) => ({
  method,
  headers: { 'content-type': 'application/json' },
  body: typeof body === 'string' ? body : JSON.stringify(body),
  ...(token === undefined ? {} : { token }),
});

/** The example of the README: a street head by WeCom and SMS, quiet at night except for critical alerts. */
const streetHead = {
  name: '金方街道负责人',
  kind: 'person',
  audiences: ['street'],
  streets: ['jinfang'],
  channels: [
    { kind: 'wecom', config: { url: `https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=${ROBOT_KEY}` } },
    {
      kind: 'sms',
      config: {
        url: 'env:PINGAN_SECRET_SMS_GATEWAY_URL',
        phoneNumbers: ['env:PINGAN_SECRET_JINFANG_HEAD_PHONE'],
      },
    },
  ],
  quietHours: { start: '22:00', end: '07:00', critical: 'deliver' },
};

describe.each(databaseTargets)('subscriptions API on $name', (target) => {
  let server: TestServer;
  let receiver: HttpReceiver;

  const create = async (body: unknown) => {
    const response = await server.api('/api/subscriptions', json('POST', body));
    return { status: response.status, body: await response.json() };
  };
  const refusal = async (body: unknown) => {
    const { status, body: answer } = await create(body);
    expect(status).toBe(400);
    expect(answer.code).toBe('bad_request');
    return answer.message as string;
  };

  beforeAll(async () => {
    // What the examples' env:NAME references name, set as an administrator would before saving them.
    vi.stubEnv('PINGAN_SECRET_SMS_GATEWAY_URL', 'https://sms.example.gov.cn/send');
    vi.stubEnv('PINGAN_SECRET_JINFANG_HEAD_PHONE', '+8613800000000');
    vi.stubEnv('PINGAN_SECRET_JINFANG_HEAD_MAIL', 'jinfang-head@anning.example');
    vi.stubEnv('PINGAN_SECRET_DUTY_PHONE', '+8613900000000');
    server = await startTestServer({ target });
    receiver = await startHttpReceiver();
  });
  afterAll(async () => {
    vi.unstubAllEnvs();
    await server?.stop();
    await receiver?.stop();
  });

  it('lets the administrator create, list, read, replace and delete a subscription', async () => {
    const created = await create(streetHead);
    expect(created.status).toBe(201);
    const id = created.body.id as number;
    expect(created.body).toMatchObject({
      id: expect.any(Number),
      name: '金方街道负责人',
      kind: 'person',
      audiences: ['street'],
      streets: ['jinfang'],
      rules: [],
      severities: [],
      enabled: true,
      quietHours: { start: '22:00', end: '07:00', critical: 'deliver' },
      channels: [
        { kind: 'wecom' },
        { kind: 'sms', config: { phoneNumbers: ['env:PINGAN_SECRET_JINFANG_HEAD_PHONE'] } },
      ],
    });

    const list = await (await server.api('/api/subscriptions')).json();
    expect(list.subscriptions.map((s: { id: number }) => s.id)).toContain(id);
    const read = await server.api(`/api/subscriptions/${id}`);
    expect(read.status).toBe(200);
    expect((await read.json()).name).toBe('金方街道负责人');

    const replaced = await server.api(
      `/api/subscriptions/${id}`,
      json('PUT', {
        ...streetHead,
        name: '金方、连然街道负责人',
        streets: ['jinfang', 'lianran'],
        enabled: false,
      }),
    );
    expect(replaced.status).toBe(200);
    expect(await replaced.json()).toMatchObject({ id, streets: ['jinfang', 'lianran'], enabled: false });
    expect((await (await server.api(`/api/subscriptions/${id}`)).json()).name).toBe('金方、连然街道负责人');

    const removed = await server.api(`/api/subscriptions/${id}`, { method: 'DELETE' });
    expect(removed.status).toBe(200);
    expect((await server.api(`/api/subscriptions/${id}`)).status).toBe(404);
    const again = await server.api(`/api/subscriptions/${id}`, { method: 'DELETE' });
    expect(again.status).toBe(404);
    // Every error answer names its request (X-Request-Id).
    expect(await again.json()).toEqual({
      code: 'not_found',
      message: `no subscription ${id}`,
      requestId: again.headers.get('x-request-id'),
    });
  });

  it('never answers with a secret: robot keys in URLs and literal signing secrets are masked', async () => {
    const { status, body } = await create({
      ...streetHead,
      channels: [
        ...streetHead.channels,
        { kind: 'webhook', config: { url: 'https://hooks.example.org/in', secret: HOOK_SECRET } },
      ],
    });
    expect(status).toBe(201);
    const answers = [
      JSON.stringify(body),
      await (await server.api('/api/subscriptions')).text(),
      await (await server.api(`/api/subscriptions/${body.id}`)).text(),
    ];
    for (const text of answers) {
      expect(text).not.toContain(ROBOT_KEY);
      expect(text).not.toContain(HOOK_SECRET);
    }
    expect(body.channels[0].config.url).toBe('https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=***');
    expect(body.channels[2].config).toMatchObject({ url: 'https://hooks.example.org/in', secret: '***' });
  });

  it('keeps a masked secret sent back unchanged, and refuses a mask anywhere else', async () => {
    const { body } = await create({
      ...streetHead,
      channels: [
        streetHead.channels[0],
        { kind: 'webhook', config: { url: 'https://hooks.example.org/in', secret: HOOK_SECRET } },
      ],
    });
    const shown = await (await server.api(`/api/subscriptions/${body.id}`)).json();
    const replacement = {
      ...streetHead,
      name: '金方街道负责人（改）',
      channels: shown.channels.map(({ kind, config }: { kind: string; config: unknown }) => ({
        kind,
        config,
      })),
    };
    const replaced = await server.api(`/api/subscriptions/${body.id}`, json('PUT', replacement));
    expect(replaced.status).toBe(200);
    expect((await replaced.json()).name).toBe('金方街道负责人（改）');
    const [row] = await server.ctx.database.db
      .select({ spec: alertSubscriptions.spec })
      .from(alertSubscriptions)
      .where(eq(alertSubscriptions.id, body.id));
    const stored = row!.spec as { channels: { config: Record<string, string> }[] };
    expect(stored.channels[0]!.config.url).toBe(streetHead.channels[0]!.config.url);
    expect(stored.channels[1]!.config.secret).toBe(HOOK_SECRET);
    // A mask where that channel showed no secret: refused, naming the place.
    const swapped = { ...replacement, channels: [replacement.channels[1], replacement.channels[0]] };
    const refused = await server.api(`/api/subscriptions/${body.id}`, json('PUT', swapped));
    expect(refused.status).toBe(400);
    expect((await refused.json()).message).toMatch(/channels\.0\.config\.secret: /);
    const robot = { url: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=***' };
    expect(await refusal({ ...streetHead, channels: [{ kind: 'wecom', config: robot }] })).toMatch(
      /^channels\.0\.config\.url: holds a masked secret/,
    );
  });

  it('masks e-mail recipients in its answers, and takes them as env:NAME references too', async () => {
    const { status, body } = await create({
      ...streetHead,
      channels: [
        {
          kind: 'email',
          config: {
            host: 'smtp.anning.example',
            from: '平安指数 <alerts@anning.example>',
            to: ['jinfang-duty@anning.example', 'env:PINGAN_SECRET_JINFANG_HEAD_MAIL'],
          },
        },
      ],
    });
    expect(status).toBe(201);
    expect(body.channels[0].config.to).toEqual([
      'j***@anning.example',
      'env:PINGAN_SECRET_JINFANG_HEAD_MAIL',
    ]);
    for (const text of [
      await (await server.api('/api/subscriptions')).text(),
      await (await server.api(`/api/subscriptions/${body.id}`)).text(),
    ])
      expect(text).not.toContain('jinfang-duty@');
  });

  it('refuses a malformed channel configuration, naming the path and the reason', async () => {
    const message = await refusal({
      ...streetHead,
      channels: [{ kind: 'webhook', config: { url: 'ftp://example.org/drop', secret: HOOK_SECRET } }],
    });
    expect(message).toBe('channels.0.config.url: expected an http(s) URL');
    expect(message).not.toContain(HOOK_SECRET);

    expect(await refusal({ ...streetHead, channels: [{ kind: 'pager', config: {} }] })).toMatch(
      /^channels\.0\.kind: .*"webhook"/,
    );
    expect(
      await refusal({
        ...streetHead,
        channels: [{ kind: 'webhook', config: { url: 'https://example.org' } }],
      }),
    ).toMatch(/^channels\.0\.config\.secret: /);
  });

  it('refuses an unknown street, a literal phone number and a subscription without channels', async () => {
    expect(await refusal({ ...streetHead, streets: ['jinfang', 'atlantis'] })).toMatch(
      /^streets\.1: no street has the code "atlantis"; expected one of .*jinfang/,
    );
    const phone = await refusal({
      ...streetHead,
      channels: [
        {
          kind: 'sms',
          config: {
            url: 'env:PINGAN_SECRET_SMS_GATEWAY_URL',
            phoneNumbers: ['env:PINGAN_SECRET_DUTY_PHONE', '+8613812345678', '+86 138-1234-5678'],
          },
        },
      ],
    });
    // Written out, in any format, a number is refused for what it is, not for how it is written.
    const personal = 'a phone number is personal data and is not stored: write env:NAME';
    expect(phone).toMatch(
      new RegExp(
        `^channels\\.0\\.config\\.phoneNumbers\\.1: ${personal}.*; channels\\.0\\.config\\.phoneNumbers\\.2: ${personal}`,
      ),
    );
    expect(phone).not.toMatch(/digits/);
    expect(phone).not.toContain('13812345678');
    expect(phone).not.toContain('1234-5678');
    const { channels: _, ...withoutChannels } = streetHead;
    expect(await refusal(withoutChannels)).toBe('channels: is required');
    expect(await refusal({ ...streetHead, channels: [] })).toBe('channels: at least one channel is required');
  });

  it('refuses a channel whose env:NAME reference names a variable the server does not have', async () => {
    const message = await refusal({
      ...streetHead,
      channels: [
        {
          kind: 'webhook',
          config: { url: 'env:PINGAN_SECRET_NOT_SET_ANYWHERE', secret: 'env:PINGAN_SECRET_SMS_GATEWAY_URL' },
        },
        {
          kind: 'sms',
          config: {
            url: 'env:PINGAN_SECRET_SMS_GATEWAY_URL',
            phoneNumbers: ['env:PINGAN_SECRET_NOR_THIS_ONE'],
          },
        },
      ],
    });
    expect(message).toBe(
      'channels.0.config.url: environment variable PINGAN_SECRET_NOT_SET_ANYWHERE is not set on this server: set it (and restart), then save this; ' +
        'channels.1.config.phoneNumbers.0: environment variable PINGAN_SECRET_NOR_THIS_ONE is not set on this server: set it (and restart), then save this',
    );
  });

  it("refuses a reference to the server's own settings or to a variable outside the allowed prefix, naming each path and why", async () => {
    // Set, so that only the rule can refuse them; an SMS gateway of the administrator's choosing would
    // otherwise be sent the server's own secrets in plain text.
    vi.stubEnv('ACK_LINK_SECRET', 'ack-link-secret-0123456789');
    vi.stubEnv('DATABASE_URL', 'postgres://pingan:pw@db.internal/pingan');
    vi.stubEnv('ADMIN_TOKEN', 'pw_admin-token-0123456789');
    vi.stubEnv('HOME_GATEWAY_TOKEN', 'gateway-token-0123456789');
    const message = await refusal({
      ...streetHead,
      channels: [
        {
          kind: 'sms',
          config: {
            url: 'env:PINGAN_SECRET_SMS_GATEWAY_URL',
            phoneNumbers: ['env:PINGAN_SECRET_JINFANG_HEAD_PHONE'],
            headers: {
              'x-link': 'env:ACK_LINK_SECRET',
              'x-db': 'env:DATABASE_URL',
              authorization: 'env:ADMIN_TOKEN',
              'x-token': 'env:HOME_GATEWAY_TOKEN',
            },
          },
        },
      ],
    });
    const own = (name: string) =>
      `env:${name} is one of the server's own settings: it is never sent anywhere`;
    expect(message).toBe(
      [
        `channels.0.config.headers.x-link: ${own('ACK_LINK_SECRET')}`,
        `channels.0.config.headers.x-db: ${own('DATABASE_URL')}`,
        `channels.0.config.headers.authorization: ${own('ADMIN_TOKEN')}`,
        'channels.0.config.headers.x-token: env:HOME_GATEWAY_TOKEN is not under PINGAN_SECRET_ (SECRET_ENV_PREFIX): ' +
          'only variables whose names start with it may be referenced',
      ].join('; '),
    );
  });

  it('lists every problem at once, and refuses a body that is not JSON', async () => {
    const response = await server.api(
      '/api/subscriptions',
      json('POST', { ...streetHead, name: '', quietHours: { start: '22:00', end: '22:00' } }),
    );
    const answer = await response.json();
    expect(answer.details.problems).toEqual([
      'name: is required',
      expect.stringMatching(/^quietHours\.end: must differ from start/),
    ]);
    expect(await refusal('{"name": ')).toBe('the body is not valid JSON');
  });

  it('refuses a bad replacement and leaves the subscription as it was; an unknown id is 404', async () => {
    const { body } = await create(streetHead);
    const bad = await server.api(
      `/api/subscriptions/${body.id}`,
      json('PUT', { ...streetHead, streets: ['nowhere'] }),
    );
    expect(bad.status).toBe(400);
    expect((await (await server.api(`/api/subscriptions/${body.id}`)).json()).streets).toEqual(['jinfang']);
    expect((await server.api('/api/subscriptions/999999', json('PUT', streetHead))).status).toBe(404);
    expect((await server.api('/api/subscriptions/not-a-number')).status).toBe(404);
  });

  it('sends a test notification through every channel and says what each receiver answered', async () => {
    // A receiver of its own: the other tests count what theirs received.
    const own = await startHttpReceiver();
    const hook = `${own.origin}/hooks/${ROBOT_KEY}`;
    const { body: created } = await create({
      name: '测试订阅',
      kind: 'group',
      audiences: ['operators'],
      channels: [
        { kind: 'webhook', config: { url: hook, secret: HOOK_SECRET } },
        { kind: 'wecom', config: { url: `${own.origin}/cgi-bin/webhook/send?key=${ROBOT_KEY}` } },
      ],
    });
    let call = 0;
    own.answer = () =>
      ++call === 1
        ? { status: 202, body: `{"accepted":true,"echo":"${ROBOT_KEY}"}` }
        : { status: 200, body: '{"errcode":93000,"errmsg":"invalid webhook url"}' };
    const response = await server.api(`/api/subscriptions/${created.id}/test`, json('POST', {}));
    expect(response.status).toBe(200);
    const answer = await response.json();
    expect(answer.results).toEqual([
      { channel: 'webhook', ok: true, answer: 'HTTP 202: {"accepted":true,"echo":"***"}', error: null },
      {
        channel: 'wecom',
        ok: false,
        answer: null,
        error: 'WeCom robot refused the message, errcode 93000: invalid webhook url',
      },
    ]);
    // Sent once each, plainly a test, and nothing of it kept in the outbox.
    const sent = own.requests;
    expect(sent).toHaveLength(2);
    expect(sent[0]!.body).toContain('测试通知');
    expect(JSON.stringify(answer)).not.toContain(ROBOT_KEY);
    await own.stop();
    // Gone again: the next test counts the operators' subscriptions an alert reaches.
    expect((await server.api(`/api/subscriptions/${created.id}`, { method: 'DELETE' })).status).toBe(200);
    expect((await server.api('/api/subscriptions/999999/test', json('POST', {}))).status).toBe(404);
    const wall = await server.issue('wall');
    expect((await server.api(`/api/subscriptions/${created.id}/test`, json('POST', {}, wall))).status).toBe(
      403,
    );
  });

  it('keeps subscriptions to the administrator', async () => {
    const leader = await server.issue('leader');
    for (const token of [server.wallToken, leader]) {
      const list = await server.api('/api/subscriptions', { token });
      expect(list.status).toBe(403);
      expect((await list.json()).code).toBe('forbidden');
      expect((await server.api('/api/subscriptions', json('POST', streetHead, token))).status).toBe(403);
    }
    expect((await server.api('/api/subscriptions', { token: null })).status).toBe(401);
  });

  it('shows a channel that the receiver refuses as failing in /api/health, without its secrets', async () => {
    receiver.fail('permanent');
    const url = `${receiver.origin}/hook?token=${ROBOT_KEY}`;
    const { body } = await create({
      name: '指挥中心值班组',
      kind: 'group',
      audiences: ['operators'],
      channels: [{ kind: 'webhook', config: { url, secret: HOOK_SECRET } }],
    });
    const now = server.ctx.clock();
    const outbox = new AlertOutbox(server.ctx.database.db, server.ctx.city, {});
    const queued = await server.ctx.database.db.transaction((tx) =>
      outbox.enqueue(tx as unknown as Db, [fired(staleFraudFeed, now, server.ctx.city)], now),
    );
    expect(queued).toBe(1);
    await server.ctx.dispatcher.runOnce();
    expect(receiver.requests).toHaveLength(1);

    const response = await server.api('/api/health', { token: null });
    expect(response.status).toBe(200);
    const text = await response.text();
    const health = JSON.parse(text);
    expect(health.status).toBe('degraded');
    expect(health.alerts.status).toBe('degraded');
    expect(health.alerts.channels).toEqual([
      expect.objectContaining({
        channel: 'webhook',
        status: 'failing',
        failed: 1,
        lastError: expect.stringMatching(/HTTP 400/),
      }),
    ]);
    expect(health.alerts.subscriptions).toEqual([
      expect.objectContaining({ id: body.id, name: '指挥中心值班组', failed: 1 }),
    ]);
    expect(text).not.toContain(ROBOT_KEY);
    expect(text).not.toContain(HOOK_SECRET);
  });
});

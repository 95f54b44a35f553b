/**
 * Bad input is a 400 that names the field (or a 404), never a 500, on PGlite and PostgreSQL: a NUL
 * character, which PostgreSQL's text and jsonb cannot hold, in any free text that would be stored; an
 * id past the range of a 32-bit column; a time in year 0 or past 9999.
 */
import { Agent, request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { explainAlert, step } from '../../shared/alerts/index.js';
import { AlertRepository } from '../../server/repositories/alerts.js';
import { databaseTargets } from '../support/databases.js';
import { connectedSocket } from '../support/live.js';
import { LIFECYCLE, staleFraudFeed } from '../support/outbox.js';
import { startTestServer, type TestServer } from '../support/server.js';

const NUL = '\u0000';

const json = (method: string, body: unknown, token?: string | null) => ({
  method,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
  ...(token === undefined ? {} : { token }),
});

describe.each(databaseTargets)('bad input on $name', (target) => {
  let server: TestServer;
  /** A firing alert (a stale feed's, which an administrator may acknowledge). */
  let alertId: string;
  const inAnHour = () => new Date(server.ctx.clock().getTime() + 3_600_000).toISOString();

  /** The status and the message of an answer. */
  const answer = async (response: Promise<Response>) => {
    const res = await response;
    return { status: res.status, message: ((await res.json()) as { message: string }).message };
  };

  beforeAll(async () => {
    server = await startTestServer({ target });
    const now = server.ctx.clock();
    const { state } = step(null, staleFraudFeed, now, LIFECYCLE);
    await new AlertRepository().save(
      server.ctx.database.db,
      state!,
      explainAlert(state!, { config: server.ctx.city }),
      now,
    );
    alertId = state!.id;
  });
  afterAll(() => server?.stop());

  it('refuses a NUL character in an acknowledgement’s comment over the API, the signed link and the socket', async () => {
    const refusal = { status: 400, message: `comment: must not contain a NUL character` };
    const comment = `on it${NUL}`;
    expect(await answer(server.api(`/api/alerts/${alertId}/ack`, json('POST', { comment })))).toEqual(
      refusal,
    );

    const link = new URL(server.ctx.ackLinks.url(alertId, null, server.ctx.clock()));
    expect(
      await answer(server.api(`/api/ack/${alertId}${link.search}`, json('POST', { comment }, null))),
    ).toEqual(refusal);

    const socket = await connectedSocket(server.baseUrl, server.adminToken);
    try {
      const reply = await socket.timeout(5000).emitWithAck('ack', { alertId, comment });
      expect(reply).toEqual({ ok: false, code: 'bad_request', message: refusal.message });
    } finally {
      socket.disconnect();
    }
    // Still firing: nothing was half-stored.
    const alert = await (await server.api(`/api/alerts/${alertId}`)).json();
    expect(alert.alert.status).toBe('firing');
  });

  it('refuses a NUL character in a silence’s reason, a token’s name and a weight set’s name, naming the field', async () => {
    expect(
      await answer(
        server.api('/api/silences', json('POST', { endsAt: inAnHour(), reason: `maintenance${NUL}` })),
      ),
    ).toEqual({ status: 400, message: 'reason: must not contain a NUL character' });
    expect(
      await answer(server.api('/api/tokens', json('POST', { name: `wall${NUL}`, role: 'wall' }))),
    ).toEqual({
      status: 400,
      message: 'name: must not contain a NUL character',
    });
    const weightSets = await (await server.api('/api/weight-sets')).json();
    const { weights } = weightSets.weightSets[0];
    expect(
      await answer(server.api('/api/weight-sets', json('POST', { name: 'draft', note: `x${NUL}`, weights }))),
    ).toEqual({ status: 400, message: 'note: must not contain a NUL character' });
  });

  it('refuses a NUL character anywhere in a subscription, its channels’ configuration included', async () => {
    const subscription = (name: string, secret: string) => ({
      name,
      kind: 'group',
      audiences: ['operators'],
      channels: [{ kind: 'webhook', config: { url: 'https://hooks.example.org/in', secret } }],
    });
    const secret = 'whsec-0123456789abcdef';
    expect(
      await answer(server.api('/api/subscriptions', json('POST', subscription(`值班组${NUL}`, secret)))),
    ).toEqual({
      status: 400,
      message: 'name: must not contain a NUL character',
    });
    const refused = await answer(
      server.api('/api/subscriptions', json('POST', subscription('值班组', `${secret}${NUL}`))),
    );
    expect(refused).toEqual({
      status: 400,
      message: 'channels.0.config.secret: must not contain a NUL character',
    });
  });

  it('answers 400 for an alert id or a street with a NUL character', async () => {
    const refusal = (field: string) => ({
      status: 400,
      message: `${field}: must not contain a NUL character`,
    });
    expect(await answer(server.api('/api/alerts/%00'))).toEqual(refusal('id'));
    expect(await answer(server.api('/api/alerts/%00/ack', json('POST', { comment: 'on it' })))).toEqual(
      refusal('id'),
    );
    expect(await answer(server.api('/api/ack/%00?sub=&exp=1&sig=x', { token: null }))).toEqual(refusal('id'));
    expect(await answer(server.api('/api/alerts?street=%00'))).toEqual(refusal('street'));
  });

  it('answers 404 or 400 naming the id, not 500, for an id past a 32-bit column', async () => {
    const id = '99999999999';
    expect(await answer(server.api(`/api/silences/${id}`, { method: 'DELETE' }))).toEqual({
      status: 404,
      message: `no active silence ${id}`,
    });
    expect(await answer(server.api(`/api/tokens/${id}`, { method: 'DELETE' }))).toEqual({
      status: 404,
      message: `no active token ${id}`,
    });
    expect(await answer(server.api(`/api/subscriptions/${id}`, { method: 'DELETE' }))).toEqual({
      status: 404,
      message: `no subscription ${id}`,
    });
    for (const path of [`/api/weight-sets/${id}/history`, `/api/weight-sets/${id}/preview`]) {
      const init = path.endsWith('preview') ? json('POST', { period: '2026-11' }) : {};
      expect(await answer(server.api(path, init))).toEqual({
        status: 400,
        message: `id: "${id}" is not a weight set id`,
      });
    }
  });

  it('refuses a silence that starts in year 0 or ends past 9999, and history asked of those years', async () => {
    const range = 'must be between 1970-01-01T00:00:00Z and 9999-12-31T23:59:59Z';
    expect(
      await answer(
        server.api('/api/silences', json('POST', { startsAt: '0000-01-01T00:00:00Z', endsAt: inAnHour() })),
      ),
    ).toEqual({ status: 400, message: `startsAt: ${range}` });
    // 23:00 at UTC−14 on the last day of 9999 is already year 10000 in UTC.
    expect(
      await answer(server.api('/api/silences', json('POST', { endsAt: '9999-12-31T23:00:00-14:00' }))),
    ).toEqual({ status: 400, message: `endsAt: ${range}` });
    expect(await answer(server.api('/api/index/history?from=0000-01-01T00:00:00Z'))).toEqual({
      status: 400,
      message: `from: ${range}`,
    });
  });

  it('says a missing field is required, a number that is not one is expected, and a comment must be text', async () => {
    expect(await answer(server.api('/api/silences', json('POST', {})))).toEqual({
      status: 400,
      message: 'endsAt: is required',
    });
    expect(await answer(server.api('/api/alerts?limit=abc'))).toEqual({
      status: 400,
      message: 'limit: expected a number',
    });
    expect(
      await answer(
        server.api(`/api/alerts/${encodeURIComponent(alertId)}/ack`, json('POST', { comment: 42 })),
      ),
    ).toEqual({ status: 400, message: 'comment: expected text' });
  });

  it('refuses alerts of a street that is not configured, and a silence for longer than 90 days', async () => {
    expect(await answer(server.api('/api/alerts?street=atlantis'))).toEqual({
      status: 400,
      message: 'street: no street atlantis is configured',
    });
    const in91Days = new Date(server.ctx.clock().getTime() + 91 * 86_400_000).toISOString();
    expect(await answer(server.api('/api/silences', json('POST', { endsAt: in91Days })))).toEqual({
      status: 400,
      message: 'endsAt: a silence lasts at most 90 days; disable the rule instead',
    });
  });

  it('refuses block and indicator weights past 1000, and goalposts past a billion, naming the field', async () => {
    const weightSets = await (await server.api('/api/weight-sets')).json();
    const { weights } = weightSets.weightSets[0];
    const draft = (change: object) => json('POST', { name: 'huge', weights: { ...weights, ...change } });
    expect(
      await answer(server.api('/api/weight-sets', draft({ blocks: { ...weights.blocks, positive: 1e308 } }))),
    ).toEqual({ status: 400, message: 'weights.blocks.positive: must be between 0 and 1000' });
    expect(
      await answer(
        server.api('/api/weight-sets', draft({ indicators: { ...weights.indicators, theft: 1001 } })),
      ),
    ).toEqual({ status: 400, message: 'weights.indicators.theft: must be between 0 and 1000' });
    expect(
      await answer(
        server.api(
          '/api/weight-sets',
          draft({
            normalisation: { theft: { method: 'efficacy', unacceptable: 1e308, satisfactory: -1e308 } },
          }),
        ),
      ),
    ).toEqual({
      status: 400,
      message:
        'weights.normalisation.theft.unacceptable: must be between -1000000000 and 1000000000; weights.normalisation.theft.satisfactory: must be between -1000000000 and 1000000000',
    });
  });

  it('refuses an imported value past what its indicator can plausibly be, naming the field and the range', async () => {
    const response = await server.api(
      '/api/indicator-values',
      json('POST', [
        { indicator: 'legal_education', street: 'jinfang', period: '2026-11', value: 1e308 },
        { indicator: 'cameras_online', street: 'jinfang', period: '2026-11', value: 101 },
      ]),
    );
    expect(response.status).toBe(400);
    expect((await response.json()).details).toEqual([
      {
        line: 1,
        field: 'value',
        reason: '1e+308 is over 100000, the most a rate per 10,000 residents can plausibly be',
      },
      { line: 2, field: 'value', reason: '101 is a percentage over 100' },
    ]);
  });

  it('answers 413 to an acknowledgement the size of a file, before reading it all', async () => {
    // On a connection of its own: the server closes it rather than read the rest of the body.
    const body = JSON.stringify({ comment: 'x'.repeat(1024 * 1024) });
    const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      let answered = false;
      const request = httpRequest(
        `${server.baseUrl}/api/alerts/${encodeURIComponent(alertId)}/ack`,
        {
          method: 'POST',
          agent: false,
          headers: {
            authorization: `Bearer ${server.adminToken}`,
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
          },
        },
        (response) => {
          answered = true;
          let text = '';
          response.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
          response.on('end', () => resolve({ status: response.statusCode ?? 0, text }));
        },
      );
      // The server may hang up before the whole body is written: its answer is what counts.
      request.on('error', (error) => {
        if (!answered) reject(error);
      });
      request.end(body);
    });
    expect(status).toBe(413);
    expect(JSON.parse(text)).toEqual({
      code: 'too_large',
      message: 'the body exceeds 256 KB',
      requestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
  });

  it('closes the connection after a 413, so that a keep-alive client’s next request goes through', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    /** A request over the shared keep-alive agent: its status, its Connection header and its body. */
    const send = (method: string, path: string, body?: string) =>
      new Promise<{ status: number; connection: string | undefined; text: string }>((resolve, reject) => {
        let answered = false;
        const request = httpRequest(
          `${server.baseUrl}${path}`,
          {
            method,
            agent,
            headers: {
              authorization: `Bearer ${server.adminToken}`,
              ...(body === undefined
                ? {}
                : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }),
            },
          },
          (response) => {
            answered = true;
            let text = '';
            response.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
            response.on('end', () =>
              resolve({ status: response.statusCode ?? 0, connection: response.headers.connection, text }),
            );
          },
        );
        request.on('error', (error) => {
          if (!answered) reject(error);
        });
        request.end(body);
      });
    try {
      const refused = await send(
        'POST',
        `/api/alerts/${encodeURIComponent(alertId)}/ack`,
        JSON.stringify({ comment: 'x'.repeat(1024 * 1024) }),
      );
      expect(refused.status).toBe(413);
      expect(refused.connection).toBe('close');
      const next = await send('GET', '/api/streets');
      expect(next.status).toBe(200);
      expect(JSON.parse(next.text).streets).toHaveLength(9);
    } finally {
      agent.destroy();
    }
  });

  it('answers 400 naming the body to a multipart upload cut short before its closing boundary', async () => {
    const boundary = 'pingan-boundary-7f3a';
    const cut = [
      `--${boundary}`,
      'Content-Disposition: form-data; name="file"; filename="values.csv"',
      'Content-Type: text/csv',
      '',
      'indicator,street,period,value',
      'cameras_online,jinfang,2026-11,9',
    ].join('\r\n');
    const upload = {
      method: 'POST',
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
    };
    for (const path of ['/api/import/incident', '/api/indicator-values']) {
      const refused = await answer(server.api(path, { ...upload, body: cut }));
      expect(refused.status).toBe(400);
      expect(refused.message).toMatch(/^body: the multipart upload cannot be read/);
    }
    // Nothing was stored, and the server answers the next request.
    expect((await server.api('/api/streets')).status).toBe(200);
  });

  it('refuses a period before 1970 in a weight set’s preview and in imported values, naming the field', async () => {
    const weightSets = await (await server.api('/api/weight-sets')).json();
    const id = weightSets.weightSets[0].id;
    for (const period of ['0000-01', '1969-12-31'])
      expect(await answer(server.api(`/api/weight-sets/${id}/preview`, json('POST', { period })))).toEqual({
        status: 400,
        message: `period: "${period}" is outside 1970-01-01 to 9999-12-31`,
      });
    const imported = await server.api(
      '/api/indicator-values',
      json('POST', [{ indicator: 'cameras_online', street: 'jinfang', period: '0000-01', value: 90 }]),
    );
    expect(imported.status).toBe(400);
    expect((await imported.json()).details).toEqual([
      { line: 1, field: 'period', reason: '"0000-01" is outside 1970-01-01 to 9999-12-31' },
    ]);
  });

  it('quarantines a pushed item with a NUL character or a time in year 0, naming the field', async () => {
    const item = {
      id: 'nul-1',
      updatedAt: server.ctx.clock().toISOString(),
      street: 'jinfang',
      reportedAt: server.ctx.clock().toISOString(),
      category: 'theft',
      kind: 'criminal',
      status: 'open',
    };
    const response = await server.api(
      '/api/ingest/incident',
      json('POST', [
        { ...item, community: `金方社区${NUL}` },
        { ...item, id: 'nul-2', street: `nowhere${NUL}` },
        { ...item, id: 'year-0', reportedAt: '0000-01-01T00:00:00Z' },
      ]),
    );
    expect(response.status).toBe(422);
    expect((await response.json()).quarantined).toEqual([
      { line: 1, reason: 'community: must not contain a NUL character' },
      { line: 2, reason: 'street: must not contain a NUL character' },
      { line: 3, reason: 'reportedAt: must be between 1970-01-01T00:00:00Z and 9999-12-31T23:59:59Z' },
    ]);
    const quarantine = await (await server.api('/api/quarantine?feed=incident')).json();
    expect(quarantine.records.map((r: { record: { street: string } }) => r.record.street)).toContain(
      'nowhere\uFFFD',
    );
  });
});

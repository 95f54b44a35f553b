/**
 * What the server log keeps of a database failure, on PGlite and PostgreSQL: the query's SQL and the
 * driver's code and reason, never its parameters — which, for a subscription, are its secrets.
 */
import { Writable } from 'node:stream';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertSubscriptions } from '../../server/db/schema/index.js';
import { errorHandler } from '../../server/http/errors.js';
import { createLogger } from '../../server/logger.js';
import { databaseTargets } from '../support/databases.js';
import { startTestServer, type TestServer } from '../support/server.js';

const HOOK_SECRET = 'whsec-never-logged-5e4d3c2b1a';
const ROBOT_URL = 'https://open.feishu.cn/open-apis/bot/v2/hook/9f8e7d6c-path-token';

/** A destination that keeps every line a logger writes. */
function logLines() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  return { lines, stream };
}

describe.each(databaseTargets)('logging a failed query on $name', (target) => {
  let server: TestServer;
  /** Stores a subscription the database refuses: jsonb cannot hold the NUL at the end of its secret. */
  const failingWrite = () =>
    server.ctx.database.db.insert(alertSubscriptions).values({
      name: '指挥中心值班组',
      kind: 'group',
      spec: { channels: [{ kind: 'webhook', config: { url: ROBOT_URL, secret: `${HOOK_SECRET}\u0000` } }] },
    });
  const expectNoSecret = (text: string) => {
    expect(text).not.toContain(HOOK_SECRET);
    expect(text).not.toContain('9f8e7d6c-path-token');
  };

  beforeAll(async () => {
    server = await startTestServer({ target });
  });
  afterAll(() => server?.stop());

  it('logs a request whose query failed with its SQL and the driver’s reason, never the secrets it carried', async () => {
    const { lines, stream } = logLines();
    const app = new Hono();
    app.onError(errorHandler(createLogger('info', stream)));
    app.post('/api/subscriptions', async (c) => c.json(await failingWrite()));

    const response = await app.request('/api/subscriptions', { method: 'POST' });
    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({
      code: 'internal',
      message: 'internal error; the server log has the details',
    });
    expect(lines).toHaveLength(1);
    expectNoSecret(lines[0]!);
    const logged = JSON.parse(lines[0]!) as { msg: string; path: string; err: Record<string, unknown> };
    expect(logged).toMatchObject({ msg: 'request failed', path: '/api/subscriptions' });
    expect(logged.err.query).toMatch(/^insert into "alert_subscriptions"/);
    expect(logged.err.code).toBe('22P05');
    expect(logged.err.message).toMatch(/unsupported Unicode escape sequence/);
    expect(logged.err).not.toHaveProperty('params');
  });

  it('keeps a failed query’s parameters out of any error the server logs, even one it caused', async () => {
    const { lines, stream } = logLines();
    const logger = createLogger('info', stream);
    const failure = await failingWrite().then(
      () => new Error('the write succeeded'),
      (error: unknown) => error,
    );
    logger.error({ err: failure }, 'alert dispatch failed');
    logger.error(
      { err: new Error('alert evaluation failed', { cause: failure }) },
      'alert evaluation failed',
    );

    expect(lines).toHaveLength(2);
    for (const line of lines) {
      expect(line).toContain('insert into \\"alert_subscriptions\\"');
      expect(line).toContain('unsupported Unicode escape sequence');
      expectNoSecret(line);
    }
  });
});

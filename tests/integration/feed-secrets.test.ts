/**
 * A feed's credentials stay secret: its URL is shown by scheme and host only (GET /api/feeds,
 * /api/health, the log, lastError), a URL with user:password@ is refused by the configuration, and
 * credentials travel as request headers from the environment (`env:PINGAN_SECRET_…`).
 */
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parseCityConfig } from '../../server/config/city.js';
import { ConfigError } from '../../server/config/env.js';
import { createLogger } from '../../server/logger.js';
import { databaseTargets } from '../support/databases.js';
import { feedItem } from '../support/feed-items.js';
import { startFeedServer, type TestFeedServer } from '../support/feed-server.js';
import { startTestServer, testCity, type TestServer } from '../support/server.js';

const API_KEY = 'secret123';
const PATH_TOKEN = 'tok_9f8e7d6c5b4a39281706';
const HEADER_KEY = 'feed-header-key-5e4d3c2b1a';
const FORBIDDEN = [API_KEY, PATH_TOKEN, HEADER_KEY, '/v2/'];

describe.each(databaseTargets)("a feed's credentials on $name", (target) => {
  let server: TestServer;
  let feed: TestFeedServer;
  let origin: string;
  const lines: string[] = [];
  const expectNoSecret = (text: string, what: string) => {
    for (const secret of FORBIDDEN) expect(text, `${what} holds ${secret}`).not.toContain(secret);
  };
  const health = async () => {
    const response = await server.api('/api/health', { token: null });
    return { text: await response.text() };
  };
  const feedsAsWall = async () => {
    const response = await server.api('/api/feeds', { token: server.wallToken });
    expect(response.status).toBe(200);
    const text = await response.text();
    return { text, incident: (JSON.parse(text) as { feeds: Record<string, unknown>[] }).feeds[0]! };
  };

  beforeAll(async () => {
    vi.stubEnv('PINGAN_SECRET_FEED_KEY', HEADER_KEY);
    feed = await startFeedServer();
    origin = new URL(feed.url).origin;
    feed.items.push(feedItem('incident', new Date('2026-11-25T02:00:00Z')));
    const city = await testCity({
      incident: {
        url: `${origin}/v2/${PATH_TOKEN}/incidents?apikey=${API_KEY}`,
        headers: { 'x-api-key': 'env:PINGAN_SECRET_FEED_KEY', 'accept-language': 'zh-CN' },
        retries: 0,
        timeoutMs: 15_000,
      },
    });
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
        done();
      },
    });
    server = await startTestServer({ target, city, logger: createLogger('info', stream) });
    await server.ctx.feeds.runAll();
  });
  afterAll(async () => {
    vi.unstubAllEnvs();
    await server?.stop();
    await feed?.stop();
  });

  it('sends the headers of its configuration, env:PINGAN_SECRET_ ones read from the environment', () => {
    expect(feed.lastRequest?.headers['x-api-key']).toBe(HEADER_KEY);
    expect(feed.lastRequest?.headers['accept-language']).toBe('zh-CN');
    expect(feed.lastRequest?.url).toMatch(new RegExp(`^/v2/${PATH_TOKEN}/incidents\\?apikey=${API_KEY}&`));
  });

  it('shows its URL by scheme and host only, to a wall token and to anyone on /api/health', async () => {
    const { text, incident } = await feedsAsWall();
    expect(incident).toMatchObject({ feed: 'incident', url: origin, status: 'ok' });
    expectNoSecret(text, '/api/feeds');
    expectNoSecret((await health()).text, '/api/health');
  });

  it('keeps the path, query and credentials out of lastError, /api/health and the log when a poll fails', async () => {
    // A careless feed quotes back the URL and the headers it was sent.
    feed.fault = 'unauthorized';
    await server.ctx.feeds.runAll();
    const { text, incident } = await feedsAsWall();
    expect(incident.lastError).toMatch(new RegExp(`^HTTP 401 from ${origin}: `));
    expectNoSecret(text, '/api/feeds');
    expectNoSecret((await health()).text, '/api/health');

    await feed.stop();
    // The first attempt may find the kept-alive connection cut (UND_ERR_SOCKET); the next is refused.
    await server.ctx.feeds.runAll();
    await server.ctx.feeds.runAll();
    const down = await feedsAsWall();
    expect(down.incident.lastError).toBe(`cannot reach ${origin}: ECONNREFUSED`);
    expectNoSecret(down.text, '/api/feeds');
    expectNoSecret((await health()).text, '/api/health');

    const failures = lines.filter((line) => line.includes('feed poll failed'));
    expect(failures.length).toBeGreaterThanOrEqual(2);
    expectNoSecret(lines.join('\n'), 'the log');
  });
});

describe('the city configuration of a feed', () => {
  const problems = async (incident: Record<string, unknown>) => {
    const config = JSON.parse(JSON.stringify(await testCity())) as { feeds: Record<string, unknown> };
    config.feeds.incident = { ...(config.feeds.incident as object), ...incident };
    try {
      parseCityConfig(config);
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      return (error as ConfigError).problems;
    }
    return [];
  };

  it('refuses a URL with user:password@, saying credentials go in request headers', async () => {
    const refused = await problems({ url: 'https://jingqing:S3cret-pw@feeds.anning.example/incidents' });
    expect(refused).toEqual([
      'feeds.incident.url: a URL may not carry user:password@; put credentials in "headers" ' +
        '(e.g. "authorization": "env:PINGAN_SECRET_FEED_TOKEN")',
    ]);
    expect(refused.join()).not.toContain('S3cret-pw');
  });

  it('refuses a header that is not a header name or an env reference that is not a variable name', async () => {
    expect(await problems({ headers: { 'bad header': 'x', authorization: 'env:1-bad' } })).toEqual([
      "feeds.incident.headers.bad header: expected a header name (letters, digits and !#$%&'*+-.^_`|~)",
      'feeds.incident.headers.authorization: expected env:NAME with NAME an environment variable name',
    ]);
  });
});

describe.each(databaseTargets)('starting with a feed header that cannot be read on $name', (target) => {
  it('stops, naming the key path and why, for a variable that is missing or not allowed', async () => {
    for (const [reference, why] of [
      ['env:PINGAN_SECRET_NOT_SET', 'environment variable PINGAN_SECRET_NOT_SET is not set'],
      ['env:DATABASE_URL', "env:DATABASE_URL is one of the server's own settings: it is never sent anywhere"],
    ]) {
      const city = await testCity({
        incident: { url: 'http://127.0.0.1:9/incidents', headers: { authorization: reference! } },
      });
      const refusal = await startTestServer({ target, city }).then(
        (started) => started.stop().then(() => null),
        (error: unknown) => error,
      );
      expect(refusal).toBeInstanceOf(ConfigError);
      expect((refusal as ConfigError).problems).toEqual([`feeds.incident.headers.authorization: ${why}`]);
    }
  });
});

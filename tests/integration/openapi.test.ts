/**
 * The API document (/api/openapi.json): a valid OpenAPI 3.1 document that lists every route the
 * app registers, each with its access entry, its parameters and its answers; the answers of real
 * calls conform to it (here a handful; tests/integration/access.test.ts checks every route's with
 * every role). And the request id: on every answer, in every error body, on the request's log lines.
 */
import { Writable } from 'node:stream';
import { Validator } from '@seriousme/openapi-schema-validator';
import type { OpenAPIV3_1 } from 'openapi-types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACCESS, answeringRoutes, type AccessKey } from '../../server/http/access.js';
import { createLogger } from '../../server/logger.js';
import { routePattern } from '../../server/openapi/document.js';
import { databaseTargets } from '../support/databases.js';
import { feedItem } from '../support/feed-items.js';
import { contractOf, type Contract } from '../support/openapi.js';
import { startTestServer, type TestServer } from '../support/server.js';

/** Routes that are not the API: the display's files, the fall-through 404, the docs page's own files. */
const NOT_THE_API = new Set(['GET /', 'GET /*', 'GET /metrics', 'ALL /api/*', 'GET /api/docs/:file']);

const START = Date.parse('2026-11-25T02:00:00Z');
const shift = START - Date.now();
const clock = () => new Date(Date.now() + shift);

/** Every line a logger writes, parsed. */
function logLines() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { lines, stream };
}

const target = databaseTargets[0]!;

describe('the API document', () => {
  let server: TestServer;
  let document: OpenAPIV3_1.Document;
  let contract: Contract;
  const log = logLines();
  const operations = () =>
    Object.entries(document.paths ?? {}).flatMap(([path, item]) =>
      Object.entries(item ?? {}).map(([method, operation]) => ({
        key: `${method.toUpperCase()} ${routePattern(path)}`,
        operation: operation as OpenAPIV3_1.OperationObject & Record<string, unknown>,
      })),
    );

  beforeAll(async () => {
    server = await startTestServer({ target, clock, logger: createLogger('debug', log.stream) });
    const response = await server.api('/api/openapi.json', { token: null });
    expect(response.status).toBe(200);
    document = await response.json();
    contract = contractOf(document);
  });
  afterAll(() => server?.stop());

  it('is a valid OpenAPI 3.1 document', async () => {
    const result = await new Validator().validate(document as never);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(document.openapi).toBe('3.1.0');
    expect(document.info.version).toBe(server.ctx.version);
  });

  it('lists every route the server registers under /api, and no other', () => {
    const registered = answeringRoutes(server.app.routes).filter((key) => !NOT_THE_API.has(key));
    expect(
      operations()
        .map((o) => o.key)
        .sort(),
    ).toEqual(registered.sort());
  });

  it('says for each operation who may call it, what it takes and what it answers', () => {
    for (const { key, operation } of operations()) {
      const entry = ACCESS[key as AccessKey];
      expect(operation['x-permission'], key).toBe(entry.who);
      expect(operation['x-street-scope'], key).toBe(entry.streets);
      expect(operation.summary, key).toBeTruthy();
      expect(operation.tags, key).toHaveLength(1);
      const success = Object.entries(operation.responses ?? {}).filter(([status]) => status.startsWith('2'));
      // One success, or two where the route tells two outcomes apart (201 published, 200 already so).
      expect(success.length, key).toBeGreaterThanOrEqual(1);
      for (const [status, response] of success) {
        const content = (response as OpenAPIV3_1.ResponseObject).content ?? {};
        expect(Object.values(content).length, `${key} ${status}: its media`).toBeGreaterThan(0);
        for (const media of Object.values(content))
          expect(media.schema, `${key} ${status}: a schema`).toBeTruthy();
      }
      const needsToken = !['public', 'signed-link', 'signed-webhook'].includes(entry.who);
      expect(operation.security, key).toEqual(needsToken ? [{ bearer: [] }, { queryToken: [] }] : []);
      if (needsToken)
        expect(Object.keys(operation.responses ?? {}), key).toEqual(expect.arrayContaining(['401', '403']));
      // Each path parameter is declared.
      for (const name of key.matchAll(/:(\w+)/g))
        expect(
          operation.parameters?.some((p) => 'name' in p && p.name === name[1] && p.in === 'path'),
          key,
        ).toBe(true);
    }
  });

  it('describes the query a route parses, with its limits', () => {
    const alerts = contract.operation('GET /api/alerts')!;
    const limit = alerts.parameters?.find(
      (p) => 'name' in p && p.name === 'limit',
    ) as OpenAPIV3_1.ParameterObject;
    expect(limit).toMatchObject({ in: 'query', required: false, schema: { minimum: 1, maximum: 1000 } });
  });

  it('gives real answers that conform to it', async () => {
    const feed = await server.issue('feed');
    const pushed = await server.api('/api/ingest/incident', {
      method: 'POST',
      token: feed,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([feedItem('incident', clock(), { street: 'qinglong', community: undefined })]),
    });
    expect(contract.problems('POST', '/api/ingest/:feed', pushed.status, await pushed.json())).toEqual([]);
    for (const path of [
      '/api/health',
      '/api/streets',
      '/api/indicators',
      '/api/index',
      '/api/session',
      '/api/weight-sets',
      '/api/feeds',
      '/api/alerts',
      '/api/tokens',
      '/api/index/history?street=qinglong',
    ]) {
      const response = await server.api(path);
      expect(response.status, path).toBe(200);
      expect(contract.problems('GET', path.split('?')[0]!, 200, await response.json()), path).toEqual([]);
    }
  });

  it('catches an answer that does not conform', () => {
    expect(
      contract.problems('GET', '/api/session', 200, {
        name: 'x',
        role: 'admin',
        streets: [],
        permissions: [],
        extra: 1,
      }),
    ).not.toEqual([]);
    expect(contract.problems('GET', '/api/session', 200, { name: 'x' })).not.toEqual([]);
    expect(contract.problems('GET', '/api/session', 418, {})).toEqual([
      'GET /api/session: the document has no answer 418',
    ]);
  });

  it('is rendered by a page that loads only this server’s files', async () => {
    const page = await server.api('/api/docs', { token: null });
    expect(page.status).toBe(200);
    const html = await page.text();
    const sources = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1]!);
    expect(sources.length).toBeGreaterThan(2);
    for (const source of sources) {
      expect(source, 'a file of this server').toMatch(/^\/api\//);
      expect((await server.api(source, { token: null })).status, source).toBe(200);
    }
    const missing = await server.api('/api/docs/package.json', { token: null });
    expect(missing.status).toBe(404);
  });

  describe('request ids', () => {
    const linesOf = (requestId: string) => log.lines.filter((line) => line.requestId === requestId);

    it('answers every request with one, the caller’s own when it sends a sane one', async () => {
      const mine = await server.api('/api/health', {
        token: null,
        headers: { 'x-request-id': 'wall-7f3a-0001' },
      });
      expect(mine.headers.get('x-request-id')).toBe('wall-7f3a-0001');
      const insane = await server.api('/api/health', {
        token: null,
        headers: { 'x-request-id': 'a b<script>' },
      });
      expect(insane.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
      const none = await server.api('/api/index');
      expect(none.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    });

    it('puts it in a 400’s body and on the request’s log line', async () => {
      const response = await server.api('/api/alerts?limit=0');
      expect(response.status).toBe(400);
      const body = await response.json();
      const id = response.headers.get('x-request-id')!;
      expect(body).toMatchObject({ code: 'bad_request', requestId: id });
      expect(body.message).toContain('limit');
      expect(linesOf(id)).toContainEqual(
        expect.objectContaining({ msg: 'request', status: 400, path: '/api/alerts' }),
      );
      expect(contract.problems('GET', '/api/alerts', 400, body)).toEqual([]);
    });

    it('puts it in a 500’s body and on the log line of the failure', async () => {
      const live = server.ctx.liveIndex;
      const current = live.current.bind(live);
      live.current = () => Promise.reject(new Error('the index could not be computed (test)'));
      try {
        const response = await server.api('/api/index', {
          headers: { 'x-request-id': 'briefing-500-check' },
        });
        expect(response.status).toBe(500);
        const body = await response.json();
        expect(body).toMatchObject({ code: 'internal', requestId: 'briefing-500-check' });
        expect(response.headers.get('x-request-id')).toBe('briefing-500-check');
        const failure = linesOf('briefing-500-check').find((line) => line.msg === 'request failed');
        expect(failure).toMatchObject({
          level: 50,
          path: '/api/index',
          err: { message: 'the index could not be computed (test)' },
        });
        expect(contract.problems('GET', '/api/index', 500, body)).toEqual([]);
      } finally {
        live.current = current;
      }
    });

    it('is on the lines the services log while serving the request', async () => {
      const response = await server.api('/api/tokens', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-request-id': 'token-create-1' },
        body: JSON.stringify({ name: 'night shift', role: 'officer' }),
      });
      expect(response.status).toBe(201);
      expect(linesOf('token-create-1').map((line) => line.msg)).toEqual(['token created', 'request']);
    });

    it('carries it on a refusal before any route: a token missing, a body too large, no such route', async () => {
      for (const [path, init, status] of [
        ['/api/alerts', { token: null }, 401],
        ['/api/nothing-here', {}, 404],
        [
          '/api/silences',
          { method: 'POST', headers: { 'content-type': 'application/json' }, body: 'x'.repeat(300_000) },
          413,
        ],
      ] as const) {
        const response = await server.api(path, init);
        expect(response.status, path).toBe(status);
        const body = await response.json();
        expect(body.requestId, path).toBe(response.headers.get('x-request-id'));
      }
    });
  });
});

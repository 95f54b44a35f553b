/**
 * The display's API calls: a failure tells its kind apart, and a server's fault names the request
 * the person can quote to the operator.
 */
import { describe, expect, it } from 'vitest';
import { requestJson } from '../../display/src/lib/admin/api.js';
import { ApiFailure, getJson } from '../../display/src/lib/api.js';

/** A fetch that answers one response. */
const answering =
  (status: number, body: unknown, headers: Record<string, string> = {}): typeof fetch =>
  async () =>
    new Response(JSON.stringify(body), {
      status,
      headers: { 'content-type': 'application/json', ...headers },
    });

describe('a failed API call', () => {
  it('names the request of a server fault, from X-Request-Id', async () => {
    const fault = answering(
      500,
      { code: 'internal', message: 'internal error', requestId: 'r-1' },
      { 'x-request-id': 'r-1' },
    );
    for (const call of [
      () => getJson('/api/index', 't', fault),
      () => requestJson('PUT', '/api/x', 't', {}, fault),
    ]) {
      const failure = await call().catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(ApiFailure);
      expect(failure).toMatchObject({ kind: 'server', status: 500, message: 'internal error (request r-1)' });
    }
  });

  it('says a refusal as the server said it, without the request', async () => {
    const refused = answering(
      403,
      { code: 'forbidden', message: 'the wall role may not admin', requestId: 'r-2' },
      { 'x-request-id': 'r-2' },
    );
    await expect(getJson('/api/tokens', 't', refused)).rejects.toMatchObject({
      kind: 'forbidden',
      message: 'the wall role may not admin',
    });
  });
});

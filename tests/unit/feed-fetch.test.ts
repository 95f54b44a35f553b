/**
 * Reading one page over HTTP when a connection is lost under the request: tried once more on a new
 * connection (a kept-alive one the feed closed as idle), besides the configured retries.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { fetchPage } from '../../server/feeds/http-source.js';

const read = (json: unknown) => ({ ok: true as const, answer: json });

describe('fetching a page', () => {
  let server: Server | undefined;
  afterEach(() => new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined))));

  /** A feed that cuts the connection of its first `resets` requests, then answers. */
  async function feed(resets: number) {
    let requests = 0;
    server = createServer((request, response) => {
      requests++;
      if (requests <= resets) return void request.socket.destroy();
      response.setHeader('content-type', 'application/json');
      response.end('{"items": []}');
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/feed`;
    return { url, requests: () => requests };
  }

  it('tries a lost connection again once, even with no retries', async () => {
    const source = await feed(1);
    await expect(fetchPage({ url: source.url, timeoutMs: 10_000, retries: 0 }, read)).resolves.toEqual({
      items: [],
    });
    expect(source.requests()).toBe(2);
  });

  it('fails naming the host when the feed keeps cutting connections', async () => {
    const source = await feed(10);
    const origin = new URL(source.url).origin;
    await expect(fetchPage({ url: source.url, timeoutMs: 10_000, retries: 0 }, read)).rejects.toThrow(
      new RegExp(`^cannot reach ${origin}: `),
    );
    expect(source.requests()).toBe(2);
  });
});

/**
 * The server's log as a person reads it on a terminal (one line per event, the city's wall-clock
 * time) and as a machine reads it elsewhere (JSON lines), each line of a request with its id.
 */
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createLogger, prettyStream, readableLogs } from '../../server/logger.js';
import { withRequest } from '../../server/request-context.js';

/** A stream that keeps what is written to it. */
function collected() {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString('utf8'));
      done();
    },
  });
  return { stream, text: () => chunks.join('') };
}

describe('the log', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
    // 16:48:38 in Anning (UTC+8), whatever zone the machine is in.
    vi.setSystemTime(new Date('2026-12-03T08:48:38.107Z'));
  });
  afterEach(() => vi.useRealTimers());

  it('is one readable line per event on a terminal, at the city’s time, its fields after the message', () => {
    const out = collected();
    const logger = createLogger('info', prettyStream('Asia/Shanghai', false, out.stream));
    logger.info({ port: 3000, database: 'pglite' }, 'listening');
    logger.debug('not at this level');
    withRequest('req-42', () =>
      logger.warn({ path: '/api/index' }, 'request failed: the database is unavailable'),
    );
    expect(out.text().split('\n').filter(Boolean)).toEqual([
      '12-03 16:48:38.107 INFO: listening {"port":3000,"database":"pglite"}',
      '12-03 16:48:38.107 WARN: request failed: the database is unavailable {"requestId":"req-42","path":"/api/index"}',
    ]);
  });

  it('writes the time in the configured zone', () => {
    const out = collected();
    createLogger('info', prettyStream('Europe/London', false, out.stream)).info('in London');
    expect(out.text()).toMatch(/^12-03 08:48:38\.107 INFO: in London/);
  });

  it('is JSON lines elsewhere, each line of a request with its id, none outside one', () => {
    const out = collected();
    const logger = createLogger('info', out.stream);
    withRequest('req-7', () => logger.info({ id: 3 }, 'token created'));
    logger.info('listening');
    const [inside, outside] = out
      .text()
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(inside).toMatchObject({
      msg: 'token created',
      id: 3,
      requestId: 'req-7',
      time: Date.parse('2026-12-03T08:48:38.107Z'),
    });
    expect(outside).not.toHaveProperty('requestId');
  });

  it('keeps tokens out of the readable lines as out of the JSON', () => {
    const out = collected();
    createLogger('info', prettyStream('Asia/Shanghai', false, out.stream)).info(
      { token: 'tok-secret-1234567890' },
      'x',
    );
    expect(out.text()).not.toContain('tok-secret');
    expect(out.text()).toContain('[redacted]');
  });

  it('is readable on a terminal or when asked, JSON when redirected or asked', () => {
    expect(readableLogs('auto', true)).toBe(true);
    expect(readableLogs('auto', false)).toBe(false);
    expect(readableLogs('pretty', false)).toBe(true);
    expect(readableLogs('json', true)).toBe(false);
  });
});

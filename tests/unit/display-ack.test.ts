/** The acknowledgement page's helpers: the comment, the signed link and its API, and every refusal in words. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertView } from '../../shared/api.js';
import {
  ackApiPath,
  ackLinkFrom,
  checkComment,
  COMMENT_MAX,
  confirmAckLink,
  linkExpiry,
  readAckLink,
} from '../../display/src/lib/ack.js';
import { ackMessages, REFUSAL_CODES, refusalWords } from '../../display/src/lib/ack-i18n.js';
import { langQuery } from '../../display/src/lib/i18n.js';
import { ago, alert } from '../support/live-alerts.js';

describe('the acknowledgement comment', () => {
  it('is required and at most 500 characters once trimmed', () => {
    expect(checkComment('   ')).toEqual({ length: 0, problem: 'empty' });
    expect(checkComment(' 已派警处置 ')).toEqual({ length: 5, problem: null });
    expect(checkComment('警'.repeat(COMMENT_MAX))).toEqual({ length: 500, problem: null });
    expect(checkComment('警'.repeat(COMMENT_MAX + 1))).toEqual({ length: 501, problem: 'too_long' });
  });
});

describe('a signed acknowledgement link', () => {
  const params = new URLSearchParams({ sub: '7', exp: '1796000000', sig: 'a-b_c', lang: 'en' });
  const link = ackLinkFrom('zeroTolerance:jinfang:ev 1:2026-11-25T06:00:00.000Z', params);

  it('carries its query to the API unchanged, and its expiry', () => {
    expect(ackApiPath(link)).toBe(
      '/api/ack/zeroTolerance%3Ajinfang%3Aev%201%3A2026-11-25T06%3A00%3A00.000Z?sub=7&exp=1796000000&sig=a-b_c',
    );
    expect(linkExpiry(link)).toBe(1_796_000_000_000);
    expect(linkExpiry(ackLinkFrom('x', new URLSearchParams()))).toBeNull();
    expect(ackLinkFrom('x', new URLSearchParams())).toEqual({ alertId: 'x', sub: '', exp: '', sig: '' });
  });

  it('switches the page’s language keeping the signature', () => {
    expect(langQuery(params, 'zh')).toBe('?sub=7&exp=1796000000&sig=a-b_c');
    expect(langQuery(new URLSearchParams('sig=x'), 'en')).toBe('?sig=x&lang=en');
  });

  describe('against a server', () => {
    let server: Server;
    let base = '';
    const requests: { method: string; url: string; body: string }[] = [];
    const view = (status: AlertView['status']): AlertView => ({
      ...alert('a1'),
      status,
      key: 'zeroTolerance:jinfang:e1',
      event: 'e1',
      resolvedAt: null,
      detail: { rule: 'zeroTolerance', event: 'e1', category: 'robbery', community: null, at: ago(5) },
      repeats: 0,
      escalatedAt: null,
    });
    /** What the stand-in server answers next: status and body. */
    let answer: { status: number; body: unknown } = { status: 200, body: {} };
    const fetchThere: typeof fetch = (input, init) => fetch(`${base}${String(input)}`, init);

    beforeAll(async () => {
      server = createServer((request, response) => {
        let body = '';
        request.on('data', (chunk: Buffer) => (body += chunk.toString()));
        request.on('end', () => {
          requests.push({ method: request.method!, url: request.url!, body });
          response.writeHead(answer.status, { 'content-type': 'application/json' });
          response.end(typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body));
        });
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    it('reads the alert and sends the trimmed comment', async () => {
      answer = { status: 200, body: { alert: view('firing'), expiresAt: '2026-11-26T06:00:00.000Z' } };
      const read = await readAckLink(link, fetchThere);
      expect(read).toMatchObject({ ok: true, alert: { id: 'a1', status: 'firing' } });
      expect(requests.at(-1)).toMatchObject({ method: 'GET', url: ackApiPath(link) });
      // The street's names and the city's time zone, when the server sends them, come through.
      answer = {
        status: 200,
        body: {
          alert: view('firing'),
          expiresAt: null,
          streetName: { zh: '金方', en: 'Jinfang' },
          timezone: 'Asia/Shanghai',
        },
      };
      expect(await readAckLink(link, fetchThere)).toMatchObject({
        ok: true,
        streetName: { zh: '金方' },
        timezone: 'Asia/Shanghai',
      });
      answer = { status: 200, body: { alert: view('acknowledged') } };
      const sent = await confirmAckLink(link, '  已派警处置  ', fetchThere);
      expect(sent).toMatchObject({ ok: true, alert: { status: 'acknowledged' } });
      expect(requests.at(-1)).toEqual({
        method: 'POST',
        url: ackApiPath(link),
        body: '{"comment":"已派警处置"}',
      });
    });

    it('turns every refusal into a code and the server’s message', async () => {
      answer = { status: 403, body: { code: 'link_expired', message: 'the link expired at …' } };
      expect(await readAckLink(link, fetchThere)).toEqual({
        ok: false,
        status: 403,
        code: 'link_expired',
        message: 'the link expired at …',
      });
      answer = { status: 409, body: { code: 'acknowledged', message: 'already acknowledged by 金方值班' } };
      expect(await confirmAckLink(link, 'x', fetchThere)).toMatchObject({
        status: 409,
        code: 'acknowledged',
      });
      // Not JSON, or a success without an alert: a server failure that still says something.
      answer = { status: 502, body: '<html>bad gateway</html>' };
      expect(await readAckLink(link, fetchThere)).toMatchObject({
        ok: false,
        code: 'server',
        message: /^502/,
      });
      answer = { status: 200, body: { alert: null } };
      expect(await readAckLink(link, fetchThere)).toMatchObject({ ok: false, code: 'server' });
    });

    it('says the network failed when nothing answers', async () => {
      const nowhere: typeof fetch = (input, init) => fetch(`http://127.0.0.1:9${String(input)}`, init);
      expect(await readAckLink(link, nowhere)).toMatchObject({ ok: false, status: null, code: 'network' });
    });
  });

  it('words every refusal, and an unknown one as a failure', () => {
    const zh = ackMessages('zh');
    expect(refusalWords(zh, 'link_expired').title).toBe('链接已过期');
    expect(refusalWords(ackMessages('en'), 'link_invalid').title).toBe('This link is not valid');
    expect(refusalWords(zh, 'something_new')).toEqual(zh.refusals.server);
  });

  it('says every refusal the server or the network can give in Chinese on a Chinese page, each its own words', () => {
    const zh = ackMessages('zh');
    const en = ackMessages('en');
    for (const code of [
      'link_invalid',
      'link_expired',
      'not_found',
      'acknowledged',
      'resolved',
      'pending',
      'bad_request',
      'network',
      'starting',
      'internal',
    ])
      expect(REFUSAL_CODES).toContain(code);
    for (const code of REFUSAL_CODES) {
      const words = refusalWords(zh, code);
      // Chinese sentences: no Latin words (the server's English reason is only a folded-away detail).
      expect(`${words.title}${words.hint}`, code).not.toMatch(/[A-Za-z]/);
      expect(words.title, code).toMatch(/\p{Script=Han}/u);
      expect(refusalWords(en, code).title, code).toMatch(/^[A-Z]/);
      if (code !== 'server') expect(words, code).not.toEqual(zh.refusals.server);
    }
  });
});

import { describe, expect, it } from 'vitest';
import { describeIssues, feedConfigSchema } from '../../shared/city.js';
import {
  alreadyRead,
  firstPosition,
  nextPosition,
  pagingParams,
  pagingValues,
  positionText,
  readAnswer,
  readPosition,
  type PageRead,
  type PagingContext,
  type PagingPosition,
} from '../../shared/feed-paging.js';
import { pagingSchema, renderBody, type Paging } from '../../shared/feed-request.js';
import { RequestPacer } from '../../server/feeds/pacer.js';

const NOW = new Date('2026-11-25T02:00:00Z');
const context = (pageSize = 10, now = NOW): PagingContext => ({
  pageSize,
  backfillDays: 30,
  zone: 'Asia/Shanghai',
  now,
});
const paging = (config: Record<string, unknown>): Paging => pagingSchema.parse(config);
const read = (items: number, extra: Partial<PageRead> = {}): PageRead => ({
  items: Array.from({ length: items }, (_, i) => ({ i })),
  newest: null,
  ...extra,
});
const problems = (feed: Record<string, unknown>) => {
  const parsed = feedConfigSchema.safeParse({ intervalSeconds: 10, ...feed });
  return parsed.success ? [] : describeIssues(parsed.error);
};

describe('a feed request in the configuration', () => {
  it('defaults to our envelope: GET, cursor paging with since/limit and next/hasMore', () => {
    const feed = feedConfigSchema.parse({ intervalSeconds: 10 });
    expect(feed.method).toBe('GET');
    expect(feed.query).toEqual({});
    expect(feed.paging).toEqual({
      mode: 'cursor',
      items: 'items',
      cursorParam: 'since',
      limitParam: 'limit',
      nextPath: 'next',
      hasMorePath: 'hasMore',
    });
  });

  it('takes secrets of auth as env: references only, naming the field', () => {
    expect(problems({ auth: { type: 'bearer', token: 'abc123' } })).toEqual([
      'auth.token: expected env:NAME: a secret is read from the server environment, never written here',
    ]);
    expect(problems({ auth: { type: 'basic', username: 'a:b', password: 'env:PINGAN_SECRET_PW' } })).toEqual([
      'auth.username: a user name cannot hold ":"',
    ]);
    expect(problems({ auth: { type: 'basic', username: 'wall', password: 'env:PINGAN_SECRET_PW' } })).toEqual(
      [],
    );
  });

  it('refuses auth beside an authorization header, and a query parameter the paging sets', () => {
    expect(
      problems({
        auth: { type: 'bearer', token: 'env:PINGAN_SECRET_T' },
        headers: { Authorization: 'env:PINGAN_SECRET_T' },
        query: { since: '0', tenant: 'anning' },
      }),
    ).toEqual([
      'auth: headers already set authorization: keep one of the two',
      'query.since: is a parameter of the cursor paging, which sets it on each request',
    ]);
  });

  it('sends a body only with POST, and refuses one without the mode’s position or with an unknown placeholder', () => {
    expect(problems({ body: { page: '{page}' } })).toEqual(['body: only sent with "method": "POST"']);
    expect(problems({ method: 'POST' })).toEqual([
      'body: required with "method": "POST": the JSON sent, with placeholders such as "{page}"',
    ]);
    expect(
      problems({ method: 'POST', paging: { mode: 'page' }, body: { p: '{pgae}', size: '{limit}' } }),
    ).toEqual([
      'body.p: unknown placeholder {pgae} (one of {cursor}, {page}, {offset}, {limit}, {after}, {start})',
      'body: holds no "{page}": in page paging every request would ask for the same page',
    ]);
  });

  it('names the paging field that is wrong', () => {
    expect(problems({ paging: { mode: 'pages' } })[0]).toMatch(/^paging\.mode: /);
    expect(problems({ paging: { mode: 'page', firstPage: 2 } })[0]).toMatch(/^paging\.firstPage: /);
    expect(problems({ paging: { mode: 'page', items: 'data..list' } })).toEqual([
      'paging.items: expected a dotted path such as data.list (no spaces, no empty part)',
    ]);
    expect(problems({ paging: { mode: 'updatedAfter', format: 'DD/MM' } })[0]).toMatch(/^paging\.format: /);
    expect(problems({ tls: { ca: 'env:PINGAN_SECRET_CA', caFile: 'ca.pem' } })).toEqual([
      'tls: expected one of ca or caFile',
    ]);
  });
});

describe('a body template', () => {
  it('puts typed values in whole placeholders, text in longer strings, and leaves out what has no value', () => {
    const template = {
      query: { page: '{page}', size: '{limit}', cursor: '{cursor}', label: 'p{page}-{cursor}' },
      filters: ['{start}', 'open'],
      keep: true,
      literal: '{notPaging}',
    };
    expect(renderBody(template, { page: 2, limit: 50, cursor: null })).toEqual({
      query: { page: 2, size: 50, label: 'p2-' },
      filters: ['open'],
      keep: true,
      literal: '{notPaging}',
    });
    expect(renderBody({ after: '{after}' }, { after: 1764035100000, limit: 5 })).toEqual({
      after: 1764035100000,
    });
  });
});

describe('cursor paging', () => {
  const cursor = paging({ mode: 'cursor' });

  it('asks for the first page without a cursor and moves on to the next one the feed gives', () => {
    const first = firstPosition(cursor, context());
    expect(pagingParams(cursor, pagingValues(first, cursor, context()))).toEqual([['limit', '10']]);
    const step = nextPosition(first, cursor, read(10, { next: '10', hasMore: true }), 10);
    expect(step).toEqual({ position: { mode: 'cursor', cursor: '10' }, hasMore: true });
    expect(positionText(step.position)).toBe('10');
    expect(readPosition('10', cursor, context()).position).toEqual(step.position);
    // A position another mode stored is not a cursor to send.
    expect(readPosition('{"mode":"offset","offset":40}', cursor, context())).toEqual({
      position: first,
      restarted: true,
    });
  });

  it('sends paging.start, now − backfillDays, on the first request only', () => {
    const started = paging({ mode: 'cursor', start: { param: 'from', format: 'YYYY-MM-DD HH:mm:ss' } });
    const first = firstPosition(started, context());
    expect(pagingParams(started, pagingValues(first, started, context()))).toEqual([
      ['limit', '10'],
      ['from', '2026-10-26 10:00:00'],
    ]);
    const later = { mode: 'cursor', cursor: 'x' } as const;
    expect(pagingParams(started, pagingValues(later, started, context()))).toEqual([
      ['since', 'x'],
      ['limit', '10'],
    ]);
  });

  it('without hasMore in the answer, has more while the cursor moves', () => {
    const position: PagingPosition = { mode: 'cursor', cursor: 'a' };
    expect(nextPosition(position, cursor, read(3, { next: 'b' }), 10).hasMore).toBe(true);
    expect(nextPosition(position, cursor, read(3, { next: 'a' }), 10).hasMore).toBe(false);
    expect(nextPosition(position, cursor, read(0, { next: null }), 10)).toEqual({ position, hasMore: false });
  });
});

describe('page paging', () => {
  const pages = paging({
    mode: 'page',
    items: 'data.list',
    firstPage: 0,
    start: { param: 'begin', format: 'epoch_s' },
  });

  it('starts at the first page with the backfill horizon, which it sends with every page', () => {
    const first = firstPosition(pages, context());
    expect(first).toEqual({ mode: 'page', page: 0, skip: 0, size: 10, start: 1792980000 });
    const step = nextPosition(first, pages, read(10), 10);
    expect(step).toEqual({ position: { ...first, page: 1 }, hasMore: true });
    expect(pagingParams(pages, pagingValues(step.position, pages, context()))).toEqual([
      ['page', '1'],
      ['size', '10'],
      ['begin', '1792980000'],
    ]);
  });

  it('stops at a short page and reads it again later without what it stored of it', () => {
    const position: PagingPosition = { mode: 'page', page: 3, skip: 0, size: 10 };
    const step = nextPosition(position, pages, read(4), 10);
    expect(step).toEqual({ position: { ...position, skip: 4 }, hasMore: false });
    expect([0, 3, 4].map((i) => alreadyRead(step.position, i))).toEqual([true, true, false]);
  });

  it('stops when the total says the last page was read', () => {
    const position: PagingPosition = { mode: 'page', page: 1, skip: 0, size: 10 };
    expect(nextPosition(position, pages, read(10, { total: 20 }), 10).hasMore).toBe(false);
    expect(nextPosition(position, pages, read(10, { total: 21 }), 10).hasMore).toBe(true);
  });

  it('counts a stored position again in a new page size', () => {
    const text = JSON.stringify({ mode: 'page', page: 2, skip: 3, size: 10 });
    // 23 items read from page 0: page 4 of 5, its first 3 stored.
    expect(readPosition(text, pages, context(5)).position).toEqual({
      mode: 'page',
      page: 4,
      skip: 3,
      size: 5,
    });
  });

  it('starts again from the first position when the stored one is of another mode', () => {
    expect(readPosition('17', pages, context())).toEqual({
      position: firstPosition(pages, context()),
      restarted: true,
    });
  });
});

describe('offset paging', () => {
  const offsets = paging({ mode: 'offset', offsetParam: 'skip', limitParam: 'take' });

  it('moves on by what it read and stops on a short page', () => {
    const first = firstPosition(offsets, context());
    expect(pagingParams(offsets, pagingValues(first, offsets, context()))).toEqual([
      ['skip', '0'],
      ['take', '10'],
    ]);
    const full = nextPosition(first, offsets, read(10), 10);
    expect(full).toEqual({ position: { mode: 'offset', offset: 10 }, hasMore: true });
    expect(nextPosition(full.position, offsets, read(4), 10)).toEqual({
      position: { mode: 'offset', offset: 14 },
      hasMore: false,
    });
  });
});

describe('a time cursor', () => {
  const times = paging({ mode: 'updatedAfter', format: 'epoch_ms', overlapSeconds: 60 });
  const horizon = NOW.getTime() - 30 * 86_400_000;

  it('asks first for now − backfillDays, then for the newest updatedAt minus the overlap', () => {
    const first = firstPosition(times, context());
    expect(first).toEqual({ mode: 'updatedAfter', from: horizon, seen: [] });
    expect(pagingParams(times, pagingValues(first, times, context()))).toEqual([
      ['updated_after', String(horizon)],
      ['limit', '10'],
    ]);
    const newest = horizon + 3_600_000;
    const step = nextPosition(first, times, read(10, { newest, keys: ['k1'] }), 10);
    expect(step).toEqual({
      position: { mode: 'updatedAfter', from: newest - 60_000, seen: ['k1'] },
      hasMore: true,
    });
    expect(alreadyRead(step.position, 0, 'k1')).toBe(true);
    expect(alreadyRead(step.position, 0, 'k2')).toBe(false);
    expect(readPosition(positionText(step.position), times, context()).position).toEqual(step.position);
  });

  it('writes the time in the configured format and zone', () => {
    const local = paging({ mode: 'updatedAfter', format: 'YYYY-MM-DD HH:mm:ss', overlapSeconds: 0 });
    const position: PagingPosition = {
      mode: 'updatedAfter',
      from: Date.parse('2026-11-25T02:05:00Z'),
      seen: [],
    };
    expect(pagingValues(position, local, context()).after).toBe('2026-11-25 10:05:00');
  });

  it('never moves back, keeps what it saw over an empty page, and stops on a short page', () => {
    const position: PagingPosition = { mode: 'updatedAfter', from: horizon, seen: ['k1'] };
    expect(nextPosition(position, times, read(0), 10)).toEqual({ position, hasMore: false });
    const older = nextPosition(position, times, read(2, { newest: horizon - 1, keys: ['k2', 'k3'] }), 10);
    expect(older).toEqual({ position: { ...position, seen: ['k2', 'k3'] }, hasMore: false });
  });

  it('says so when a full page would be asked for again', () => {
    const position: PagingPosition = { mode: 'updatedAfter', from: horizon, seen: [] };
    const step = nextPosition(position, times, read(10, { newest: horizon + 30_000, keys: [] }), 10);
    expect(step.stuck).toBe(
      'a full page of 10 items does not move the time cursor on (all updated within overlapSeconds of it): ' +
        'raise pageSize or lower overlapSeconds',
    );
  });
});

describe('reading an answer', () => {
  it('finds the items and the paging values at their paths', () => {
    const pages = paging({ mode: 'page', items: 'data.list', totalPath: 'data.total' });
    expect(readAnswer({ data: { list: [1, 2], total: '12' } }, pages)).toEqual({
      ok: true,
      answer: { items: [1, 2], total: 12 },
    });
    const cursor = paging({ mode: 'cursor', nextPath: 'page.next', hasMorePath: 'page.more' });
    expect(readAnswer({ items: [], page: { next: 42, more: false } }, cursor)).toEqual({
      ok: true,
      answer: { items: [], next: '42', hasMore: false },
    });
  });

  it('names the path that does not hold what it should', () => {
    const pages = paging({ mode: 'page', items: 'data.list', totalPath: 'data.total' });
    expect(readAnswer({ data: { list: { a: 1 } } }, pages)).toEqual({
      ok: false,
      problems: [
        'data.list: expected the array of items (paging.items), found an object',
        'data.total: expected the total number of items (paging.totalPath), found nothing',
      ],
    });
    expect(readAnswer({ items: 5, next: {}, hasMore: 'yes' }, paging({ mode: 'cursor' }))).toEqual({
      ok: false,
      problems: [
        'items: expected the array of items (paging.items), found a number',
        'next: expected the next cursor (a string or a number), found an object',
        'hasMore: expected true or false, found a string',
      ],
    });
  });
});

describe('a request rate', () => {
  it('spaces the starts of requests by minIntervalMs, however soon they are asked for', async () => {
    let now = 1000;
    const waits: number[] = [];
    const pacer = new RequestPacer(
      250,
      () => now,
      async (ms) => {
        waits.push(ms);
        now += ms;
      },
    );
    await pacer.turn();
    await pacer.turn();
    now += 100;
    await pacer.turn();
    now += 1000;
    await pacer.turn();
    expect(waits).toEqual([250, 150]);
  });
});

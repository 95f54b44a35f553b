import { describe, expect, it } from 'vitest';
import { ChangeLog, CursorError, DEFAULT_LIMIT, MAX_LIMIT, parseLimit } from '../../server/simulator/log.js';

interface Item {
  id: string;
  v: number;
}

function logOf(count: number): ChangeLog<Item> {
  const log = new ChangeLog<Item>();
  for (let i = 0; i < count; i++) log.append({ id: `X-${i}`, v: 0 });
  return log;
}

function drain(log: ChangeLog<Item>, since: string | undefined, limit: number) {
  const items: Item[] = [];
  let cursor = since;
  let pages = 0;
  for (;;) {
    const page = log.page(cursor, limit);
    items.push(...page.items);
    cursor = page.next;
    pages++;
    if (!page.hasMore) return { items, cursor, pages };
  }
}

describe('simulator change log', () => {
  it('reads from the beginning without a cursor and pages with next and hasMore', () => {
    const log = logOf(10);
    const first = log.page(undefined, 4);
    expect(first).toEqual({ items: expect.any(Array), next: '4', hasMore: true });
    expect(first.items.map((i) => i.id)).toEqual(['X-0', 'X-1', 'X-2', 'X-3']);
    expect(log.page('', 4).next).toBe('4');
    expect(log.page('4', 4).items.map((i) => i.id)).toEqual(['X-4', 'X-5', 'X-6', 'X-7']);
    expect(log.page('8', 4)).toEqual({
      items: [
        { id: 'X-8', v: 0 },
        { id: 'X-9', v: 0 },
      ],
      next: '10',
      hasMore: false,
    });
  });

  it('drains every item exactly once whatever the page size', () => {
    const log = logOf(1234);
    for (const limit of [1, 7, 500, 5000]) {
      const { items, cursor } = drain(log, undefined, limit);
      expect(items).toHaveLength(1234);
      expect(new Set(items.map((i) => i.id)).size).toBe(1234);
      expect(cursor).toBe('1234');
    }
  });

  it('hands the same cursor back when nothing is new, and "0" to a fresh reader of an empty feed', () => {
    const log = logOf(3);
    expect(log.page('3', 10)).toEqual({ items: [], next: '3', hasMore: false });
    expect(new ChangeLog<Item>().page(undefined, 10)).toEqual({ items: [], next: '0', hasMore: false });
  });

  it('delivers an item updated twice before a poll once, in its latest version, after the cursor', () => {
    const log = logOf(5);
    log.append({ id: 'X-1', v: 1 });
    log.append({ id: 'X-1', v: 2 });
    log.append({ id: 'X-3', v: 1 });
    expect(log.size).toBe(5);
    expect(log.head).toBe(8);
    expect(log.get('X-1')).toEqual({ id: 'X-1', v: 2 });
    const page = log.page('5', 10);
    expect(page.items).toEqual([
      { id: 'X-1', v: 2 },
      { id: 'X-3', v: 1 },
    ]);
    expect(page.next).toBe('8');
    // A fresh reader sees each item once, in its latest version.
    expect(drain(log, undefined, 2).items.map((i) => `${i.id}:${i.v}`)).toEqual([
      'X-0:0',
      'X-2:0',
      'X-4:0',
      'X-1:2',
      'X-3:1',
    ]);
  });

  it('says hasMore only when a live entry remains, skipping superseded ones', () => {
    const log = logOf(3);
    log.append({ id: 'X-2', v: 1 });
    log.append({ id: 'X-2', v: 2 });
    const page = log.page(undefined, 2);
    expect(page.items.map((i) => i.id)).toEqual(['X-0', 'X-1']);
    expect(page.hasMore).toBe(true);
    expect(log.page(page.next, 2)).toEqual({ items: [{ id: 'X-2', v: 2 }], next: '5', hasMore: false });
  });

  it('keeps paging right after compacting many superseded entries', () => {
    const log = logOf(100);
    for (let round = 1; round <= 30; round++)
      for (let i = 0; i < 100; i++) log.append({ id: `X-${i}`, v: round });
    const { items } = drain(log, undefined, 33);
    expect(items).toHaveLength(100);
    expect(items.every((i) => i.v === 30)).toBe(true);
    expect(log.page(String(log.head - 1), 10).items).toEqual([{ id: 'X-99', v: 30 }]);
  });

  it('reads from the beginning when the cursor is beyond the head, as one from an earlier run', () => {
    const log = logOf(3);
    expect(log.page('999', 10).items).toHaveLength(3);
  });

  it('rejects a cursor or a limit that is not a whole number, and caps the limit', () => {
    const log = logOf(3);
    expect(() => log.page('abc')).toThrow(CursorError);
    expect(() => log.page('-1')).toThrow(/since/);
    expect(() => parseLimit('0')).toThrow(/limit/);
    expect(() => parseLimit('ten')).toThrow(/limit/);
    expect(parseLimit(undefined)).toBe(DEFAULT_LIMIT);
    expect(parseLimit('999999')).toBe(MAX_LIMIT);
  });

  it('writes a page as the JSON of the feed envelope', () => {
    const log = logOf(2);
    expect(JSON.parse(log.pageJson(undefined, 1))).toEqual({
      items: [{ id: 'X-0', v: 0 }],
      next: '1',
      hasMore: true,
    });
  });
});

/**
 * Paging through a feed: where its reading has got to (a position, stored with each page so that a
 * restart goes on from there), what the next request asks for, what an answer says, and the
 * position after it. Pure: the clock comes in as `now`.
 *
 * A position is stored as text in feed_cursors.cursor. The `cursor` mode stores the feed's cursor
 * itself, as it always has; the other modes store JSON.
 */
import { z } from 'zod';
import type { Paging, PagingValues } from './feed-request.js';
import { valueAt } from './json-path.js';
import { formatTime, type TimeSpec } from './time-formats.js';

const DAY_MS = 86_400_000;

const startValue = z.union([z.string(), z.number()]).optional();

/**
 * - `page`: the page to ask for next, and how many of its first items are stored already (a short
 *   last page read again once it has grown); `size` is the page size the numbers count in.
 * - `offset`: the offset to ask for next.
 * - `updatedAfter`: the time to ask from (the largest `updatedAt` stored minus the overlap), and
 *   keys of the items of the last answer, which the overlap brings again.
 * `start` is the backfill horizon sent with every request: page numbers and offsets count from it.
 */
const storedPosition = z.discriminatedUnion('mode', [
  z.object({
    mode: z.literal('page'),
    page: z.number().int().min(0),
    skip: z.number().int().min(0),
    size: z.number().int().min(1),
    start: startValue,
  }),
  z.object({ mode: z.literal('offset'), offset: z.number().int().min(0), start: startValue }),
  z.object({ mode: z.literal('updatedAfter'), from: z.number().int(), seen: z.array(z.string()) }),
]);

export type PagingPosition = { mode: 'cursor'; cursor: string | null } | z.infer<typeof storedPosition>;

/** What paging needs to know besides its configuration. */
export interface PagingContext {
  pageSize: number;
  backfillDays: number;
  /** The city's time zone: where local times of paging.start and the time cursor are written. */
  zone: string;
  now: Date;
}

const horizon = (context: PagingContext) => new Date(context.now.getTime() - context.backfillDays * DAY_MS);

function startOf(paging: Paging, context: PagingContext): string | number | undefined {
  if (paging.mode === 'updatedAfter' || !paging.start) return undefined;
  const spec: TimeSpec = { format: paging.start.format, zone: paging.start.zone ?? context.zone };
  return formatTime(horizon(context), spec);
}

/** Where a first start begins: the first page, offset 0, or now − backfillDays. */
export function firstPosition(paging: Paging, context: PagingContext): PagingPosition {
  const start = startOf(paging, context);
  switch (paging.mode) {
    case 'cursor':
      return { mode: 'cursor', cursor: null };
    case 'page':
      return { mode: 'page', page: paging.firstPage, skip: 0, size: context.pageSize, start };
    case 'offset':
      return { mode: 'offset', offset: 0, start };
    case 'updatedAfter':
      return { mode: 'updatedAfter', from: horizon(context).getTime(), seen: [] };
  }
}

/** The text stored for a position. */
export function positionText(position: PagingPosition): string | null {
  return position.mode === 'cursor' ? position.cursor : JSON.stringify(position);
}

/**
 * The position stored text stands for; `null` (never read) or text another paging mode wrote (the
 * configuration changed) gives the first position, and says so with `restarted`. A page position
 * counted in another page size is counted again in this one.
 */
export function readPosition(
  text: string | null,
  paging: Paging,
  context: PagingContext,
): { position: PagingPosition; restarted: boolean } {
  const first = { position: firstPosition(paging, context), restarted: text !== null };
  if (text === null) return first;
  const stored = storedPosition.safeParse(jsonOf(text));
  // A feed's own cursor is whatever text it gave; one of ours means the mode was changed from ours.
  if (paging.mode === 'cursor')
    return stored.success ? first : { position: { mode: 'cursor', cursor: text }, restarted: false };
  if (!stored.success || stored.data.mode !== paging.mode) return first;
  const position = stored.data;
  if (position.mode === 'page' && position.size !== context.pageSize) {
    const firstPage = paging.mode === 'page' ? paging.firstPage : 0;
    const read = (position.page - firstPage) * position.size + position.skip;
    return {
      position: {
        ...position,
        page: firstPage + Math.floor(read / context.pageSize),
        skip: read % context.pageSize,
        size: context.pageSize,
      },
      restarted: false,
    };
  }
  return { position, restarted: false };
}

const jsonOf = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
};

/** The paging values of the request a position asks for. */
export function pagingValues(position: PagingPosition, paging: Paging, context: PagingContext): PagingValues {
  const limit = context.pageSize;
  switch (position.mode) {
    case 'cursor':
      return {
        cursor: position.cursor,
        limit,
        start: position.cursor === null ? startOf(paging, context) : undefined,
      };
    case 'page':
      return { page: position.page, limit: position.size, start: position.start };
    case 'offset':
      return { offset: position.offset, limit, start: position.start };
    case 'updatedAfter': {
      const spec: TimeSpec =
        paging.mode === 'updatedAfter'
          ? { format: paging.format, zone: paging.zone ?? context.zone }
          : { format: 'iso', zone: context.zone };
      return { after: formatTime(new Date(position.from), spec), limit };
    }
  }
}

/** The query parameters of a GET for these values, by the paging's names; a value not set is not sent. */
export function pagingParams(paging: Paging, values: PagingValues): [string, string][] {
  const pairs: [string, string | number | null | undefined][] = [];
  switch (paging.mode) {
    case 'cursor':
      pairs.push([paging.cursorParam, values.cursor], [paging.limitParam, values.limit]);
      break;
    case 'page':
      pairs.push([paging.pageParam, values.page], [paging.sizeParam, values.limit]);
      break;
    case 'offset':
      pairs.push([paging.offsetParam, values.offset], [paging.limitParam, values.limit]);
      break;
    case 'updatedAfter':
      pairs.push([paging.param, values.after], [paging.limitParam, values.limit]);
      break;
  }
  if (paging.mode !== 'updatedAfter' && paging.start) pairs.push([paging.start.param, values.start]);
  return pairs
    .filter((pair): pair is [string, string | number] => pair[1] !== undefined && pair[1] !== null)
    .map(([name, value]) => [name, String(value)]);
}

/** What an answer says, read at the paging's paths. */
export interface PageAnswer {
  items: unknown[];
  /** Cursor mode: the next cursor (null or absent: none given). */
  next?: string | null;
  /** Cursor mode: whether the feed says it has more (absent: not said). */
  hasMore?: boolean;
  /** Page and offset modes: the number of items the feed holds, when configured. */
  total?: number;
}

const kindOf = (value: unknown): string =>
  value === undefined
    ? 'nothing'
    : value === null
      ? 'null'
      : Array.isArray(value)
        ? 'an array'
        : typeof value === 'object'
          ? 'an object'
          : `a ${typeof value}`;

/**
 * An answer read at the paging's paths, or every problem with it, each naming its path: the items
 * must be an array, a cursor a string or a number, hasMore a boolean, a total a number.
 */
export function readAnswer(
  json: unknown,
  paging: Paging,
): { ok: true; answer: PageAnswer } | { ok: false; problems: string[] } {
  const problems: string[] = [];
  const items = valueAt(json, paging.items);
  if (!Array.isArray(items))
    problems.push(`${paging.items}: expected the array of items (paging.items), found ${kindOf(items)}`);
  const answer: PageAnswer = { items: Array.isArray(items) ? items : [] };
  if (paging.mode === 'cursor') {
    const next = valueAt(json, paging.nextPath);
    if (typeof next === 'string' && next.includes('\u0000'))
      problems.push(`${paging.nextPath}: a cursor cannot hold a NUL character`);
    else if (typeof next === 'string' || typeof next === 'number') answer.next = String(next);
    else if (next === null || next === undefined) answer.next = null;
    else
      problems.push(
        `${paging.nextPath}: expected the next cursor (a string or a number), found ${kindOf(next)}`,
      );
    const hasMore = valueAt(json, paging.hasMorePath);
    if (typeof hasMore === 'boolean') answer.hasMore = hasMore;
    else if (hasMore !== undefined)
      problems.push(`${paging.hasMorePath}: expected true or false, found ${kindOf(hasMore)}`);
  }
  if ((paging.mode === 'page' || paging.mode === 'offset') && paging.totalPath) {
    const total = valueAt(json, paging.totalPath);
    const number = typeof total === 'string' && total.trim() !== '' ? Number(total) : total;
    if (typeof number === 'number' && Number.isInteger(number) && number >= 0) answer.total = number;
    else
      problems.push(
        `${paging.totalPath}: expected the total number of items (paging.totalPath), found ${kindOf(total)}`,
      );
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, answer };
}

/** What reading a page told, for the position after it. */
export interface PageRead extends PageAnswer {
  /** The largest `updatedAt` among the page's valid items (ms), null when none. */
  newest: number | null;
  /** updatedAfter: a key per item of the page (its id and version), to recognise it in the next. */
  keys?: string[];
}

/** Whether an item of a page is stored already: the head of a short page read again, or the overlap. */
export function alreadyRead(position: PagingPosition, index: number, key?: string): boolean {
  if (position.mode === 'page') return index < position.skip;
  if (position.mode === 'updatedAfter') return key !== undefined && position.seen.includes(key);
  return false;
}

export interface PageStep {
  position: PagingPosition;
  /** Whether to ask for the next page in this run. */
  hasMore: boolean;
  /** Why the next request would ask for this one again, when it would. */
  stuck?: string;
}

/**
 * The position after a page, and whether there is more. Page numbers and offsets move on by a full
 * page; a short page is the last one (for now) and is asked for again next time. The cursor mode
 * takes the feed's next cursor, and its word on whether there is more (absent: a new cursor
 * means more). The time cursor moves to the page's largest `updatedAt` minus the overlap.
 */
export function nextPosition(
  position: PagingPosition,
  paging: Paging,
  read: PageRead,
  pageSize: number,
): PageStep {
  const count = read.items.length;
  switch (position.mode) {
    case 'cursor': {
      const next = read.next ?? position.cursor;
      const hasMore = read.hasMore ?? (count > 0 && read.next != null && read.next !== position.cursor);
      return { position: { mode: 'cursor', cursor: next }, hasMore };
    }
    case 'page': {
      if (count < position.size) return { position: { ...position, skip: count }, hasMore: false };
      const first = paging.mode === 'page' ? paging.firstPage : 0;
      const hasMore = read.total === undefined || (position.page - first + 1) * position.size < read.total;
      return { position: { ...position, page: position.page + 1, skip: 0 }, hasMore };
    }
    case 'offset': {
      const offset = position.offset + count;
      const hasMore = count >= pageSize && (read.total === undefined || offset < read.total);
      return { position: { ...position, offset }, hasMore };
    }
    case 'updatedAfter': {
      const overlapMs = paging.mode === 'updatedAfter' ? paging.overlapSeconds * 1000 : 0;
      const from = read.newest === null ? position.from : Math.max(position.from, read.newest - overlapMs);
      const next = { ...position, from, seen: count > 0 ? (read.keys ?? []) : position.seen };
      const hasMore = count >= pageSize;
      if (hasMore && from === position.from)
        return {
          position: next,
          hasMore,
          stuck:
            `a full page of ${count} items does not move the time cursor on ` +
            `(all updated within overlapSeconds of it): raise pageSize or lower overlapSeconds`,
        };
      return { position: next, hasMore };
    }
  }
}

/**
 * The change log of one feed: every create or update of an item appends the item's current version
 * under the next sequence number, and a poller reads the changes after its cursor (the sequence
 * number of the last change it was given).
 *
 * An item changed several times between two polls is delivered once, in its latest version: an
 * update supersedes the item's earlier entry. That keeps the log one entry per item (thirty days of
 * history, not every step of every incident), and a consumer that upserts by id ends up in the same
 * state as one that saw every step. Entries are kept as JSON text: a third of the memory of the
 * objects, and a page is written by joining them.
 */

/** One page of the feed: the envelope of the feed contract. */
export interface FeedPage<T> {
  items: T[];
  /** The cursor to send next time: the sequence number of the last item given, as a string. */
  next: string;
  hasMore: boolean;
}

export const DEFAULT_LIMIT = 500;
export const MAX_LIMIT = 5000;

/** A cursor that is not a sequence number. */
export class CursorError extends Error {}

interface Entry {
  seq: number;
  /** The item as JSON; undefined once a later version of the same item has superseded it. */
  json: string | undefined;
}

/** Entries of the log of one feed, in sequence order, one live entry per item. */
export class ChangeLog<T extends { id: string }> {
  private entries: Entry[] = [];
  private readonly latest = new Map<string, number>();
  private superseded = 0;
  private seq = 0;

  /** The sequence number of the last change, 0 when there is none. */
  get head(): number {
    return this.seq;
  }

  /** Distinct items in the feed. */
  get size(): number {
    return this.latest.size;
  }

  /** Records a create or an update; returns its sequence number. */
  append(item: T): number {
    const seq = ++this.seq;
    const previous = this.latest.get(item.id);
    if (previous !== undefined) {
      const entry = this.entries[this.indexAfter(previous - 1)];
      if (entry?.seq === previous) entry.json = undefined;
      this.superseded++;
    }
    this.latest.set(item.id, seq);
    this.entries.push({ seq, json: JSON.stringify(item) });
    // Drop superseded entries once they are the majority, so reads stay proportional to items.
    if (this.superseded > 1024 && this.superseded > this.entries.length / 2) {
      this.entries = this.entries.filter((e) => e.json !== undefined);
      this.superseded = 0;
    }
    return seq;
  }

  /** The item's latest version, or undefined. */
  get(id: string): T | undefined {
    const seq = this.latest.get(id);
    const json = seq === undefined ? undefined : this.entries[this.indexAfter(seq - 1)]?.json;
    return json === undefined ? undefined : (JSON.parse(json) as T);
  }

  /**
   * The changes after a cursor, at most `limit` of them. An empty or absent cursor reads from the
   * beginning; so does a cursor beyond the head, which can only come from an earlier run of the
   * simulator (ids are stable across runs for a seed, so re-reading is harmless, skipping is not).
   */
  page(since: string | null | undefined, limit = DEFAULT_LIMIT): FeedPage<T> {
    const { texts, next, hasMore } = this.read(since, limit);
    return { items: texts.map((text) => JSON.parse(text) as T), next, hasMore };
  }

  /** {@link page} as the JSON text of the envelope, without parsing the items again. */
  pageJson(since: string | null | undefined, limit = DEFAULT_LIMIT): string {
    const { texts, next, hasMore } = this.read(since, limit);
    return `{"items":[${texts.join(',')}],"next":${JSON.stringify(next)},"hasMore":${hasMore}}`;
  }

  private read(since: string | null | undefined, limit: number) {
    const cursor = parseCursor(since);
    const after = cursor > this.seq ? 0 : cursor;
    const texts: string[] = [];
    let last = after;
    let i = this.indexAfter(after);
    for (; i < this.entries.length && texts.length < limit; i++) {
      const entry = this.entries[i]!;
      if (entry.json === undefined) continue;
      texts.push(entry.json);
      last = entry.seq;
    }
    while (i < this.entries.length && this.entries[i]!.json === undefined) i++;
    // Nothing new: hand the caller's own cursor back (a fresh reader gets "0").
    const next = texts.length > 0 ? String(last) : since || '0';
    return { texts, next, hasMore: i < this.entries.length };
  }

  /** Index of the first entry with a sequence number above `seq` (binary search). */
  private indexAfter(seq: number): number {
    let lo = 0;
    let hi = this.entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.entries[mid]!.seq <= seq) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

/** `since` as a sequence number: empty or absent is 0, anything but a non-negative integer is an error. */
export function parseCursor(since: string | null | undefined): number {
  if (since === undefined || since === null || since === '') return 0;
  if (!/^\d{1,15}$/.test(since))
    throw new CursorError(`since must be a cursor given by this feed, not "${since}"`);
  return Number(since);
}

/** `limit` as a page size: absent is the default, above the maximum is the maximum. */
export function parseLimit(limit: string | null | undefined): number {
  if (limit === undefined || limit === null || limit === '') return DEFAULT_LIMIT;
  if (!/^\d{1,9}$/.test(limit) || Number(limit) < 1)
    throw new CursorError(`limit must be a whole number from 1 to ${MAX_LIMIT}, not "${limit}"`);
  return Math.min(MAX_LIMIT, Number(limit));
}

/**
 * The live ticker: the newest events of the feeds whose definitions put them on it (incident, fraud,
 * mediation: shared/feeds), anonymised. A start reads the news the database holds already, so a
 * restarted server's walls show the latest events at once rather than an empty ticker.
 */
import { desc, gte } from 'drizzle-orm';
import { FEED_CATALOGUE, type FeedName, type TickerFeed } from '../../shared/feeds/index.js';
import { compareTickerItems, TICKER_LENGTH, type TickerItem } from '../../shared/live.js';
import type { Db } from '../db/client.js';
import { adapterOf } from '../feeds/registry.js';

/** Items older than this when they first arrive (a backfill, a late import) are not news. */
const NEWS_MS = 6 * 3_600_000;

/** The feeds on the ticker, each with what it shows as what happened: their definitions' `ticker`. */
const onTicker = (feed: FeedName): feed is TickerItem['feed'] => Object.hasOwn(FEED_CATALOGUE.ticker, feed);
const TICKER_FEEDS = Object.keys(FEED_CATALOGUE.ticker) as TickerFeed[];

export class Ticker {
  private items: TickerItem[] = [];

  /** Adds the news among rows newly stored for a feed; returns how many were added. */
  add(feed: FeedName, rows: readonly Record<string, unknown>[], now: Date): number {
    if (!onTicker(feed)) return 0;
    const shape = FEED_CATALOGUE.ticker[feed];
    const known = new Set(this.items.map((item) => item.key));
    // Only what the wall shows: what, where, when; nothing that identifies a person.
    const fresh = rows
      .map((row): TickerItem => ({
        key: `${feed}:${String(row.id)}`,
        feed,
        category: String(row[shape.category]),
        street: String(row.street),
        community: typeof row.community === 'string' ? row.community : null,
        at: (row[shape.time] as Date).toISOString(),
      }))
      .filter((item) => now.getTime() - Date.parse(item.at) < NEWS_MS && !known.has(item.key));
    if (fresh.length === 0) return 0;
    this.items = [...fresh, ...this.items].sort(compareTickerItems).slice(0, TICKER_LENGTH);
    return fresh.length;
  }

  /**
   * Fills the ticker from what is stored: of each feed on it, the latest items that happened within
   * the news window, as they would have been shown when they arrived.
   */
  async load(db: Db, now: Date): Promise<void> {
    const since = new Date(now.getTime() - NEWS_MS);
    for (const feed of TICKER_FEEDS) {
      const { table, eventTime } = adapterOf(feed);
      const rows = await db
        .select()
        .from(table)
        .where(gte(eventTime, since))
        .orderBy(desc(eventTime))
        .limit(TICKER_LENGTH);
      this.add(feed, rows as Record<string, unknown>[], now);
    }
  }

  latest(): TickerItem[] {
    return this.items;
  }
}

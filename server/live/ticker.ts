/**
 * The live ticker: the newest events of the feeds whose definitions put them on it (incident, fraud,
 * mediation: shared/feeds), anonymised.
 */
import { FEED_CATALOGUE, type FeedName } from '../../shared/feeds/index.js';
import { compareTickerItems, TICKER_LENGTH, type TickerItem } from '../../shared/live.js';

/** Items older than this when they first arrive (a backfill, a late import) are not news. */
const NEWS_MS = 6 * 3_600_000;

/** The feeds on the ticker, each with what it shows as what happened: their definitions' `ticker`. */
const onTicker = (feed: FeedName): feed is TickerItem['feed'] => Object.hasOwn(FEED_CATALOGUE.ticker, feed);

export class Ticker {
  private items: TickerItem[] = [];

  /** Adds the news among rows newly stored for a feed; returns how many were added. */
  add(feed: FeedName, rows: readonly Record<string, unknown>[], now: Date): number {
    if (!onTicker(feed)) return 0;
    const shape = FEED_CATALOGUE.ticker[feed];
    const fresh = rows
      .map((row): TickerItem => ({
        key: `${feed}:${String(row.id)}`,
        feed,
        category: String(row[shape.category]),
        street: String(row.street),
        community: typeof row.community === 'string' ? row.community : null,
        at: (row[shape.time] as Date).toISOString(),
      }))
      .filter((item) => now.getTime() - Date.parse(item.at) < NEWS_MS);
    if (fresh.length === 0) return 0;
    this.items = [...fresh, ...this.items].sort(compareTickerItems).slice(0, TICKER_LENGTH);
    return fresh.length;
  }

  latest(): TickerItem[] {
    return this.items;
  }
}

/** The live ticker: the newest events of the incident, fraud and mediation feeds, anonymised. */
import type { FeedName } from '../../shared/city.js';
import { TICKER_LENGTH, type TickerItem } from '../../shared/live.js';

/** Items older than this when they first arrive (a backfill, a late import) are not news. */
const NEWS_MS = 6 * 3_600_000;

const categoryOf: Partial<Record<FeedName, { field: string; time: string; feed: TickerItem['feed'] }>> = {
  incident: { field: 'category', time: 'reportedAt', feed: 'incident' },
  fraud: { field: 'type', time: 'occurredAt', feed: 'fraud' },
  mediation: { field: 'type', time: 'acceptedAt', feed: 'mediation' },
};

export class Ticker {
  private items: TickerItem[] = [];

  /** Adds the news among rows newly stored for a feed; returns how many were added. */
  add(feed: FeedName, rows: readonly Record<string, unknown>[], now: Date): number {
    const shape = categoryOf[feed];
    if (!shape) return 0;
    const fresh = rows
      .map((row): TickerItem => ({
        key: `${feed}:${String(row.id)}`,
        feed: shape.feed,
        category: String(row[shape.field]),
        street: String(row.street),
        community: typeof row.community === 'string' ? row.community : null,
        at: (row[shape.time] as Date).toISOString(),
      }))
      .filter((item) => now.getTime() - Date.parse(item.at) < NEWS_MS);
    if (fresh.length === 0) return 0;
    this.items = [...fresh, ...this.items].sort((a, b) => b.at.localeCompare(a.at)).slice(0, TICKER_LENGTH);
    return fresh.length;
  }

  latest(): TickerItem[] {
    return this.items;
  }
}

/** What each feed is doing, for GET /api/feeds, /api/health, the metrics and the stale flags. */
import type { FeedName } from '../../shared/feeds/index.js';
import type { CircuitState } from './circuit.js';

export interface FeedHealth {
  feed: FeedName;
  /** Scheme and host only (`https://feeds.example:8443`): the path and query may hold keys. */
  url: string | null;
  status: 'ok' | 'stale' | 'failing' | 'waiting';
  stale: boolean;
  lastSuccessAt: string | null;
  lastErrorAt: string | null;
  lastError: string | null;
  consecutiveFailures: number;
  circuit: CircuitState;
  circuitOpenUntil: string | null;
  /** Seconds from the newest item's update to now. */
  lagSeconds: number | null;
  newestItemAt: string | null;
  /**
   * Items whose last change (`updatedAt`) lies within the last five minutes, per minute: what the
   * feed is delivering now, however and whenever it was read (see FeedHealthTracker.itemsPerMinute).
   */
  itemsPerMinute: number;
  quarantined: number;
  backfill: { done: boolean; pages: number };
}

/** The window of a feed's rate: items that changed within it count. */
export const RATE_WINDOW_MS = 5 * 60_000;

/** A feed's status from whether it is stale, its failed runs in a row and whether one ever succeeded. */
export function feedStatus(
  stale: boolean,
  consecutiveFailures: number,
  succeeded: boolean,
): FeedHealth['status'] {
  if (stale) return 'stale';
  if (consecutiveFailures > 0) return 'failing';
  return succeeded ? 'ok' : 'waiting';
}

/** Counters of one feed, kept in memory by its poller. */
export class FeedHealthTracker {
  lastSuccessAt: number | null = null;
  lastErrorAt: number | null = null;
  lastError: string | null = null;
  newestItemAt: number | null = null;
  quarantined = 0;
  backfillDone = false;
  backfillPages = 0;
  /** Each item that changed within the rate's window, with when it last changed (updatedAt, ms). */
  private readonly recent = new Map<string, number>();

  constructor(
    readonly feed: FeedName,
    readonly url: string | null,
    private readonly staleAfterMs: number,
    private readonly startedAt: number,
  ) {}

  /**
   * Items read from the feed, each with its id and when it last changed (`updatedAt`, ms). Only
   * those that changed within the rate's window are kept for it: a backfill, or a restart that
   * reads thirty days again, adds what changed in the last five minutes and nothing older. An item
   * read twice, or changed twice, counts once.
   */
  recordItems(now: number, items: Iterable<{ id: string; updatedAt: number }>): void {
    const since = now - RATE_WINDOW_MS;
    for (const { id, updatedAt } of items) {
      if (updatedAt > (this.newestItemAt ?? -Infinity)) this.newestItemAt = updatedAt;
      if (updatedAt >= since && updatedAt > (this.recent.get(id) ?? -Infinity))
        this.recent.set(id, updatedAt);
    }
    this.prune(now);
  }
  success(now: number): void {
    this.lastSuccessAt = now;
  }

  failure(now: number, error: string): void {
    this.lastErrorAt = now;
    this.lastError = error;
  }

  /** Stale: no successful poll for longer than allowed (counted from start before the first one). */
  isStale(now: number): boolean {
    return now > this.staleAt();
  }

  /** When the feed goes stale unless a run succeeds before. */
  staleAt(): number {
    return (this.lastSuccessAt ?? this.startedAt) + this.staleAfterMs;
  }

  /**
   * Items that changed within the last five minutes, per minute, by their own `updatedAt`: not by
   * when this process stored them. A start reads them from the database (FeedPoller.init), so the
   * rate after a restart is the rate before it, at once.
   */
  itemsPerMinute(now: number): number {
    this.prune(now);
    return Math.round((this.recent.size / RATE_WINDOW_MS) * 60_000 * 10) / 10;
  }

  snapshot(now: number, circuit: { state: CircuitState; failures: number; openUntil: number }): FeedHealth {
    const stale = this.isStale(now);
    const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());
    const status = feedStatus(stale, circuit.failures, this.lastSuccessAt !== null);
    return {
      feed: this.feed,
      url: this.url,
      status,
      stale,
      lastSuccessAt: iso(this.lastSuccessAt),
      lastErrorAt: iso(this.lastErrorAt),
      lastError: this.lastError,
      consecutiveFailures: circuit.failures,
      circuit: circuit.state,
      circuitOpenUntil: circuit.openUntil ? iso(circuit.openUntil) : null,
      lagSeconds:
        this.newestItemAt === null ? null : Math.max(0, Math.round((now - this.newestItemAt) / 1000)),
      newestItemAt: iso(this.newestItemAt),
      itemsPerMinute: this.itemsPerMinute(now),
      quarantined: this.quarantined,
      backfill: { done: this.backfillDone, pages: this.backfillPages },
    };
  }

  private prune(now: number): void {
    const since = now - RATE_WINDOW_MS;
    for (const [id, updatedAt] of this.recent) if (updatedAt < since) this.recent.delete(id);
  }
}

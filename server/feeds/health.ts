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
  itemsPerMinute: number;
  quarantined: number;
  backfill: { done: boolean; pages: number };
}

const RATE_WINDOW_MS = 5 * 60_000;

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
  private readonly arrivals: { at: number; items: number }[] = [];

  constructor(
    readonly feed: FeedName,
    readonly url: string | null,
    private readonly staleAfterMs: number,
    private readonly startedAt: number,
  ) {}

  recordItems(now: number, items: number, newest: number | null): void {
    if (items > 0) this.arrivals.push({ at: now, items });
    if (newest !== null && (this.newestItemAt === null || newest > this.newestItemAt))
      this.newestItemAt = newest;
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

  itemsPerMinute(now: number): number {
    this.prune(now);
    const items = this.arrivals.reduce((sum, a) => sum + a.items, 0);
    const span = Math.min(RATE_WINDOW_MS, Math.max(60_000, now - this.startedAt));
    return Math.round((items / span) * 60_000 * 10) / 10;
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
    while (this.arrivals.length > 0 && this.arrivals[0]!.at < now - RATE_WINDOW_MS) this.arrivals.shift();
  }
}

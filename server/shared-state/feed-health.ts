/**
 * Every feed's health as every node reads it, for /api/health, /api/feeds, the wall's freshness and
 * the stale rule. The node that polls a feed keeps its health in memory (its poller's tracker and
 * circuit, which decide the polling) and writes it to `feed_health` after each run and as its rate
 * moves, within a second; the other nodes read that row and age it to their own now. Each node shows a feed from its
 * own poller once that has run here, unless another node has polled it since (the leader moved):
 *
 * - polled here last: the poller's health, as it is now;
 * - polled by another node last: its row, aged (stale, lag, an open circuit that has run out);
 * - polled nowhere yet, with a URL here: the poller's health (`waiting`, then stale);
 * - no URL here, and no other node polls it: `off`.
 */
import { getTableColumns, ne, notInArray, sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import { FEEDS, type FeedName } from '../../shared/feeds/index.js';
import type { Db } from '../db/client.js';
import { feedHealth } from '../db/schema/index.js';
import type { CircuitState } from '../feeds/circuit.js';
import { feedStatus, type FeedHealth, type FeedHealthTracker } from '../feeds/health.js';
import { CachedRead } from './cached-read.js';
import { FlushLoop } from './flush-loop.js';

/** A feed's health; a feed with no URL configured anywhere is `off`. */
export type FeedHealthView = FeedHealth | { feed: FeedName; status: 'off'; stale: false; url: null };

/** What this node's poller of a feed tells (FeedPoller). */
export interface PolledFeed {
  snapshot(): FeedHealth;
  readonly health: Pick<FeedHealthTracker, 'lastSuccessAt' | 'lastErrorAt' | 'staleAt'>;
}

export interface SharedFeedHealthDeps {
  db: Db;
  /** This node (NODE_ID). */
  nodeId: string;
  clock: () => Date;
  logger: Pick<Logger, 'warn' | 'info'>;
  /** This node's pollers, one per feed with a URL (FeedRuntime.pollers). */
  pollers: ReadonlyMap<FeedName, PolledFeed>;
  /** How often what this node polled is written. Default 1 s. */
  flushMs?: number;
}

type Row = typeof feedHealth.$inferSelect;

const off = (feed: FeedName): FeedHealthView => ({ feed, status: 'off', stale: false, url: null });

/** When a feed was last run: its last success or its last failure, whichever came later. */
function lastRun(at: { lastSuccessAt: number | null; lastErrorAt: number | null }): number | null {
  if (at.lastSuccessAt === null) return at.lastErrorAt;
  return at.lastErrorAt === null ? at.lastSuccessAt : Math.max(at.lastSuccessAt, at.lastErrorAt);
}

const ms = (date: Date | null) => (date === null ? null : date.getTime());
const iso = (date: Date | null) => (date === null ? null : date.toISOString());

/** A row as it reads at `now`: the poller's figures, with what time changes worked out again. */
function agedFeedHealth(row: Row, now: number): FeedHealth {
  // As FeedHealthTracker and Circuit tell them: stale past `stale_at`; open until its time, then half-open.
  const stale = now > row.staleAt.getTime();
  const open = row.circuitOpenUntil !== null && now < row.circuitOpenUntil.getTime();
  const circuit = (row.circuit === 'open' && !open ? 'half-open' : row.circuit) as CircuitState;
  return {
    feed: row.feed as FeedName,
    url: row.url,
    status: feedStatus(stale, row.consecutiveFailures, row.lastSuccessAt !== null),
    stale,
    lastSuccessAt: iso(row.lastSuccessAt),
    lastErrorAt: iso(row.lastErrorAt),
    lastError: row.lastError,
    consecutiveFailures: row.consecutiveFailures,
    circuit,
    circuitOpenUntil: open ? iso(row.circuitOpenUntil) : null,
    lagSeconds:
      row.newestItemAt === null ? null : Math.max(0, Math.round((now - row.newestItemAt.getTime()) / 1000)),
    newestItemAt: iso(row.newestItemAt),
    itemsPerMinute: row.itemsPerMinute,
    quarantined: row.quarantined,
    backfill: { done: row.backfillDone, pages: row.backfillPages },
  };
}

/** A row written again takes every column of the new one. */
const UPDATED = Object.fromEntries(
  Object.entries(getTableColumns(feedHealth))
    .filter(([key]) => key !== 'feed')
    .map(([key, column]) => [key, sql.raw(`excluded.${column.name}`)]),
);

const date = (text: string | null) => (text === null ? null : new Date(text));

export class SharedFeedHealth {
  private readonly others: CachedRead<Map<FeedName, Row>>;
  private readonly loop: FlushLoop;
  /** What was last written of each feed polled here, to write only what changed. */
  private readonly written = new Map<FeedName, string>();
  /** Whether the rows of feeds this node has no URL for were removed (once, with the first write). */
  private tidied = false;

  constructor(private readonly deps: SharedFeedHealthDeps) {
    this.others = new CachedRead(
      async () => {
        const rows = await deps.db.select().from(feedHealth).where(ne(feedHealth.nodeId, deps.nodeId));
        return new Map(rows.map((row) => [row.feed as FeedName, row]));
      },
      new Map(),
      { what: 'feed health', logger: deps.logger },
    );
    this.loop = new FlushLoop(
      () => this.publish(),
      deps.flushMs ?? 1000,
      (error) => deps.logger.warn({ err: error }, 'feed health not written; trying again'),
    );
  }

  /** Every feed's health, in FEEDS order (another node's rows a second old at most). */
  async health(): Promise<FeedHealthView[]> {
    const others = await this.others.get();
    const now = this.deps.clock().getTime();
    return FEEDS.map((feed) => this.healthOf(feed, others, now));
  }

  /** Whether a feed is stale, from the last read of the other nodes' rows (a read starts if old). */
  isStale(feed: FeedName): boolean {
    return this.healthOf(feed, this.others.latest, this.deps.clock().getTime()).stale;
  }

  private healthOf(feed: FeedName, others: ReadonlyMap<FeedName, Row>, now: number): FeedHealthView {
    const poller = this.deps.pollers.get(feed);
    const row = others.get(feed);
    const here = poller ? lastRun(poller.health) : null;
    const there = row
      ? lastRun({ lastSuccessAt: ms(row.lastSuccessAt), lastErrorAt: ms(row.lastErrorAt) })
      : null;
    if (row && (here === null || (there !== null && there > here))) return agedFeedHealth(row, now);
    return poller ? poller.snapshot() : off(feed);
  }

  /** Writes every feed this node has polled whose health changed since it last wrote it. */
  async publish(): Promise<void> {
    const now = this.deps.clock();
    const changed: { feed: FeedName; key: string; row: Row }[] = [];
    for (const [feed, poller] of this.deps.pollers) {
      if (lastRun(poller.health) === null) continue; // not polled here (another node leads)
      const health = poller.snapshot();
      // What a run changes, and the rate (its window moves on); stale and lag follow from time.
      const key = JSON.stringify([
        health.itemsPerMinute,
        health.lastSuccessAt,
        health.lastErrorAt,
        health.lastError,
        health.consecutiveFailures,
        health.circuit,
        health.circuitOpenUntil,
        health.newestItemAt,
        health.quarantined,
        health.backfill,
      ]);
      if (this.written.get(feed) === key) continue;
      changed.push({
        feed,
        key,
        row: {
          feed,
          url: health.url,
          status: health.status,
          stale: health.stale,
          staleAt: new Date(poller.health.staleAt()),
          lastSuccessAt: date(health.lastSuccessAt),
          lastErrorAt: date(health.lastErrorAt),
          lastError: health.lastError,
          consecutiveFailures: health.consecutiveFailures,
          circuit: health.circuit,
          circuitOpenUntil: date(health.circuitOpenUntil),
          newestItemAt: date(health.newestItemAt),
          itemsPerMinute: health.itemsPerMinute,
          quarantined: health.quarantined,
          backfillDone: health.backfill.done,
          backfillPages: health.backfill.pages,
          nodeId: this.deps.nodeId,
          updatedAt: now,
        },
      });
    }
    if (changed.length === 0) return;
    const { db } = this.deps;
    if (!this.tidied) {
      // A feed whose URL was taken out of the configuration is `off` again on every node.
      await db.delete(feedHealth).where(notInArray(feedHealth.feed, [...this.deps.pollers.keys()]));
      this.tidied = true;
    }
    await db
      .insert(feedHealth)
      .values(changed.map((change) => change.row))
      .onConflictDoUpdate({ target: feedHealth.feed, set: UPDATED });
    for (const change of changed) this.written.set(change.feed, change.key);
  }

  /** Writes what this node polls once a second, from now on. */
  start(): void {
    this.loop.start();
  }

  /** Writes the last runs' health and stops. */
  stop(): Promise<void> {
    return this.loop.stop();
  }
}

/**
 * Polling one feed: read pages from the stored position (a cursor, a page number, an offset or a
 * time: shared/feed-paging.ts), validate, store with the position in one transaction, recompute
 * what the batch touched. A first start backfills `backfillDays`; a restart resumes from the last
 * committed position, so nothing is skipped and (by upsert) nothing is counted twice. Failures are
 * retried, counted, and trip a circuit that stops hammering a dead feed.
 */
import { createHash } from 'node:crypto';
import { eq, gte, max } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { CityConfig, FeedConfig } from '../../shared/city.js';
import type { FeedName } from '../../shared/feeds/index.js';
import {
  alreadyRead,
  nextPosition,
  pagingParams,
  pagingValues,
  positionText,
  readAnswer,
  readPosition,
  type PagingContext,
  type PagingPosition,
} from '../../shared/feed-paging.js';
import { renderBody, type Json, type PagingValues } from '../../shared/feed-request.js';
import type { Environment } from '../config/secret-env.js';
import type { Db } from '../db/client.js';
import { describeUnavailable, isDatabaseUnavailable } from '../db/unavailable.js';
import { describeUrl } from '../http/url-secrets.js';
import { feedCursors } from '../db/schema/index.js';
import type { Metrics } from '../metrics.js';
import type { FeedAdapter } from './adapter.js';
import { Circuit } from './circuit.js';
import { FeedHealthTracker, RATE_WINDOW_MS, type FeedHealth } from './health.js';
import { fetchPage, type PageRequest } from './http-source.js';
import { recordParser, type InvalidRecord, type RecordParser, type ValidRecord } from './records.js';
import { feedRequestSetup, type FeedRequestSetup } from './request-setup.js';
import { storeBatch, type StoredBatch } from './store.js';

const DAY_MS = 86_400_000;

/**
 * While backfilling, what was stored is recomputed once per this many pages rather than after each:
 * a recompute reads the whole window, so one per page made a first start's cost grow with the
 * square of its history. Live pages are recomputed one by one, as they come.
 */
const BACKFILL_PAGES_PER_RECOMPUTE = 25;

/** Two stored batches as one: what a recompute needs to know of both. */
function mergeBatches(a: StoredBatch, b: StoredBatch): StoredBatch {
  return {
    stored: a.stored + b.stored,
    quarantined: a.quarantined + b.quarantined,
    streets: new Set([...a.streets, ...b.streets]),
    created: [...a.created, ...b.created],
    earliest: !a.earliest || (b.earliest && b.earliest < a.earliest) ? b.earliest : a.earliest,
  };
}

/**
 * A feed that says it has more but hands back a cursor already read in this run would be read
 * again and again: the run stops, as a failure the feed's health names.
 */
export class StuckCursorError extends Error {
  constructor(cursor: string | null, circle: boolean) {
    const at = cursor === null ? 'the first page' : `"${cursor}"`;
    super(
      circle
        ? `the feed says hasMore but its cursor goes round in a circle (back to ${at})`
        : `the feed says hasMore but its cursor does not advance (stuck at ${at})`,
    );
  }
}

/** A time cursor whose full page lies within its overlap would ask for that page for ever. */
export class PagingStuckError extends Error {}

export interface PollerDeps {
  db: Db;
  city: CityConfig;
  logger: Logger;
  metrics: Metrics;
  clock: () => Date;
  /** Keys the hash that replaces ids holding personal data (opaque-id.ts). */
  feedIdKey: Uint8Array;
  /** Called after each committed page. */
  onStored(feed: FeedName, batch: StoredBatch): Promise<void>;
  /** Where `env:NAME` headers are read from; process.env when absent. */
  env?: Environment;
  /** What those references must start with (SECRET_ENV_PREFIX); `PINGAN_SECRET_` when absent. */
  secretPrefix?: string;
}

export class FeedPoller {
  readonly health: FeedHealthTracker;
  private readonly circuit: Circuit;
  private readonly parser: RecordParser;
  private readonly abort = new AbortController();
  /** Headers, auth, query, CA and pacer, `env:NAME` values read: secrets, never logged or shown. */
  private readonly request: FeedRequestSetup;

  constructor(
    readonly adapter: FeedAdapter,
    private readonly config: FeedConfig,
    readonly url: string,
    private readonly deps: PollerDeps,
  ) {
    // A secret or a CA that cannot be read stops start-up, naming its key path.
    this.request = feedRequestSetup(adapter.feed, config, deps.env ?? process.env, deps.secretPrefix);
    const staleAfterMs = (config.staleAfterSeconds ?? Math.max(60, 3 * config.intervalSeconds)) * 1000;
    // Scheme and host only, for everyone who sees the feed's health: its path and query may hold keys.
    this.health = new FeedHealthTracker(adapter.feed, describeUrl(url), staleAfterMs, deps.clock().getTime());
    this.circuit = new Circuit({
      threshold: 3,
      baseCooldownMs: Math.max(30_000, config.intervalSeconds * 3000),
      maxCooldownMs: 10 * 60_000,
    });
    this.parser = recordParser(adapter, config.mapping, deps.city, {
      idKey: deps.feedIdKey,
      clockSkewSeconds: config.clockSkewSeconds,
    });
  }

  get feed(): FeedName {
    return this.adapter.feed;
  }

  /** Reads where polling had got to and how fresh the stored items are. */
  async init(): Promise<void> {
    const cursor = await this.storedCursor();
    this.health.backfillDone = cursor?.backfilled ?? false;
    this.health.backfillPages = cursor?.pages ?? 0;
    const { table } = this.adapter;
    const [newest] = await this.deps.db.select({ at: max(table.updatedAt) }).from(table);
    const at = newest?.at as Date | string | null | undefined;
    if (at) this.health.newestItemAt = new Date(at).getTime();
    // The rate's window as the database holds it: after a restart the rate is the one before.
    const now = this.deps.clock().getTime();
    const recent = await this.deps.db
      .select({ id: table.id, updatedAt: table.updatedAt })
      .from(table)
      .where(gte(table.updatedAt, new Date(now - RATE_WINDOW_MS)));
    this.health.recordItems(
      now,
      recent.map((row) => ({ id: row.id as string, updatedAt: new Date(row.updatedAt as Date).getTime() })),
    );
  }

  snapshot(): FeedHealth {
    const now = this.deps.clock().getTime();
    return this.health.snapshot(now, {
      state: this.circuit.state(now),
      failures: this.circuit.consecutiveFailures,
      openUntil: this.circuit.openUntil(now),
    });
  }

  isStale(): boolean {
    return this.health.isStale(this.deps.clock().getTime());
  }

  private running: Promise<void> | null = null;

  /** One run: drains up to `maxPagesPerRun` pages. Never throws; a run asked for during another joins it. */
  run(): Promise<void> {
    this.running ??= this.runOnce().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async runOnce(): Promise<void> {
    const { metrics, logger, clock } = this.deps;
    if (!this.circuit.allows(clock().getTime()) || this.abort.signal.aborted) return;
    const stopTimer = metrics.feedPollSeconds.startTimer({ feed: this.feed });
    try {
      await this.drain();
      this.circuit.success();
      this.health.success(clock().getTime());
    } catch (error) {
      // The database away is not the feed's fault: its circuit stays as it was (a long outage would
      // otherwise keep the feed unpolled for minutes after), and the query is not shown.
      const databaseDown = isDatabaseUnavailable(error);
      const message = databaseDown ? `database: ${describeUnavailable(error)}` : (error as Error).message;
      const now = clock().getTime();
      if (!databaseDown) this.circuit.failure(now);
      this.health.failure(now, message);
      metrics.feedPollErrors.inc({ feed: this.feed });
      logger.warn(
        { feed: this.feed, error: message, failures: this.circuit.consecutiveFailures },
        'feed poll failed',
      );
    } finally {
      stopTimer();
      const health = this.snapshot();
      if (health.lagSeconds !== null) metrics.feedLagSeconds.set({ feed: this.feed }, health.lagSeconds);
      metrics.feedConsecutiveFailures.set({ feed: this.feed }, health.consecutiveFailures);
    }
  }

  /**
   * One page of the feed as it stands at the stored position (the first page before any), read once
   * without retries and stored nowhere: what a dry run of the mapping is tried on.
   */
  async samplePage(): Promise<unknown[]> {
    const row = await this.storedCursor();
    const context = this.pagingContext();
    const { position } = readPosition(row?.cursor ?? null, this.config.paging, context);
    return readOnePage(this.config, this.url, this.request, position, context);
  }

  /** Stops the current run at its next await (shutdown). */
  stop(): void {
    this.abort.abort();
  }

  /** Closes the feed's own connections, once its runs are over. */
  async close(): Promise<void> {
    await this.request.close();
  }

  /** The feed's row of where polling has got to, if it has one. */
  private async storedCursor() {
    const [row] = await this.deps.db.select().from(feedCursors).where(eq(feedCursors.feed, this.feed));
    return row;
  }

  private async drain(): Promise<void> {
    const row = await this.storedCursor();
    const cursor = row?.cursor ?? null;
    const backfilling = !(row?.backfilled ?? false);
    // A backfill may drain far more pages in one run than the steady state allows.
    const bound = backfilling ? this.config.maxPagesPerRun * 100 : this.config.maxPagesPerRun;
    // Backfill pages stored but not yet recomputed; whatever ends the run, they are recomputed.
    let owed: { batch: StoredBatch; pages: number } | null = null;
    const settle = async () => {
      if (!owed) return;
      const { batch } = owed;
      owed = null;
      await this.deps.onStored(this.feed, batch);
    };
    try {
      await this.drainPages(bound, cursor, backfilling, async (stored, stillBackfilling) => {
        owed = owed
          ? { batch: mergeBatches(owed.batch, stored), pages: owed.pages + 1 }
          : { batch: stored, pages: 1 };
        if (!stillBackfilling || owed.pages >= BACKFILL_PAGES_PER_RECOMPUTE) await settle();
      });
    } finally {
      await settle();
    }
  }

  /** Reads, validates and stores up to `bound` pages from the stored position, handing each stored page on. */
  private async drainPages(
    bound: number,
    from: string | null,
    backfillingAtStart: boolean,
    stored: (batch: StoredBatch, stillBackfilling: boolean) => Promise<void>,
  ): Promise<void> {
    const { db, clock, metrics } = this.deps;
    const { paging } = this.config;
    const read = readPosition(from, paging, this.pagingContext());
    if (read.restarted)
      this.deps.logger.warn(
        { feed: this.feed, mode: paging.mode },
        'the stored position is not one of this paging mode: reading from the backfill horizon',
      );
    let position = read.position;
    let backfilling = backfillingAtStart;
    const seen = new Set([positionText(position)]);
    for (let page = 0; page < bound && !this.abort.signal.aborted; page++) {
      const context = this.pagingContext();
      const answer = await fetchPage(this.pageRequest(pagingValues(position, paging, context)), (json) =>
        readAnswer(json, paging),
      );
      const parsed = this.parsePage(position, answer.items);
      const step = nextPosition(position, paging, { ...answer, ...parsed }, this.config.pageSize);
      if (step.stuck) throw new PagingStuckError(step.stuck);
      const text = positionText(step.position);
      if (step.hasMore && seen.has(text)) throw new StuckCursorError(text, text !== positionText(position));
      seen.add(text);
      const fresh = parsed.valid.length + parsed.invalid.length;
      if (fresh === 0 && text === positionText(position) && !backfilling) break;

      // While backfilling, what happened before the backfill horizon is not needed.
      const horizon = clock().getTime() - this.config.backfillDays * DAY_MS;
      const valid = backfilling ? parsed.valid.filter((r) => r.eventTime.getTime() >= horizon) : parsed.valid;
      const batch = await storeBatch(db, this.adapter, { valid, invalid: parsed.invalid }, 'poll', {
        cursor: text,
        backfilled: !step.hasMore,
      });
      position = step.position;
      if (backfilling) this.health.backfillPages++;
      backfilling &&= step.hasMore;
      this.health.backfillDone = !backfilling;
      this.health.quarantined += batch.quarantined;
      // The rate counts items by when they changed: a backfill's thirty days add only their last minutes.
      this.health.recordItems(
        clock().getTime(),
        valid.map((r) => ({ id: r.row.id as string, updatedAt: r.updatedAt.getTime() })),
      );
      metrics.feedItems.inc({ feed: this.feed, outcome: 'stored' }, batch.stored);
      metrics.feedItems.inc({ feed: this.feed, outcome: 'quarantined' }, batch.quarantined);
      metrics.feedItems.inc({ feed: this.feed, outcome: 'skipped' }, parsed.valid.length - valid.length);
      await stored(batch, backfilling);
      if (!step.hasMore) break;
    }
  }

  private pagingContext(): PagingContext {
    return {
      pageSize: this.config.pageSize,
      backfillDays: this.config.backfillDays,
      zone: this.deps.city.city.timezone,
      now: this.deps.clock(),
    };
  }

  private pageRequest(values: PagingValues): PageRequest {
    return { ...pageRequestOf(this.config, this.url, this.request, values), signal: this.abort.signal };
  }

  /**
   * A page's records, validated, without those stored already (the head of a short page read again,
   * what a time cursor's overlap brings again), with the largest `updatedAt` of the page and, for a
   * time cursor, a key per item: its id and version, or for one that fails validation its content.
   */
  private parsePage(
    position: PagingPosition,
    items: unknown[],
  ): { valid: ValidRecord[]; invalid: InvalidRecord[]; newest: number | null; keys?: string[] } {
    const now = this.deps.clock();
    if (position.mode !== 'updatedAfter') {
      const fresh = items.filter((_, i) => !alreadyRead(position, i));
      const parsed = this.parser.parse(fresh, { now, firstLine: items.length - fresh.length + 1 });
      return { ...parsed, newest: newestOf(parsed.valid) };
    }
    // One by one: which record became which is what recognises it in the next page.
    const valid: ValidRecord[] = [];
    const invalid: InvalidRecord[] = [];
    const keys: string[] = [];
    let newest: number | null = null;
    items.forEach((item, i) => {
      const parsed = this.parser.parse([item], { now, firstLine: i + 1 });
      const record = parsed.valid[0];
      const key = itemKey(
        record ? `${String(record.row.id)}\u0000${record.updatedAt.getTime()}` : JSON.stringify(item),
      );
      keys.push(key);
      if (record) newest = Math.max(newest ?? -Infinity, record.updatedAt.getTime());
      if (alreadyRead(position, i, key)) return;
      valid.push(...parsed.valid);
      invalid.push(...parsed.invalid);
    });
    return { valid, invalid, newest, keys };
  }
}

const newestOf = (records: ValidRecord[]): number | null =>
  records.reduce<number | null>((t, r) => Math.max(t ?? -Infinity, r.updatedAt.getTime()), null);

/** A short fixed-length key of an item's identity, for the stored position (it is kept per page). */
const itemKey = (identity: string): string =>
  createHash('sha256').update(identity).digest('base64url').slice(0, 16);

/** The request of one page: the paging's values in the query of a GET, or in a POST's body. */
function pageRequestOf(
  config: FeedConfig,
  url: string,
  request: FeedRequestSetup,
  values: PagingValues,
): PageRequest {
  const post = config.method === 'POST';
  return {
    url,
    method: config.method,
    headers: request.headers,
    query: post ? request.query : [...request.query, ...pagingParams(config.paging, values)],
    body: post ? renderBody(config.body as Json, values) : undefined,
    secrets: request.secrets,
    dispatcher: request.dispatcher,
    pace: request.pacer ? (signal?: AbortSignal) => request.pacer!.turn(signal) : undefined,
    timeoutMs: config.timeoutMs,
    retries: config.retries,
  };
}

/**
 * The records of one page at a position, as the feed sends them, read once without retries: a dry
 * run's page (the API's, from a running poller, or the shell's, from the configuration alone).
 */
export async function readOnePage(
  config: FeedConfig,
  url: string,
  request: FeedRequestSetup,
  position: PagingPosition,
  context: PagingContext,
): Promise<unknown[]> {
  const page = {
    ...pageRequestOf(config, url, request, pagingValues(position, config.paging, context)),
    retries: 0,
  };
  const answer = await fetchPage(page, (json) => readAnswer(json, config.paging));
  return answer.items;
}

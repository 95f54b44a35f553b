/**
 * The dispatchers' tallies in `delivery_tallies`, so that /api/health's `alerts` block is the same
 * on every node: each dispatcher counts its attempts in memory and adds them to the rows once a
 * second, in one statement, and health reads the rows (after writing what this node has not yet).
 */
import { sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { DeliveryResult } from '../alerts/channels/channel.js';
import {
  DeliveryTallies,
  emptyTally,
  recordAttempt,
  type StoredTally,
  type TallyState,
} from '../alerts/delivery-health.js';
import type { Db } from '../db/client.js';
import { deliveryTallies } from '../db/schema/index.js';
import { FlushLoop } from './flush-loop.js';

export interface SharedDeliveryTalliesOptions {
  /** This node (NODE_ID), for the record. */
  nodeId: string;
  logger: Pick<Logger, 'warn'>;
  /** How often the attempts counted here are added to the rows. Default 1 s. */
  flushMs?: number;
}

/** What one node counted of one tally since it last wrote it. */
interface Pending {
  tally: StoredTally;
  /** The row's key within its scope. */
  key: string;
  /** The last attempt counted: the row's `last_failed` follows the later of it and the row's. */
  lastAttemptAt: Date;
  since: Date;
}

const none = (id: number | null) => (id === null ? 'none' : String(id));

export class SharedDeliveryTallies {
  private pending = new Map<string, Pending>();
  private readonly loop: FlushLoop;

  constructor(
    private readonly db: Db,
    private readonly options: SharedDeliveryTalliesOptions,
  ) {
    this.loop = new FlushLoop(
      () => this.write(),
      options.flushMs ?? 1000,
      (error) => options.logger.warn({ err: error }, 'delivery tallies not written; trying again'),
    );
  }

  /** Counts one attempt on a lane, for its channel kind, its subscription and the lane. */
  record(channel: string, subscriptionId: number | null, result: DeliveryResult, at: Date): void {
    const count = (tally: StoredTally, key: string) => {
      const id = `${tally.scope}/${key}`;
      const pending = this.pending.get(id) ?? { tally, key, lastAttemptAt: at, since: at };
      this.pending.set(id, pending);
      recordAttempt(pending.tally, result, at);
      pending.lastAttemptAt = at;
    };
    const subscription = none(subscriptionId);
    count({ ...emptyTally(), scope: 'channel', channel }, channel);
    count({ ...emptyTally(), scope: 'subscription', subscriptionId }, subscription);
    count({ ...emptyTally(), scope: 'lane', channel, subscriptionId }, `${channel}:${subscription}`);
    this.loop.soon();
  }

  /** Adds what was counted here to the rows now (after a write under way). */
  flush(): Promise<void> {
    return this.loop.run();
  }

  /** Kept for the next write if the database refuses. */
  private async write(): Promise<void> {
    if (this.pending.size === 0) return;
    const written = this.pending;
    this.pending = new Map();
    const t = deliveryTallies;
    try {
      await this.db
        .insert(t)
        .values(
          // In one order on every node: two nodes' writes lock the rows they share in the same order.
          [...written.entries()]
            .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
            .map(([, { tally, key, lastAttemptAt, since }]) => ({
              scope: tally.scope,
              key,
              channel: 'channel' in tally ? tally.channel : null,
              subscriptionId: 'subscriptionId' in tally ? tally.subscriptionId : null,
              failures: tally.failures,
              lastFailed: tally.lastFailed,
              lastError: tally.lastError,
              lastErrorAt: tally.lastErrorAt,
              lastSuccessAt: tally.lastSuccessAt,
              lastAttemptAt,
              since,
              nodeId: this.options.nodeId,
            })),
        )
        .onConflictDoUpdate({
          target: [t.scope, t.key],
          set: {
            failures: sql`${t.failures} + excluded.failures`,
            // Attempts at the same instant: the one written last was made last (one node's order).
            lastFailed: sql`case when excluded.last_attempt_at >= ${t.lastAttemptAt} then excluded.last_failed else ${t.lastFailed} end`,
            lastError: sql`case when excluded.last_error_at is not null and (${t.lastErrorAt} is null or excluded.last_error_at >= ${t.lastErrorAt}) then excluded.last_error else ${t.lastError} end`,
            lastErrorAt: sql`greatest(${t.lastErrorAt}, excluded.last_error_at)`,
            lastSuccessAt: sql`greatest(${t.lastSuccessAt}, excluded.last_success_at)`,
            lastAttemptAt: sql`greatest(${t.lastAttemptAt}, excluded.last_attempt_at)`,
            nodeId: sql`excluded.node_id`,
          },
        });
    } catch (error) {
      // Counted again with what came meanwhile, in order: the earlier attempts first.
      for (const [key, later] of this.pending) {
        const earlier = written.get(key);
        if (!earlier) written.set(key, later);
        else written.set(key, merge(earlier, later));
      }
      this.pending = written;
      throw error;
    }
  }

  /** Every node's tallies, with this node's attempts written first. */
  async load(): Promise<DeliveryTallies> {
    await this.flush();
    const rows = await this.db.select().from(deliveryTallies);
    return new DeliveryTallies(
      rows.flatMap((row): StoredTally[] => {
        const state: TallyState = {
          failures: row.failures,
          lastFailed: row.lastFailed,
          lastError: row.lastError,
          lastErrorAt: row.lastErrorAt,
          lastSuccessAt: row.lastSuccessAt,
        };
        switch (row.scope) {
          case 'channel':
            return [{ ...state, scope: 'channel', channel: row.channel! }];
          case 'subscription':
            return [{ ...state, scope: 'subscription', subscriptionId: row.subscriptionId }];
          case 'lane':
            return [{ ...state, scope: 'lane', channel: row.channel!, subscriptionId: row.subscriptionId }];
          default:
            return [];
        }
      }),
    );
  }

  /** Forgets every tally: a server that is the only one dispatching from its database starts afresh. */
  async clear(): Promise<void> {
    this.pending.clear();
    await this.db.delete(deliveryTallies);
  }

  /** Writes what is left and stops. */
  stop(): Promise<void> {
    return this.loop.stop();
  }
}

/** Two stretches of counting of one tally, the earlier first. */
function merge(earlier: Pending, later: Pending): Pending {
  const a = earlier.tally;
  const b = later.tally;
  return {
    key: earlier.key,
    since: earlier.since,
    lastAttemptAt: later.lastAttemptAt,
    tally: {
      ...b,
      failures: a.failures + b.failures,
      lastError: b.lastErrorAt ? b.lastError : a.lastError,
      lastErrorAt: b.lastErrorAt ?? a.lastErrorAt,
      lastSuccessAt: b.lastSuccessAt ?? a.lastSuccessAt,
    },
  };
}

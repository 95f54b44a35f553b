/**
 * Delivery health, per channel kind and per subscription, for /api/health: what the outbox holds
 * (shared by every node: sent, pending, given up, the last delivery) merged with what the
 * dispatchers saw (failed attempts, the last error and when), which every node adds to in the
 * database (server/shared-state/delivery-tallies.ts).
 */
import type { DeliveryResult } from './channels/channel.js';
import type { OutboxCount } from './outbox.js';

/** Deliveries through one channel kind or to one subscription. */
export interface DeliveryStats {
  /**
   * `failing`: the last attempt failed (the notification is retrying, or was given up). For a channel
   * kind: the last attempt on one of its lanes failed, counting only subscriptions that still exist.
   */
  status: 'ok' | 'failing';
  /** Notifications delivered (all time, from the outbox). */
  sent: number;
  /**
   * Failed attempts, by every node: since this server started on PGlite (one server); on PostgreSQL
   * since the database began counting, across restarts.
   */
  failures: number;
  /** The last failure counted, as the channel described it (no secrets, no phone numbers). */
  lastError: string | null;
  lastErrorAt: string | null;
  lastSuccessAt: string | null;
  /** Waiting to be sent, including those retrying or deferred by quiet hours. */
  pending: number;
  /** Given up. */
  failed: number;
  /** Moot by the time they could go (a repeat of an acknowledged alert), so never sent. */
  skipped: number;
}

export interface AlertDeliveryHealth {
  /** `degraded` when a channel kind is failing. */
  status: 'ok' | 'degraded';
  channels: (DeliveryStats & { channel: string })[];
  /** `name` is null once the subscription has been removed. */
  subscriptions: (DeliveryStats & { id: number | null; name: string | null })[];
}

/** What happened to the attempts on one channel kind, one subscription or one lane. */
export interface TallyState {
  failures: number;
  /** Whether the last attempt failed. */
  lastFailed: boolean;
  lastError: string | null;
  lastErrorAt: Date | null;
  lastSuccessAt: Date | null;
}

export const emptyTally = (): TallyState => ({
  failures: 0,
  lastFailed: false,
  lastError: null,
  lastErrorAt: null,
  lastSuccessAt: null,
});

/** Counts one attempt's result into a tally. */
export function recordAttempt(tally: TallyState, result: DeliveryResult, at: Date): void {
  tally.lastFailed = !result.ok;
  if (result.ok) {
    tally.lastSuccessAt = at;
    return;
  }
  tally.failures += 1;
  tally.lastError = result.error;
  tally.lastErrorAt = at;
}

/**
 * One tally as stored: of a channel kind, of a subscription (null: a notification that names
 * none), or of a lane (a channel kind to one subscription), whose last attempt alone matters here.
 */
export type StoredTally = TallyState &
  (
    | { scope: 'channel'; channel: string }
    | { scope: 'subscription'; subscriptionId: number | null }
    | { scope: 'lane'; channel: string; subscriptionId: number | null }
  );

const latest = (...times: (Date | null | undefined)[]): string | null => {
  const known = times.flatMap((time) => (time ? [time.getTime()] : []));
  return known.length === 0 ? null : new Date(Math.max(...known)).toISOString();
};

function stats(
  counts: readonly OutboxCount[],
  tally: TallyState | undefined,
  failing = tally?.lastFailed,
): DeliveryStats {
  const sum = (status: OutboxCount['status']) =>
    counts.filter((c) => c.status === status).reduce((total, c) => total + c.count, 0);
  return {
    status: failing ? 'failing' : 'ok',
    sent: sum('sent'),
    failures: tally?.failures ?? 0,
    lastError: tally?.lastError ?? null,
    lastErrorAt: tally?.lastErrorAt?.toISOString() ?? null,
    lastSuccessAt: latest(tally?.lastSuccessAt, ...counts.map((c) => c.lastSentAt)),
    pending: sum('pending'),
    failed: sum('failed'),
    skipped: sum('skipped'),
  };
}

/** The dispatchers' attempts, by channel kind and by subscription. */
export class DeliveryTallies {
  private readonly byChannel = new Map<string, TallyState>();
  private readonly bySubscription = new Map<number | null, TallyState>();
  /** Whether the last attempt failed, by channel kind and then by subscription. */
  private readonly lastFailed = new Map<string, Map<number | null, boolean>>();

  constructor(stored: readonly StoredTally[]) {
    for (const tally of stored)
      switch (tally.scope) {
        case 'channel':
          this.byChannel.set(tally.channel, tally);
          break;
        case 'subscription':
          this.bySubscription.set(tally.subscriptionId, tally);
          break;
        case 'lane': {
          const lanes = this.lastFailed.get(tally.channel) ?? new Map<number | null, boolean>();
          this.lastFailed.set(tally.channel, lanes);
          lanes.set(tally.subscriptionId, tally.lastFailed);
          break;
        }
      }
  }

  /** Whether a channel kind is failing for one of the subscriptions that still exist. */
  private failing(channel: string, existing: ReadonlySet<number>): boolean {
    return [...(this.lastFailed.get(channel) ?? [])].some(
      ([subscriptionId, failed]) => failed && subscriptionId !== null && existing.has(subscriptionId),
    );
  }

  /**
   * The outbox's counts with these attempts; every channel kind and subscription either one knows.
   * `existing`: the subscriptions there are now — one removed while failing no longer degrades health.
   */
  report(counts: readonly OutboxCount[], existing: ReadonlySet<number>): AlertDeliveryHealth {
    const channelKeys = new Set([...counts.map((c) => c.channel), ...this.byChannel.keys()]);
    const subscriptionKeys = new Set([...counts.map((c) => c.subscriptionId), ...this.bySubscription.keys()]);
    const channels = [...channelKeys].sort().map((channel) => ({
      channel,
      ...stats(
        counts.filter((c) => c.channel === channel),
        this.byChannel.get(channel),
        this.failing(channel, existing),
      ),
    }));
    const subscriptions = [...subscriptionKeys]
      .sort((a, b) => (a ?? -1) - (b ?? -1))
      .map((id) => {
        const rows = counts.filter((c) => c.subscriptionId === id);
        return {
          id,
          name: rows.find((c) => c.subscriptionName !== null)?.subscriptionName ?? null,
          ...stats(rows, this.bySubscription.get(id)),
        };
      });
    return {
      status: channels.some((c) => c.status === 'failing') ? 'degraded' : 'ok',
      channels,
      subscriptions,
    };
  }
}

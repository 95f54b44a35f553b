/**
 * The server's internal events: what one part tells the others, typed by name. A service is given
 * the bus (or only its `emit`), says what happened, and never knows who listens; whoever reacts
 * subscribes itself. Those that other nodes must hear too cross between them (cluster/bridge.ts).
 */
import type { Logger } from 'pino';
import type { FeedName } from '../shared/feeds/index.js';
import type { LiveNotification } from '../shared/live.js';
import type { Month } from '../shared/reports/monthly.js';
import type { StoredBatch } from './feeds/store.js';

export interface ServerEvents {
  /** A batch of a feed was committed: polled, pushed or imported. */
  'feed.stored': { feed: FeedName; batch: StoredBatch };
  /** The live index's inputs changed: values in memory, or the weight sets. */
  'index.changed': Record<string, never>;
  /** Snapshots were recorded (today's, or past days' by history): the trends changed. */
  'history.recorded': { snapshots: number };
  /** A month was published (or published again). */
  'month.published': { month: Month };
  /** An evaluation stored a change of the alerts, or one was acknowledged: they are to be read again. */
  'alerts.changed': Record<string, never>;
  /** This node read the alerts the walls show again (after `alerts.changed`, or at start). */
  'alerts.loaded': Record<string, never>;
  /** Manual indicator values were imported, for periods from `since` on. */
  'values.imported': { since: Date };
  /**
   * A version of the city configuration came into force (an administrator's change, the file read
   * again): `sections` are the ones it changed. Whatever derives from them derives it again.
   */
  'config.changed': { version: number; sections: string[] };
  /** A weight set was created or published. */
  'weights.changed': Record<string, never>;
  /** A commit queued notifications in the outbox: they are due to be sent. */
  'notification.queued': { count: number };
  /** The socket channel delivered a notification: for every wall allowed to see it. */
  'notification.live': LiveNotification;
  /** A token was revoked: its sockets are to be closed. */
  'token.revoked': { tokenId: number };
}

export type EventName = keyof ServerEvents;
export type Listener<E extends EventName> = (payload: ServerEvents[E]) => void | Promise<void>;

/** Saying that something happened. */
export interface EventSink {
  emit<E extends EventName>(event: E, payload: ServerEvents[E]): Promise<void>;
}

/** Hearing of it; the function returned stops listening. */
export interface EventSource {
  on<E extends EventName>(event: E, listener: Listener<E>): () => void;
}

/**
 * Listeners of an event run one after another, in the order they subscribed, and `emit` resolves
 * once all have run: a poller's page is done when what it changed has been recomputed. A listener
 * that fails is logged and the others still run: the emitter's work is done, whatever a reaction to
 * it does.
 */
export class EventBus implements EventSink, EventSource {
  private readonly listeners: { [E in EventName]?: Listener<E>[] } = {};

  constructor(private readonly logger: Pick<Logger, 'error'>) {}

  on<E extends EventName>(event: E, listener: Listener<E>): () => void {
    const listeners: { [K in E]?: Listener<K>[] } = this.listeners;
    listeners[event] = [...(listeners[event] ?? []), listener];
    return () => {
      listeners[event] = listeners[event]?.filter((l) => l !== listener);
    };
  }

  async emit<E extends EventName>(event: E, payload: ServerEvents[E]): Promise<void> {
    const listeners: { [K in E]?: Listener<K>[] } = this.listeners;
    // A copy: a listener that subscribes or stops listening does not change this emission.
    for (const listener of [...(listeners[event] ?? [])]) {
      try {
        await listener(payload);
      } catch (error) {
        this.logger.error({ err: error, event }, 'a listener of an internal event failed');
      }
    }
  }
}

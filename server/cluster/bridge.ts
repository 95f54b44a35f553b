/**
 * The internal events other nodes must hear, carried between nodes by the Socket.IO adapter's
 * server-side emits (`io.serverSideEmit`): on PostgreSQL, the postgres adapter's LISTEN/NOTIFY (its
 * attachments table for large packets); with REDIS_URL, Redis streams. An event said on this node is
 * sent to the others; one heard from another node is said here, and never sent back.
 *
 * What crosses, and why:
 * - `feed.stored`: every node's live index reads the streets it touched, every wall's ticker shows
 *   it; the leader evaluates a zero-tolerance event and marks the past days (a push or an import
 *   can reach any node);
 * - `alerts.changed`: every node reads the walls' alerts again (the leader evaluated, or a node
 *   took an acknowledgement);
 * - `notification.queued`: every node's dispatcher sends at once;
 * - `notification.live`: every node's walls get the socket channel's notification;
 * - `month.published`: the leader evaluates the red-month ladder;
 * - `values.imported`, `weights.changed`: every node's live index reads them again;
 * - `config.changed`: every node reads the new configuration version and applies it.
 * The rest stays on its node: `index.changed` and `alerts.loaded` (each node's own state),
 * `history.recorded` (the leader's), `token.revoked` (the adapter closes sockets on every node).
 */
import type { Server } from 'socket.io';
import type { Logger } from 'pino';
import type { EventBus, EventName, ServerEvents } from '../events.js';

export const CLUSTER_EVENTS = [
  'feed.stored',
  'alerts.changed',
  'notification.queued',
  'notification.live',
  'month.published',
  'values.imported',
  'weights.changed',
  'config.changed',
] as const satisfies readonly EventName[];

type ClusterEvent = (typeof CLUSTER_EVENTS)[number];

/** How an event's payload travels: JSON-safe (a Set becomes a list, a Date its ISO text). */
interface Wire {
  toWire(payload: ServerEvents[ClusterEvent]): unknown;
  fromWire(data: unknown): ServerEvents[ClusterEvent];
}

const asIs: Wire = { toWire: (payload) => payload, fromWire: (data) => data as never };

const WIRES: { [E in ClusterEvent]?: Wire } = {
  'feed.stored': {
    toWire: (payload) => {
      const { feed, batch } = payload as ServerEvents['feed.stored'];
      return {
        feed,
        batch: {
          ...batch,
          streets: [...batch.streets],
          earliest: batch.earliest?.toISOString() ?? null,
          created: batch.created.map(datesAsText),
        },
      };
    },
    fromWire: (data) => {
      const { feed, batch } = data as {
        feed: ServerEvents['feed.stored']['feed'];
        batch: {
          stored: number;
          quarantined: number;
          streets: string[];
          earliest: string | null;
          created: Record<string, unknown>[];
        };
      };
      return {
        feed,
        batch: {
          ...batch,
          streets: new Set(batch.streets),
          earliest: batch.earliest === null ? null : new Date(batch.earliest),
          created: batch.created.map(textAsDates),
        },
      };
    },
  },
  'values.imported': {
    toWire: (payload) => ({ since: (payload as ServerEvents['values.imported']).since.toISOString() }),
    fromWire: (data) => ({ since: new Date((data as { since: string }).since) }),
  },
};

const DATE = '$date';
const datesAsText = (row: Record<string, unknown>) =>
  Object.fromEntries(
    Object.entries(row).map(([key, value]) => [
      key,
      value instanceof Date ? { [DATE]: value.toISOString() } : value,
    ]),
  );
const textAsDates = (row: Record<string, unknown>) =>
  Object.fromEntries(
    Object.entries(row).map(([key, value]) =>
      value !== null && typeof value === 'object' && DATE in value
        ? [key, new Date(String((value as Record<string, unknown>)[DATE]))]
        : [key, value],
    ),
  );

/** The server-side events of the Socket.IO server: one per internal event that crosses. */
export type BetweenNodes = Record<`pingan:${ClusterEvent}`, (data: unknown) => void>;

/** The server-side event name of an internal event. */
const wireName = (event: ClusterEvent) => `pingan:${event}` as const;

/**
 * Joins this node's bus to the others'. Returns the function that stops it. With no other node (or
 * the in-memory adapter of a single node) a server-side emit reaches nobody, at no cost.
 */
export function bridgeEvents(
  bus: EventBus,
  io: Server<never, never, BetweenNodes>,
  logger: Pick<Logger, 'warn'>,
): () => void {
  /** Payloads heard from another node: said here, not sent back. */
  const heard = new WeakSet<object>();
  const stops = CLUSTER_EVENTS.map((event) => {
    const wire = WIRES[event] ?? asIs;
    const name = wireName(event);
    const receive = (data: unknown) => {
      let payload: ServerEvents[ClusterEvent];
      try {
        payload = wire.fromWire(data);
      } catch (error) {
        logger.warn({ err: error, event }, 'an event from another node could not be read');
        return;
      }
      heard.add(payload);
      void bus.emit(event, payload as never);
    };
    io.on(name, receive);
    const stopSending = bus.on(event, (payload) => {
      if (heard.has(payload)) return;
      io.serverSideEmit(name, wire.toWire(payload));
    });
    return () => {
      io.off(name, receive);
      stopSending();
    };
  });
  return () => stops.forEach((stop) => stop());
}

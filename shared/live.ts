/**
 * The live protocol: Socket.IO namespace `/live`, typed for both ends. The server sends a snapshot
 * on connect and on `resync`, then deltas numbered by `seq`; a client applies a delta only when its
 * `prevSeq` is the client's last `seq`, and resyncs otherwise.
 */
import { z } from 'zod';
import type { AlertText } from './alerts/text.js';
import type { Acknowledgement, RuleId, Severity } from './alerts/types.js';
import type { LiveStreet } from './api.js';
import type { FeedName, TickerFeed } from './feeds/index.js';
import type { GradeBand } from './index/types.js';
import { changedPanels, panelsForStreets, type Panels, type PanelSet } from './panels.js';
import { screenNameSchema, type LocalWindow } from './screens.js';

/** The namespace of the live channel. */
export const LIVE_NAMESPACE = '/live';

/** One event on the wall's ticker: what, where, when — nothing that identifies a person. */
export interface TickerItem {
  /** Feed and item id: unique, to de-duplicate. */
  key: string;
  /** A feed whose definition puts it on the ticker (shared/feeds). */
  feed: TickerFeed;
  /** incident: its category (theft, robbery, …); fraud: case, warning, interception; mediation: its type. */
  category: string;
  street: string;
  community: string | null;
  /** When it happened (ISO). */
  at: string;
}

export interface TrendPoint {
  at: string;
  index: number | null;
}

export interface CityLive {
  index: number | null;
  grade: GradeBand | null;
  /** Snapshots of the last 24 hours, oldest first. */
  trend24h: TrendPoint[];
  /** One point a day for the last 30 days (the day's mean), oldest first. */
  trend30d: TrendPoint[];
}

/** A feed's freshness, as the wall shows it. */
export interface FeedFreshness {
  feed: FeedName;
  status: 'ok' | 'stale' | 'failing' | 'waiting' | 'off';
  stale: boolean;
  lastSuccessAt: string | null;
  /** When the newest item received was updated: the wall shows how old the data is from it. */
  newestItemAt: string | null;
  itemsPerMinute: number;
}

/**
 * An alert as the wall and the street page show it: firing (flashing until acknowledged) or
 * acknowledged (with who, when and the comment). Pending and resolved alerts are not on the wall.
 */
export interface LiveAlert {
  id: string;
  rule: RuleId;
  /** null for an operators' alert about a feed or a screen. */
  street: string | null;
  feed: string | null;
  screen: string | null;
  status: 'firing' | 'acknowledged';
  severity: Severity;
  /** What happened and why, in both languages (title, and body lines separated by "\n"). */
  text: AlertText;
  openedAt: string;
  firedAt: string | null;
  acknowledgement: Acknowledgement | null;
}

/** Orders alerts as the wall lists them: firing first, then critical first, then the newest. */
export function compareLiveAlerts(a: LiveAlert, b: LiveAlert): number {
  const firing = Number(b.status === 'firing') - Number(a.status === 'firing');
  const critical = Number(b.severity === 'critical') - Number(a.severity === 'critical');
  return firing || critical || (b.firedAt ?? b.openedAt).localeCompare(a.firedAt ?? a.openedAt);
}

/** A notification pushed to the pages that can see its street (the socket channel). */
export interface LiveNotification {
  idempotencyKey: string;
  alertId: string;
  street: string;
  severity: 'info' | 'warning' | 'critical';
  kind: 'fire' | 'repeat' | 'escalate' | 'resolve';
  title: { zh: string; en: string };
  body: { zh: string; en: string };
  ackUrl?: string;
  at: string;
}

export interface AckPayload {
  alertId: string;
  /** Required: what is being done about it (at most 500 characters). */
  comment: string;
}

export type AckReply = { ok: true; alert: LiveAlert } | { ok: false; code: string; message: string };

/** `P`: the panels it carries, {@link Panels} on the wire (a test may add one of its own). */
export interface LiveSnapshot<P extends PanelSet = Panels> {
  seq: number;
  at: string;
  /** The local date the server reckons in, and its time zone, for clocks and "today". */
  date: string;
  timezone: string;
  weightSet: { id: number; name: string };
  city: CityLive;
  streets: LiveStreet[];
  feeds: FeedFreshness[];
  /** Newest first, at most TICKER_LENGTH. */
  ticker: TickerItem[];
  panels: P;
  /** The alerts on the wall, in {@link compareLiveAlerts} order. */
  alerts: LiveAlert[];
}

/** Only what changed since `prevSeq`; absent fields did not change. */
export interface LiveDelta<P extends PanelSet = Panels> {
  seq: number;
  prevSeq: number;
  at: string;
  date?: string;
  weightSet?: LiveSnapshot<P>['weightSet'];
  city?: CityLive;
  /**
   * The streets that changed: their headline fields whole, and of their indicators only those
   * that changed (merged by id).
   */
  streets?: LiveStreet[];
  feeds?: FeedFreshness[];
  /** New ticker items, newest first; each takes its place in the ticker by time. */
  ticker?: TickerItem[];
  /** The panels that changed, whole. */
  panels?: Partial<P>;
  /** Every alert on the wall, whole, when any changed. */
  alerts?: LiveAlert[];
}

export const TICKER_LENGTH = 30;

/** The longest a heartbeat may say a page has not painted: a year, in ms. */
const MAX_PAINT_AGE_MS = 366 * 86_400_000;

/**
 * A wall's heartbeat: its name, the `seq` of the last snapshot or delta it applied, and how long ago
 * it last painted (an animation frame ran): a page whose render loop stopped beats on (from its
 * watchdog worker, over `POST /api/walls/heartbeat`) and is found frozen. `seq` and
 * `paintedMsAgo` are absent or null when a page does not know them (not yet, or an older page).
 */
export const heartbeatSchema = z.strictObject({
  /** A name for the screen ("command-main", "指挥中心主屏"): trimmed, at most 100 characters. */
  screen: screenNameSchema,
  seq: z
    .number({ error: 'expected a number' })
    .int('must be a whole number')
    .nonnegative('must be 0 or more')
    .max(Number.MAX_SAFE_INTEGER, 'is too large')
    .nullable()
    .optional(),
  paintedMsAgo: z
    .number({ error: 'expected a number' })
    .nonnegative('must be 0 or more')
    .max(MAX_PAINT_AGE_MS, 'must be at most a year')
    .nullable()
    .optional(),
});
export type HeartbeatPayload = z.infer<typeof heartbeatSchema>;

/** The server's answer to a heartbeat: where the live channel is (its `seq` for this viewer), or why not. */
export type HeartbeatReply = { ok: true; seq: number } | { ok: false; code: string; message: string };

/**
 * Said to every wall on connect and when the configuration changes: the server's build (a wall
 * that loaded another reloads itself: a deploy reaches every screen), how often to beat, and when
 * to reload on its own.
 */
export interface LiveHello {
  build: {
    /** The server's version. */
    server: string;
    /** The display build the server serves (SvelteKit's `version`); null when it serves none. */
    display: string | null;
  };
  heartbeatMs: number;
  /** Reload after this many hours in the city's `window` (null: never by the clock). */
  reload: { afterHours: number | null; window: LocalWindow };
}

/**
 * The ticker's order: newest first by when it happened. A new item that happened before the
 * newest shown (a late arrival) takes its place by time, not the top; the sort is stable, so items
 * of one time keep the order they came in, on the server and on every client alike.
 */
export const compareTickerItems = (a: TickerItem, b: TickerItem): number => b.at.localeCompare(a.at);

export interface ServerToClientEvents {
  hello: (hello: LiveHello) => void;
  snapshot: (snapshot: LiveSnapshot) => void;
  delta: (delta: LiveDelta) => void;
  notification: (notification: LiveNotification) => void;
}

export interface ClientToServerEvents {
  /** Asks for a snapshot (after a missed delta). */
  resync: () => void;
  /** The reply is optional: a wall that does not ask is told nothing, a bad payload is dropped. */
  heartbeat: (payload: HeartbeatPayload, reply?: (result: HeartbeatReply) => void) => void;
  /** Acknowledges a firing alert with a comment; the reply says whether it worked, and if not why. */
  ack: (payload: AckPayload, reply: (result: AckReply) => void) => void;
}

/**
 * Applies a delta to a snapshot. Returns the new snapshot, or null when the delta does not follow
 * on (its `prevSeq` is not the snapshot's `seq`): the client must resync.
 */
export function applyDelta<P extends PanelSet = Panels>(
  snapshot: LiveSnapshot<P>,
  delta: LiveDelta<P>,
): LiveSnapshot<P> | null {
  if (delta.prevSeq !== snapshot.seq) return null;
  const changed = new Map((delta.streets ?? []).map((street) => [street.code, street]));
  const patch = (street: LiveStreet): LiveStreet => {
    const update = changed.get(street.code);
    if (!update) return street;
    const indicators = new Map(update.indicators.map((i) => [i.id, i]));
    return { ...update, indicators: street.indicators.map((i) => indicators.get(i.id) ?? i) };
  };
  const ticker = delta.ticker
    ? [...delta.ticker, ...snapshot.ticker.filter((item) => !delta.ticker!.some((n) => n.key === item.key))]
        .sort(compareTickerItems)
        .slice(0, TICKER_LENGTH)
    : snapshot.ticker;
  return {
    ...snapshot,
    seq: delta.seq,
    at: delta.at,
    date: delta.date ?? snapshot.date,
    weightSet: delta.weightSet ?? snapshot.weightSet,
    city: delta.city ?? snapshot.city,
    streets: changed.size > 0 ? snapshot.streets.map(patch) : snapshot.streets,
    feeds: delta.feeds ?? snapshot.feeds,
    ticker,
    panels: { ...snapshot.panels, ...delta.panels },
    alerts: delta.alerts ?? snapshot.alerts,
  };
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * What changed from one snapshot to the next, as the parts of a delta (without seq numbers):
 * whole streets that changed, new ticker items, and each other part only when it changed.
 * Null when nothing did.
 */
export function diffSnapshots<P extends PanelSet = Panels>(
  before: LiveSnapshot<P>,
  after: LiveSnapshot<P>,
): Omit<LiveDelta<P>, 'seq' | 'prevSeq' | 'at'> | null {
  const delta: Omit<LiveDelta<P>, 'seq' | 'prevSeq' | 'at'> = {};
  if (after.date !== before.date) delta.date = after.date;
  if (!same(after.weightSet, before.weightSet)) delta.weightSet = after.weightSet;
  if (!same(after.city, before.city)) delta.city = after.city;
  const previous = new Map(before.streets.map((s) => [s.code, s]));
  const streets = after.streets.flatMap((street) => {
    const old = previous.get(street.code);
    if (old && same(old, street)) return [];
    const oldIndicators = new Map((old?.indicators ?? []).map((i) => [i.id, JSON.stringify(i)]));
    const indicators = street.indicators.filter((i) => oldIndicators.get(i.id) !== JSON.stringify(i));
    return [{ ...street, indicators }];
  });
  if (streets.length > 0) delta.streets = streets;
  if (!same(after.feeds, before.feeds)) delta.feeds = after.feeds;
  const known = new Set(before.ticker.map((item) => item.key));
  const ticker = after.ticker.filter((item) => !known.has(item.key));
  if (ticker.length > 0) delta.ticker = ticker;
  const panels = changedPanels(before.panels, after.panels);
  if (panels) delta.panels = panels;
  if (!same(after.alerts, before.alerts)) delta.alerts = after.alerts;
  return Object.keys(delta).length > 0 ? delta : null;
}

/** What {@link forStreets} filters: the street-scoped parts of a snapshot or a delta. */
interface StreetScoped {
  streets?: LiveStreet[];
  ticker?: TickerItem[];
  alerts?: LiveAlert[];
  panels?: Partial<PanelSet>;
}

/** The part of a snapshot (or delta) a viewer limited to some streets may see. */
export function forStreets<T extends StreetScoped>(view: T, streets: readonly string[]): T {
  const mine = <I extends { street: string }>(items: I[] | undefined) =>
    items?.filter((i) => streets.includes(i.street));
  return {
    ...view,
    ...(view.streets && { streets: view.streets.filter((s) => streets.includes(s.code)) }),
    ...(view.ticker && { ticker: mine(view.ticker) }),
    // Feed alerts are for operators: a street viewer sees its streets' alerts only.
    ...(view.alerts && {
      alerts: view.alerts.filter((a) => a.street !== null && streets.includes(a.street)),
    }),
    ...(view.panels && { panels: panelsForStreets(view.panels, streets) }),
  };
}

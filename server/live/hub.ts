/**
 * The live channel: Socket.IO namespace `/live` on the server's own port. Each tick (250 ms) the hub
 * builds the wall's state, and when something changed sends every room one delta carrying only the
 * change; a new or resyncing client gets the whole snapshot. A street token's sockets sit in a room
 * of their streets and receive only those.
 */
import type { Server as HttpServer } from 'node:http';
import { Server, type Namespace, type ServerOptions, type Socket } from 'socket.io';
import type { LiveStreet } from '../../shared/api.js';
import type { FeedName } from '../../shared/feeds/index.js';
import {
  type AckReply,
  diffSnapshots,
  forStreets,
  LIVE_NAMESPACE,
  type ClientToServerEvents,
  type FeedFreshness,
  type LiveDelta,
  type LiveNotification,
  type LiveSnapshot,
  type ServerToClientEvents,
  type TrendPoint,
} from '../../shared/live.js';
import { addDays, startOfLocalDate } from '../../shared/period.js';
import { authorise, type Principal } from '../../shared/roles.js';
import { ackCommentSchema, mayAcknowledge } from '../alerts/ack.js';
import { zodMessage } from '../http/errors.js';
import type { CityConfig } from '../../shared/city.js';
import type { AlertService } from '../alerts/service.js';
import type { BetweenNodes } from '../cluster/bridge.js';
import type { Db } from '../db/client.js';
import type { EventSource } from '../events.js';
import type { StoredBatch } from '../feeds/store.js';
import type { Metrics } from '../metrics.js';
import type { SnapshotRepository } from '../repositories/snapshots.js';
import type { TokenRepository } from '../repositories/tokens.js';
import type { LiveIndexService } from '../services/live-index.js';
import type { Logger } from 'pino';
import { ACCESS, type SocketAction } from '../http/access.js';
import { principalFor } from '../http/auth.js';
import { CITY } from '../repositories/snapshots.js';
import { emptyPanels, PANEL_FEEDS, type Panels } from '../../shared/panels.js';
import { readPanels } from './panels.js';
import { Ticker } from './ticker.js';
import type { SharedFeedHealth } from '../shared-state/feed-health.js';
import type { SharedWalls } from '../shared-state/walls.js';

interface SocketData {
  principal: Principal;
  /** Set once an action found the token revoked: the socket is closing. */
  revoked?: boolean;
}

type LiveNamespace = Namespace<ClientToServerEvents, ServerToClientEvents, BetweenNodes, SocketData>;
type LiveServerSocket = Socket<ClientToServerEvents, ServerToClientEvents, BetweenNodes, SocketData>;

const EVERYTHING = 'city';
const STREETS = 'streets:';
const roomOf = (principal: Principal) =>
  principal.role === 'street' ? `${STREETS}${[...principal.streets].sort().join(',')}` : EVERYTHING;
/** Every socket of a token, so that revoking it disconnects them all (on every node, through an adapter). */
const tokenRoom = (tokenId: number) => `token:${tokenId}`;
/** The streets of a viewers' room; null for the room that sees everything, undefined for any other room. */
const streetsOfRoom = (room: string): string[] | null | undefined =>
  room === EVERYTHING ? null : room.startsWith(STREETS) ? room.slice(STREETS.length).split(',') : undefined;

const REVOKED = 'the token is unknown or revoked';
const SLOW_REFRESH_MS = 60_000;

/** Four decimals are far below what a wall shows, and keep floating-point noise out of deltas. */
const round = (value: number | null) => (value === null ? null : Math.round(value * 1e4) / 1e4);
function forTheWire(street: LiveStreet): LiveStreet {
  return {
    ...street,
    index: round(street.index),
    blocks: {
      positive: round(street.blocks.positive),
      negative: round(street.blocks.negative),
      public: round(street.blocks.public),
    },
    indicators: street.indicators.map((i) => ({
      ...i,
      raw: round(i.raw),
      smoothed: round(i.smoothed),
      score: round(i.score),
      contribution: round(i.contribution)!,
      pointsLost: round(i.pointsLost)!,
    })),
  };
}

export interface LiveHubOptions {
  tickMs: number;
  /** How broadcasts reach the sockets of other nodes (a Socket.IO adapter); absent, this node alone. */
  adapter?: ServerOptions['adapter'];
}

export interface LiveHubDeps {
  city: CityConfig;
  db: Db;
  clock: () => Date;
  logger: Logger;
  metrics: Pick<Metrics, 'liveSockets' | 'liveDeltas'>;
  tokens: TokenRepository;
  index: Pick<LiveIndexService, 'current'>;
  alerts: Pick<AlertService, 'live' | 'acknowledge'>;
  snapshots: Pick<SnapshotRepository, 'history' | 'daily'>;
  feeds: Pick<SharedFeedHealth, 'health'>;
  /** The walls' heartbeats, which /api/health lists. */
  walls: Pick<SharedWalls, 'beat' | 'gone'>;
  /**
   * Heard: `index.changed` and `alerts.loaded` (publish), `feed.stored` (the ticker and panels),
   * `history.recorded` (the trends), `notification.live` (the socket channel), `token.revoked`.
   */
  events: EventSource;
}

export class LiveHub {
  readonly io: Server<ClientToServerEvents, ServerToClientEvents, BetweenNodes, SocketData>;
  readonly walls: Pick<SharedWalls, 'beat' | 'gone'>;
  private readonly namespace: LiveNamespace;
  private readonly ticker = new Ticker();
  private snapshot: LiveSnapshot | null = null;
  private panels: Panels = emptyPanels();
  private trends: { trend24h: TrendPoint[]; trend30d: TrendPoint[] } = { trend24h: [], trend30d: [] };
  private panelsDirty = true;
  private lastPanels = 0;
  private lastTrends = 0;
  private timer: NodeJS.Timeout | null = null;
  private ticking: Promise<void> | null = null;
  /** The rooms of viewers (everything, or some streets); sockets' own rooms are not walked. */
  private readonly rooms = new Set<string>();
  /** Something changed since the last build; without it a build runs once a second (clocks, health). */
  private dirty = true;
  private lastBuild = 0;
  private lastPublish = 0;
  private lastSeq = 0;
  private pending: NodeJS.Timeout | null = null;
  private stopListening: (() => void) | null = null;

  constructor(
    private readonly deps: LiveHubDeps,
    http: HttpServer,
    private readonly options: LiveHubOptions,
  ) {
    this.walls = deps.walls;
    this.io = new Server(http, {
      serveClient: false,
      // Small memory per connection: no compression contexts kept per socket.
      perMessageDeflate: false,
      httpCompression: false,
      transports: ['websocket', 'polling'],
      ...(options.adapter && { adapter: options.adapter }),
    });
    this.namespace = this.io.of(LIVE_NAMESPACE) as LiveNamespace;
    this.namespace.use((socket, next) => {
      const { auth, query } = socket.handshake;
      const token =
        typeof auth.token === 'string'
          ? auth.token
          : typeof query.token === 'string'
            ? query.token
            : undefined;
      // The client tells the reasons apart by `data.code`: `token` (missing, unknown) or `forbidden`.
      const refuse = (message: string, code: 'token' | 'forbidden') =>
        next(Object.assign(new Error(message), { data: { code } }));
      principalFor(deps.tokens, token).then(
        (principal) => {
          const decision = authorise(principal, ACCESS['socket:connect'].who);
          if (!decision.allowed) return refuse(decision.reason, 'forbidden');
          socket.data.principal = principal;
          next();
        },
        (error: unknown) => refuse((error as Error).message, 'token'),
      );
    });
    // Handlers are registered synchronously, before anything is awaited.
    this.namespace.on('connection', (socket) => {
      const principal = socket.data.principal;
      const room = roomOf(principal);
      this.rooms.add(room);
      void socket.join([room, tokenRoom(principal.tokenId)]);
      deps.metrics.liveSockets.inc();
      const failed = (action: string) => (error: unknown) =>
        deps.logger.error({ err: error, action }, 'socket action failed');
      socket.on('resync', () => {
        this.permitted(socket, 'socket:resync').then((now) => {
          if (now.allowed && this.snapshot)
            socket.emit('snapshot', this.viewFor(now.principal, this.snapshot));
        }, failed('resync'));
      });
      socket.on('heartbeat', (payload) => {
        const screen = typeof payload?.screen === 'string' ? payload.screen.trim().slice(0, 100) : '';
        this.permitted(socket, 'socket:heartbeat').then((now) => {
          // Walls are listed on /api/health, which anyone may read. A street head's phone is not a
          // wall, and its page names itself after its street: who watches which street is not for all.
          if (now.allowed && screen && now.principal.role !== 'street')
            this.walls.beat(socket.id, screen, now.principal.role, deps.clock());
        }, failed('heartbeat'));
      });
      socket.on('ack', (payload, reply) => {
        const answer = typeof reply === 'function' ? reply : () => {};
        this.permitted(socket, 'socket:ack')
          .then((now) => {
            if (now.allowed) return this.acknowledge(now.principal, payload);
            return { ok: false as const, code: now.code, message: now.message };
          })
          .then(answer, (error: unknown) => {
            deps.logger.error({ err: error }, 'acknowledgement over the socket failed');
            answer({ ok: false, code: 'internal', message: 'the acknowledgement failed; try again' });
          })
          // The refusal is sent before a revoked token's socket is closed.
          .finally(() => {
            if (socket.data.revoked) socket.disconnect(true);
          });
      });
      socket.on('disconnect', () => {
        deps.metrics.liveSockets.dec();
        this.walls.gone(socket.id, deps.clock());
      });
      if (this.snapshot) socket.emit('snapshot', this.viewFor(principal, this.snapshot));
    });
  }

  /** Reads the ticker's news from the database, builds the first snapshot and starts ticking. */
  async start(): Promise<void> {
    // A restarted server shows the latest events at once; without them the wall still starts.
    await this.ticker
      .load(this.deps.db, this.deps.clock())
      .catch((error: unknown) => this.deps.logger.error({ err: error }, 'the ticker could not be read'));
    this.snapshot = { ...(await this.build()), seq: this.nextSeq() };
    const { events } = this.deps;
    const stops = [
      events.on('index.changed', () => this.poke()),
      events.on('alerts.loaded', () => this.poke()),
      events.on('feed.stored', ({ feed, batch }) => this.noteStored(feed, batch)),
      events.on('history.recorded', () => this.trendsChanged()),
      events.on('notification.live', (notification) => this.notify(notification)),
      events.on('token.revoked', ({ tokenId }) => this.disconnectToken(tokenId)),
    ];
    this.stopListening = () => stops.forEach((stop) => stop());
    // Clocks and feed health age without an event: the state is built again once a second anyway.
    this.timer = setInterval(() => {
      if (this.dirty || Date.now() - this.lastBuild >= 1000) this.schedule();
    }, this.options.tickMs);
    this.timer.unref();
  }

  /**
   * The socket channel: a notification to every viewer of this node who may see its street (every
   * viewer for an alert without a street: those are for operators, and street tokens do not get
   * them). The other nodes hear `notification.live` too, and tell their own.
   */
  notify(notification: LiveNotification): void {
    for (const [room, sockets] of this.namespace.adapter.rooms) {
      if (sockets.size === 0) continue;
      // Viewers' rooms only: not a socket's own room, nor a token's.
      const streets = streetsOfRoom(room);
      if (streets === null || streets?.includes(notification.street))
        this.namespace.local.to(room).emit('notification', notification);
    }
  }

  /** Disconnects every socket of a token (revoked): on every node once an adapter joins them. */
  private disconnectToken(tokenId: number): void {
    this.namespace.in(tokenRoom(tokenId)).disconnectSockets(true);
  }

  /**
   * Whether a socket may do this now, by the access table and its token as the database has it (a
   * token revoked on another node, or by the CLI, is found here). A revoked token's socket is
   * disconnected; an acknowledgement's refusal is answered first.
   */
  private async permitted(
    socket: LiveServerSocket,
    action: SocketAction,
  ): Promise<{ allowed: true; principal: Principal } | { allowed: false; code: string; message: string }> {
    const principal = await this.deps.tokens.active(socket.data.principal.tokenId);
    if (!principal) {
      socket.data.revoked = true;
      if (action !== 'socket:ack') socket.disconnect(true);
      return { allowed: false, code: 'unauthorized', message: REVOKED };
    }
    const decision = authorise(principal, ACCESS[action].who);
    if (!decision.allowed) return { allowed: false, code: 'forbidden', message: decision.reason };
    return { allowed: true, principal };
  }

  /** `ack` from a socket: the same checks and answers as POST /api/alerts/:id/ack. */
  private async acknowledge(principal: Principal, payload: unknown): Promise<AckReply> {
    const parsed = ackCommentSchema.safeParse(payload);
    if (!parsed.success) return { ok: false, code: 'bad_request', message: zodMessage(parsed.error) };
    const { alertId, comment } = parsed.data;
    const outcome = await this.deps.alerts.acknowledge(alertId, principal.name, comment, (alert) =>
      mayAcknowledge(principal, alert),
    );
    if (!outcome.ok) return { ok: false, code: outcome.refusal, message: outcome.message };
    const alert = this.deps.alerts.live().find((a) => a.id === alertId);
    return alert
      ? { ok: true, alert }
      : { ok: false, code: 'resolved', message: 'the alert is no longer open' };
  }

  /** A batch of a feed was stored: news for the ticker, and its panel to refresh. */
  private noteStored(feed: FeedName, batch: StoredBatch): void {
    this.ticker.add(feed, batch.created, this.deps.clock());
    if (PANEL_FEEDS.includes(feed)) this.panelsDirty = true;
    this.poke();
  }

  /** Something changed: it goes out with the next delta (see {@link schedule}). */
  poke(): void {
    this.dirty = true;
    this.schedule();
  }

  /**
   * Coalescing per tick (DESIGN.md, "Live protocol"): at most one delta per tick however many
   * events arrive. Leading edge: after a quiet tick the state is built and sent at once; within a
   * tick of the last delta it waits for the tick's end, and everything that changed meanwhile goes
   * out in one delta. A build under way is not joined: what changed during it is built after it.
   */
  private schedule(): void {
    if (this.ticking || this.pending) return;
    const wait = this.lastPublish + this.options.tickMs - Date.now();
    if (wait <= 0) {
      void this.tick();
      return;
    }
    this.pending = setTimeout(() => {
      this.pending = null;
      void this.tick();
    }, wait);
  }

  /** Builds the state now and sends what changed. Runs when scheduled; tests may call it. */
  tick(): Promise<void> {
    this.ticking ??= this.publish()
      .catch((error: unknown) => this.deps.logger.error({ err: error }, 'live tick failed'))
      .finally(() => {
        this.ticking = null;
        // What changed while the state was being built goes out next, a tick after the last delta.
        if (this.dirty && this.timer) this.schedule();
      });
    return this.ticking;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    if (this.pending) clearTimeout(this.pending);
    this.timer = this.pending = null;
    this.stopListening?.();
    await this.ticking;
    this.namespace.disconnectSockets(true);
    await new Promise<void>((resolve) => {
      void this.io.close(() => resolve());
    });
  }

  private async publish(): Promise<void> {
    const before = this.snapshot;
    if (!before) return;
    this.dirty = false;
    this.lastBuild = Date.now();
    const next = await this.build();
    const change = diffSnapshots(before, { ...next, seq: before.seq });
    if (!change) return;
    const delta: LiveDelta = { ...change, seq: this.nextSeq(), prevSeq: before.seq, at: next.at };
    this.snapshot = { ...next, seq: delta.seq };
    this.lastPublish = Date.now();
    this.deps.metrics.liveDeltas.inc();
    for (const [room, sockets] of this.namespace.adapter.rooms) {
      if (sockets.size === 0) continue;
      // Viewers' rooms only: not a socket's own room, nor a token's.
      const streets = streetsOfRoom(room);
      // This node's sockets only (`local`): every node sends its own walls its own deltas.
      if (streets === null) this.namespace.local.to(room).emit('delta', delta);
      else if (streets)
        this.namespace.local
          .to(room)
          .emit('delta', forStreets(delta as Partial<LiveSnapshot>, streets) as LiveDelta);
    }
  }

  /** What one viewer gets: its streets only for a street token; stamped with the time it is sent. */
  private viewFor(principal: Principal, snapshot: LiveSnapshot): LiveSnapshot {
    const now = { ...snapshot, at: this.deps.clock().toISOString() };
    return principal.role === 'street' ? forStreets(now, principal.streets) : now;
  }

  /**
   * The live channel's sequence, comparable between nodes: the clock's milliseconds, or one more
   * than the last when several fall in one. A wall that moves to another node gets that node's
   * snapshot and its deltas after it; none of the old node's can follow on from it.
   */
  private nextSeq(): number {
    this.lastSeq = Math.max(this.lastSeq + 1, Date.now());
    return this.lastSeq;
  }

  private async build(): Promise<Omit<LiveSnapshot, 'seq'>> {
    const { deps } = this;
    const now = deps.clock();
    const live = await deps.index.current(now);
    const timezone = deps.city.city.timezone;
    const clock = now.getTime();
    if (this.panelsDirty || clock - this.lastPanels > SLOW_REFRESH_MS) {
      if (clock - this.lastPanels >= 1000) {
        this.panels = await readPanels(
          deps.db,
          deps.city,
          startOfLocalDate(live.date, timezone),
          now,
          this.panels,
          (panel, error) => deps.logger.error({ err: error, panel }, 'a panel of the wall could not be read'),
        );
        this.lastPanels = clock;
        this.panelsDirty = false;
      }
    }
    if (clock - this.lastTrends > SLOW_REFRESH_MS) {
      // Trends that cannot be read keep their last points; the rest of the wall goes out.
      try {
        const [day, month] = await Promise.all([
          deps.snapshots.history(CITY, new Date(clock - 86_400_000), now),
          deps.snapshots.daily(CITY, startOfLocalDate(addDays(live.date, -29), timezone), timezone),
        ]);
        this.trends = {
          trend24h: day.map((p) => ({ at: p.at.toISOString(), index: p.index })),
          trend30d: month.map((p) => ({
            at: startOfLocalDate(p.day, timezone).toISOString(),
            index: p.index,
          })),
        };
      } catch (error) {
        deps.logger.error({ err: error }, 'the trends of the wall could not be read');
      }
      this.lastTrends = clock;
    }
    return {
      at: now.toISOString(),
      date: live.date,
      timezone,
      weightSet: { id: live.weightSet.id, name: live.weightSet.name },
      city: { index: live.city, grade: live.cityGrade, ...this.trends },
      streets: live.streets.map(forTheWire),
      feeds: (await deps.feeds.health()).map((health): FeedFreshness =>
        'lastSuccessAt' in health
          ? {
              feed: health.feed,
              status: health.status,
              stale: health.stale,
              lastSuccessAt: health.lastSuccessAt,
              newestItemAt: health.newestItemAt,
              itemsPerMinute: Math.round(health.itemsPerMinute),
            }
          : {
              feed: health.feed,
              status: 'off',
              stale: false,
              lastSuccessAt: null,
              newestItemAt: null,
              itemsPerMinute: 0,
            },
      ),
      ticker: this.ticker.latest(),
      panels: this.panels,
      alerts: deps.alerts.live(),
    };
  }

  /** Snapshots recorded: the trends are due for a refresh at the next tick. */
  private trendsChanged(): void {
    this.lastTrends = 0;
  }
}

/**
 * The live channel: Socket.IO namespace `/live` on the server's own port. When something changed
 * the hub builds the wall's state (state.ts) and sends every room one delta carrying only the
 * change, at most one a tick (250 ms); a new or resyncing client gets the whole snapshot. A street
 * token's sockets sit in a room of their streets and receive only those. A wall's connection keeps
 * no more than it needs (lean-connections.ts).
 */
import type { Server as HttpServer } from 'node:http';
import { Server, type Namespace, type ServerOptions, type Socket } from 'socket.io';
import {
  type AckReply,
  diffSnapshots,
  forStreets,
  LIVE_NAMESPACE,
  type ClientToServerEvents,
  heartbeatSchema,
  type HeartbeatReply,
  type LiveDelta,
  type LiveHello,
  type LiveNotification,
  type LiveSnapshot,
  type ServerToClientEvents,
} from '../../shared/live.js';
import { authorise, type Principal } from '../../shared/roles.js';
import { ackCommentSchema, mayAcknowledge } from '../alerts/ack.js';
import { zodMessage } from '../http/errors.js';
import type { CityConfig } from '../../shared/city.js';
import type { AlertService } from '../alerts/service.js';
import type { BetweenNodes } from '../cluster/bridge.js';
import type { Db } from '../db/client.js';
import type { EventSource } from '../events.js';
import type { Metrics } from '../metrics.js';
import type { SnapshotRepository } from '../repositories/snapshots.js';
import type { TokenRepository } from '../repositories/tokens.js';
import type { LiveIndexService } from '../services/live-index.js';
import type { Logger } from 'pino';
import { ACCESS, type SocketAction } from '../http/access.js';
import { principalFor } from '../http/auth.js';
import { helloFor } from './hello.js';
import { forgetHandshake, releasingRequests, SharedViewers, type ViewerData } from './lean-connections.js';
import { LiveState } from './state.js';
import type { SharedFeedHealth } from '../shared-state/feed-health.js';
import type { SharedWalls } from '../shared-state/walls.js';

type LiveNamespace = Namespace<ClientToServerEvents, ServerToClientEvents, BetweenNodes, ViewerData>;
type LiveServerSocket = Socket<ClientToServerEvents, ServerToClientEvents, BetweenNodes, ViewerData>;

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
  /**
   * The walls' heartbeats, which /api/health lists and the `wallDown` rule watches, and the deltas
   * this node sent, which a heartbeat's `seq` is measured against.
   */
  walls: Pick<SharedWalls, 'beat' | 'gone' | 'sent' | 'currentSeq'>;
  /** The server's build, said in `hello`: the display's is read when said (a rebuilt display counts). */
  build: { server: string; display: () => string | null };
  /**
   * Heard: `index.changed` and `alerts.loaded` (publish), `feed.stored` (the ticker and panels),
   * `history.recorded` (the trends), `notification.live` (the socket channel), `token.revoked`,
   * `config.changed` (a new `hello`: how often to beat, when to reload).
   */
  events: EventSource;
}

export class LiveHub {
  readonly io: Server<ClientToServerEvents, ServerToClientEvents, BetweenNodes, ViewerData>;
  readonly walls: Pick<SharedWalls, 'beat' | 'gone' | 'sent' | 'currentSeq'>;
  private readonly namespace: LiveNamespace;
  private readonly state: LiveState;
  /** What the sockets of each token share. */
  private readonly viewers = new SharedViewers();
  private snapshot: LiveSnapshot | null = null;
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
    this.state = new LiveState(deps);
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
    const release = releasingRequests(this.io as unknown as Server);
    const handlers = LiveHub.socketHandlers(this);
    // Handlers are registered synchronously, before anything is awaited.
    this.namespace.on('connection', (socket) => {
      release(socket as unknown as Socket);
      forgetHandshake(socket as unknown as Socket);
      socket.data = this.viewers.join(socket.data.principal);
      const principal = socket.data.principal;
      const room = roomOf(principal);
      this.rooms.add(room);
      void socket.join([room, tokenRoom(principal.tokenId)]);
      deps.metrics.liveSockets.inc();
      socket.on('resync', handlers.resync);
      socket.on('heartbeat', handlers.heartbeat);
      socket.on('ack', handlers.ack);
      socket.on('disconnect', handlers.disconnect);
      socket.emit('hello', this.hello());
      if (this.snapshot) socket.emit('snapshot', this.viewFor(principal, this.snapshot));
    });
  }

  /**
   * The socket events' handlers, made once for every socket: Socket.IO calls each with the socket
   * as `this`, so a wall costs its entries in its socket's listeners and no closures of its own.
   */
  private static socketHandlers(hub: LiveHub) {
    return {
      resync(this: LiveServerSocket): void {
        hub.resync(this);
      },
      heartbeat(this: LiveServerSocket, payload: unknown, reply: unknown): void {
        hub.heartbeat(
          this,
          payload,
          typeof reply === 'function' ? (reply as (result: HeartbeatReply) => void) : null,
        );
      },
      ack(this: LiveServerSocket, payload: unknown, reply: unknown): void {
        hub.ack(this, payload, typeof reply === 'function' ? (reply as (result: AckReply) => void) : null);
      },
      disconnect(this: LiveServerSocket): void {
        hub.disconnected(this);
      },
    };
  }

  private failed(action: string, error: unknown): void {
    this.deps.logger.error({ err: error, action }, 'socket action failed');
  }

  /** `resync`: the whole snapshot again. */
  private resync(socket: LiveServerSocket): void {
    this.permitted(socket, 'socket:resync').then(
      (now) => {
        if (now.allowed && this.snapshot) socket.emit('snapshot', this.viewFor(now.principal, this.snapshot));
      },
      (error: unknown) => this.failed('resync', error),
    );
  }

  /** `heartbeat {screen, seq, paintedMsAgo}`: the wall is alive, this far along, painting. */
  private heartbeat(
    socket: LiveServerSocket,
    payload: unknown,
    reply: ((result: HeartbeatReply) => void) | null,
  ): void {
    const answer = reply ?? (() => {});
    const heartbeat = heartbeatSchema.safeParse(payload);
    if (!heartbeat.success) {
      answer({ ok: false, code: 'bad_request', message: zodMessage(heartbeat.error) });
      return;
    }
    this.permitted(socket, 'socket:heartbeat').then(
      (now) => {
        if (!now.allowed) return answer({ ok: false, code: now.code, message: now.message });
        // Walls are listed on /api/health, which anyone may read. A street head's phone is not a
        // wall, and its page names itself after its street: who watches which street is not for all.
        if (now.principal.role !== 'street')
          this.walls.beat(socket.id, heartbeat.data, now.principal.role, this.deps.clock());
        answer({ ok: true, seq: this.snapshot?.seq ?? 0 });
      },
      (error: unknown) => this.failed('heartbeat', error),
    );
  }

  /** `ack {alertId, comment}`, answered through `reply` when the client asked for an answer. */
  private ack(socket: LiveServerSocket, payload: unknown, reply: ((result: AckReply) => void) | null): void {
    const answer = reply ?? (() => {});
    this.permitted(socket, 'socket:ack')
      .then((now) => {
        if (now.allowed) return this.acknowledge(now.principal, payload);
        return { ok: false as const, code: now.code, message: now.message };
      })
      .then(answer, (error: unknown) => {
        this.deps.logger.error({ err: error }, 'acknowledgement over the socket failed');
        answer({ ok: false, code: 'internal', message: 'the acknowledgement failed; try again' });
      })
      // The refusal is sent before a revoked token's socket is closed.
      .finally(() => {
        if (socket.data.revoked) socket.disconnect(true);
      });
  }

  private disconnected(socket: LiveServerSocket): void {
    this.deps.metrics.liveSockets.dec();
    this.walls.gone(socket.id, this.deps.clock());
    this.viewers.leave(socket.data.principal.tokenId);
  }

  /** What a wall is told first, and again when the configuration changes. */
  private hello(): LiveHello {
    const { build } = this.deps;
    return helloFor(this.deps.city, { server: build.server, display: build.display() });
  }

  /** Reads the ticker's news from the database, builds the first snapshot and starts ticking. */
  async start(): Promise<void> {
    await this.state.load();
    this.snapshot = { ...(await this.state.build()), seq: this.nextSeq() };
    this.walls.sent(this.snapshot.seq, this.deps.clock());
    const { events } = this.deps;
    const stops = [
      events.on('index.changed', () => this.poke()),
      events.on('alerts.loaded', () => this.poke()),
      events.on('feed.stored', ({ feed, batch }) => {
        this.state.stored(feed, batch);
        this.poke();
      }),
      events.on('history.recorded', () => this.state.trendsChanged()),
      events.on('notification.live', (notification) => this.notify(notification)),
      events.on('token.revoked', ({ tokenId }) => this.disconnectToken(tokenId)),
      // This node's walls only: every node hears the change and tells its own.
      events.on('config.changed', () => void this.namespace.local.emit('hello', this.hello())),
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
    const next = await this.state.build();
    const change = diffSnapshots(before, { ...next, seq: before.seq });
    if (!change) return;
    const delta: LiveDelta = { ...change, seq: this.nextSeq(), prevSeq: before.seq, at: next.at };
    this.snapshot = { ...next, seq: delta.seq };
    this.walls.sent(delta.seq, this.deps.clock());
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
}

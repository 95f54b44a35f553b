/**
 * The wall's live state, fed by the Socket.IO channel `/live` (see shared/live.ts): the last
 * snapshot, the connection's state and since when it is down, and the clock. Deltas are queued as
 * they arrive and applied once per animation frame; one that does not follow on asks for a resync.
 * A lost server leaves the last picture on screen while socket.io reconnects by itself; the server
 * sends a fresh snapshot on every connect. The indicator catalogue and the regions (names,
 * geometry) come once over HTTP.
 */
import { io, type Socket } from 'socket.io-client';
import {
  LIVE_NAMESPACE,
  type AckPayload,
  type AckReply,
  type ClientToServerEvents,
  type HeartbeatPayload,
  type LiveDelta,
  type LiveHello,
  type LiveSnapshot,
  type ServerToClientEvents,
} from '$shared/live.js';
import { addNotification, type ReceivedNotification } from './alerts.js';
import { ApiFailure, getJson, type IndicatorCatalogue, type Regions } from './api.js';
import { applyDeltas } from './live-apply.js';

export type LiveSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/**
 * - `connecting`: no snapshot yet
 * - `live`: connected; the picture is current
 * - `reconnecting`: the connection is lost; the last picture stays, socket.io keeps trying
 * - `no-token`: the URL carries no `?token=`
 * - `token-refused`: the server does not know the token (unknown or revoked)
 * - `forbidden`: the token's role may not read the index
 */
export type LiveStatus = 'connecting' | 'live' | 'reconnecting' | 'no-token' | 'token-refused' | 'forbidden';

export const HEARTBEAT_MS = 30_000;
/** A hidden tab gets no animation frames; past this many queued deltas a snapshot is cheaper. */
export const MAX_PENDING_DELTAS = 240;
/** How long a sample of the server's clock counts, and how many are kept. */
const SKEW_WINDOW_MS = 120_000;
const MAX_SKEW_SAMPLES = 64;
/** A resync unanswered this long is asked again. */
const RESYNC_TIMEOUT_MS = 5_000;
/** An acknowledgement unanswered this long has failed, as far as the page can tell. */
const ACK_TIMEOUT_MS = 10_000;

export interface LiveStoreOptions {
  token: string | null;
  /** The screen's name in heartbeats (`?screen=`). */
  screen?: string | null;
  connect?: (token: string) => LiveSocket;
  fetch?: typeof fetch;
  heartbeatMs?: number;
}

/**
 * How a lost wall tries again: socket.io's back-off (each wait doubles, ± the randomisation, up to
 * the maximum) from a short first wait, 375 ± 125 ms, instead of its default 1 s ± 0.5 s; a
 * restarted server is back in seconds, and the walls' first tries are spread over a quarter of a
 * second rather than all at once. Capped at 3 s: a wall is never long behind a server that is back.
 */
export const LIVE_RECONNECTION = {
  reconnectionDelay: 375,
  randomizationFactor: 1 / 3,
  reconnectionDelayMax: 3000,
} as const;

/** The live channel as the wall opens it: WebSocket only, the token in the handshake. */
export function connectLive(token: string): LiveSocket {
  return io(LIVE_NAMESPACE, { auth: { token }, transports: ['websocket'], ...LIVE_RECONNECTION });
}

/** A server that refuses the handshake in its middleware says why in the error's message. */
function refusal(message: string): 'token-refused' | 'forbidden' {
  return /\b(role|may not|forbidden|not allowed)\b/i.test(message) ? 'forbidden' : 'token-refused';
}

/** A frame that has not come within this long is not waited for (a frame dropped, a hidden tab). */
const FRAME_FALLBACK_MS = 1_000;

/**
 * Runs once at the next animation frame, or after FRAME_FALLBACK_MS if no frame comes: a frame
 * callback the browser dropped (scripts disabled for a while, say) must not stop the wall applying
 * deltas for good.
 */
const nextFrame = (run: () => void): (() => void) => {
  let done = false;
  const once = () => {
    if (done) return;
    done = true;
    cancel();
    run();
  };
  const timer = setTimeout(once, typeof requestAnimationFrame === 'function' ? FRAME_FALLBACK_MS : 16);
  const frame = typeof requestAnimationFrame === 'function' ? requestAnimationFrame(once) : null;
  const cancel = () => {
    clearTimeout(timer);
    if (frame !== null) cancelAnimationFrame(frame);
  };
  return () => {
    done = true;
    cancel();
  };
};

export class LiveStore {
  snapshot = $state.raw<LiveSnapshot | null>(null);
  catalogue = $state.raw<IndicatorCatalogue | null>(null);
  regions = $state.raw<Regions | null>(null);
  status = $state<LiveStatus>('connecting');
  /** When the connection was lost, on the server's clock (epoch ms); null while connected. */
  disconnectedSince = $state<number | null>(null);
  /** What the server (or the network) said last time something failed. */
  problem = $state<string | null>(null);
  /** Notifications pushed to this page (the street page shows them briefly), newest first. */
  notifications = $state.raw<ReceivedNotification[]>([]);
  /** What the server said on connecting: its build, how often to beat, when to reload. */
  hello = $state.raw<LiveHello | null>(null);

  /** The browser's clock, ticking every second. */
  #browserNow = $state(Date.now());
  /** The server's clock minus the browser's (ms), from the last message: ages and the clock use the server's. */
  #skew = $state(0);
  /** The server's time now, as well as the wall can tell (epoch ms), ticking every second. */
  readonly now: number = $derived(this.#browserNow + this.#skew);

  readonly token: string | null;
  readonly screen: string;
  readonly #connect: (token: string) => LiveSocket;
  readonly #fetch: typeof fetch;
  #heartbeatMs: number;
  #beatTimer: ReturnType<typeof setInterval> | null = null;
  /** How long ago the page last painted, when a wall watch measures it (wall-watch.svelte.ts). */
  #paintedMsAgo: () => number | null = () => null;
  #beatListeners: ((serverSeq: number) => void)[] = [];
  #socket: LiveSocket | null = null;
  #pending: LiveDelta[] = [];
  #cancelFrame: (() => void) | null = null;
  #resyncTimer: ReturnType<typeof setTimeout> | null = null;
  #intervals: ReturnType<typeof setInterval>[] = [];
  #loadingRegions = false;
  #offsets: { received: number; offset: number }[] = [];

  constructor(options: LiveStoreOptions) {
    this.token = options.token?.trim() || null;
    this.screen = options.screen?.trim().slice(0, 100) || 'wall';
    this.#connect = options.connect ?? connectLive;
    // The browser's fetch needs its `this`; an unbound reference throws "Illegal invocation".
    this.#fetch = options.fetch ?? ((input, init) => fetch(input, init));
    this.#heartbeatMs = options.heartbeatMs ?? HEARTBEAT_MS;
    if (!this.token) this.status = 'no-token';
  }

  /** Opens the channel, starts the clock and the heartbeat. */
  start(): void {
    if (this.#socket || !this.token) return;
    const socket = this.#connect(this.token);
    this.#socket = socket;
    socket.on('connect', () => this.#onConnect());
    socket.on('disconnect', (reason) => {
      this.#lost(reason);
      // A server that drops us on purpose (a restart, a kick) is not retried by socket.io itself.
      if (reason === 'io server disconnect') socket.connect();
    });
    socket.on('connect_error', (error) => {
      if (socket.active) {
        this.#lost(error.message);
        return;
      }
      // Refused in the server's middleware: retrying with the same token cannot help.
      this.status = refusal(error.message);
      this.problem = error.message;
      this.#stopTimers();
    });
    socket.on('hello', (hello) => this.#onHello(hello));
    socket.on('snapshot', (snapshot) => this.#onSnapshot(snapshot));
    socket.on('delta', (delta) => this.#onDelta(delta));
    socket.on('notification', (notification) => {
      this.notifications = addNotification(this.notifications, { ...notification, receivedAt: this.now });
    });
    this.#intervals.push(setInterval(() => (this.#browserNow = Date.now()), 1000));
    this.#beatEvery(this.#heartbeatMs);
    void this.#loadRegions();
  }

  /** Closes the channel and every timer: nothing of the store keeps running. */
  stop(): void {
    this.#stopTimers();
    this.#socket?.removeAllListeners();
    this.#socket?.disconnect();
    this.#socket = null;
    this.#pending = [];
  }

  /** Asks the server for a whole snapshot; deltas until it comes are dropped. */
  resync(): void {
    this.#pending = [];
    if (this.#resyncTimer !== null) return;
    this.#socket?.emit('resync');
    this.#resyncTimer = setTimeout(() => {
      this.#resyncTimer = null;
      if (this.#socket?.connected) this.resync();
    }, RESYNC_TIMEOUT_MS);
  }

  /**
   * Acknowledges a firing alert with a comment over the live channel. Resolves to the server's
   * reply, or to a refusal of the page's own when it is not connected (`offline`) or the server
   * does not answer in time (`timeout`); never rejects.
   */
  async ack(payload: AckPayload): Promise<AckReply> {
    const socket = this.#socket;
    if (!socket?.connected)
      return { ok: false, code: 'offline', message: this.problem ?? 'not connected to the server' };
    try {
      return await socket.timeout(ACK_TIMEOUT_MS).emitWithAck('ack', payload);
    } catch {
      return { ok: false, code: 'timeout', message: `no answer within ${ACK_TIMEOUT_MS / 1000} s` };
    }
  }

  /**
   * A wall's watch measures painting and listens to the server's answers to the heartbeats: how far
   * ahead of this page the live channel is.
   */
  watch(paintedMsAgo: () => number | null, onAnswer: (serverSeq: number) => void): () => void {
    this.#paintedMsAgo = paintedMsAgo;
    this.#beatListeners = [...this.#beatListeners, onAnswer];
    return () => {
      this.#beatListeners = this.#beatListeners.filter((listener) => listener !== onAnswer);
      this.#paintedMsAgo = () => null;
    };
  }

  /** How often the page beats now (the server's `hello` says). */
  get heartbeatMs(): number {
    return this.#heartbeatMs;
  }

  /** What a heartbeat says now: the screen, the `seq` applied, how long ago the page painted. */
  heartbeatPayload(): HeartbeatPayload {
    return { screen: this.screen, seq: this.snapshot?.seq ?? null, paintedMsAgo: this.#paintedMsAgo() };
  }

  #beatEvery(ms: number): void {
    this.#heartbeatMs = ms;
    if (this.#beatTimer !== null) clearInterval(this.#beatTimer);
    this.#beatTimer = setInterval(() => this.#heartbeat(), ms);
  }

  #onHello(hello: LiveHello): void {
    this.hello = hello;
    if (hello.heartbeatMs > 0 && hello.heartbeatMs !== this.#heartbeatMs && this.#beatTimer !== null)
      this.#beatEvery(hello.heartbeatMs);
  }

  #stopTimers(): void {
    for (const interval of this.#intervals) clearInterval(interval);
    this.#intervals = [];
    if (this.#beatTimer !== null) clearInterval(this.#beatTimer);
    this.#beatTimer = null;
    this.#cancelFrame?.();
    this.#cancelFrame = null;
    if (this.#resyncTimer !== null) clearTimeout(this.#resyncTimer);
    this.#resyncTimer = null;
  }

  #onConnect(): void {
    this.status = this.snapshot ? 'live' : 'connecting';
    this.disconnectedSince = null;
    this.problem = null;
    this.#heartbeat();
    if (!this.regions || !this.catalogue) void this.#loadRegions();
  }

  #lost(why: string): void {
    if (this.status === 'token-refused' || this.status === 'forbidden') return;
    this.status = this.snapshot ? 'reconnecting' : 'connecting';
    this.disconnectedSince ??= this.now;
    this.problem = why;
  }

  #heartbeat(): void {
    if (!this.#socket?.connected) return;
    this.#socket.emit('heartbeat', this.heartbeatPayload(), (answer) => {
      if (answer.ok) for (const listener of this.#beatListeners) listener(answer.seq);
    });
  }

  /**
   * Learns the server's clock from a message's `at`. A message is never stamped later than it was
   * sent, but a snapshot can carry the time of the last change, well before now: the best estimate
   * is the largest offset seen lately.
   */
  #clock(at: string): void {
    const server = Date.parse(at);
    if (!Number.isFinite(server)) return;
    const received = Date.now();
    this.#offsets = this.#offsets.filter((sample) => received - sample.received < SKEW_WINDOW_MS);
    this.#offsets.push({ received, offset: server - received });
    if (this.#offsets.length > MAX_SKEW_SAMPLES) this.#offsets.shift();
    this.#browserNow = received;
    this.#skew = Math.max(...this.#offsets.map((sample) => sample.offset));
  }

  #onSnapshot(snapshot: LiveSnapshot): void {
    this.#pending = [];
    if (this.#resyncTimer !== null) clearTimeout(this.#resyncTimer);
    this.#resyncTimer = null;
    this.#clock(snapshot.at);
    this.snapshot = snapshot;
    if (this.#socket?.connected) {
      this.status = 'live';
      this.disconnectedSince = null;
    }
  }

  #onDelta(delta: LiveDelta): void {
    // Waiting for a snapshot: these deltas may not follow on, and the snapshot will cover them.
    if (this.#resyncTimer !== null || !this.snapshot) return;
    this.#clock(delta.at);
    this.#pending.push(delta);
    if (this.#pending.length > MAX_PENDING_DELTAS) {
      this.resync();
      return;
    }
    this.#cancelFrame ??= nextFrame(() => this.#flush());
  }

  /** Once per frame: every queued delta in one go, one new snapshot, one render. */
  #flush(): void {
    this.#cancelFrame = null;
    const current = this.snapshot;
    const pending = this.#pending;
    this.#pending = [];
    if (!current || pending.length === 0) return;
    const result = applyDeltas(current, pending);
    if (result.applied > 0) this.snapshot = result.snapshot;
    if (result.resync) this.resync();
  }

  async #loadRegions(): Promise<void> {
    const token = this.token;
    if (!token || this.#loadingRegions) return;
    this.#loadingRegions = true;
    try {
      const [catalogue, regions] = await Promise.all([
        this.catalogue ?? getJson<IndicatorCatalogue>('/api/indicators', token, this.#fetch),
        this.regions ?? getJson<Regions>('/api/streets', token, this.#fetch),
      ]);
      this.catalogue = catalogue;
      this.regions = regions;
    } catch (error) {
      const failure = error instanceof ApiFailure ? error : new ApiFailure('server', String(error));
      if (failure.kind === 'token' || failure.kind === 'forbidden') {
        this.status = failure.kind === 'token' ? 'token-refused' : 'forbidden';
        this.problem = failure.message;
        this.stop();
      }
      // Otherwise the next connect tries again; the wall draws without names meanwhile.
    } finally {
      this.#loadingRegions = false;
    }
  }
}

import { io, type Socket } from 'socket.io-client';
import {
  LIVE_NAMESPACE,
  type ClientToServerEvents,
  type LiveDelta,
  type LiveSnapshot,
  type ServerToClientEvents,
} from '../../shared/live.js';
import { CONNECT_WAVE, clock } from './config.js';
import type { Deadline } from './deadline.js';

type LiveSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export interface Expectation {
  key: string;
  arrivals: Float64Array;
  count: number;
  /** The delta's seq, and the delta itself as the first wall got it. */
  seq: number;
  delta: LiveDelta | null;
  done: () => void;
}

/** The walls: connect, receive, record the time a delta carrying the awaited ticker key arrives. */
export class Walls {
  readonly sockets: LiveSocket[] = [];
  snapshots = 0;
  snapshot: LiveSnapshot | null = null;
  failure: Error | null = null;
  private expected: Expectation | null = null;

  constructor(
    private readonly url: string,
    private readonly token: string,
  ) {}

  /** Connects `count` walls in waves, each wall sending a heartbeat on its snapshot as a wall does. */
  async connect(count: number, deadline: Deadline): Promise<number> {
    const started = clock();
    while (this.sockets.length < count) {
      const wave = Math.min(CONNECT_WAVE, count - this.sockets.length);
      for (let i = 0; i < wave; i++) this.open(this.sockets.length);
      await deadline.until(() => {
        if (this.failure) throw this.failure;
        return this.snapshots === this.sockets.length;
      });
    }
    return clock() - started;
  }

  private open(index: number) {
    const socket: LiveSocket = io(`${this.url}${LIVE_NAMESPACE}`, {
      auth: { token: this.token },
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
      timeout: 20_000,
    });
    this.sockets.push(socket);
    let snapshotSeen = false;
    socket.on('connect_error', (error) => {
      this.failure ??= new Error(`bench/live: wall ${index} could not connect: ${error.message}`);
    });
    socket.on('disconnect', (reason) => {
      if (!snapshotSeen) this.failure ??= new Error(`bench/live: wall ${index} lost: ${reason}`);
    });
    socket.on('snapshot', (snapshot) => {
      if (snapshotSeen) return;
      snapshotSeen = true;
      this.snapshots++;
      if (index === 0) this.snapshot = snapshot;
      socket.emit('heartbeat', { screen: `bench-wall-${index}` });
    });
    socket.on('delta', (delta) => {
      const at = clock();
      const expected = this.expected;
      if (!expected || !delta.ticker?.some((item) => item.key === expected.key)) return;
      if (!Number.isNaN(expected.arrivals[index])) return;
      expected.arrivals[index] = at;
      expected.seq = delta.seq;
      if (index === 0) expected.delta = delta;
      if (++expected.count === this.sockets.length) expected.done();
    });
  }

  /** Awaits the delta carrying `key` at every wall (register before causing it). */
  expect(key: string): { arrived: Promise<Expectation>; progress: () => string } {
    let done!: () => void;
    const arrived = new Promise<void>((resolve) => (done = resolve));
    const expected: Expectation = {
      key,
      arrivals: new Float64Array(this.sockets.length).fill(NaN),
      count: 0,
      seq: -1,
      delta: null,
      done,
    };
    this.expected = expected;
    return {
      arrived: arrived.then(() => expected),
      progress: () => `${expected.count} of ${this.sockets.length} walls had the delta of ${key}`,
    };
  }

  close(): void {
    this.expected = null;
    for (const socket of this.sockets) {
      socket.removeAllListeners();
      socket.disconnect();
    }
  }
}

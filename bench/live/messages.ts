/** The messages between the bench's process and a server child, over the fork's IPC channel. */
import type { LiveDelta, LiveSnapshot } from '../../shared/live.js';

/** The bench's process to a server child. */
export type ToChild =
  | { type: 'start-hub'; city: unknown; tickMs: number }
  /** `defaults`: Socket.IO's own options (`new Server(http)`), else the hub's. */
  | { type: 'start-bare'; snapshot: LiveSnapshot; delta: LiveDelta; defaults: boolean }
  | { type: 'heap'; sockets: number }
  | { type: 'emit'; seq: number }
  | { type: 'stop' };

export interface HeapReport {
  type: 'heap';
  heapUsed: number;
  external: number;
  arrayBuffers: number;
  rss: number;
  /** Sockets connected to `/live` when measured, and engine.io connections. */
  sockets: number;
  engine: number;
}

/** A server child to the bench's process. */
export type FromChild =
  | { type: 'ready'; port: number; wallToken: string; adminToken: string }
  | HeapReport
  /** A delta emitted at `at`; `busyMs` spent inside emit() (encoding, writing to every socket). */
  | { type: 'emitted'; seq: number; at: number; busyMs: number }
  | { type: 'failed'; message: string };

export type Emitted = Extract<FromChild, { type: 'emitted' }>;

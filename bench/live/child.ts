/**
 * The measured side of the live benchmark: one server (the hub, or a bare Socket.IO server) in a
 * child process of its own, driven by the bench's process over IPC (`messages.ts`). The bench's
 * process forks this file (`child-process.ts`) with `node --expose-gc --import tsx` and the
 * `BENCH_LIVE_CHILD` variable set; imported anywhere else, it does nothing.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { parseCityConfig } from '../../server/config/city.js';
import { parseEnv } from '../../server/config/env.js';
import { createLogger } from '../../server/logger.js';
import { startServer } from '../../server/server.js';
import {
  LIVE_NAMESPACE,
  type ClientToServerEvents,
  type LiveDelta,
  type ServerToClientEvents,
} from '../../shared/live.js';
import { CHILD_ROLE_VARIABLE, DEADLINE_MS, SCALE_DEADLINE_MS, clock, sleep } from './config.js';
import type { FromChild, HeapReport, ToChild } from './messages.js';

async function runChild(): Promise<void> {
  const send = (message: FromChild) => process.send!(message);
  /** Sockets on `/live`, and engine.io connections (which close a moment after their sockets). */
  let connected = () => ({ sockets: 0, engine: 0 });
  let broadcast: (() => void) | null = null;
  let stop: () => Promise<void> = async () => {};
  // The parent gone, nothing is left to do; and nothing runs for ever.
  process.on('disconnect', () => process.exit(1));
  setTimeout(() => process.exit(2), Math.max(DEADLINE_MS, SCALE_DEADLINE_MS) + 30_000).unref();

  const gc = (globalThis as { gc?: () => void }).gc;
  const heap = async (sockets: number): Promise<HeapReport> => {
    if (!gc) throw new Error('the server child needs node --expose-gc');
    // Connections and disconnections take a moment to be processed.
    const settled = () => connected().sockets === sockets && connected().engine === sockets;
    for (let i = 0; i < 500 && !settled(); i++) await sleep(10);
    for (let i = 0; i < 3; i++) {
      gc();
      await new Promise((resolve) => setImmediate(resolve));
    }
    const usage = process.memoryUsage();
    return {
      type: 'heap',
      heapUsed: usage.heapUsed,
      external: usage.external,
      arrayBuffers: usage.arrayBuffers,
      rss: usage.rss,
      sockets: connected().sockets,
      engine: connected().engine,
    };
  };

  const handle = async (message: ToChild): Promise<void> => {
    switch (message.type) {
      case 'start-hub': {
        const server = await startServer({
          env: parseEnv({ PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', SEED_DEMO: 'on' }),
          city: parseCityConfig(message.city, 'the city configuration of the bench'),
          logger: createLogger('silent'),
          inMemory: true,
          jobs: false,
          liveTickMs: message.tickMs,
        });
        stop = server.stop;
        const { io } = server.live;
        const namespace = io.of(LIVE_NAMESPACE);
        connected = () => ({ sockets: namespace.sockets.size, engine: io.engine.clientsCount });
        observeDeltas(namespace, (seq, at, busyMs) => send({ type: 'emitted', seq, at, busyMs }));
        const token = (role: string) => {
          const issued = server.issued.find((t) => t.role === role);
          if (!issued) throw new Error(`the server issued no ${role} token`);
          return issued.token;
        };
        send({ type: 'ready', port: server.port, wallToken: token('wall'), adminToken: token('admin') });
        return;
      }
      case 'start-bare': {
        const http = createServer();
        const io = new Server<ClientToServerEvents, ServerToClientEvents>(
          http,
          message.defaults
            ? {}
            : {
                serveClient: false,
                perMessageDeflate: false,
                httpCompression: false,
                transports: ['websocket', 'polling'],
              },
        );
        const { snapshot, delta } = message;
        const namespace = io.of(LIVE_NAMESPACE);
        namespace.on('connection', (socket) => socket.emit('snapshot', snapshot));
        connected = () => ({ sockets: namespace.sockets.size, engine: io.engine.clientsCount });
        broadcast = () => namespace.emit('delta', delta);
        await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
        stop = () => new Promise<void>((resolve) => void io.close(() => resolve()));
        const port = (http.address() as AddressInfo).port;
        send({ type: 'ready', port, wallToken: 'none', adminToken: 'none' });
        return;
      }
      case 'emit': {
        if (!broadcast) throw new Error('emit before start-bare');
        const at = clock();
        broadcast();
        send({ type: 'emitted', seq: message.seq, at, busyMs: clock() - at });
        return;
      }
      case 'heap':
        send(await heap(message.sockets));
        return;
      case 'stop':
        await stop();
        process.exit(0);
    }
  };
  process.on('message', (message) => {
    handle(message as ToChild).catch((error: unknown) =>
      send({ type: 'failed', message: (error as Error)?.stack ?? String(error) }),
    );
  });
}

/**
 * Notes when the hub emits each delta, without touching the hub: wraps `emit` of the broadcast
 * operators of its namespace (the hub sends each viewers' room its delta with
 * `namespace.local.to(room).emit('delta', …)`; this child runs nothing else that broadcasts).
 */
function observeDeltas(
  namespace: ReturnType<Server['of']>,
  emitted: (seq: number, at: number, busyMs: number) => void,
) {
  type Emit = (this: unknown, event: string, ...args: unknown[]) => boolean;
  const operator = Object.getPrototypeOf(namespace.local) as { emit: Emit };
  const emit = operator.emit;
  operator.emit = function (event, ...args) {
    const at = clock();
    const sent = emit.call(this, event, ...args);
    if (event === 'delta') emitted((args[0] as LiveDelta).seq, at, clock() - at);
    return sent;
  };
}

if (process.env[CHILD_ROLE_VARIABLE] && process.send) await runChild();

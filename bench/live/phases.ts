/**
 * What every side goes through: its clients connected (its heap read before and after), its
 * events, its clients gone.
 */
import type { Child } from './child-process.js';
import { CLIENTS, EVENTS, WARM_UP_EVENTS, sleep } from './config.js';
import type { Deadline } from './deadline.js';
import type { HeapReport } from './messages.js';
import type { Side } from './servers.js';
import { Walls } from './walls.js';

/** The server's heap after gc(), once it counts `sockets` connections. */
async function readHeap(child: Child, deadline: Deadline, sockets: number): Promise<HeapReport> {
  const answer = child.next('heap');
  child.send({ type: 'heap', sockets });
  const report = await deadline.within(answer);
  if (report.sockets !== sockets || report.engine !== sockets)
    throw new Error(
      `bench/live: expected ${sockets} connections at the server, found ${report.sockets} sockets on /live and ${report.engine} engine.io connections`,
    );
  return report;
}

export interface Connected {
  walls: Walls;
  connectMs: number;
  /** heapUsed after gc() before the clients connected. */
  baseline: number;
  /** Bytes of heap per connected client. */
  perClient: number;
}

/**
 * Warms a server up with one client (code compiled, first-use allocations made), reads its heap,
 * connects every client, reads the heap again, and runs the warm-up events for all of them.
 */
export async function connectAll<T>(
  side: Side<T>,
  deadline: Deadline,
  opened: Walls[],
  clients = CLIENTS,
): Promise<Connected> {
  deadline.phase = `warming up ${side.what} with one client`;
  const warm = new Walls(side.base, side.token);
  opened.push(warm);
  await warm.connect(1, deadline);
  if (side.prime) await side.prime(warm);
  for (let i = 0; i < WARM_UP_EVENTS; i++) await side.event(warm);
  warm.close();

  deadline.phase = `reading the heap of ${side.what} before the connections`;
  const before = await readHeap(side.child, deadline, 0);
  deadline.phase = `connecting ${clients} clients to ${side.what}`;
  const walls = new Walls(side.base, side.token);
  opened.push(walls);
  const connectMs = await walls.connect(clients, deadline);
  await sleep(300 + clients / 5); // the heartbeats land
  deadline.phase = `reading the heap of ${side.what} with every client connected`;
  const connected = await readHeap(side.child, deadline, clients);
  for (let i = 0; i < WARM_UP_EVENTS; i++) {
    deadline.phase = `warm-up event ${i + 1} to ${clients} clients of ${side.what}`;
    await side.event(walls);
  }
  return {
    walls,
    connectMs,
    baseline: before.heapUsed,
    perClient: (connected.heapUsed - before.heapUsed) / clients,
  };
}

/** Disconnects every client; the heap the server still holds over its baseline. */
export async function disconnectAll<T>(
  side: Side<T>,
  connected: Connected,
  deadline: Deadline,
): Promise<number> {
  connected.walls.close();
  deadline.phase = `reading the heap of ${side.what} after every client left`;
  return (await readHeap(side.child, deadline, 0)).heapUsed - connected.baseline;
}

/** `events` events on each side, alternately, so that whatever else loads the machine loads both. */
export async function interleave<A, B>(
  a: Side<A>,
  aWalls: Walls,
  b: Side<B>,
  bWalls: Walls,
  deadline: Deadline,
  events = EVENTS,
): Promise<[A[], B[]]> {
  const results: [A[], B[]] = [[], []];
  for (let i = 0; i < events; i++) {
    deadline.phase = `event ${i + 1} of ${events} to ${aWalls.sockets.length} clients of ${a.what}`;
    results[0].push(await a.event(aWalls));
    deadline.phase = `event ${i + 1} of ${events} to ${bWalls.sockets.length} clients of ${b.what}`;
    results[1].push(await b.event(bWalls));
  }
  return results;
}

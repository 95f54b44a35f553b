/**
 * The live channel under 1,000 walls (DESIGN.md, "Performance targets"):
 *
 * - event to wall: the real server (PGlite in memory, no pollers, no jobs); 1,000 socket.io-client
 *   walls on `/live` with the wall token; an incident pushed through `POST /api/ingest/incident`;
 *   the time from just before the POST to each wall's arrival of the delta whose ticker carries
 *   the incident. Also split out: the hub's emit to arrival (the broadcast alone), and the POST.
 * - a bare Socket.IO server (same options as the hub) broadcasting the same delta, captured from
 *   the real run, to as many clients: the time from emit to arrival.
 * - heap per connected wall: `heapUsed` after `gc()` before and after the connections.
 *
 * Each server runs in a child process of its own (`node --expose-gc --import tsx live/child.ts`)
 * so that neither the clients' heap nor their CPU is the server's; the clients all run here, doing
 * no more than parse and record a time. Times are `process.hrtime` (CLOCK_MONOTONIC on Linux),
 * which the two processes share. Everything runs on 127.0.0.1, under one deadline, and is torn down
 * (clients disconnected, servers stopped, children killed) whatever happens.
 *
 * Here: the whole measurement and the rows of the bench table. In `live/`: the child's side
 * (`child.ts`), the handle on it (`child-process.ts`) and their messages, the walls, the servers
 * as sides, the phases every side goes through, the deadline, the statistics.
 */
import type { CityConfig } from '../shared/city.js';
import type { LiveDelta } from '../shared/live.js';
import type { Child } from './live/child-process.js';
import { CLIENTS, CONNECT_WAVE, DEADLINE_MS, EVENTS, SCALE_WALLS, clock } from './live/config.js';
import { Deadline } from './live/deadline.js';
import { connectAll, disconnectAll, interleave } from './live/phases.js';
import { startBare, startHub, type BareSample, type HubSample } from './live/servers.js';
import { stats, type Stats } from './live/stats.js';
import type { Walls } from './live/walls.js';

export type { Stats };

export interface HubRun {
  tickMs: number;
  latency: Stats;
  broadcast: Stats;
  post: Stats;
  /** Bytes of the median delta. */
  deltaBytes: number;
  /** Time inside emit() for one delta to every wall. */
  busy: Stats;
  /** The bare broadcast, interleaved with this run, and its time inside emit(). */
  bare: Stats;
  bareBusy: Stats;
}

const size = (value: unknown) => Buffer.byteLength(JSON.stringify(value));

function hubRun(tickMs: number, samples: HubSample[], bare: BareSample[]): HubRun {
  const sizes = samples.map((s) => size(s.delta)).sort((x, y) => x - y);
  return {
    tickMs,
    latency: stats(samples.flatMap((s) => s.latency)),
    broadcast: stats(samples.flatMap((s) => s.broadcast)),
    post: stats(samples.map((s) => s.postMs)),
    deltaBytes: sizes[Math.floor(sizes.length / 2)]!,
    busy: stats(samples.map((s) => s.busyMs)),
    bare: stats(bare.flatMap((s) => s.latency)),
    bareBusy: stats(bare.map((s) => s.busyMs)),
  };
}

export interface LiveResult {
  runs: HubRun[];
  /** The delta the bare server broadcast, and the snapshot it sent on connect (bytes). */
  bareDeltaBytes: number;
  snapshotBytes: number;
  heap: { hub: number[]; bare: number; hubLeft: number; bareLeft: number };
  connectMs: { hub: number; bare: number };
  clientParseMs: number;
}

/**
 * What the clients of this process do in series for one broadcast: parse 1,000 copies of the delta.
 * Every wall on its own machine parses only its own; here the last wall's time includes the others'.
 */
function clientParseMs(delta: LiveDelta): number {
  const packet = JSON.stringify(['delta', delta]);
  for (let i = 0; i < 200; i++) JSON.parse(packet);
  const started = clock();
  for (let i = 0; i < CLIENTS; i++) JSON.parse(packet);
  return clock() - started;
}

/**
 * The hub at the default tick (250 ms), with a bare server broadcasting a delta captured from it,
 * their events alternating; then the hub at a 50 ms tick, alternating with the same bare server.
 */
export async function measureLive(city: CityConfig): Promise<LiveResult> {
  const deadline = new Deadline(DEADLINE_MS);
  const children: Child[] = [];
  const opened: Walls[] = [];
  try {
    const hub = await startHub(city, 250, deadline, children);
    const hubWalls = await connectAll(hub, deadline, opened);
    // The payload of the bare broadcast: a delta of the hub's, as its walls got it.
    deadline.phase = 'capturing a delta for the bare broadcast';
    const captured = await hub.event(hubWalls.walls);
    const snapshot = hubWalls.walls.snapshot;
    if (!snapshot) throw new Error('bench/live: no snapshot captured from the hub');

    const bare = await startBare(snapshot, captured.delta, deadline, children);
    const bareWalls = await connectAll(bare, deadline, opened);
    const [main, bareMain] = await interleave(hub, hubWalls.walls, bare, bareWalls.walls, deadline);
    const hubLeft = await disconnectAll(hub, hubWalls, deadline);
    await hub.child.stop();

    const fastHub = await startHub(city, 50, deadline, children);
    const fastWalls = await connectAll(fastHub, deadline, opened);
    const [fast, bareFast] = await interleave(fastHub, fastWalls.walls, bare, bareWalls.walls, deadline);
    fastWalls.walls.close();
    const bareLeft = await disconnectAll(bare, bareWalls, deadline);
    return {
      runs: [hubRun(250, main, bareMain), hubRun(50, fast, bareFast)],
      bareDeltaBytes: size(captured.delta),
      snapshotBytes: size(snapshot),
      heap: { hub: [hubWalls.perClient, fastWalls.perClient], bare: bareWalls.perClient, hubLeft, bareLeft },
      connectMs: { hub: hubWalls.connectMs, bare: bareWalls.connectMs },
      clientParseMs: clientParseMs(captured.delta),
    };
  } finally {
    for (const walls of opened) walls.close();
    await Promise.all(children.map((child) => child.stop()));
  }
}

export interface LiveRow {
  measure: string;
  value: string;
  note?: string;
}

const ms = (n: number) => `${n.toFixed(1)} ms`;
const pair = (s: Stats) => `${ms(s.p50)} / ${ms(s.p99)}`;
const times = (n: number) => `${n.toFixed(2)}×`;
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

/** The live channel's rows of the bench table. */
export async function benchLive(city: CityConfig): Promise<LiveRow[]> {
  const result = await measureLive(city);
  const n = CLIENTS.toLocaleString('en');
  const rows: LiveRow[] = [];
  for (const run of result.runs) {
    const tick = `tick ${run.tickMs} ms${run.tickMs === 250 ? ', the default' : ''}`;
    rows.push(
      {
        measure: `live (${tick}): POST → delta at ${n} walls p50 / p99`,
        value: pair(run.latency),
        note: `target p99 ≤ 150 ms; ${EVENTS} events × ${n} walls, delta ${run.deltaBytes} B`,
      },
      {
        measure: `live (${tick}): hub emit → arrival p50 / p99`,
        value: pair(run.broadcast),
        note: 'the broadcast alone: no ingest, no tick wait',
      },
      { measure: `live (${tick}): POST /api/ingest/incident response p50 / p99`, value: pair(run.post) },
      {
        measure: `live (${tick}): server time inside emit(), hub / bare, p50`,
        value: `${ms(run.busy.p50)} / ${ms(run.bareBusy.p50)}`,
        note: `encoding once, writing to ${n} sockets; p99 ${ms(run.busy.p99)} / ${ms(run.bareBusy.p99)}`,
      },
      {
        measure: `bare Socket.IO broadcast, alternating with the above: emit → arrival p50 / p99`,
        value: pair(run.bare),
        note: `same delta (${result.bareDeltaBytes} B) to ${n} clients`,
      },
      {
        measure: `live (${tick}): POST → delta / bare broadcast, p99`,
        value: times(run.latency.p99 / run.bare.p99),
        note: `target ≤ 1.3×; p50 ${times(run.latency.p50 / run.bare.p50)}`,
      },
      {
        measure: `live (${tick}): hub emit → arrival / bare broadcast, p99`,
        value: times(run.broadcast.p99 / run.bare.p99),
        note: `p50 ${times(run.broadcast.p50 / run.bare.p50)}`,
      },
    );
  }
  const [hubHeap, fastHeap] = result.heap.hub;
  rows.push(
    {
      measure: `live: heap per connected wall (snapshot ${result.snapshotBytes} B, one heartbeat)`,
      value: kb(hubHeap!),
      note: `1 KB = 1024 B; ${kb(fastHeap!)} in the 50 ms run; against a default connection: the ${SCALE_WALLS.toLocaleString('en')}-wall rows`,
    },
    {
      measure: 'bare Socket.IO: heap per connected client (same snapshot)',
      value: kb(result.heap.bare),
      note: `same options as the hub; hub / bare ${(hubHeap! / result.heap.bare).toFixed(2)}×`,
    },
    {
      measure: `heap left after all ${n} disconnected: hub / bare`,
      value: `${kb(result.heap.hubLeft)} / ${kb(result.heap.bareLeft)}`,
      note: 'in all, over the baseline',
    },
    {
      measure: `connect ${n} walls until every snapshot: hub / bare`,
      value: `${Math.round(result.connectMs.hub)} ms / ${Math.round(result.connectMs.bare)} ms`,
      note: `in waves of ${CONNECT_WAVE}`,
    },
    {
      measure: `clients: JSON.parse of the delta ${n} times, in series`,
      value: ms(result.clientParseMs),
      note: 'inside every broadcast time above (all clients share one process)',
    },
  );
  return rows;
}

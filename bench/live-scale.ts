/**
 * The live channel at 5,000 walls on one node (DESIGN.md, "Performance targets"), beside a bare
 * Socket.IO server with its default options (`new Server(http)`) broadcasting the same delta, in
 * one run: how long one delta takes to reach every wall, and the server's heap per connected wall
 * against a bare default connection's (target ≤ 0.8×).
 *
 * The machinery is the live benchmark's (`live/`): each server in a child process of its own, the
 * walls all in the bench's process, `process.hrtime` shared. The hub runs at its default tick
 * (250 ms); its walls and the bare server's stay connected together, and the two sides' events
 * alternate, so that whatever loads the machine loads both alike.
 */
import type { CityConfig } from '../shared/city.js';
import type { Child } from './live/child-process.js';
import { SCALE_DEADLINE_MS, SCALE_EVENTS, SCALE_WALLS } from './live/config.js';
import { Deadline } from './live/deadline.js';
import { connectAll, interleave } from './live/phases.js';
import { startBare, startHub, type BareSample, type HubSample } from './live/servers.js';
import { stats, type Stats } from './live/stats.js';
import type { Walls } from './live/walls.js';

export interface ScaleResult {
  walls: number;
  events: number;
  deltaBytes: number;
  /** The hub's emit → each wall's arrival, POST → arrival, and the bare broadcast's emit → arrival. */
  hub: Stats;
  post: Stats;
  bare: Stats;
  /** Per event, until the last wall had it: the median over the events. */
  lastWall: { hub: number; bare: number };
  /** Server heap per connected wall (bytes), after gc(). */
  heap: { hub: number; bare: number };
  connectMs: { hub: number; bare: number };
}

const median = (values: number[]) => stats(values).p50;
const lastOf = (latencies: number[]) => Math.max(...latencies);

export async function measureLiveAtScale(city: CityConfig): Promise<ScaleResult> {
  const deadline = new Deadline(SCALE_DEADLINE_MS);
  const children: Child[] = [];
  const opened: Walls[] = [];
  try {
    const hub = await startHub(city, 250, deadline, children);
    const hubWalls = await connectAll(hub, deadline, opened, SCALE_WALLS);
    deadline.phase = 'capturing a delta for the bare broadcast';
    const captured = await hub.event(hubWalls.walls);
    const snapshot = hubWalls.walls.snapshot;
    if (!snapshot) throw new Error('bench/live-scale: no snapshot captured from the hub');
    const bare = await startBare(snapshot, captured.delta, deadline, children, true);
    const bareWalls = await connectAll(bare, deadline, opened, SCALE_WALLS);
    const [main, bareMain]: [HubSample[], BareSample[]] = await interleave(
      hub,
      hubWalls.walls,
      bare,
      bareWalls.walls,
      deadline,
      SCALE_EVENTS,
    );
    return {
      walls: SCALE_WALLS,
      events: SCALE_EVENTS,
      deltaBytes: Buffer.byteLength(JSON.stringify(captured.delta)),
      hub: stats(main.flatMap((s) => s.broadcast)),
      post: stats(main.flatMap((s) => s.latency)),
      bare: stats(bareMain.flatMap((s) => s.latency)),
      lastWall: {
        hub: median(main.map((s) => lastOf(s.broadcast))),
        bare: median(bareMain.map((s) => lastOf(s.latency))),
      },
      heap: { hub: hubWalls.perClient, bare: bareWalls.perClient },
      connectMs: { hub: hubWalls.connectMs, bare: bareWalls.connectMs },
    };
  } finally {
    for (const walls of opened) walls.close();
    await Promise.all(children.map((child) => child.stop()));
  }
}

const ms = (n: number) => `${n.toFixed(1)} ms`;
const p50p95 = (s: Stats) => `${ms(s.p50)} / ${ms(s.p95)}`;
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

/** The rows of the bench table. */
export async function benchLiveAtScale(city: CityConfig) {
  const r = await measureLiveAtScale(city);
  const n = r.walls.toLocaleString('en');
  return [
    {
      measure: `live at ${n} walls on one node: hub emit → arrival p50 / p95`,
      value: p50p95(r.hub),
      note: `${r.events} deltas of ${r.deltaBytes} B; the last wall after ${ms(r.lastWall.hub)} (median)`,
    },
    {
      measure: `bare Socket.IO (default options), same delta to ${n} clients: emit → arrival p50 / p95`,
      value: p50p95(r.bare),
      note: `alternating with the above; the last client after ${ms(r.lastWall.bare)} (median)`,
    },
    {
      measure: `live at ${n} walls: hub / bare broadcast, p95`,
      value: `${(r.hub.p95 / r.bare.p95).toFixed(2)}×`,
      note: `p50 ${(r.hub.p50 / r.bare.p50).toFixed(2)}×, p99 ${(r.hub.p99 / r.bare.p99).toFixed(2)}× (target p99 ≤ 1.1×)`,
    },
    {
      measure: `live at ${n} walls: POST → delta p50 / p95`,
      value: p50p95(r.post),
      note: 'includes the wait for the tick (250 ms) and the ingest',
    },
    {
      measure: `heap per connected wall at ${n}: hub / bare default Socket.IO`,
      value: `${kb(r.heap.hub)} / ${kb(r.heap.bare)} = ${(r.heap.hub / r.heap.bare).toFixed(2)}×`,
      note: 'target ≤ 0.80×',
    },
    {
      measure: `connect ${n} walls until every snapshot: hub / bare`,
      value: `${(r.connectMs.hub / 1000).toFixed(1)} s / ${(r.connectMs.bare / 1000).toFixed(1)} s`,
    },
  ];
}

/**
 * The two servers under test, each started in a child of its own, as sides: what makes one event
 * happen and what it measured. The hub takes an incident through its ingest API; the bare server
 * broadcasts a delta captured from the hub.
 */
import type { CityConfig } from '../../shared/city.js';
import type { LiveDelta, LiveSnapshot } from '../../shared/live.js';
import { Child } from './child-process.js';
import { EVENT_LIMIT_MS, clock, sleep } from './config.js';
import type { Deadline } from './deadline.js';
import type { Walls } from './walls.js';

/** Lets the next event fall anywhere in the tick: a gap of 50 ms plus a random part of a tick. */
const gap = (tickMs: number) => sleep(50 + Math.random() * tickMs);

/** One server under test, in its child, with what makes one event happen and what it measured. */
export interface Side<T> {
  what: string;
  child: Child;
  base: string;
  token: string;
  /** Warms up before the baseline heap, with one client (default: WARM_UP_EVENTS events). */
  prime?: (walls: Walls) => Promise<unknown>;
  /** Makes one event and waits until every client has it; `gap` after. */
  event: (walls: Walls) => Promise<T>;
}

export interface HubSample {
  postMs: number;
  delta: LiveDelta;
  /** Just before the POST to the delta's arrival, per wall. */
  latency: number[];
  /** The hub's emit of the delta to its arrival, per wall: the broadcast alone. */
  broadcast: number[];
  /** Time spent inside the hub's emit(). */
  busyMs: number;
}

export interface BareSample {
  /** The emit to the arrival, per client. */
  latency: number[];
  busyMs: number;
}

export async function startHub(
  city: CityConfig,
  tickMs: number,
  deadline: Deadline,
  children: Child[],
): Promise<Side<HubSample>> {
  const what = `the hub (tick ${tickMs} ms)`;
  const child = new Child(what);
  children.push(child);
  deadline.phase = `starting ${what}`;
  const ready = child.next('ready');
  child.send({ type: 'start-hub', city, tickMs });
  const { port, wallToken, adminToken } = await deadline.within(ready);
  const base = `http://127.0.0.1:${port}`;
  let serial = 0;
  const incident = (street: string) => {
    const at = new Date(Date.now() - 60_000).toISOString();
    const id = `bench-live-${tickMs}-${++serial}`;
    return { id, updatedAt: at, reportedAt: at, street, category: 'theft', kind: 'criminal', status: 'open' };
  };

  /** Pushes incidents; when every wall has the delta of the first, the times. */
  const push = async (walls: Walls, items: ReturnType<typeof incident>[]): Promise<HubSample> => {
    const body = JSON.stringify(items);
    const { arrived, progress } = walls.expect(`incident:${items[0]!.id}`);
    const started = clock();
    const posted = fetch(`${base}/api/ingest/incident`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body,
    }).then(
      async (response) => {
        const answered = clock();
        const text = await response.text();
        if (response.status !== 200)
          throw new Error(`bench/live: POST /api/ingest/incident answered ${response.status}: ${text}`);
        return answered - started;
      },
      async (error: unknown) => {
        await sleep(500); // a server that died says so first
        throw child.failed ?? new Error(`bench/live: POST /api/ingest/incident failed: ${String(error)}`);
      },
    );
    const [postMs, expected] = await deadline.within(Promise.all([posted, arrived]), {
      ms: EVENT_LIMIT_MS,
      message: () => `${progress()} within ${EVENT_LIMIT_MS} ms (tick ${tickMs} ms)`,
    });
    const emitted = await deadline.within(child.emittedAt(expected.seq), {
      ms: EVENT_LIMIT_MS,
      message: () => `${what} did not report emitting delta ${expected.seq}`,
    });
    await gap(tickMs);
    return {
      postMs,
      delta: expected.delta!,
      latency: Array.from(expected.arrivals, (arrival) => arrival - started),
      broadcast: Array.from(expected.arrivals, (arrival) => arrival - emitted.at),
      busyMs: emitted.busyMs,
    };
  };

  return {
    what,
    child,
    base,
    token: wallToken,
    // An incident in every street first: from then on each delta carries what a busy city's does.
    prime: (walls) =>
      push(
        walls,
        city.streets.map((street) => incident(street.code)),
      ),
    event: (walls) => push(walls, [incident(city.streets[serial % city.streets.length]!.code)]),
  };
}

/** `defaults`: Socket.IO as it comes (`new Server(http)`); otherwise with the hub's options. */
export async function startBare(
  snapshot: LiveSnapshot,
  delta: LiveDelta,
  deadline: Deadline,
  children: Child[],
  defaults = false,
): Promise<Side<BareSample>> {
  const what = `the bare Socket.IO server${defaults ? ' (default options)' : ''}`;
  const child = new Child(what);
  children.push(child);
  deadline.phase = `starting ${what}`;
  const ready = child.next('ready');
  child.send({ type: 'start-bare', snapshot, delta, defaults });
  const { port } = await deadline.within(ready);
  const key = delta.ticker?.[0]?.key;
  if (!key) throw new Error('bench/live: the captured delta has no ticker item');
  let seq = 0;
  return {
    what,
    child,
    base: `http://127.0.0.1:${port}`,
    token: 'none',
    /** Broadcasts the delta once; when every client has it, the times from the emit. */
    event: async (walls) => {
      const { arrived, progress } = walls.expect(key);
      const emitted = child.emittedAt(++seq);
      child.send({ type: 'emit', seq });
      const [{ at, busyMs }, expected] = await deadline.within(Promise.all([emitted, arrived]), {
        ms: EVENT_LIMIT_MS,
        message: () => `${progress()} (bare broadcast) within ${EVENT_LIMIT_MS} ms`,
      });
      await gap(250);
      return { latency: Array.from(expected.arrivals, (arrival) => arrival - at), busyMs };
    },
  };
}

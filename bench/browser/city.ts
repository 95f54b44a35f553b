/**
 * The server side of the browser bench: a whole server as the browser tests start it (in-memory
 * PGlite, the city simulator's month of backfill, demo values seeded, a clock that starts at the
 * same working morning every run), a socket of the bench's own on the live channel to know which
 * delta carries what, and the incidents and alerts the bench pushes through the API.
 */
import type { AlertView } from '../../shared/api.js';
import type { CityConfig } from '../../shared/city.js';
import type { LiveDelta } from '../../shared/live.js';
import { runningClock } from '../../tests/support/clock.js';
import { databaseTargets } from '../../tests/support/databases.js';
import { feedItem } from '../../tests/support/feed-items.js';
import { connectedSocket, type LiveSocket } from '../../tests/support/live.js';
import { startTestServer, type TestServer } from '../../tests/support/server.js';
import { until } from '../../tests/support/wait.js';
import { sleep, within, WAIT_MS } from './wait.js';

/** The server's warm-up (the simulator's 30 days backfilled, history recorded) must end within this. */
const WARM_UP_MS = 300_000;
/** Pushes under way at once when the server falls behind the pace. */
const MAX_IN_FLIGHT = 40;

/** The parts of a delta beside its sequence numbers and time. */
const partsOf = (delta: LiveDelta) =>
  Object.keys(delta).filter((key) => key !== 'seq' && key !== 'prevSeq' && key !== 'at');

/** What the bench's own socket on the live channel saw: every delta, by its parts. */
class Deltas {
  /** Deltas received so far, and those of them that carried nothing but the feeds' freshness. */
  count = 0;
  feedsOnlyCount = 0;
  private waiters: { match: (delta: LiveDelta) => boolean; resolve: (seq: number) => void }[] = [];

  constructor(socket: LiveSocket) {
    socket.on('delta', (delta) => {
      this.count++;
      if (partsOf(delta).join() === 'feeds') this.feedsOnlyCount++;
      this.waiters = this.waiters.filter((waiter) => {
        if (!waiter.match(delta)) return true;
        waiter.resolve(delta.seq);
        return false;
      });
    });
  }

  /** The seq of the next delta that matches (register before causing it). */
  next(match: (delta: LiveDelta) => boolean): Promise<number> {
    return new Promise((resolve) => this.waiters.push({ match, resolve }));
  }

  /** The next delta whose ticker carries this key. */
  carrying(key: string): Promise<number> {
    return this.next((delta) => delta.ticker?.some((item) => item.key === key) ?? false);
  }

  /** The next delta that carries nothing but the feeds' freshness. */
  feedsOnly(): Promise<number> {
    return this.next((delta) => partsOf(delta).join() === 'feeds');
  }
}

export interface PaceResult {
  /** Incidents the server took (200). */
  pushed: number;
  failed: number;
  firstFailure: string | null;
  seconds: number;
}

export class BenchCity {
  private serial = 0;

  private constructor(
    readonly server: TestServer,
    private readonly socket: LiveSocket,
    readonly deltas: Deltas,
    private readonly city: CityConfig,
  ) {}

  /** Starts the server and waits for its warm-up; connects the bench's own socket. */
  static async start(city: CityConfig, displayDir: string): Promise<BenchCity> {
    const server = await startTestServer({
      target: databaseTargets[0]!,
      city,
      seed: true,
      simulator: true,
      // The simulator serves its backfill and then nothing: the only news is what the bench pushes.
      // The feeds are still polled at their intervals, as in the product (fresh, never stale).
      simulatorTicks: false,
      clock: runningClock(),
      displayDir,
    });
    try {
      await within(server.warmedUp, 'the server to warm up (30 days of backfill)', WARM_UP_MS);
      const socket = await within(
        connectedSocket(server.baseUrl, server.wallToken),
        "the bench's socket to connect to /live",
      );
      return new BenchCity(server, socket, new Deltas(socket), city);
    } catch (error) {
      await server.stop();
      throw error;
    }
  }

  async stop(): Promise<void> {
    this.socket.disconnect();
    await this.server.stop();
  }

  private async post(path: string, body: unknown): Promise<Response> {
    const response = await this.server.api(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!response.ok)
      throw new Error(`bench/browser: POST ${path} answered ${response.status}: ${await response.text()}`);
    return response;
  }

  /** An incident of an ordinary category (no alert fires at once), reported now, in the next street. */
  incident(overrides: Record<string, unknown> = {}): Record<string, unknown> {
    const now = this.server.clock();
    const street = this.city.streets[this.serial % this.city.streets.length]!.code;
    return feedItem('incident', now, {
      id: `bench-browser-${++this.serial}`,
      street,
      // The default community is Jinfang's; the incidents go to every street, so none.
      community: undefined,
      reportedAt: now.toISOString(),
      ...overrides,
    });
  }

  /** Pushes incidents through `POST /api/ingest/incident`, as a feed pushing them would. */
  async push(items: Record<string, unknown>[]): Promise<void> {
    await this.post('/api/ingest/incident', { items });
  }

  /**
   * One incident at a time at `perSecond` for `ms`, each on its own schedule (not after the last one
   * answered), at most MAX_IN_FLIGHT under way at once.
   */
  async pace(perSecond: number, ms: number): Promise<PaceResult> {
    const count = Math.round((ms / 1000) * perSecond);
    const started = performance.now();
    const inFlight = new Set<Promise<void>>();
    const result: PaceResult = { pushed: 0, failed: 0, firstFailure: null, seconds: 0 };
    for (let i = 0; i < count; i++) {
      await sleep(started + (i * 1000) / perSecond - performance.now());
      while (inFlight.size >= MAX_IN_FLIGHT)
        await within(Promise.race(inFlight), 'one of the pushes under way to be answered');
      const pushed: Promise<void> = this.push([this.incident()])
        .then(
          () => void result.pushed++,
          (error: unknown) => {
            result.failed++;
            result.firstFailure ??= String(error);
          },
        )
        .finally(() => inFlight.delete(pushed));
      inFlight.add(pushed);
    }
    await within(Promise.all(inFlight), 'the last pushes to be answered');
    result.seconds = (performance.now() - started) / 1000;
    if (result.failed > count / 100)
      throw new Error(`bench/browser: ${result.failed} of ${count} pushes failed: ${result.firstFailure}`);
    return result;
  }

  private async alerts(state: 'open' | 'firing'): Promise<AlertView[]> {
    const response = await this.server.api(`/api/alerts?state=${state}`);
    if (!response.ok) throw new Error(`bench/browser: GET /api/alerts answered ${response.status}`);
    return ((await response.json()) as { alerts: AlertView[] }).alerts;
  }

  /** Acknowledges every firing alert (the duty officer has handled them); how many there were. */
  async acknowledgeAll(): Promise<number> {
    const firing = await this.alerts('firing');
    for (const alert of firing)
      await this.post(`/api/alerts/${encodeURIComponent(alert.id)}/ack`, { comment: '已核实，已处置' });
    return firing.length;
  }

  /** A robbery (zero tolerance: its critical alert fires at once) in a street; its alert once firing. */
  async robbery(street: string): Promise<AlertView> {
    const item = this.incident({ street, category: 'robbery' });
    await this.push([item]);
    return until(
      async () => (await this.alerts('open')).find((a) => a.event === item.id && a.status === 'firing'),
      `the alert of robbery ${String(item.id)} in ${street} to fire`,
      WAIT_MS,
    );
  }
}

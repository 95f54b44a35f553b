/**
 * A wall watching itself, for months with nobody at it. It measures when the page last painted
 * (an animation frame asked for every second), which its heartbeats carry; it starts a watchdog
 * worker that beats in its stead once its own thread stops (a frozen page is found frozen, not
 * dark); and it heals itself as self-heal.ts decides: a reload when the server's build changes,
 * after `reload.afterHours` in the city's quiet window, and when it is stuck behind the server
 * after a resync did not help.
 */
import type { LiveHello } from '$shared/live.js';
import { scheduledReloadDue, windowLength } from '$shared/screens.js';
import type { LiveStore } from './live-store.svelte.js';
import {
  buildChanged,
  lastReload,
  mayReload,
  RELOAD_STORAGE_KEY,
  reloadOffsetMinutes,
  StuckCheck,
  type RecordStorage,
  type ReloadReason,
} from './self-heal.js';
import type { WatchdogMessage } from './watchdog.js';

/** How often a frame is asked for, to know that the page still paints. */
const PAINT_PROBE_MS = 1_000;
/** How often the page tells its watchdog it is alive (at least; more often with a short heartbeat). */
const ALIVE_MS = 5_000;
/** How often the scheduled reload is considered. */
const SCHEDULE_CHECK_MS = 30_000;
/** A new build is taken up within this long, each wall at its own moment (not all at once). */
const BUILD_RELOAD_SPREAD_MS = 5_000;

export interface WallWatchOptions {
  store: LiveStore;
  /** The display build this page is (SvelteKit's `version`); null in development. */
  ownBuild: string | null;
  /** Where the last reload is kept across reloads (sessionStorage). */
  storage: RecordStorage | null;
  reload?: () => void;
  /** The watchdog worker; null where there are no workers. */
  createWorker?: () => Worker | null;
  random?: () => number;
}

/** The watchdog, where the browser has workers. */
function watchdogWorker(): Worker | null {
  if (typeof Worker === 'undefined') return null;
  try {
    return new Worker(new URL('./watchdog.worker.ts', import.meta.url), { type: 'module' });
  } catch {
    return null;
  }
}

export class WallWatch {
  /** Why the page last asked to reload (for a test or a person looking at the page). */
  reloading = $state<ReloadReason | null>(null);

  readonly #store: LiveStore;
  readonly #options: WallWatchOptions;
  readonly #stuck = new StuckCheck();
  readonly #startedAt = performance.now();
  #lastPaint: number | null = null;
  #frame: number | null = null;
  #timers: ReturnType<typeof setInterval>[] = [];
  #worker: Worker | null = null;
  #lastAlive = -Infinity;
  #firstBuild: LiveHello['build'] | null = null;
  #buildTimer: ReturnType<typeof setTimeout> | null = null;
  #offsetMinutes: number | null = null;
  #unwatch: (() => void) | null = null;

  constructor(options: WallWatchOptions) {
    this.#store = options.store;
    this.#options = options;
  }

  start(): void {
    if (this.#timers.length > 0) return;
    this.#unwatch = this.#store.watch(
      () => this.paintedMsAgo(),
      (serverSeq) => this.#answered(serverSeq),
    );
    const token = this.#store.token;
    this.#worker = token ? (this.#options.createWorker ?? watchdogWorker)() : null;
    const { screen, heartbeatMs } = this.#store;
    this.#tell({ type: 'start', token: token ?? '', screen, heartbeatMs });
    this.#probe();
    this.#timers.push(
      setInterval(() => this.#probe(), PAINT_PROBE_MS),
      setInterval(() => this.#considerSchedule(), SCHEDULE_CHECK_MS),
    );
  }

  stop(): void {
    for (const timer of this.#timers) clearInterval(timer);
    this.#timers = [];
    if (this.#frame !== null && typeof cancelAnimationFrame === 'function') cancelAnimationFrame(this.#frame);
    this.#frame = null;
    if (this.#buildTimer !== null) clearTimeout(this.#buildTimer);
    this.#buildTimer = null;
    this.#worker?.terminate();
    this.#worker = null;
    this.#unwatch?.();
    this.#unwatch = null;
  }

  /** Milliseconds since the page last painted (since it started, before its first frame). */
  paintedMsAgo(): number {
    return Math.max(0, Math.round(performance.now() - (this.#lastPaint ?? this.#startedAt)));
  }

  /** The server said hello (on every connect, and when the configuration changed). */
  hello(hello: LiveHello): void {
    // The watchdog beats as often as the page now does, from now on.
    this.#lastAlive = -Infinity;
    this.#probe();
    this.#firstBuild ??= hello.build;
    if (this.#buildTimer === null && buildChanged(this.#options.ownBuild, this.#firstBuild, hello.build)) {
      const wait = (this.#options.random ?? Math.random)() * BUILD_RELOAD_SPREAD_MS;
      this.#buildTimer = setTimeout(() => {
        this.#buildTimer = null;
        this.#reload('build');
      }, wait);
    }
  }

  /**
   * Asks for a frame, cancelling one asked for before that never came (the browser drops frame
   * callbacks while scripts are disabled), and tells the watchdog the page is alive.
   */
  #probe(): void {
    if (typeof requestAnimationFrame === 'function') {
      if (this.#frame !== null) cancelAnimationFrame(this.#frame);
      this.#frame = requestAnimationFrame(() => {
        this.#frame = null;
        this.#lastPaint = performance.now();
      });
    }
    const now = performance.now();
    if (now - this.#lastAlive >= Math.min(ALIVE_MS, this.#store.heartbeatMs / 2)) {
      this.#lastAlive = now;
      const { seq } = this.#store.heartbeatPayload();
      this.#tell({
        type: 'alive',
        seq: seq ?? null,
        paintedAt: Date.now() - this.paintedMsAgo(),
        heartbeatMs: this.#store.heartbeatMs,
      });
    }
  }

  #tell(message: WatchdogMessage): void {
    this.#worker?.postMessage(message);
  }

  /** The server's answer to a heartbeat: how far ahead of this page its live channel is. */
  #answered(serverSeq: number): void {
    switch (this.#stuck.observe(this.#store.snapshot?.seq ?? null, serverSeq)) {
      case 'ok':
        return;
      case 'resync':
        this.#store.resync();
        return;
      case 'reload':
        this.#reload('stuck');
        return;
    }
  }

  #considerSchedule(): void {
    const hello = this.#store.hello;
    const timezone = this.#store.snapshot?.timezone;
    if (!hello || !timezone) return;
    const settings = { reloadAfterHours: hello.reload.afterHours, reloadWindow: hello.reload.window };
    this.#offsetMinutes ??= reloadOffsetMinutes(windowLength(hello.reload.window), this.#options.random);
    const up = performance.now() - this.#startedAt;
    if (scheduledReloadDue(up, this.#store.now, timezone, settings, this.#offsetMinutes))
      this.#reload('schedule');
  }

  #reload(reason: ReloadReason): void {
    const { storage } = this.#options;
    const now = Date.now();
    if (!mayReload(reason, lastReload(storage), now)) return;
    try {
      storage?.setItem(RELOAD_STORAGE_KEY, JSON.stringify({ reason, at: now }));
    } catch {
      // Without storage a reload still happens; only the guard against a loop is lost.
    }
    this.reloading = reason;
    (this.#options.reload ?? (() => location.reload()))();
  }
}

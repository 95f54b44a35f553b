/**
 * How a wall heals itself, decided here and carried out by wall-watch.svelte.ts: it reloads when
 * the server's build is not the one it loaded (a deploy reaches every screen), after so many hours
 * in the city's quiet window (shared/screens.ts), and when it finds itself stuck — the server ahead
 * of it while it applies nothing — after a resync did not help. A reload for the same reason is
 * not repeated within a few minutes, so that a server and a page that disagree cannot loop. Pure:
 * the caller passes the time and the storage.
 */
import type { LiveHello } from '$shared/live.js';

export type ReloadReason = 'build' | 'schedule' | 'stuck';

/**
 * Why the server's `hello` says this page should reload, or null: it serves another display build
 * than the one this page was built as (`own`; null in development, where the page is not a build),
 * or its version is not the one the page first heard (`first`).
 */
export function buildChanged(
  own: string | null,
  first: LiveHello['build'] | null,
  now: LiveHello['build'],
): boolean {
  if (own !== null && now.display !== null && now.display !== own) return true;
  return first !== null && first.server !== now.server;
}

/** The last reload a page did, kept across the reload (sessionStorage). */
export interface ReloadRecord {
  reason: ReloadReason;
  at: number;
}

export const RELOAD_STORAGE_KEY = 'pingan-wall:reload';
/** A reload for the same reason within this long of the last is not done. */
export const RELOAD_QUIET_MS = 10 * 60_000;

export interface RecordStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

export function lastReload(storage: RecordStorage | null): ReloadRecord | null {
  try {
    const record = JSON.parse(storage?.getItem(RELOAD_STORAGE_KEY) ?? 'null') as Partial<ReloadRecord> | null;
    return record && typeof record.reason === 'string' && typeof record.at === 'number'
      ? { reason: record.reason, at: record.at }
      : null;
  } catch {
    return null;
  }
}

/** Whether a reload for `reason` may happen at `now` (epoch ms), given the last one. */
export function mayReload(reason: ReloadReason, last: ReloadRecord | null, now: number): boolean {
  return last === null || last.reason !== reason || now - last.at >= RELOAD_QUIET_MS || now < last.at;
}

/**
 * A wall that applies nothing while the server is ahead of it. Told the server's `seq` at each
 * heartbeat's answer and the page's own: behind at two answers in a row with nothing applied in
 * between, it resyncs; still so at the next, it reloads. Deltas in flight at one answer are not
 * being stuck: they are applied by the next.
 */
export class StuckCheck {
  #behindAt: number | null = null;
  #resynced = false;

  /** `own`: the `seq` the page has applied (null before its first snapshot); `server`: the server's. */
  observe(own: number | null, server: number): 'ok' | 'resync' | 'reload' {
    if (own === null || own >= server) {
      this.#behindAt = null;
      this.#resynced = false;
      return 'ok';
    }
    if (this.#behindAt !== own) {
      // Behind, but it moved since the last answer (or this is the first): wait for the next.
      this.#behindAt = own;
      this.#resynced = false;
      return 'ok';
    }
    if (!this.#resynced) {
      this.#resynced = true;
      return 'resync';
    }
    return 'reload';
  }
}

/** A wall's own offset into the reload window, in minutes: its walls spread over the first half. */
export function reloadOffsetMinutes(windowMinutes: number, random: () => number = Math.random): number {
  return Math.floor(random() * Math.max(1, windowMinutes / 2));
}

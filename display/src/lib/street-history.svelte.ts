/**
 * A street's recorded index for its page: read over HTTP with the page's token when the page opens,
 * and again every few minutes (the server records a snapshot every five by default). A failed
 * reading keeps the points already shown and says what went wrong.
 */
import { ApiFailure, getJson } from './api.js';
import { historyPath, historyPoints, type HistoryPoint } from './history.js';

/**
 * - `loading`: the first reading has not answered yet
 * - `ready`: the points are the server's (maybe none yet)
 * - `failed`: the last reading failed (`problem` says why); the points are the last ones read
 */
export type HistoryStatus = 'loading' | 'ready' | 'failed';

export const HISTORY_REFRESH_MS = 5 * 60_000;

export class StreetHistory {
  status = $state<HistoryStatus>('loading');
  points = $state.raw<HistoryPoint[]>([]);
  problem = $state<string | null>(null);

  readonly #street: string;
  readonly #token: string | null;
  readonly #fetch: typeof fetch;
  #timer: ReturnType<typeof setInterval> | null = null;

  constructor(street: string, token: string | null, fetchImpl?: typeof fetch) {
    this.#street = street;
    this.#token = token?.trim() || null;
    // The browser's fetch needs its `this`; an unbound reference throws "Illegal invocation".
    this.#fetch = fetchImpl ?? ((input, init) => fetch(input, init));
  }

  /** Reads the last 30 days before `now()` (the server's clock as the page estimates it). */
  async load(now: number): Promise<void> {
    if (!this.#token) {
      this.status = 'failed';
      this.problem = 'no token';
      return;
    }
    try {
      const body = await getJson<unknown>(historyPath(this.#street, now), this.#token, this.#fetch);
      const points = historyPoints(body);
      if (points === null) throw new ApiFailure('server', 'the answer is not an index history');
      this.points = points;
      this.problem = null;
      this.status = 'ready';
    } catch (error) {
      this.problem = error instanceof Error ? error.message : String(error);
      this.status = 'failed';
    }
  }

  /** Loads now and every few minutes until {@link stop}. */
  start(now: () => number): void {
    if (this.#timer) return;
    void this.load(now());
    this.#timer = setInterval(() => void this.load(now()), HISTORY_REFRESH_MS);
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }
}

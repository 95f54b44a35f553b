/**
 * The wall's live state: the last index received, the indicator catalogue, the connection state and
 * the selected street. It polls `GET /api/index` (the Socket.IO feed replaces the timer later); on a
 * failure it keeps the last picture and remembers since when it has been disconnected.
 */
import {
  ApiFailure,
  getJson,
  type IndicatorCatalogue,
  type LiveIndex,
  type LiveStreet,
  type Regions,
} from './api.js';
import { catalogueIsMissing, defaultStreet, rankingOrder } from './street-view.js';

export const REFRESH_MS = 15_000;

/**
 * - `loading`: nothing received yet
 * - `live`: the last refresh succeeded
 * - `disconnected`: the last refresh failed; the last picture (if any) stays on screen
 * - `no-token`: the URL carries no `?token=`
 * - `token-refused`: the server answered 401 (unknown or revoked token)
 * - `forbidden`: the server answered 403
 */
export type WallStatus = 'loading' | 'live' | 'disconnected' | 'no-token' | 'token-refused' | 'forbidden';

export interface IndexStoreOptions {
  token: string | null;
  /** A street to show first (`?street=`); otherwise the last ranked. */
  street?: string | null;
  refreshMs?: number;
  fetch?: typeof fetch;
  /** The clock, in epoch ms. */
  now?: () => number;
}

export class IndexStore {
  live = $state.raw<LiveIndex | null>(null);
  catalogue = $state.raw<IndicatorCatalogue | null>(null);
  regions = $state.raw<Regions | null>(null);
  status = $state<WallStatus>('loading');
  /** When the first refresh since the last success failed (epoch ms); null while live. */
  disconnectedSince = $state<number | null>(null);
  /** What the server (or the network) said on the last failure. */
  problem = $state<string | null>(null);
  selectedCode = $state<string | null>(null);

  readonly ranking: LiveStreet[] = $derived(rankingOrder(this.live?.streets ?? []));
  readonly selected: LiveStreet | null = $derived(
    this.ranking.find((street) => street.code === this.selectedCode) ?? defaultStreet(this.ranking),
  );

  readonly refreshMs: number;
  private readonly token: string | null;
  private readonly fetchImpl: typeof fetch;
  private readonly now: () => number;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private running = false;

  constructor(options: IndexStoreOptions) {
    this.token = options.token?.trim() || null;
    this.selectedCode = options.street ?? null;
    this.refreshMs = options.refreshMs ?? REFRESH_MS;
    // The browser's fetch needs its `this`; an unbound reference throws "Illegal invocation".
    this.fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
    this.now = options.now ?? Date.now;
    if (!this.token) this.status = 'no-token';
  }

  /** Starts polling: at once, then every `refreshMs` after each answer. */
  start(): void {
    if (this.running || !this.token) return;
    this.running = true;
    void this.tick();
  }

  stop(): void {
    this.running = false;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  select(code: string): void {
    this.selectedCode = code;
  }

  /** Moves the selection up (−1) or down (+1) the ranking, for a keyboard or a presenter remote. */
  step(offset: number): void {
    const count = this.ranking.length;
    if (count === 0) return;
    const current = this.ranking.findIndex((street) => street.code === this.selected?.code);
    const next = this.ranking[(((current + offset) % count) + count) % count];
    if (next) this.selectedCode = next.code;
  }

  private async tick(): Promise<void> {
    await this.refresh();
    // A refused token will not start working by itself: the URL has to change.
    if (this.running && (this.status === 'token-refused' || this.status === 'forbidden')) this.stop();
    if (this.running) this.timer = setTimeout(() => void this.tick(), this.refreshMs);
  }

  /** One refresh: the index, and the catalogue and regions when they are not loaded (or out of date). */
  async refresh(): Promise<void> {
    const token = this.token;
    if (!token) return;
    try {
      const live = await getJson<LiveIndex>('/api/index', token, this.fetchImpl);
      const needCatalogue =
        this.catalogue === null || catalogueIsMissing(live.streets, this.catalogue.indicators);
      const [catalogue, regions] = await Promise.all([
        needCatalogue
          ? getJson<IndicatorCatalogue>('/api/indicators', token, this.fetchImpl)
          : this.catalogue,
        this.regions ?? getJson<Regions>('/api/streets', token, this.fetchImpl),
      ]);
      this.live = live;
      this.catalogue = catalogue;
      this.regions = regions;
      this.status = 'live';
      this.disconnectedSince = null;
      this.problem = null;
    } catch (error) {
      this.fail(error);
    }
  }

  private fail(error: unknown): void {
    const failure = error instanceof ApiFailure ? error : new ApiFailure('server', String(error));
    this.problem = failure.message;
    switch (failure.kind) {
      case 'token':
        this.status = 'token-refused';
        return;
      case 'forbidden':
        this.status = 'forbidden';
        return;
      case 'server':
      case 'network':
        this.status = 'disconnected';
        this.disconnectedSince ??= this.now();
        return;
    }
  }
}

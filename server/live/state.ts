/**
 * The wall's state as the live channel sends it: the live index, the city's trends, the feeds'
 * freshness, the ticker, the panels and the alerts, built afresh at each tick from what the rest of
 * the server holds. The panels are read again when a feed they show stored something (at most once
 * a second) and every minute; the trends every minute and when history was recorded.
 */
import type { LiveStreet } from '../../shared/api.js';
import type { CityConfig } from '../../shared/city.js';
import type { FeedName } from '../../shared/feeds/index.js';
import type { FeedFreshness, LiveSnapshot, TrendPoint } from '../../shared/live.js';
import { emptyPanels, PANEL_FEEDS, type Panels } from '../../shared/panels.js';
import { addDays, startOfLocalDate } from '../../shared/period.js';
import type { Logger } from 'pino';
import type { AlertService } from '../alerts/service.js';
import type { Db } from '../db/client.js';
import type { StoredBatch } from '../feeds/store.js';
import { CITY, type SnapshotRepository } from '../repositories/snapshots.js';
import type { LiveIndexService } from '../services/live-index.js';
import type { SharedFeedHealth } from '../shared-state/feed-health.js';
import { readPanels } from './panels.js';
import { Ticker } from './ticker.js';

const SLOW_REFRESH_MS = 60_000;

/** Four decimals are far below what a wall shows, and keep floating-point noise out of deltas. */
const round = (value: number | null) => (value === null ? null : Math.round(value * 1e4) / 1e4);
function forTheWire(street: LiveStreet): LiveStreet {
  return {
    ...street,
    index: round(street.index),
    blocks: {
      positive: round(street.blocks.positive),
      negative: round(street.blocks.negative),
      public: round(street.blocks.public),
    },
    indicators: street.indicators.map((i) => ({
      ...i,
      raw: round(i.raw),
      smoothed: round(i.smoothed),
      score: round(i.score),
      contribution: round(i.contribution)!,
      pointsLost: round(i.pointsLost)!,
    })),
  };
}

export interface LiveStateDeps {
  city: CityConfig;
  db: Db;
  clock: () => Date;
  logger: Logger;
  index: Pick<LiveIndexService, 'current'>;
  alerts: Pick<AlertService, 'live'>;
  snapshots: Pick<SnapshotRepository, 'history' | 'daily'>;
  feeds: Pick<SharedFeedHealth, 'health'>;
}

export class LiveState {
  private readonly ticker = new Ticker();
  private panels: Panels = emptyPanels();
  private trends: { trend24h: TrendPoint[]; trend30d: TrendPoint[] } = { trend24h: [], trend30d: [] };
  private panelsDirty = true;
  private lastPanels = 0;
  private lastTrends = 0;

  constructor(private readonly deps: LiveStateDeps) {}

  /** Reads the ticker's news from the database: a restarted server shows the latest events at once. */
  async load(): Promise<void> {
    await this.ticker
      .load(this.deps.db, this.deps.clock())
      .catch((error: unknown) => this.deps.logger.error({ err: error }, 'the ticker could not be read'));
  }

  /** A batch of a feed was stored: news for the ticker, and its panel to refresh. */
  stored(feed: FeedName, batch: StoredBatch): void {
    this.ticker.add(feed, batch.created, this.deps.clock());
    if (PANEL_FEEDS.includes(feed)) this.panelsDirty = true;
  }

  /** Snapshots recorded: the trends are due for a refresh at the next build. */
  trendsChanged(): void {
    this.lastTrends = 0;
  }

  /** The state now, as a snapshot without its sequence number. */
  async build(): Promise<Omit<LiveSnapshot, 'seq'>> {
    const { deps } = this;
    const now = deps.clock();
    const live = await deps.index.current(now);
    const timezone = deps.city.city.timezone;
    const clock = now.getTime();
    if (this.panelsDirty || clock - this.lastPanels > SLOW_REFRESH_MS) {
      if (clock - this.lastPanels >= 1000) {
        this.panels = await readPanels(
          deps.db,
          deps.city,
          startOfLocalDate(live.date, timezone),
          now,
          this.panels,
          (panel, error) => deps.logger.error({ err: error, panel }, 'a panel of the wall could not be read'),
        );
        this.lastPanels = clock;
        this.panelsDirty = false;
      }
    }
    if (clock - this.lastTrends > SLOW_REFRESH_MS) {
      // Trends that cannot be read keep their last points; the rest of the wall goes out.
      try {
        const [day, month] = await Promise.all([
          deps.snapshots.history(CITY, new Date(clock - 86_400_000), now),
          deps.snapshots.daily(CITY, startOfLocalDate(addDays(live.date, -29), timezone), timezone),
        ]);
        this.trends = {
          trend24h: day.map((p) => ({ at: p.at.toISOString(), index: p.index })),
          trend30d: month.map((p) => ({
            at: startOfLocalDate(p.day, timezone).toISOString(),
            index: p.index,
          })),
        };
      } catch (error) {
        deps.logger.error({ err: error }, 'the trends of the wall could not be read');
      }
      this.lastTrends = clock;
    }
    return {
      at: now.toISOString(),
      date: live.date,
      timezone,
      weightSet: { id: live.weightSet.id, name: live.weightSet.name },
      city: { index: live.city, grade: live.cityGrade, ...this.trends },
      streets: live.streets.map(forTheWire),
      feeds: (await deps.feeds.health()).map((health): FeedFreshness =>
        'lastSuccessAt' in health
          ? {
              feed: health.feed,
              status: health.status,
              stale: health.stale,
              lastSuccessAt: health.lastSuccessAt,
              newestItemAt: health.newestItemAt,
              itemsPerMinute: Math.round(health.itemsPerMinute),
            }
          : {
              feed: health.feed,
              status: 'off',
              stale: false,
              lastSuccessAt: null,
              newestItemAt: null,
              itemsPerMinute: 0,
            },
      ),
      ticker: this.ticker.latest(),
      panels: this.panels,
      alerts: deps.alerts.live(),
    };
  }
}

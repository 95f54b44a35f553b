/**
 * Feed freshness as the wall shows it: how old each feed's data is, which panels a stale feed
 * greys out, and the operator alerts (a stale or failing feed) the alerts panel lists above the
 * rule alerts — at once, before the server's feedStale rule fires, and never twice for one feed
 * (alerts.ts feedRowsBesides). Pure; `now` is the server's time as the store estimates it (epoch ms).
 */
import { FEEDS, type FeedName } from '$shared/feeds/index.js';
import type { FeedFreshness } from '$shared/live.js';
import { PANELS, type PanelKey } from '$shared/panels.js';
import { secondsBetween } from './format.js';

/** The wall's panels that show one feed's data: the snapshot's panels, and the ticker. */
export type FeedPanel = 'ticker' | PanelKey;

/** The feed whose staleness greys a panel: the ticker's is the incident feed. */
const feedOf = (panel: FeedPanel): FeedName => (panel === 'ticker' ? 'incident' : PANELS[panel].feed);

export interface FeedView extends FeedFreshness {
  /** How old its data is: seconds since its newest item was updated (or, without one, since its last success). */
  ageSeconds: number | null;
  /** Seconds since the feed last answered; null before its first success. */
  sinceSuccessSeconds: number | null;
  /** Its data cannot be trusted as current: grey what shows it. */
  outdated: boolean;
  /** Something is wrong that an operator should look at. */
  alarming: boolean;
}

/** Whether a feed's data is out of date: the server says so, or it stopped answering. */
export const isOutdated = (feed: FeedFreshness): boolean => feed.stale || feed.status === 'stale';

/** Each feed in the feeds' fixed order (shared/feeds), with its age; a feed the snapshot omits shows as waiting. */
export function feedViews(feeds: readonly FeedFreshness[], now: number): FeedView[] {
  const byName = new Map(feeds.map((feed) => [feed.feed, feed]));
  return FEEDS.map((name) => {
    const feed: FeedFreshness = byName.get(name) ?? {
      feed: name,
      status: 'waiting',
      stale: false,
      lastSuccessAt: null,
      newestItemAt: null,
      itemsPerMinute: 0,
    };
    const outdated = isOutdated(feed);
    return {
      ...feed,
      ageSeconds: secondsBetween(feed.newestItemAt ?? feed.lastSuccessAt, now),
      sinceSuccessSeconds: secondsBetween(feed.lastSuccessAt, now),
      outdated,
      alarming: outdated || feed.status === 'failing',
    };
  });
}

/** The feed whose staleness greys a panel, or null when it is fresh. */
export function panelStaleness(views: readonly FeedView[], panel: FeedPanel): FeedView | null {
  const feed = views.find((view) => view.feed === feedOf(panel));
  return feed?.outdated ? feed : null;
}

export interface OperatorAlert {
  key: string;
  feed: FeedName;
  /** `stale`: its data is out of date; `failing`: polls fail, the data is still within its window. */
  level: 'stale' | 'failing';
  /** Seconds since the feed last answered; null when it never has. */
  sinceSuccessSeconds: number | null;
}

/** Stale feeds first (their data is already wrong), then failing ones, each in the feeds' order. */
export function operatorAlerts(views: readonly FeedView[]): OperatorAlert[] {
  const alerts = views
    .filter((view) => view.alarming)
    .map((view): OperatorAlert => ({
      key: `feed:${view.feed}`,
      feed: view.feed,
      level: view.outdated ? 'stale' : 'failing',
      sinceSuccessSeconds: view.sinceSuccessSeconds,
    }));
  return [...alerts.filter((a) => a.level === 'stale'), ...alerts.filter((a) => a.level === 'failing')];
}

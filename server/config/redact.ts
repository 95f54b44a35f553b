/**
 * The city configuration as an administrator's answer shows it, without what could be a secret, and
 * an edited configuration with those secrets put back. Feed URLs are masked (their paths and queries
 * may hold keys), as are literal header values and literal query values; `env:NAME` references are
 * shown, since they name a variable and hold nothing. An edit that sends a masked value back
 * unchanged keeps the stored one: an administrator can change a feed's interval without knowing its key.
 */
import type { CityConfig, FeedConfig } from '../../shared/city.js';
import { FEEDS } from '../../shared/feeds/index.js';
import { MASK, maskUrl } from '../http/url-secrets.js';
import { isEnvReference } from './secret-env.js';

const masked = (value: string): string => (isEnvReference(value) ? value : MASK);

function maskFeed(feed: FeedConfig): FeedConfig {
  return {
    ...feed,
    ...(feed.url === undefined ? {} : { url: maskUrl(feed.url) }),
    headers: Object.fromEntries(Object.entries(feed.headers).map(([name, value]) => [name, masked(value)])),
    query: Object.fromEntries(
      Object.entries(feed.query).map(([name, value]) => [
        name,
        typeof value === 'string' ? masked(value) : value,
      ]),
    ),
  };
}

/** The configuration with its possible secrets masked. */
export function withoutSecrets(config: CityConfig): CityConfig {
  return {
    ...config,
    feeds: Object.fromEntries(
      FEEDS.map((feed) => [feed, maskFeed(config.feeds[feed])]),
    ) as CityConfig['feeds'],
  };
}

/** A record's values, each masked one that is sent back as shown replaced by the stored value. */
function restoreValues<V>(sent: Record<string, V>, stored: Record<string, V>): Record<string, V> {
  return Object.fromEntries(
    Object.entries(sent).map(([name, value]) => {
      const before = stored[name];
      return [name, value === MASK && typeof before === 'string' && !isEnvReference(before) ? before : value];
    }),
  );
}

/**
 * A feeds section as an administrator sent it, with every masked value left as shown replaced by
 * the stored one. Not yet validated: `sent` is whatever arrived.
 */
export function restoreFeedSecrets(sent: unknown, stored: CityConfig['feeds']): unknown {
  if (typeof sent !== 'object' || sent === null || Array.isArray(sent)) return sent;
  const restored: Record<string, unknown> = { ...sent };
  for (const feed of FEEDS) {
    const value = restored[feed];
    if (typeof value !== 'object' || value === null || Array.isArray(value)) continue;
    const before = stored[feed];
    const next: Record<string, unknown> = { ...value };
    if (before.url !== undefined && next.url === maskUrl(before.url)) next.url = before.url;
    for (const key of ['headers', 'query'] as const) {
      const part = next[key];
      if (typeof part === 'object' && part !== null && !Array.isArray(part))
        next[key] = restoreValues(part as Record<string, unknown>, before[key] as Record<string, unknown>);
    }
    restored[feed] = next;
  }
  return restored;
}

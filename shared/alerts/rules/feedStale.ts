/** Feed stale (数据源中断): a feed has had no successful poll for too long; for operators, not streets. */
import { z } from 'zod';
import type { Observation } from '../alert.js';
import { FEED_NAMES, formatDuration, formatLocalTime, nameOf } from '../format.js';
import { finite, type FeedFreshness } from '../inputs.js';
import type { AlertRuleDefinition } from './definition.js';

export const feedStaleFields = z.strictObject({
  enabled: z.boolean(),
  /** Alert operators when a feed has had no successful poll for longer than this. */
  minutes: z.number().finite().positive(),
});

export type FeedStaleRule = z.infer<typeof feedStaleFields>;

export interface FeedStaleDetail {
  rule: 'feedStale';
  feed: string;
  lastSuccessAt: string | null;
  /** Minutes since the last success; null when the feed never answered. */
  staleMinutes: number | null;
  minutes: number;
}

const MINUTE = 60_000;

/**
 * Feed stale: breach when the last successful poll is more than `minutes` old (or there never was
 * one), clear as soon as a poll succeeds — a fresh success resets the age to zero, so no hysteresis
 * is needed.
 */
export function observeFeedStale(
  feeds: readonly FeedFreshness[],
  now: Date,
  rule: FeedStaleRule,
): Observation<FeedStaleDetail>[] {
  if (!rule.enabled) return [];
  return feeds.map((feed): Observation<FeedStaleDetail> => {
    const last = feed.lastSuccessAt === null ? NaN : Date.parse(feed.lastSuccessAt);
    const staleMinutes = finite(last) ? Math.max(0, (now.getTime() - last) / MINUTE) : null;
    return {
      key: { rule: 'feedStale', street: null, feed: feed.feed },
      condition: staleMinutes === null || staleMinutes > rule.minutes ? 'breach' : 'clear',
      severity: 'warning',
      detail: {
        rule: 'feedStale',
        feed: feed.feed,
        lastSuccessAt: feed.lastSuccessAt,
        staleMinutes,
        minutes: rule.minutes,
      },
    };
  });
}

export const feedStaleRule: AlertRuleDefinition<'feedStale', FeedStaleRule, FeedStaleDetail> = {
  id: 'feedStale',
  fields: feedStaleFields,
  defaults: { enabled: true, minutes: 15 },
  // Feed staleness goes to operators only.
  audience: ['operators'],
  timing: () => ({ pendingMinutes: 0 }),
  // A feed is not a street: the city's rule applies.
  observe: (inputs, { now, ruleOf }) => observeFeedStale(inputs.feeds ?? [], now, ruleOf(null)),
  explain(detail, _street, context, lang) {
    const zh = lang === 'zh';
    const feed = nameOf(FEED_NAMES, detail.feed)[lang];
    const age = formatDuration(detail.staleMinutes, lang);
    const last = formatLocalTime(detail.lastSuccessAt, context.config.city.timezone, lang);
    const threshold = formatDuration(detail.minutes, lang);
    if (detail.staleMinutes === null)
      return zh
        ? { title: `${feed}数据源尚未成功读取`, body: `告警阈值 ${threshold}` }
        : { title: `${feed} feed has not answered yet`, body: `Threshold ${threshold}` };
    return zh
      ? { title: `${feed}数据源已 ${age}未更新`, body: `最后成功读取: ${last}\n告警阈值 ${threshold}` }
      : { title: `${feed} feed stale for ${age}`, body: `Last success: ${last}\nThreshold ${threshold}` };
  },
  explainResolved(detail, _street, context, lang) {
    const feed = nameOf(FEED_NAMES, detail.feed)[lang];
    const last = formatLocalTime(detail.lastSuccessAt, context.config.city.timezone, lang);
    return lang === 'zh'
      ? { title: `${feed}数据源已恢复`, body: `最后成功读取: ${last}` }
      : { title: `${feed} feed is back`, body: `Last success: ${last}` };
  },
};

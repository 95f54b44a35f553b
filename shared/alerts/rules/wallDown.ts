/**
 * Wall down (大屏离线或冻结): a configured screen has been silent for `minutes` (dark), or beats but
 * had not painted, or had not applied the live channel's deltas, for `minutes` (frozen). For
 * operators, not streets; it resolves when the screen is back.
 */
import { z } from 'zod';
import type { Observation } from '../alert.js';
import { formatDuration, formatLocalTime } from '../format.js';
import type { ScreenWatch } from '../inputs.js';
import type { Names } from '../../names.js';
import { screenLabel, screenState, type FrozenReason } from '../../screens.js';
import type { AlertRuleDefinition } from './definition.js';

export const wallDownFields = z.strictObject({
  enabled: z.boolean(),
  /** A screen silent, not painting or lagging for longer than this is down. */
  minutes: z.number().finite().positive(),
});

export type WallDownRule = z.infer<typeof wallDownFields>;

export interface WallDownDetail {
  rule: 'wallDown';
  screen: string;
  location: Names;
  /** `dark`: silent (`lastSeenAt` null: not seen since `since`); `frozen`: beating, but stuck; `ok`: back. */
  state: 'dark' | 'frozen' | 'ok';
  /** For `frozen`: it stopped painting, or stopped applying the live channel's deltas. */
  reason: FrozenReason | null;
  lastSeenAt: string | null;
  paintedAt: string | null;
  lagSince: string | null;
  /** When watching began: the server's start, for a screen never seen. */
  since: string;
  /** How long it has been dark or frozen, in minutes. */
  forMinutes: number | null;
  minutes: number;
}

/**
 * Each configured screen's verdict: a breach while it is dark, never seen or frozen (past `minutes`),
 * a clear once it is ok again. The rule's minutes are its pending period, so the alert fires at
 * once.
 */
export function observeWallDown(
  screens: readonly ScreenWatch[],
  now: Date,
  rule: WallDownRule,
): Observation<WallDownDetail>[] {
  if (!rule.enabled) return [];
  return screens.map((watched): Observation<WallDownDetail> => {
    const verdict = screenState(watched.report, now, rule.minutes, new Date(watched.since));
    const down =
      verdict.state !== 'ok' && (verdict.state !== 'never-seen' || verdict.forMinutes! > rule.minutes);
    return {
      key: { rule: 'wallDown', street: null, screen: watched.screen },
      condition: down ? 'breach' : 'clear',
      severity: 'warning',
      detail: {
        rule: 'wallDown',
        screen: watched.screen,
        location: watched.location,
        state: down ? (verdict.state === 'frozen' ? 'frozen' : 'dark') : 'ok',
        reason: verdict.reason,
        lastSeenAt: watched.report?.lastSeenAt ?? null,
        paintedAt: watched.report?.paintedAt ?? null,
        lagSince: watched.report?.lagSince ?? null,
        since: watched.since,
        forMinutes: verdict.forMinutes,
        minutes: rule.minutes,
      },
    };
  });
}

/** A duration as the text says it: seconds under a minute (a short threshold), then as every rule does. */
function duration(minutes: number | null, lang: 'zh' | 'en'): string {
  if (minutes === null || minutes >= 1) return formatDuration(minutes, lang);
  const seconds = Math.round(minutes * 60);
  return lang === 'zh' ? `${seconds} 秒` : `${seconds} s`;
}

export const wallDownRule: AlertRuleDefinition<'wallDown', WallDownRule, WallDownDetail> = {
  id: 'wallDown',
  fields: wallDownFields,
  // Walls heartbeat every 30 s at most (a fifth of this, with a short threshold): five minutes is
  // ten missed beats, past any reconnect or reload.
  defaults: { enabled: true, minutes: 5 },
  audience: ['operators'],
  timing: () => ({ pendingMinutes: 0 }),
  // A screen taken out of the configuration is no longer watched: its alert clears.
  whenUnobserved: 'clear',
  observe: (inputs, { now, ruleOf }) => observeWallDown(inputs.screens ?? [], now, ruleOf(null)),
  explain(detail, _street, context, lang) {
    const zh = lang === 'zh';
    const screen = screenLabel(detail.screen, detail.location, lang);
    const zone = context.config.city.timezone;
    const age = duration(detail.forMinutes, lang);
    const threshold = duration(detail.minutes, lang);
    const time = (iso: string | null) => formatLocalTime(iso, zone, lang);
    if (detail.state === 'frozen') {
      const why =
        detail.reason === 'seq'
          ? zh
            ? `自 ${time(detail.lagSince)} 起未应用实时更新`
            : `Live updates not applied since ${time(detail.lagSince)}`
          : zh
            ? `最后绘制: ${time(detail.paintedAt)}`
            : `Last painted: ${time(detail.paintedAt)}`;
      const beat = zh ? `最后心跳: ${time(detail.lastSeenAt)}` : `Last heartbeat: ${time(detail.lastSeenAt)}`;
      return zh
        ? { title: `大屏 ${screen}画面冻结 ${age}`, body: `${why}\n${beat}\n告警阈值 ${threshold}` }
        : { title: `Screen ${screen} frozen for ${age}`, body: `${why}\n${beat}\nThreshold ${threshold}` };
    }
    if (detail.lastSeenAt === null)
      return zh
        ? {
            title: `大屏 ${screen}自 ${time(detail.since)} 起未上线`,
            body: `服务启动后未收到心跳\n告警阈值 ${threshold}`,
          }
        : {
            title: `Screen ${screen} not seen since ${time(detail.since)}`,
            body: `No heartbeat since the server started\nThreshold ${threshold}`,
          };
    return zh
      ? {
          title: `大屏 ${screen}已离线 ${age}`,
          body: `最后心跳: ${time(detail.lastSeenAt)}\n告警阈值 ${threshold}`,
        }
      : {
          title: `Screen ${screen} dark for ${age}`,
          body: `Last heartbeat: ${time(detail.lastSeenAt)}\nThreshold ${threshold}`,
        };
  },
  explainResolved(detail, _street, context, lang) {
    const screen = screenLabel(detail.screen, detail.location, lang);
    const last = formatLocalTime(detail.lastSeenAt, context.config.city.timezone, lang);
    return lang === 'zh'
      ? { title: `大屏 ${screen}已恢复`, body: `最后心跳: ${last}` }
      : { title: `Screen ${screen} is back`, body: `Last heartbeat: ${last}` };
  },
};

/**
 * Every alert carries its explanation, in Chinese and English, short enough for a phone
 * notification: a title that says what happened, and body lines that say why — the index before and
 * after, the indicators that lost most points, the events behind them.
 */
import type { LiveStreet, Names } from '../api.js';
import type { GradeBand, StreetResult } from '../index/types.js';
import {
  FEED_NAMES,
  formatDuration,
  formatLocalTime,
  formatMonth,
  formatNumber,
  nameOf,
  CATEGORY_NAMES,
} from './format.js';
import type { AlertDetail, AlertState } from './types.js';
import { eventsLine, lossesLine, mainLosses, type IndicatorLabel, type RecentEvents } from './why.js';

/** The parts of the city configuration the text needs (a parsed CityConfig fits). */
export interface ExplainConfig {
  city: { timezone: string };
  streets: readonly { code: string; name: Names }[];
  indicators: readonly IndicatorLabel[];
  grades: readonly GradeBand[];
}

export interface ExplainContext {
  config: ExplainConfig;
  /** The street at the baseline and now, to name the indicators that moved (street rules). */
  before?: StreetResult | LiveStreet | null;
  after?: StreetResult | LiveStreet | null;
  /** The street's recent events by category and community. */
  events?: RecentEvents | null;
  /** How many indicators to name (default 3). */
  drivers?: number;
}

export interface Message {
  title: string;
  /** Lines separated by "\n". */
  body: string;
}

export type AlertText = Record<'zh' | 'en', Message>;

type Lang = 'zh' | 'en';

const point = (x: number) => formatNumber(x, 1);

function streetName(config: ExplainConfig, code: string | null): Names {
  const name = config.streets.find((street) => street.code === code)?.name ?? {
    zh: code ?? '',
    en: code ?? '',
  };
  // "金方" is spoken of as "金方街道"; a name that already says 街道 is left alone.
  return { zh: name.zh.endsWith('街道') ? name.zh : `${name.zh}街道`, en: name.en };
}

function gradeName(config: ExplainConfig, id: string | null): Names {
  const band = config.grades.find((grade) => grade.id === id);
  return band?.label ?? { zh: id ?? '无等级', en: id ?? 'no grade' };
}

/** The lines that say why a street's index moved: main losses, then events. */
function whyLines(context: ExplainContext, lang: Lang): string[] {
  const lines: string[] = [];
  if (context.before && context.after) {
    const drivers = mainLosses(context.before, context.after, context.config.indicators, context.drivers);
    const losses = lossesLine(drivers, lang);
    if (losses) lines.push(losses);
  }
  const events = context.events ? eventsLine(context.events, lang) : null;
  if (events) lines.push(events);
  return lines;
}

function text(detail: AlertDetail, street: Names, context: ExplainContext, lang: Lang): Message {
  const zh = lang === 'zh';
  const name = street[lang];
  const { config } = context;
  switch (detail.rule) {
    case 'indexDrop': {
      const days = formatNumber(detail.baselineDays, 0);
      return {
        title: zh
          ? `${name}平安指数下降 ${point(detail.drop)} 分`
          : `${name} Safety Index down ${point(detail.drop)} points`,
        body: [
          zh
            ? `由 ${point(detail.baseline)} 降至 ${point(detail.index)} (基线为近${days}日均值)`
            : `From ${point(detail.baseline)} to ${point(detail.index)} (baseline: ${days}-day mean)`,
          ...whyLines(context, lang),
        ].join('\n'),
      };
    }
    case 'gradeDown': {
      const from = gradeName(config, detail.from)[lang];
      const to = gradeName(config, detail.to)[lang];
      const below = point(detail.edge - detail.index);
      return {
        title: zh ? `${name}平安等级由${from}降至${to}` : `${name} grade down: ${from} → ${to}`,
        body: [
          zh
            ? `平安指数 ${point(detail.index)}，低于“${from}”下限 ${point(detail.edge)} 达 ${below} 分 (基线 ${point(detail.baseline)})`
            : `Index ${point(detail.index)}, ${below} below the ${from} floor of ${point(detail.edge)} (baseline ${point(detail.baseline)})`,
          ...whyLines(context, lang),
        ].join('\n'),
      };
    }
    case 'rank': {
      const k = formatNumber(detail.k, 0);
      const last = detail.k === 1;
      const position = zh
        ? `排名第 ${formatNumber(detail.rank, 0)}/${formatNumber(detail.of, 0)}，平安指数 ${point(detail.index ?? NaN)}`
        : `Rank ${formatNumber(detail.rank, 0)} of ${formatNumber(detail.of, 0)}, index ${point(detail.index ?? NaN)}`;
      return {
        title: zh
          ? `${name}${last ? '排名末位' : `排名跌入后 ${k} 位`}`
          : `${name} ${last ? 'now last in the ranking' : `now in the bottom ${k}`}`,
        body: [position, ...whyLines(context, lang)].join('\n'),
      };
    }
    case 'zeroTolerance': {
      const category = nameOf(CATEGORY_NAMES, detail.category)[lang];
      const community = detail.community ?? (zh ? '未注明' : 'not given');
      const time = formatLocalTime(detail.at, config.city.timezone, lang);
      return zh
        ? {
            title: `${name}发生${category}警情`,
            body: `类别: ${category}\n社区: ${community}\n时间: ${time}`,
          }
        : {
            title: `${category[0]?.toUpperCase() ?? ''}${category.slice(1)} reported in ${name}`,
            body: `Category: ${category}\nCommunity: ${community}\nTime: ${time}`,
          };
    }
    case 'feedStale': {
      const feed = nameOf(FEED_NAMES, detail.feed)[lang];
      const age = formatDuration(detail.staleMinutes, lang);
      const last = formatLocalTime(detail.lastSuccessAt, config.city.timezone, lang);
      const threshold = formatDuration(detail.minutes, lang);
      if (detail.staleMinutes === null)
        return zh
          ? { title: `${feed}数据源尚未成功读取`, body: `告警阈值 ${threshold}` }
          : { title: `${feed} feed has not answered yet`, body: `Threshold ${threshold}` };
      return zh
        ? { title: `${feed}数据源已 ${age}未更新`, body: `最后成功读取: ${last}\n告警阈值 ${threshold}` }
        : { title: `${feed} feed stale for ${age}`, body: `Last success: ${last}\nThreshold ${threshold}` };
    }
    case 'redMonths': {
      const lowest = [...config.grades].sort((a, b) => a.min - b.min)[0]?.label ?? { zh: '差', en: 'Poor' };
      const months = formatNumber(detail.months, 0);
      const interview = detail.months >= detail.interviewAt;
      const until = formatMonth(detail.lastMonth, lang);
      const warnAt = formatNumber(detail.warnAt, 0);
      const interviewAt = formatNumber(detail.interviewAt, 0);
      // Each month of the run with its published index: 2026年9月 64.2 · 2026年10月 61.8 …
      const run = (detail.run ?? [])
        .map((m) => `${formatMonth(m.month, lang)} ${m.index === null ? '—' : formatNumber(m.index, 1)}`)
        .join(' · ');
      const runLine = run ? `\n${run}` : '';
      return zh
        ? {
            title: `${name}连续 ${months} 个月评为${lowest.zh}，${interview ? '启动约谈' : '约谈预警'}`,
            body: `截至${until}连续 ${months} 个月处于最低等级“${lowest.zh}”${runLine}\n满 ${warnAt} 个月发约谈预警，满 ${interviewAt} 个月约谈`,
          }
        : {
            title: `${name}: ${months} months in a row graded ${lowest.en} — ${interview ? "leaders' interview" : 'warning notice'}`,
            body: `${months} consecutive months at the lowest grade (${lowest.en}) up to ${until}${runLine}\nWarning notice at ${warnAt} months, leaders' interview at ${interviewAt}`,
          };
    }
  }
}

/** The message of a resolution: what is back to normal, and the value now. */
function resolvedText(detail: AlertDetail, street: Names, context: ExplainContext, lang: Lang): Message {
  const zh = lang === 'zh';
  const name = street[lang];
  switch (detail.rule) {
    case 'indexDrop':
      return zh
        ? {
            title: `${name}平安指数已回升`,
            body: `平安指数回升至 ${point(detail.index)} (基线 ${point(detail.baseline)})`,
          }
        : {
            title: `${name} Safety Index recovered`,
            body: `Index back to ${point(detail.index)} (baseline ${point(detail.baseline)})`,
          };
    case 'gradeDown': {
      const from = gradeName(context.config, detail.from)[lang];
      return zh
        ? {
            title: `${name}平安等级已恢复`,
            body: `平安指数 ${point(detail.index)} (“${from}”下限 ${point(detail.edge)}，基线 ${point(detail.baseline)})`,
          }
        : {
            title: `${name} grade recovered`,
            body: `Index ${point(detail.index)} (${from} floor ${point(detail.edge)}, baseline ${point(detail.baseline)})`,
          };
    }
    case 'rank': {
      const k = formatNumber(detail.k, 0);
      const last = detail.k === 1;
      const rank = formatNumber(detail.rank, 0);
      const of = formatNumber(detail.of, 0);
      return zh
        ? { title: `${name}${last ? '已不在末位' : `已离开后 ${k} 位`}`, body: `排名第 ${rank}/${of}` }
        : {
            title: `${name} ${last ? 'no longer last' : `no longer in the bottom ${k}`}`,
            body: `Rank ${rank} of ${of}`,
          };
    }
    case 'redMonths': {
      const month = formatMonth(detail.lastMonth, lang);
      return zh
        ? { title: `${name}已不在最低等级`, body: `${month}已不在最低等级` }
        : { title: `${name} out of the lowest grade`, body: `Out of the lowest grade in ${month}` };
    }
    case 'feedStale': {
      const feed = nameOf(FEED_NAMES, detail.feed)[lang];
      const last = formatLocalTime(detail.lastSuccessAt, context.config.city.timezone, lang);
      return zh
        ? { title: `${feed}数据源已恢复`, body: `最后成功读取: ${last}` }
        : { title: `${feed} feed is back`, body: `Last success: ${last}` };
    }
    case 'zeroTolerance':
      return text(detail, street, context, lang);
  }
}

/**
 * The explanation of an alert in both languages. Street rules name the street (with 街道); index
 * drops, grade drops and rank alerts add the main losses between `before` and `after` and the
 * recent events when the caller passes them. A resolved alert says what is back to normal instead.
 * Severity and kind tags (【严重·升级】) are left to the channels, which add them to every title.
 */
export function explainAlert(
  alert: Pick<AlertState, 'street' | 'detail'> & { status?: AlertState['status'] },
  context: ExplainContext,
): AlertText {
  const street = streetName(context.config, alert.street);
  const message = alert.status === 'resolved' ? resolvedText : text;
  return {
    zh: message(alert.detail, street, context, 'zh'),
    en: message(alert.detail, street, context, 'en'),
  };
}

/**
 * Numbers, times and labels for notification text. Every formatter answers a string for any input —
 * "—" for a missing or non-finite number — so a message can never read "undefined" or "NaN".
 */
import type { Names } from '../names.js';
import { FEED_CATALOGUE } from '../feeds/index.js';

/** The typographic minus: "−1.9" reads better than "-1.9" on a phone. */
export const MINUS = '−';
export const MISSING = '—';

const finite = (x: number | null | undefined): x is number => typeof x === 'number' && Number.isFinite(x);

/** Decimals that suit the largest magnitude: 1234 → 0, 86.8 → 1, 0.35 → 2. */
export function decimalsFor(...values: (number | null | undefined)[]): number {
  const largest = Math.max(0, ...values.filter(finite).map(Math.abs));
  return largest >= 100 ? 0 : largest >= 1 ? 1 : 2;
}

/** A number at fixed decimals, with a typographic minus; "—" when missing. Never "−0.0". */
export function formatNumber(x: number | null | undefined, decimals = decimalsFor(x)): string {
  if (!finite(x)) return MISSING;
  const digits = Math.abs(x).toFixed(decimals);
  return x < 0 && Number(digits) !== 0 ? MINUS + digits : digits;
}

/** A change with its sign: "+3.5", "−1.9", "0.0". */
export function formatSigned(x: number | null | undefined, decimals = decimalsFor(x)): string {
  if (!finite(x)) return MISSING;
  const digits = Math.abs(x).toFixed(decimals);
  if (Number(digits) === 0) return digits;
  return (x < 0 ? MINUS : '+') + digits;
}

/** A value with its unit: "7.5 起/万人", "92.0%". */
export function withUnit(text: string, unit: string): string {
  if (unit === '') return text;
  return unit === '%' ? `${text}%` : `${text} ${unit}`;
}

/** A duration in minutes: "25 分钟" / "25 min", from two hours on "3.5 小时" / "3.5 h". */
export function formatDuration(minutes: number | null | undefined, lang: 'zh' | 'en'): string {
  if (!finite(minutes)) return MISSING;
  if (minutes < 120) return lang === 'zh' ? `${Math.round(minutes)} 分钟` : `${Math.round(minutes)} min`;
  const hours = formatNumber(minutes / 60, 1);
  return lang === 'zh' ? `${hours} 小时` : `${hours} h`;
}

const MONTHS_EN = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function localParts(at: number, timeZone: string): Record<string, number> {
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
    });
  } catch {
    // An unknown zone (the configuration validates it, so only a caller's mistake) falls back to UTC.
    return localParts(at, 'UTC');
  }
  return Object.fromEntries(format.formatToParts(at).map((part) => [part.type, Number(part.value)]));
}

/** An instant in the city's local time: "11月25日 14:32" / "25 Nov 14:32"; "—" when unreadable. */
export function formatLocalTime(iso: string | null | undefined, timeZone: string, lang: 'zh' | 'en'): string {
  const at = iso == null ? NaN : Date.parse(iso);
  if (!finite(at)) return MISSING;
  const { month = 1, day = 1, hour = 0, minute = 0 } = localParts(at, timeZone);
  const time = `${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}`;
  return lang === 'zh' ? `${month}月${day}日 ${time}` : `${day} ${MONTHS_EN[month - 1] ?? month} ${time}`;
}

/** A month YYYY-MM: "2026年10月" / "Oct 2026"; the text itself when it is not one. */
export function formatMonth(month: string, lang: 'zh' | 'en'): string {
  const match = /^(\d{4})-(\d{2})$/.exec(month);
  if (!match) return month;
  const number = Number(match[2]);
  return lang === 'zh' ? `${match[1]}年${number}月` : `${MONTHS_EN[number - 1] ?? match[2]} ${match[1]}`;
}

/** Incident categories (feeds/incident.ts) in both languages. */
export const CATEGORY_NAMES: Readonly<Record<string, Names>> = {
  robbery: { zh: '抢劫', en: 'robbery' },
  snatching: { zh: '抢夺', en: 'snatching' },
  theft: { zh: '盗窃', en: 'theft' },
  vice: { zh: '黄赌', en: 'vice' },
  assault: { zh: '伤害', en: 'assault' },
  fraud: { zh: '诈骗', en: 'fraud' },
  dispute: { zh: '纠纷', en: 'dispute' },
  traffic: { zh: '交通', en: 'traffic' },
  fire: { zh: '火灾', en: 'fire' },
  other: { zh: '其他', en: 'other' },
};

/** The feeds in both languages: each feed definition's names (shared/feeds). */
export const FEED_NAMES: Readonly<Record<string, Names>> = FEED_CATALOGUE.names;

/** A name from a table, or the id itself in both languages when the table does not know it. */
export function nameOf(table: Readonly<Record<string, Names>>, id: string): Names {
  return table[id] ?? { zh: id, en: id };
}

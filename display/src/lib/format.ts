/**
 * Numbers and times as the wall prints them. Every helper answers a string for every input: an
 * unknown value (null, undefined, NaN, ±Infinity) is "—", so nothing on screen ever reads
 * "undefined" or "NaN" or is left blank.
 */
import type { Measure } from '$shared/index/types.js';

export const MISSING = '—';

const isKnown = (value: number | null | undefined): value is number =>
  typeof value === 'number' && Number.isFinite(value);

/** A number with fixed decimals; −0.0 prints as 0.0. */
export function fixed(value: number | null | undefined, decimals: number): string {
  if (!isKnown(value)) return MISSING;
  const text = value.toFixed(decimals);
  return /^-0\.?0*$/.test(text) ? text.slice(1) : text;
}

/** An index or a score (0–100): one decimal. */
export const formatIndex = (value: number | null | undefined): string => fixed(value, 1);

/** Points of the index (a contribution, points lost): two decimals, since they are small. */
export const formatPoints = (value: number | null | undefined): string => fixed(value, 2);

/** A rank: "1", or "—" for a street without an index. */
export const formatRank = (value: number | null | undefined): string =>
  isKnown(value) ? String(Math.round(value)) : MISSING;

/**
 * Decimals that suit a raw value of a measure: percentages to 0.1, counts whole, rates per 10k
 * and yuan per resident to 0.01, means (a wait in minutes, a survey score of 5) by their size.
 */
export function rawDecimals(measure: Measure | undefined, value: number): number {
  const size = Math.abs(value);
  switch (measure) {
    case 'ratio':
      return 1;
    case 'count':
      return Number.isInteger(value) ? 0 : 1;
    case 'count_per_10k':
    case 'sum_per_capita':
      return 2;
    case 'mean':
      return size >= 10 ? 1 : 2;
    case 'manual':
    case undefined:
      return size >= 100 ? 0 : size >= 10 ? 1 : 2;
  }
}

/** A raw indicator value, without its unit. */
export function formatRaw(value: number | null | undefined, measure: Measure | undefined): string {
  return isKnown(value) ? fixed(value, rawDecimals(measure, value)) : MISSING;
}

/** Whether a unit is written tight against the number ("95.0%") rather than after a space. */
export const unitIsTight = (unit: string): boolean => unit === '%' || unit === '‰';

/** An instant: a Date, an ISO string or epoch milliseconds. */
export type Instant = Date | string | number;

function toDate(at: Instant | null | undefined): Date | null {
  if (at === null || at === undefined) return null;
  const date = at instanceof Date ? at : new Date(at);
  return Number.isNaN(date.getTime()) ? null : date;
}

const PARTS: Intl.DateTimeFormatOptions = {
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
};

/** Formatters by time zone: making one costs far more than using it, and the wall formats every second. */
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string | undefined): Intl.DateTimeFormat {
  const key = timeZone ?? '';
  let format = formatters.get(key);
  if (!format) {
    try {
      format = new Intl.DateTimeFormat('en-GB', { timeZone, ...PARTS });
    } catch {
      format = new Intl.DateTimeFormat('en-GB', PARTS);
    }
    // A handful of zones at most; the bound only guards against a caller passing garbage forever.
    if (formatters.size > 16) formatters.clear();
    formatters.set(key, format);
  }
  return format;
}

/** Date and time of day in a time zone; the browser's when the zone is unknown or not a valid zone. */
function zonedParts(at: Date, timeZone: string | undefined): { date: string; time: string } {
  const parts = formatterFor(timeZone).formatToParts(at);
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '00';
  return {
    date: `${part('year')}-${part('month')}-${part('day')}`,
    time: `${part('hour')}:${part('minute')}:${part('second')}`,
  };
}

/** "HH:MM:SS" in a time zone (the city's). */
export function formatClock(at: Instant | null | undefined, timeZone?: string): string {
  const date = toDate(at);
  return date ? zonedParts(date, timeZone).time : MISSING;
}

/** "YYYY-MM-DD HH:MM:SS" in a time zone (the city's). */
export function formatDateTime(at: Instant | null | undefined, timeZone?: string): string {
  const date = toDate(at);
  if (!date) return MISSING;
  const { date: day, time } = zonedParts(date, timeZone);
  return `${day} ${time}`;
}

/** Text that must not be blank: a trimmed string, or "—". */
export const orMissing = (text: string | null | undefined): string => text?.trim() || MISSING;

/** "HH:MM" in a time zone: the ticker's time of an event. */
export function formatHourMinute(at: Instant | null | undefined, timeZone?: string): string {
  const date = toDate(at);
  return date ? zonedParts(date, timeZone).time.slice(0, 5) : MISSING;
}

/** "YYYY-MM-DD" in a time zone. */
export function formatDate(at: Instant | null | undefined, timeZone?: string): string {
  const date = toDate(at);
  return date ? zonedParts(date, timeZone).date : MISSING;
}

type Lang = 'zh' | 'en';

/** A count of things: whole, with thousands separators. */
export function formatCount(value: number | null | undefined): string {
  return isKnown(value) ? Math.round(value).toLocaleString('en-US') : MISSING;
}

/** A share in percent: "96.4%". */
export function formatPercent(value: number | null | undefined, decimals = 1): string {
  return isKnown(value) ? `${fixed(value, decimals)}%` : MISSING;
}

/** Minutes (a mean wait): "12.5 分钟" / "12.5 min"; whole minutes from 100 on. */
export function formatMinutes(value: number | null | undefined, lang: Lang): string {
  if (!isKnown(value)) return MISSING;
  const text = fixed(value, Math.abs(value) >= 100 ? 0 : 1);
  return lang === 'zh' ? `${text} 分钟` : `${text} min`;
}

/**
 * Yuan, short enough for a wall: Chinese counts in 万 (10,000) from 10,000 on ("¥3.25万"),
 * English in k and M ("¥32.5k"); below that, whole yuan ("¥860").
 */
export function formatYuan(value: number | null | undefined, lang: Lang): string {
  if (!isKnown(value)) return MISSING;
  const size = Math.abs(value);
  const sign = value < 0 ? '-' : '';
  const short = (n: number) => fixed(n, n >= 100 ? 0 : n >= 10 ? 1 : 2);
  if (lang === 'zh') {
    if (size >= 1e8) return `${sign}¥${short(size / 1e8)}亿`;
    if (size >= 1e4) return `${sign}¥${short(size / 1e4)}万`;
  } else {
    if (size >= 1e6) return `${sign}¥${short(size / 1e6)}M`;
    if (size >= 1e4) return `${sign}¥${short(size / 1e3)}k`;
  }
  return `${sign}¥${Math.round(size).toLocaleString('en-US')}`;
}

/**
 * How old something is, in its largest whole unit: "3 s", "5 min", "2 h", "4 d" (Chinese: "3 秒",
 * "5 分钟", …). A small negative age (a clock a little ahead) reads as 0 s.
 */
export function formatAge(seconds: number | null | undefined, lang: Lang): string {
  if (!isKnown(seconds)) return MISSING;
  const s = Math.max(0, seconds);
  const [amount, unit] =
    s < 60
      ? [Math.floor(s), lang === 'zh' ? '秒' : 's']
      : s < 3600
        ? [Math.floor(s / 60), lang === 'zh' ? '分钟' : 'min']
        : s < 86_400
          ? [Math.floor(s / 3600), lang === 'zh' ? '小时' : 'h']
          : [Math.floor(s / 86_400), lang === 'zh' ? '天' : 'd'];
  return `${amount} ${unit}`;
}

/** Seconds between two instants (later − earlier); null when either is unknown. */
export function secondsBetween(earlier: Instant | null | undefined, later: Instant | null | undefined) {
  const from = toDate(earlier);
  const to = toDate(later);
  return from && to ? (to.getTime() - from.getTime()) / 1000 : null;
}

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

/** Date and time of day in a time zone; the browser's when the zone is unknown or not a valid zone. */
function zonedParts(at: Date, timeZone: string | undefined): { date: string; time: string } {
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat('en-GB', { timeZone, ...PARTS });
  } catch {
    format = new Intl.DateTimeFormat('en-GB', PARTS);
  }
  const parts = format.formatToParts(at);
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

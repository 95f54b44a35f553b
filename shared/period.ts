/**
 * Periods and local dates. Periods are reckoned in the city's local calendar: a month `2026-11`
 * or a day `2026-11-25`. Dates are ISO strings (YYYY-MM-DD), which order as they compare.
 */

export interface Period {
  period: string;
  kind: 'month' | 'day';
  /** First local date of the period. */
  start: string;
  /** Last local date of the period. */
  end: string;
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/**
 * Parses `YYYY-MM` or `YYYY-MM-DD` from 1970 to 9999; returns an error message naming the problem
 * otherwise.
 */
export function parsePeriod(text: string): Period | { error: string } {
  const match = /^(\d{4})-(\d{2})(?:-(\d{2}))?$/.exec(text.trim());
  if (!match) return { error: `"${text}" is not a month YYYY-MM or a day YYYY-MM-DD` };
  const year = Number(match[1]);
  const month = Number(match[2]);
  // Stored times run from 1970 to 9999 (the API refuses instants outside them): so do periods.
  if (year < 1970) return { error: `"${text}" is outside 1970-01-01 to 9999-12-31` };
  if (month < 1 || month > 12) return { error: `"${text}" has no month ${month}` };
  const last = daysInMonth(year, month);
  if (match[3] === undefined) {
    const period = `${pad(year, 4)}-${pad(month)}`;
    return { period, kind: 'month', start: `${period}-01`, end: `${period}-${pad(last)}` };
  }
  const day = Number(match[3]);
  if (day < 1 || day > last) return { error: `"${text}" has no day ${day}` };
  const date = `${pad(year, 4)}-${pad(month)}-${pad(day)}`;
  return { period: date, kind: 'day', start: date, end: date };
}

/**
 * A formatter of a kind for a time zone, built once: building one costs far more than formatting
 * with it.
 */
function formatter(
  cache: Map<string, Intl.DateTimeFormat>,
  locale: string,
  timeZone: string,
  options: Intl.DateTimeFormatOptions,
): Intl.DateTimeFormat {
  let format = cache.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat(locale, { ...options, timeZone });
    cache.set(timeZone, format);
  }
  return format;
}

const dateFormats = new Map<string, Intl.DateTimeFormat>();

/** The local calendar date of an instant in an IANA time zone. */
export function localDate(at: Date, timeZone: string): string {
  // en-CA formats as YYYY-MM-DD.
  const options = { year: 'numeric', month: '2-digit', day: '2-digit' } as const;
  return formatter(dateFormats, 'en-CA', timeZone, options).format(at);
}

/** An ISO date moved by a number of days. */
export function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

/** Whole days from one ISO date to another (positive when `to` is later). */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

/** Whether a string is a valid IANA time zone name. */
export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

const formats = new Map<string, Intl.DateTimeFormat>();

/** Milliseconds a time zone is ahead of UTC at an instant (formatters are built once per zone). */
export function zoneOffset(at: number, timeZone: string): number {
  const format = formatter(formats, 'en-US', timeZone, {
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  });
  const parts = Object.fromEntries(format.formatToParts(at).map((part) => [part.type, Number(part.value)]));
  const local = Date.UTC(
    parts.year!,
    parts.month! - 1,
    parts.day!,
    parts.hour!,
    parts.minute!,
    parts.second!,
  );
  return local - Math.floor(at / 1000) * 1000;
}

/** The instant a local date begins in a time zone (its midnight, daylight saving included). */
export function startOfLocalDate(date: string, timeZone: string): Date {
  const guess = Date.parse(`${date}T00:00:00Z`);
  const first = guess - zoneOffset(guess, timeZone);
  // Across a change of offset, the offset at the answer is the one that counts.
  return new Date(guess - zoneOffset(first, timeZone));
}

/**
 * The first day of the quarter after the one `date` falls in: when a weight set agreed at a
 * quarter's review meeting comes into force.
 *
 * @example nextQuarterStart('2026-12-02') // '2027-01-01'
 * @example nextQuarterStart('2027-01-01') // '2027-04-01'
 */
export function nextQuarterStart(date: string): string {
  const year = Number(date.slice(0, 4));
  const month = Number(date.slice(5, 7));
  const next = Math.floor((month - 1) / 3) * 3 + 4;
  return next > 12 ? `${pad(year + 1, 4)}-01-01` : `${pad(year, 4)}-${pad(next)}-01`;
}

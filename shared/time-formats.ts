/**
 * Times as foreign systems write them: ISO 8601 (with an offset, or local to a named zone), epoch
 * seconds or milliseconds, or a pattern such as `YYYY-MM-DD HH:mm:ss` in a named zone. Parsing
 * gives an instant or a sentence saying why not; formatting writes an instant back the same way
 * (a time cursor sent to the system that gave it).
 */
import { z } from 'zod';
import { isTimeZone, zoneOffset } from './period.js';

/** The pattern tokens, longest first so that `SSS` is not read as three `S`. */
const TOKENS = ['YYYY', 'SSS', 'MM', 'DD', 'HH', 'mm', 'ss'] as const;
type Token = (typeof TOKENS)[number];

/** `iso`, `epoch_s`, `epoch_ms`, or a pattern of YYYY MM DD HH mm ss SSS and literal characters. */
export const timeFormatSchema = z.union([
  z.enum(['iso', 'epoch_s', 'epoch_ms']),
  z
    .string()
    .refine(
      (pattern) => pattern.includes('YYYY') && pattern.includes('MM') && pattern.includes('DD'),
      'expected iso, epoch_s, epoch_ms, or a pattern with YYYY, MM and DD (and HH, mm, ss, SSS)',
    ),
]);
export type TimeFormat = z.infer<typeof timeFormatSchema>;

export const timeZoneSchema = z
  .string()
  .refine(isTimeZone, 'expected an IANA time zone such as Asia/Shanghai');

/** How a field's time is written; `zone` is where local times are (default: the city's). */
export interface TimeSpec {
  format: TimeFormat;
  zone: string;
}

/** The instant of a local wall-clock time in a zone (daylight saving included). */
export function fromLocal(
  parts: {
    year: number;
    month: number;
    day: number;
    hour: number;
    minute: number;
    second: number;
    ms: number;
  },
  zone: string,
): number {
  const guess = Date.UTC(
    parts.year,
    parts.month - 1,
    parts.day,
    parts.hour,
    parts.minute,
    parts.second,
    parts.ms,
  );
  const first = guess - zoneOffset(guess, zone);
  return guess - zoneOffset(first, zone);
}

/** A pattern cut into its tokens and literal text, with the regex that reads it. */
interface CompiledPattern {
  parts: (Token | { literal: string })[];
  regex: RegExp;
  /** The tokens in the order the regex captures them. */
  order: Token[];
}

const compiled = new Map<string, CompiledPattern>();

function compile(pattern: string): CompiledPattern {
  let found = compiled.get(pattern);
  if (found) return found;
  const parts: CompiledPattern['parts'] = [];
  for (let i = 0; i < pattern.length;) {
    const token = TOKENS.find((t) => pattern.startsWith(t, i));
    parts.push(token ?? { literal: pattern[i]! });
    i += token?.length ?? 1;
  }
  const source = parts
    .map((part) =>
      typeof part !== 'string'
        ? part.literal.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
        : part === 'YYYY'
          ? '(\\d{4})'
          : part === 'SSS'
            ? '(\\d{3})'
            : '(\\d{2})',
    )
    .join('');
  const order = parts.filter((part): part is Token => typeof part === 'string');
  found = { parts, regex: new RegExp(`^${source}$`), order };
  compiled.set(pattern, found);
  return found;
}

const ISO_LOCAL = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?$/;
const HAS_OFFSET = /(?:Z|[+-]\d{2}:?\d{2})$/i;
/** Epoch values between 1970 and 2100: anything else is a unit mistake, not a time. */
const EPOCH_MAX_S = 4_102_444_800;

function valid(year: number, month: number, day: number, hour: number, minute: number, second: number) {
  const date = new Date(Date.UTC(year, month - 1, day));
  return (
    date.getUTCMonth() === month - 1 && date.getUTCDate() === day && hour < 24 && minute < 60 && second < 60
  );
}

/** An instant from a value written in `spec`, or why it is not one. */
export function parseTime(value: unknown, spec: TimeSpec): Date | { error: string } {
  const shown = typeof value === 'string' ? `"${value}"` : String(value);
  if (spec.format === 'epoch_s' || spec.format === 'epoch_ms') {
    const number =
      typeof value === 'number'
        ? value
        : typeof value === 'string' && value.trim() !== ''
          ? Number(value)
          : NaN;
    const seconds = spec.format === 'epoch_s' ? number : number / 1000;
    if (!Number.isFinite(number) || seconds < 0 || seconds > EPOCH_MAX_S)
      return {
        error: `${shown} is not a time in ${spec.format === 'epoch_s' ? 'epoch seconds' : 'epoch milliseconds'}`,
      };
    return new Date(Math.round(seconds * 1000));
  }
  // A pattern of digits only (YYYYMMDDHHmmss) comes as a number from systems that store it as one.
  const digitsOnly = spec.format !== 'iso' && /^[YMDHmsS]+$/.test(spec.format);
  const written =
    typeof value === 'number' && digitsOnly && Number.isSafeInteger(value) ? String(value) : value;
  if (typeof written !== 'string')
    return { error: `${shown} is not a time (expected ${describeFormat(spec)})` };
  const text = written.trim();
  if (spec.format === 'iso') {
    if (HAS_OFFSET.test(text)) {
      const at = Date.parse(text);
      return Number.isNaN(at) || !/^\d{4}-\d{2}-\d{2}T/.test(text)
        ? { error: `${shown} is not an ISO 8601 time` }
        : new Date(at);
    }
    const m = ISO_LOCAL.exec(text);
    if (!m) return { error: `${shown} is not an ISO 8601 time` };
    const [year, month, day, hour = 0, minute = 0, second = 0] = m.slice(1, 7).map((p) => Number(p ?? 0));
    if (!valid(year!, month!, day!, hour, minute, second))
      return { error: `${shown} is not a valid date and time` };
    const ms = m[7] ? Math.round(Number(`0.${m[7]}`) * 1000) : 0;
    return new Date(
      fromLocal({ year: year!, month: month!, day: day!, hour, minute, second, ms }, spec.zone),
    );
  }
  const { regex, order } = compile(spec.format);
  const m = regex.exec(text);
  if (!m) return { error: `${shown} does not match ${spec.format}` };
  const part = (token: Token, fallback: number) => {
    const index = order.indexOf(token);
    return index < 0 ? fallback : Number(m[index + 1]);
  };
  const parts = {
    year: part('YYYY', 1970),
    month: part('MM', 1),
    day: part('DD', 1),
    hour: part('HH', 0),
    minute: part('mm', 0),
    second: part('ss', 0),
    ms: part('SSS', 0),
  };
  if (!valid(parts.year, parts.month, parts.day, parts.hour, parts.minute, parts.second))
    return { error: `${shown} is not a valid date and time` };
  return new Date(fromLocal(parts, spec.zone));
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** An instant written in `spec` (ISO with the zone's offset; epochs as numbers). */
export function formatTime(at: Date, spec: TimeSpec): string | number {
  const ms = at.getTime();
  if (spec.format === 'epoch_ms') return ms;
  if (spec.format === 'epoch_s') return Math.floor(ms / 1000);
  const offset = zoneOffset(ms, spec.zone);
  const local = new Date(ms + offset);
  const values: Record<Token, string> = {
    YYYY: pad(local.getUTCFullYear(), 4),
    MM: pad(local.getUTCMonth() + 1),
    DD: pad(local.getUTCDate()),
    HH: pad(local.getUTCHours()),
    mm: pad(local.getUTCMinutes()),
    ss: pad(local.getUTCSeconds()),
    SSS: pad(local.getUTCMilliseconds(), 3),
  };
  if (spec.format === 'iso') {
    const sign = offset < 0 ? '-' : '+';
    const minutes = Math.abs(Math.round(offset / 60_000));
    return `${values.YYYY}-${values.MM}-${values.DD}T${values.HH}:${values.mm}:${values.ss}.${values.SSS}${sign}${pad(Math.floor(minutes / 60))}:${pad(minutes % 60)}`;
  }
  return compile(spec.format)
    .parts.map((part) => (typeof part === 'string' ? values[part] : part.literal))
    .join('');
}

function describeFormat(spec: TimeSpec): string {
  return spec.format === 'iso' ? 'ISO 8601' : `${spec.format} in ${spec.zone}`;
}

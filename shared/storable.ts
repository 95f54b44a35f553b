/**
 * Input the database can store, refused at its schema (a 400 naming the field) rather than by the
 * database (a 500). PostgreSQL's `text` and `jsonb` refuse the NUL character (U+0000); records kept
 * for inspection (a feed's quarantine) have it replaced instead. Instants are held to the years
 * 1970–9999: PostgreSQL has no year 0, JavaScript writes year 10000 as `+010000`, which it cannot
 * read, and a time outside those years is a typo in this domain, not a plan.
 */
import { z } from 'zod';

export const NUL_MESSAGE = 'must not contain a NUL character';

const NUL = '\u0000';

/** Whether a string is free of NUL characters. */
export const hasNoNul = (text: string): boolean => !text.includes(NUL);

/** A string schema that also refuses a NUL character: `withoutNul(z.string().max(100))`. */
export function withoutNul<T extends z.ZodString>(schema: T): T {
  return schema.refine(hasNoNul, NUL_MESSAGE);
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype;

/**
 * The path of every string in a JSON-like value that holds a NUL, object keys included (jsonb
 * refuses them too): `[['channels', 0, 'config', 'secret']]`.
 */
export function nulPaths(value: unknown, path: (string | number)[] = []): (string | number)[][] {
  if (typeof value === 'string') return hasNoNul(value) ? [] : [path];
  if (Array.isArray(value)) return value.flatMap((item, i) => nulPaths(item, [...path, i]));
  if (!isPlainObject(value)) return [];
  return Object.entries(value).flatMap(([key, item]) =>
    hasNoNul(key) ? nulPaths(item, [...path, key]) : [[...path, key]],
  );
}

/** For `.superRefine`: one issue for each string of the value that holds a NUL, at its path. */
export function refuseNul(value: unknown, ctx: z.RefinementCtx): void {
  for (const path of nulPaths(value)) ctx.addIssue({ code: 'custom', path, message: NUL_MESSAGE });
}

/**
 * A JSON-like value with every NUL (in strings and keys) replaced by U+FFFD, the character that
 * stands for one that could not be kept: for a refused record stored so that a person can see it.
 */
export function replaceNul<T>(value: T): T {
  if (typeof value === 'string') return value.replaceAll(NUL, '\uFFFD') as T;
  if (Array.isArray(value)) return value.map(replaceNul) as T;
  if (!isPlainObject(value)) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => [replaceNul(key), replaceNul(item)]),
  ) as T;
}

const EARLIEST = Date.UTC(1970, 0, 1);
const END = Date.UTC(10000, 0, 1);

export const INSTANT_RANGE_MESSAGE = 'must be between 1970-01-01T00:00:00Z and 9999-12-31T23:59:59Z';

/** Whether an instant lies within the years 1970–9999. */
export const isStorableTime = (at: Date): boolean => at.getTime() >= EARLIEST && at.getTime() < END;

/** An ISO 8601 time with an offset (or Z), within the years 1970–9999. */
export function storableInstant() {
  return z.iso
    .datetime({
      offset: true,
      error: (issue) =>
        issue.input === undefined ? 'is required' : 'expected an ISO 8601 time with an offset',
      abort: true,
    })
    .refine((text) => isStorableTime(new Date(text)), INSTANT_RANGE_MESSAGE);
}

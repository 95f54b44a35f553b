/**
 * How a feed is requested and paged, as its configuration says: credentials (`auth`), extra query
 * parameters, GET or a POST with a JSON body template, a CA of its own, a request rate, and one of
 * four ways of paging through what it holds (`paging`). The reading of a page and the moving on
 * from one to the next are in shared/feed-paging.ts; the requests themselves in server/feeds.
 */
import { z } from 'zod';
import { ENV_REFERENCE } from './env-reference.js';
import { timeFormatSchema, timeZoneSchema } from './time-formats.js';
import { jsonValue } from './json-value.js';

const nonEmpty = z.string().trim().min(1);

/** A secret stays in the environment: the configuration (a file, the admin's answers) names it only. */
const secretReference = z
  .string()
  .regex(
    ENV_REFERENCE,
    'expected env:NAME: a secret is read from the server environment, never written here',
  );

/** A literal, or `env:NAME` read from the environment. */
const literalOrReference = nonEmpty.refine(
  (value) => !value.startsWith('env:') || ENV_REFERENCE.test(value),
  'expected env:NAME with NAME an environment variable name',
);

/**
 * Credentials sent in the `authorization` header: a bearer token, or HTTP basic (RFC 7617). The
 * token and the password are `env:NAME` references under the allowed prefix.
 */
export const feedAuthSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('bearer'), token: secretReference }),
  z.strictObject({
    type: z.literal('basic'),
    // RFC 7617: the user-id cannot hold a colon, which separates it from the password.
    username: literalOrReference.refine((name) => !name.includes(':'), 'a user name cannot hold ":"'),
    password: secretReference,
  }),
]);
export type FeedAuth = z.infer<typeof feedAuthSchema>;

/** Parameters added to every request's query (a tenant, a region code, an API key as `env:NAME`). */
const feedQuerySchema = z
  .record(nonEmpty, z.union([literalOrReference, z.number(), z.boolean()]))
  .default({});

/** A query parameter's name. */
const paramName = nonEmpty;
/** Where a value is in an answer: `items`, `data.list`, `result.page.total`. */
const answerPath = z
  .string()
  .regex(/^[^.\s]+(?:\.[^.\s]+)*$/, 'expected a dotted path such as data.list (no spaces, no empty part)');

/**
 * Sent only on the first request (opaque cursor) or with every request (page numbers, offsets,
 * which count from it): now − backfillDays, so that a first start asks only for what it keeps.
 */
const startSchema = z.strictObject({
  param: paramName,
  format: timeFormatSchema.default('iso'),
  /** Where a local time is written; default the city's time zone. */
  zone: timeZoneSchema.optional(),
});

const itemsPath = { items: answerPath.default('items') };

/** The feed's own cursor: `since`/`limit` in, `next`/`hasMore` out (our envelope) by default. */
const cursorPaging = z.strictObject({
  mode: z.literal('cursor'),
  ...itemsPath,
  cursorParam: paramName.default('since'),
  limitParam: paramName.default('limit'),
  nextPath: answerPath.default('next'),
  hasMorePath: answerPath.default('hasMore'),
  start: startSchema.optional(),
});

/** Page numbers: a short page (or the total) says it is the last. */
const pagePaging = z.strictObject({
  mode: z.literal('page'),
  ...itemsPath,
  pageParam: paramName.default('page'),
  sizeParam: paramName.default('size'),
  firstPage: z.union([z.literal(0), z.literal(1)]).default(1),
  /** The number of items the feed holds, when it says: it ends the paging before a short page. */
  totalPath: answerPath.optional(),
  start: startSchema.optional(),
});

/** Offsets: a short page (or the total) says it is the last. */
const offsetPaging = z.strictObject({
  mode: z.literal('offset'),
  ...itemsPath,
  offsetParam: paramName.default('offset'),
  limitParam: paramName.default('limit'),
  totalPath: answerPath.optional(),
  start: startSchema.optional(),
});

/**
 * A time cursor: the largest `updatedAt` stored so far minus `overlapSeconds`, so that an item
 * committed late with an earlier time (or sharing a second with a page's last) is still read. What
 * the overlap brings again is recognised and not stored twice.
 */
const updatedAfterPaging = z.strictObject({
  mode: z.literal('updatedAfter'),
  ...itemsPath,
  param: paramName.default('updated_after'),
  format: timeFormatSchema.default('iso'),
  zone: timeZoneSchema.optional(),
  overlapSeconds: z.number().int().min(0).max(86_400).default(60),
  limitParam: paramName.default('limit'),
});

export const pagingSchema = z.discriminatedUnion('mode', [
  cursorPaging,
  pagePaging,
  offsetPaging,
  updatedAfterPaging,
]);
export type Paging = z.infer<typeof pagingSchema>;
export type PagingMode = Paging['mode'];

/**
 * The feed's server certificate is checked against this CA (a PEM) instead of the public ones: from
 * `env:NAME`, or from a file (a path from the server's working directory). One of the two.
 */
const tlsSchema = z
  .strictObject({ ca: secretReference.optional(), caFile: nonEmpty.optional() })
  .refine((tls) => (tls.ca === undefined) !== (tls.caFile === undefined), 'expected one of ca or caFile');

/** The paging values a body template may hold, each as `{name}`. */
export const PLACEHOLDERS = ['cursor', 'page', 'offset', 'limit', 'after', 'start'] as const;
export type Placeholder = (typeof PLACEHOLDERS)[number];
const PLACEHOLDER = /\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** The fields of a feed's configuration this module adds (spread into feedConfigSchema). */
export const feedRequestFields = {
  auth: feedAuthSchema.optional(),
  query: feedQuerySchema,
  method: z.enum(['GET', 'POST']).default('GET'),
  /** POST only: the JSON sent, whose strings may hold placeholders such as "{page}" (PLACEHOLDERS). */
  body: z.record(z.string(), jsonValue).optional(),
  tls: tlsSchema.optional(),
  /** At least this long between the starts of two requests to the feed: pages, retries and runs. */
  minIntervalMs: z.number().int().min(0).max(3_600_000).optional(),
  paging: pagingSchema.prefault({ mode: 'cursor' }),
};

/** Each query parameter the paging sets in a GET, by its configured name. */
export function pagingParamNames(paging: Paging): string[] {
  const start = paging.mode !== 'updatedAfter' && paging.start ? [paging.start.param] : [];
  switch (paging.mode) {
    case 'cursor':
      return [paging.cursorParam, paging.limitParam, ...start];
    case 'page':
      return [paging.pageParam, paging.sizeParam, ...start];
    case 'offset':
      return [paging.offsetParam, paging.limitParam, ...start];
    case 'updatedAfter':
      return [paging.param, paging.limitParam];
  }
}

/** The placeholder that says where a mode's position goes: a body without it asks for one page for ever. */
const POSITION_PLACEHOLDER: Record<PagingMode, Placeholder> = {
  cursor: 'cursor',
  page: 'page',
  offset: 'offset',
  updatedAfter: 'after',
};

/** Every `{name}` in the strings of a JSON value, with the path of the string. */
function placeholdersIn(
  value: unknown,
  path: (string | number)[] = [],
): { name: string; path: (string | number)[] }[] {
  if (typeof value === 'string') return [...value.matchAll(PLACEHOLDER)].map((m) => ({ name: m[1]!, path }));
  if (Array.isArray(value)) return value.flatMap((item, i) => placeholdersIn(item, [...path, i]));
  if (typeof value === 'object' && value !== null)
    return Object.entries(value).flatMap(([key, item]) => placeholdersIn(item, [...path, key]));
  return [];
}

interface RequestSettings {
  headers: Record<string, string>;
  auth?: FeedAuth;
  query: Record<string, unknown>;
  method: 'GET' | 'POST';
  body?: Record<string, unknown>;
  paging: Paging;
}

/**
 * The checks across a feed's fields (for `.superRefine`): a body only with POST and always with it,
 * holding the mode's position; no query parameter or header set twice.
 */
export function checkFeedRequest(config: RequestSettings, ctx: z.RefinementCtx): void {
  const issue = (path: (string | number)[], message: string) =>
    ctx.addIssue({ code: 'custom', path, message });
  if (config.method === 'GET' && config.body !== undefined)
    issue(['body'], 'only sent with "method": "POST"');
  if (config.method === 'POST') {
    if (config.body === undefined)
      issue(['body'], 'required with "method": "POST": the JSON sent, with placeholders such as "{page}"');
    else {
      const found = placeholdersIn(config.body);
      for (const { name, path } of found)
        if (!(PLACEHOLDERS as readonly string[]).includes(name))
          issue(
            ['body', ...path],
            `unknown placeholder {${name}} (one of ${PLACEHOLDERS.map((p) => `{${p}}`).join(', ')})`,
          );
      const needed = POSITION_PLACEHOLDER[config.paging.mode];
      if (!found.some((p) => p.name === needed))
        issue(
          ['body'],
          `holds no "{${needed}}": in ${config.paging.mode} paging every request would ask for the same page`,
        );
    }
  }
  if (config.auth && Object.keys(config.headers).some((name) => name.toLowerCase() === 'authorization'))
    issue(['auth'], 'headers already set authorization: keep one of the two');
  if (config.method === 'GET') {
    const paged = pagingParamNames(config.paging);
    for (const name of Object.keys(config.query))
      if (paged.includes(name))
        issue(
          ['query', name],
          `is a parameter of the ${config.paging.mode} paging, which sets it on each request`,
        );
  }
}

/** The values of one request's paging, for its query or its body template. */
export interface PagingValues {
  /** The feed's cursor; null on the first request. */
  cursor?: string | null;
  page?: number;
  offset?: number;
  limit: number;
  /** The time cursor, written in its format. */
  after?: string | number;
  /** now − backfillDays, written in paging.start's format. */
  start?: string | number;
}

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/** A string's value with its placeholders replaced; `undefined`: a whole placeholder with no value yet. */
function renderString(text: string, values: PagingValues): Json | undefined {
  const whole = /^\{([A-Za-z_][A-Za-z0-9_]*)\}$/.exec(text);
  if (whole && (PLACEHOLDERS as readonly string[]).includes(whole[1]!))
    return values[whole[1] as Placeholder] ?? undefined;
  return text.replace(PLACEHOLDER, (match, name: string) =>
    (PLACEHOLDERS as readonly string[]).includes(name) ? String(values[name as Placeholder] ?? '') : match,
  );
}

/**
 * A body template with the request's paging values in it. A string that is one placeholder becomes
 * the typed value (`"{page}"` → 2, `"{after}"` → 1764035100000 in epoch_ms); one that has no value
 * yet (`{cursor}` on a first request, `{start}` without paging.start) leaves its key out. A
 * placeholder within a longer string is written as text (`"p{page}"` → "p2").
 */
export function renderBody(template: Json, values: PagingValues): Json | undefined {
  if (typeof template === 'string') return renderString(template, values);
  if (Array.isArray(template))
    return template.map((item) => renderBody(item, values)).filter((item) => item !== undefined);
  if (typeof template === 'object' && template !== null)
    return Object.fromEntries(
      Object.entries(template).flatMap(([key, item]) => {
        const rendered = renderBody(item, values);
        return rendered === undefined ? [] : [[key, rendered] as const];
      }),
    );
  return template;
}

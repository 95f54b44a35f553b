/**
 * Feeds: their health, their quarantine, and the push and import paths, which go through the same
 * validation and storage as polling. Invalid records are quarantined; the rest of the batch lands.
 */
import { and, desc, eq, inArray, type SQL } from 'drizzle-orm';
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { feedPushSchema, type FeedPush } from '../../shared/feed-push.js';
import type { CityConfig } from '../../shared/city.js';
import { FEEDS, type FeedName } from '../../shared/feeds/index.js';
import type { AppContext } from '../context.js';
import { quarantine } from '../db/schema/index.js';
import { recordParser, type RecordParser } from '../feeds/records.js';
import { adapterOf } from '../feeds/registry.js';
import { storeBatch, type Via } from '../feeds/store.js';
import type { AppEnv } from '../http/auth.js';
import { readRecords, type Records } from '../http/body.js';
import { ApiError, badRequest, zodMessage } from '../http/errors.js';
import { readReferences } from '../config/secret-env.js';
import { signatureProblem } from '../feeds/signature.js';
import { dryRun, sampleRecords } from '../feeds/dry-run.js';
import { FeedFetchError } from '../feeds/http-source.js';
import { valueAt } from '../../shared/json-path.js';
import {
  dryRunAnswer,
  feedsAnswer,
  pushBody,
  quarantineAnswer,
  recordsBody,
  storedAnswer,
} from '../openapi/answers/feeds.js';
import { documented, errorSchema, type Parameter } from '../openapi/describe.js';

/** `POST /api/feeds/:feed/test`: records to try (an array, or a whole page), or none to fetch a page. */
const dryRunBody = z.strictObject({
  sample: z.unknown().optional().meta({
    description:
      'Records to try: an array, or a whole page with its records at `feeds.<feed>.paging.items`. Absent, or no body at all: one page is fetched from the feed’s URL.',
  }),
});

function dryRunRequest(text: string): z.infer<typeof dryRunBody> {
  if (text.trim() === '') return {};
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw badRequest(`the body is not valid JSON: ${(error as Error).message}`);
  }
  const parsed = dryRunBody.safeParse(json);
  if (!parsed.success) throw badRequest(zodMessage(parsed.error));
  return parsed.data;
}

const quarantineQuery = z.object({
  feed: z.enum(FEEDS).optional().meta({ description: 'Only this feed’s records.' }),
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(1000)
    .default(100)
    .meta({ description: 'At most this many, newest first.' }),
});

/** The `:feed` of a path. */
const feedParams = z.object({ feed: z.enum(FEEDS).meta({ description: 'The feed.' }) });

const noneStored = {
  description: 'No record could be stored: each is quarantined, with its reason in `quarantined`.',
  schema: storedAnswer,
};

/**
 * The headers a signed push carries, as this city's feeds name them (`feeds.<feed>.push`); the
 * default names when no feed takes signed pushes.
 */
function pushHeaders(pushes: ReadonlyMap<FeedName, FeedPush>): Parameter[] {
  const configured = [...pushes];
  const signing: [FeedName | null, FeedPush][] =
    configured.length > 0 ? configured : [[null, feedPushSchema.parse({ secret: 'env:FEED_PUSH_SECRET' })]];
  const byName = new Map<string, { kind: 'signature' | 'timestamp'; lines: string[]; feeds: number }>();
  const add = (name: string, kind: 'signature' | 'timestamp', line: string) => {
    const header = byName.get(name) ?? { kind, lines: [], feeds: 0 };
    header.lines.push(line);
    header.feeds += 1;
    byName.set(name, header);
  };
  for (const [feed, push] of signing) {
    const who = feed === null ? 'By default' : `The ${feed} feed`;
    const content = push.timestampHeader ? `\`<timestamp>.<body>\`` : 'the body';
    add(
      push.signatureHeader,
      'signature',
      `${who}: the ${push.algorithm} HMAC of ${content} under the feed’s secret, ${push.encoding}; \`${push.algorithm}=\` before it may be left out.`,
    );
    if (push.timestampHeader)
      add(
        push.timestampHeader,
        'timestamp',
        `${who}: when the push was signed, Unix seconds or milliseconds; refused further than ${push.toleranceSeconds} s from the server’s clock.`,
      );
  }
  return [...byName].map(([name, header]) => ({
    name,
    in: 'header',
    required: header.feeds === signing.length,
    description: [
      ...header.lines,
      ...(configured.length === 0
        ? [
            'No feed of this city takes signed pushes: `feeds.<feed>.push` configures them and may name other headers.',
          ]
        : []),
    ].join('\n\n'),
    schema: header.kind === 'timestamp' ? { type: 'string', pattern: '^\\d{9,13}$' } : { type: 'string' },
  }));
}

export function feedRoutes(
  ctx: Pick<
    AppContext,
    | 'city'
    | 'clock'
    | 'database'
    | 'events'
    | 'feedHealth'
    | 'feedIdKey'
    | 'feeds'
    | 'logger'
    | 'metrics'
    | 'secretEnvPrefix'
  >,
) {
  /** Each feed's record parser, from its mapping and clock skew as configured. */
  const parsersOf = (feeds: CityConfig['feeds']) =>
    new Map<FeedName, RecordParser>(
      FEEDS.map((feed) => [
        feed,
        recordParser(adapterOf(feed), feeds[feed].mapping, ctx.city, {
          idKey: ctx.feedIdKey,
          clockSkewSeconds: feeds[feed].clockSkewSeconds,
        }),
      ]),
    );
  // Each signed feed's secret. At start, a secret that cannot be read stops start-up, naming it; a
  // change of the feeds is refused by the configuration store unless its secrets can be read.
  const pushesOf = (feeds: CityConfig['feeds']) =>
    new Map(
      FEEDS.flatMap((feed) => {
        const push = feeds[feed].push;
        if (!push) return [];
        const [secret] = Object.values(
          readReferences(
            { secret: push.secret },
            `feeds.${feed}.push`,
            'city configuration',
            process.env,
            ctx.secretEnvPrefix,
          ),
        );
        return [[feed, { push, secret: secret! }] as const];
      }),
    );
  /**
   * The parsers and signed pushes of the feeds in force: made again when a new configuration
   * version replaces the feeds section, so that pushes and imports follow a change at once.
   */
  let made: {
    feeds: CityConfig['feeds'];
    parsers: ReturnType<typeof parsersOf>;
    pushes: ReturnType<typeof pushesOf>;
  } | null = null;
  const current = () => {
    if (made?.feeds !== ctx.city.feeds)
      made = { feeds: ctx.city.feeds, parsers: parsersOf(ctx.city.feeds), pushes: pushesOf(ctx.city.feeds) };
    return made;
  };
  const feedParam = (text: string): FeedName => {
    if (!feedParams.shape.feed.safeParse(text).success)
      throw badRequest(`feed: unknown feed "${text}" (one of ${FEEDS.join(', ')})`);
    return text as FeedName;
  };

  /** Stores what a request brought, through the feed's mapping and validation, and says what it kept. */
  const store = async (c: Context<AppEnv>, feed: FeedName, via: Via, received: Records) => {
    const { records, firstLine, csv } = received;
    if (records.length === 0) throw badRequest('no items in the request');
    const parsed = current().parsers.get(feed)!.parse(records, { now: ctx.clock(), firstLine, fromCsv: csv });
    const stored = await storeBatch(ctx.database.db, adapterOf(feed), parsed, via);
    ctx.metrics.feedItems.inc({ feed, outcome: 'stored' }, stored.stored);
    ctx.metrics.feedItems.inc({ feed, outcome: 'quarantined' }, stored.quarantined);
    await ctx.events.emit('feed.stored', { feed, batch: stored });
    ctx.logger.info(
      { feed, via, stored: stored.stored, quarantined: stored.quarantined },
      'feed items received',
    );
    return c.json(
      {
        stored: stored.stored,
        quarantined: parsed.invalid.map(({ line, reason }) => ({ line, reason })),
      },
      parsed.valid.length > 0 ? 200 : 422,
    );
  };

  const receive = (via: Via) => async (c: Context<AppEnv>) =>
    store(c, feedParam(c.req.param('feed') ?? ''), via, await readRecords(c, 'items'));

  /** A signed push: the signature is checked on the body exactly as it came, before it is parsed. */
  const webhook = async (c: Context<AppEnv>) => {
    const feed = feedParam(c.req.param('feed') ?? '');
    const signed = current().pushes.get(feed);
    if (!signed)
      throw new ApiError(
        404,
        'not_found',
        `the ${feed} feed takes no signed pushes: configure feeds.${feed}.push, or push with a feed token to /api/ingest/${feed}`,
      );
    const body = await c.req.text();
    const problem = signatureProblem(signed.push, signed.secret, {
      body,
      header: (name) => c.req.header(name),
      now: ctx.clock(),
    });
    if (problem) {
      ctx.logger.warn({ feed, reason: problem }, 'a signed push was refused');
      throw new ApiError(401, 'unauthorized', problem);
    }
    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch (error) {
      throw badRequest(`the body is not valid JSON: ${(error as Error).message}`);
    }
    const items = Array.isArray(json) ? json : valueAt(json, signed.push.items);
    if (!Array.isArray(items))
      throw badRequest(
        `${signed.push.items}: expected the pushed items there, as an array (or a bare array)`,
      );
    return store(c, feed, 'webhook', {
      records: items as Record<string, unknown>[],
      firstLine: 1,
      csv: false,
    });
  };

  return new Hono<AppEnv>()
    .get(
      '/api/feeds',
      documented({ tag: 'Feeds', summary: 'Each feed’s health', answer: feedsAnswer }),
      async (c) => c.json({ feeds: await ctx.feedHealth.health() }),
    )
    .get(
      '/api/quarantine',
      documented({
        tag: 'Feeds',
        summary: 'The records the feeds’ contracts refused, with why',
        query: quarantineQuery,
        answer: quarantineAnswer,
        errors: [400],
      }),
      async (c) => {
        const query = quarantineQuery.safeParse(c.req.query());
        if (!query.success) throw badRequest(zodMessage(query.error));
        const principal = c.get('principal');
        const where: SQL | undefined = and(
          query.data.feed ? eq(quarantine.feed, query.data.feed) : undefined,
          // A street token sees its own streets' records, and none whose street is unknown.
          principal.role === 'street' ? inArray(quarantine.street, principal.streets) : undefined,
        );
        const rows = await ctx.database.db
          .select()
          .from(quarantine)
          .where(where)
          .orderBy(desc(quarantine.id))
          .limit(query.data.limit);
        return c.json({ records: rows });
      },
    )
    .post(
      '/api/ingest/:feed',
      documented({
        tag: 'Feeds',
        summary: 'Push records of a feed',
        description:
          'For a system that pushes instead of being polled: the records go through the feed’s mapping and validation as polled ones do.',
        params: feedParams,
        body: recordsBody,
        answer: storedAnswer,
        errors: [400, 413],
        otherAnswers: { 422: noneStored },
      }),
      receive('ingest'),
    )
    .post(
      '/api/import/:feed',
      documented({
        tag: 'Feeds',
        summary: 'Import records of a feed from a file',
        description: 'The same as an ingest, recorded as an import: a backlog, or a system’s export.',
        params: feedParams,
        body: recordsBody,
        answer: storedAnswer,
        errors: [400, 413],
        otherAnswers: { 422: noneStored },
      }),
      receive('import'),
    )
    .post(
      '/api/webhook/:feed',
      documented({
        tag: 'Feeds',
        summary: 'A signed push of a feed’s records',
        description:
          'For a system that signs its pushes instead of holding a token (`feeds.<feed>.push`). The records go through the feed’s mapping and validation as polled ones do. Answers 404 for a feed that takes no signed pushes.',
        params: feedParams,
        body: pushBody,
        answer: storedAnswer,
        errors: [400, 404, 413],
        // As configured when the document is first built.
        headers: pushHeaders(new Map([...current().pushes].map(([feed, { push }]) => [feed, push]))),
        otherAnswers: {
          401: {
            description:
              'The push is not signed, its signing time is missing or too far from the server’s clock, or the signature does not match the body.',
            schema: errorSchema,
          },
          422: noneStored,
        },
      }),
      webhook,
    )
    .post(
      '/api/feeds/:feed/test',
      documented({
        tag: 'Feeds',
        summary: 'Try records through a feed’s mapping and validation, storing nothing',
        description:
          'An integrator’s first tool: each record mapped as it would be stored, each refused one with its reason.',
        params: feedParams,
        body: dryRunBody,
        answer: dryRunAnswer,
        bodyOptional: true,
        errors: [400, 413],
        otherAnswers: {
          502: {
            description:
              'The feed’s URL could not be fetched: the message says why, naming its scheme and host only.',
            schema: errorSchema,
          },
        },
      }),
      async (c) => {
        const feed = feedParam(c.req.param('feed') ?? '');
        const { sample } = dryRunRequest(await c.req.text());
        const parser = current().parsers.get(feed)!;
        if (sample !== undefined) {
          const records = sampleRecords(sample, ctx.city.feeds[feed].paging.items);
          if ('error' in records) throw badRequest(records.error);
          return c.json(dryRun(feed, parser, records, ctx.clock(), 'sample'));
        }
        const poller = ctx.feeds.pollers.get(feed);
        if (!poller)
          throw badRequest(
            `sample: the ${feed} feed has no URL to fetch from; send {"sample": [...]} to try records`,
          );
        let records: unknown[];
        try {
          records = await poller.samplePage();
        } catch (error) {
          if (!(error instanceof FeedFetchError)) throw error;
          // The same sentence the feed's health would show: scheme and host, never a secret.
          throw new ApiError(502, 'feed_unreachable', error.message);
        }
        return c.json(dryRun(feed, parser, records, ctx.clock(), 'fetched'));
      },
    );
}

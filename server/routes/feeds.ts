/**
 * Feeds: their health, their quarantine, and the push and import paths, which go through the same
 * validation and storage as polling. Invalid records are quarantined; the rest of the batch lands.
 */
import { and, desc, eq, inArray, type SQL } from 'drizzle-orm';
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { FEEDS, type FeedName } from '../../shared/city.js';
import type { AppContext } from '../context.js';
import { quarantine } from '../db/schema/index.js';
import { recordParser, type RecordParser } from '../feeds/records.js';
import { adapterOf } from '../feeds/registry.js';
import { storeBatch, type Via } from '../feeds/store.js';
import type { AppEnv } from '../http/auth.js';
import { readRecords } from '../http/body.js';
import { badRequest, zodMessage } from '../http/errors.js';

const quarantineQuery = z.object({
  feed: z.enum(FEEDS).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

export function feedRoutes(ctx: AppContext) {
  const parsers = new Map<FeedName, RecordParser>(
    FEEDS.map((feed) => [
      feed,
      recordParser(adapterOf(feed), ctx.city.feeds[feed].mapping, ctx.city, {
        idKey: ctx.feedIdKey,
        clockSkewSeconds: ctx.city.feeds[feed].clockSkewSeconds,
      }),
    ]),
  );
  const feedParam = (text: string): FeedName => {
    if (!(FEEDS as readonly string[]).includes(text))
      throw badRequest(`feed: unknown feed "${text}" (one of ${FEEDS.join(', ')})`);
    return text as FeedName;
  };

  const receive = (via: Via) => async (c: Context<AppEnv>) => {
    const feed = feedParam(c.req.param('feed') ?? '');
    const { records, firstLine, csv } = await readRecords(c, 'items');
    if (records.length === 0) throw badRequest('no items in the request');
    const parsed = parsers.get(feed)!.parse(records, { now: ctx.clock(), firstLine, fromCsv: csv });
    const stored = await storeBatch(ctx.database.db, adapterOf(feed), parsed, via);
    ctx.metrics.feedItems.inc({ feed, outcome: 'stored' }, stored.stored);
    ctx.metrics.feedItems.inc({ feed, outcome: 'quarantined' }, stored.quarantined);
    await ctx.feedStored(feed, stored);
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

  return new Hono<AppEnv>()
    .get('/api/feeds', (c) => c.json({ feeds: ctx.feeds?.health() ?? [] }))
    .get('/api/quarantine', async (c) => {
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
    })
    .post('/api/ingest/:feed', receive('ingest'))
    .post('/api/import/:feed', receive('import'));
}

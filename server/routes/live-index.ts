/** The live index and its recorded history. */
import { Hono } from 'hono';
import { z } from 'zod';
import { canSeeStreet } from '../../shared/roles.js';
import { INSTANT_RANGE_MESSAGE, isStorableTime } from '../../shared/storable.js';
import type { AppContext } from '../context.js';
import { ensureAllowed, type AppEnv } from '../http/auth.js';
import { badRequest, zodMessage } from '../http/errors.js';
import { historyAnswer, liveIndexAnswer } from '../openapi/answers/city.js';
import { documented } from '../openapi/describe.js';
import { CITY } from '../repositories/snapshots.js';

const DAY_MS = 86_400_000;

const historyQuery = z.object({
  street: z.string().optional().meta({ description: 'A street’s code; the city (`_city`) when absent.' }),
  from: z.iso
    .datetime({ offset: true })
    .or(z.iso.date())
    .optional()
    .meta({ description: 'From this instant or date; 30 days before `to` when absent.' }),
  to: z.iso
    .datetime({ offset: true })
    .or(z.iso.date())
    .optional()
    .meta({ description: 'Up to this instant or date; now when absent.' }),
});

export function liveIndexRoutes(
  ctx: Pick<AppContext, 'city' | 'clock' | 'liveIndex' | 'metrics' | 'snapshots'>,
) {
  const streetCodes = new Set(ctx.city.streets.map((s) => s.code));
  return new Hono<AppEnv>()
    .get(
      '/api/index',
      documented({
        tag: 'City and index',
        summary: 'The live index of every street',
        answer: liveIndexAnswer,
      }),
      async (c) => {
        const principal = c.get('principal');
        const stop = ctx.metrics.indexCompute.startTimer();
        const live = await ctx.liveIndex.current(ctx.clock());
        stop();
        ctx.metrics.cityIndex.set(live.city ?? 0);
        return c.json({ ...live, streets: live.streets.filter((s) => canSeeStreet(principal, s.code)) });
      },
    )
    .get(
      '/api/index/history',
      documented({
        tag: 'City and index',
        summary: 'The recorded index of a street or the city',
        query: historyQuery,
        answer: historyAnswer,
        errors: [400],
      }),
      async (c) => {
        const query = historyQuery.safeParse(c.req.query());
        if (!query.success) throw badRequest(zodMessage(query.error));
        const street = query.data.street ?? CITY;
        if (street !== CITY && !streetCodes.has(street))
          throw badRequest(`street: unknown street "${street}"`);
        if (street !== CITY) ensureAllowed(c, 'read', street);
        const to = query.data.to ? new Date(query.data.to) : ctx.clock();
        const from = query.data.from ? new Date(query.data.from) : new Date(to.getTime() - 30 * DAY_MS);
        if (!isStorableTime(from)) throw badRequest(`from: ${INSTANT_RANGE_MESSAGE}`);
        if (!isStorableTime(to)) throw badRequest(`to: ${INSTANT_RANGE_MESSAGE}`);
        if (from > to) throw badRequest('from: must not be after to');
        const points = await ctx.snapshots.history(street, from, to);
        return c.json({ street, from: from.toISOString(), to: to.toISOString(), points });
      },
    );
}

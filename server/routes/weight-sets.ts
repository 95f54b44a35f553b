/** Versioned weight sets: list, create (or draft), publish a draft, preview on a past period. */
import { Hono } from 'hono';
import { z } from 'zod';
import { weightsSchema } from '../../shared/city.js';
import { validateWeights } from '../../shared/index/index.js';
import { parsePeriod } from '../../shared/period.js';
import { canSeeStreet } from '../../shared/roles.js';
import { withoutNul } from '../../shared/storable.js';
import type { AppContext } from '../context.js';
import type { AppEnv } from '../http/auth.js';
import { readJson } from '../http/body.js';
import { badRequest, conflict, notFound } from '../http/errors.js';
import { serialId } from '../http/params.js';
import type { WeightSetRow } from '../repositories/weight-sets.js';
import { toWeightSet } from '../services/live-index.js';

const isoDate = z.iso.date('expected a date YYYY-MM-DD');

const newWeightSet = z.object({
  name: withoutNul(z.string().trim().min(1, 'is required')),
  /** Absent or null: a draft, to preview and publish later. */
  effectiveFrom: isoDate.nullable().optional(),
  weights: weightsSchema,
  note: withoutNul(z.string().max(2000)).optional(),
});

export function weightSetRoutes(
  ctx: Pick<AppContext, 'city' | 'clock' | 'events' | 'liveIndex' | 'logger' | 'weightSets'>,
) {
  const present = (row: WeightSetRow, today: string, inForceId: number | null) => ({
    ...row,
    status:
      row.effectiveFrom === null
        ? 'draft'
        : row.id === inForceId
          ? 'in_force'
          : row.effectiveFrom > today
            ? 'scheduled'
            : 'superseded',
  });
  const idParam = (text: string) => {
    const id = serialId(text);
    if (id === null) throw badRequest(`id: "${text}" is not a weight set id`);
    return id;
  };
  const existing = async (id: number) => {
    const row = await ctx.weightSets.get(id);
    if (!row) throw notFound(`weight set ${id} does not exist`);
    return row;
  };
  const checkDate = (effectiveFrom: string, today: string) => {
    if (effectiveFrom < today)
      throw badRequest(
        `effectiveFrom: ${effectiveFrom} is in the past (today is ${today}); history is not rewritten`,
      );
  };

  return new Hono<AppEnv>()
    .get('/api/weight-sets', async (c) => {
      const today = ctx.liveIndex.today(ctx.clock());
      const [rows, inForce] = await Promise.all([
        ctx.weightSets.list(),
        ctx.liveIndex.setInForce(today).catch(() => null),
      ]);
      return c.json({ today, weightSets: rows.map((row) => present(row, today, inForce?.id ?? null)) });
    })
    .post('/api/weight-sets', async (c) => {
      const input = await readJson(c, newWeightSet);
      const problems = validateWeights(input.weights, ctx.city.indicators);
      if (problems.length > 0)
        throw badRequest(problems.map((p) => `weights.${p.path}: ${p.message}`).join('; '));
      const today = ctx.liveIndex.today(ctx.clock());
      if (input.effectiveFrom) checkDate(input.effectiveFrom, today);
      const row = await ctx.weightSets.create(
        {
          name: input.name,
          effectiveFrom: input.effectiveFrom ?? null,
          weights: input.weights,
          note: input.note ?? null,
        },
        c.get('principal').name,
      );
      await ctx.events.emit('weights.changed', {});
      ctx.logger.info({ id: row.id, effectiveFrom: row.effectiveFrom }, 'weight set created');
      return c.json(present(row, today, null), 201);
    })
    .post('/api/weight-sets/:id/publish', async (c) => {
      const id = idParam(c.req.param('id'));
      const { effectiveFrom } = await readJson(c, z.object({ effectiveFrom: isoDate }));
      const row = await existing(id);
      if (row.effectiveFrom !== null)
        throw conflict(`weight set ${id} is already published (from ${row.effectiveFrom})`);
      const today = ctx.liveIndex.today(ctx.clock());
      checkDate(effectiveFrom, today);
      const published = await ctx.weightSets.publish(id, effectiveFrom, c.get('principal').name);
      if (!published) throw conflict(`weight set ${id} was published meanwhile`);
      await ctx.events.emit('weights.changed', {});
      return c.json(present(published, today, null));
    })
    .get('/api/weight-sets/:id/history', async (c) => {
      const id = idParam(c.req.param('id'));
      await existing(id);
      return c.json({ id, events: await ctx.weightSets.history(id) });
    })
    .post('/api/weight-sets/:id/preview', async (c) => {
      const id = idParam(c.req.param('id'));
      const body = await readJson(c, z.object({ period: z.string() }));
      const period = parsePeriod(body.period);
      if ('error' in period) throw badRequest(`period: ${period.error}`);
      const draft = toWeightSet(await existing(id));
      const preview = await ctx.liveIndex.preview(draft, period.end, ctx.clock());
      // A street token sees its own streets, still ranked among all of the city's.
      const principal = c.get('principal');
      const streets = preview.streets.filter((street) => canSeeStreet(principal, street.code));
      return c.json({ period: period.period, asOf: period.end, ...preview, streets });
    });
}

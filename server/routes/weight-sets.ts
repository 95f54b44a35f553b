/** Versioned weight sets: list, create (or draft), publish a draft, preview on a past period. */
import { Hono } from 'hono';
import { z } from 'zod';
import { weightsSchema } from '../../shared/city.js';
import { SENSITIVITY_DEFAULTS, validateWeights } from '../../shared/index/index.js';
import type { Weights } from '../../shared/index/types.js';
import { nextQuarterStart, parsePeriod } from '../../shared/period.js';
import { canSeeStreet } from '../../shared/roles.js';
import { withoutNul } from '../../shared/storable.js';
import type { AppContext } from '../context.js';
import type { AppEnv } from '../http/auth.js';
import { readJson } from '../http/body.js';
import { badRequest, conflict, notFound } from '../http/errors.js';
import { serialId } from '../http/params.js';
import { idParam as weightSetParam } from '../openapi/answers/common.js';
import {
  previewAnswer,
  sensitivityAnswer,
  weightSet,
  weightSetAudit,
  weightSetHistory,
  weightSetList,
  whatIfAnswer,
} from '../openapi/answers/weights.js';
import { documented } from '../openapi/describe.js';
import type { WeightSetRow } from '../repositories/weight-sets.js';
import { toWeightSet } from '../services/live-index.js';
import { WeightsReview } from '../services/weights-review.js';

const isoDate = z.iso.date('expected a date YYYY-MM-DD');

const weightsBody = weightsSchema.meta({
  description:
    'The weight of each block and of each of the city’s indicators within its block, each 0–1000; a block of weight above 0 needs indicators weighing above 0.',
});

const draftFields = {
  name: withoutNul(z.string().trim().min(1, 'is required').max(200)),
  weights: weightsBody,
  note: withoutNul(z.string().max(2000)).optional(),
};
const editedDraft = z.object(draftFields);

const newWeightSet = z.object({
  ...draftFields,
  /** Absent or null: a draft, to preview and publish later. */
  effectiveFrom: isoDate.nullable().optional().meta({
    description: 'From this day (today or later); absent or null: a draft, to try and publish later.',
  }),
});

const publishBody = z.object({
  effectiveFrom: isoDate.meta({ description: 'From this day: today or later.' }),
  reason: withoutNul(z.string().trim().max(2000)).optional(),
});

const previewBody = z.object({
  period: z.string().meta({
    description: 'A month (YYYY-MM) or a day (YYYY-MM-DD): the values as of its end, or now while it runs.',
  }),
});

/** `live`, or a published month. */
const reviewPeriod = z.union([
  z.literal('live'),
  z.string().regex(/^\d{4}-\d{2}$/, 'expected "live" or a month YYYY-MM'),
]);
const whatIf = z.object({
  weights: weightsBody,
  period: reviewPeriod.default('live').meta({
    description: '`live`: today’s values; a published month (YYYY-MM): its values as published.',
  }),
});
const sensitivity = whatIf.extend({
  noise: z
    .number()
    .min(0, 'must be between 0 and 1')
    .max(1, 'must be between 0 and 1')
    .default(SENSITIVITY_DEFAULTS.noise)
    .meta({ description: 'How far each weight is moved in a draw: up to ± this share of it.' }),
  draws: z
    .number()
    .int('must be a whole number')
    .min(1, 'must be between 1 and 10000')
    .max(10_000, 'must be between 1 and 10000')
    .default(SENSITIVITY_DEFAULTS.draws),
  seed: z
    .number()
    .int('must be a whole number')
    .min(0)
    .max(2 ** 31 - 1)
    .default(SENSITIVITY_DEFAULTS.seed)
    .meta({ description: 'The same seed gives the same draws.' }),
});

export function weightSetRoutes(
  ctx: Pick<AppContext, 'city' | 'clock' | 'events' | 'liveIndex' | 'logger' | 'reports' | 'weightSets'>,
) {
  const review = new WeightsReview({
    city: ctx.city,
    index: ctx.liveIndex,
    reports: ctx.reports,
    clock: ctx.clock,
  });
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
  /** What the schema cannot see: weights for indicators that exist, blocks that can score. */
  const checkWeights = (weights: Weights) => {
    const problems = validateWeights(weights, ctx.city.indicators);
    if (problems.length > 0)
      throw badRequest(problems.map((p) => `weights.${p.path}: ${p.message}`).join('; '), {
        issues: problems.map((p) => ({ path: `weights.${p.path}`, message: p.message })),
      });
  };
  const checkDate = (effectiveFrom: string, today: string) => {
    if (effectiveFrom < today)
      throw badRequest(
        `effectiveFrom: ${effectiveFrom} is in the past (today is ${today}); history is not rewritten`,
      );
  };

  return new Hono<AppEnv>()
    .get(
      '/api/weight-sets',
      documented({
        tag: 'Weights',
        summary: 'Every weight set, with its status today',
        answer: weightSetList,
      }),
      async (c) => {
        const today = ctx.liveIndex.today(ctx.clock());
        const [rows, inForce] = await Promise.all([
          ctx.weightSets.list(),
          ctx.liveIndex.setInForce(today).catch(() => null),
        ]);
        return c.json({
          today,
          /** When a set agreed at this quarter's review would come into force. */
          nextQuarter: nextQuarterStart(today),
          weightSets: rows.map((row) => present(row, today, inForce?.id ?? null)),
        });
      },
    )
    .post(
      '/api/weight-sets',
      documented({
        tag: 'Weights',
        summary: 'Save a draft, or a set in force from a day to come',
        description: 'Every node’s live index takes a set in force from its day.',
        body: newWeightSet,
        answer: weightSet,
        status: 201,
        errors: [400, 413],
      }),
      async (c) => {
        const input = await readJson(c, newWeightSet);
        checkWeights(input.weights);
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
      },
    )
    .put(
      '/api/weight-sets/:id',
      documented({
        tag: 'Weights',
        summary: 'Change a draft',
        description: 'A published set is never changed (409): a change is a new draft.',
        params: weightSetParam('weight set'),
        body: editedDraft,
        answer: weightSet,
        errors: [400, 404, 409, 413],
      }),
      async (c) => {
        const id = idParam(c.req.param('id'));
        const input = await readJson(c, editedDraft);
        checkWeights(input.weights);
        const row = await existing(id);
        if (row.effectiveFrom !== null)
          throw conflict(
            `weight set ${id} is published (from ${row.effectiveFrom}): a change is a new draft`,
          );
        const edited = await ctx.weightSets.editDraft(id, input, c.get('principal').name);
        if (!edited) throw conflict(`weight set ${id} was published meanwhile`);
        ctx.logger.info({ id }, 'weight set draft changed');
        return c.json(present(edited, ctx.liveIndex.today(ctx.clock()), null));
      },
    )
    .post(
      '/api/weight-sets/:id/publish',
      documented({
        tag: 'Weights',
        summary: 'Publish a draft: give it the day it comes into force',
        description: 'A set published already is refused (409).',
        params: weightSetParam('weight set'),
        body: publishBody,
        answer: weightSet,
        errors: [400, 404, 409, 413],
      }),
      async (c) => {
        const id = idParam(c.req.param('id'));
        const { effectiveFrom, reason } = await readJson(c, publishBody);
        const row = await existing(id);
        if (row.effectiveFrom !== null)
          throw conflict(`weight set ${id} is already published (from ${row.effectiveFrom})`);
        const today = ctx.liveIndex.today(ctx.clock());
        checkDate(effectiveFrom, today);
        const published = await ctx.weightSets.publish(
          id,
          effectiveFrom,
          c.get('principal').name,
          reason || null,
        );
        if (!published) throw conflict(`weight set ${id} was published meanwhile`);
        await ctx.events.emit('weights.changed', {});
        return c.json(present(published, today, null));
      },
    )
    .get(
      '/api/weight-sets/audit',
      documented({
        tag: 'Weights',
        summary: 'Who drafted, changed or published which set, when and why',
        answer: weightSetAudit,
      }),
      async (c) => c.json({ events: await ctx.weightSets.audit() }),
    )
    .post(
      '/api/weight-sets/what-if',
      documented({
        tag: 'Weights',
        summary: 'Try weights beside the set in force, on the live values or a published month’s',
        description: 'Nothing is stored. A month not published is 404; no set in force today is 409.',
        body: whatIf,
        answer: whatIfAnswer,
        errors: [400, 404, 409, 413],
      }),
      async (c) => {
        const input = await readJson(c, whatIf);
        checkWeights(input.weights);
        return c.json(await review.whatIf(input.weights, input.period));
      },
    )
    .post(
      '/api/weight-sets/sensitivity',
      documented({
        tag: 'Weights',
        summary: 'How robust the ranking of weights is: rank intervals and each indicator’s removal',
        description:
          'Nothing is stored. The draws are seeded: the same body gives the same answer. A month not published is 404; no set in force today is 409.',
        body: sensitivity,
        answer: sensitivityAnswer,
        errors: [400, 404, 409, 413],
      }),
      async (c) => {
        const { weights, period, ...options } = await readJson(c, sensitivity);
        checkWeights(weights);
        return c.json(await review.sensitivity(weights, period, options));
      },
    )
    .get(
      '/api/weight-sets/:id/history',
      documented({
        tag: 'Weights',
        summary: 'The trail of one weight set',
        params: weightSetParam('weight set'),
        answer: weightSetHistory,
        errors: [400, 404],
      }),
      async (c) => {
        const id = idParam(c.req.param('id'));
        await existing(id);
        return c.json({ id, events: await ctx.weightSets.history(id) });
      },
    )
    .post(
      '/api/weight-sets/:id/preview',
      documented({
        tag: 'Weights',
        summary: 'A stored set beside the set in force then, on a period’s values',
        description: 'Nothing is stored. A period before any set was in force is 409.',
        params: weightSetParam('weight set'),
        body: previewBody,
        answer: previewAnswer,
        errors: [400, 404, 409, 413],
      }),
      async (c) => {
        const id = idParam(c.req.param('id'));
        const body = await readJson(c, previewBody);
        const period = parsePeriod(body.period);
        if ('error' in period) throw badRequest(`period: ${period.error}`);
        const draft = toWeightSet(await existing(id));
        const preview = await ctx.liveIndex.preview(draft, period.end, ctx.clock());
        // A street token sees its own streets, still ranked among all of the city's.
        const principal = c.get('principal');
        const streets = preview.streets.filter((street) => canSeeStreet(principal, street.code));
        return c.json({ period: period.period, asOf: period.end, ...preview, streets });
      },
    );
}

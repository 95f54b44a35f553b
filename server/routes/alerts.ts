/**
 * Alerts: list them, acknowledge one with a comment (with a token, or through the signed link of a
 * notification, without one), and silence notifications until an end time.
 */
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { silenceSchema } from '../../shared/alerts/rules/index.js';
import { canSeeSilence } from '../../shared/alerts/silences.js';
import { RULES } from '../../shared/alerts/types.js';
import type { AlertView } from '../../shared/api.js';
import { FEEDS } from '../../shared/feeds/index.js';
import { hasNoNul, NUL_MESSAGE, withoutNul } from '../../shared/storable.js';
import { ackBodySchema, mayAcknowledge } from '../alerts/ack.js';
import type { AppContext } from '../context.js';
import { ensureAllowed, type AppEnv } from '../http/auth.js';
import { readJson } from '../http/body.js';
import { ApiError, badRequest, notFound, refused, zodMessage } from '../http/errors.js';
import { serialId } from '../http/params.js';
import { ackPage, alertList, oneAlert, oneSilence, silenceList } from '../openapi/answers/alerts.js';
import { idParam } from '../openapi/answers/common.js';
import { documented } from '../openapi/describe.js';

const listQuery = z.object({
  state: z
    .enum(['open', 'pending', 'firing', 'acknowledged', 'resolved', 'all'])
    .default('open')
    .meta({ description: '`open` is pending, firing and acknowledged; `all` is every status.' }),
  street: withoutNul(z.string().min(1))
    .optional()
    .meta({ description: 'A street’s code: its alerts only (and no feed’s).' }),
  rule: z.enum(RULES).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(200).meta({ description: 'At most this many.' }),
});

/** The alert of the path: its id as the API gives it, URL-encoded. */
const alertParam = z.object({
  id: z.string().meta({
    description:
      'The alert’s id, URL-encoded: `key:openedAt`, its key being `rule:street` or `rule:feed` (with `:event` for a zero-tolerance event).',
  }),
});

/**
 * The query of a notification's signed link, as the link carries it. Not parsed with this schema:
 * the handler hands the query to `AckLinks.verify`, which checks each part and answers 403 when one
 * is missing, changed or expired; this says what the parts are.
 */
const ackLinkQuery = z.object({
  sub: z
    .string()
    .optional()
    .meta({ description: 'The subscription the notification went to; empty or absent for none.' }),
  exp: z.string().meta({ description: 'When the link expires, in seconds since 1970-01-01 UTC.' }),
  sig: z.string().meta({ description: 'The link’s signature (HMAC-SHA256 of the alert, `sub` and `exp`).' }),
});

/** The longest silence the API sets; the configuration's standing silences have no limit. */
const MAX_SILENCE_DAYS = 90;
const MAX_SILENCE_MS = MAX_SILENCE_DAYS * 86_400_000;

/** The alert id of the path; one with a NUL cannot exist, and the database would refuse to look. */
function alertId(c: Context): string {
  const id = c.req.param('id') ?? '';
  if (!hasNoNul(id)) throw badRequest(`id: ${NUL_MESSAGE}`);
  return id;
}

export function alertRoutes(
  ctx: Pick<AppContext, 'ackLinks' | 'alerts' | 'city' | 'clock' | 'logger' | 'silences'>,
) {
  const streetCodes = new Set(ctx.city.streets.map((s) => s.code));
  const silence = silenceSchema.superRefine((s, issue) => {
    if (s.street !== undefined && !streetCodes.has(s.street))
      issue.addIssue({ code: 'custom', path: ['street'], message: `no street ${s.street} is configured` });
    if (s.feed !== undefined && !(FEEDS as readonly string[]).includes(s.feed))
      issue.addIssue({ code: 'custom', path: ['feed'], message: `expected one of ${FEEDS.join(', ')}` });
  });

  const linkCheck = (c: Context, id: string) => {
    const check = ctx.ackLinks.verify(id, c.req.query(), ctx.clock());
    if (!check.ok) throw new ApiError(403, check.code, check.message);
    return check;
  };
  const alertOf = async (id: string): Promise<AlertView> => {
    const alert = await ctx.alerts.get(id);
    if (!alert) throw notFound(`no alert ${id}`);
    return alert;
  };

  return (
    new Hono<AppEnv>()
      .get(
        '/api/alerts',
        documented({
          tag: 'Alerts',
          summary: 'The alerts, newest first',
          description: 'A street token gets its own streets’ alerts only, never a feed’s.',
          query: listQuery,
          answer: alertList,
          errors: [400],
        }),
        async (c) => {
          const parsed = listQuery.safeParse(c.req.query());
          if (!parsed.success) throw badRequest(zodMessage(parsed.error));
          const { street, ...filter } = parsed.data;
          if (street !== undefined && !streetCodes.has(street))
            throw badRequest(`street: no street ${street} is configured`);
          const principal = c.get('principal');
          if (street !== undefined) ensureAllowed(c, 'read', street);
          // A street token sees its own streets' alerts only; feed alerts are for operators.
          const streets =
            street !== undefined ? [street] : principal.role === 'street' ? principal.streets : undefined;
          return c.json({ alerts: await ctx.alerts.list({ ...filter, ...(streets && { streets }) }) });
        },
      )
      .get(
        '/api/alerts/:id',
        documented({
          tag: 'Alerts',
          summary: 'One alert',
          description: 'A feed’s alert is no street token’s: it answers 404.',
          params: alertParam,
          answer: oneAlert,
          errors: [400, 404],
        }),
        async (c) => {
          const alert = await alertOf(alertId(c));
          if (alert.street === null) {
            if (c.get('principal').role === 'street') throw notFound(`no alert ${alert.id}`);
          } else ensureAllowed(c, 'read', alert.street);
          return c.json({ alert });
        },
      )
      .post(
        '/api/alerts/:id/ack',
        documented({
          tag: 'Alerts',
          summary: 'Acknowledge a firing alert, saying what is being done',
          description:
            'Only a firing alert can be acknowledged: a pending, acknowledged or resolved one answers 409.',
          params: alertParam,
          body: ackBodySchema,
          answer: oneAlert,
          errors: [400, 404, 409, 413],
        }),
        async (c) => {
          const id = alertId(c);
          const { comment } = await readJson(c, ackBodySchema);
          const principal = c.get('principal');
          const outcome = await ctx.alerts.acknowledge(id, principal.name, comment, (alert) =>
            mayAcknowledge(principal, alert),
          );
          if (!outcome.ok) throw refused(outcome.refusal, outcome.message);
          return c.json({ alert: await alertOf(id) });
        },
      )

      // The signed link of a notification: no token, the signature is the permission.
      .get(
        '/api/ack/:id',
        documented({
          tag: 'Alerts',
          summary: 'The alert of a notification’s signed link, for its acknowledgement page',
          description: 'A link that is incomplete, changed or expired answers 403.',
          params: alertParam,
          query: ackLinkQuery,
          answer: ackPage,
          errors: [400, 404],
        }),
        async (c) => {
          const id = alertId(c);
          const check = linkCheck(c, id);
          const alert = await alertOf(id);
          // The page has no token to look names up with: it gets the street's name and the city's zone here.
          const street = ctx.city.streets.find((s) => s.code === alert.street);
          return c.json({
            alert,
            expiresAt: check.expiresAt.toISOString(),
            streetName: street?.name ?? null,
            timezone: ctx.city.city.timezone,
          });
        },
      )
      .post(
        '/api/ack/:id',
        documented({
          tag: 'Alerts',
          summary: 'Acknowledge an alert through a notification’s signed link',
          description:
            'Recorded as acknowledged by the subscription the notification went to. A link that is incomplete, changed or expired answers 403; an alert that is not firing, 409.',
          params: alertParam,
          query: ackLinkQuery,
          body: ackBodySchema,
          answer: oneAlert,
          errors: [400, 404, 409, 413],
        }),
        async (c) => {
          const id = alertId(c);
          const check = linkCheck(c, id);
          const { comment } = await readJson(c, ackBodySchema);
          const by = (await ctx.alerts.subscriptionName(check.subscriptionId)) ?? 'notification link';
          const outcome = await ctx.alerts.acknowledge(id, by, comment, () => ({ allowed: true }));
          if (!outcome.ok) throw refused(outcome.refusal, outcome.message);
          return c.json({ alert: await alertOf(id) });
        },
      )

      // A street token sees only the silences that concern its streets, as it sees only their alerts.
      .get(
        '/api/silences',
        documented({
          tag: 'Alerts',
          summary: 'The silences not yet ended',
          description:
            'A street token gets those of its own streets and the city-wide ones, not another street’s or a feed’s.',
          answer: silenceList,
        }),
        async (c) => {
          const principal = c.get('principal');
          const silences = await ctx.silences.active(ctx.clock());
          return c.json({ silences: silences.filter((silence) => canSeeSilence(principal, silence)) });
        },
      )
      .post(
        '/api/silences',
        documented({
          tag: 'Alerts',
          summary: 'Silence notifications until an end time',
          description: `The silence ends in the future, at most ${MAX_SILENCE_DAYS} days after it starts.`,
          body: silence,
          answer: oneSilence,
          status: 201,
          errors: [400, 413],
        }),
        async (c) => {
          const input = await readJson(c, silence);
          const now = ctx.clock().getTime();
          if (Date.parse(input.endsAt) <= now) throw badRequest('endsAt: must be in the future');
          // A silence is for a known while (maintenance, an incident being handled), not for ever.
          if (
            Date.parse(input.endsAt) - Math.max(now, Date.parse(input.startsAt ?? '') || now) >
            MAX_SILENCE_MS
          )
            throw badRequest(
              `endsAt: a silence lasts at most ${MAX_SILENCE_DAYS} days; disable the rule instead`,
            );
          const principal = c.get('principal');
          const created = await ctx.silences.create(input, principal.name);
          ctx.logger.info(
            { silence: created.id, by: principal.name, endsAt: created.endsAt },
            'silence created',
          );
          return c.json({ silence: created }, 201);
        },
      )
      .delete(
        '/api/silences/:id',
        documented({
          tag: 'Alerts',
          summary: 'End a silence now',
          description:
            'It stays on record as ended; a notification it held back goes out at the evaluation this starts.',
          params: idParam('silence'),
          answer: oneSilence,
          errors: [404],
        }),
        async (c) => {
          const id = serialId(c.req.param('id'));
          const ended = id === null ? null : await ctx.silences.end(id, ctx.clock());
          if (!ended) throw notFound(`no active silence ${c.req.param('id')}`);
          // A notification a silence held back is owed now: evaluate at once rather than at the next tick.
          void ctx.alerts
            .evaluate()
            .catch((error: unknown) => ctx.logger.error({ err: error }, 'alert evaluation failed'));
          return c.json({ silence: ended });
        },
      )
  );
}

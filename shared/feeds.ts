/**
 * The feed contract: the envelope every polled feed speaks and the item shape of each feed.
 * Only these fields are kept; anything else a feed sends (names, phone numbers, addresses) is dropped
 * by the schemas, which strip unknown keys.
 */
import { z } from 'zod';
import type { FeedName } from './city.js';
import { storableInstant, withoutNul } from './storable.js';

/** An instant: ISO 8601 with an offset or Z, within the years the database stores. */
const instant = storableInstant();
const text = withoutNul(z.string().trim().min(1).max(200));
const id = z.union([text, z.number().int().transform(String)]);
/**
 * Amounts in yuan, 0 to ten billion (1e10). The largest single telecom-fraud losses on record are
 * in the hundreds of millions, so this refuses only what cannot be an amount (a typo, a sentinel,
 * 1e308); and sums of even millions of such amounts stay far inside a double's range, so no window's
 * total can overflow.
 */
export const MAX_AMOUNT_YUAN = 1e10;
const amount = z
  .number()
  .min(0, `must be between 0 and ${MAX_AMOUNT_YUAN} (yuan)`)
  .max(MAX_AMOUNT_YUAN, `must be between 0 and ${MAX_AMOUNT_YUAN} (yuan)`);
/** A ticket's standard time (办结时限): more than nothing, at most a week. */
export const MAX_LIMIT_MINUTES = 7 * 24 * 60;
const limitMessage = `must be more than 0 and at most ${MAX_LIMIT_MINUTES} (minutes: a week)`;
const limitMinutes = z.number().gt(0, limitMessage).max(MAX_LIMIT_MINUTES, limitMessage);
const rating = z.number().int().min(1).max(5);

const base = { id, updatedAt: instant, street: text };

/**
 * For `.superRefine`: each `later` time of an item that lies before its `earlier` one is an issue
 * at the later field (an incident cannot be closed before it was reported).
 */
function inOrder<T extends Record<string, unknown>>(
  ...pairs: [later: keyof T & string, earlier: keyof T & string][]
) {
  return (item: T, ctx: z.RefinementCtx) => {
    for (const [later, earlier] of pairs) {
      const [a, b] = [item[later], item[earlier]];
      if (typeof a === 'string' && typeof b === 'string' && Date.parse(a) < Date.parse(b))
        ctx.addIssue({ code: 'custom', path: [later], message: `${a} is before ${earlier} (${b})` });
    }
  };
}

export const incidentSchema = z
  .object({
    ...base,
    reportedAt: instant,
    community: text.optional(),
    category: z.enum([
      'robbery',
      'snatching',
      'theft',
      'vice',
      'assault',
      'fraud',
      'dispute',
      'traffic',
      'fire',
      'other',
    ]),
    kind: z.enum(['criminal', 'public_order', 'other']),
    status: z.enum(['open', 'dispatched', 'arrived', 'closed']),
    arrivedAt: instant.optional(),
    closedAt: instant.optional(),
    cleared: z.boolean().optional(),
    gang: z.boolean().optional(),
    homicide: z.boolean().optional(),
  })
  .superRefine(inOrder(['arrivedAt', 'reportedAt'], ['closedAt', 'reportedAt']));

export const fraudSchema = z.object({
  ...base,
  occurredAt: instant,
  community: text.optional(),
  type: z.enum(['case', 'warning', 'interception']),
  lossYuan: amount.optional(),
  interceptedYuan: amount.optional(),
  dissuaded: z.boolean().optional(),
});

export const serviceWindowSchema = z
  .object({
    ...base,
    hall: text,
    service: text,
    takenAt: instant,
    calledAt: instant.optional(),
    finishedAt: instant.optional(),
    status: z.enum(['waiting', 'serving', 'done', 'abandoned']),
    limitMinutes: limitMinutes.optional(),
  })
  .superRefine(inOrder(['calledAt', 'takenAt'], ['finishedAt', 'takenAt']));

export const mediationSchema = z
  .object({
    ...base,
    acceptedAt: instant,
    community: text.optional(),
    type: text,
    status: z.enum(['pending', 'success', 'failed', 'referred']),
    closedAt: instant.optional(),
  })
  .superRefine(inOrder(['closedAt', 'acceptedAt']));

export const surveySchema = z.object({
  ...base,
  surveyedAt: instant,
  community: text,
  method: z.enum(['door', 'phone', 'online']),
  safety: rating,
  satisfaction: rating,
  departments: z
    .object({
      police: rating.optional(),
      urban: rating.optional(),
      environment: rating.optional(),
      market: rating.optional(),
    })
    .optional(),
});

export const feedItemSchemas = {
  incident: incidentSchema,
  fraud: fraudSchema,
  'service-window': serviceWindowSchema,
  mediation: mediationSchema,
  survey: surveySchema,
} as const satisfies Record<FeedName, z.ZodType>;

export type Incident = z.infer<typeof incidentSchema>;
export type FraudEvent = z.infer<typeof fraudSchema>;
export type WindowTicket = z.infer<typeof serviceWindowSchema>;
export type MediationCase = z.infer<typeof mediationSchema>;
export type SurveyResponse = z.infer<typeof surveySchema>;

export interface FeedItems {
  incident: Incident;
  fraud: FraudEvent;
  'service-window': WindowTicket;
  mediation: MediationCase;
  survey: SurveyResponse;
}

/** The time an item happened, which decides the window it counts in. */
export const EVENT_TIME = {
  incident: 'reportedAt',
  fraud: 'occurredAt',
  'service-window': 'takenAt',
  mediation: 'acceptedAt',
  survey: 'surveyedAt',
} as const satisfies { [F in FeedName]: keyof FeedItems[F] };

/** Every time field of each feed's items. */
export const TIME_FIELDS = {
  incident: ['updatedAt', 'reportedAt', 'arrivedAt', 'closedAt'],
  fraud: ['updatedAt', 'occurredAt'],
  'service-window': ['updatedAt', 'takenAt', 'calledAt', 'finishedAt'],
  mediation: ['updatedAt', 'acceptedAt', 'closedAt'],
  survey: ['updatedAt', 'surveyedAt'],
} as const satisfies { [F in FeedName]: (keyof FeedItems[F] & string)[] };

/** How far ahead of the server's clock an item's times may be, by default: clocks of two systems differ. */
export const CLOCK_SKEW_SECONDS = 300;

const duration = (seconds: number) =>
  seconds % 60 === 0
    ? `${seconds / 60} minute${seconds === 60 ? '' : 's'}`
    : `${seconds} second${seconds === 1 ? '' : 's'}`;

/**
 * Why an item's times cannot be true: each that lies more than `skewSeconds` ahead of `now` (the
 * server's clock). An item "updated" in the future would win over every real update after it.
 */
export function timesAhead<F extends FeedName>(
  feed: F,
  item: FeedItems[F],
  now: Date,
  skewSeconds = CLOCK_SKEW_SECONDS,
): string[] {
  const limit = now.getTime() + skewSeconds * 1000;
  const reasons: string[] = [];
  for (const field of TIME_FIELDS[feed]) {
    const value = (item as Record<string, unknown>)[field];
    if (typeof value === 'string' && Date.parse(value) > limit)
      reasons.push(
        `${field}: ${value} is more than ${duration(skewSeconds)} ahead of the server clock (${now.toISOString()})`,
      );
  }
  return reasons;
}

/** `GET <url>?since=<cursor>&limit=<n>` answers with this. */
export const envelopeSchema = z.object({
  items: z.array(z.unknown()),
  next: withoutNul(z.string()).nullable().optional(),
  hasMore: z.boolean(),
});

export type Envelope = z.infer<typeof envelopeSchema>;

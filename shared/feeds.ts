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
const amount = z.number().nonnegative().finite();
const rating = z.number().int().min(1).max(5);

const base = { id, updatedAt: instant, street: text };

export const incidentSchema = z.object({
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
});

export const fraudSchema = z.object({
  ...base,
  occurredAt: instant,
  community: text.optional(),
  type: z.enum(['case', 'warning', 'interception']),
  lossYuan: amount.optional(),
  interceptedYuan: amount.optional(),
  dissuaded: z.boolean().optional(),
});

export const serviceWindowSchema = z.object({
  ...base,
  hall: text,
  service: text,
  takenAt: instant,
  calledAt: instant.optional(),
  finishedAt: instant.optional(),
  status: z.enum(['waiting', 'serving', 'done', 'abandoned']),
  limitMinutes: z.number().positive().finite().optional(),
});

export const mediationSchema = z.object({
  ...base,
  acceptedAt: instant,
  community: text.optional(),
  type: text,
  status: z.enum(['pending', 'success', 'failed', 'referred']),
  closedAt: instant.optional(),
});

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

/** `GET <url>?since=<cursor>&limit=<n>` answers with this. */
export const envelopeSchema = z.object({
  items: z.array(z.unknown()),
  next: withoutNul(z.string()).nullable().optional(),
  hasMore: z.boolean(),
});

export type Envelope = z.infer<typeof envelopeSchema>;

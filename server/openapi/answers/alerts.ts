/** The answers about alerts: an alert as the API shows it, its acknowledgement page, and silences. */
import { z } from 'zod';
import { RULES, SEVERITIES } from '../../../shared/alerts/types.js';
import type { AlertView } from '../../../shared/api.js';
import type { StoredSilence } from '../../repositories/alerts.js';
import { instant, month, names } from './common.js';

const message = z.object({
  title: z.string(),
  body: z.string().meta({ description: 'Lines separated by `\\n`.' }),
});

const alertText = z
  .object({ zh: message, en: message })
  .meta({ id: 'AlertText', description: 'What happened and why, in Chinese and English.' });

const acknowledgement = z
  .object({
    by: z.string().meta({
      description: 'The token’s name, or the subscription whose notification link was used.',
    }),
    comment: z.string().meta({ description: 'What is being done about the alert.' }),
    at: instant,
  })
  .meta({ id: 'Acknowledgement', description: 'Who acknowledged the alert, when, and what they said.' });

/** What each rule saw at its last observation: one object per rule, told apart by `rule`. */
const alertDetail = z
  .discriminatedUnion('rule', [
    z.object({
      rule: z.literal('indexDrop'),
      index: z.number(),
      baseline: z.number().meta({ description: 'The mean index over `baselineDays` days before.' }),
      drop: z.number().meta({ description: 'baseline − index.' }),
      points: z.number().meta({ description: 'The drop that fires the alert.' }),
      baselineDays: z.number().int(),
    }),
    z.object({
      rule: z.literal('gradeDown'),
      index: z.number(),
      baseline: z.number(),
      from: z.string().meta({ description: 'The grade of the baseline.' }),
      to: z.string().nullable().meta({ description: 'The grade now; null below every band.' }),
      edge: z.number().meta({ description: 'The lower edge of the baseline’s band.' }),
      margin: z.number(),
    }),
    z.object({
      rule: z.literal('rank'),
      rank: z.number().int(),
      of: z.number().int(),
      k: z.number().int().meta({ description: 'The bottom K of the ranking alert.' }),
      index: z.number().nullable(),
    }),
    z.object({
      rule: z.literal('zeroTolerance'),
      event: z.string(),
      category: z.string(),
      community: z.string().nullable(),
      at: instant,
    }),
    z.object({
      rule: z.literal('feedStale'),
      feed: z.string(),
      lastSuccessAt: instant.nullable(),
      staleMinutes: z
        .number()
        .nullable()
        .meta({ description: 'Minutes since the last success; null when the feed never answered.' }),
      minutes: z.number().meta({ description: 'The age that fires the alert.' }),
    }),
    z.object({
      rule: z.literal('redMonths'),
      months: z.number().int().meta({ description: 'Consecutive months at the lowest grade.' }),
      lastMonth: month,
      run: z
        .array(z.object({ month, index: z.number().nullable() }))
        .optional()
        .meta({ description: 'The months of the run, oldest first (absent in older alerts).' }),
      warnAt: z.number().int(),
      interviewAt: z.number().int(),
    }),
    z.object({
      rule: z.literal('wallDown'),
      screen: z.string(),
      location: names,
      state: z.enum(['dark', 'frozen', 'ok']).meta({
        description: '`dark`: silent; `frozen`: beating but not painting or not applying deltas; `ok`: back.',
      }),
      reason: z.enum(['paint', 'seq']).nullable().meta({ description: 'For `frozen`: what stopped.' }),
      lastSeenAt: instant.nullable(),
      paintedAt: instant.nullable(),
      lagSince: instant.nullable(),
      since: instant.meta({
        description: 'When watching began: the server’s start, for a screen never seen.',
      }),
      forMinutes: z.number().nullable(),
      minutes: z.number().meta({ description: 'How long a screen may be silent, frozen or behind.' }),
    }),
  ])
  .meta({ id: 'AlertDetail', description: 'What the rule last observed; its fields depend on `rule`.' });

const alertSchema = z
  .object({
    id: z.string().meta({ description: '`key:openedAt`.' }),
    key: z.string().meta({
      description: '`rule:street` (or `rule:feed`, `rule:screen`), with `:event` for a zero-tolerance event.',
    }),
    rule: z.enum(RULES),
    street: z.string().nullable().meta({ description: 'Null for an alert about a feed.' }),
    feed: z.string().nullable(),
    screen: z.string().nullable().meta({ description: 'The screen of a `wallDown` alert.' }),
    event: z.string().nullable(),
    status: z.enum(['pending', 'firing', 'acknowledged', 'resolved']),
    severity: z.enum(SEVERITIES),
    text: alertText,
    openedAt: instant.meta({ description: 'The first breach: the start of the pending period.' }),
    firedAt: instant.nullable(),
    resolvedAt: instant.nullable(),
    acknowledgement: acknowledgement.nullable(),
    detail: alertDetail,
    repeats: z.number().int().meta({ description: 'Reminders sent while unacknowledged.' }),
    escalatedAt: instant.nullable(),
  })
  .meta({
    id: 'Alert',
    description: 'An alert, from its first breach to its resolution.',
  }) satisfies z.ZodType<AlertView>;

export const alertList = z.object({
  alerts: z.array(alertSchema).meta({ description: 'Newest first.' }),
});

export const oneAlert = z.object({ alert: alertSchema });

export const ackPage = z.object({
  alert: alertSchema,
  expiresAt: instant.meta({ description: 'When the link stops working.' }),
  streetName: names.nullable().meta({ description: 'The alert’s street; null for a feed alert.' }),
  timezone: z.string().meta({ description: 'The city’s time zone, to show the alert’s times in.' }),
});

const silenceSchema = z
  .object({
    id: z.string(),
    rule: z.enum(RULES).optional().meta({ description: 'Absent: every rule.' }),
    street: z.string().optional().meta({ description: 'Absent: every street.' }),
    feed: z.string().optional().meta({ description: 'Absent: every feed.' }),
    startsAt: instant.optional().meta({ description: 'Absent: from when it was made.' }),
    endsAt: instant,
    by: z.string().meta({ description: 'Who made it.' }),
    reason: z.string().optional(),
    createdAt: instant,
  })
  .meta({
    id: 'Silence',
    description:
      'A silence (静默): notifications of the alerts it matches wait from `startsAt` until `endsAt`; the alerts themselves go on.',
  }) satisfies z.ZodType<StoredSilence>;

export const silenceList = z.object({
  silences: z.array(silenceSchema).meta({ description: 'Those not yet ended, soonest to end first.' }),
});

export const oneSilence = z.object({ silence: silenceSchema });

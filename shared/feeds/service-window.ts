/** 便民服务窗口: tickets at the public-service halls. */
import { z } from 'zod';
import { defineFeed } from './definition.js';
import { inOrder, instant, itemBase, text } from './fields.js';

/** A ticket's standard time (办结时限): more than nothing, at most a week. */
export const MAX_LIMIT_MINUTES = 7 * 24 * 60;
const limitMessage = `must be more than 0 and at most ${MAX_LIMIT_MINUTES} (minutes: a week)`;
const limitMinutes = z.number().gt(0, limitMessage).max(MAX_LIMIT_MINUTES, limitMessage);

export const serviceWindowSchema = z
  .object({
    ...itemBase,
    hall: text,
    service: text,
    takenAt: instant,
    calledAt: instant.optional(),
    finishedAt: instant.optional(),
    status: z.enum(['waiting', 'serving', 'done', 'abandoned']),
    limitMinutes: limitMinutes.optional(),
  })
  .superRefine(inOrder(['calledAt', 'takenAt'], ['finishedAt', 'takenAt']));

export const serviceWindow = defineFeed({
  name: 'service-window',
  schema: serviceWindowSchema,
  times: ['takenAt', 'calledAt', 'finishedAt'],
  eventTime: 'takenAt',
  rules: {
    filters: ['status', 'hall', 'service'],
    numbers: ['limitMinutes'],
  },
  freeText: { hall: 'halls', service: 'services' },
  names: { zh: '便民服务窗口', en: 'Service-window' },
  short: { zh: '服务窗口', en: 'Windows' },
  ticker: null,
  pollSeconds: 10,
  idPrefix: 'WIN',
});

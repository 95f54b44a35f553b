/** 警情: police incidents. */
import { z } from 'zod';
import { defineFeed } from './definition.js';
import { inOrder, instant, itemBase, text } from './fields.js';

export const incidentSchema = z
  .object({
    ...itemBase,
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

export type Incident = z.infer<typeof incidentSchema>;

export const incident = defineFeed({
  name: 'incident',
  schema: incidentSchema,
  times: ['reportedAt', 'arrivedAt', 'closedAt'],
  eventTime: 'reportedAt',
  rules: {
    filters: ['category', 'kind', 'status', 'cleared', 'gang', 'homicide', 'community'],
    numbers: [],
  },
  freeText: { community: 'communities' },
  names: { zh: '警情', en: 'Incident' },
  short: { zh: '警情', en: 'Police' },
  ticker: { category: 'category' },
  pollSeconds: 10,
  idPrefix: 'INC',
});

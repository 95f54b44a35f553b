/** 人民调解: dispute mediation cases. */
import { z } from 'zod';
import { defineFeed } from './definition.js';
import { inOrder, instant, itemBase, text } from './fields.js';

export const mediationSchema = z
  .object({
    ...itemBase,
    acceptedAt: instant,
    community: text.optional(),
    type: text,
    status: z.enum(['pending', 'success', 'failed', 'referred']),
    closedAt: instant.optional(),
  })
  .superRefine(inOrder(['closedAt', 'acceptedAt']));

export const mediation = defineFeed({
  name: 'mediation',
  schema: mediationSchema,
  times: ['acceptedAt', 'closedAt'],
  eventTime: 'acceptedAt',
  rules: {
    filters: ['type', 'status', 'community'],
    numbers: [],
  },
  freeText: { community: 'communities', type: 'mediationTypes' },
  names: { zh: '人民调解', en: 'Mediation' },
  short: { zh: '人民调解', en: 'Mediation' },
  ticker: { category: 'type', label: { zh: '调解', en: 'Mediat.' } },
  pollSeconds: 60,
  idPrefix: 'MED',
});

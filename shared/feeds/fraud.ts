/** 反诈中心: the anti-fraud centre's cases, warnings and interceptions. */
import { z } from 'zod';
import { defineFeed } from './definition.js';
import { instant, itemBase, text } from './fields.js';

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

export const fraudSchema = z.object({
  ...itemBase,
  occurredAt: instant,
  community: text.optional(),
  type: z.enum(['case', 'warning', 'interception']),
  lossYuan: amount.optional(),
  interceptedYuan: amount.optional(),
  dissuaded: z.boolean().optional(),
});

export type FraudEvent = z.infer<typeof fraudSchema>;

export const fraud = defineFeed({
  name: 'fraud',
  schema: fraudSchema,
  times: ['occurredAt'],
  eventTime: 'occurredAt',
  rules: {
    filters: ['type', 'dissuaded', 'community'],
    numbers: ['lossYuan', 'interceptedYuan'],
  },
  freeText: { community: 'communities' },
  names: { zh: '反诈中心', en: 'Fraud-centre' },
  short: { zh: '反诈', en: 'Fraud' },
  ticker: { category: 'type' },
  pollSeconds: 10,
  idPrefix: 'FRD',
});

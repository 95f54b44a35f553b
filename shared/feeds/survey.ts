/** 公众评价: survey responses, each with the respondent's street and community and nothing else of them. */
import { z } from 'zod';
import { defineFeed } from './definition.js';
import { instant, itemBase, text } from './fields.js';

const rating = z.number().int().min(1).max(5);

export const surveySchema = z.object({
  ...itemBase,
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

export const survey = defineFeed({
  name: 'survey',
  schema: surveySchema,
  times: ['surveyedAt'],
  eventTime: 'surveyedAt',
  rules: {
    filters: ['method', 'community'],
    numbers: ['safety', 'satisfaction', 'police', 'urban', 'environment', 'market'],
  },
  freeText: { community: 'communities' },
  names: { zh: '公众评价', en: 'Survey' },
  short: { zh: '公众评价', en: 'Surveys' },
  ticker: null,
  pollSeconds: 300,
  idPrefix: 'SRV',
});

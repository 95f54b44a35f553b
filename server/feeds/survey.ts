/** 公众评价: survey responses, each with the respondent's street and community and nothing else of them. */
import { survey } from '../../shared/feeds/survey.js';
import { surveyResponses } from '../db/schema/index.js';
import { feedAdapter } from './adapter.js';

export const surveyAdapter = feedAdapter(survey, {
  table: surveyResponses,
  columns: {
    method: surveyResponses.method,
    community: surveyResponses.community,
    safety: surveyResponses.safety,
    satisfaction: surveyResponses.satisfaction,
    police: surveyResponses.police,
    urban: surveyResponses.urban,
    environment: surveyResponses.environment,
    market: surveyResponses.market,
    surveyedAt: surveyResponses.surveyedAt,
  },
  toRow: (item, street) => ({
    id: item.id,
    updatedAt: new Date(item.updatedAt),
    surveyedAt: new Date(item.surveyedAt),
    street,
    community: item.community,
    method: item.method,
    safety: item.safety,
    satisfaction: item.satisfaction,
    police: item.departments?.police ?? null,
    urban: item.departments?.urban ?? null,
    environment: item.departments?.environment ?? null,
    market: item.departments?.market ?? null,
  }),
});

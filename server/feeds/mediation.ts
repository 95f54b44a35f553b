/** 人民调解: dispute mediation cases. */
import { mediationSchema } from '../../shared/feeds.js';
import { mediationCases } from '../db/schema/index.js';
import { instantOrNull, type FeedAdapter } from './adapter.js';

export const mediationAdapter: FeedAdapter<'mediation'> = {
  feed: 'mediation',
  schema: mediationSchema,
  table: mediationCases,
  columns: {
    type: mediationCases.type,
    status: mediationCases.status,
    community: mediationCases.community,
    acceptedAt: mediationCases.acceptedAt,
    closedAt: mediationCases.closedAt,
  },
  eventTime: mediationCases.acceptedAt,
  toRow: (item, street) => ({
    id: item.id,
    updatedAt: new Date(item.updatedAt),
    acceptedAt: new Date(item.acceptedAt),
    street,
    community: item.community ?? null,
    type: item.type,
    status: item.status,
    closedAt: instantOrNull(item.closedAt),
  }),
};

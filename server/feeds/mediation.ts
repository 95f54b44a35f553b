/** 人民调解: dispute mediation cases. */
import { mediation } from '../../shared/feeds/mediation.js';
import { mediationCases } from '../db/schema/index.js';
import { feedAdapter, instantOrNull } from './adapter.js';

export const mediationAdapter = feedAdapter(mediation, {
  table: mediationCases,
  columns: {
    type: mediationCases.type,
    status: mediationCases.status,
    community: mediationCases.community,
    acceptedAt: mediationCases.acceptedAt,
    closedAt: mediationCases.closedAt,
  },
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
});

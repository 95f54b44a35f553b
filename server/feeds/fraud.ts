/** 反诈中心: the anti-fraud centre's cases, warnings and interceptions. */
import { fraud } from '../../shared/feeds/fraud.js';
import { fraudEvents } from '../db/schema/index.js';
import { feedAdapter } from './adapter.js';

export const fraudAdapter = feedAdapter(fraud, {
  table: fraudEvents,
  columns: {
    type: fraudEvents.type,
    dissuaded: fraudEvents.dissuaded,
    community: fraudEvents.community,
    lossYuan: fraudEvents.lossYuan,
    interceptedYuan: fraudEvents.interceptedYuan,
    occurredAt: fraudEvents.occurredAt,
  },
  toRow: (item, street) => ({
    id: item.id,
    updatedAt: new Date(item.updatedAt),
    occurredAt: new Date(item.occurredAt),
    street,
    community: item.community ?? null,
    type: item.type,
    lossYuan: item.lossYuan ?? null,
    interceptedYuan: item.interceptedYuan ?? null,
    dissuaded: item.dissuaded ?? null,
  }),
});

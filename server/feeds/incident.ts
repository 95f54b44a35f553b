/** 警情: police incidents. */
import { incident } from '../../shared/feeds/incident.js';
import { incidents } from '../db/schema/index.js';
import { feedAdapter, instantOrNull } from './adapter.js';

export const incidentAdapter = feedAdapter(incident, {
  table: incidents,
  columns: {
    category: incidents.category,
    kind: incidents.kind,
    status: incidents.status,
    cleared: incidents.cleared,
    gang: incidents.gang,
    homicide: incidents.homicide,
    community: incidents.community,
    reportedAt: incidents.reportedAt,
    arrivedAt: incidents.arrivedAt,
    closedAt: incidents.closedAt,
  },
  toRow: (item, street) => ({
    id: item.id,
    updatedAt: new Date(item.updatedAt),
    reportedAt: new Date(item.reportedAt),
    street,
    community: item.community ?? null,
    category: item.category,
    kind: item.kind,
    status: item.status,
    arrivedAt: instantOrNull(item.arrivedAt),
    closedAt: instantOrNull(item.closedAt),
    cleared: item.cleared ?? null,
    gang: item.gang ?? null,
    homicide: item.homicide ?? null,
  }),
});

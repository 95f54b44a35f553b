/** 便民服务窗口: tickets at the public-service halls. */
import { serviceWindow } from '../../shared/feeds/service-window.js';
import { windowTickets } from '../db/schema/index.js';
import { feedAdapter, instantOrNull } from './adapter.js';

export const serviceWindowAdapter = feedAdapter(serviceWindow, {
  table: windowTickets,
  columns: {
    status: windowTickets.status,
    hall: windowTickets.hall,
    service: windowTickets.service,
    limitMinutes: windowTickets.limitMinutes,
    takenAt: windowTickets.takenAt,
    calledAt: windowTickets.calledAt,
    finishedAt: windowTickets.finishedAt,
  },
  toRow: (item, street) => ({
    id: item.id,
    updatedAt: new Date(item.updatedAt),
    takenAt: new Date(item.takenAt),
    street,
    hall: item.hall,
    service: item.service,
    calledAt: instantOrNull(item.calledAt),
    finishedAt: instantOrNull(item.finishedAt),
    status: item.status,
    limitMinutes: item.limitMinutes ?? null,
  }),
});

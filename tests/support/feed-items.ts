/** Valid items of each feed, with overrides, for tests. */
import type { FeedName } from '../../shared/feeds/index.js';

let serial = 0;
const minutesAgo = (now: Date, minutes: number) => new Date(now.getTime() - minutes * 60_000).toISOString();

export function feedItem(
  feed: FeedName,
  now: Date,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  const id = `${feed}-${++serial}`;
  const common = { id, updatedAt: minutesAgo(now, 1), street: 'jinfang' };
  switch (feed) {
    case 'incident':
      return {
        ...common,
        reportedAt: minutesAgo(now, 30),
        community: '金方社区',
        category: 'theft',
        kind: 'criminal',
        status: 'open',
        ...overrides,
      };
    case 'fraud':
      return { ...common, occurredAt: minutesAgo(now, 30), type: 'case', lossYuan: 1200, ...overrides };
    case 'service-window':
      return {
        ...common,
        hall: '金方便民服务中心',
        service: '户籍办理',
        takenAt: minutesAgo(now, 30),
        calledAt: minutesAgo(now, 20),
        status: 'serving',
        limitMinutes: 30,
        ...overrides,
      };
    case 'mediation':
      return {
        ...common,
        acceptedAt: minutesAgo(now, 60),
        type: '邻里纠纷',
        status: 'pending',
        ...overrides,
      };
    case 'survey':
      return {
        ...common,
        surveyedAt: minutesAgo(now, 60),
        community: '金方社区',
        method: 'door',
        safety: 5,
        satisfaction: 4,
        departments: { police: 5, urban: 4 },
        ...overrides,
      };
  }
}

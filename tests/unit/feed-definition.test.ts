/**
 * A feed is one definition: the tables every part of the wall reads per feed are derived from the
 * list of definitions, so a made-up feed defined here alone is validated, checked against the
 * server's clock, named by rules and mapped like the real ones; and the real tables are what they
 * were before they were derived.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { messages } from '../../display/src/lib/i18n.js';
import { FEED_NAMES } from '../../shared/alerts/format.js';
import { cityConfigSchema } from '../../shared/city.js';
import { checkFeedMapping, feedMappingSchema, mapRecord } from '../../shared/feed-mapping.js';
import { checkFeedRule, feedRuleSchema } from '../../shared/feed-rules.js';
import { feedCatalogue } from '../../shared/feeds/catalogue.js';
import { timeFieldsOf, timesAhead } from '../../shared/feeds/contract.js';
import { defineFeed } from '../../shared/feeds/definition.js';
import { inOrder, instant, itemBase, text } from '../../shared/feeds/fields.js';
import {
  EVENT_TIME,
  FEED_CATALOGUE,
  FEED_DEFINITIONS,
  FEED_FIELDS,
  FEEDS,
  FREE_TEXT_FIELDS,
  TIME_FIELDS,
} from '../../shared/feeds/index.js';
import { incidentSchema } from '../../shared/feeds/incident.js';

/** 巡逻: a made-up feed of street patrols, defined nowhere but here. */
const patrolSchema = z
  .object({
    ...itemBase,
    startedAt: instant,
    endedAt: instant.optional(),
    community: text.optional(),
    route: text,
    officers: z.number().int().min(1).max(50),
    armed: z.boolean().optional(),
  })
  .superRefine(inOrder(['endedAt', 'startedAt']));

const patrol = defineFeed({
  name: 'patrol',
  schema: patrolSchema,
  times: ['startedAt', 'endedAt'],
  eventTime: 'startedAt',
  rules: { filters: ['route', 'armed', 'community'], numbers: ['officers'] },
  freeText: { community: 'communities' },
  names: { zh: '巡逻防控', en: 'Patrol' },
  short: { zh: '巡逻', en: 'Patrols' },
  ticker: { category: 'route' },
  pollSeconds: 30,
  idPrefix: 'PTL',
});

const withPatrol = feedCatalogue([...FEED_DEFINITIONS, patrol]);

const now = new Date('2026-11-25T02:00:00Z');
const aPatrol = {
  id: 'P-1',
  updatedAt: '2026-11-25T01:50:00Z',
  street: 'jinfang',
  startedAt: '2026-11-25T01:00:00Z',
  endedAt: '2026-11-25T01:45:00Z',
  route: '金方环线',
  officers: 3,
};
const rule = (value: unknown) => feedRuleSchema.parse(value);
const mapping = (value: unknown) => feedMappingSchema.parse(value);

describe('a feed defined in one place', () => {
  it('joins the derived tables after the real feeds, with its own times, fields and names', () => {
    expect(withPatrol.feeds).toEqual([...FEEDS, 'patrol']);
    expect(withPatrol.eventTime.patrol).toBe('startedAt');
    expect(withPatrol.timeFields.patrol).toEqual(['updatedAt', 'startedAt', 'endedAt']);
    expect(withPatrol.ruleFields.patrol).toEqual({
      filters: ['route', 'armed', 'community'],
      numbers: ['officers'],
      times: ['startedAt', 'endedAt'],
    });
    expect(withPatrol.freeText.patrol).toEqual({ community: 'communities' });
    expect(withPatrol.names.patrol).toEqual({ zh: '巡逻防控', en: 'Patrol' });
    expect(withPatrol.ticker.patrol).toEqual({
      category: 'route',
      time: 'startedAt',
      label: { zh: '巡逻', en: 'Patrols' },
    });
    expect(withPatrol.pollSeconds.patrol).toBe(30);
    expect(withPatrol.idPrefix.patrol).toBe('PTL');
    // The real feeds are untouched by the one added.
    expect(withPatrol.eventTime.incident).toBe('reportedAt');
  });

  it('validates its items by its schema, dropping what the contract does not have', () => {
    const schema = withPatrol.schemas.patrol;
    expect(schema.parse({ ...aPatrol, leader: '张三 13812345678' })).toStrictEqual(aPatrol);
    const early = schema.safeParse({ ...aPatrol, endedAt: '2026-11-25T00:30:00Z' });
    expect(early.success).toBe(false);
    expect(early.error?.issues.map((issue) => issue.path)).toEqual([['endedAt']]);
    expect(schema.safeParse({ ...aPatrol, officers: 0 }).success).toBe(false);
  });

  it('refuses each of its times that lies ahead of the server clock', () => {
    expect(timesAhead(patrol, aPatrol, now)).toEqual([]);
    const ahead = timesAhead(patrol, { ...aPatrol, endedAt: '2026-11-25T02:10:00Z' }, now);
    expect(ahead).toEqual([
      'endedAt: 2026-11-25T02:10:00Z is more than 5 minutes ahead of the server clock (2026-11-25T02:00:00.000Z)',
    ]);
    expect(timesAhead(patrol, { ...aPatrol, updatedAt: '2026-11-25T02:04:00Z' }, now)).toEqual([]);
  });

  it('lets rules name its fields, and only its fields', () => {
    const problems = (value: unknown, measure: Parameters<typeof checkFeedRule>[2]) =>
      checkFeedRule(rule(value), patrol, measure);
    expect(problems({ aggregate: 'mean_minutes', from: 'startedAt', to: 'endedAt' }, 'mean')).toEqual([]);
    expect(
      problems({ aggregate: 'sum', field: 'officers', where: { armed: true } }, 'sum_per_capita'),
    ).toEqual([]);
    expect(problems({ aggregate: 'count', where: { category: 'theft' } }, 'count')).toEqual([
      {
        path: 'where.category',
        message: 'the patrol feed has no field to filter on "category" (route, armed, community)',
      },
    ]);
    expect(problems({ aggregate: 'mean_minutes', from: 'reportedAt', to: 'endedAt' }, 'mean')).toEqual([
      { path: 'from', message: 'the patrol feed has no time "reportedAt" (startedAt, endedAt)' },
    ]);
  });

  it('is mapped from a foreign record by its own fields and times', () => {
    expect(checkFeedMapping(patrol, mapping({ fields: { route: 'xl', startedAt: 'kssj' } }))).toEqual([]);
    expect(checkFeedMapping(patrol, mapping({ fields: { routes: 'xl' } }))).toEqual([
      {
        path: ['fields', 'routes'],
        message:
          '"routes" is not a field of the patrol contract (id, updatedAt, street, startedAt, endedAt, community, route, officers, armed)',
      },
    ]);
    const { record, problems } = mapRecord(
      { xl: '金方环线', kssj: '2026-11-25 09:00:00', jssj: '2026-11-25 09:45:00' },
      mapping({
        fields: { route: 'xl', startedAt: 'kssj', endedAt: 'jssj' },
        times: { format: 'YYYY-MM-DD HH:mm:ss' },
      }),
      {
        zone: 'Asia/Shanghai',
        timeFields: timeFieldsOf(patrol),
        regions: { streetOfCommunity: () => ({ error: 'no communities here' }) },
      },
    );
    expect(problems).toEqual([]);
    expect(record).toMatchObject({
      route: '金方环线',
      startedAt: '2026-11-25T01:00:00.000Z',
      endedAt: '2026-11-25T01:45:00.000Z',
    });
  });

  it('cannot share its name with another feed', () => {
    expect(() => feedCatalogue([...FEED_DEFINITIONS, { ...patrol, name: 'incident' }])).toThrow(
      'two feeds are called "incident"',
    );
  });

  it('names only fields its schema has, and an event time among its times (a compile error otherwise)', () => {
    const base = {
      name: 'x',
      schema: incidentSchema,
      times: ['reportedAt'],
      eventTime: 'reportedAt',
      rules: { filters: [], numbers: [] },
      freeText: {},
      names: { zh: 'x', en: 'x' },
      short: { zh: 'x', en: 'x' },
      ticker: null,
      pollSeconds: 10,
      idPrefix: 'X',
    } as const;
    // @ts-expect-error: "reportedOn" is not a field of an incident
    defineFeed({ ...base, times: ['reportedOn'], eventTime: 'reportedOn' });
    // @ts-expect-error: the event time must be one of the times
    defineFeed({ ...base, eventTime: 'closedAt' });
    // @ts-expect-error: a category is not a number
    defineFeed({ ...base, rules: { filters: [], numbers: ['category'] } });
    // @ts-expect-error: "categry" is not a field to filter on
    defineFeed({ ...base, rules: { filters: ['categry'], numbers: [] } });
    // @ts-expect-error: "communty" is not a free-text field
    defineFeed({ ...base, freeText: { communty: 'communities' } });
    expect(defineFeed(base).eventTime).toBe('reportedAt');
  });
});

describe('the real feeds, derived from their definitions', () => {
  it('keep their order, event times and time fields', () => {
    expect(FEEDS).toEqual(['incident', 'fraud', 'service-window', 'mediation', 'survey']);
    expect(EVENT_TIME).toEqual({
      incident: 'reportedAt',
      fraud: 'occurredAt',
      'service-window': 'takenAt',
      mediation: 'acceptedAt',
      survey: 'surveyedAt',
    });
    expect(TIME_FIELDS).toEqual({
      incident: ['updatedAt', 'reportedAt', 'arrivedAt', 'closedAt'],
      fraud: ['updatedAt', 'occurredAt'],
      'service-window': ['updatedAt', 'takenAt', 'calledAt', 'finishedAt'],
      mediation: ['updatedAt', 'acceptedAt', 'closedAt'],
      survey: ['updatedAt', 'surveyedAt'],
    });
  });

  it('keep the fields rules may name and the free-text fields with their lists', () => {
    expect(FEED_FIELDS).toEqual({
      incident: {
        filters: ['category', 'kind', 'status', 'cleared', 'gang', 'homicide', 'community'],
        numbers: [],
        times: ['reportedAt', 'arrivedAt', 'closedAt'],
      },
      fraud: {
        filters: ['type', 'dissuaded', 'community'],
        numbers: ['lossYuan', 'interceptedYuan'],
        times: ['occurredAt'],
      },
      'service-window': {
        filters: ['status', 'hall', 'service'],
        numbers: ['limitMinutes'],
        times: ['takenAt', 'calledAt', 'finishedAt'],
      },
      mediation: {
        filters: ['type', 'status', 'community'],
        numbers: [],
        times: ['acceptedAt', 'closedAt'],
      },
      survey: {
        filters: ['method', 'community'],
        numbers: ['safety', 'satisfaction', 'police', 'urban', 'environment', 'market'],
        times: ['surveyedAt'],
      },
    });
    expect(FREE_TEXT_FIELDS).toEqual({
      incident: { community: 'communities' },
      fraud: { community: 'communities' },
      'service-window': { hall: 'halls', service: 'services' },
      mediation: { community: 'communities', type: 'mediationTypes' },
      survey: { community: 'communities' },
    });
  });

  it('keep their names in alert texts and their labels on the wall and its ticker', () => {
    expect(FEED_NAMES).toEqual({
      incident: { zh: '警情', en: 'Incident' },
      fraud: { zh: '反诈中心', en: 'Fraud-centre' },
      'service-window': { zh: '便民服务窗口', en: 'Service-window' },
      mediation: { zh: '人民调解', en: 'Mediation' },
      survey: { zh: '公众评价', en: 'Survey' },
    });
    expect(messages('zh').feedNames).toEqual({
      incident: '警情',
      fraud: '反诈',
      'service-window': '服务窗口',
      mediation: '人民调解',
      survey: '公众评价',
    });
    expect(messages('en').feedNames).toEqual({
      incident: 'Police',
      fraud: 'Fraud',
      'service-window': 'Windows',
      mediation: 'Mediation',
      survey: 'Surveys',
    });
    expect(messages('zh').tickerFeeds).toEqual({ incident: '警情', fraud: '反诈', mediation: '调解' });
    expect(messages('en').tickerFeeds).toEqual({ incident: 'Police', fraud: 'Fraud', mediation: 'Mediat.' });
    expect(FEED_CATALOGUE.ticker).toEqual({
      incident: { category: 'category', time: 'reportedAt', label: { zh: '警情', en: 'Police' } },
      fraud: { category: 'type', time: 'occurredAt', label: { zh: '反诈', en: 'Fraud' } },
      mediation: { category: 'type', time: 'acceptedAt', label: { zh: '调解', en: 'Mediat.' } },
    });
  });

  it('keep their poll intervals in a city configuration that leaves them out, and their id prefixes', () => {
    const city = {
      city: { code: 'x', name: { zh: '某市', en: 'X' }, timezone: 'Asia/Shanghai' },
      streets: [{ code: 'a', name: { zh: '甲街道', en: 'A' }, population: 1000 }],
      indicators: [
        {
          id: 'cameras',
          name: { zh: '探头', en: 'Cameras' },
          block: 'positive',
          source: 'manual',
          measure: 'ratio',
          unit: { zh: '%', en: '%' },
          windowDays: 30,
          normalisation: { method: 'minmax', worst: 0, best: 100 },
        },
      ],
      grades: [{ id: 'good', min: 0, label: { zh: '好', en: 'Good' }, colour: '#00aa00' }],
      weights: {
        name: 'w',
        effectiveFrom: '2026-01-01',
        weights: { blocks: { positive: 1, negative: 1, public: 1 }, indicators: { cameras: 1 } },
      },
    };
    const intervals = (config: unknown) => {
      const parsed = cityConfigSchema.parse(config);
      return Object.fromEntries(FEEDS.map((feed) => [feed, parsed.feeds[feed].intervalSeconds]));
    };
    const defaults = { incident: 10, fraud: 10, 'service-window': 10, mediation: 60, survey: 300 };
    expect(intervals(city)).toEqual(defaults);
    expect(intervals({ ...city, feeds: { mediation: { intervalSeconds: 30 } } })).toEqual({
      ...defaults,
      mediation: 30,
    });
    expect(FEED_CATALOGUE.idPrefix).toEqual({
      incident: 'INC',
      fraud: 'FRD',
      'service-window': 'WIN',
      mediation: 'MED',
      survey: 'SRV',
    });
  });
});

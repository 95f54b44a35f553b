import { beforeAll, describe, expect, it } from 'vitest';
import { type CityConfig } from '../../shared/city.js';
import { feedItemSchemas, FEEDS, type FeedName } from '../../shared/feeds/index.js';
import { loadCityConfig } from '../../server/config/city.js';
import {
  createCityModel,
  generateTimelines,
  spikeTimelines,
  type AnyTimeline,
  type CityModel,
} from '../../server/simulator/model.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** 2026-11-25 00:00 in Anning (UTC+8). */
const MIDNIGHT = Date.parse('2026-11-24T16:00:00Z');

let city: CityConfig;
let model: CityModel;
let month: AnyTimeline[];

beforeAll(async () => {
  city = await loadCityConfig('config/anning.json');
  model = createCityModel(city, 7);
  month = generateTimelines(model, MIDNIGHT - 30 * DAY, MIDNIGHT);
});

const summary = (timelines: AnyTimeline[]) =>
  timelines.map((t) => [t.feed, t.id, ...t.times, JSON.stringify(t.version(t.times.length - 1))].join('|'));
const localHour = (ms: number) => model.clock.minuteOfDay(ms) / 60;
const ofFeed = <F extends FeedName>(feed: F) =>
  month.filter((t): t is Extract<AnyTimeline, { feed: F }> => t.feed === feed);

describe('simulator city model', () => {
  it('generates the same events for the same seed and different ones for another seed', () => {
    const day = (seed: number) => generateTimelines(createCityModel(city, seed), MIDNIGHT, MIDNIGHT + DAY);
    expect(summary(day(7))).toEqual(summary(day(7)));
    expect(summary(day(8))).not.toEqual(summary(day(7)));
  });

  it('generates the same events whether a span is taken in one sweep or in one-minute ticks', () => {
    const from = MIDNIGHT + 9 * HOUR;
    const sweep = generateTimelines(model, from, from + 2 * HOUR);
    const ticks: AnyTimeline[] = [];
    for (let t = from; t < from + 2 * HOUR; t += 60_000)
      ticks.push(...generateTimelines(model, t, t + 60_000));
    expect(sweep.length).toBeGreaterThan(100);
    expect(summary(ticks)).toEqual(summary(sweep));
  });

  it('reports more incidents late at night than at mid-morning', () => {
    const incidents = ofFeed('incident');
    const night = incidents.filter((t) => localHour(t.createdAt) >= 22 && localHour(t.createdAt) < 23).length;
    const morning = incidents.filter(
      (t) => localHour(t.createdAt) >= 10 && localHour(t.createdAt) < 11,
    ).length;
    expect(night).toBeGreaterThan(1.5 * morning);
  });

  it('takes service-window tickets only in office hours, none at 03:00', () => {
    const hours = ofFeed('service-window').map((t) => localHour(t.createdAt));
    expect(hours.length).toBeGreaterThan(1000);
    expect(hours.filter((h) => h >= 3 && h < 4)).toHaveLength(0);
    for (const h of hours) expect((h >= 8.5 && h < 12) || (h >= 14 && h < 17.5)).toBe(true);
  });

  it('accepts mediation cases and takes surveys only in the day', () => {
    for (const t of ofFeed('mediation')) expect(localHour(t.createdAt)).toBeGreaterThanOrEqual(8.5);
    for (const t of ofFeed('survey')) {
      expect(localHour(t.createdAt)).toBeGreaterThanOrEqual(9);
      expect(localHour(t.createdAt)).toBeLessThan(20);
    }
  });

  it('changes the feeds at least six times a minute city-wide in every hour of the day', () => {
    const perHour = new Array<number>(24).fill(0);
    for (const t of month)
      for (const at of t.times) if (at < MIDNIGHT) perHour[Math.floor(localHour(at))]! += 1;
    const perMinute = perHour.map((changes) => changes / 30 / 60);
    expect(Math.min(...perMinute)).toBeGreaterThanOrEqual(6);
  });

  it('keeps an item id through its lifecycle while updatedAt advances and the status moves forward', () => {
    const order: Record<FeedName, string[]> = {
      incident: ['open', 'dispatched', 'arrived', 'closed'],
      fraud: [],
      'service-window': ['waiting', 'serving', 'done'],
      mediation: ['pending', 'success'],
      survey: [],
    };
    let updated = 0;
    for (const t of month.slice(0, 5000)) {
      const versions = t.times.map(
        (_, i) => t.version(i) as { id: string; updatedAt: string; status?: string },
      );
      versions.forEach((v, i) => {
        expect(v.id).toBe(t.id);
        expect(Date.parse(v.updatedAt)).toBe(t.times[i]);
        if (i > 0) expect(t.times[i]).toBeGreaterThan(t.times[i - 1]!);
      });
      const statuses = versions.map((v) => v.status);
      if (t.feed === 'incident') expect(statuses).toEqual(order.incident);
      if (t.feed === 'service-window' && statuses.at(-1) === 'done') expect(statuses).toEqual(order[t.feed]);
      if (t.feed === 'service-window' && statuses.at(-1) !== 'done')
        expect(statuses).toEqual(['waiting', 'abandoned']);
      if (t.feed === 'mediation') {
        expect(statuses[0]).toBe('pending');
        expect(['success', 'failed', 'referred']).toContain(statuses[1]);
      }
      if (versions.length > 1) updated++;
    }
    expect(updated).toBeGreaterThan(1000);
    const closed = ofFeed('incident')
      .map((t) => t.version(3))
      .filter((v) => v.kind === 'criminal');
    expect(closed.some((v) => v.cleared === true)).toBe(true);
    expect(closed.some((v) => v.cleared === false)).toBe(true);
    for (const v of closed) expect(v.closedAt! >= v.arrivedAt! && v.arrivedAt! > v.reportedAt).toBe(true);
  });

  it('emits items that validate against the feed schemas and carry no field beyond the contract', () => {
    for (const feed of FEEDS) {
      const timelines = ofFeed(feed).slice(0, 2000);
      expect(timelines.length).toBeGreaterThan(100);
      for (const t of timelines)
        for (let i = 0; i < t.times.length; i++) {
          const item = t.version(i);
          // The schemas strip unknown keys: an item equal to its parse has nothing beyond the contract.
          expect(feedItemSchemas[feed].parse(item)).toStrictEqual(item);
        }
    }
  });

  it('gives every item an id unique within its feed and a street and community from the configuration', () => {
    for (const feed of FEEDS) {
      const ids = ofFeed(feed).map((t) => t.id);
      expect(new Set(ids).size).toBe(ids.length);
    }
    const streets = new Map(city.streets.map((s) => [s.code, s.communities]));
    for (const t of month.slice(0, 3000)) {
      const item = t.version(0) as { street: string; community?: string };
      expect(streets.has(item.street)).toBe(true);
      if (item.community) expect(streets.get(item.street)).toContain(item.community);
    }
  });

  it('spreads a spike of one category in one street evenly over its span', () => {
    const from = MIDNIGHT + 3 * HOUR;
    const spike = spikeTimelines(model, {
      feed: 'incident',
      street: 'jinfang',
      category: 'theft',
      count: 30,
      from,
      overMs: 120_000,
      tag: 1,
    });
    expect(spike).toHaveLength(30);
    for (const t of spike) {
      const item = t.version(0);
      expect(item).toMatchObject({ street: 'jinfang', category: 'theft', kind: 'criminal', status: 'open' });
      expect(t.createdAt).toBeGreaterThanOrEqual(from);
      expect(t.createdAt).toBeLessThan(from + 120_000);
    }
    expect(spike.filter((t) => t.createdAt < from + 60_000)).toHaveLength(15);
    expect(() =>
      spikeTimelines(model, {
        ...spike[0]!,
        feed: 'incident',
        street: 'nowhere',
        category: 'theft',
        count: 1,
        from,
        overMs: 0,
        tag: 2,
      }),
    ).toThrow(/nowhere/);
  });
});

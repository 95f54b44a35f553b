/**
 * The simulator's rates against the goalposts of the default configuration, computed from generated
 * events the way the configuration's rules say (count, share, on_time, sum, sum_ratio, mean,
 * mean_minutes over the items whose event time falls in the window, each item in its latest version).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { CityConfig, IndicatorConfig } from '../../shared/city.js';
import { EVENT_TIME, type FeedName } from '../../shared/feeds/index.js';
import type { FeedFilter, FeedRule } from '../../shared/feed-rules.js';
import { measureValue, type MeasureInput } from '../../shared/index/measures.js';
import { loadCityConfig } from '../../server/config/city.js';
import { INCIDENT_STREAMS } from '../../server/simulator/calibration.js';
import { createCityModel, generateTimelines, type CityModel } from '../../server/simulator/model.js';

type Row = Record<string, unknown>;
const DAY = 86_400_000;
const AS_OF = Date.parse('2026-11-25T04:00:00Z');
const WINDOWS = 6;

const time = (value: unknown) => (typeof value === 'string' ? Date.parse(value) : null);

function matches(row: Row, filter: FeedFilter | undefined): boolean {
  return Object.entries(filter ?? {}).every(([field, wanted]) => {
    const values = Array.isArray(wanted) ? wanted : [wanted];
    // As in SQL: a missing boolean counts as false.
    const value = typeof values[0] === 'boolean' ? (row[field] ?? false) : row[field];
    return values.includes(value as string | boolean);
  });
}

function measureInput(rule: FeedRule, rows: Row[], asOf: number): MeasureInput {
  const where = rows.filter((r) => matches(r, rule.where));
  const sum = (list: Row[], field: string) => list.reduce((s, r) => s + ((r[field] as number) ?? 0), 0);
  switch (rule.aggregate) {
    case 'count':
      return { count: where.length };
    case 'share': {
      const of = rows.filter((r) => matches(r, rule.of));
      return { numerator: of.filter((r) => matches(r, rule.where)).length, denominator: of.length };
    }
    case 'on_time': {
      let numerator = 0;
      let denominator = 0;
      for (const r of where) {
        const limit = (rule.limitField && (r[rule.limitField] as number)) || rule.limitMinutes;
        const deadline = time(r[rule.from])! + limit * 60_000;
        const to = time(r[rule.to]);
        if (to !== null && to <= deadline) numerator++;
        if (to !== null || deadline < asOf) denominator++;
      }
      return { numerator, denominator };
    }
    case 'sum':
      return { sum: sum(where, rule.field) };
    case 'sum_ratio':
      return { numerator: sum(where, rule.numerator), denominator: sum(where, rule.denominator) };
    case 'mean': {
      const known = where.filter((r) => r[rule.field] !== undefined);
      return { sum: sum(known, rule.field), n: known.length };
    }
    case 'mean_minutes': {
      const known = where.filter((r) => r[rule.to] !== undefined);
      const minutes = known.reduce((s, r) => s + (time(r[rule.to])! - time(r[rule.from])!) / 60_000, 0);
      return { sum: minutes, n: known.length };
    }
  }
}

type RuleIndicator = IndicatorConfig & { rule: FeedRule; source: FeedName };
/** indicator id → street code (or "_city") → raw value */
type Values = Record<string, Record<string, number | null>>;

/** Every feed-based indicator in every street and for the whole city, as of the end of one window. */
function indicatorValues(model: CityModel, indicators: RuleIndicator[], asOf: number): Values {
  const rows = new Map<FeedName, Row[]>();
  for (const t of generateTimelines(model, asOf - 30 * DAY, asOf)) {
    let latest = -1;
    t.times.forEach((at, i) => (latest = at <= asOf ? i : latest));
    const item = t.version(latest) as Row;
    const list = rows.get(t.feed) ?? [];
    // Parsed once here: the event time decides the window of every indicator of the feed.
    list.push({ ...item, ...(item.departments as Row), eventAt: time(item[EVENT_TIME[t.feed]]) });
    rows.set(t.feed, list);
  }
  const areas = [
    ...model.city.streets.map((s) => ({ code: s.code, population: s.population })),
    { code: '_city', population: model.city.streets.reduce((sum, s) => sum + s.population, 0) },
  ];
  const values: Values = {};
  for (const indicator of indicators) {
    const since = asOf - indicator.windowDays * DAY;
    const inWindow = (rows.get(indicator.source) ?? []).filter((r) => {
      const at = r.eventAt as number;
      return at > since && at <= asOf;
    });
    const byStreet = new Map<string, Row[]>();
    for (const r of inWindow) {
      const list = byStreet.get(r.street as string) ?? [];
      list.push(r);
      byStreet.set(r.street as string, list);
    }
    values[indicator.id] = Object.fromEntries(
      areas.map((area) => {
        const mine = area.code === '_city' ? inWindow : (byStreet.get(area.code) ?? []);
        const input = measureInput(indicator.rule, mine, asOf);
        return [area.code, measureValue(indicator.measure, input, area.population)];
      }),
    );
  }
  return values;
}

function goalposts(indicator: IndicatorConfig) {
  const n = indicator.normalisation;
  if (n.method !== 'efficacy') throw new Error(`${indicator.id}: expected efficacy goalposts`);
  const worseThan = (x: number) =>
    n.satisfactory > n.unacceptable ? x < n.unacceptable : x > n.unacceptable;
  const betterThan = (x: number) =>
    n.satisfactory > n.unacceptable ? x > n.satisfactory : x < n.satisfactory;
  return { ...n, worseThan, betterThan };
}

/**
 * Left out per street, with the reason:
 * - public_order_handled: its rule counts every closed public-order incident, so it follows
 *   public_order_incidents (8–14 per 10k by design) and always sits past its satisfactory 6;
 * - homicide_clearance: a handful of homicides a year in the whole city, none in most streets.
 */
const NOT_PER_STREET = ['public_order_handled', 'homicide_clearance'];
/** Rare counts: a quiet half-year is better than satisfactory, so per street only the bad side is held. */
const RARE = ['robbery_snatching', 'vice', 'gangs_cleared'];

let city: CityConfig;
let model: CityModel;
let indicators: RuleIndicator[];
const months: Values[] = [];
const mean = (id: string, area: string) => {
  const known = months.map((m) => m[id]?.[area]).filter((x): x is number => typeof x === 'number');
  return known.length === 0 ? null : known.reduce((a, b) => a + b, 0) / known.length;
};

beforeAll(async () => {
  city = await loadCityConfig('config/anning.json');
  model = createCityModel(city, 20261125);
  indicators = city.indicators.filter((i): i is RuleIndicator => i.source !== 'manual' && !!i.rule);
  for (let w = 0; w < WINDOWS; w++) months.push(indicatorValues(model, indicators, AS_OF - w * 30 * DAY));
});

describe('simulator calibration against the goalposts', () => {
  it('covers every feed-based indicator of the configuration', () => {
    expect(indicators.length).toBeGreaterThanOrEqual(20);
  });

  it("puts every street's 30-day values, averaged over six months, between the goalposts", () => {
    const outside: string[] = [];
    for (const indicator of indicators.filter((i) => !NOT_PER_STREET.includes(i.id))) {
      const g = goalposts(indicator);
      for (const street of city.streets) {
        const x = mean(indicator.id, street.code);
        const out = x === null || g.worseThan(x) || (!RARE.includes(indicator.id) && g.betterThan(x));
        if (out) outside.push(`${indicator.id} in ${street.code}: ${x}`);
      }
    }
    expect(outside).toEqual([]);
  });

  it('puts the whole city between the goalposts in every single 30-day window', () => {
    const outside: string[] = [];
    for (const indicator of indicators.filter((i) => !NOT_PER_STREET.includes(i.id))) {
      const g = goalposts(indicator);
      // Gang cases are a count per street, not a rate: the city's total is nine streets' worth.
      const scale = indicator.id === 'gangs_cleared' ? city.streets.length : 1;
      months.forEach((m, w) => {
        const x = m[indicator.id]!._city;
        if (x == null || g.worseThan(x / scale) || g.betterThan(x / scale))
          outside.push(`${indicator.id} in window ${w}: ${x}`);
      });
    }
    expect(outside).toEqual([]);
  });

  it('keeps theft, criminal and public-order incidents and fraud near the rates of a well-run city', () => {
    const city30 = (id: string) => mean(id, '_city')!;
    expect(city30('theft')).toBeGreaterThan(3);
    expect(city30('theft')).toBeLessThan(6);
    expect(city30('criminal_incidents')).toBeGreaterThan(6);
    expect(city30('criminal_incidents')).toBeLessThan(9);
    expect(city30('public_order_incidents')).toBeGreaterThan(8);
    expect(city30('public_order_incidents')).toBeLessThan(14);
    expect(city30('robbery_snatching')).toBeLessThan(0.5);
    expect(city30('fraud_cases')).toBeGreaterThan(1);
    expect(city30('fraud_cases')).toBeLessThan(3);
    expect(city30('response_on_time')).toBeGreaterThan(90);
    expect(city30('response_on_time')).toBeLessThan(97);
    expect(city30('window_wait')).toBeGreaterThan(8);
    expect(city30('window_wait')).toBeLessThan(20);
    expect(city30('safety_sense')).toBeGreaterThan(4);
  });

  it('makes homicides rare, a handful a year in the whole city, and nearly all cleared', () => {
    const assault = INCIDENT_STREAMS.findIndex((s) => s.category === 'assault');
    const perYear = model.streets.reduce(
      (sum, s) => sum + s.incident.homicideShare * s.incident.perDay[assault]! * 365,
      0,
    );
    expect(perYear).toBeGreaterThan(1);
    expect(perYear).toBeLessThan(8);
    // Six months of the whole city (a fixed seed and fixed windows) hold homicides: the share is defined.
    const clearance = mean('homicide_clearance', '_city');
    expect(clearance).not.toBeNull();
    expect(clearance).toBeGreaterThanOrEqual(80);
  });

  it('sets streets apart so that the ranking is not flat: the best-run street beats the worst on most indicators', () => {
    const best = model.streets.find((s) => s.badness === 0)!.code;
    const worst = model.streets.find((s) => s.badness === 1)!.code;
    const compared = indicators.filter((i) => ![...NOT_PER_STREET, ...RARE].includes(i.id));
    const bestWins = compared.filter((i) => {
      const higherIsBetter = goalposts(i).satisfactory > goalposts(i).unacceptable;
      const [b, w] = [mean(i.id, best)!, mean(i.id, worst)!];
      return higherIsBetter ? b > w : b < w;
    });
    expect(bestWins.length).toBeGreaterThanOrEqual(0.75 * compared.length);
  });
});

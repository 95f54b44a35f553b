/**
 * The demo's past months, so that a first start has a year of publications (同比 from day one) and a
 * red-month ladder to show. Each past month gets every street's value of every indicator, as a city
 * importing its monthly statistics from before the system was connected would send them: around the
 * level the simulated city stands at now (what the backfilled events give), wandering a little from
 * month to month, citywide and per street. The street that stands lowest now had a bad run: a month
 * in the grade above the lowest, then a run at the lowest grade up to last month, long enough to
 * reach its 约谈. Pure and deterministic: the same city and base give the same months.
 */
import type { CityConfig } from '../../shared/city.js';
import { computeIndex } from '../../shared/index/index.js';
import type { RawValues, Weights } from '../../shared/index/types.js';
import type { Period } from '../../shared/period.js';
import { plausibleMaximum } from '../../shared/indicator-values.js';
import { hashSeed, Rng } from '../../shared/random.js';
import type { IndicatorValueRow } from '../repositories/indicator-values.js';
import { goalposts } from './demo.js';

export interface DemoHistoryInput {
  city: Pick<CityConfig, 'streets' | 'indicators' | 'grades'>;
  /** Each street's raw value of each indicator now: the level the months wander around. */
  base: RawValues;
  weights: Weights;
  /** The months to make, oldest first. */
  months: readonly Period[];
  /** Months a street's bad run lasts at the lowest grade (its 约谈 count). */
  runMonths: (street: string) => number;
  seed: number;
}

/** The months, and which street had the bad run. */
export interface DemoHistory {
  rows: IndicatorValueRow[];
  trouble: string | null;
}

/** How far from month to month a value wanders, in shares of its goalposts' distance. */
const CITY_SPREAD = 0.02;
const STREET_SPREAD = 0.04;

/**
 * Where the bad run's months land against the floor of the grade above the lowest: the month before
 * the run just above it, then the run below it (oldest first).
 */
const LEAD_IN = 4;
const RUN_DEPTHS = [-3, -5, -6, -4];

export function demoMonthlyHistory(input: DemoHistoryInput): DemoHistory {
  const { city, base, weights, months } = input;
  // A value missing now (no homicide to clear this month) is missing in the past months too.
  const indicators = city.indicators.filter((indicator) =>
    city.streets.some((street) => typeof base[street.code]?.[indicator.id] === 'number'),
  );
  const posts = new Map(
    indicators.map((indicator) => [
      indicator.id,
      goalposts({ normalisation: weights.normalisation?.[indicator.id] ?? indicator.normalisation }),
    ]),
  );
  const maxima = new Map(indicators.map((indicator) => [indicator.id, plausibleMaximum(indicator).max]));
  const clamp = (id: string, value: number) =>
    Math.min(maxima.get(id)!, Math.max(0, Math.round(value * 1000) / 1000));
  const streets = city.streets.map(({ code, population }) => ({ code, population }));
  const specs = indicators.map(({ id, block, measure, smoothing, normalisation }) => ({
    id,
    block,
    measure,
    smoothing,
    normalisation,
  }));
  const indexOf = (raw: RawValues) =>
    computeIndex({ streets, indicators: specs, weights, raw, grades: city.grades });

  const now = indexOf(base);
  const trouble =
    [...now.streets].filter((s) => s.index !== null).sort((a, b) => a.index! - b.index!)[0]?.code ?? null;
  const floors = [...city.grades].map((g) => g.min).sort((a, b) => a - b);
  const redCeiling = floors[1] ?? null;
  const run = Math.min(trouble ? input.runMonths(trouble) : 0, Math.max(0, months.length - 1));
  const targets = new Map<number, number>();
  if (redCeiling !== null && run > 0) {
    const last = months.length - 1;
    targets.set(last - run, redCeiling + LEAD_IN);
    for (let i = 0; i < run; i++)
      targets.set(last - run + 1 + i, redCeiling + RUN_DEPTHS[i % RUN_DEPTHS.length]!);
  }

  const random = new Rng(hashSeed(input.seed, 0xd3e0));
  let cityDrift = 0;
  const drift = new Map<string, number>();
  const rows: IndicatorValueRow[] = [];
  months.forEach((period, position) => {
    cityDrift = 0.6 * cityDrift + CITY_SPREAD * random.normal();
    const raw: RawValues = {};
    for (const street of city.streets)
      for (const indicator of indicators) {
        const value = base[street.code]?.[indicator.id];
        if (typeof value !== 'number') continue;
        const key = `${street.code}|${indicator.id}`;
        const wander = 0.7 * (drift.get(key) ?? 0) + STREET_SPREAD * random.normal();
        drift.set(key, wander);
        const { good, bad } = posts.get(indicator.id)!;
        (raw[street.code] ??= {})[indicator.id] = clamp(
          indicator.id,
          value + (bad - good) * (cityDrift + wander),
        );
      }
    const target = targets.get(position);
    if (trouble && target !== undefined) worsen(raw, trouble, target);
    for (const [street, values] of Object.entries(raw))
      for (const [indicatorId, value] of Object.entries(values))
        rows.push({
          indicatorId,
          streetCode: street,
          period: period.period,
          periodStart: period.start,
          periodEnd: period.end,
          value: value!,
        });
  });
  return { rows, trouble };

  /** Moves every value of a street toward its unacceptable end until the street's index is `target`. */
  function worsen(raw: RawValues, street: string, target: number): void {
    const start = { ...raw[street] };
    const at = (share: number) => {
      for (const indicator of indicators) {
        const value = start[indicator.id];
        if (typeof value !== 'number') continue;
        const { bad } = posts.get(indicator.id)!;
        raw[street]![indicator.id] = clamp(indicator.id, value + share * (bad - value));
      }
      return indexOf(raw).streets.find((s) => s.code === street)?.index ?? 0;
    };
    let low = 0;
    let high = 1;
    if (at(low) <= target) return void at(low);
    for (let step = 0; step < 30; step++) {
      const middle = (low + high) / 2;
      if (at(middle) > target) low = middle;
      else high = middle;
    }
    at(high);
  }
}

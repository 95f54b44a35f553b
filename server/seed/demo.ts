/**
 * Demo data for a first start: a month of plausible daily values for every street and indicator,
 * generated the way the measures define them (rolling 30-day counts over the population, ratios of
 * simulated successes, means of simulated observations), plus monthly values for manual indicators
 * and one recorded snapshot per day. Deterministic: the same seed gives the same city.
 */
import type { CityConfig, IndicatorConfig, StreetConfig } from '../../shared/city.js';
import { addDays, parsePeriod } from '../../shared/period.js';
import type { IndicatorValueRow } from '../repositories/indicator-values.js';
import { Rng } from '../../shared/random.js';
import type { Normalisation } from '../../shared/index/types.js';

const DAYS = 30;
const WINDOW = 30;

/** Where between the goalposts a street sits, 0 = satisfactory … 1 = unacceptable. */
function badness(random: Rng, quality: number): number {
  return Math.min(1.3, Math.max(0, 0.35 - 0.25 * quality + 0.12 * random.normal()));
}

/** An indicator's satisfactory and unacceptable ends, whichever way its normalisation names them. */
export function goalposts(indicator: { normalisation: Normalisation }): { good: number; bad: number } {
  const n = indicator.normalisation;
  if (n.method === 'efficacy') return { good: n.satisfactory, bad: n.unacceptable };
  if (n.method === 'minmax') return { good: n.best, bad: n.worst };
  return { good: n.target, bad: n.zero ?? 0 };
}

/** Daily values (the value as of each day) of one indicator in one street, oldest first. */
function dailySeries(
  indicator: IndicatorConfig,
  street: StreetConfig,
  random: Rng,
  quality: number,
): number[] {
  const { good, bad } = goalposts(indicator);
  const target = good + (bad - good) * badness(random, quality);
  const series: number[] = [];
  switch (indicator.measure) {
    case 'count_per_10k':
    case 'count': {
      // Daily event counts around the target rate; each day's value is the trailing 30-day total.
      const perDay =
        indicator.measure === 'count' ? target / WINDOW : (target * street.population) / 10_000 / WINDOW;
      const counts = Array.from({ length: DAYS + WINDOW }, () => random.poisson(Math.max(0, perDay)));
      for (let day = 0; day < DAYS; day++) {
        const total = counts.slice(day + 1, day + 1 + WINDOW).reduce((a, b) => a + b, 0);
        series.push(indicator.measure === 'count' ? total : (total / street.population) * 10_000);
      }
      return series;
    }
    case 'ratio': {
      // Daily cases, each a success with the target probability; the value is the 30-day ratio.
      const p = Math.min(1, Math.max(0, target / 100));
      const casesPerDay = Math.max(2, Math.round(street.population / 8000));
      const days = Array.from({ length: DAYS + WINDOW }, () => random.binomial(casesPerDay, p));
      for (let day = 0; day < DAYS; day++) {
        const successes = days.slice(day + 1, day + 1 + WINDOW).reduce((a, b) => a + b, 0);
        series.push((100 * successes) / (casesPerDay * WINDOW));
      }
      return series;
    }
    case 'mean':
    case 'sum_per_capita':
    case 'manual': {
      // A slowly wandering level (AR(1)) around the target.
      const spread = Math.abs(bad - good) * 0.04;
      let level = target;
      for (let day = 0; day < DAYS; day++) {
        level = target + 0.8 * (level - target) + spread * random.normal();
        series.push(Math.max(0, level));
      }
      return series;
    }
  }
}

/** The demo values as of `today`: daily periods for feed indicators, months for manual ones. */
export function demoIndicatorValues(city: CityConfig, today: string, seed = 20261125): IndicatorValueRow[] {
  const random = new Rng(seed);
  const rows: IndicatorValueRow[] = [];
  const firstDay = addDays(today, -(DAYS - 1));
  city.streets.forEach((street, position) => {
    // A fixed spread of street quality from −1 to 1, shuffled by the seed.
    const quality = Math.cos(position * 2.4 + seed);
    for (const indicator of city.indicators) {
      const series = dailySeries(indicator, street, random, quality);
      if (indicator.source === 'manual') {
        for (const month of new Set([firstDay.slice(0, 7), today.slice(0, 7)])) {
          const period = parsePeriod(month);
          if ('error' in period) continue;
          const value = series[month === today.slice(0, 7) ? DAYS - 1 : 0]!;
          rows.push(row(indicator, street, period.period, period.start, period.end, value));
        }
        continue;
      }
      series.forEach((value, day) => {
        const date = addDays(firstDay, day);
        rows.push(row(indicator, street, date, date, date, value));
      });
    }
  });
  return rows;
}

function row(
  indicator: IndicatorConfig,
  street: StreetConfig,
  period: string,
  periodStart: string,
  periodEnd: string,
  value: number,
): IndicatorValueRow {
  const rounded = Math.round(value * 1000) / 1000;
  const clamped = indicator.measure === 'ratio' ? Math.min(100, rounded) : rounded;
  return {
    indicatorId: indicator.id,
    streetCode: street.code,
    period,
    periodStart,
    periodEnd,
    value: clamped,
  };
}

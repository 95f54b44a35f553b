/**
 * Raw values of indicators (measures) and empirical-Bayes smoothing of count rates.
 */
import type { Measure } from './types.js';

/** Residents per rate unit of a `count_per_10k` measure. */
export const PER_10K = 10_000;

/** What a feed or an import gives for one (street, indicator, window); each measure reads its own fields. */
export interface MeasureInput {
  /** Events counted (`count`, `count_per_10k`). */
  count?: number | null;
  /** Numerator of a `ratio`. */
  numerator?: number | null;
  /** Denominator of a `ratio`. */
  denominator?: number | null;
  /** Sum of observations (`mean`) or of an amount (`sum_per_capita`). */
  sum?: number | null;
  /** Number of observations of a `mean`. */
  n?: number | null;
  /** A value taken as it is (`manual`). */
  value?: number | null;
}

function finite(x: number | null | undefined): x is number {
  return typeof x === 'number' && Number.isFinite(x);
}

/**
 * The raw value x of one indicator for one street, or null when it cannot be known: a missing or
 * non-finite input, a zero denominator, no observations, or no population.
 *
 * - `count_per_10k`: count / population · 10,000
 * - `count`: count
 * - `ratio`: 100 · numerator / denominator (percent)
 * - `mean`: sum / n
 * - `sum_per_capita`: sum / population
 * - `manual`: value
 */
export function measureValue(measure: Measure, input: MeasureInput, population: number): number | null {
  switch (measure) {
    case 'count_per_10k':
      return finite(input.count) && finite(population) && population > 0
        ? (input.count * PER_10K) / population
        : null;
    case 'count':
      return finite(input.count) ? input.count : null;
    case 'ratio':
      return finite(input.numerator) && finite(input.denominator) && input.denominator !== 0
        ? (100 * input.numerator) / input.denominator
        : null;
    case 'mean':
      return finite(input.sum) && finite(input.n) && input.n !== 0 ? input.sum / input.n : null;
    case 'sum_per_capita':
      return finite(input.sum) && finite(population) && population > 0 ? input.sum / population : null;
    case 'manual':
      return finite(input.value) ? input.value : null;
  }
}

/** One area for empirical-Bayes smoothing: events counted and the population at risk. */
export interface CountItem {
  count: number;
  population: number;
}

/**
 * Smoothed per-resident rates by Marshall's (1991) global empirical-Bayes estimator, which pulls
 * each area's rate r_i = y_i / n_i toward the city rate, the more so the smaller the area:
 *
 *     m  = Σy / Σn                                  (city rate)
 *     s² = Σ n_i (r_i − m)² / Σ n_i                 (population-weighted variance of rates)
 *     A  = max(0, s² − m / n̄),  n̄ = Σn / k          (between-area variance, method of moments)
 *     C_i = A / (A + m / n_i)                       (shrinkage factor, 0 … 1)
 *     θ_i = m + C_i (r_i − m)
 *
 * Marshall, R. J. (1991). Mapping disease and mortality rates using empirical Bayes estimators.
 * Applied Statistics 40(2), 283–294.
 *
 * Degenerate cases never yield NaN: an area with no population has no rate of its own and gets
 * the city rate m (C_i = 0); when no area has a population m is taken as 0; when every count is 0
 * every rate is 0; a single area keeps its own rate (which is the city rate). Inputs are expected
 * to be finite and non-negative: a non-finite or negative population counts as no population, and
 * when any count is negative nothing is smoothed (each area keeps its own rate, 0 without population).
 *
 * @returns θ_i per item, in the items' order, as rates per resident.
 */
export function smoothRatesEB(items: readonly CountItem[]): number[] {
  const areas = items.map((item) => {
    const population = Number.isFinite(item.population) && item.population > 0 ? item.population : 0;
    const count = population > 0 && Number.isFinite(item.count) ? item.count : 0;
    return { count, population, rate: population > 0 ? count / population : 0 };
  });
  // Negative counts are not counts: the estimator's variances would be meaningless, so the raw
  // rates are returned as they are rather than smoothed into nonsense.
  if (areas.some((area) => area.count < 0)) return areas.map((area) => area.rate);
  const populated = areas.filter((area) => area.population > 0);
  const totalPopulation = populated.reduce((sum, area) => sum + area.population, 0);
  if (totalPopulation === 0) return areas.map(() => 0);

  const m = populated.reduce((sum, area) => sum + area.count, 0) / totalPopulation;
  const s2 =
    populated.reduce((sum, area) => sum + area.population * (area.rate - m) ** 2, 0) / totalPopulation;
  const meanPopulation = totalPopulation / populated.length;
  const a = Math.max(0, s2 - m / meanPopulation);

  return areas.map((area) => {
    if (area.population === 0) return m;
    const denominator = a + m / area.population;
    // A = 0 and m = 0 means every rate is 0 already: nothing to shrink.
    if (denominator === 0) return m;
    const c = a / denominator;
    return m + c * (area.rate - m);
  });
}

/**
 * Empirical-Bayes smoothing of per-10k rates (Marshall 1991, see {@link smoothRatesEB}): turns each
 * street's rate back into a count (rate · population / 10,000), smooths, and returns per-10k rates.
 * Streets whose value is null (or not finite) are left null and take no part in the estimate, so
 * an unknown street cannot drag the city rate. A street without a (positive) population cannot be
 * turned into a count: it keeps its value as it is and takes no part either.
 *
 * @param values street code → rate per 10k residents, or null when unknown
 * @param populations street code → resident population (a street missing here counts as 0)
 */
export function smoothPer10k(
  values: Readonly<Record<string, number | null>>,
  populations: Readonly<Record<string, number>>,
): Record<string, number | null> {
  const known = Object.entries(values).filter(
    (entry): entry is [string, number] => finite(entry[1]) && (populations[entry[0]] ?? 0) > 0,
  );
  const smoothed = smoothRatesEB(
    known.map(([code, rate]) => {
      const population = populations[code] ?? 0;
      return { count: (rate * population) / PER_10K, population };
    }),
  );
  const result: Record<string, number | null> = {};
  for (const [code, rate] of Object.entries(values)) result[code] = finite(rate) ? rate : null;
  known.forEach(([code], i) => {
    result[code] = (smoothed[i] ?? 0) * PER_10K;
  });
  return result;
}

/**
 * Grades, ranking and the city index: what the wall shows next to each street's number.
 */
import type { GradeBand } from './types.js';

/**
 * Tolerance when comparing indices, so that rounding noise (89.99999999999999 for a true 90)
 * neither splits a tie nor drops a street into the band below.
 */
export const INDEX_TOLERANCE = 1e-9;

/** Default grades: ≥90 优, 80–90 良, 70–80 中, <70 差. */
export const DEFAULT_GRADES: readonly GradeBand[] = [
  { id: 'excellent', min: 90, label: { zh: '优', en: 'Excellent' }, colour: '#2fbf71' },
  { id: 'good', min: 80, label: { zh: '良', en: 'Good' }, colour: '#3fa7ff' },
  { id: 'fair', min: 70, label: { zh: '中', en: 'Fair' }, colour: '#f5b942' },
  { id: 'poor', min: 0, label: { zh: '差', en: 'Poor' }, colour: '#ef4f4f' },
];

/**
 * The band an index earns: among bands whose `min` ≤ index (within {@link INDEX_TOLERANCE}), the one
 * with the highest `min`. Bands may come in any order. Null for a null index, or one below every band.
 */
export function gradeOf(index: number | null, bands: readonly GradeBand[]): GradeBand | null {
  if (index === null || Number.isNaN(index)) return null;
  let best: GradeBand | null = null;
  for (const band of bands) {
    if (band.min <= index + INDEX_TOLERANCE && (best === null || band.min > best.min)) best = band;
  }
  return best;
}

/**
 * Competition ranking (1, 2, 2, 4), highest index first: a street's rank is 1 + the number of
 * streets whose index is higher by more than {@link INDEX_TOLERANCE}. Null index → null rank.
 *
 * @returns street code → rank
 */
export function rank(values: readonly { code: string; index: number | null }[]): Map<string, number | null> {
  const ranks = new Map<string, number | null>();
  const known: { code: string; index: number }[] = [];
  for (const { code, index } of values) {
    if (index === null || !Number.isFinite(index)) ranks.set(code, null);
    else known.push({ code, index });
  }
  known.sort((a, b) => b.index - a.index);
  // Walking down the sorted list, `higher` counts the streets above the current one beyond tolerance.
  let higher = 0;
  for (const street of known) {
    while (higher < known.length && (known[higher]?.index ?? -Infinity) > street.index + INDEX_TOLERANCE) {
      higher += 1;
    }
    ranks.set(street.code, higher + 1);
  }
  return ranks;
}

/**
 * The city index: population-weighted mean of the street indices that are known (实有人口 as the
 * weight). Null when no index is known; the plain mean when the known streets have no population.
 */
export function cityIndex(streets: readonly { index: number | null; population: number }[]): number | null {
  const known = streets.filter(
    (street): street is { index: number; population: number } =>
      street.index !== null && Number.isFinite(street.index),
  );
  if (known.length === 0) return null;
  const weightOf = (population: number): number =>
    Number.isFinite(population) && population > 0 ? population : 0;
  const totalPopulation = known.reduce((sum, street) => sum + weightOf(street.population), 0);
  if (totalPopulation === 0) return known.reduce((sum, street) => sum + street.index, 0) / known.length;
  return known.reduce((sum, street) => sum + weightOf(street.population) * street.index, 0) / totalPopulation;
}

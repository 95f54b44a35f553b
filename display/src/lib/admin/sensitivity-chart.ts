/**
 * The sensitivity panel's geometry: each street's rank interval under weight noise (5th–95th
 * percentile bar, median dot, nominal rank marker) along one rank axis, and the colours of the
 * remove-one-indicator heat table. d3 scales here; the components draw what these answer.
 */
import { interpolateRgb, scaleLinear } from 'd3';
import type { SensitivityAnswer } from './weights.js';

export interface IntervalRow {
  code: string;
  name: { zh: string; en: string };
  rank: number | null;
  median: number | null;
  p5: number | null;
  p95: number | null;
  /** Row's centre line, px from the top of the plot. */
  y: number;
  /** The bar from p5 to p95, px; null without an interval. */
  bar: { x1: number; x2: number } | null;
  medianX: number | null;
  rankX: number | null;
}

export interface IntervalChart {
  rows: IntervalRow[];
  ticks: { rank: number; x: number }[];
  /** Height of the plot, px (rows × row height). */
  height: number;
}

const known = (value: number | null | undefined): value is number =>
  typeof value === 'number' && Number.isFinite(value);

/**
 * Rank intervals on an axis from rank 1 (left) to the last rank (right), one row per street sorted
 * by nominal rank (streets without one last, in the order given).
 */
export function intervalChart(
  streets: SensitivityAnswer['streets'],
  width: number,
  rowHeight: number,
): IntervalChart {
  const last = Math.max(
    2,
    streets.length,
    ...streets.flatMap((s) => [s.rank, s.p95, s.p5, s.median].filter(known)),
  );
  const x = scaleLinear().domain([1, last]).range([0, width]).clamp(true);
  const sorted = streets
    .map((street, order) => ({ street, order }))
    .sort((a, b) => (a.street.rank ?? Infinity) - (b.street.rank ?? Infinity) || a.order - b.order)
    .map(({ street }) => street);
  const rows = sorted.map((street, i) => ({
    ...street,
    y: i * rowHeight + rowHeight / 2,
    bar:
      known(street.p5) && known(street.p95)
        ? { x1: x(Math.min(street.p5, street.p95)), x2: x(Math.max(street.p5, street.p95)) }
        : null,
    medianX: known(street.median) ? x(street.median) : null,
    rankX: known(street.rank) ? x(street.rank) : null,
  }));
  const ticks = Array.from({ length: last }, (_, i) => ({ rank: i + 1, x: x(i + 1) }));
  return { rows, ticks, height: rows.length * rowHeight };
}

/** The heat table's colours: up (green) and down (red) from a neutral cell, by size of the shift. */
const NEUTRAL = '#101c31';
const UP = '#2fbf71';
const DOWN = '#ff6b5e';

/**
 * A cell's background for a rank change when an indicator is removed: the larger the change
 * against the table's largest, the stronger; a cell without a change (0 or unknown) stays neutral.
 */
export function shiftColour(shift: number | null | undefined, largest: number): string {
  if (!known(shift) || shift === 0 || !(largest > 0)) return NEUTRAL;
  const strength = 0.25 + 0.6 * Math.min(1, Math.abs(shift) / largest);
  return interpolateRgb(NEUTRAL, shift > 0 ? UP : DOWN)(strength);
}

/** The largest |shift| of a removal table, for its colour scale. */
export const largestShift = (removal: SensitivityAnswer['removal']): number =>
  Math.max(0, ...removal.flatMap((row) => Object.values(row.shifts).filter(known).map(Math.abs)));

/** The removal rows, the indicator that moves the ranking most first. */
export const byInfluence = (removal: SensitivityAnswer['removal']): SensitivityAnswer['removal'] =>
  [...removal].sort((a, b) => (b.meanAbsoluteRankShift ?? -1) - (a.meanAbsoluteRankShift ?? -1));

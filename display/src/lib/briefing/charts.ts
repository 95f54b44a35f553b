/**
 * The briefing's charts as geometry: the 扣分项 bars of a street and its monthly trend. d3 scales
 * and shapes here; the components draw the rectangles and paths they answer.
 */
import { line, scaleBand, scaleLinear } from 'd3';
import type { TrendPoint } from './model.js';

/** One bar of points lost. */
export interface LossBar {
  id: string;
  points: number;
  /** Length in px. */
  width: number;
}

/** Bars of points lost, biggest first as given, scaled so that the biggest fills `width`. */
export function lossBars(losses: readonly { id: string; points: number }[], width: number): LossBar[] {
  const largest = Math.max(0, ...losses.map((loss) => loss.points));
  const x = scaleLinear()
    .domain([0, largest > 0 ? largest : 1])
    .range([0, width])
    .clamp(true);
  return losses.map((loss) => ({ ...loss, width: x(loss.points) }));
}

export interface TrendChart {
  /** Each month's place along x (the centre of its band) and its point, when it has an index. */
  months: { month: string; x: number; y: number | null; index: number | null; published: boolean }[];
  /** The line through consecutive known months; gaps where a month is missing. */
  path: string | null;
  ticks: { value: number; y: number }[];
}

/**
 * A monthly trend in a `width`×`height` box: months as bands along x, the index along y over its
 * own range, at least 4 points tall so small moves are not blown up into cliffs.
 */
export function trendChart(points: readonly TrendPoint[], width: number, height: number): TrendChart {
  const x = scaleBand<string>()
    .domain(points.map((p) => p.month))
    .range([0, width])
    .padding(0.2);
  const known = points.map((p) => p.index).filter((v): v is number => v !== null && Number.isFinite(v));
  const low = known.length ? Math.min(...known) : 60;
  const high = known.length ? Math.max(...known) : 100;
  const middle = (low + high) / 2;
  const half = Math.max(2, (high - low) / 2) * 1.15;
  const y = scaleLinear()
    .domain([middle - half, middle + half])
    .range([height, 0])
    .nice(4);
  const months = points.map((p) => ({
    month: p.month,
    x: (x(p.month) ?? 0) + x.bandwidth() / 2,
    y: p.index !== null && Number.isFinite(p.index) ? y(p.index) : null,
    index: p.index,
    published: p.published,
  }));
  const drawn = line<(typeof months)[number]>()
    .defined((m) => m.y !== null)
    .x((m) => m.x)
    .y((m) => m.y ?? 0);
  return {
    months,
    path: known.length ? drawn(months) : null,
    ticks: y.ticks(4).map((value) => ({ value, y: y(value) })),
  };
}

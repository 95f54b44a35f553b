/**
 * Scales of the wall's charts: the ranking bars, the trend sparklines, the city gauge and the
 * heat map's colours.
 *
 * Ranking bars: Street indices sit close together (80–95 is common), so a bar drawn
 * from 0 would make them all look alike; the bar starts at a round value below the lowest street,
 * the axis says so with its ticks, and the grade bands are drawn as lines across the track.
 */
import { arc, area, interpolateHcl, line, scaleLinear, type ScaleLinear } from 'd3';
import type { GradeBand } from '$shared/index/types.js';

export const INDEX_MAX = 100;

/** Room below the lowest street, so that even the last bar has some length. */
const HEADROOM = 5;
const STEP = 10;
/** More labels than this crowd the axis above a bar of a few hundred pixels. */
const MAX_TICKS = 5;

/**
 * The lower end of the bar axis: the multiple of 10 at or below (lowest index − 5), never below 0.
 * 0 when no index is known.
 */
export function axisStart(indices: readonly (number | null)[]): number {
  const known = indices.filter((i): i is number => i !== null && Number.isFinite(i));
  if (known.length === 0) return 0;
  const lowest = Math.min(...known);
  return Math.min(INDEX_MAX - STEP, Math.max(0, Math.floor((lowest - HEADROOM) / STEP) * STEP));
}

/** Index → bar length in percent of the track (0–100), clamped. */
export function barScale(indices: readonly (number | null)[]): ScaleLinear<number, number> {
  return scaleLinear()
    .domain([axisStart(indices), INDEX_MAX])
    .range([0, 100])
    .clamp(true);
}

/** The bar length of an index in percent of the track; 0 for an unknown index. */
export function barWidth(scale: ScaleLinear<number, number>, index: number | null): number {
  return index === null || !Number.isFinite(index) ? 0 : scale(index);
}

export interface AxisTick {
  value: number;
  /** Position along the track, percent. */
  at: number;
}

/** Round ticks along the visible part of the axis: every 10 points, or every 20 on a long axis. */
export function axisTicks(scale: ScaleLinear<number, number>): AxisTick[] {
  const [start, end] = scale.domain() as [number, number];
  const count = Math.min(MAX_TICKS, Math.round((end - start) / STEP));
  return scale.ticks(count).map((value) => ({ value, at: scale(value) }));
}

/** The grade boundaries that fall inside the visible axis (not at its ends), with their colours. */
export function gradeLines(
  scale: ScaleLinear<number, number>,
  grades: readonly GradeBand[],
): (AxisTick & { colour: string })[] {
  const [start, end] = scale.domain() as [number, number];
  return grades
    .filter((grade) => grade.min > start && grade.min < end)
    .map((grade) => ({ value: grade.min, at: scale(grade.min), colour: grade.colour }));
}

/** Points lost → length in percent of the largest loss on the panel, for the 扣分项 bars. */
export function lossScale(largest: number): ScaleLinear<number, number> {
  return scaleLinear()
    .domain([0, largest > 0 ? largest : 1])
    .range([0, 100])
    .clamp(true);
}

/** A point of a trend: when, and the index then (null: no index at that time). */
export interface TrendSample {
  at: string;
  index: number | null;
}

export interface Sparkline {
  /** SVG path of the line; null with fewer than one known point. */
  line: string | null;
  /** The same line closed down to the bottom, for a faint fill. */
  area: string | null;
  /** The newest known point, to mark it. */
  last: { x: number; y: number; index: number } | null;
  min: number | null;
  max: number | null;
}

/**
 * A trend drawn in a `width`×`height` box: time along x, the index along y over its own range
 * (at least 2 points tall, so a flat day is a flat line in the middle rather than noise blown up).
 * Times that do not parse and unknown indices leave gaps.
 */
export function sparkline(points: readonly TrendSample[], width: number, height: number): Sparkline {
  const known = points
    .map((point) => ({ t: Date.parse(point.at), index: point.index }))
    .filter((p): p is { t: number; index: number } => Number.isFinite(p.t));
  const values = known.map((p) => p.index).filter((v): v is number => v !== null && Number.isFinite(v));
  if (values.length === 0) return { line: null, area: null, last: null, min: null, max: null };
  const min = Math.min(...values);
  const max = Math.max(...values);
  const middle = (min + max) / 2;
  const half = Math.max(1, (max - min) / 2) * 1.1;
  const times = known.map((p) => p.t);
  const first = Math.min(...times);
  const lastTime = Math.max(...times);
  const x = scaleLinear()
    .domain(first === lastTime ? [first - 1, first + 1] : [first, lastTime])
    .range([0, width]);
  const y = scaleLinear()
    .domain([middle - half, middle + half])
    .range([height, 0]);
  const defined = (p: { index: number | null }) => p.index !== null && Number.isFinite(p.index);
  const drawn = line<{ t: number; index: number | null }>()
    .defined(defined)
    .x((p) => x(p.t))
    .y((p) => y(p.index ?? 0));
  const filled = area<{ t: number; index: number | null }>()
    .defined(defined)
    .x((p) => x(p.t))
    .y0(height)
    .y1((p) => y(p.index ?? 0));
  const newest = [...known].reverse().find(defined);
  return {
    line: drawn(known),
    area: filled(known),
    last: newest ? { x: x(newest.t), y: y(newest.index!), index: newest.index! } : null,
    min,
    max,
  };
}

/** The gauge reads from this index up: city indices sit high, and 50 leaves room for every grade band. */
export const GAUGE_MIN = 50;
/** The gauge sweeps 240°, its gap at the bottom. */
const GAUGE_SWEEP = (4 / 3) * Math.PI;

/** Index → angle of the gauge (radians, 0 at the top, clockwise), clamped to the dial. */
export function gaugeAngle(index: number | null): number {
  const start = -GAUGE_SWEEP / 2;
  if (index === null || !Number.isFinite(index)) return start;
  const share = Math.min(1, Math.max(0, (index - GAUGE_MIN) / (INDEX_MAX - GAUGE_MIN)));
  return start + share * GAUGE_SWEEP;
}

export interface GaugeBand {
  path: string;
  colour: string;
}

/** The grade bands as a thin ring just outside a dial of outer radius `radius`. */
export function gaugeBands(grades: readonly GradeBand[], radius: number, thickness: number): GaugeBand[] {
  const band = arc();
  const sorted = [...grades].sort((a, b) => a.min - b.min);
  return sorted
    .map((grade, i) => {
      const from = Math.max(GAUGE_MIN, grade.min);
      const to = Math.min(INDEX_MAX, sorted[i + 1]?.min ?? INDEX_MAX);
      if (to <= from) return null;
      return {
        path:
          band({
            innerRadius: radius + thickness * 0.18,
            outerRadius: radius + thickness * 0.38,
            startAngle: gaugeAngle(from) + 0.01,
            endAngle: gaugeAngle(to) - 0.01,
          }) ?? '',
        colour: grade.colour,
      };
    })
    .filter((b): b is GaugeBand => b !== null && b.path !== '');
}

/**
 * The dial of the city gauge, centred at 0,0: the track and the value's arc (empty for an unknown
 * index). The bands, which change only with the grades, come from {@link gaugeBands}.
 */
export function gaugeDial(
  index: number | null,
  radius: number,
  thickness: number,
): { track: string; value: string } {
  const start = gaugeAngle(GAUGE_MIN);
  const inner = radius - thickness;
  const ring = arc().cornerRadius(thickness / 6);
  const valueEnd = gaugeAngle(index);
  return {
    track:
      ring({ innerRadius: inner, outerRadius: radius, startAngle: start, endAngle: gaugeAngle(INDEX_MAX) }) ??
      '',
    value:
      index === null || !Number.isFinite(index) || valueEnd <= start
        ? ''
        : (ring({ innerRadius: inner, outerRadius: radius, startAngle: start, endAngle: valueEnd }) ?? ''),
  };
}

/** Score (0–100) → colour of a heat-map cell: red below 60, through amber, to green at 100. */
export const scoreColour = scaleLinear<string>()
  .domain([40, 60, 75, 90, 100])
  .range(['#a3202c', '#e4513f', '#eeb33e', '#58c26d', '#27b36a'])
  .interpolate(interpolateHcl)
  .clamp(true);

/**
 * Scales of the ranking bars. Street indices sit close together (80–95 is common), so a bar drawn
 * from 0 would make them all look alike; the bar starts at a round value below the lowest street,
 * the axis says so with its ticks, and the grade bands are drawn as lines across the track.
 */
import { scaleLinear, type ScaleLinear } from 'd3';
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

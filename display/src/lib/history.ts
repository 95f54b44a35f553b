/**
 * A street's recorded index over the last 30 days, as its page shows it: the request, the answer
 * checked, the points thinned to what a phone-sized chart can show, and what changed. Pure; `now`
 * is epoch ms.
 */
import { sparkline, type Sparkline, type TrendSample } from './scale.js';

export const HISTORY_DAYS = 30;
const DAY_MS = 86_400_000;

/** A recorded snapshot of a street's index (`GET /api/index/history`). */
export interface HistoryPoint {
  at: string;
  index: number | null;
  rank: number | null;
  provisional: boolean;
}

/** The API path of a street's history over the `days` before `now`. */
export function historyPath(street: string, now: number, days = HISTORY_DAYS): string {
  const query = new URLSearchParams({
    street,
    from: new Date(now - days * DAY_MS).toISOString(),
    to: new Date(now).toISOString(),
  });
  return `/api/index/history?${query.toString()}`;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null;

/**
 * The points of an answer that can be drawn, oldest first: a time that parses and an index that is
 * a number or null (a gap). Null when the answer is not a history at all.
 */
export function historyPoints(body: unknown): HistoryPoint[] | null {
  if (!isObject(body) || !Array.isArray(body.points)) return null;
  const points: HistoryPoint[] = [];
  for (const point of body.points as unknown[]) {
    if (!isObject(point) || typeof point.at !== 'string' || !Number.isFinite(Date.parse(point.at))) continue;
    const index = typeof point.index === 'number' && Number.isFinite(point.index) ? point.index : null;
    points.push({
      at: point.at,
      index,
      rank: typeof point.rank === 'number' ? point.rank : null,
      provisional: point.provisional === true,
    });
  }
  return points.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
}

/**
 * At most `buckets` points: a live server records a snapshot every few minutes (thousands in 30
 * days), more than a chart a few hundred pixels wide can show. Each bucket, an equal slice of the
 * time from the first point to the last, is drawn as the mean of its indices at its points' mean
 * time; a bucket without an index is a gap.
 */
export function thinHistory(points: readonly TrendSample[], buckets: number): TrendSample[] {
  if (points.length <= buckets || buckets < 1) return [...points];
  const times = points.map((point) => Date.parse(point.at));
  const first = times[0]!;
  const span = Math.max(1, times.at(-1)! - first);
  const sums = Array.from({ length: buckets }, () => ({ time: 0, count: 0, index: 0, known: 0 }));
  points.forEach((point, i) => {
    const bucket = sums[Math.min(buckets - 1, Math.floor(((times[i]! - first) / span) * buckets))]!;
    bucket.time += times[i]!;
    bucket.count += 1;
    if (point.index !== null) {
      bucket.index += point.index;
      bucket.known += 1;
    }
  });
  return sums
    .filter((bucket) => bucket.count > 0)
    .map((bucket) => ({
      at: new Date(Math.round(bucket.time / bucket.count)).toISOString(),
      index: bucket.known > 0 ? bucket.index / bucket.known : null,
    }));
}

export interface HistoryChart extends Sparkline {
  /** Known indices drawn. */
  count: number;
  /** Provisional points not drawn: a block lacked data, so the index is not comparable with the rest. */
  leftOut: number;
  /** The oldest and newest index drawn, and the change between them. */
  first: number | null;
  latest: number | null;
  change: number | null;
  /** When the drawn points start and end (ISO), for the dates under the chart. */
  start: string | null;
  end: string | null;
}

/**
 * A street's history drawn in a `width`×`height` box, thinned to a point every two pixels at most.
 * Provisional points are left out when there are others: an index computed without one of its
 * blocks would stand out as a jump that did not happen.
 */
export function historyChart(points: readonly HistoryPoint[], width: number, height: number): HistoryChart {
  const settled = points.filter((point) => !point.provisional && point.index !== null);
  const drawn = settled.length > 0 ? points.filter((point) => !point.provisional) : points;
  const samples = thinHistory(
    drawn.map((point) => ({ at: point.at, index: point.index })),
    Math.max(2, Math.floor(width / 2)),
  );
  const chart = sparkline(samples, width, height);
  const known = samples.filter((sample): sample is { at: string; index: number } => sample.index !== null);
  const first = known[0]?.index ?? null;
  const latest = known.at(-1)?.index ?? null;
  return {
    ...chart,
    count: known.length,
    leftOut: points.length - drawn.length,
    first,
    latest,
    change: first !== null && latest !== null && known.length > 1 ? latest - first : null,
    start: known[0]?.at ?? null,
    end: known.at(-1)?.at ?? null,
  };
}

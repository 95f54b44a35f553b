/**
 * The monthly index as published: the figures frozen at publication, and the comparisons of a
 * published month with the month before (环比) and the same month a year before (同比). Pure: the
 * server computes the figures from the month's data and keeps them; this module shapes, compares and
 * exports them.
 */
import type { LiveIndex } from '../api.js';
import { explainChange, type IndicatorChange } from '../index/contributions.js';
import type { StreetResult, Weights } from '../index/types.js';

/** A calendar month, YYYY-MM. */
export type Month = string;

/** One street of a month, as frozen at publication. */
export interface MonthlyStreet extends StreetResult {
  name: { zh: string; en: string };
  /** The population its rates per 10k residents were taken over. */
  population: number;
}

/** What a publication freezes: every street's result, the weight set and the populations used. */
export interface MonthlyFigures {
  month: Month;
  city: number | null;
  cityGrade: string | null;
  weightSet: { id: number; name: string; effectiveFrom: string | null; weights: Weights };
  streets: MonthlyStreet[];
}

/** One street's change against an earlier month. */
export interface StreetChange {
  code: string;
  /** This month's index − the earlier month's; null when either is unknown. */
  index: number | null;
  /** Places moved up (positive) or down; null when either rank is unknown. */
  rank: number | null;
  /** Every indicator's change of contribution, largest first; they add up to `index`. */
  indicators: IndicatorChange[];
}

/** 环比 or 同比: a month against an earlier one, or the reason there is no comparison. */
export type MonthComparison =
  | { against: Month; available: true; city: number | null; streets: StreetChange[] }
  | { against: Month; available: false; reason: string };

/** One published version of a month. */
export interface Publication {
  version: number;
  /** Why this correction was published; null for the first version. */
  reason: string | null;
  publishedBy: string;
  publishedAt: string;
  /** SHA-256 of the figures' canonical JSON: the same figures, the same hash. */
  hash: string;
}

/** `GET /api/reports/monthly/:month`. */
export interface MonthlyReport {
  month: Month;
  /** `draft`: computed now (`?draft=1`), not published. */
  status: 'published' | 'draft';
  /** False for a draft of the month still running: its figures are the data so far. */
  complete: boolean;
  /** The version shown; null for a draft. */
  publication: Publication | null;
  /** Every published version, oldest first. */
  versions: Publication[];
  figures: MonthlyFigures;
  /** 环比: against the month before. */
  monthOnMonth: MonthComparison;
  /** 同比: against the same month a year before. */
  yearOnYear: MonthComparison;
  /** The red-month ladder of each street as of this month (published months only). */
  ladder: LadderStanding[];
}

/** Where a street stands on the red-month ladder: 预警 at `warnAt` red months in a row, 约谈 at `interviewAt`. */
export interface LadderStanding {
  code: string;
  /** Consecutive published months at the lowest grade, ending with the report's month. */
  months: number;
  /** Those months, oldest first, with their published index. */
  run: { month: Month; index: number | null }[];
  step: 'none' | 'warning' | 'interview';
  warnAt: number;
  interviewAt: number;
}

/**
 * The ladder as of a month, from the published grades of each street: the run of lowest-grade
 * months that ends with that month (a month not published, or not red, ends the run).
 */
export function ladderAsOf(
  month: Month,
  published: Readonly<
    Record<string, readonly { month: Month; grade: string | null; index: number | null }[]>
  >,
  streets: readonly string[],
  lowestGrade: string | undefined,
  rule: (street: string) => { warnAt: number; interviewAt: number },
): LadderStanding[] {
  return streets.map((code) => {
    const byMonth = new Map((published[code] ?? []).map((m) => [m.month, m]));
    const run: { month: Month; index: number | null }[] = [];
    for (let m = month; ; m = previousMonth(m)) {
      const found = byMonth.get(m);
      if (!found || lowestGrade === undefined || found.grade !== lowestGrade) break;
      run.unshift({ month: m, index: found.index });
    }
    const { warnAt, interviewAt } = rule(code);
    const step = run.length >= interviewAt ? 'interview' : run.length >= warnAt ? 'warning' : 'none';
    return { code, months: run.length, run, step, warnAt, interviewAt };
  });
}

/** The month before, and the same month a year before. */
export function previousMonth(month: Month): Month {
  const [year, m] = month.split('-').map(Number) as [number, number];
  return m === 1 ? `${year - 1}-12` : `${year}-${String(m - 1).padStart(2, '0')}`;
}

export function sameMonthLastYear(month: Month): Month {
  const [year, m] = month.split('-') as [string, string];
  return `${Number(year) - 1}-${m}`;
}

/** The figures of a month from the index computed over it and the streets' populations. */
export function monthlyFigures(
  month: Month,
  computed: LiveIndex,
  weights: Weights,
  population: ReadonlyMap<string, number>,
): MonthlyFigures {
  return {
    month,
    city: computed.city,
    cityGrade: computed.cityGrade?.id ?? null,
    weightSet: { ...computed.weightSet, weights },
    streets: computed.streets.map((street) => ({
      code: street.code,
      name: street.name,
      population: population.get(street.code) ?? 0,
      index: street.index,
      grade: street.grade?.id ?? null,
      rank: street.rank,
      provisional: street.provisional,
      blocks: street.blocks,
      indicators: street.indicators.map(({ id, raw, smoothed, score, contribution, pointsLost }) => ({
        id,
        raw,
        ...(smoothed !== raw ? { smoothed } : {}),
        score,
        contribution,
        pointsLost,
      })),
    })),
  };
}

/**
 * A month against an earlier published one: per street the change of index and of rank, split into
 * the indicators' changes of contribution (which add up to the index change exactly, contributions
 * summing to the index under either weight set); none when the earlier month is not published.
 */
export function compareMonths(
  current: MonthlyFigures,
  earlier: MonthlyFigures | null,
  against: Month,
): MonthComparison {
  if (!earlier) return { against, available: false, reason: `${against} is not published` };
  const before = new Map(earlier.streets.map((street) => [street.code, street]));
  return {
    against,
    available: true,
    city: difference(current.city, earlier.city),
    streets: current.streets.map((street) => {
      const was = before.get(street.code);
      if (!was) return { code: street.code, index: null, rank: null, indicators: [] };
      const change = explainChange(was, street);
      return {
        code: street.code,
        index: change.delta,
        rank: was.rank !== null && street.rank !== null ? was.rank - street.rank : null,
        indicators: change.indicators,
      };
    }),
  };
}

/** 扣分项: a street's points lost by indicator, biggest first, those that lost nothing left out. */
export function pointsLost(street: StreetResult): { id: string; points: number }[] {
  return street.indicators
    .filter((indicator) => indicator.pointsLost > 0)
    .map((indicator) => ({ id: indicator.id, points: indicator.pointsLost }))
    .sort((a, b) => b.points - a.points);
}

const difference = (a: number | null, b: number | null) => (a === null || b === null ? null : a - b);

/** A field of a CSV row: quoted when it holds a comma, a quote or a line break. */
function csvField(value: string | number | null): string {
  if (value === null) return '';
  const text = typeof value === 'number' ? String(Math.round(value * 100) / 100) : value;
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * The ranking table of a month as CSV (UTF-8; the server adds a byte-order mark for spreadsheet
 * programs): rank, street, index, grade, 环比 and 同比 of index and rank, provisional.
 */
export function rankingCsv(
  figures: MonthlyFigures,
  monthOnMonth: MonthComparison,
  yearOnYear: MonthComparison,
): string {
  const changes = (comparison: MonthComparison) =>
    new Map(comparison.available ? comparison.streets.map((s) => [s.code, s]) : []);
  const mom = changes(monthOnMonth);
  const yoy = changes(yearOnYear);
  const header = [
    'rank',
    'street',
    'street_zh',
    'index',
    'grade',
    'mom_index',
    'mom_rank',
    'yoy_index',
    'yoy_rank',
    'provisional',
  ];
  // Ranked streets first, best first; those without an index after them, in their order.
  const streets = [...figures.streets].sort((a, b) =>
    a.rank === null || b.rank === null ? Number(a.rank === null) - Number(b.rank === null) : a.rank - b.rank,
  );
  const rows = streets.map((street) => [
    street.rank,
    street.code,
    street.name.zh,
    street.index,
    street.grade,
    mom.get(street.code)?.index ?? null,
    mom.get(street.code)?.rank ?? null,
    yoy.get(street.code)?.index ?? null,
    yoy.get(street.code)?.rank ?? null,
    street.provisional ? 'yes' : 'no',
  ]);
  return [header, ...rows].map((row) => row.map(csvField).join(',')).join('\r\n') + '\r\n';
}

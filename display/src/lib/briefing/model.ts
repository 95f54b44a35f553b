/**
 * What the briefing shows, computed from the published reports: its pages, the changes with their
 * arrows, the 12-month trend from the months that are published, the red-month ladder, the month's
 * alerts. Pure; the store fetches, the components render.
 */
import type { AlertView } from '$shared/api.js';
import type { GradeBand } from '$shared/index/types.js';
import {
  previousMonth,
  type MonthComparison,
  type MonthlyFigures,
  type MonthlyReport,
  type MonthlyStreet,
} from '$shared/reports/monthly.js';
import { addDays, startOfLocalDate } from '$shared/period.js';
import { fixed, MISSING } from '../format.js';

/** One page of the carousel. */
export type BriefingPage =
  | { kind: 'overview' }
  | { kind: 'ranking' }
  | { kind: 'street'; code: string }
  | { kind: 'heatmap' }
  | { kind: 'surveys' }
  | { kind: 'alerts' };

/** Overview, ranking, one page per street in the order of the ranking, heat map, surveys, alerts. */
export function briefingPages(figures: MonthlyFigures): BriefingPage[] {
  return [
    { kind: 'overview' },
    { kind: 'ranking' },
    ...byRank(figures.streets).map((street) => ({ kind: 'street' as const, code: street.code })),
    { kind: 'heatmap' },
    { kind: 'surveys' },
    { kind: 'alerts' },
  ];
}

/** Streets by rank, those without one last, then in their configured order. */
export function byRank<T extends { rank: number | null }>(streets: readonly T[]): T[] {
  return streets
    .map((street, order) => ({ street, order }))
    .sort((a, b) => (a.street.rank ?? Infinity) - (b.street.rank ?? Infinity) || a.order - b.order)
    .map(({ street }) => street);
}

/** A change with its arrow: ▲ up, ▼ down, ＝ none, and "—" when there is nothing to compare. */
export interface Change {
  direction: 'up' | 'down' | 'flat' | 'none';
  text: string;
}

/** An index change to one decimal: "▲ 1.2", "▼ 0.4", "＝ 0.0"; below 0.05 it reads as no change. */
export function indexChange(value: number | null | undefined): Change {
  if (typeof value !== 'number' || !Number.isFinite(value)) return { direction: 'none', text: MISSING };
  if (Math.abs(value) < 0.05) return { direction: 'flat', text: '＝ 0.0' };
  return value > 0
    ? { direction: 'up', text: `▲ ${fixed(value, 1)}` }
    : { direction: 'down', text: `▼ ${fixed(-value, 1)}` };
}

/** Places moved: "▲ 2" up the ranking, "▼ 1" down, "＝" the same place. */
export function rankChange(value: number | null | undefined): Change {
  if (typeof value !== 'number' || !Number.isFinite(value)) return { direction: 'none', text: MISSING };
  if (value === 0) return { direction: 'flat', text: '＝' };
  return value > 0 ? { direction: 'up', text: `▲ ${value}` } : { direction: 'down', text: `▼ ${-value}` };
}

/** A street's 环比 or 同比, or null when the comparison is not available or does not know it. */
export function streetChange(comparison: MonthComparison, code: string) {
  return comparison.available ? (comparison.streets.find((s) => s.code === code) ?? null) : null;
}

/** The months of a window of `count` ending with `month`, oldest first. */
export function monthWindow(month: string, count: number): string[] {
  const months = [month];
  while (months.length < count) months.unshift(previousMonth(months[0]!));
  return months;
}

/** A point of the monthly trend: null index when the month is not published or had no index. */
export interface TrendPoint {
  month: string;
  index: number | null;
  published: boolean;
}

/** The trend of one street (or the city, `code` null) over a window, from the published figures. */
export function monthlyTrend(
  window: readonly string[],
  published: ReadonlyMap<string, MonthlyFigures>,
  code: string | null,
): TrendPoint[] {
  return window.map((month) => {
    const figures = published.get(month);
    if (!figures) return { month, index: null, published: false };
    const index =
      code === null ? figures.city : (figures.streets.find((s) => s.code === code)?.index ?? null);
    return { month, index, published: true };
  });
}

/** One street on the red-month ladder. */
export interface LadderRung {
  code: string;
  name: { zh: string; en: string };
  /** Consecutive months at the lowest grade, ending with the latest published month. */
  months: number;
  /** What the run has earned under the thresholds: nothing yet, a warning notice (约谈预警), an interview (约谈). */
  stage: 'watch' | 'warning' | 'interview';
}

/** Red-month thresholds as the alert rules hold them. */
export interface LadderThresholds {
  warnAt: number;
  interviewAt: number;
}

/**
 * The red-month ladder of a report, as the server counted it from the published months (a month
 * not published, or not at the lowest grade, ends a run): every street with at least one red month
 * in a row up to the report's month, longest run first.
 */
export function redMonthLadder(report: MonthlyReport): LadderRung[] {
  const names = new Map(report.figures.streets.map((s) => [s.code, s.name]));
  return report.ladder
    .filter((standing) => standing.months > 0)
    .map((standing) => ({
      code: standing.code,
      name: names.get(standing.code) ?? { zh: standing.code, en: standing.code },
      months: standing.months,
      stage: standing.step === 'none' ? ('watch' as const) : standing.step,
    }))
    .sort((a, b) => b.months - a.months);
}

/** The thresholds of the ladder as the server applied them (the configuration's defaults in a report without streets). */
export function ladderThresholds(report: MonthlyReport, defaults: LadderThresholds): LadderThresholds {
  const first = report.ladder[0];
  return first ? { warnAt: first.warnAt, interviewAt: first.interviewAt } : defaults;
}

/** The first instant of a month and of the next one, in a time zone. */
export function monthRange(month: string, timeZone: string): { from: Date; to: Date } {
  const [year, m] = month.split('-').map(Number) as [number, number];
  const next = m === 12 ? `${year + 1}-01` : `${year}-${String(m + 1).padStart(2, '0')}`;
  return { from: startOfLocalDate(`${month}-01`, timeZone), to: startOfLocalDate(`${next}-01`, timeZone) };
}

/**
 * The month's alerts: opened during the month in the city's time zone, and the red-month alerts
 * raised on its publication (which open after the month is over), newest first.
 */
export function alertsOfMonth(alerts: readonly AlertView[], month: string, timeZone: string): AlertView[] {
  const { from, to } = monthRange(month, timeZone);
  return alerts
    .filter((alert) => {
      if (alert.detail.rule === 'redMonths') return alert.detail.lastMonth === month;
      const opened = Date.parse(alert.openedAt);
      return opened >= from.getTime() && opened < to.getTime();
    })
    .sort((a, b) => Date.parse(b.openedAt) - Date.parse(a.openedAt));
}

/** The first eight characters of a content hash, as people quote it. */
export const shortHash = (hash: string | null | undefined): string => (hash ? hash.slice(0, 8) : MISSING);

/** Streets whose index is provisional (a block lacked data that month). */
export const provisionalStreets = (streets: readonly MonthlyStreet[]): MonthlyStreet[] =>
  streets.filter((street) => street.provisional);

/** A grade's band by id (the figures keep ids; the catalogue has labels and colours). */
export const gradeBand = (grades: readonly GradeBand[], id: string | null): GradeBand | null =>
  grades.find((grade) => grade.id === id) ?? null;

/** A survey mean with its interval: "4.61 [4.51–4.70]"; "4.61" when it has no interval. */
export function surveyMean(estimate: { mean: number; ci95: { low: number; high: number } | null }): string {
  const mean = fixed(estimate.mean, 2);
  return estimate.ci95 ? `${mean} [${fixed(estimate.ci95.low, 2)}–${fixed(estimate.ci95.high, 2)}]` : mean;
}

/** A page's query with another month (null: none, the newest), as `?…`. */
export function queryWithMonth(search: string, month: string | null): string {
  const query = new URLSearchParams(search);
  if (month === null) query.delete('month');
  else query.set('month', month);
  return `?${query.toString()}`;
}

/** A local day of the city as the instants it spans: its midnight to the last millisecond before the next. */
export function dayRange(day: string, timeZone: string): { from: string; to: string } {
  const from = startOfLocalDate(day, timeZone);
  const next = startOfLocalDate(addDays(day, 1), timeZone);
  return { from: from.toISOString(), to: new Date(next.getTime() - 1).toISOString() };
}

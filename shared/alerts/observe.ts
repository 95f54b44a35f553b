/**
 * From what the city looks like now to each rule's verdict: one function per rule, each giving a
 * breach / hold / clear observation with two thresholds (hysteresis) where the value is continuous.
 */
import { INDEX_TOLERANCE, gradeOf } from '../index/grades.js';
import type { GradeBand } from '../index/types.js';
import type {
  FeedStaleRule,
  GradeDownRule,
  IndexDropRule,
  RedMonthsRule,
  StreetRules,
  ZeroToleranceRule,
} from './config.js';
import type { Condition, Observation } from './types.js';

/** An event of the incident feed as the zero-tolerance rule needs it: nothing about a person. */
export interface ZeroToleranceEvent {
  id: string;
  street: string;
  community: string | null;
  category: string;
  /** When it was reported (ISO): immutable, so an event ages out of `withinHours` exactly once. */
  at: string;
}

/** A feed's last successful poll (null: it has not answered since it was configured). */
export interface FeedFreshness {
  feed: string;
  lastSuccessAt: string | null;
}

/** A published month of a street: `month` YYYY-MM, `grade` the grade id it was published with. */
export interface MonthlyGrade {
  month: string;
  grade: string | null;
  /** The published index of that month, named in the explanation. */
  index?: number | null;
}

const MINUTE = 60_000;
const finite = (x: number | null | undefined): x is number => typeof x === 'number' && Number.isFinite(x);

/**
 * Index drop: breach when the index is `points` or more below its baseline, clear when the drop is
 * back to `points − hysteresis` or less. A provisional index (a block lacks data) only holds: its
 * drop may be missing data rather than a worse street.
 */
export function observeIndexDrop(
  street: string,
  index: number | null,
  baseline: number | null | undefined,
  rule: IndexDropRule,
  provisional = false,
): Observation | null {
  if (!rule.enabled || !finite(index) || !finite(baseline)) return null;
  const drop = baseline - index;
  const condition: Condition = provisional
    ? 'hold'
    : drop >= rule.points - INDEX_TOLERANCE
      ? 'breach'
      : drop <= rule.points - rule.hysteresis + INDEX_TOLERANCE
        ? 'clear'
        : 'hold';
  return {
    key: { rule: 'indexDrop', street },
    condition,
    severity: drop >= rule.criticalPoints - INDEX_TOLERANCE ? 'critical' : 'warning',
    detail: {
      rule: 'indexDrop',
      index,
      baseline,
      drop,
      points: rule.points,
      baselineDays: rule.baselineDays,
    },
  };
}

/**
 * Grade down: the index fell below the band the baseline is in. Fire at `margin` below that band's
 * lower edge, clear at `margin` above it. While an alert is open its edge stays frozen (`open`), so a
 * baseline drifting across an edge cannot flip the verdict; the alert also clears once the baseline
 * itself has settled `margin` below the edge — the lower grade is then the street's normal, which the
 * index-drop and red-month rules cover.
 */
export function observeGradeDown(
  street: string,
  index: number | null,
  baseline: number | null | undefined,
  grades: readonly GradeBand[],
  rule: GradeDownRule,
  open: { edge: number; from: string } | null = null,
  provisional = false,
): Observation | null {
  if (!rule.enabled || !finite(index) || !finite(baseline)) return null;
  const band = gradeOf(baseline, grades);
  if (open === null && band === null) return null;
  const edge = open?.edge ?? band?.min ?? 0;
  const from = open?.from ?? band?.id ?? '';
  const below = edge - index;
  const settled = open !== null && edge - baseline >= rule.margin - INDEX_TOLERANCE;
  const condition: Condition = settled
    ? 'clear'
    : provisional
      ? 'hold'
      : below > INDEX_TOLERANCE && below >= rule.margin - INDEX_TOLERANCE
        ? 'breach'
        : -below >= rule.margin - INDEX_TOLERANCE
          ? 'clear'
          : 'hold';
  return {
    key: { rule: 'gradeDown', street },
    condition,
    severity: 'warning',
    detail: {
      rule: 'gradeDown',
      index,
      baseline,
      from,
      to: gradeOf(index, grades)?.id ?? null,
      edge,
      margin: rule.margin,
    },
  };
}

/**
 * Rank: breach while fewer than K ranked streets are strictly below the street (ties at the edge
 * are all inside the bottom K), clear otherwise. A ranking of K streets or fewer says nothing.
 */
export function observeRank(
  streets: readonly { code: string; rank: number | null; index: number | null }[],
  rulesOf: (street: string) => StreetRules,
): Observation[] {
  const ranked = streets.filter((s): s is typeof s & { rank: number } => finite(s.rank));
  return ranked.flatMap((street): Observation[] => {
    const rule = rulesOf(street.code).rank;
    if (!rule.enabled || ranked.length <= rule.k) return [];
    const below = ranked.filter((other) => other.rank > street.rank).length;
    return [
      {
        key: { rule: 'rank', street: street.code },
        condition: below < rule.k ? 'breach' : 'clear',
        severity: 'warning',
        detail: { rule: 'rank', rank: street.rank, of: ranked.length, k: rule.k, index: street.index },
      },
    ];
  });
}

/** Whether an incident of `category` is one the rule alerts on at once. */
export function isZeroTolerance(rule: ZeroToleranceRule, category: unknown): boolean {
  return rule.enabled && rule.categories.some((listed) => listed === category);
}

/**
 * Zero tolerance: every event of a listed category breaches at once, one key per event; it clears
 * once the event is older than `withinHours`.
 */
export function observeZeroTolerance(
  events: readonly ZeroToleranceEvent[],
  now: Date,
  ruleOf: (street: string) => ZeroToleranceRule,
): Observation[] {
  return events.flatMap((event): Observation[] => {
    const rule = ruleOf(event.street);
    const reported = Date.parse(event.at);
    if (!isZeroTolerance(rule, event.category) || !finite(reported)) return [];
    const recent = now.getTime() - reported <= rule.withinHours * 60 * MINUTE;
    return [
      {
        key: { rule: 'zeroTolerance', street: event.street, event: event.id },
        condition: recent ? 'breach' : 'clear',
        severity: 'critical',
        detail: {
          rule: 'zeroTolerance',
          event: event.id,
          category: event.category,
          community: event.community,
          at: event.at,
        },
      },
    ];
  });
}

/**
 * Feed stale: breach when the last successful poll is more than `minutes` old (or there never was
 * one), clear as soon as a poll succeeds — a fresh success resets the age to zero, so no hysteresis
 * is needed.
 */
export function observeFeedStale(
  feeds: readonly FeedFreshness[],
  now: Date,
  rule: FeedStaleRule,
): Observation[] {
  if (!rule.enabled) return [];
  return feeds.map((feed): Observation => {
    const last = feed.lastSuccessAt === null ? NaN : Date.parse(feed.lastSuccessAt);
    const staleMinutes = finite(last) ? Math.max(0, (now.getTime() - last) / MINUTE) : null;
    return {
      key: { rule: 'feedStale', street: null, feed: feed.feed },
      condition: staleMinutes === null || staleMinutes > rule.minutes ? 'breach' : 'clear',
      severity: 'warning',
      detail: {
        rule: 'feedStale',
        feed: feed.feed,
        lastSuccessAt: feed.lastSuccessAt,
        staleMinutes,
        minutes: rule.minutes,
      },
    };
  });
}

const monthNumber = (month: string): number => {
  const match = /^(\d{4})-(\d{2})$/.exec(month);
  return match ? Number(match[1]) * 12 + Number(match[2]) - 1 : NaN;
};

/** Valid months (YYYY-MM), latest first. */
function latestFirst(months: readonly MonthlyGrade[]): MonthlyGrade[] {
  return months
    .filter((m) => finite(monthNumber(m.month)))
    .sort((a, b) => monthNumber(b.month) - monthNumber(a.month));
}

/**
 * Consecutive months at grade `lowest` ending with the latest published month; a missing month
 * breaks the run (a gap is not evidence of a red month).
 */
export function consecutiveMonthsAt(months: readonly MonthlyGrade[], lowest: string): number {
  const sorted = latestFirst(months);
  const latest = monthNumber(sorted[0]?.month ?? '');
  let run = 0;
  for (const month of sorted) {
    if (month.grade !== lowest || monthNumber(month.month) !== latest - run) break;
    run += 1;
  }
  return run;
}

/**
 * Red months (governance escalation): breach at `warnAt` consecutive months at the lowest grade
 * (warning notice, 约谈预警), critical from `interviewAt` (leaders' interview, 约谈); clear when the
 * latest month is out of the lowest grade.
 */
export function observeRedMonths(
  street: string,
  months: readonly MonthlyGrade[],
  grades: readonly GradeBand[],
  rule: RedMonthsRule,
): Observation | null {
  const lowest = [...grades].sort((a, b) => a.min - b.min)[0];
  const lastMonth = latestFirst(months)[0]?.month;
  if (!rule.enabled || lowest === undefined || lastMonth === undefined) return null;
  const run = consecutiveMonthsAt(months, lowest.id);
  const inRun = latestFirst(months)
    .slice(0, run)
    .reverse()
    .map((m) => ({ month: m.month, index: m.index ?? null }));
  return {
    key: { rule: 'redMonths', street },
    condition: run >= rule.warnAt ? 'breach' : 'clear',
    severity: run >= rule.interviewAt ? 'critical' : 'warning',
    detail: {
      rule: 'redMonths',
      months: run,
      lastMonth,
      run: inRun,
      warnAt: rule.warnAt,
      interviewAt: rule.interviewAt,
    },
  };
}

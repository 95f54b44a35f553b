/**
 * What the rules look at: one shape for every rule, read by the caller (server/alerts/inputs.ts
 * reads it from the database and the feeds' health; tests write it by hand). Nothing here touches a
 * database. A rule that needs something new adds a field here, names itself in its comment, and
 * server/alerts/inputs.ts (with service.ts) reads it.
 */
import type { GradeBand } from '../index/types.js';
import type { Names } from '../names.js';
import type { ScreenReport } from '../screens.js';
import type { SilenceOf } from './silences.js';

/** A street as the rules see it: its live index, rank and whether a block lacks data. */
export interface AlertStreet {
  code: string;
  index: number | null;
  rank: number | null;
  provisional: boolean;
}

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

/** A configured screen and what its heartbeats said (null: none since the server started). */
export interface ScreenWatch {
  screen: string;
  location: Names;
  report: ScreenReport | null;
  /** When watching began (the server's start, ISO): a screen never seen is silent since then. */
  since: string;
}

/** A published month of a street: `month` YYYY-MM, `grade` the grade id it was published with. */
export interface MonthlyGrade {
  month: string;
  grade: string | null;
  /** The published index of that month, named in the explanation. */
  index?: number | null;
}

export interface AlertInputs {
  /** The live index of each street (index, rank, provisional): indexDrop, gradeDown, rank. */
  streets: readonly AlertStreet[];
  /**
   * Street code → its baseline: the mean of its index over `rulesFor(config, street).indexDrop.baselineDays`
   * days before the most recent one (BASELINE_LAG_DAYS)
   * (null while there is too little history): indexDrop, gradeDown.
   */
  baselines: Readonly<Record<string, number | null | undefined>>;
  /** The city's grades: gradeDown, redMonths. */
  grades: readonly GradeBand[];
  /** Recent incidents that may be zero-tolerance events (any superset: the rule filters): zeroTolerance. */
  events?: readonly ZeroToleranceEvent[];
  /** The feeds watched for staleness: feedStale. */
  feeds?: readonly FeedFreshness[];
  /** The configured screens and their heartbeats: wallDown. */
  screens?: readonly ScreenWatch[];
  /** Street code → its published months: redMonths. */
  monthlyGrades?: Readonly<Record<string, readonly MonthlyGrade[]>>;
  /** Silences created at run time (POST /api/silences); the configuration's standing ones are added. */
  silences?: readonly SilenceOf[];
}

/** Whether an input figure is there: a number, not null, undefined, NaN or ±∞. */
export const finite = (x: number | null | undefined): x is number =>
  typeof x === 'number' && Number.isFinite(x);

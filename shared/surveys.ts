/**
 * The survey drill-down (公众评价 by street, community and survey method): for each group of a
 * month's responses, its number of responses n, the mean of each question and a 95% confidence
 * interval of that mean. Everything is computed from each group's moments — count, sum and sum of
 * squares per question, which the database aggregates — so no single response is ever needed.
 *
 * The minimum-sample rule (样本不足): a group, or one question of a group, with fewer responses than
 * the city's `surveys.minSample` shows its n and no number. A group below it has no method split
 * either: each of its methods has fewer responses still.
 */
import { surveySchema } from './feeds/survey.js';
import { studentTQuantile } from './statistics.js';

/** What each response answers: two questions always, the four departments when asked. */
export const SURVEY_QUESTIONS = [
  'safety',
  'satisfaction',
  'police',
  'urban',
  'environment',
  'market',
] as const;
export type SurveyQuestion = (typeof SURVEY_QUESTIONS)[number];

/** How a response was taken: door to door (入户), by phone (电话), online (网络). */
export const SURVEY_METHODS = surveySchema.shape.method.options;
export type SurveyMethod = (typeof SURVEY_METHODS)[number];

/** The ratings' scale (shared/feeds/survey.ts): a mean cannot leave it, and neither does its interval. */
export const RATING_SCALE = { min: 1, max: 5 } as const;

/** The confidence of every interval. */
export const CONFIDENCE = 0.95;

/** `surveys.minSample` when the city configuration does not set it. */
export const DEFAULT_MIN_SAMPLE = 30;

/** The moments of one question over a group: how many answered it, Σx and Σx². */
export interface Moments {
  n: number;
  sum: number;
  sumSquares: number;
}

/** The moments of a group of responses: its number of responses and each question's moments. */
export interface GroupMoments {
  n: number;
  questions: Record<SurveyQuestion, Moments>;
}

/** One group as the database aggregates it: the responses of one street, community and method. */
export interface SurveyCell {
  street: string;
  /** Null: the response's community was not one of its street's (stored as unknown). */
  community: string | null;
  method: string;
  moments: GroupMoments;
}

export interface Interval {
  low: number;
  high: number;
}

/** A question's mean over a group: with its interval, or only its n when too few answered it. */
export type Estimate =
  | { n: number; insufficient: true }
  | {
      n: number;
      insufficient: false;
      mean: number;
      /** The 95% confidence interval of the mean; null with fewer than two answers. */
      ci95: Interval | null;
    };

/** A group of responses: each question's estimate, or only its n when the group is too small. */
export type GroupSummary =
  | { n: number; insufficient: true }
  | { n: number; insufficient: false; questions: Record<SurveyQuestion, Estimate> };

/** A group with its responses split by survey method, each split under the same rule. */
export type MethodGroupSummary =
  | { n: number; insufficient: true }
  | {
      n: number;
      insufficient: false;
      questions: Record<SurveyQuestion, Estimate>;
      methods: Record<SurveyMethod, GroupSummary>;
    };

/** A community of a street; `community: null` is the bucket of responses whose community is unknown. */
export type CommunitySurvey = { community: string | null } & MethodGroupSummary;

export type StreetSurvey = {
  code: string;
  name: { zh: string; en: string };
  /** The street's configured communities in their order, then any other stored one, then unknown. */
  communities: CommunitySurvey[];
} & MethodGroupSummary;

export interface SurveyDrillDown {
  /** Every response of the streets given, together. */
  city: MethodGroupSummary;
  streets: StreetSurvey[];
}

/** The answer of `GET /api/surveys`. */
export interface SurveysPayload extends SurveyDrillDown {
  month: string;
  /** The month's first instant and the next month's, in the city's time zone. */
  from: string;
  to: string;
  timezone: string;
  /** Whether the month has ended; a running month has the responses so far. */
  complete: boolean;
  minSample: number;
  interval: { confidence: number; method: 'student-t' };
}

const noMoments = (): Moments => ({ n: 0, sum: 0, sumSquares: 0 });

/** A group with no responses. */
export function emptyGroupMoments(): GroupMoments {
  return {
    n: 0,
    questions: Object.fromEntries(SURVEY_QUESTIONS.map((q) => [q, noMoments()])) as GroupMoments['questions'],
  };
}

/** Adds the moments of one group to another's (in place): moments of disjoint groups add up exactly. */
export function addGroupMoments(into: GroupMoments, add: GroupMoments): GroupMoments {
  into.n += add.n;
  for (const question of SURVEY_QUESTIONS) {
    const target = into.questions[question];
    const source = add.questions[question];
    target.n += source.n;
    target.sum += source.sum;
    target.sumSquares += source.sumSquares;
  }
  return into;
}

/** The mean Σx / n; NaN for n = 0. */
export const meanOf = (moments: Moments): number => moments.sum / moments.n;

/**
 * The sample variance s² = (n·Σx² − (Σx)²) / (n·(n − 1)), or null for n < 2. For integer ratings
 * the numerator is computed exactly (while n·Σx² stays below 2^53, some eighteen million
 * responses), so a group whose answers all agree has exactly 0, never a rounding error below it.
 */
export function sampleVariance(moments: Moments): number | null {
  const { n, sum, sumSquares } = moments;
  if (n < 2) return null;
  return Math.max(0, (n * sumSquares - sum * sum) / (n * (n - 1)));
}

const quantiles = new Map<number, number>();

/** t_{0.975, df}: the two-sided 95% critical value of Student's t, computed once per df. */
function criticalT(df: number): number {
  let value = quantiles.get(df);
  if (value === undefined) {
    value = studentTQuantile(1 - (1 - CONFIDENCE) / 2, df);
    quantiles.set(df, value);
  }
  return value;
}

/**
 * The 95% confidence interval of a mean rating, x̄ ± t_{0.975, n−1} · s / √n (Student's t: a
 * community's sample is small, and the normal approximation's 1.96 would understate its
 * uncertainty — at n = 30 by 4%, at n = 10 by 13%), clipped to the rating scale the mean cannot
 * leave. Null for n < 2, which has no variance to speak of.
 */
export function meanInterval(moments: Moments): Interval | null {
  const variance = sampleVariance(moments);
  if (variance === null) return null;
  const mean = meanOf(moments);
  const half = criticalT(moments.n - 1) * Math.sqrt(variance / moments.n);
  return {
    low: Math.max(RATING_SCALE.min, mean - half),
    high: Math.min(RATING_SCALE.max, mean + half),
  };
}

function checkMinSample(minSample: number): void {
  if (!Number.isInteger(minSample) || minSample < 1)
    throw new RangeError(`the minimum sample must be a whole number of at least 1, not ${minSample}`);
}

/** A question's estimate: its n alone below the minimum sample, else its mean and interval. */
export function estimate(moments: Moments, minSample: number): Estimate {
  checkMinSample(minSample);
  if (moments.n < minSample) return { n: moments.n, insufficient: true };
  return { n: moments.n, insufficient: false, mean: meanOf(moments), ci95: meanInterval(moments) };
}

/** A group's summary: its n alone below the minimum sample, else every question's estimate. */
export function summariseGroup(moments: GroupMoments, minSample: number): GroupSummary {
  checkMinSample(minSample);
  if (moments.n < minSample) return { n: moments.n, insufficient: true };
  const questions = Object.fromEntries(
    SURVEY_QUESTIONS.map((q) => [q, estimate(moments.questions[q], minSample)]),
  ) as Record<SurveyQuestion, Estimate>;
  return { n: moments.n, insufficient: false, questions };
}

/**
 * A group given by method: the summary of all its responses and, when it has enough of them, of
 * each method's. A method the contract does not know (none is stored) counts in the total only.
 */
export function summariseByMethod(
  byMethod: ReadonlyMap<string, GroupMoments>,
  minSample: number,
): MethodGroupSummary {
  const total = emptyGroupMoments();
  for (const moments of byMethod.values()) addGroupMoments(total, moments);
  const summary = summariseGroup(total, minSample);
  if (summary.insufficient) return summary;
  const methods = Object.fromEntries(
    SURVEY_METHODS.map((method) => [
      method,
      summariseGroup(byMethod.get(method) ?? emptyGroupMoments(), minSample),
    ]),
  ) as Record<SurveyMethod, GroupSummary>;
  return { ...summary, methods };
}

type ByMethod = Map<string, GroupMoments>;

/** Adds a cell's moments to the group of its method in a map of groups by method. */
function addTo(groups: ByMethod, method: string, moments: GroupMoments): void {
  let group = groups.get(method);
  if (!group) groups.set(method, (group = emptyGroupMoments()));
  addGroupMoments(group, moments);
}

/**
 * The drill-down of a month from its cells: the city (every street given), each street given, and
 * each of its communities. Every configured community is listed, with n = 0 when it has no
 * responses; a stored community that is no longer configured is listed after them, and the
 * responses of no known community are the last bucket (`community: null`), so that a street's
 * communities always add up to it. Cells of a street not given are left out of everything.
 */
export function surveyDrillDown(
  cells: readonly SurveyCell[],
  streets: readonly { code: string; name: { zh: string; en: string }; communities: readonly string[] }[],
  minSample: number,
): SurveyDrillDown {
  checkMinSample(minSample);
  const city: ByMethod = new Map();
  const byStreet = new Map(streets.map((street) => [street.code, new Map<string | null, ByMethod>()]));
  for (const cell of cells) {
    const communities = byStreet.get(cell.street);
    if (!communities) continue;
    let community = communities.get(cell.community);
    if (!community) communities.set(cell.community, (community = new Map()));
    addTo(community, cell.method, cell.moments);
    addTo(city, cell.method, cell.moments);
  }
  return {
    city: summariseByMethod(city, minSample),
    streets: streets.map((street) => {
      const communities = byStreet.get(street.code)!;
      const total: ByMethod = new Map();
      for (const community of communities.values())
        for (const [method, moments] of community) addTo(total, method, moments);
      const configured = new Set(street.communities);
      const others = [...communities.keys()]
        .filter((name): name is string => name !== null && !configured.has(name))
        .sort();
      return {
        code: street.code,
        name: street.name,
        ...summariseByMethod(total, minSample),
        communities: [...street.communities, ...others, null].map((community) => ({
          community,
          ...summariseByMethod(communities.get(community) ?? new Map(), minSample),
        })),
      };
    }),
  };
}

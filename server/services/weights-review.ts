/**
 * The quarterly review of the weights ("大稳定、小调整"): a draft set of weights tried on the live
 * values or on a published month's, beside the set then in force — each street's index and rank,
 * the mean absolute rank shift, the indicators whose contribution moved most — and how robust the
 * draft's ranking is (shared/index/sensitivity.ts). A published month is tried on the values it
 * was published with, so the comparison is with what the leaders saw.
 */
import type { CityConfig } from '../../shared/city.js';
import {
  contributionChanges,
  previewWeights,
  rankSensitivity,
  removeIndicators,
  type GradeBand,
  type IndicatorSpec,
  type RawValues,
  type StreetSpec,
  type Weights,
} from '../../shared/index/index.js';
import { gradeOf } from '../../shared/index/grades.js';
import { parsePeriod } from '../../shared/period.js';
import { DomainError } from '../domain-errors.js';
import type { LiveIndexService } from './live-index.js';
import type { ReportService } from './reports.js';

/** `live`, or a published month (YYYY-MM). */
export type ReviewPeriod = 'live' | string;

/** The values a draft is tried on, and the set it is compared with. */
interface Basis {
  period: ReviewPeriod;
  asOf: string;
  streets: readonly StreetSpec[];
  indicators: readonly IndicatorSpec[];
  raw: RawValues;
  grades: readonly GradeBand[];
  inForce: { id: number; name: string; weights: Weights };
}

export interface WeightsReviewDeps {
  city: Pick<CityConfig, 'streets' | 'grades' | 'indicators'>;
  index: Pick<LiveIndexService, 'liveBasis' | 'engineIndicators'>;
  reports: Pick<ReportService, 'report'>;
  clock: () => Date;
}

export class WeightsReview {
  constructor(private readonly deps: WeightsReviewDeps) {}

  /** The live values, or a published month's as published (404 when it is not). */
  async basis(period: ReviewPeriod): Promise<Basis> {
    if (period === 'live') {
      const live = await this.deps.index.liveBasis(this.deps.clock());
      return { ...live, period, asOf: live.date };
    }
    const parsed = parsePeriod(period);
    if ('error' in parsed || parsed.kind !== 'month')
      throw new DomainError('invalid', `period: "${period}" is not "live" or a month YYYY-MM`);
    const { figures } = await this.deps.reports.report(parsed);
    const raw: RawValues = {};
    for (const street of figures.streets)
      raw[street.code] = Object.fromEntries(street.indicators.map((i) => [i.id, i.raw]));
    return {
      period: parsed.period,
      asOf: parsed.end,
      streets: figures.streets.map(({ code, population }) => ({ code, population })),
      indicators: this.deps.index.engineIndicators(),
      raw,
      grades: this.deps.city.grades,
      inForce: figures.weightSet,
    };
  }

  /** The draft beside the set in force: every street's index, grade and rank, and what moved. */
  async whatIf(weights: Weights, period: ReviewPeriod) {
    const basis = await this.basis(period);
    const { inForce, period: shown, asOf, ...data } = basis;
    const result = previewWeights({ ...data, current: inForce.weights, draft: weights });
    const names = new Map(this.deps.city.streets.map((s) => [s.code, s.name]));
    const draftByCode = new Map(result.draft.streets.map((s) => [s.code, s]));
    const shiftByCode = new Map(result.rankShift.map((s) => [s.code, s.shift]));
    const side = (street: { index: number | null; rank: number | null }) => ({
      index: street.index,
      rank: street.rank,
      grade: gradeOf(street.index, basis.grades)?.id ?? null,
    });
    return {
      period: shown,
      asOf,
      inForce: { id: inForce.id, name: inForce.name },
      city: { current: result.current.city, draft: result.draft.city },
      streets: result.current.streets.map((current) => {
        const draft = draftByCode.get(current.code)!;
        return {
          code: current.code,
          name: names.get(current.code) ?? { zh: current.code, en: current.code },
          current: side(current),
          draft: side(draft),
          /** Positive: the draft moves the street up. */
          rankShift: shiftByCode.get(current.code) ?? null,
          topChanges: contributionChanges(current, draft),
        };
      }),
      meanAbsoluteRankShift: result.meanAbsoluteRankShift,
    };
  }

  /**
   * How robust the draft's ranking is: each street's rank interval over weights perturbed by
   * ±`noise` (seeded), and every street's rank change when each indicator in turn is removed.
   */
  async sensitivity(
    weights: Weights,
    period: ReviewPeriod,
    options: { noise: number; draws: number; seed: number },
  ) {
    const { inForce: _inForce, period: shown, asOf, ...data } = await this.basis(period);
    const input = { ...data, weights };
    const intervals = rankSensitivity({ ...input, ...options });
    const names = new Map(this.deps.city.streets.map((s) => [s.code, s.name]));
    const indicatorNames = new Map(this.deps.city.indicators.map((i) => [i.id, i.name]));
    return {
      period: shown,
      asOf,
      noise: intervals.noise,
      draws: intervals.draws,
      seed: intervals.seed,
      streets: intervals.streets.map((street) => ({ ...street, name: names.get(street.code) ?? null })),
      removal: removeIndicators(input).map((removal) => ({
        ...removal,
        name: indicatorNames.get(removal.indicator) ?? null,
      })),
    };
  }
}

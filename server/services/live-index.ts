/**
 * The live index: stored values as of today, the weight set in force, the engine. Also the
 * what-if preview of a weight set on a past period.
 */
import type { CityConfig } from '../../shared/city.js';
import { computeIndex, gradeOf, previewWeights, weightSetInForce } from '../../shared/index/index.js';
import type { GradeBand, IndexResult, RawValues, WeightSet } from '../../shared/index/types.js';
import { addDays, localDate } from '../../shared/period.js';
import type { IndicatorValueRow, IndicatorValueRepository } from '../repositories/indicator-values.js';
import type { WeightSetRepository, WeightSetRow } from '../repositories/weight-sets.js';

export interface LiveIndicator {
  id: string;
  raw: number | null;
  /** The value that was scored: the raw value, or its empirical-Bayes smoothed rate. */
  smoothed: number | null;
  score: number | null;
  contribution: number;
  pointsLost: number;
  /** The period the raw value belongs to. */
  period: string | null;
  /** True when the newest value is older than the indicator's window. */
  stale: boolean;
}

export interface LiveStreet {
  code: string;
  name: { zh: string; en: string };
  index: number | null;
  grade: GradeBand | null;
  rank: number | null;
  provisional: boolean;
  blocks: IndexResult['streets'][number]['blocks'];
  indicators: LiveIndicator[];
}

export interface LiveIndex {
  at: string;
  /** The local date the values were read as of. */
  date: string;
  city: number | null;
  cityGrade: GradeBand | null;
  weightSet: { id: number; name: string; effectiveFrom: string | null };
  streets: LiveStreet[];
}

export class NoWeightSetError extends Error {
  constructor(date: string) {
    super(`no weight set is in force on ${date}`);
  }
}

export const toWeightSet = (row: WeightSetRow): WeightSet => ({
  id: row.id,
  name: row.name,
  effectiveFrom: row.effectiveFrom,
  weights: row.weights,
});

export class LiveIndexService {
  private readonly streetSpecs;
  private readonly indicatorSpecs;

  constructor(
    private readonly city: CityConfig,
    private readonly values: IndicatorValueRepository,
    private readonly weightSets: WeightSetRepository,
  ) {
    this.streetSpecs = city.streets.map(({ code, population }) => ({ code, population }));
    this.indicatorSpecs = city.indicators.map(({ id, block, measure, smoothing, normalisation }) => ({
      id,
      block,
      measure,
      smoothing,
      normalisation,
    }));
  }

  /** The local date of an instant in the city's time zone. */
  today(at: Date): string {
    return localDate(at, this.city.city.timezone);
  }

  async setInForce(date: string): Promise<WeightSet> {
    const set = weightSetInForce((await this.weightSets.list()).map(toWeightSet), date);
    if (!set) throw new NoWeightSetError(date);
    return set;
  }

  /** The index from the values stored as of an instant's local date, under the set then in force. */
  async compute(at: Date): Promise<LiveIndex> {
    const date = this.today(at);
    const [rows, set] = await Promise.all([this.values.latestAsOf(date), this.setInForce(date)]);
    return this.present(at, date, rows, set);
  }

  /** A draft (or any) weight set applied to the values as of a period's last day, beside the set in force. */
  async preview(draft: WeightSet, periodEnd: string) {
    const [rows, current] = await Promise.all([
      this.values.latestAsOf(periodEnd),
      this.setInForce(periodEnd),
    ]);
    const result = previewWeights({
      streets: this.streetSpecs,
      indicators: this.indicatorSpecs,
      raw: toRawValues(rows),
      grades: this.city.grades,
      current: current.weights,
      draft: draft.weights,
    });
    const names = new Map(this.city.streets.map((s) => [s.code, s.name]));
    const draftByCode = new Map(result.draft.streets.map((s) => [s.code, s]));
    return {
      current: { id: current.id, name: current.name, city: result.current.city },
      draft: { id: draft.id, name: draft.name, city: result.draft.city },
      streets: result.current.streets.map((street) => {
        const other = draftByCode.get(street.code);
        const shift = result.rankShift.find((s) => s.code === street.code);
        return {
          code: street.code,
          name: names.get(street.code),
          current: { index: street.index, rank: street.rank },
          draft: { index: other?.index ?? null, rank: other?.rank ?? null },
          rankShift: shift?.shift ?? null,
        };
      }),
      meanAbsoluteRankShift: result.meanAbsoluteRankShift,
    };
  }

  private present(at: Date, date: string, rows: IndicatorValueRow[], set: WeightSet): LiveIndex {
    const result = computeIndex({
      streets: this.streetSpecs,
      indicators: this.indicatorSpecs,
      weights: set.weights,
      raw: toRawValues(rows),
      grades: this.city.grades,
    });
    const rowByKey = new Map(rows.map((row) => [`${row.streetCode}|${row.indicatorId}`, row]));
    const windowOf = new Map(this.city.indicators.map((i) => [i.id, i.windowDays]));
    const streetConfig = new Map(this.city.streets.map((s) => [s.code, s]));
    return {
      at: at.toISOString(),
      date,
      city: result.city,
      cityGrade: gradeOf(result.city, this.city.grades),
      weightSet: { id: set.id, name: set.name, effectiveFrom: set.effectiveFrom },
      streets: result.streets.map((street) => ({
        code: street.code,
        name: streetConfig.get(street.code)!.name,
        index: street.index,
        grade: gradeOf(street.index, this.city.grades),
        rank: street.rank,
        provisional: street.provisional,
        blocks: street.blocks,
        indicators: street.indicators.map((indicator) => {
          const row = rowByKey.get(`${street.code}|${indicator.id}`);
          const window = windowOf.get(indicator.id) ?? 0;
          return {
            id: indicator.id,
            raw: indicator.raw,
            smoothed: indicator.smoothed ?? indicator.raw,
            score: indicator.score,
            contribution: indicator.contribution,
            pointsLost: indicator.pointsLost,
            period: row?.period ?? null,
            stale: row !== undefined && addDays(row.periodEnd, window) < date,
          };
        }),
      })),
    };
  }
}

function toRawValues(rows: IndicatorValueRow[]): RawValues {
  const raw: RawValues = {};
  for (const row of rows) (raw[row.streetCode] ??= {})[row.indicatorId] = row.value;
  return raw;
}

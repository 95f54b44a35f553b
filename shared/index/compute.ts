/**
 * The whole pipeline for one period: raw values → (smoothing) → scores → blocks → index →
 * contributions, grades, ranks and the city index; and the what-if preview of a draft weight set.
 */
import {
  aggregateBlocks,
  blockScores,
  DEFAULT_AVAILABILITY_THRESHOLD,
  type ScoredIndicator,
} from './aggregate.js';
import { contributions } from './contributions.js';
import { cityIndex, gradeOf, rank } from './grades.js';
import { smoothPer10k } from './measures.js';
import { normalise } from './normalise.js';
import type {
  GradeBand,
  IndexResult,
  IndicatorResult,
  IndicatorSpec,
  RawValues,
  StreetResult,
  StreetSpec,
  Weights,
} from './types.js';

/** Everything one computation of the index needs; nothing else is read. */
export interface ComputeIndexInput {
  streets: readonly StreetSpec[];
  indicators: readonly IndicatorSpec[];
  weights: Weights;
  raw: RawValues;
  grades: readonly GradeBand[];
}

function rawValue(raw: RawValues, code: string, id: string): number | null {
  const value = raw[code]?.[id];
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** Whether an indicator's rates are smoothed toward the city rate (only count rates per 10k are). */
function isSmoothed(indicator: IndicatorSpec): boolean {
  return indicator.smoothing === 'empirical_bayes' && indicator.measure === 'count_per_10k';
}

/**
 * Empirical-Bayes smoothed values (Marshall 1991) of every smoothed indicator, over the streets of
 * this computation: indicator id → street code → smoothed per-10k rate.
 */
function smoothedValues(input: ComputeIndexInput): Map<string, Record<string, number | null>> {
  const populations = Object.fromEntries(input.streets.map((street) => [street.code, street.population]));
  const smoothed = new Map<string, Record<string, number | null>>();
  for (const indicator of input.indicators.filter(isSmoothed)) {
    const values = Object.fromEntries(
      input.streets.map((street) => [street.code, rawValue(input.raw, street.code, indicator.id)]),
    );
    smoothed.set(indicator.id, smoothPer10k(values, populations));
  }
  return smoothed;
}

/**
 * Computes every street's index under one weight set.
 *
 * - Indicators with `smoothing: 'empirical_bayes'` and measure `count_per_10k` are smoothed toward
 *   the city rate before normalising; `raw` in the result stays the unsmoothed value and `smoothed`
 *   holds the one that was normalised. Smoothing with any other measure is ignored.
 * - Goalposts come from `weights.normalisation[id]` when the weight set fixes them, else from the
 *   indicator.
 * - Indicators with weight 0, or absent from `weights.indicators`, are reported (raw, score) but
 *   contribute 0 and lose 0.
 * - Non-finite raw values count as unknown (null).
 *
 * @throws Error when some goalposts are degenerate (the config loader rejects them first).
 */
export function computeIndex(input: ComputeIndexInput): IndexResult {
  const { weights } = input;
  const threshold = weights.availabilityThreshold ?? DEFAULT_AVAILABILITY_THRESHOLD;
  const smoothed = smoothedValues(input);

  const unranked = input.streets.map((street): StreetResult => {
    const results: IndicatorResult[] = [];
    const scored: ScoredIndicator[] = [];
    for (const indicator of input.indicators) {
      const raw = rawValue(input.raw, street.code, indicator.id);
      const smoothedValue = smoothed.get(indicator.id)?.[street.code];
      const value = smoothedValue === undefined ? raw : smoothedValue;
      const score = normalise(value, weights.normalisation?.[indicator.id] ?? indicator.normalisation);
      const result: IndicatorResult = { id: indicator.id, raw, score, contribution: 0, pointsLost: 0 };
      if (smoothedValue !== undefined) result.smoothed = smoothedValue;
      results.push(result);
      scored.push({ block: indicator.block, weight: weights.indicators[indicator.id] ?? 0, score });
    }
    const blocks = blockScores(scored, threshold);
    const { index, provisional } = aggregateBlocks(blocks, weights);
    contributions(scored, blocks, weights, index).forEach((part, i) => {
      const result = results[i];
      if (result) Object.assign(result, part);
    });
    return {
      code: street.code,
      index,
      grade: gradeOf(index, input.grades)?.id ?? null,
      rank: null,
      provisional,
      blocks,
      indicators: results,
    };
  });

  const ranks = rank(unranked);
  const streets = unranked.map((street) => ({ ...street, rank: ranks.get(street.code) ?? null }));
  const populations = new Map(input.streets.map((street) => [street.code, street.population]));
  const city = cityIndex(
    streets.map((street) => ({ index: street.index, population: populations.get(street.code) ?? 0 })),
  );
  return { city, streets };
}

/** Everything a what-if preview needs: one period's data under the current and a draft weight set. */
export interface PreviewWeightsInput extends Omit<ComputeIndexInput, 'weights'> {
  current: Weights;
  draft: Weights;
}

/** How a street's rank moves under the draft weights. */
export interface RankShift {
  code: string;
  currentRank: number | null;
  draftRank: number | null;
  /** currentRank − draftRank: positive when the draft moves the street up; null unless ranked in both. */
  shift: number | null;
}

/** The current and draft results side by side, for the quarterly weight review. */
export interface WeightsPreview {
  current: IndexResult;
  draft: IndexResult;
  /** One entry per street, in the order of `streets`. */
  rankShift: RankShift[];
  /** Mean |shift| over the streets ranked under both sets; null when there are none. */
  meanAbsoluteRankShift: number | null;
}

/**
 * What-if preview of a draft weight set on a period's data: both results, every street's rank
 * shift, and the mean absolute rank shift against the current set.
 */
export function previewWeights(input: PreviewWeightsInput): WeightsPreview {
  const { current: currentWeights, draft: draftWeights, ...data } = input;
  const current = computeIndex({ ...data, weights: currentWeights });
  const draft = computeIndex({ ...data, weights: draftWeights });
  const currentRanks = new Map(current.streets.map((street) => [street.code, street.rank]));
  const draftRanks = new Map(draft.streets.map((street) => [street.code, street.rank]));
  const rankShift = input.streets.map(({ code }): RankShift => {
    const currentRank = currentRanks.get(code) ?? null;
    const draftRank = draftRanks.get(code) ?? null;
    const shift = currentRank === null || draftRank === null ? null : currentRank - draftRank;
    return { code, currentRank, draftRank, shift };
  });
  const shifts = rankShift.flatMap(({ shift }) => (shift === null ? [] : [Math.abs(shift)]));
  const meanAbsoluteRankShift =
    shifts.length === 0 ? null : shifts.reduce((sum, shift) => sum + shift, 0) / shifts.length;
  return { current, draft, rankShift, meanAbsoluteRankShift };
}

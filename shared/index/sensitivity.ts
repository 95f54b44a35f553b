/**
 * The quarterly weights review's robustness checks (issue 14): how far the ranks rest on the exact
 * weights (an uncertainty analysis over the weights, JRC/OECD Handbook on Constructing Composite
 * Indicators, 2008, step 7, as COINr's `get_sensitivity` runs it), what removing one indicator
 * does to the ranks (COINr's `remove_elements`), and which indicators a draft moves a street by.
 */
import { computeIndex, type ComputeIndexInput } from './compute.js';
import { explainChange } from './contributions.js';
import { INDEX_TOLERANCE } from './grades.js';
import { Reaggregation } from './reaggregate.js';
import { BLOCKS, type StreetResult } from './types.js';
import { hashSeed, Rng } from '../random.js';

/** Defaults of {@link rankSensitivity}: ±25 % on every weight, 1,000 draws, seed 1. */
export const SENSITIVITY_DEFAULTS = { noise: 0.25, draws: 1000, seed: 1 } as const;

/** Bounds of the number of draws: beyond 10,000 the percentiles no longer move, only the wait grows. */
const MAX_DRAWS = 10_000;

/** One draw as {@link RankSensitivityInput.onDraw} sees it. The arrays are reused: copy what you keep. */
export interface SensitivityDraw {
  /** 0-based number of the draw. */
  draw: number;
  /** The perturbed block weights, in BLOCKS order (positive, negative, public). */
  blocks: Float64Array;
  /** The perturbed indicator weights, in the order of `indicators` (0 where the nominal weight is 0). */
  indicators: Float64Array;
  /** Each street's index under these weights, in the order of `streets`; NaN where it has none. */
  index: Float64Array;
  /** Each street's competition rank; 0 where it has no index. */
  ranks: Int32Array;
}

export interface RankSensitivityInput extends ComputeIndexInput {
  /** Relative perturbation of each weight, in [0, 1]. Default 0.25. */
  noise?: number;
  /** Number of Monte Carlo draws, an integer in [1, 10000]. Default 1000. */
  draws?: number;
  /** Seed of the draws (any safe integer): the same seed gives the same result. Default 1. */
  seed?: number;
  /** Sees every draw (for checks and diagnostics); called after the draw is ranked. */
  onDraw?: (draw: SensitivityDraw) => void;
}

/** How a street's rank moves when the weights are uncertain. */
export interface RankInterval {
  code: string;
  /** Rank under the unperturbed weights (as computeIndex ranks); null without an index. */
  rank: number | null;
  /** Median rank over the draws in which the street has an index (nearest rank); null in none. */
  median: number | null;
  /** 5th percentile rank (the better end of the interval; nearest rank); null in none. */
  p5: number | null;
  /** 95th percentile rank (the worse end; nearest rank); null in none. */
  p95: number | null;
  /** Draws in which the street has an index (fewer than `draws` only when data are missing). */
  rankedDraws: number;
}

export interface RankSensitivityResult {
  noise: number;
  draws: number;
  seed: number;
  /** One entry per street, in the order of `streets`. */
  streets: RankInterval[];
}

function checkOptions(input: RankSensitivityInput): { noise: number; draws: number; seed: number } {
  const noise = input.noise ?? SENSITIVITY_DEFAULTS.noise;
  const draws = input.draws ?? SENSITIVITY_DEFAULTS.draws;
  const seed = input.seed ?? SENSITIVITY_DEFAULTS.seed;
  if (typeof noise !== 'number' || !Number.isFinite(noise) || noise < 0 || noise > 1) {
    throw new RangeError(`noise must be a number from 0 to 1, got ${String(noise)}`);
  }
  if (!Number.isInteger(draws) || draws < 1 || draws > MAX_DRAWS) {
    throw new RangeError(`draws must be an integer from 1 to ${MAX_DRAWS}, got ${String(draws)}`);
  }
  if (!Number.isSafeInteger(seed)) throw new RangeError(`seed must be an integer, got ${String(seed)}`);
  return { noise, draws, seed };
}

/** Everything both analyses start from: the nominal result, its ranks and the weights as arrays. */
function prepare(input: ComputeIndexInput) {
  const nominal = computeIndex(input);
  const reaggregation = new Reaggregation(nominal, input.indicators, input.weights);
  const blockWeights = Float64Array.from(BLOCKS, (block) => input.weights.blocks[block]);
  const indicatorWeights = Float64Array.from(input.indicators, (indicator) => {
    const weight = input.weights.indicators[indicator.id] ?? 0;
    return Number.isFinite(weight) && weight > 0 ? weight : 0;
  });
  return { nominal, reaggregation, blockWeights, indicatorWeights };
}

/**
 * The nearest-rank percentile of a street's ranks, from their histogram: the smallest rank r such
 * that at least ⌈p · N / 100⌉ of the N draws gave a rank ≤ r (at least one draw). For N = 1000 the
 * 5th percentile is the 50th best rank, the median the 500th, the 95th percentile the 950th.
 *
 * @param histogram counts of ranks 1…n at offset + 1 … offset + n
 */
function percentile(histogram: Int32Array, offset: number, n: number, total: number, p: number): number {
  const wanted = Math.max(1, Math.ceil((p * total) / 100));
  let seen = 0;
  for (let r = 1; r <= n; r++) {
    seen += histogram[offset + r] ?? 0;
    if (seen >= wanted) return r;
  }
  return n;
}

/**
 * Uncertainty analysis of the ranks over the weights (JRC/OECD Handbook step 7; COINr's
 * `get_sensitivity` with weights as the uncertain input). In each of `draws` Monte Carlo draws every
 * weight — the three block weights and each indicator weight > 0 — is multiplied by (1 + u · noise),
 * u uniform in [−1, 1) and independent for every weight and draw; the index is re-aggregated under
 * those weights and the streets ranked. Per street the result gives the nominal rank and the
 * median, 5th and 95th percentile of its ranks over the draws (nearest-rank percentiles: the
 * smallest rank r such that at least ⌈p · N / 100⌉ of the N draws ranked the street r or better).
 *
 * - Scores are computed once, by computeIndex under the nominal weights (goalposts from
 *   `weights.normalisation`, empirical-Bayes smoothing), since they do not depend on the weights;
 *   each draw only re-aggregates ({@link Reaggregation}), with the same availability threshold and
 *   aggregation, and ranks as `rank` does (competition ranking, ties within INDEX_TOLERANCE share).
 * - A weight of 0 stays 0. The random numbers come from one {@link Rng} seeded by hashSeed(seed),
 *   three per draw for the blocks (BLOCKS order), then one per indicator weight > 0 (input order).
 * - With data missing, whether a block reaches its availability threshold can depend on the weights;
 *   percentiles are over the draws in which the street has an index (`rankedDraws`), and null when
 *   it has one in none. With noise 0 every draw is the nominal computation.
 *
 * @throws RangeError naming `noise`, `draws` or `seed` when out of range; Error on degenerate goalposts
 */
export function rankSensitivity(input: RankSensitivityInput): RankSensitivityResult {
  const { noise, draws, seed } = checkOptions(input);
  const { nominal, reaggregation, blockWeights, indicatorWeights } = prepare(input);
  const n = reaggregation.streetCount;
  const perturbed = Int32Array.from(indicatorWeights.keys()).filter((j) => (indicatorWeights[j] ?? 0) > 0);
  const draw: SensitivityDraw = {
    draw: 0,
    blocks: new Float64Array(BLOCKS.length),
    indicators: new Float64Array(indicatorWeights.length),
    index: new Float64Array(n),
    ranks: new Int32Array(n),
  };
  // Ranks are 1…n: a histogram per street (n × (n + 1) counts) instead of every draw's rank.
  const histogram = new Int32Array(n * (n + 1));
  const rankedDraws = new Int32Array(n);
  const rng = new Rng(hashSeed(seed));
  for (let d = 0; d < draws; d++) {
    for (let b = 0; b < BLOCKS.length; b++)
      draw.blocks[b] = (blockWeights[b] ?? 0) * (1 + (2 * rng.next() - 1) * noise);
    for (const j of perturbed)
      draw.indicators[j] = (indicatorWeights[j] ?? 0) * (1 + (2 * rng.next() - 1) * noise);
    reaggregation.indices(draw.blocks, draw.indicators, draw.index);
    reaggregation.ranks(draw.index, draw.ranks);
    for (let s = 0; s < n; s++) {
      const r = draw.ranks[s] ?? 0;
      if (r === 0) continue;
      histogram[s * (n + 1) + r] = (histogram[s * (n + 1) + r] ?? 0) + 1;
      rankedDraws[s] = (rankedDraws[s] ?? 0) + 1;
    }
    if (input.onDraw) {
      draw.draw = d;
      input.onDraw(draw);
    }
  }
  const streets = nominal.streets.map((street, s): RankInterval => {
    const ranked = rankedDraws[s] ?? 0;
    const at = (p: number) => (ranked === 0 ? null : percentile(histogram, s * (n + 1), n, ranked, p));
    return {
      code: street.code,
      rank: street.rank,
      median: at(50),
      p5: at(5),
      p95: at(95),
      rankedDraws: ranked,
    };
  });
  return { noise, draws, seed, streets };
}

/** The ranks without one indicator. */
export interface IndicatorRemoval {
  indicator: string;
  /** Street code → rank with this indicator's weight set to 0; null without an index. */
  ranks: Record<string, number | null>;
  /**
   * Street code → nominal rank − rank without the indicator: positive when the street moves up
   * once the indicator is removed (the indicator held it back); null unless ranked in both.
   */
  shifts: Record<string, number | null>;
  /** Mean |shift| over the streets ranked in both; null when there are none. */
  meanAbsoluteRankShift: number | null;
}

/**
 * What removing each indicator does to the ranks (COINr's `remove_elements`): for every indicator
 * with a weight > 0, in the order of `indicators`, the streets re-ranked with its weight set to 0
 * and everything else as it is; scores are computed once, as in {@link rankSensitivity}.
 *
 * The rest of its block is re-weighted over what remains, as the engine does for any weight of 0.
 * Removing the only weighted indicator of a block leaves that block with no weight: it has no
 * score, the street is provisional and its index rests on the other blocks (re-scaled over them),
 * exactly as computeIndex would compute it; a street left with no block has no rank (shift null).
 */
export function removeIndicators(input: ComputeIndexInput): IndicatorRemoval[] {
  const { nominal, reaggregation, blockWeights, indicatorWeights } = prepare(input);
  const n = reaggregation.streetCount;
  const index = new Float64Array(n);
  const ranks = new Int32Array(n);
  const without = new Float64Array(indicatorWeights.length);
  return input.indicators.flatMap((indicator, j): IndicatorRemoval[] => {
    if (!((indicatorWeights[j] ?? 0) > 0)) return [];
    without.set(indicatorWeights);
    without[j] = 0;
    reaggregation.indices(blockWeights, without, index);
    reaggregation.ranks(index, ranks);
    const removal: IndicatorRemoval = {
      indicator: indicator.id,
      ranks: {},
      shifts: {},
      meanAbsoluteRankShift: null,
    };
    let sum = 0;
    let count = 0;
    nominal.streets.forEach((street, s) => {
      const rank = ranks[s] || null;
      const shift = street.rank === null || rank === null ? null : street.rank - rank;
      removal.ranks[street.code] = rank;
      removal.shifts[street.code] = shift;
      if (shift !== null) {
        sum += Math.abs(shift);
        count += 1;
      }
    });
    removal.meanAbsoluteRankShift = count === 0 ? null : sum / count;
    return [removal];
  });
}

/** One indicator's contribution to a street's index under the current and the draft weights. */
export interface ContributionChange {
  indicator: string;
  /** Points of the index under the current weights (0 when the indicator is absent there). */
  current: number;
  /** Points of the index under the draft weights. */
  draft: number;
  /** draft − current. */
  delta: number;
}

/**
 * The indicators whose contribution (points of the index) a draft weight set changes most for one
 * street: at most `top`, largest |delta| first (ties in the order of the draft's indicators). Changes
 * within INDEX_TOLERANCE are rounding, not changes, and are left out. Both results must be of the
 * same street, typically the same period under two weight sets (previewWeights' current and draft).
 *
 * @throws Error when the results are of different streets or `top` is not an integer ≥ 0
 */
export function contributionChanges(
  current: StreetResult,
  draft: StreetResult,
  top = 3,
): ContributionChange[] {
  if (current.code !== draft.code) {
    throw new Error(`contributionChanges compares one street, got ${current.code} and ${draft.code}`);
  }
  if (!Number.isInteger(top) || top < 0)
    throw new RangeError(`top must be an integer ≥ 0, got ${String(top)}`);
  return explainChange(current, draft)
    .indicators.filter((change) => Math.abs(change.change) > INDEX_TOLERANCE)
    .slice(0, top)
    .map((change) => ({
      indicator: change.id,
      current: change.before,
      draft: change.after,
      delta: change.change,
    }));
}

/**
 * Aggregation: indicator scores into block scores, block scores into a street's index.
 */
import { BLOCKS, type Block, type Weights } from './types.js';

/** Default share of a block's configured weight that must be available for the block to score. */
export const DEFAULT_AVAILABILITY_THRESHOLD = 2 / 3;

/**
 * Relative slack when comparing the available weight with the threshold, against rounding.
 * Exported for the re-aggregation of the sensitivity analysis, which must decide exactly alike.
 */
export const THRESHOLD_SLACK = 1e-12;

/** One value of a row to aggregate, with its configured weight; null when unavailable. */
export interface WeightedValue {
  value: number | null;
  weight: number;
}

function usableWeight(weight: number): number {
  return Number.isFinite(weight) && weight > 0 ? weight : 0;
}

function available(value: number | null): value is number {
  return value !== null && Number.isFinite(value);
}

/**
 * Weighted mean of the available values of a row, weights re-scaled over what is available:
 * Σ_avail w_i x_i / Σ_avail w_i. Null when the available weight is under `threshold` of the row's
 * total configured weight (the row is too sparse to trust), or when nothing is available.
 * Zero, negative and non-finite weights count as 0.
 *
 * @param threshold share of the total weight that must be available, in (0, 1]
 */
export function weightedMeanWithThreshold(
  items: readonly WeightedValue[],
  threshold: number = DEFAULT_AVAILABILITY_THRESHOLD,
): number | null {
  let total = 0;
  let availableWeight = 0;
  const present: { weight: number; value: number }[] = [];
  for (const item of items) {
    const weight = usableWeight(item.weight);
    total += weight;
    if (weight > 0 && available(item.value)) {
      availableWeight += weight;
      present.push({ weight, value: item.value });
    }
  }
  if (availableWeight === 0) return null;
  if (availableWeight < threshold * total * (1 - THRESHOLD_SLACK)) return null;
  // Shares first (w_i / Σw), then the products: tiny weights would otherwise lose their precision.
  const mean = present.reduce((sum, { weight, value }) => sum + (weight / availableWeight) * value, 0);
  return withinRounding(
    mean,
    present.map(({ value }) => value),
  );
}

/** A mean lies between its smallest and largest value; clamp off what rounding pushed outside. */
function withinRounding(mean: number, values: readonly number[]): number {
  return Math.min(Math.max(mean, Math.min(...values)), Math.max(...values));
}

/** An indicator's score as aggregation sees it. */
export interface ScoredIndicator {
  block: Block;
  /** The indicator's weight within its block (0 when absent from the weight set). */
  weight: number;
  score: number | null;
}

/**
 * Block scores: in each block, the weighted mean of the available indicator scores (weights
 * re-scaled over what is available); null when under the availability threshold (default 2/3) of
 * the block's configured weight is available, or when the block has no weight at all.
 */
export function blockScores(
  indicators: readonly ScoredIndicator[],
  threshold: number = DEFAULT_AVAILABILITY_THRESHOLD,
): Record<Block, number | null> {
  const scores = {} as Record<Block, number | null>;
  for (const block of BLOCKS) {
    const row = indicators
      .filter((indicator) => indicator.block === block)
      .map((indicator) => ({ value: indicator.score, weight: indicator.weight }));
    scores[block] = weightedMeanWithThreshold(row, threshold);
  }
  return scores;
}

/** A street's index from its block scores. */
export interface AggregatedIndex {
  /** null when no block with a positive weight has a score. */
  index: number | null;
  /** True when a block with a positive weight has no score (the index rests on the others). */
  provisional: boolean;
}

/**
 * Blocks with a positive weight and a score, with their weights re-scaled to sum to 1.
 * Exported for contributions, which must share exactly this re-scaling.
 */
export function availableBlockShares(
  blocks: Readonly<Record<Block, number | null>>,
  blockWeights: Readonly<Record<Block, number>>,
): { block: Block; share: number; score: number }[] {
  const present = BLOCKS.flatMap((block) => {
    const weight = usableWeight(blockWeights[block]);
    const score = blocks[block];
    return weight > 0 && available(score) ? [{ block, weight, score }] : [];
  });
  const total = present.reduce((sum, entry) => sum + entry.weight, 0);
  return present.map(({ block, weight, score }) => ({ block, share: weight / total, score }));
}

/**
 * The index across blocks, weights re-scaled over the blocks that have a score:
 * - arithmetic: Σ (W_k / ΣW) · B_k
 * - geometric: Π B_k^(W_k / ΣW), which penalises imbalance between blocks (a block at 0 gives 0).
 * Provisional when any block with a positive weight is null; null when no such block has a score.
 */
export function aggregateBlocks(
  blocks: Readonly<Record<Block, number | null>>,
  weights: Pick<Weights, 'blocks' | 'aggregation'>,
): AggregatedIndex {
  const shares = availableBlockShares(blocks, weights.blocks);
  const provisional = BLOCKS.some(
    (block) => usableWeight(weights.blocks[block]) > 0 && !available(blocks[block]),
  );
  if (shares.length === 0) return { index: null, provisional };
  const index =
    weights.aggregation === 'geometric'
      ? shares.reduce((product, { share, score }) => product * Math.max(0, score) ** share, 1)
      : shares.reduce((sum, { share, score }) => sum + share * score, 0);
  return {
    index: withinRounding(
      index,
      shares.map(({ score }) => score),
    ),
    provisional,
  };
}

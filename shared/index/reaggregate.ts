/**
 * The index re-aggregated under many weight sets: the scores stay fixed (normalisation and
 * empirical-Bayes smoothing do not depend on the weights), only block scores, the index and ranks
 * are recomputed, in typed arrays allocated once. This is what the sensitivity analysis runs a
 * thousand times while an administrator edits a draft.
 *
 * It mirrors `weightedMeanWithThreshold`, `aggregateBlocks` (aggregate.ts) and `rank` (grades.ts)
 * step for step, in the same order of floating-point operations, so that the same weights give the
 * same index to the last bit; tests/unit/index-sensitivity.test.ts checks it against computeIndex.
 * A change to aggregation there must be made here too (that test then fails until it is).
 */
import { DEFAULT_AVAILABILITY_THRESHOLD, THRESHOLD_SLACK } from './aggregate.js';
import { INDEX_TOLERANCE } from './grades.js';
import { BLOCKS, type IndexResult, type IndicatorSpec, type Weights } from './types.js';

/** Zero, negative and non-finite weights count as 0, as in aggregate.ts. */
function usable(weight: number): number {
  return Number.isFinite(weight) && weight > 0 ? weight : 0;
}

/** The fixed part of a computation (scores, blocks, aggregation) and scratch space for one weight set. */
export class Reaggregation {
  readonly streetCount: number;
  readonly indicatorCount: number;
  /** Score of street s and indicator j at s · indicatorCount + j; NaN when unknown. */
  private readonly scores: Float64Array;
  /** Indicator positions grouped by block (BLOCKS order), in input order within a block. */
  private readonly members: Int32Array;
  /** Block b's members are members[blockStart[b]] … members[blockStart[b + 1] − 1]. */
  private readonly blockStart = new Int32Array(BLOCKS.length + 1);
  private readonly threshold: number;
  private readonly geometric: boolean;
  private readonly indicatorWeight: Float64Array;
  private readonly blockWeight = new Float64Array(BLOCKS.length);
  private readonly blockTotal = new Float64Array(BLOCKS.length);
  private readonly blockScore = new Float64Array(BLOCKS.length);
  private readonly sorted: Float64Array;

  /**
   * @param result computeIndex's result for `indicators` (in that order); only its scores are read
   * @param weights the aggregation and availability threshold every later weight set shares
   */
  constructor(
    result: IndexResult,
    indicators: readonly IndicatorSpec[],
    weights: Pick<Weights, 'aggregation' | 'availabilityThreshold'>,
  ) {
    this.streetCount = result.streets.length;
    this.indicatorCount = indicators.length;
    this.threshold = weights.availabilityThreshold ?? DEFAULT_AVAILABILITY_THRESHOLD;
    this.geometric = weights.aggregation === 'geometric';
    this.scores = new Float64Array(this.streetCount * this.indicatorCount);
    result.streets.forEach((street, s) => {
      for (let j = 0; j < this.indicatorCount; j++) {
        const score = street.indicators[j]?.score ?? null;
        this.scores[s * this.indicatorCount + j] = score !== null && Number.isFinite(score) ? score : NaN;
      }
    });
    const members: number[] = [];
    BLOCKS.forEach((block, b) => {
      this.blockStart[b] = members.length;
      indicators.forEach((indicator, j) => {
        if (indicator.block === block) members.push(j);
      });
    });
    this.blockStart[BLOCKS.length] = members.length;
    this.members = Int32Array.from(members);
    this.indicatorWeight = new Float64Array(this.indicatorCount);
    this.sorted = new Float64Array(this.streetCount);
  }

  /**
   * Every street's index under one weight set, into `out` (NaN where the street has no index).
   *
   * @param blockWeights the block weights in BLOCKS order
   * @param indicatorWeights the indicator weights in the order of the indicators
   */
  indices(blockWeights: ArrayLike<number>, indicatorWeights: ArrayLike<number>, out: Float64Array): void {
    const { scores, members, blockStart, indicatorWeight, blockWeight, blockTotal, blockScore } = this;
    const m = this.indicatorCount;
    for (let j = 0; j < m; j++) indicatorWeight[j] = usable(indicatorWeights[j] ?? 0);
    for (let b = 0; b < BLOCKS.length; b++) {
      blockWeight[b] = usable(blockWeights[b] ?? 0);
      // A block's configured weight is the same for every street: sum it once, in input order.
      let total = 0;
      for (let k = blockStart[b] ?? 0; k < (blockStart[b + 1] ?? 0); k++)
        total += indicatorWeight[members[k] ?? 0] ?? 0;
      blockTotal[b] = total;
    }
    for (let s = 0; s < this.streetCount; s++) {
      const row = s * m;
      for (let b = 0; b < BLOCKS.length; b++) {
        const from = blockStart[b] ?? 0;
        const to = blockStart[b + 1] ?? 0;
        // weightedMeanWithThreshold: weights re-scaled over the available scores, shares first.
        let available = 0;
        for (let k = from; k < to; k++) {
          const j = members[k] ?? 0;
          const weight = indicatorWeight[j] ?? 0;
          if (weight > 0 && Number.isFinite(scores[row + j] ?? NaN)) available += weight;
        }
        if (available === 0 || available < this.threshold * (blockTotal[b] ?? 0) * (1 - THRESHOLD_SLACK)) {
          blockScore[b] = NaN;
          continue;
        }
        let mean = 0;
        let low = Infinity;
        let high = -Infinity;
        for (let k = from; k < to; k++) {
          const j = members[k] ?? 0;
          const weight = indicatorWeight[j] ?? 0;
          const score = scores[row + j] ?? NaN;
          if (weight > 0 && Number.isFinite(score)) {
            mean += (weight / available) * score;
            if (score < low) low = score;
            if (score > high) high = score;
          }
        }
        blockScore[b] = Math.min(Math.max(mean, low), high);
      }
      out[s] = this.aggregate();
    }
  }

  /** aggregateBlocks over the block scores in scratch: weights re-scaled over the blocks with a score. */
  private aggregate(): number {
    const { blockWeight, blockScore } = this;
    let total = 0;
    for (let b = 0; b < BLOCKS.length; b++) {
      const weight = blockWeight[b] ?? 0;
      if (weight > 0 && Number.isFinite(blockScore[b] ?? NaN)) total += weight;
    }
    if (total === 0) return NaN;
    let index = this.geometric ? 1 : 0;
    let low = Infinity;
    let high = -Infinity;
    for (let b = 0; b < BLOCKS.length; b++) {
      const weight = blockWeight[b] ?? 0;
      const score = blockScore[b] ?? NaN;
      if (!(weight > 0 && Number.isFinite(score))) continue;
      const share = weight / total;
      if (this.geometric) index *= Math.max(0, score) ** share;
      else index += share * score;
      if (score < low) low = score;
      if (score > high) high = score;
    }
    return Math.min(Math.max(index, low), high);
  }

  /**
   * Competition ranks of `index` into `out` (0 where the index is not finite), exactly as `rank`:
   * 1 + the number of streets whose index is higher by more than INDEX_TOLERANCE.
   */
  ranks(index: Float64Array, out: Int32Array): void {
    let known = 0;
    for (let s = 0; s < this.streetCount; s++) {
      const value = index[s] ?? NaN;
      if (Number.isFinite(value)) this.sorted[known++] = value;
    }
    const sorted = this.sorted.subarray(0, known).sort();
    for (let s = 0; s < this.streetCount; s++) {
      const value = index[s] ?? NaN;
      if (!Number.isFinite(value)) {
        out[s] = 0;
        continue;
      }
      // First position whose value exceeds value + tolerance: everything from there is "higher".
      const bar = value + INDEX_TOLERANCE;
      let low = 0;
      let high = known;
      while (low < high) {
        const mid = (low + high) >>> 1;
        if ((sorted[mid] ?? 0) > bar) high = mid;
        else low = mid + 1;
      }
      out[s] = 1 + known - low;
    }
  }
}

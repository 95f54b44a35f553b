/**
 * Contributions and points lost (扣分项): how each indicator makes up a street's index, and how a
 * change of the index splits into the indicators' changes.
 */
import { availableBlockShares, type ScoredIndicator } from './aggregate.js';
import type { Block, StreetResult, Weights } from './types.js';

/** What one indicator adds to a street's index and loses against a perfect 100. */
export interface Contribution {
  /** Points this indicator adds to the index; the contributions of a street sum to its index. */
  contribution: number;
  /** 扣分项: points lost against 100; they sum to 100 − index. */
  pointsLost: number;
}

/**
 * Effective weight of each indicator in the index: W_block / ΣW_available blocks ·
 * w_i / Σw_available in the block. 0 for an indicator that is unavailable, has no weight, or sits
 * in a block without a score. Over a street with an index the effective weights sum to 1.
 */
export function effectiveWeights(
  indicators: readonly ScoredIndicator[],
  blocks: Readonly<Record<Block, number | null>>,
  blockWeights: Readonly<Record<Block, number>>,
): number[] {
  const blockShare = new Map(availableBlockShares(blocks, blockWeights).map((b) => [b.block, b.share]));
  const counts = (indicator: ScoredIndicator): boolean =>
    indicator.score !== null &&
    Number.isFinite(indicator.score) &&
    Number.isFinite(indicator.weight) &&
    indicator.weight > 0 &&
    blockShare.has(indicator.block);
  const availableInBlock = new Map<Block, number>();
  for (const indicator of indicators) {
    if (counts(indicator)) {
      availableInBlock.set(indicator.block, (availableInBlock.get(indicator.block) ?? 0) + indicator.weight);
    }
  }
  return indicators.map((indicator) =>
    counts(indicator)
      ? (blockShare.get(indicator.block) ?? 0) *
        (indicator.weight / (availableInBlock.get(indicator.block) ?? 1))
      : 0,
  );
}

/**
 * Per-indicator contributions and points lost, in the order of `indicators`.
 *
 * Arithmetic aggregation: contribution_i = e_i · score_i and pointsLost_i = e_i · (100 − score_i),
 * e_i the effective weight ({@link effectiveWeights}); they sum to the index and to 100 − index.
 *
 * Geometric aggregation has no additive split, so the index is attributed in proportion to the
 * arithmetic contributions, and 100 − index in proportion to the arithmetic points lost; the two
 * sums still hold exactly (up to rounding).
 *
 * @param index the street's index as `aggregateBlocks` computed it; null gives all zeros.
 */
export function contributions(
  indicators: readonly ScoredIndicator[],
  blocks: Readonly<Record<Block, number | null>>,
  weights: Pick<Weights, 'blocks' | 'aggregation'>,
  index: number | null,
): Contribution[] {
  if (index === null) return indicators.map(() => ({ contribution: 0, pointsLost: 0 }));
  const effective = effectiveWeights(indicators, blocks, weights.blocks);
  const arithmetic = indicators.map((indicator, i) => {
    const e = effective[i] ?? 0;
    const score = e > 0 ? (indicator.score ?? 0) : 0;
    return { e, contribution: e * score, pointsLost: e * (100 - score) };
  });
  if (weights.aggregation !== 'geometric') {
    return arithmetic.map(({ contribution, pointsLost }) => ({ contribution, pointsLost }));
  }
  const totalContribution = arithmetic.reduce((sum, a) => sum + a.contribution, 0);
  const totalLost = arithmetic.reduce((sum, a) => sum + a.pointsLost, 0);
  // Proportional attribution; when a total is 0 (every score 0, or every score 100) fall back to
  // the effective weights so the sums hold even for a rounding-sized remainder.
  return arithmetic.map(({ e, contribution, pointsLost }) => ({
    contribution: index * (totalContribution > 0 ? contribution / totalContribution : e),
    pointsLost: (100 - index) * (totalLost > 0 ? pointsLost / totalLost : e),
  }));
}

/** One indicator's part in a change of a street's index. */
export interface IndicatorChange {
  id: string;
  /** Contribution before (0 when the indicator was not there). */
  before: number;
  /** Contribution after. */
  after: number;
  /** after − before. */
  change: number;
  rawBefore: number | null;
  rawAfter: number | null;
}

/** A change of a street's index, split into the indicators' changes of contribution. */
export interface ExplainedChange {
  /** after.index − before.index; null when either index is null. */
  delta: number | null;
  /** Every indicator of either result, largest |change| first. */
  indicators: IndicatorChange[];
}

/**
 * Explains a change of a street's index between two results under one weight set: since
 * contributions sum to the index, Σ change = delta exactly (up to rounding). This is how every
 * drop is explained. An indicator present in only one result counts as contributing 0 in the
 * other. Ties in |change| keep the order of `after`, then of `before`.
 */
export function explainChange(before: StreetResult, after: StreetResult): ExplainedChange {
  const previous = new Map(before.indicators.map((indicator) => [indicator.id, indicator]));
  const current = new Map(after.indicators.map((indicator) => [indicator.id, indicator]));
  const ids = [...new Set([...current.keys(), ...previous.keys()])];
  const indicators = ids.map((id): IndicatorChange => {
    const was = previous.get(id);
    const now = current.get(id);
    const beforeContribution = was?.contribution ?? 0;
    const afterContribution = now?.contribution ?? 0;
    return {
      id,
      before: beforeContribution,
      after: afterContribution,
      change: afterContribution - beforeContribution,
      rawBefore: was?.raw ?? null,
      rawAfter: now?.raw ?? null,
    };
  });
  indicators.sort((a, b) => Math.abs(b.change) - Math.abs(a.change));
  const delta = before.index === null || after.index === null ? null : after.index - before.index;
  return { delta, indicators };
}

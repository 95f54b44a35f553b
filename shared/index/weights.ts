/**
 * Weight sets: which version is in force on a date, and whether a set of weights makes sense.
 * Weights are revised each quarter ("大稳定、小调整"); publications keep the set they used.
 */
import { BLOCKS, type IndicatorSpec, type WeightSet, type Weights } from './types.js';
import { validateNormalisation } from './normalise.js';

/**
 * The weight set in force on `date`: among non-draft sets (effectiveFrom not null), the one with
 * the latest effectiveFrom ≤ date; ties go to the highest id (the later revision). Null when none.
 *
 * @param date an ISO date, YYYY-MM-DD (compared as text, which orders ISO dates correctly)
 */
export function weightSetInForce(sets: readonly WeightSet[], date: string): WeightSet | null {
  let inForce: WeightSet | null = null;
  for (const set of sets) {
    const from = set.effectiveFrom;
    if (from === null || from > date) continue;
    if (
      inForce === null ||
      from > (inForce.effectiveFrom ?? '') ||
      (from === inForce.effectiveFrom && set.id > inForce.id)
    ) {
      inForce = set;
    }
  }
  return inForce;
}

/** One problem found in a set of weights; `path` points into the Weights object. */
export interface WeightProblem {
  path: string;
  message: string;
}

function isWeight(x: unknown): x is number {
  return typeof x === 'number' && Number.isFinite(x) && x >= 0;
}

/**
 * Problems with a set of weights against the configured indicators; [] when it is fine. Pure: the
 * config loader and the weights API turn the list into their own errors. Checks: block and
 * indicator weights finite and ≥ 0, block weights not all 0, weights and goalposts only for known
 * indicators, no block with a positive weight whose indicators weigh 0 in total, goalposts valid,
 * aggregation known, availability threshold in (0, 1].
 */
export function validateWeights(weights: Weights, indicators: readonly IndicatorSpec[]): WeightProblem[] {
  const problems: WeightProblem[] = [];
  const known = new Map(indicators.map((indicator) => [indicator.id, indicator]));

  for (const block of BLOCKS) {
    const weight: unknown = weights.blocks[block];
    if (!isWeight(weight)) {
      problems.push({
        path: `blocks.${block}`,
        message: `block weight must be a number ≥ 0, got ${String(weight)}`,
      });
    }
  }
  if (BLOCKS.every((block) => !(weights.blocks[block] > 0))) {
    problems.push({ path: 'blocks', message: 'at least one block needs a positive weight' });
  }

  for (const [id, weight] of Object.entries(weights.indicators)) {
    if (!known.has(id)) problems.push({ path: `indicators.${id}`, message: `unknown indicator ${id}` });
    if (!isWeight(weight)) {
      problems.push({
        path: `indicators.${id}`,
        message: `indicator weight must be a number ≥ 0, got ${String(weight)}`,
      });
    }
  }

  for (const block of BLOCKS) {
    if (!(weights.blocks[block] > 0)) continue;
    const total = indicators
      .filter((indicator) => indicator.block === block)
      .reduce((sum, indicator) => {
        const weight = weights.indicators[indicator.id];
        return sum + (isWeight(weight) ? weight : 0);
      }, 0);
    if (total === 0) {
      problems.push({
        path: `blocks.${block}`,
        message: `block ${block} has a positive weight but its indicators weigh 0 in total`,
      });
    }
  }

  for (const [id, normalisation] of Object.entries(weights.normalisation ?? {})) {
    if (!known.has(id)) problems.push({ path: `normalisation.${id}`, message: `unknown indicator ${id}` });
    try {
      validateNormalisation(normalisation);
    } catch (error) {
      problems.push({
        path: `normalisation.${id}`,
        message: error instanceof Error ? error.message : String(error),
      });
    }
  }

  const aggregation: unknown = weights.aggregation;
  if (aggregation !== 'arithmetic' && aggregation !== 'geometric') {
    problems.push({
      path: 'aggregation',
      message: `aggregation must be arithmetic or geometric, got ${String(aggregation)}`,
    });
  }

  const threshold = weights.availabilityThreshold;
  if (threshold !== undefined && !(Number.isFinite(threshold) && threshold > 0 && threshold <= 1)) {
    problems.push({
      path: 'availabilityThreshold',
      message: `availability threshold must be in (0, 1], got ${threshold}`,
    });
  }
  return problems;
}

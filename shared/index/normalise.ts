/**
 * Normalisation of raw values onto 0–100 scores over fixed goalposts. Goalposts are fixed per
 * weight set, never re-derived from the current month's streets, so a street cannot drop because
 * another improved.
 */
import type { Normalisation } from './types.js';

/**
 * Efficacy coefficient (功效系数法): 60 + 40 · (x − x_s) / (x_h − x_s), with x_s the unacceptable
 * value (不允许值, scoring 60) and x_h the satisfactory value (满意值, scoring 100). For a negative
 * indicator x_h < x_s and the same formula holds. Unclamped.
 *
 * @example efficacyScore(5.81, 6, 12) // ≈ 58.73
 */
export function efficacyScore(x: number, unacceptable: number, satisfactory: number): number {
  return 60 + (40 * (x - unacceptable)) / (satisfactory - unacceptable);
}

/**
 * Min-max over fixed goalposts: (x − worst) / (best − worst), the fraction of the way from the
 * worst to the best value (0 at worst, 1 at best). Polarity is carried by the goalposts: for a
 * negative indicator best < worst. Unclamped.
 *
 * @example minMaxScore(1, 0, 10) // 0.1;  minMaxScore(1, 10, 0) // 0.9
 */
export function minMaxScore(x: number, worst: number, best: number): number {
  return (x - worst) / (best - worst);
}

/** Options of {@link distanceToTarget}. */
export interface DistanceToTargetOptions {
  /** The value that scores 0. Default 0. */
  zero?: number;
  /** Upper bound of the ratio (1 to give no credit for overshooting the target). */
  cap?: number;
}

/**
 * Distance to target: (x − zero) / (target − zero), the share of the target reached, capped at
 * `cap` when given.
 *
 * @example [0, 5, 11].map((x) => distanceToTarget(x, 10)) // [0, 0.5, 1.1]
 */
export function distanceToTarget(x: number, target: number, options: DistanceToTargetOptions = {}): number {
  const zero = options.zero ?? 0;
  const ratio = (x - zero) / (target - zero);
  return options.cap === undefined ? ratio : Math.min(ratio, options.cap);
}

/**
 * Throws an Error naming the problem when the goalposts cannot score anything: non-finite or equal
 * goalposts (which would divide by zero), or an unknown method. The config loader calls it on every
 * indicator and weight set; {@link normalise} calls it too, so bad goalposts fail loudly, never as NaN.
 */
export function validateNormalisation(normalisation: Normalisation): void {
  const check = (names: [string, string], a: unknown, b: unknown): void => {
    if (typeof a !== 'number' || !Number.isFinite(a) || typeof b !== 'number' || !Number.isFinite(b)) {
      throw new Error(`${normalisation.method} normalisation needs finite ${names[0]} and ${names[1]}`);
    }
    if (a === b) {
      throw new Error(
        `${normalisation.method} normalisation needs ${names[0]} and ${names[1]} to differ (both are ${a})`,
      );
    }
    if (!Number.isFinite(b - a)) {
      throw new Error(`${normalisation.method} normalisation has ${names[0]} and ${names[1]} too far apart`);
    }
  };
  const method: string = normalisation.method;
  switch (normalisation.method) {
    case 'efficacy':
      check(['unacceptable', 'satisfactory'], normalisation.unacceptable, normalisation.satisfactory);
      return;
    case 'minmax':
      check(['worst', 'best'], normalisation.worst, normalisation.best);
      return;
    case 'target':
      check(['zero', 'target'], normalisation.zero ?? 0, normalisation.target);
      return;
    default:
      throw new Error(`unknown normalisation method ${JSON.stringify(method)}`);
  }
}

/**
 * Which way is good for an indicator under these goalposts: 1 when a higher raw value scores
 * higher (正向), −1 when a lower one does (逆向).
 */
export function goodDirection(normalisation: Normalisation): 1 | -1 {
  switch (normalisation.method) {
    case 'efficacy':
      return normalisation.satisfactory > normalisation.unacceptable ? 1 : -1;
    case 'minmax':
      return normalisation.best > normalisation.worst ? 1 : -1;
    case 'target':
      return normalisation.target > (normalisation.zero ?? 0) ? 1 : -1;
  }
}

/**
 * The 0–100 score of a raw value: efficacy as it is, min-max and distance to target × 100, then
 * clamped to [0, 100]. Null when x is null or not finite (the indicator is unavailable).
 *
 * @throws Error when the goalposts are degenerate (see {@link validateNormalisation}).
 */
export function normalise(x: number | null | undefined, normalisation: Normalisation): number | null {
  validateNormalisation(normalisation);
  if (typeof x !== 'number' || !Number.isFinite(x)) return null;
  let score: number;
  switch (normalisation.method) {
    case 'efficacy':
      score = efficacyScore(x, normalisation.unacceptable, normalisation.satisfactory);
      break;
    case 'minmax':
      score = 100 * minMaxScore(x, normalisation.worst, normalisation.best);
      break;
    case 'target':
      score = 100 * distanceToTarget(x, normalisation.target, { zero: normalisation.zero ?? 0 });
      break;
  }
  return clampScore(score);
}

/** Clamps a score to [0, 100]. */
export function clampScore(score: number): number {
  return Math.min(100, Math.max(0, score));
}

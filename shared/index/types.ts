/**
 * Domain types of the Safety Index (平安指数) engine. Everything here is pure data: the engine
 * never reads a clock, a file or a database.
 */

/** The three blocks of the index: 正向 (positive), 逆向 (negative), 公众评价 (public evaluation). */
export const BLOCKS = ['positive', 'negative', 'public'] as const;
export type Block = (typeof BLOCKS)[number];

/**
 * How an indicator's raw value is measured.
 * - `count_per_10k`: events per 10,000 residents (实有人口)
 * - `count`: a plain count of events
 * - `ratio`: numerator / denominator, in percent
 * - `mean`: a mean of observations (a wait in minutes, a survey score 1–5)
 * - `sum_per_capita`: an amount (yuan) per resident
 * - `manual`: a value imported as it is
 */
export const MEASURES = ['count_per_10k', 'count', 'ratio', 'mean', 'sum_per_capita', 'manual'] as const;
export type Measure = (typeof MEASURES)[number];

/**
 * Normalisation of a raw value onto a 0–100 score. Polarity is carried by the goalposts: for a
 * negative indicator the satisfactory value lies below the unacceptable one.
 * - `efficacy` — 功效系数法: 60 + 40 · (x − x_s) / (x_h − x_s), x_s unacceptable (不允许值),
 *   x_h satisfactory (满意值).
 * - `minmax` — 100 · (x − worst) / (best − worst) over fixed goalposts.
 * - `target` — distance to target: 100 · (x − zero) / (target − zero), `zero` defaulting to 0.
 * Every score is clamped to [0, 100].
 */
export type Normalisation =
  | { method: 'efficacy'; unacceptable: number; satisfactory: number }
  | { method: 'minmax'; worst: number; best: number }
  | { method: 'target'; target: number; zero?: number };

/** An indicator as the engine needs it. */
export interface IndicatorSpec {
  id: string;
  block: Block;
  measure: Measure;
  /** Empirical-Bayes smoothing of count rates toward the city rate (Marshall 1991). */
  smoothing: 'none' | 'empirical_bayes';
  normalisation: Normalisation;
}

/** A street as the engine needs it. */
export interface StreetSpec {
  code: string;
  /** Resident population (实有人口), for per-10k rates and the city's weighted mean. */
  population: number;
}

/** Weights of one version: blocks (summing to anything positive) and indicators within blocks. */
export interface Weights {
  blocks: Record<Block, number>;
  indicators: Record<string, number>;
  aggregation: 'arithmetic' | 'geometric';
  /** Goalposts fixed for this weight set, overriding the indicator's defaults. */
  normalisation?: Record<string, Normalisation>;
  /** Share of a block's weight that must be available for the block to have a score. Default 2/3. */
  availabilityThreshold?: number;
}

/** A weight set version. `effectiveFrom` is an ISO date (YYYY-MM-DD); null for a draft. */
export interface WeightSet {
  id: number;
  name: string;
  effectiveFrom: string | null;
  weights: Weights;
}

/** Raw values: street code → indicator id → raw value (null or absent when unknown). */
export type RawValues = Record<string, Record<string, number | null | undefined>>;

/** One indicator of one street in a computed index. */
export interface IndicatorResult {
  id: string;
  raw: number | null;
  /**
   * The value that was normalised when it differs from `raw` by design: the empirical-Bayes
   * smoothed rate (Marshall 1991). Present only for smoothed indicators; otherwise `raw` was normalised.
   */
  smoothed?: number | null;
  /** Normalised score 0–100, null when the raw value is unknown. */
  score: number | null;
  /** Points this indicator adds to the index; contributions sum to the index. */
  contribution: number;
  /** 扣分项: points lost against a perfect 100; they sum to 100 − index. */
  pointsLost: number;
}

export interface StreetResult {
  code: string;
  /** null when no block has a score. */
  index: number | null;
  grade: string | null;
  /** Competition rank (ties share a rank: 1, 2, 2, 4); null when the index is null. */
  rank: number | null;
  /** True when a block lacks data (under its availability threshold). */
  provisional: boolean;
  blocks: Record<Block, number | null>;
  indicators: IndicatorResult[];
}

export interface IndexResult {
  /** Population-weighted mean of the street indices that are known. */
  city: number | null;
  streets: StreetResult[];
}

/** A grade band: the index at or above `min` (and below the next band) earns it. */
export interface GradeBand {
  id: string;
  min: number;
  label: { zh: string; en: string };
  colour: string;
}

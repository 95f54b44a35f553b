import { describe, it, expect } from 'vitest';
import {
  aggregateBlocks,
  blockScores,
  cityIndex,
  DEFAULT_GRADES,
  gradeOf,
  rank,
  validateWeights,
  weightedMeanWithThreshold,
  weightSetInForce,
  type IndicatorSpec,
  type WeightSet,
  type Weights,
} from '../../shared/index/index.js';

describe('weightedMeanWithThreshold', () => {
  it('re-scales the weights over the available values', () => {
    const row = [
      { value: 80, weight: 3 },
      { value: 50, weight: 1 },
      { value: null, weight: 1 },
    ];
    // 4/5 of the weight is available: (3·80 + 1·50) / 4.
    expect(weightedMeanWithThreshold(row, 2 / 3)).toBe(72.5);
  });

  it('yields null for a row too sparse to trust under the availability threshold', () => {
    const row = [
      { value: 90, weight: 1 },
      { value: null, weight: 1 },
      { value: null, weight: 1 },
    ];
    expect(weightedMeanWithThreshold(row, 2 / 3)).toBeNull();
    expect(weightedMeanWithThreshold(row, 1 / 3)).toBe(90);
  });

  it('accepts a row exactly at the threshold', () => {
    const row = [
      { value: 60, weight: 1 },
      { value: 90, weight: 1 },
      { value: null, weight: 1 },
    ];
    expect(weightedMeanWithThreshold(row, 2 / 3)).toBe(75);
  });

  it('yields null for an empty or weightless row', () => {
    expect(weightedMeanWithThreshold([], 2 / 3)).toBeNull();
    expect(weightedMeanWithThreshold([{ value: 70, weight: 0 }], 2 / 3)).toBeNull();
  });
});

describe('aggregating blocks into an index', () => {
  const weights: Pick<Weights, 'blocks' | 'aggregation'> = {
    blocks: { positive: 35, negative: 35, public: 30 },
    aggregation: 'arithmetic',
  };

  it('takes the weighted mean of the block scores', () => {
    const { index, provisional } = aggregateBlocks({ positive: 68, negative: 80, public: 75 }, weights);
    expect(index).toBeCloseTo(74.3, 12);
    expect(provisional).toBe(false);
  });

  it('re-scales over the blocks that have a score and marks the index provisional', () => {
    const { index, provisional } = aggregateBlocks({ positive: null, negative: 40, public: 100 }, weights);
    expect(index).toBeCloseTo(4400 / 65, 12);
    expect(provisional).toBe(true);
  });

  it('gives no index when no block has a score', () => {
    expect(aggregateBlocks({ positive: null, negative: null, public: null }, weights)).toEqual({
      index: null,
      provisional: true,
    });
  });

  it('penalises imbalance with the geometric aggregation', () => {
    const geometric = { ...weights, aggregation: 'geometric' as const };
    const { index } = aggregateBlocks({ positive: 68, negative: 80, public: 75 }, geometric);
    expect(index).toBeCloseTo(68 ** 0.35 * 80 ** 0.35 * 75 ** 0.3, 10);
    expect(index).toBeLessThan(74.3);
    expect(aggregateBlocks({ positive: 0, negative: 100, public: 100 }, geometric).index).toBe(0);
  });

  it('scores each block from its own indicators and nulls a block under two thirds of its weight', () => {
    const blocks = blockScores([
      { block: 'positive', weight: 1, score: 80 },
      { block: 'positive', weight: 1, score: null },
      { block: 'positive', weight: 2, score: null },
      { block: 'negative', weight: 1, score: 40 },
      { block: 'public', weight: 1, score: 90 },
      { block: 'public', weight: 0, score: 10 },
    ]);
    expect(blocks).toEqual({ positive: null, negative: 40, public: 90 });
  });
});

describe('grades', () => {
  it('awards the band whose minimum the index reaches, at the band edges too', () => {
    const grade = (index: number): string | undefined => gradeOf(index, DEFAULT_GRADES)?.label.zh;
    expect(grade(100)).toBe('优');
    expect(grade(90)).toBe('优');
    expect(grade(89.99)).toBe('良');
    expect(grade(80)).toBe('良');
    expect(grade(79.999)).toBe('中');
    expect(grade(70)).toBe('中');
    expect(grade(69.9)).toBe('差');
    expect(grade(0)).toBe('差');
  });

  it('does not drop a true 90 carrying rounding noise into the band below', () => {
    expect(gradeOf(0.1 * 3 * 300, DEFAULT_GRADES)?.id).toBe('excellent');
  });

  it('reads bands in any order and gives no grade to a null index', () => {
    const shuffled = [...DEFAULT_GRADES].reverse();
    expect(gradeOf(85, shuffled)?.id).toBe('good');
    expect(gradeOf(null, shuffled)).toBeNull();
  });
});

describe('ranking', () => {
  it('lets ties share a rank and skips the next (1, 2, 2, 4)', () => {
    const ranks = rank([
      { code: 'a', index: 70 },
      { code: 'b', index: 91 },
      { code: 'c', index: 80 },
      { code: 'd', index: 80 + 1e-12 },
      { code: 'e', index: null },
    ]);
    expect(Object.fromEntries(ranks)).toEqual({ b: 1, c: 2, d: 2, a: 4, e: null });
  });
});

describe('city index', () => {
  it('weighs the known street indices by population', () => {
    expect(
      cityIndex([
        { index: 80, population: 30_000 },
        { index: 60, population: 10_000 },
        { index: null, population: 50_000 },
      ]),
    ).toBe(75);
  });

  it('is null when no street has an index', () => {
    expect(cityIndex([{ index: null, population: 10 }])).toBeNull();
    expect(cityIndex([])).toBeNull();
  });
});

describe('weight sets', () => {
  const weights: Weights = {
    blocks: { positive: 35, negative: 35, public: 30 },
    indicators: { cleared: 1, theft: 1, security: 1 },
    aggregation: 'arithmetic',
  };
  const sets: WeightSet[] = [
    { id: 1, name: '2025 Q1', effectiveFrom: '2025-01-01', weights },
    { id: 2, name: '2025 Q2', effectiveFrom: '2025-04-01', weights },
    { id: 4, name: '2025 Q2 fixed', effectiveFrom: '2025-04-01', weights },
    { id: 3, name: 'draft', effectiveFrom: null, weights },
    { id: 5, name: '2025 Q3', effectiveFrom: '2025-07-01', weights },
  ];

  it('picks the set in force on a date by its effective-from date', () => {
    expect(weightSetInForce(sets, '2025-03-31')?.id).toBe(1);
    expect(weightSetInForce(sets, '2025-06-30')?.id).toBe(4);
    expect(weightSetInForce(sets, '2025-07-01')?.id).toBe(5);
    expect(weightSetInForce(sets, '2024-12-31')).toBeNull();
  });

  it('never puts a draft in force', () => {
    expect(
      weightSetInForce([{ id: 9, name: 'draft', effectiveFrom: null, weights }], '2030-01-01'),
    ).toBeNull();
  });

  const indicators: IndicatorSpec[] = [
    {
      id: 'cleared',
      block: 'positive',
      measure: 'count_per_10k',
      smoothing: 'none',
      normalisation: { method: 'minmax', worst: 0, best: 10 },
    },
    {
      id: 'theft',
      block: 'negative',
      measure: 'count_per_10k',
      smoothing: 'empirical_bayes',
      normalisation: { method: 'efficacy', unacceptable: 20, satisfactory: 2 },
    },
    {
      id: 'security',
      block: 'public',
      measure: 'mean',
      smoothing: 'none',
      normalisation: { method: 'target', target: 5, zero: 1 },
    },
  ];

  it('finds nothing wrong with sound weights', () => {
    expect(validateWeights(weights, indicators)).toEqual([]);
  });

  it('names unknown indicators, negative weights, empty blocks, bad goalposts and thresholds', () => {
    const problems = validateWeights(
      {
        blocks: { positive: 35, negative: -1, public: 30 },
        indicators: { cleared: 1, theft: -2, ghost: 1 },
        aggregation: 'arithmetic',
        normalisation: { cleared: { method: 'minmax', worst: 5, best: 5 } },
        availabilityThreshold: 1.5,
      },
      indicators,
    );
    expect(problems.map((problem) => problem.path).sort()).toEqual([
      'availabilityThreshold',
      'blocks.negative',
      'blocks.public',
      'indicators.ghost',
      'indicators.theft',
      'normalisation.cleared',
    ]);
  });
});

import { describe, expect, it } from 'vitest';
import type { CityConfig, IndicatorConfig } from '../../shared/city.js';
import { weightsSchema } from '../../shared/city.js';
import { validateIndicatorValues } from '../../shared/indicator-values.js';

const indicator = (id: string, measure: IndicatorConfig['measure'], unit = ''): IndicatorConfig =>
  ({ id, measure, unit: { zh: unit, en: unit }, source: 'manual', block: 'positive' }) as IndicatorConfig;

const city = {
  streets: [{ code: 'jinfang', name: { zh: '金方', en: 'Jinfang' }, population: 92000 }],
  indicators: [
    indicator('share', 'ratio', '%'),
    indicator('rate', 'count_per_10k'),
    indicator('events', 'count'),
    indicator('wait', 'mean', 'minutes'),
    indicator('loss', 'sum_per_capita'),
    indicator('other', 'manual'),
  ],
} as unknown as Pick<CityConfig, 'streets' | 'indicators'>;

const problems = (values: [string, number][]) =>
  validateIndicatorValues(
    values.map(([id, value]) => ({ indicator: id, street: 'jinfang', period: '2026-11', value })),
    city,
  ).problems.map((p) => p.reason);

describe('plausible ranges of imported values', () => {
  it('accepts each measure up to its plausible maximum', () => {
    expect(
      problems([
        ['share', 100],
        ['rate', 100_000],
        ['events', 1e9],
        ['wait', 1e9],
        ['loss', 1e9],
        ['other', 1e9],
      ]),
    ).toEqual([]);
  });

  it('refuses a value past it, saying which range it is out of', () => {
    expect(
      problems([
        ['share', 100.5],
        ['rate', 100_001],
        ['events', 2e9],
        ['wait', 1e12],
        ['loss', 1e308],
        ['other', 1e10],
      ]),
    ).toEqual([
      '100.5 is a percentage over 100',
      '100001 is over 100000, the most a rate per 10,000 residents can plausibly be',
      '2000000000 is over 1000000000, the most a count can plausibly be',
      '1000000000000 is over 1000000000, the most a mean can plausibly be',
      '1e+308 is over 1000000000, the most an amount per resident can plausibly be',
      '10000000000 is over 1000000000, the most an imported value can plausibly be',
    ]);
  });
});

describe('bounds of weights', () => {
  it('refuses a weight that sums could overflow, and accepts the plausible ones', () => {
    const weights = (positive: number, theft: number) =>
      weightsSchema.safeParse({ blocks: { positive, negative: 35, public: 30 }, indicators: { theft } });
    expect(weights(35, 14).success).toBe(true);
    expect(weights(1000, 0).success).toBe(true);
    expect(weights(1e308, 14).success).toBe(false);
    expect(weights(35, 1e308).success).toBe(false);
    expect(weights(-1, 14).success).toBe(false);
  });
});

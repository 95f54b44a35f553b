import { describe, it, expect } from 'vitest';
import { measureValue, smoothPer10k, smoothRatesEB } from '../../shared/index/index.js';

describe('measureValue', () => {
  it('turns a count into a rate per 10,000 residents', () => {
    expect(measureValue('count_per_10k', { count: 12 }, 40_000)).toBe(3);
  });

  it('reads counts, ratios in percent, means, amounts per resident and manual values', () => {
    expect(measureValue('count', { count: 7 }, 1000)).toBe(7);
    expect(measureValue('ratio', { numerator: 45, denominator: 50 }, 1000)).toBe(90);
    expect(measureValue('mean', { sum: 36, n: 8 }, 1000)).toBe(4.5);
    expect(measureValue('sum_per_capita', { sum: 250_000, n: 3 }, 50_000)).toBe(5);
    expect(measureValue('manual', { value: 97.5 }, 1000)).toBe(97.5);
  });

  it('gives null instead of dividing by zero or reading a missing field', () => {
    expect(measureValue('ratio', { numerator: 3, denominator: 0 }, 1000)).toBeNull();
    expect(measureValue('mean', { sum: 0, n: 0 }, 1000)).toBeNull();
    expect(measureValue('count_per_10k', { count: 3 }, 0)).toBeNull();
    expect(measureValue('sum_per_capita', { sum: 3 }, 0)).toBeNull();
    expect(measureValue('count', {}, 1000)).toBeNull();
    expect(measureValue('manual', { value: null }, 1000)).toBeNull();
  });
});

describe('empirical-Bayes smoothing (Marshall 1991)', () => {
  const streets = [
    { count: 5, population: 1_000 },
    { count: 10, population: 10_000 },
    { count: 200, population: 100_000 },
  ];

  it('reproduces the global estimator computed by hand', () => {
    // m = 215/111000; s² = Σn(r − m)²/Σn; A = s² − m/n̄; C_i = A/(A + m/n_i); θ_i = m + C_i(r_i − m).
    const rates = smoothRatesEB(streets).map((rate) => rate * 10_000);
    expect(rates[0]).toBeCloseTo(21.08386075949367, 10);
    expect(rates[1]).toBeCloseTo(15.881888728133632, 10);
    expect(rates[2]).toBeCloseTo(19.90898920569649, 10);
  });

  it("pulls a small street's rate toward the city rate more than a large street's", () => {
    const city = 215 / 111_000;
    const raw = streets.map((street) => street.count / street.population);
    const smoothed = smoothRatesEB(streets);
    const pull = (i: number): number =>
      1 - Math.abs((smoothed[i] ?? 0) - city) / Math.abs((raw[i] ?? 0) - city);
    expect(pull(0)).toBeGreaterThan(pull(1));
    expect(pull(1)).toBeGreaterThan(pull(2));
    expect(pull(2)).toBeGreaterThan(0);
  });

  it('leaves all-equal rates unchanged', () => {
    const smoothed = smoothRatesEB([
      { count: 2, population: 1_000 },
      { count: 20, population: 10_000 },
      { count: 200, population: 100_000 },
    ]);
    for (const rate of smoothed) expect(rate).toBeCloseTo(0.002, 15);
  });

  it('gives zeros when every count is zero, without NaN', () => {
    expect(
      smoothRatesEB([
        { count: 0, population: 100 },
        { count: 0, population: 5000 },
      ]),
    ).toEqual([0, 0]);
  });

  it("keeps a single street's own rate", () => {
    expect(smoothRatesEB([{ count: 3, population: 1500 }])).toEqual([0.002]);
  });

  it('gives a street without population the city rate, and no population at all zeros', () => {
    const smoothed = smoothRatesEB([
      { count: 4, population: 0 },
      { count: 10, population: 5000 },
    ]);
    expect(smoothed).toEqual([0.002, 0.002]);
    expect(smoothRatesEB([{ count: 4, population: 0 }])).toEqual([0]);
    expect(smoothRatesEB([])).toEqual([]);
  });

  it('smooths per-10k rates street by street and leaves unknown streets null', () => {
    const smoothed = smoothPer10k(
      { small: 50, medium: 10, large: 20, unknown: null },
      { small: 1_000, medium: 10_000, large: 100_000, unknown: 7_000 },
    );
    expect(smoothed.unknown).toBeNull();
    expect(smoothed.small).toBeCloseTo(21.08386075949367, 9);
    expect(smoothed.medium).toBeCloseTo(15.881888728133632, 9);
    expect(smoothed.large).toBeCloseTo(19.90898920569649, 9);
  });

  it('leaves a street without population as it is, since its rate cannot become a count', () => {
    const smoothed = smoothPer10k({ empty: 30, a: 10, b: 30 }, { empty: 0, a: 5_000, b: 5_000 });
    expect(smoothed.empty).toBe(30);
    expect(Number.isFinite(smoothed.a)).toBe(true);
  });

  it('does not smooth negative counts, which are not counts', () => {
    expect(
      smoothRatesEB([
        { count: -1, population: 100 },
        { count: 3, population: 100 },
      ]),
    ).toEqual([-0.01, 0.03]);
  });
});

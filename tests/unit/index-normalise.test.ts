import { describe, it, expect } from 'vitest';
import {
  distanceToTarget,
  efficacyScore,
  goodDirection,
  minMaxScore,
  normalise,
  validateNormalisation,
} from '../../shared/index/index.js';

describe('efficacy coefficient (功效系数法)', () => {
  it('reproduces the worked example: x = 5.81 with x_h = 12 and x_s = 6 scores 58.73', () => {
    expect(efficacyScore(5.81, 6, 12).toFixed(2)).toBe('58.73');
  });

  it('scores the unacceptable value 60 and the satisfactory value 100', () => {
    expect(efficacyScore(6, 6, 12)).toBe(60);
    expect(efficacyScore(12, 6, 12)).toBe(100);
  });

  it('holds for a negative indicator whose satisfactory value lies below the unacceptable one', () => {
    expect(efficacyScore(10, 20, 0)).toBe(80);
    expect(efficacyScore(30, 20, 0)).toBe(40);
  });

  it('is unclamped on its own but clamped to 0–100 by normalise', () => {
    expect(efficacyScore(15, 6, 12)).toBe(120);
    expect(normalise(15, { method: 'efficacy', unacceptable: 6, satisfactory: 12 })).toBe(100);
    expect(normalise(-100, { method: 'efficacy', unacceptable: 6, satisfactory: 12 })).toBe(0);
  });
});

describe('distance to target', () => {
  it('reproduces the worked example: target 10 on 0, 5 and 11 gives 0, 0.5 and 1.1', () => {
    expect([0, 5, 11].map((x) => distanceToTarget(x, 10))).toEqual([0, 0.5, 1.1]);
  });

  it('caps the ratio at 1 when asked: 0, 0.5 and 1', () => {
    expect([0, 5, 11].map((x) => distanceToTarget(x, 10, { cap: 1 }))).toEqual([0, 0.5, 1]);
  });

  it('measures from a zero other than 0', () => {
    expect(distanceToTarget(4, 5, { zero: 1 })).toBe(0.75);
    expect(normalise(4, { method: 'target', target: 5, zero: 1 })).toBe(75);
  });

  it('gives no more than 100 for overshooting the target once normalised', () => {
    expect(normalise(11, { method: 'target', target: 10 })).toBe(100);
  });
});

describe('min-max over fixed goalposts', () => {
  it('scores 1 on goalposts 0 and 10 as 0.1', () => {
    expect(minMaxScore(1, 0, 10)).toBeCloseTo(0.1, 15);
  });

  it('scores 1 as 0.9 when the goalposts are reversed (worst 10, best 0)', () => {
    expect(minMaxScore(1, 10, 0)).toBeCloseTo(0.9, 15);
  });

  it('is normalised onto 0–100', () => {
    expect(normalise(1, { method: 'minmax', worst: 0, best: 10 })).toBeCloseTo(10, 12);
    expect(normalise(1, { method: 'minmax', worst: 10, best: 0 })).toBeCloseTo(90, 12);
  });
});

describe('normalise', () => {
  const efficacy = { method: 'efficacy', unacceptable: 6, satisfactory: 12 } as const;

  it('gives null for an unknown or non-finite raw value', () => {
    expect(normalise(null, efficacy)).toBeNull();
    expect(normalise(undefined, efficacy)).toBeNull();
    expect(normalise(Number.NaN, efficacy)).toBeNull();
    expect(normalise(Number.POSITIVE_INFINITY, efficacy)).toBeNull();
  });

  it('refuses equal goalposts with a clear error instead of scoring NaN', () => {
    expect(() => normalise(5, { method: 'efficacy', unacceptable: 6, satisfactory: 6 })).toThrow(/differ/);
    expect(() => normalise(5, { method: 'minmax', worst: 3, best: 3 })).toThrow(/differ/);
    expect(() => normalise(5, { method: 'target', target: 0 })).toThrow(/differ/);
  });

  it('tells which direction is good from the goalposts', () => {
    expect(goodDirection(efficacy)).toBe(1);
    expect(goodDirection({ method: 'efficacy', unacceptable: 20, satisfactory: 0 })).toBe(-1);
    expect(goodDirection({ method: 'minmax', worst: 10, best: 0 })).toBe(-1);
    expect(goodDirection({ method: 'target', target: 10 })).toBe(1);
  });
});

describe('validateNormalisation', () => {
  it('accepts sound goalposts of every method', () => {
    expect(() =>
      validateNormalisation({ method: 'efficacy', unacceptable: 20, satisfactory: 0 }),
    ).not.toThrow();
    expect(() => validateNormalisation({ method: 'minmax', worst: 0, best: 10 })).not.toThrow();
    expect(() => validateNormalisation({ method: 'target', target: 5, zero: 1 })).not.toThrow();
  });

  it('names non-finite goalposts and unknown methods', () => {
    expect(() => validateNormalisation({ method: 'minmax', worst: Number.NaN, best: 10 })).toThrow(/finite/);
    expect(() => validateNormalisation({ method: 'zscore' } as never)).toThrow(
      /unknown normalisation method/,
    );
  });
});

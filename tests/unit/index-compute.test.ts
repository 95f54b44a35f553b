import { describe, it, expect } from 'vitest';
import {
  computeIndex,
  DEFAULT_GRADES,
  explainChange,
  previewWeights,
  smoothPer10k,
  type IndicatorSpec,
  type RawValues,
  type StreetResult,
  type StreetSpec,
  type Weights,
} from '../../shared/index/index.js';

const indicators: IndicatorSpec[] = [
  {
    id: 'homicideClearance',
    block: 'positive',
    measure: 'ratio',
    smoothing: 'none',
    normalisation: { method: 'efficacy', unacceptable: 60, satisfactory: 100 },
  },
  {
    id: 'legalEducation',
    block: 'positive',
    measure: 'manual',
    smoothing: 'none',
    normalisation: { method: 'minmax', worst: 0, best: 10 },
  },
  {
    id: 'theft',
    block: 'negative',
    measure: 'count_per_10k',
    smoothing: 'none',
    normalisation: { method: 'efficacy', unacceptable: 20, satisfactory: 0 },
  },
  {
    id: 'security',
    block: 'public',
    measure: 'mean',
    smoothing: 'none',
    normalisation: { method: 'target', target: 5, zero: 1 },
  },
];

const streets: StreetSpec[] = [
  { code: 'lianran', population: 10_000 },
  { code: 'jinfang', population: 20_000 },
];

const weights: Weights = {
  blocks: { positive: 35, negative: 35, public: 30 },
  indicators: { homicideClearance: 0.6, legalEducation: 0.4, theft: 1, security: 1 },
  aggregation: 'arithmetic',
};

const raw: RawValues = {
  lianran: { homicideClearance: 80, legalEducation: 5, theft: 10, security: 4 },
  // No homicide clearance known: the positive block has 0.4 of its 1.0 weight, under two thirds.
  jinfang: { legalEducation: 12, theft: 30, security: 5 },
};

function street(result: { streets: StreetResult[] }, code: string): StreetResult {
  const found = result.streets.find((s) => s.code === code);
  if (!found) throw new Error(`no street ${code}`);
  return found;
}

function byId<T extends { id: string }>(items: T[]): Record<string, T> {
  return Object.fromEntries(items.map((item) => [item.id, item]));
}

describe('computeIndex on a hand-computed example of two streets and four indicators', () => {
  const result = computeIndex({ streets, indicators, weights, raw, grades: DEFAULT_GRADES });

  it('scores a street with every indicator known', () => {
    const lianran = street(result, 'lianran');
    const parts = byId(lianran.indicators);
    // Scores: 60 + 40·(80 − 60)/40 = 80; 100·5/10 = 50; 60 + 40·(10 − 20)/(0 − 20) = 80; 100·(4 − 1)/4 = 75.
    expect(lianran.indicators.map((i) => i.score)).toEqual([80, 50, 80, 75]);
    // Blocks: 0.6·80 + 0.4·50 = 68; 80; 75.  Index: 0.35·68 + 0.35·80 + 0.30·75 = 74.3.
    expect(lianran.blocks).toEqual({ positive: 68, negative: 80, public: 75 });
    expect(lianran.index).toBeCloseTo(74.3, 12);
    expect(lianran.provisional).toBe(false);
    expect(lianran.grade).toBe('fair');
    expect(lianran.rank).toBe(1);
    // Contributions: 0.35·0.6·80, 0.35·0.4·50, 0.35·80, 0.30·75; points lost likewise on 100 − score.
    expect(parts.homicideClearance?.contribution).toBeCloseTo(16.8, 12);
    expect(parts.legalEducation?.contribution).toBeCloseTo(7, 12);
    expect(parts.theft?.contribution).toBeCloseTo(28, 12);
    expect(parts.security?.contribution).toBeCloseTo(22.5, 12);
    expect(parts.homicideClearance?.pointsLost).toBeCloseTo(4.2, 12);
    expect(parts.legalEducation?.pointsLost).toBeCloseTo(7, 12);
    expect(parts.theft?.pointsLost).toBeCloseTo(7, 12);
    expect(parts.security?.pointsLost).toBeCloseTo(7.5, 12);
  });

  it('drops a too-sparse block, re-scales over the others and marks the index provisional', () => {
    const jinfang = street(result, 'jinfang');
    const parts = byId(jinfang.indicators);
    // 12 overshoots the best goalpost and is clamped to 100; theft 30 scores 60 + 40·(30 − 20)/(−20) = 40.
    expect(jinfang.indicators.map((i) => i.score)).toEqual([null, 100, 40, 100]);
    expect(jinfang.blocks).toEqual({ positive: null, negative: 40, public: 100 });
    // (35·40 + 30·100) / 65 = 4400/65 ≈ 67.69.
    expect(jinfang.index).toBeCloseTo(4400 / 65, 12);
    expect(jinfang.provisional).toBe(true);
    expect(jinfang.grade).toBe('poor');
    expect(jinfang.rank).toBe(2);
    // Legal education is scored but its block is null, so it neither adds nor loses points.
    expect(parts.legalEducation).toMatchObject({ raw: 12, score: 100, contribution: 0, pointsLost: 0 });
    expect(parts.homicideClearance).toMatchObject({ raw: null, score: null, contribution: 0, pointsLost: 0 });
    expect(parts.theft?.contribution).toBeCloseTo(1400 / 65, 12);
    expect(parts.theft?.pointsLost).toBeCloseTo(2100 / 65, 12);
    expect(parts.security?.contribution).toBeCloseTo(3000 / 65, 12);
    expect(parts.security?.pointsLost).toBe(0);
  });

  it('weighs the city index by population', () => {
    expect(result.city).toBeCloseTo((10_000 * 74.3 + 20_000 * (4400 / 65)) / 30_000, 12);
  });

  it('penalises imbalance under geometric aggregation and still splits the index into contributions', () => {
    const geometric = computeIndex({
      streets,
      indicators,
      weights: { ...weights, aggregation: 'geometric' },
      raw,
      grades: DEFAULT_GRADES,
    });
    const lianran = street(geometric, 'lianran');
    expect(lianran.index).toBeCloseTo(68 ** 0.35 * 80 ** 0.35 * 75 ** 0.3, 10);
    const sum = lianran.indicators.reduce((total, i) => total + i.contribution, 0);
    const lost = lianran.indicators.reduce((total, i) => total + i.pointsLost, 0);
    expect(sum).toBeCloseTo(lianran.index ?? Number.NaN, 10);
    expect(lost).toBeCloseTo(100 - (lianran.index ?? Number.NaN), 10);
  });
});

describe('computeIndex options', () => {
  it('smooths theft rates toward the city rate but reports the raw rate unsmoothed', () => {
    const smoothedTheft = indicators.map((indicator) =>
      indicator.id === 'theft' ? { ...indicator, smoothing: 'empirical_bayes' as const } : indicator,
    );
    const three: StreetSpec[] = [
      { code: 'small', population: 1_000 },
      { code: 'medium', population: 10_000 },
      { code: 'large', population: 100_000 },
    ];
    const theftRaw: RawValues = { small: { theft: 50 }, medium: { theft: 10 }, large: { theft: 20 } };
    const result = computeIndex({
      streets: three,
      indicators: smoothedTheft,
      weights,
      raw: theftRaw,
      grades: DEFAULT_GRADES,
    });
    const expected = smoothPer10k(
      { small: 50, medium: 10, large: 20 },
      { small: 1_000, medium: 10_000, large: 100_000 },
    );
    const small = byId(street(result, 'small').indicators).theft;
    expect(small?.raw).toBe(50);
    expect(small?.smoothed).toBeCloseTo(expected.small ?? Number.NaN, 12);
    // 21.08 per 10k instead of 50: the small street is no longer scored 0 on a handful of thefts.
    expect(small?.score).toBeCloseTo(60 + (40 * ((expected.small ?? 0) - 20)) / -20, 10);
    expect(byId(street(result, 'small').indicators).security?.smoothed).toBeUndefined();
  });

  it('reports an indicator without weight but gives it no contribution', () => {
    const result = computeIndex({
      streets,
      indicators,
      weights: {
        ...weights,
        indicators: { homicideClearance: 0.6, legalEducation: 0, theft: 1, security: 1 },
      },
      raw,
      grades: DEFAULT_GRADES,
    });
    const lianran = street(result, 'lianran');
    expect(byId(lianran.indicators).legalEducation).toMatchObject({
      raw: 5,
      score: 50,
      contribution: 0,
      pointsLost: 0,
    });
    expect(lianran.blocks.positive).toBe(80);
  });

  it("uses the weight set's goalposts over the indicator's own", () => {
    const result = computeIndex({
      streets,
      indicators,
      weights: { ...weights, normalisation: { theft: { method: 'minmax', worst: 40, best: 0 } } },
      raw,
      grades: DEFAULT_GRADES,
    });
    expect(byId(street(result, 'lianran').indicators).theft?.score).toBe(75);
  });
});

describe('previewWeights', () => {
  it('shows the draft ranking and the mean absolute rank shift against the current set', () => {
    const draft: Weights = { ...weights, blocks: { positive: 0, negative: 0, public: 1 } };
    const preview = previewWeights({
      streets,
      indicators,
      raw,
      grades: DEFAULT_GRADES,
      current: weights,
      draft,
    });
    expect(street(preview.draft, 'jinfang').index).toBe(100);
    expect(preview.rankShift).toEqual([
      { code: 'lianran', currentRank: 1, draftRank: 2, shift: -1 },
      { code: 'jinfang', currentRank: 2, draftRank: 1, shift: 1 },
    ]);
    expect(preview.meanAbsoluteRankShift).toBe(1);
  });
});

describe('explainChange', () => {
  it('splits a theft spike in one street into contributions and names theft first', () => {
    const before = street(
      computeIndex({ streets, indicators, weights, raw, grades: DEFAULT_GRADES }),
      'lianran',
    );
    const spiked: RawValues = { ...raw, lianran: { ...raw.lianran, theft: 18, security: 3.9 } };
    const after = street(
      computeIndex({ streets, indicators, weights, raw: spiked, grades: DEFAULT_GRADES }),
      'lianran',
    );
    const explained = explainChange(before, after);
    expect(explained.delta).toBeLessThan(0);
    expect(explained.indicators[0]).toMatchObject({ id: 'theft', rawBefore: 10, rawAfter: 18 });
    // Theft 10 → 18 scores 80 → 64: 0.35 · −16 = −5.6 points.
    expect(explained.indicators[0]?.change).toBeCloseTo(-5.6, 12);
    const sum = explained.indicators.reduce((total, i) => total + i.change, 0);
    expect(Math.abs(sum - (explained.delta ?? Number.NaN))).toBeLessThan(1e-9);
  });
});

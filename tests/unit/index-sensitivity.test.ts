import { describe, it, expect } from 'vitest';
import {
  BLOCKS,
  computeIndex,
  contributionChanges,
  DEFAULT_GRADES,
  previewWeights,
  rankSensitivity,
  removeIndicators,
  SENSITIVITY_DEFAULTS,
  type ComputeIndexInput,
  type IndicatorSpec,
  type RawValues,
  type SensitivityDraw,
  type StreetResult,
  type Weights,
} from '../../shared/index/index.js';
import { hashSeed, Rng } from '../../shared/random.js';

/** A manual indicator scored 0–100 by its raw value, so that hand computations stay short. */
function plain(id: string, block: IndicatorSpec['block']): IndicatorSpec {
  return {
    id,
    block,
    measure: 'manual',
    smoothing: 'none',
    normalisation: { method: 'minmax', worst: 0, best: 100 },
  };
}

function input(weights: Weights, raw: RawValues, indicators: IndicatorSpec[]): ComputeIndexInput {
  const streets = Object.keys(raw).map((code) => ({ code, population: 10_000 }));
  return { streets, indicators, weights, raw, grades: DEFAULT_GRADES };
}

function street<T extends { code: string }>(streets: readonly T[], code: string): T {
  const found = streets.find((s) => s.code === code);
  if (!found) throw new Error(`no street ${code}`);
  return found;
}

/** The weights one draw used, as a Weights object computeIndex takes. */
function drawnWeights(
  draw: SensitivityDraw,
  nominal: Weights,
  indicators: readonly IndicatorSpec[],
): Weights {
  return {
    ...nominal,
    blocks: { positive: draw.blocks[0] ?? 0, negative: draw.blocks[1] ?? 0, public: draw.blocks[2] ?? 0 },
    indicators: Object.fromEntries(indicators.map((indicator, j) => [indicator.id, draw.indicators[j] ?? 0])),
  };
}

describe('rankSensitivity re-aggregates exactly as computeIndex computes', () => {
  // Every path of the engine: all three normalisations, empirical-Bayes smoothing, a goalpost
  // override in the weight set, a weight-0 indicator, a block at exactly its availability
  // threshold, a block with no data, a street with no data at all, a tie and a score clamped to 0.
  const indicators: IndicatorSpec[] = [
    {
      id: 'clearance',
      block: 'positive',
      measure: 'ratio',
      smoothing: 'none',
      normalisation: { method: 'efficacy', unacceptable: 60, satisfactory: 100 },
    },
    {
      id: 'education',
      block: 'positive',
      measure: 'manual',
      smoothing: 'none',
      normalisation: { method: 'minmax', worst: 0, best: 10 },
    },
    {
      id: 'patrol',
      block: 'positive',
      measure: 'mean',
      smoothing: 'none',
      normalisation: { method: 'target', target: 8, zero: 2 },
    },
    {
      id: 'theft',
      block: 'negative',
      measure: 'count_per_10k',
      smoothing: 'empirical_bayes',
      normalisation: { method: 'efficacy', unacceptable: 20, satisfactory: 0 },
    },
    {
      id: 'fraud',
      block: 'negative',
      measure: 'count_per_10k',
      smoothing: 'none',
      normalisation: { method: 'minmax', worst: 30, best: 0 },
    },
    {
      id: 'security',
      block: 'public',
      measure: 'mean',
      smoothing: 'none',
      normalisation: { method: 'target', target: 5, zero: 1 },
    },
    {
      id: 'satisfaction',
      block: 'public',
      measure: 'mean',
      smoothing: 'none',
      normalisation: { method: 'target', target: 5, zero: 1 },
    },
  ];
  const rng = new Rng(hashSeed(14, 7));
  const raw: RawValues = {};
  const streets = Array.from({ length: 12 }, (_, i) => ({ code: `s${i}`, population: 5_000 + 1_000 * i }));
  for (const { code } of streets) {
    raw[code] = {
      clearance: rng.between(50, 100),
      education: rng.between(2, 10),
      patrol: rng.between(2, 9),
      theft: rng.between(2, 25),
      fraud: rng.between(0, 40),
      security: rng.between(2, 5),
      satisfaction: rng.between(2, 5),
    };
  }
  // Two of the positive block's three equal weights: exactly at the threshold of 2/3.
  raw.s3 = { ...raw.s3, clearance: null };
  raw.s5 = { ...raw.s5, security: undefined }; // the public block has no score: provisional
  raw.s7 = {}; // no index at all
  raw.s9 = { ...raw.s2 }; // tied with s2 (same population, so the same smoothing)
  streets[9] = { code: 's9', population: streets[2]?.population ?? 0 };
  raw.s10 = { ...raw.s10, fraud: 60 }; // beyond the goalposts: scores 0
  const base = {
    blocks: { positive: 35, negative: 35, public: 30 },
    indicators: { clearance: 1, education: 1, patrol: 1, theft: 2, fraud: 1, security: 1, satisfaction: 0 },
    normalisation: { fraud: { method: 'minmax' as const, worst: 50, best: 0 } },
  };

  for (const aggregation of ['arithmetic', 'geometric'] as const) {
    const weights: Weights = { ...base, aggregation };
    const data: ComputeIndexInput = { streets, indicators, weights, raw, grades: DEFAULT_GRADES };
    const nominal = computeIndex(data);

    it(`with noise 0 every draw is computeIndex's index and rank, to the last bit (${aggregation})`, () => {
      expect(nominal.streets.find((s) => s.code === 's5')?.provisional).toBe(true);
      expect(nominal.streets.find((s) => s.code === 's7')?.index).toBeNull();
      let seen = 0;
      rankSensitivity({
        ...data,
        noise: 0,
        draws: 5,
        onDraw: (draw) => {
          seen += 1;
          nominal.streets.forEach((s, i) => {
            expect(draw.index[i]).toBe(s.index ?? NaN);
            expect(draw.ranks[i]).toBe(s.rank ?? 0);
          });
        },
      });
      expect(seen).toBe(5);
    });

    it(`with noise each draw is computeIndex under that draw's weights (${aggregation})`, () => {
      let differentProvisional = 0;
      rankSensitivity({
        ...data,
        noise: 0.5,
        draws: 60,
        seed: 3,
        onDraw: (draw) => {
          const expected = computeIndex({ ...data, weights: drawnWeights(draw, weights, indicators) });
          expected.streets.forEach((s, i) => {
            expect(draw.index[i]).toBe(s.index ?? NaN);
            expect(draw.ranks[i]).toBe(s.rank ?? 0);
          });
          // s3 sits at the threshold: the draws must cross it both ways for this test to mean anything.
          if (street(expected.streets, 's3').provisional) differentProvisional += 1;
        },
      });
      expect(differentProvisional).toBeGreaterThan(0);
      expect(differentProvisional).toBeLessThan(60);
    });

    it(`removeIndicators ranks as computeIndex does with the weight set to 0 (${aggregation})`, () => {
      const removals = removeIndicators(data);
      // satisfaction weighs 0: nothing to remove.
      expect(removals.map((r) => r.indicator)).toEqual([
        'clearance',
        'education',
        'patrol',
        'theft',
        'fraud',
        'security',
      ]);
      for (const removal of removals) {
        const without = computeIndex({
          ...data,
          weights: { ...weights, indicators: { ...weights.indicators, [removal.indicator]: 0 } },
        });
        for (const s of without.streets) expect(removal.ranks[s.code]).toBe(s.rank);
      }
    });
  }
});

it('a block at its availability threshold only up to rounding still scores, as in computeIndex', () => {
  // Four of five weights of 0.3 available against a threshold of 0.8: 1.2 < 0.8 · 1.5 in floating
  // point (1.2 vs 1.2000000000000002); the engine's relative slack lets the block score.
  const indicators = ['p1', 'p2', 'p3', 'p4', 'p5'].map((id) => plain(id, 'positive'));
  const weights: Weights = {
    blocks: { positive: 1, negative: 0, public: 0 },
    indicators: { p1: 0.3, p2: 0.3, p3: 0.3, p4: 0.3, p5: 0.3 },
    aggregation: 'arithmetic',
    availabilityThreshold: 0.8,
  };
  const data = input(
    weights,
    { a: { p1: 10, p2: 20, p3: 30, p4: 40 }, b: { p1: 50, p2: 50, p3: 50, p4: 50 } },
    indicators,
  );
  const nominal = computeIndex(data);
  expect(nominal.streets.map((s) => s.index)).toEqual([25, 50]);
  const indices: (number | undefined)[][] = [];
  rankSensitivity({ ...data, noise: 0, draws: 1, onDraw: (draw) => indices.push([...draw.index]) });
  expect(indices).toEqual([[25, 50]]);
});

describe('rankSensitivity on two streets whose order rests on one weight', () => {
  // Only the positive block weighs. a scores 100 on p1 and 0 on p2, b the reverse; so a leads
  // exactly when w1 > w2. Nominally w1 = 1.1 and w2 = 1: a = 110/2.1 ≈ 52.4, b = 100/2.1 ≈ 47.6.
  const indicators = [plain('p1', 'positive'), plain('p2', 'positive')];
  const weights: Weights = {
    blocks: { positive: 1, negative: 0, public: 0 },
    indicators: { p1: 1.1, p2: 1 },
    aggregation: 'arithmetic',
  };
  const data = input(weights, { a: { p1: 100, p2: 0 }, b: { p1: 0, p2: 100 } }, indicators);

  /** a's rank in each draw, replayed from the documented stream: 3 block numbers, then p1, p2. */
  function replay(seed: number, draws: number, noise: number): number[] {
    const rng = new Rng(hashSeed(seed));
    return Array.from({ length: draws }, () => {
      for (let b = 0; b < 3; b++) rng.next();
      const w1 = 1.1 * (1 + (2 * rng.next() - 1) * noise);
      const w2 = 1 * (1 + (2 * rng.next() - 1) * noise);
      return w1 > w2 ? 1 : 2;
    });
  }

  it('with noise 0 the interval is the nominal rank', () => {
    const result = rankSensitivity({ ...data, noise: 0, draws: 50 });
    expect(street(result.streets, 'a')).toEqual({
      code: 'a',
      rank: 1,
      median: 1,
      p5: 1,
      p95: 1,
      rankedDraws: 50,
    });
    expect(street(result.streets, 'b')).toEqual({
      code: 'b',
      rank: 2,
      median: 2,
      p5: 2,
      p95: 2,
      rankedDraws: 50,
    });
  });

  it('with ±25 % on the weights both streets range over ranks 1 and 2, a still first at the median', () => {
    const result = rankSensitivity(data);
    expect(result).toMatchObject(SENSITIVITY_DEFAULTS);
    expect(street(result.streets, 'a')).toMatchObject({
      rank: 1,
      median: 1,
      p5: 1,
      p95: 2,
      rankedDraws: 1000,
    });
    expect(street(result.streets, 'b')).toMatchObject({
      rank: 2,
      median: 2,
      p5: 1,
      p95: 2,
      rankedDraws: 1000,
    });
    // a falls behind in roughly a third of the draws: P(1.1(1 + u₁/4) < 1 + u₂/4) ≈ 0.33.
    const behind = replay(1, 1000, 0.25).filter((r) => r === 2).length;
    expect(behind).toBeGreaterThan(250);
    expect(behind).toBeLessThan(420);
  });

  it('percentiles are nearest-rank: the ⌈p·N/100⌉-th best of the N draws', () => {
    // 20 draws: the 5th percentile is the best rank, the median the 10th, the 95th percentile the 19th.
    for (const seed of [1, 2, 3, 4, 5, 6]) {
      const sorted = replay(seed, 20, 0.25).sort((x, y) => x - y);
      const result = street(rankSensitivity({ ...data, draws: 20, seed }).streets, 'a');
      expect([result.p5, result.median, result.p95]).toEqual([sorted[0], sorted[9], sorted[18]]);
    }
    // A case by hand: with seed 2 a falls behind in exactly these draws (from the replay), so
    // 20 − 6 = 14 draws rank it 1: the 10th best is 1 and the 19th best is 2.
    const ranks = replay(2, 20, 0.25);
    expect(ranks.filter((r) => r === 2).length).toBe(6);
    expect(street(rankSensitivity({ ...data, draws: 20, seed: 2 }).streets, 'a')).toMatchObject({
      p5: 1,
      median: 1,
      p95: 2,
    });
  });

  it('the same seed gives the same result; another seed draws other weights', () => {
    const weightsOf = (seed: number) => {
      const drawn: number[] = [];
      const result = rankSensitivity({
        ...data,
        seed,
        draws: 200,
        onDraw: (d) => drawn.push(...d.indicators),
      });
      return { result, drawn };
    };
    const first = weightsOf(7);
    const again = weightsOf(7);
    const other = weightsOf(8);
    expect(again).toEqual(first);
    expect(other.drawn).not.toEqual(first.drawn);
    expect(replay(7, 200, 0.25)).not.toEqual(replay(8, 200, 0.25));
  });

  it('a street without an index has nulls and no ranked draw', () => {
    const withEmpty = input(weights, { a: { p1: 100, p2: 0 }, b: { p1: 0, p2: 100 }, c: {} }, indicators);
    const result = rankSensitivity({ ...withEmpty, draws: 100 });
    expect(street(result.streets, 'c')).toEqual({
      code: 'c',
      rank: null,
      median: null,
      p5: null,
      p95: null,
      rankedDraws: 0,
    });
    expect(street(result.streets, 'b').p95).toBe(2); // c takes no rank
  });

  it('refuses draws, noise and seed out of range, naming the field', () => {
    for (const draws of [0, 10_001, 1.5, Number.NaN])
      expect(() => rankSensitivity({ ...data, draws })).toThrow(/^draws must be an integer from 1 to 10000/);
    for (const noise of [-0.01, 1.01, Number.NaN, Number.POSITIVE_INFINITY])
      expect(() => rankSensitivity({ ...data, noise })).toThrow(/^noise must be a number from 0 to 1/);
    expect(() => rankSensitivity({ ...data, seed: 0.5 })).toThrow(/^seed must be an integer/);
    expect(rankSensitivity({ ...data, draws: 1, noise: 1 }).draws).toBe(1);
    expect(rankSensitivity({ ...data, draws: 10_000, noise: 0 }).streets[0]?.rankedDraws).toBe(10_000);
  });
});

describe('removeIndicators on a case computed by hand', () => {
  // Blocks positive and negative weigh 50 each; every indicator weighs 1 within its block.
  //   a: p1 90, p2 50 → P 70;  n1 70 → index (70 + 70)/2 = 70,   rank 1
  //   b: p1 60, p2 70 → P 65;  n1 74 → index (65 + 74)/2 = 69.5, rank 2
  // Without p1: a = (50 + 70)/2 = 60, b = (70 + 74)/2 = 72 → b first: a −1, b +1.
  // Without p2: a = (90 + 70)/2 = 80, b = (60 + 74)/2 = 67 → unchanged.
  // Without n1, the negative block's only indicator, that block has no score and the index is the
  // positive block alone: a 70, b 65 → unchanged. c has no data, so no rank and no shift.
  const indicators = [plain('p1', 'positive'), plain('p2', 'positive'), plain('n1', 'negative')];
  const weights: Weights = {
    blocks: { positive: 50, negative: 50, public: 0 },
    indicators: { p1: 1, p2: 1, n1: 1 },
    aggregation: 'arithmetic',
  };
  const raw: RawValues = { a: { p1: 90, p2: 50, n1: 70 }, b: { p1: 60, p2: 70, n1: 74 }, c: {} };
  const data = input(weights, raw, indicators);

  it('removing p1 flips a and b', () => {
    const removals = removeIndicators(data);
    expect(removals.find((r) => r.indicator === 'p1')).toEqual({
      indicator: 'p1',
      ranks: { a: 2, b: 1, c: null },
      shifts: { a: -1, b: 1, c: null },
      meanAbsoluteRankShift: 1,
    });
  });

  it('removing p2 moves nobody', () => {
    expect(removeIndicators(data).find((r) => r.indicator === 'p2')).toEqual({
      indicator: 'p2',
      ranks: { a: 1, b: 2, c: null },
      shifts: { a: 0, b: 0, c: null },
      meanAbsoluteRankShift: 0,
    });
  });

  it("removing a block's only indicator leaves the index on the other blocks, as computeIndex does", () => {
    const removal = removeIndicators(data).find((r) => r.indicator === 'n1');
    expect(removal?.shifts).toEqual({ a: 0, b: 0, c: null });
    const without = computeIndex({ ...data, weights: { ...weights, indicators: { p1: 1, p2: 1, n1: 0 } } });
    expect(street(without.streets, 'a')).toMatchObject({ index: 70, provisional: true, rank: 1 });
    expect(street(without.streets, 'b')).toMatchObject({ index: 65, provisional: true, rank: 2 });
  });

  it('has no entry for an indicator that weighs nothing', () => {
    const removals = removeIndicators({
      ...data,
      weights: { ...weights, indicators: { p1: 1, p2: 0, n1: 1 } },
    });
    expect(removals.map((r) => r.indicator)).toEqual(['p1', 'n1']);
  });
});

describe('contributionChanges between the current and a draft weight set', () => {
  const indicators = [
    plain('p1', 'positive'),
    plain('p2', 'positive'),
    plain('n1', 'negative'),
    plain('q1', 'public'),
  ];
  const current: Weights = {
    blocks: { positive: 50, negative: 50, public: 0 },
    indicators: { p1: 1, p2: 1, n1: 1, q1: 0 },
    aggregation: 'arithmetic',
  };
  const draft: Weights = { ...current, indicators: { ...current.indicators, p1: 3 } };
  const data = input(
    current,
    { a: { p1: 90, p2: 50, n1: 70, q1: 40 }, b: { p1: 60, p2: 70, n1: 74, q1: 80 } },
    indicators,
  );
  const { current: before, draft: after } = previewWeights({ ...data, current, draft });
  const a = (result: { streets: StreetResult[] }) => street(result.streets, 'a');

  it('lists the changed contributions, largest first, leaving out the unchanged', () => {
    // Current: p1 = ½ · ½ · 90 = 22.5, p2 = ½ · ½ · 50 = 12.5, n1 = ½ · 70 = 35, q1 weighs 0.
    // Draft:   p1 = ½ · ¾ · 90 = 33.75, p2 = ½ · ¼ · 50 = 6.25, n1 and q1 unchanged.
    const changes = contributionChanges(a(before), a(after));
    expect(changes.map((c) => c.indicator)).toEqual(['p1', 'p2']);
    expect(changes[0]?.current).toBeCloseTo(22.5, 12);
    expect(changes[0]?.draft).toBeCloseTo(33.75, 12);
    expect(changes[0]?.delta).toBeCloseTo(11.25, 12);
    expect(changes[1]?.delta).toBeCloseTo(-6.25, 12);
    // The deltas add up to the change of the index: 75 − 70 = 5.
    expect(changes.reduce((sum, c) => sum + c.delta, 0)).toBeCloseTo(
      (a(after).index ?? 0) - (a(before).index ?? 0),
      12,
    );
  });

  it('keeps at most `top` and nothing for identical weights', () => {
    expect(contributionChanges(a(before), a(after), 1).map((c) => c.indicator)).toEqual(['p1']);
    expect(contributionChanges(a(before), a(before))).toEqual([]);
  });

  it('refuses two different streets and a bad top', () => {
    expect(() => contributionChanges(a(before), street(after.streets, 'b'))).toThrow(
      /one street, got a and b/,
    );
    expect(() => contributionChanges(a(before), a(after), -1)).toThrow(/^top must be an integer/);
  });
});

it('BLOCKS order is the order of the drawn block weights', () => {
  // drawnWeights above reads draw.blocks as positive, negative, public.
  expect(BLOCKS).toEqual(['positive', 'negative', 'public']);
});

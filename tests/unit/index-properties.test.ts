import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import {
  BLOCKS,
  computeIndex,
  DEFAULT_GRADES,
  explainChange,
  goodDirection,
  smoothRatesEB,
  MEASURES,
  type IndicatorSpec,
  type Normalisation,
  type RawValues,
  type StreetResult,
  type StreetSpec,
  type Weights,
} from '../../shared/index/index.js';

const TOLERANCE = 1e-9;

/** Two goalposts far enough apart to score anything. */
const goalposts = fc
  .tuple(fc.double({ min: -500, max: 500, noNaN: true }), fc.double({ min: -500, max: 500, noNaN: true }))
  .filter(([a, b]) => Math.abs(a - b) > 1e-3);

const normalisation: fc.Arbitrary<Normalisation> = fc.oneof(
  goalposts.map(([unacceptable, satisfactory]) => ({
    method: 'efficacy' as const,
    unacceptable,
    satisfactory,
  })),
  goalposts.map(([worst, best]) => ({ method: 'minmax' as const, worst, best })),
  goalposts.map(([zero, target]) => ({ method: 'target' as const, zero, target })),
);

const indicatorSpec = fc.record({
  block: fc.constantFrom(...BLOCKS),
  measure: fc.constantFrom(...MEASURES),
  smoothing: fc.constantFrom('none' as const, 'empirical_bayes' as const),
  normalisation,
});

/** A raw value fit for the measure: rates of counts are never negative. */
function rawFor(indicator: Pick<IndicatorSpec, 'measure'>): fc.Arbitrary<number | null> {
  const min = indicator.measure === 'count_per_10k' ? 0 : -1000;
  return fc.option(fc.double({ min, max: 1000, noNaN: true }), { nil: null, freq: 4 });
}

const blockWeight = fc.oneof(fc.nat(100), fc.double({ min: 0, max: 100, noNaN: true }));

interface Scenario {
  streets: StreetSpec[];
  indicators: IndicatorSpec[];
  weights: Weights;
  raw: RawValues;
}

const scenario: fc.Arbitrary<Scenario> = fc
  .record({
    populations: fc.array(fc.integer({ min: 0, max: 200_000 }), { minLength: 1, maxLength: 6 }),
    specs: fc.array(indicatorSpec, { minLength: 1, maxLength: 8 }),
    blockWeights: fc.tuple(blockWeight, blockWeight, blockWeight),
    aggregation: fc.constantFrom('arithmetic' as const, 'geometric' as const),
    threshold: fc.option(fc.double({ min: 0.01, max: 1, noNaN: true }), { nil: undefined }),
  })
  .chain(({ populations, specs, blockWeights, aggregation, threshold }) => {
    const streets = populations.map((population, i) => ({ code: `s${i}`, population }));
    const indicators = specs.map((spec, i) => ({ id: `i${i}`, ...spec }));
    const indicatorWeights = fc.tuple(
      ...indicators.map(() => fc.option(fc.double({ min: 0, max: 10, noNaN: true }), { nil: undefined })),
    );
    const rows = fc.tuple(...streets.map(() => fc.tuple(...indicators.map(rawFor))));
    return fc.tuple(indicatorWeights, rows).map(([ws, rowValues]): Scenario => {
      const weights: Weights = {
        blocks: { positive: blockWeights[0], negative: blockWeights[1], public: blockWeights[2] },
        indicators: Object.fromEntries(
          indicators.flatMap((indicator, i) => (ws[i] === undefined ? [] : [[indicator.id, ws[i]]])),
        ),
        aggregation,
      };
      if (threshold !== undefined) weights.availabilityThreshold = threshold;
      const raw: RawValues = Object.fromEntries(
        streets.map((street, s) => [
          street.code,
          Object.fromEntries(indicators.map((indicator, i) => [indicator.id, rowValues[s]?.[i] ?? null])),
        ]),
      );
      return { streets, indicators, weights, raw };
    });
  });

function compute(s: Scenario): StreetResult[] {
  return computeIndex({ ...s, grades: DEFAULT_GRADES }).streets;
}

const sum = (values: number[]): number => values.reduce((total, value) => total + value, 0);

describe('index engine properties', () => {
  it('contributions sum to the index under both aggregations', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        for (const street of compute(s)) {
          const total = sum(street.indicators.map((i) => i.contribution));
          expect(Math.abs(total - (street.index ?? 0))).toBeLessThan(TOLERANCE);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('points lost sum to 100 minus the index', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        for (const street of compute(s)) {
          const lost = sum(street.indicators.map((i) => i.pointsLost));
          const expected = street.index === null ? 0 : 100 - street.index;
          expect(Math.abs(lost - expected)).toBeLessThan(TOLERANCE);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('scores, blocks, indices and contributions stay within 0–100 and are never NaN', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const result = computeIndex({ ...s, grades: DEFAULT_GRADES });
        const inRange = (x: number | null): boolean => x === null || (x >= 0 && x <= 100);
        expect(inRange(result.city)).toBe(true);
        for (const street of result.streets) {
          expect(inRange(street.index)).toBe(true);
          for (const block of BLOCKS) expect(inRange(street.blocks[block])).toBe(true);
          for (const indicator of street.indicators) {
            expect(inRange(indicator.score)).toBe(true);
            expect(indicator.contribution).toBeGreaterThanOrEqual(0);
            expect(indicator.pointsLost).toBeGreaterThanOrEqual(0);
            expect(indicator.contribution + indicator.pointsLost).toBeLessThanOrEqual(100 + TOLERANCE);
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it("improving one indicator's raw value in its good direction never lowers that street's index", () => {
    const improvement = scenario.chain((s) =>
      fc.record({
        s: fc.constant(s),
        street: fc.nat(s.streets.length - 1),
        indicator: fc.nat(s.indicators.length - 1),
        step: fc.double({ min: 0, max: 500, noNaN: true }),
      }),
    );
    fc.assert(
      fc.property(improvement, ({ s, street, indicator, step }) => {
        const code = s.streets[street]?.code ?? '';
        const spec = s.indicators[indicator];
        const raw = s.raw[code]?.[spec?.id ?? ''];
        if (!spec || raw === null || raw === undefined) return;
        const direction = goodDirection(s.weights.normalisation?.[spec.id] ?? spec.normalisation);
        let improved = raw + direction * step;
        if (spec.measure === 'count_per_10k') improved = Math.max(0, improved);
        const better = { ...s, raw: { ...s.raw, [code]: { ...s.raw[code], [spec.id]: improved } } };
        const before = compute(s)[street]?.index ?? null;
        const after = compute(better)[street]?.index ?? null;
        if (before === null) return;
        expect(after).not.toBeNull();
        expect(after ?? Number.NaN).toBeGreaterThanOrEqual(before - TOLERANCE);
      }),
      { numRuns: 500 },
    );
  });

  it('explainChange splits a change of the index exactly into changes of contribution', () => {
    const twoPeriods = scenario.chain((s) =>
      fc.record({
        s: fc.constant(s),
        later: fc.tuple(...s.streets.map(() => fc.tuple(...s.indicators.map(rawFor)))),
      }),
    );
    fc.assert(
      fc.property(twoPeriods, ({ s, later }) => {
        const laterRaw: RawValues = Object.fromEntries(
          s.streets.map((street, i) => [
            street.code,
            Object.fromEntries(s.indicators.map((indicator, j) => [indicator.id, later[i]?.[j] ?? null])),
          ]),
        );
        const before = compute(s);
        const after = compute({ ...s, raw: laterRaw });
        before.forEach((was, i) => {
          const now = after[i];
          if (!now) return;
          const explained = explainChange(was, now);
          const changes = explained.indicators.map((change) => change.change);
          expect(Math.abs(sum(changes) - ((now.index ?? 0) - (was.index ?? 0)))).toBeLessThan(TOLERANCE);
          if (explained.delta !== null)
            expect(Math.abs(sum(changes) - explained.delta)).toBeLessThan(TOLERANCE);
          const sizes = changes.map(Math.abs);
          expect(sizes).toEqual([...sizes].sort((a, b) => b - a));
        });
      }),
      { numRuns: 300 },
    );
  });

  it("more events in one street never lower that street's smoothed rate (Marshall 1991)", () => {
    const area = fc.record({
      count: fc.double({ min: 0, max: 500, noNaN: true }),
      population: fc.integer({ min: 0, max: 200_000 }),
    });
    fc.assert(
      fc.property(
        fc.array(area, { minLength: 1, maxLength: 8 }),
        fc.nat(7),
        fc.double({ min: 0, max: 200, noNaN: true }),
        (areas, pick, extra) => {
          const i = pick % areas.length;
          const more = areas.map((a, j) => (j === i ? { ...a, count: a.count + extra } : a));
          const before = smoothRatesEB(areas)[i] ?? Number.NaN;
          const after = smoothRatesEB(more)[i] ?? Number.NaN;
          expect(after).toBeGreaterThanOrEqual(before - 1e-12 * Math.max(1, before));
        },
      ),
      { numRuns: 1000 },
    );
  });
});

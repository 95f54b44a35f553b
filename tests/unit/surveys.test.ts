import { describe, expect, it } from 'vitest';
import { lnGamma, studentTCdf, studentTQuantile } from '../../shared/statistics.js';
import {
  SURVEY_QUESTIONS,
  emptyGroupMoments,
  estimate,
  meanInterval,
  sampleVariance,
  summariseByMethod,
  summariseGroup,
  surveyDrillDown,
  type GroupMoments,
  type Moments,
  type SurveyCell,
  type SurveyQuestion,
} from '../../shared/surveys.js';

/** t_{0.975, df} from a published table (to nine decimals). */
const T975: Record<number, number> = {
  1: 12.706204736,
  2: 4.30265273,
  3: 3.182446305,
  4: 2.776445105,
  5: 2.570581836,
  6: 2.446911851,
  7: 2.364624252,
  8: 2.306004135,
  9: 2.262157163,
  10: 2.228138852,
  11: 2.20098516,
  15: 2.131449546,
  20: 2.085963447,
  29: 2.045229642,
  30: 2.042272456,
  40: 2.02107539,
  60: 2.000297822,
  120: 1.979930405,
  1000: 1.962339081,
};

const momentsOf = (values: number[]): Moments => ({
  n: values.length,
  sum: values.reduce((a, b) => a + b, 0),
  sumSquares: values.reduce((a, b) => a + b * b, 0),
});

/** Two-pass mean and sample variance, the textbook way, to check the moments' formulas against. */
function direct(values: number[]) {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / (values.length - 1);
  return { mean, variance };
}

type Response = Partial<Record<SurveyQuestion, number>>;

/** The moments of a group of responses; a question a response does not answer is left out. */
function groupOf(responses: Response[]): GroupMoments {
  const group = emptyGroupMoments();
  group.n = responses.length;
  for (const question of SURVEY_QUESTIONS)
    group.questions[question] = momentsOf(
      responses.map((r) => r[question]).filter((v): v is number => v !== undefined),
    );
  return group;
}

const answers = (count: number, make: (i: number) => Response) =>
  Array.from({ length: count }, (_, i) => make(i));

describe("Student's t", () => {
  it('gives the tabled 95% critical values for every sample size', () => {
    for (const [df, value] of Object.entries(T975))
      expect(studentTQuantile(0.975, Number(df))).toBeCloseTo(value, 8);
  });

  it('tends to the normal 1.96 as the sample grows, from above', () => {
    const big = studentTQuantile(0.975, 1_000_000);
    expect(big).toBeGreaterThan(1.959963985);
    expect(big).toBeCloseTo(1.959963985, 5);
  });

  it('is symmetric, and gives other quantiles and probabilities too', () => {
    expect(studentTQuantile(0.025, 4)).toBeCloseTo(-2.776445105, 8);
    expect(studentTQuantile(0.5, 7)).toBe(0);
    expect(studentTQuantile(0.995, 3)).toBeCloseTo(5.84090931, 7);
    expect(studentTQuantile(0.9, 7)).toBeCloseTo(1.414923928, 8);
    expect(studentTCdf(-2, 3)).toBeCloseTo(0.0696629843, 9);
    expect(studentTCdf(0, 12)).toBe(0.5);
    expect(studentTCdf(2.228138852, 10)).toBeCloseTo(0.975, 9);
  });

  it('has a log-gamma exact at the factorials', () => {
    expect(lnGamma(1)).toBeCloseTo(0, 12);
    expect(lnGamma(5)).toBeCloseTo(Math.log(24), 12);
    expect(lnGamma(0.5)).toBeCloseTo(Math.log(Math.sqrt(Math.PI)), 12);
  });

  it('refuses degrees of freedom and probabilities it has no answer for', () => {
    expect(() => studentTQuantile(0.975, 0)).toThrow(/degrees of freedom/);
    expect(() => studentTQuantile(1, 5)).toThrow(/0 < p < 1/);
    expect(() => studentTCdf(1, -1)).toThrow(/degrees of freedom/);
  });
});

describe('a mean and its interval from moments', () => {
  const ratings = [5, 4, 4, 3, 5, 2, 4, 5, 3, 4, 1, 5];

  it('gives the same variance as a two-pass computation, exactly 0 when all answers agree, none below two', () => {
    expect(sampleVariance(momentsOf(ratings))).toBeCloseTo(direct(ratings).variance, 12);
    expect(sampleVariance(momentsOf(Array(1000).fill(4)))).toBe(0);
    expect(sampleVariance(momentsOf([3]))).toBeNull();
    expect(sampleVariance(momentsOf([]))).toBeNull();
  });

  it('puts the 95% interval at mean ± t(0.975, n − 1) · s / √n', () => {
    const { mean, variance } = direct(ratings);
    const half = T975[11]!;
    const width = half * Math.sqrt(variance / ratings.length);
    const interval = meanInterval(momentsOf(ratings))!;
    expect(interval.low).toBeCloseTo(mean - width, 9);
    expect(interval.high).toBeCloseTo(mean + width, 9);
  });

  it('keeps the interval within the 1–5 scale a mean cannot leave', () => {
    // Two answers: the interval spans ±12.7 standard errors.
    expect(meanInterval(momentsOf([4, 5]))).toEqual({ low: 1, high: 5 });
    const nearlyAllFives = meanInterval(momentsOf([5, 5, 5, 5, 5, 5, 5, 5, 5, 4]))!;
    expect(nearlyAllFives.high).toBe(5);
    expect(nearlyAllFives.low).toBeCloseTo(4.9 - T975[9]! * Math.sqrt(0.1 / 10), 9);
  });

  it('shows only n below the minimum sample, a mean without an interval for one answer', () => {
    expect(estimate(momentsOf([5, 4, 3]), 4)).toEqual({ n: 3, insufficient: true });
    expect(estimate(momentsOf([4]), 1)).toEqual({ n: 1, insufficient: false, mean: 4, ci95: null });
    expect(estimate(momentsOf([]), 1)).toEqual({ n: 0, insufficient: true });
    expect(estimate(momentsOf([5, 3]), 2)).toMatchObject({ n: 2, insufficient: false, mean: 4 });
  });

  it('refuses a minimum sample that is not a whole number of at least 1', () => {
    expect(() => estimate(momentsOf([4]), 0)).toThrow(RangeError);
    expect(() => summariseGroup(emptyGroupMoments(), 2.5)).toThrow(RangeError);
  });
});

describe('a group of responses', () => {
  it('estimates each department over those who answered it, under the same minimum', () => {
    // 12 responses; police answered by 8 of them, market by 3, the environment by none.
    const group = groupOf(
      answers(12, (i) => ({
        safety: 1 + (i % 5),
        satisfaction: 5 - (i % 3),
        ...(i < 8 && { police: 4 + (i % 2) }),
        ...(i < 3 && { market: 3 }),
        urban: 2 + (i % 4),
      })),
    );
    const summary = summariseGroup(group, 5);
    if (summary.insufficient) throw new Error('12 responses are enough at a minimum of 5');
    expect(summary.n).toBe(12);
    expect(summary.questions.police).toMatchObject({ n: 8, insufficient: false, mean: 4.5 });
    expect(summary.questions.market).toEqual({ n: 3, insufficient: true });
    expect(summary.questions.environment).toEqual({ n: 0, insufficient: true });
    const safety = Array.from({ length: 12 }, (_, i) => 1 + (i % 5));
    expect(summary.questions.safety).toMatchObject({ n: 12, mean: direct(safety).mean });
  });

  it('has no numbers and no method split below the minimum sample', () => {
    const small = new Map([['door', groupOf(answers(4, () => ({ safety: 5, satisfaction: 5 })))]]);
    expect(summariseByMethod(small, 5)).toEqual({ n: 4, insufficient: true });
  });

  it('splits by method side by side, each under the minimum sample, and counts an unknown method in the total only', () => {
    const byMethod = new Map([
      ['door', groupOf(answers(6, () => ({ safety: 5, satisfaction: 4 })))],
      ['phone', groupOf(answers(2, () => ({ safety: 3, satisfaction: 2 })))],
      ['pigeon', groupOf(answers(2, () => ({ safety: 1, satisfaction: 1 })))],
    ]);
    const summary = summariseByMethod(byMethod, 2);
    if (summary.insufficient) throw new Error('10 responses are enough at a minimum of 2');
    expect(summary.n).toBe(10);
    expect(summary.questions.safety).toMatchObject({ n: 10, mean: (6 * 5 + 2 * 3 + 2 * 1) / 10 });
    expect(summary.methods.door).toMatchObject({ n: 6, questions: { safety: { mean: 5 } } });
    expect(summary.methods.phone).toMatchObject({ n: 2, questions: { satisfaction: { mean: 2 } } });
    expect(summary.methods.online).toEqual({ n: 0, insufficient: true });
    expect(Object.keys(summary.methods)).toEqual(['door', 'phone', 'online']);
  });
});

describe('the drill-down of a month', () => {
  const streets = [
    {
      code: 'jinfang',
      name: { zh: '金方', en: 'Jinfang' },
      communities: ['金方社区', '昆钢社区', '摩玉社区'],
    },
    { code: 'qinglong', name: { zh: '青龙', en: 'Qinglong' }, communities: ['青龙社区'] },
  ];
  const cell = (
    street: string,
    community: string | null,
    method: string,
    responses: Response[],
  ): SurveyCell => ({
    street,
    community,
    method,
    moments: groupOf(responses),
  });
  const rated = (count: number, safety: number) => answers(count, () => ({ safety, satisfaction: 4 }));
  const cells = [
    cell('jinfang', '金方社区', 'door', rated(3, 5)),
    cell('jinfang', '金方社区', 'phone', rated(2, 3)),
    cell('jinfang', '昆钢社区', 'door', rated(1, 4)),
    cell('jinfang', null, 'online', rated(2, 2)),
    // A community stored before the configuration dropped it.
    cell('jinfang', '旧社区', 'door', rated(1, 1)),
    cell('qinglong', '青龙社区', 'phone', rated(4, 4)),
    // A street nobody asked for.
    cell('atlantis', '海底社区', 'door', rated(9, 1)),
  ];
  const drill = surveyDrillDown(cells, streets, 2);
  const jinfang = drill.streets[0]!;

  it('lists every configured community in order, the ones no longer configured, then the unknown bucket', () => {
    expect(jinfang.communities.map((c) => [c.community, c.n])).toEqual([
      ['金方社区', 5],
      ['昆钢社区', 1],
      ['摩玉社区', 0],
      ['旧社区', 1],
      [null, 2],
    ]);
    expect(drill.streets[1]!.communities.map((c) => [c.community, c.n])).toEqual([
      ['青龙社区', 4],
      [null, 0],
    ]);
  });

  it("adds a street's communities, unknown ones included, up to the street and the streets up to the city", () => {
    expect(jinfang.n).toBe(9);
    expect(jinfang).toMatchObject({
      insufficient: false,
      questions: { safety: { n: 9, mean: (15 + 6 + 4 + 4 + 1) / 9 } },
    });
    expect(drill.city).toMatchObject({ n: 13, questions: { safety: { mean: (30 + 16) / 13 } } });
    expect(drill.city).toMatchObject({ methods: { door: { n: 5 }, phone: { n: 6 }, online: { n: 2 } } });
  });

  it('shows a community below the minimum with its n only, and one above with its method split', () => {
    expect(jinfang.communities[1]).toEqual({ community: '昆钢社区', n: 1, insufficient: true });
    expect(jinfang.communities[0]).toMatchObject({
      insufficient: false,
      methods: {
        door: { n: 3, questions: { safety: { mean: 5 } } },
        phone: { n: 2 },
        online: { n: 0, insufficient: true },
      },
    });
  });

  it('answers a month without responses with n = 0 everywhere', () => {
    const empty = surveyDrillDown([], streets, 30);
    expect(empty.city).toEqual({ n: 0, insufficient: true });
    for (const street of empty.streets) {
      expect(street).toMatchObject({ n: 0, insufficient: true });
      for (const community of street.communities)
        expect(community).toMatchObject({ n: 0, insufficient: true });
    }
  });
});

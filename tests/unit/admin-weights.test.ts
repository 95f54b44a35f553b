import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cityConfigSchema, weightsSchema } from '../../shared/city.js';
import { validateWeights } from '../../shared/index/index.js';
import {
  fieldPaths,
  formFromWeights,
  formatShare,
  isOverride,
  orderedSets,
  placeIssues,
  publishDateProblem,
  rankArrow,
  sameWeights,
  serverIssues,
  shares,
  signedPoints,
  switchMethod,
  weightsFromForm,
  type WeightSetRow,
} from '../../display/src/lib/admin/weights.js';
import {
  byInfluence,
  intervalChart,
  largestShift,
  shiftColour,
} from '../../display/src/lib/admin/sensitivity-chart.js';

const city = cityConfigSchema.parse(JSON.parse(readFileSync('config/anning.json', 'utf8')));
const indicators = city.indicators;
const inForce = city.weights.weights;
const form = () => formFromWeights('Q1 draft', inForce, indicators);

describe('the draft form and the weights it says', () => {
  it('round-trips the set in force unchanged, with no goalpost override', () => {
    const result = weightsFromForm(form(), indicators);
    expect(result.problems).toEqual([]);
    expect(sameWeights(result.weights, inForce)).toBe(true);
    expect(result.weights!.normalisation).toBeUndefined();
    // What the server takes: its schema and the engine's checks.
    expect(weightsSchema.safeParse(result.weights).success).toBe(true);
    expect(validateWeights(result.weights!, indicators)).toEqual([]);
  });

  it('stores a goalpost override only for the indicator that differs from its own', () => {
    const draft = form();
    draft.goalposts.theft = { ...draft.goalposts.theft!, good: '1.5' };
    const { weights } = weightsFromForm(draft, indicators);
    expect(weights!.normalisation).toEqual({
      theft: { method: 'efficacy', unacceptable: 8, satisfactory: 1.5 },
    });
    expect(
      isOverride(
        draft.goalposts.theft!,
        indicators.find((i) => i.id === 'theft')!,
      ),
    ).toBe(true);
    // Typed back to the default: no override.
    draft.goalposts.theft = { ...draft.goalposts.theft!, good: '2' };
    expect(weightsFromForm(draft, indicators).weights!.normalisation).toBeUndefined();
  });

  it('opens a set with an override showing the override, and keeps it', () => {
    const weights = {
      ...inForce,
      normalisation: { vice: { method: 'minmax' as const, worst: 2, best: 0 } },
    };
    const draft = formFromWeights('x', weights, indicators);
    expect(draft.goalposts.vice).toEqual({ method: 'minmax', bad: '2', good: '0' });
    expect(weightsFromForm(draft, indicators).weights!.normalisation).toEqual(weights.normalisation);
  });

  it('switches a method keeping the goalposts in their places, so polarity stays', () => {
    const theft = form().goalposts.theft!;
    const target = switchMethod(theft, 'target');
    // Satisfactory 2 becomes the target, unacceptable 8 the zero.
    const { weights } = weightsFromForm(
      { ...form(), goalposts: { ...form().goalposts, theft: target } },
      indicators,
    );
    expect(weights!.normalisation!.theft).toEqual({ method: 'target', target: 2, zero: 8 });
  });

  it('takes a target without a zero (it is 0)', () => {
    const draft = form();
    draft.goalposts.legal_education = { method: 'target', bad: '', good: '4' };
    expect(weightsFromForm(draft, indicators).weights!.normalisation!.legal_education).toEqual({
      method: 'target',
      target: 4,
    });
  });

  it('carries the availability threshold of the set through', () => {
    const draft = formFromWeights('x', { ...inForce, availabilityThreshold: 0.5 }, indicators);
    expect(weightsFromForm(draft, indicators).weights!.availabilityThreshold).toBe(0.5);
  });
});

describe('checks that say which field is wrong', () => {
  const problemsOf = (edit: (draft: ReturnType<typeof form>) => void) => {
    const draft = form();
    edit(draft);
    const result = weightsFromForm(draft, indicators);
    expect(result.weights).toBeNull();
    return result.problems;
  };

  it('names a weight that is not a number, negative or above 1000', () => {
    expect(problemsOf((d) => (d.blocks.positive = 'abc'))).toEqual([
      { path: 'weights.blocks.positive', code: 'notNumber' },
    ]);
    expect(problemsOf((d) => (d.indicators.theft = '-1'))).toEqual([
      { path: 'weights.indicators.theft', code: 'negative' },
    ]);
    expect(problemsOf((d) => (d.indicators.vice = '1000.5'))).toEqual([
      { path: 'weights.indicators.vice', code: 'tooLarge' },
    ]);
    expect(problemsOf((d) => (d.indicators.vice = ''))).toEqual([
      { path: 'weights.indicators.vice', code: 'notNumber' },
    ]);
    expect(problemsOf((d) => (d.indicators.vice = '1e400'))).toEqual([
      { path: 'weights.indicators.vice', code: 'notNumber' },
    ]);
  });

  it('takes 1000, 0 and decimals as weights', () => {
    const draft = form();
    draft.blocks.public = '1000';
    draft.indicators.vice = '0';
    draft.indicators.theft = '2.5';
    expect(weightsFromForm(draft, indicators).problems).toEqual([]);
  });

  it('names equal goalposts on the indicator, and a goalpost that is not a number on its field', () => {
    expect(problemsOf((d) => (d.goalposts.theft = { method: 'efficacy', bad: '2', good: '2' }))).toEqual([
      { path: 'weights.normalisation.theft', code: 'equalGoalposts' },
    ]);
    expect(problemsOf((d) => (d.goalposts.theft = { method: 'minmax', bad: 'x', good: '2' }))).toEqual([
      { path: 'weights.normalisation.theft.worst', code: 'notNumber' },
    ]);
    expect(problemsOf((d) => (d.goalposts.theft = { method: 'target', bad: '0', good: '' }))).toEqual([
      { path: 'weights.normalisation.theft.target', code: 'notNumber' },
    ]);
    expect(problemsOf((d) => (d.goalposts.theft = { method: 'target', bad: '', good: '0' }))).toEqual([
      { path: 'weights.normalisation.theft', code: 'equalGoalposts' },
    ]);
    expect(problemsOf((d) => (d.goalposts.theft = { method: 'efficacy', bad: '2e9', good: '1' }))).toEqual([
      { path: 'weights.normalisation.theft.unacceptable', code: 'goalpostRange' },
    ]);
  });

  it('refuses block weights all 0, and a weighed block whose indicators weigh nothing', () => {
    expect(
      problemsOf((d) => {
        d.blocks.positive = '0';
        d.blocks.negative = '0';
        d.blocks.public = '0';
      }),
    ).toEqual([{ path: 'weights.blocks', code: 'blocksZero' }]);
    expect(
      problemsOf((d) => {
        for (const i of indicators.filter((i) => i.block === 'public')) d.indicators[i.id] = '0';
      }),
    ).toEqual([{ path: 'weights.blocks.public', code: 'blockEmpty' }]);
    // A block weighing nothing may have indicators weighing nothing.
    const draft = form();
    draft.blocks.public = '0';
    for (const i of indicators.filter((i) => i.block === 'public')) draft.indicators[i.id] = '0';
    expect(weightsFromForm(draft, indicators).problems).toEqual([]);
  });
});

describe('shares as one types', () => {
  it('are each weight over the sum of its group', () => {
    const blocks = shares({ positive: '35', negative: '35', public: '30' }, [
      'positive',
      'negative',
      'public',
    ]);
    expect(blocks.total).toBe(100);
    expect(blocks.share).toEqual({ positive: 0.35, negative: 0.35, public: 0.3 });
    expect(formatShare(blocks.share.public)).toBe('30.0%');
  });

  it('renormalise when one weight changes, and leave out what does not parse', () => {
    const changed = shares({ a: '1', b: '3', c: 'x' }, ['a', 'b', 'c']);
    expect(changed.total).toBe(4);
    expect(changed.share).toEqual({ a: 0.25, b: 0.75, c: null });
  });

  it('have no share when the group weighs nothing', () => {
    const none = shares({ a: '0', b: '0' }, ['a', 'b']);
    expect(none.share).toEqual({ a: null, b: null });
    expect(formatShare(none.share.a)).toBe('—');
  });
});

describe("the server's 400 beside the field it names", () => {
  const paths = fieldPaths(indicators);

  it('reads the issues of details, or splits the message', () => {
    expect(
      serverIssues('x', {
        issues: [
          { path: 'weights.indicators.theft', message: 'Too big' },
          { path: ['weights', 'blocks', 'public'], message: 'Too small' },
        ],
      }),
    ).toEqual([
      { path: 'weights.indicators.theft', message: 'Too big' },
      { path: 'weights.blocks.public', message: 'Too small' },
    ]);
    expect(
      serverIssues(
        'weights.indicators.theft: must be between 0 and 1000; weights.blocks: block weights sum to zero',
      ),
    ).toEqual([
      { path: 'weights.indicators.theft', message: 'must be between 0 and 1000' },
      { path: 'weights.blocks', message: 'block weights sum to zero' },
    ]);
    expect(serverIssues('weight set 4 is already published')).toEqual([
      { path: null, message: 'weight set 4 is already published' },
    ]);
  });

  it('places an issue on its field, a deeper one on its row, and the rest at the top', () => {
    const placed = placeIssues(
      [
        { path: 'weights.indicators.theft', message: 'too big' },
        { path: 'weights.normalisation.vice.best', message: 'must differ' },
        { path: 'weights.indicators.nonsense', message: 'unknown indicator nonsense' },
        { path: 'period', message: 'no such month' },
        { path: null, message: 'conflict' },
      ],
      paths,
    );
    expect(placed.fields).toEqual({
      'weights.indicators.theft': ['too big'],
      'weights.normalisation.vice': ['must differ'],
    });
    expect(placed.top).toEqual([
      'weights.indicators.nonsense: unknown indicator nonsense',
      'period: no such month',
      'conflict',
    ]);
  });
});

describe('rank shifts and dates', () => {
  it('reads a rank shift as an arrow', () => {
    expect(rankArrow(2)).toEqual({ direction: 'up', text: '▲2' });
    expect(rankArrow(-1)).toEqual({ direction: 'down', text: '▼1' });
    expect(rankArrow(0)).toEqual({ direction: 'flat', text: '–' });
    expect(rankArrow(null)).toEqual({ direction: 'none', text: '—' });
  });

  it('signs a contribution change', () => {
    expect(signedPoints(1.236)).toBe('+1.24');
    expect(signedPoints(-0.38)).toBe('−0.38');
    expect(signedPoints(0.001)).toBe('0.00');
    expect(signedPoints(null)).toBe('—');
  });

  it('takes a date to publish from only from today on', () => {
    expect(publishDateProblem('2027-01-01', '2026-12-03')).toBeNull();
    expect(publishDateProblem('2026-12-03', '2026-12-03')).toBeNull();
    expect(publishDateProblem('2026-12-02', '2026-12-03')).toBe('datePast');
    expect(publishDateProblem('2027-02-30', '2026-12-03')).toBe('dateInvalid');
    expect(publishDateProblem('', '2026-12-03')).toBe('dateInvalid');
  });

  it('lists the set in force first, then scheduled, drafts and superseded sets', () => {
    const row = (id: number, status: WeightSetRow['status'], effectiveFrom: string | null): WeightSetRow => ({
      id,
      name: `set ${id}`,
      effectiveFrom,
      weights: inForce,
      note: null,
      createdBy: 'admin',
      createdAt: '2026-12-01T00:00:00Z',
      status,
    });
    const sets = [
      row(1, 'superseded', '2026-01-01'),
      row(2, 'in_force', '2026-10-01'),
      row(3, 'draft', null),
      row(4, 'scheduled', '2027-04-01'),
      row(5, 'scheduled', '2027-01-01'),
      row(6, 'draft', null),
    ];
    expect(orderedSets(sets).map((s) => s.id)).toEqual([2, 5, 4, 6, 3, 1]);
  });
});

describe('the sensitivity charts', () => {
  const streets = [
    { code: 'b', name: { zh: 'B', en: 'B' }, rank: 2, median: 2, p5: 1, p95: 3 },
    { code: 'a', name: { zh: 'A', en: 'A' }, rank: 1, median: 1, p5: 1, p95: 2 },
    { code: 'c', name: { zh: 'C', en: 'C' }, rank: null, median: null, p5: null, p95: null },
  ];

  it('draws each street by nominal rank along an axis from rank 1 on the left', () => {
    const chart = intervalChart(streets, 300, 20);
    expect(chart.rows.map((r) => r.code)).toEqual(['a', 'b', 'c']);
    expect(chart.rows.map((r) => r.y)).toEqual([10, 30, 50]);
    expect(chart.height).toBe(60);
    expect(chart.ticks.map((t) => t.rank)).toEqual([1, 2, 3]);
    expect(chart.ticks[0]!.x).toBe(0);
    expect(chart.ticks[2]!.x).toBe(300);
    expect(chart.rows[1]!.bar).toEqual({ x1: 0, x2: 300 });
    expect(chart.rows[1]!.medianX).toBe(150);
    expect(chart.rows[2]!.bar).toBeNull();
    expect(chart.rows[2]!.rankX).toBeNull();
  });

  it('colours a removal cell by the size and sign of its shift', () => {
    const removal = [
      { indicator: 'x', name: { zh: 'x', en: 'x' }, meanAbsoluteRankShift: 0.2, shifts: { a: 1, b: -1 } },
      { indicator: 'y', name: { zh: 'y', en: 'y' }, meanAbsoluteRankShift: 1.5, shifts: { a: -3, b: null } },
    ];
    expect(largestShift(removal)).toBe(3);
    expect(byInfluence(removal).map((r) => r.indicator)).toEqual(['y', 'x']);
    expect(shiftColour(0, 3)).toBe(shiftColour(null, 3));
    expect(shiftColour(1, 3)).not.toBe(shiftColour(-1, 3));
    expect(shiftColour(3, 3)).not.toBe(shiftColour(1, 3));
  });
});

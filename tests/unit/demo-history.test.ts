/**
 * The demo's past months: every street's value of every indicator in each month, around the level
 * the city stands at now, with the lowest street's run of red months ending last month.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { loadCityConfig } from '../../server/config/city.js';
import { demoIndicatorValues } from '../../server/seed/demo.js';
import { demoMonthlyHistory, type DemoHistoryInput } from '../../server/seed/demo-history.js';
import type { CityConfig } from '../../shared/city.js';
import { computeIndex } from '../../shared/index/index.js';
import type { RawValues } from '../../shared/index/types.js';
import { plausibleMaximum } from '../../shared/indicator-values.js';
import { parsePeriod, type Period } from '../../shared/period.js';
import { previousMonth } from '../../shared/reports/monthly.js';

const TODAY = '2026-12-02';

function lastMonths(count: number): Period[] {
  const periods: Period[] = [];
  for (let month = previousMonth(TODAY.slice(0, 7)); periods.length < count; month = previousMonth(month))
    periods.unshift(parsePeriod(month) as Period);
  return periods;
}

describe('the demo history', () => {
  let city: CityConfig;
  let input: DemoHistoryInput;

  /** Each street's index in each month of some rows. */
  const indices = (rows: ReturnType<typeof demoMonthlyHistory>['rows'], months: readonly Period[]) =>
    months.map((period) => {
      const raw: RawValues = {};
      for (const row of rows.filter((r) => r.period === period.period))
        (raw[row.streetCode] ??= {})[row.indicatorId] = row.value;
      const result = computeIndex({
        streets: city.streets,
        indicators: city.indicators,
        weights: city.weights.weights,
        raw,
        grades: city.grades,
      });
      return new Map(result.streets.map((s) => [s.code, s.index!]));
    });

  beforeAll(async () => {
    city = await loadCityConfig('config/anning.json');
    // The level now: the demo values of today (feed indicators' daily values, manual ones' month).
    const base: RawValues = {};
    for (const row of demoIndicatorValues(city, TODAY).filter((r) => r.periodEnd >= TODAY))
      (base[row.streetCode] ??= {})[row.indicatorId] = row.value;
    delete base.jinfang!.homicide_clearance;
    input = {
      city,
      base,
      weights: city.weights.weights,
      months: lastMonths(13),
      runMonths: () => 4,
      seed: 20261125,
    };
  });

  it('gives every street its values of every month, in range, the same every time', () => {
    const { rows } = demoMonthlyHistory(input);
    expect(demoMonthlyHistory(input).rows).toEqual(rows);
    expect(new Set(rows.map((r) => r.period))).toEqual(new Set(input.months.map((m) => m.period)));
    const perMonth = city.streets.length * city.indicators.length - 1;
    for (const period of input.months)
      expect(rows.filter((r) => r.period === period.period)).toHaveLength(perMonth);
    for (const row of rows) {
      const indicator = city.indicators.find((i) => i.id === row.indicatorId)!;
      expect(row.value).toBeGreaterThanOrEqual(0);
      expect(row.value).toBeLessThanOrEqual(plausibleMaximum(indicator).max);
      expect(row.periodStart).toBe(`${row.period}-01`);
    }
    // A value missing now is missing in the past too, not made up.
    expect(rows.some((r) => r.streetCode === 'jinfang' && r.indicatorId === 'homicide_clearance')).toBe(
      false,
    );
    expect(demoMonthlyHistory({ ...input, seed: 1 }).rows).not.toEqual(rows);
  });

  it('keeps every other street near its level now, and gives the lowest one a red run up to last month', () => {
    const { rows, trouble } = demoMonthlyHistory(input);
    const now = indices(
      Object.entries(input.base).flatMap(([streetCode, values]) =>
        Object.entries(values).map(([indicatorId, value]) => ({
          indicatorId,
          streetCode,
          period: 'now',
          periodStart: '',
          periodEnd: '',
          value: value!,
        })),
      ),
      [{ period: 'now' } as Period],
    )[0]!;
    const lowest = [...now].sort((a, b) => a[1] - b[1])[0]![0];
    expect(trouble).toBe(lowest);
    const months = indices(rows, input.months);
    for (const street of city.streets.filter((s) => s.code !== trouble))
      for (const month of months)
        expect(Math.abs(month.get(street.code)! - now.get(street.code)!)).toBeLessThan(6);
    const red = city.grades.map((g) => g.min).sort((a, b) => a - b)[1]!;
    const run = months.map((m) => m.get(trouble!)!);
    // Eight ordinary months, one in the grade above red, then four red ones ending last month.
    for (const index of run.slice(0, 8)) expect(index).toBeGreaterThan(red);
    expect(run[8]).toBeGreaterThan(red);
    for (const index of run.slice(9)) expect(index).toBeLessThan(red);
  });

  it('makes no run where there is no month before it to lead in, and none with nothing to count', () => {
    const one = demoMonthlyHistory({ ...input, months: lastMonths(1) });
    const [month] = indices(one.rows, lastMonths(1));
    const red = city.grades.map((g) => g.min).sort((a, b) => a - b)[1]!;
    expect(month!.get(one.trouble!)).toBeGreaterThan(red);
    expect(demoMonthlyHistory({ ...input, months: [] }).rows).toEqual([]);
  });
});

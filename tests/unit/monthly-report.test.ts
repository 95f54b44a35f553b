import { describe, expect, it } from 'vitest';
import {
  compareMonths,
  ladderAsOf,
  pointsLost,
  previousMonth,
  rankingCsv,
  sameMonthLastYear,
  type MonthlyFigures,
  type MonthlyStreet,
} from '../../shared/reports/monthly.js';

const street = (
  code: string,
  index: number | null,
  rank: number | null,
  contributions: number[],
): MonthlyStreet => ({
  code,
  name: { zh: code === 'jinfang' ? '金方' : '连然, 东', en: code },
  population: 10_000,
  index,
  grade: index === null ? null : index < 70 ? 'poor' : 'fair',
  rank,
  provisional: false,
  blocks: { positive: index, negative: index, public: index },
  indicators: contributions.map((contribution, i) => ({
    id: `i${i}`,
    raw: i,
    score: contribution * 3,
    contribution,
    pointsLost: 33 - contribution,
  })),
});

const figures = (month: string, streets: MonthlyStreet[]): MonthlyFigures => ({
  month,
  city: streets[0]!.index,
  cityGrade: null,
  weightSet: {
    id: 1,
    name: 'w',
    effectiveFrom: '2026-01-01',
    weights: {} as MonthlyFigures['weightSet']['weights'],
  },
  streets,
});

describe('the monthly report', () => {
  it('names the month before and the same month a year before, across a year', () => {
    expect(previousMonth('2026-01')).toBe('2025-12');
    expect(previousMonth('2026-11')).toBe('2026-10');
    expect(sameMonthLastYear('2026-01')).toBe('2025-01');
  });

  it('splits a change against an earlier month exactly into indicator changes, and says when there is none', () => {
    const now = figures('2026-11', [
      street('jinfang', 60, 2, [20, 25, 15]),
      street('lianran', 80, 1, [30, 30, 20]),
    ]);
    const before = figures('2026-10', [
      street('jinfang', 66, 1, [22, 24, 20]),
      street('lianran', 64, 2, [20, 24, 20]),
    ]);
    const comparison = compareMonths(now, before, '2026-10');
    if (!comparison.available) throw new Error('expected a comparison');
    const jinfang = comparison.streets.find((s) => s.code === 'jinfang')!;
    expect(jinfang.index).toBeCloseTo(-6, 12);
    expect(jinfang.rank).toBe(-1);
    expect(jinfang.indicators.reduce((sum, i) => sum + i.change, 0)).toBeCloseTo(-6, 12);
    expect(jinfang.indicators[0]).toMatchObject({ id: 'i2', change: -5 });
    expect(comparison.city).toBeCloseTo(-6, 12);
    expect(compareMonths(now, null, '2025-11')).toEqual({
      against: '2025-11',
      available: false,
      reason: '2025-11 is not published',
    });
  });

  it('lists points lost biggest first, leaving out indicators that lost nothing', () => {
    const s = street('jinfang', 60, 1, [33, 20, 30]);
    expect(pointsLost(s)).toEqual([
      { id: 'i1', points: 13 },
      { id: 'i2', points: 3 },
    ]);
  });

  it('exports the ranking best first, unranked streets last, quoting what needs quotes and blank for unknown', () => {
    const month = figures('2026-11', [street('lianran', null, null, []), street('jinfang', 61.234, 1, [20])]);
    const none = { against: '2026-10', available: false as const, reason: 'not published' };
    const lines = rankingCsv(month, none, none).split('\r\n');
    expect(lines[1]).toBe('1,jinfang,金方,61.23,poor,,,,,no');
    expect(lines[2]).toBe(',lianran,"连然, 东",,,,,,,no');
    expect(lines.at(-1)).toBe('');
  });

  it('climbs the red-month ladder only over consecutive published red months ending with the month', () => {
    const grade = (month: string, red: boolean) => ({
      month,
      grade: red ? 'poor' : 'fair',
      index: red ? 60 : 75,
    });
    const published = {
      jinfang: [
        grade('2026-07', true),
        grade('2026-08', true),
        grade('2026-09', true),
        grade('2026-10', true),
      ],
      // 2026-08 not published: the run restarts after the gap.
      lianran: [grade('2026-07', true), grade('2026-09', true), grade('2026-10', true)],
      caopu: [grade('2026-09', true), grade('2026-10', false)],
    };
    const rule = () => ({ warnAt: 3, interviewAt: 4 });
    const ladder = ladderAsOf('2026-10', published, ['jinfang', 'lianran', 'caopu', 'bajie'], 'poor', rule);
    expect(ladder.map((l) => [l.code, l.months, l.step])).toEqual([
      ['jinfang', 4, 'interview'],
      ['lianran', 2, 'none'],
      ['caopu', 0, 'none'],
      ['bajie', 0, 'none'],
    ]);
    expect(ladder[0]!.run.map((m) => m.month)).toEqual(['2026-07', '2026-08', '2026-09', '2026-10']);
    expect(ladderAsOf('2026-09', published, ['jinfang'], 'poor', rule)[0]).toMatchObject({
      months: 3,
      step: 'warning',
    });
  });
});

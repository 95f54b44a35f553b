import { describe, expect, it } from 'vitest';
import type { MonthlyFigures, MonthlyReport } from '../../shared/reports/monthly.js';
import {
  dayRange,
  indexChange,
  monthWindow,
  monthlyTrend,
  rankChange,
  ladderThresholds,
  redMonthLadder,
} from '../../display/src/lib/briefing/model.js';

const figures = (month: string, grades: Record<string, string | null>): MonthlyFigures =>
  ({
    month,
    city: 80,
    cityGrade: 'good',
    weightSet: { id: 1, name: 'w', effectiveFrom: null, weights: {} },
    streets: Object.entries(grades).map(([code, grade], i) => ({
      code,
      name: { zh: code, en: code },
      population: 1,
      index: grade === null ? null : 70 + i,
      grade,
      rank: i + 1,
      provisional: false,
      blocks: { positive: null, negative: null, public: null },
      indicators: [],
    })),
  }) as unknown as MonthlyFigures;

describe('the briefing model', () => {
  it('writes changes with arrows and a dash when there is nothing to compare', () => {
    expect(indexChange(1.26)).toEqual({ direction: 'up', text: '▲ 1.3' });
    expect(indexChange(-0.4)).toEqual({ direction: 'down', text: '▼ 0.4' });
    expect(indexChange(0.01).direction).toBe('flat');
    expect(indexChange(null).text).toBe('—');
    expect(indexChange(Number.NaN).text).toBe('—');
    expect(rankChange(2).text).toBe('▲ 2');
    expect(rankChange(-1).text).toBe('▼ 1');
    expect(rankChange(0).text).toBe('＝');
  });

  it('lays the trend over twelve months and marks those not published', () => {
    const window = monthWindow('2026-02', 12);
    expect(window[0]).toBe('2025-03');
    expect(window.at(-1)).toBe('2026-02');
    const published = new Map([['2026-02', figures('2026-02', { a: 'good' })]]);
    const trend = monthlyTrend(window, published, 'a');
    expect(trend.filter((p) => p.published)).toEqual([{ month: '2026-02', index: 70, published: true }]);
    expect(trend.filter((p) => !p.published)).toHaveLength(11);
  });

  it("shows the server's ladder: red streets only, longest run first, with their names", () => {
    const report = {
      figures: figures('2026-11', { a: 'poor', b: 'poor', c: 'good' }),
      ladder: [
        { code: 'b', months: 1, run: [], step: 'none', warnAt: 3, interviewAt: 4 },
        { code: 'a', months: 3, run: [], step: 'warning', warnAt: 3, interviewAt: 4 },
        { code: 'c', months: 0, run: [], step: 'none', warnAt: 3, interviewAt: 4 },
      ],
    } as unknown as MonthlyReport;
    expect(redMonthLadder(report).map((r) => [r.code, r.months, r.stage])).toEqual([
      ['a', 3, 'warning'],
      ['b', 1, 'watch'],
    ]);
    expect(ladderThresholds(report, { warnAt: 9, interviewAt: 10 })).toEqual({ warnAt: 3, interviewAt: 4 });
  });

  it("spans a day of the city's time zone", () => {
    expect(dayRange('2026-11-20', 'Asia/Shanghai')).toEqual({
      from: '2026-11-19T16:00:00.000Z',
      to: '2026-11-20T15:59:59.999Z',
    });
  });
});

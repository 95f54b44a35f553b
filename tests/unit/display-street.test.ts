import { describe, expect, it } from 'vitest';
import type { IndicatorConfig } from '../../shared/city.js';
import type { LiveStreet } from '../../shared/api.js';
import {
  historyChart,
  historyPath,
  historyPoints,
  thinHistory,
  type HistoryPoint,
} from '../../display/src/lib/history.js';
import { indicatorsByLoss } from '../../display/src/lib/street-view.js';

const NOW = Date.parse('2026-11-25T04:00:00.000Z');
const DAY = 86_400_000;
const day = (n: number) => new Date(NOW - n * DAY).toISOString();

const indicator = (id: string, block: IndicatorConfig['block']) =>
  ({ id, block, name: { zh: id, en: id }, unit: { zh: '', en: '' } }) as IndicatorConfig;

const catalogue = [
  indicator('cleared', 'positive'),
  indicator('cameras', 'positive'),
  indicator('theft', 'negative'),
  indicator('vice', 'negative'),
  indicator('safety', 'public'),
];

const street = (
  losses: Record<string, number | null>,
  blocks: Partial<LiveStreet['blocks']> = {},
): LiveStreet => ({
  code: 'jinfang',
  name: { zh: '金方', en: 'Jinfang' },
  index: 85,
  grade: null,
  rank: 1,
  provisional: false,
  blocks: { positive: 80, negative: 80, public: 80, ...blocks },
  indicators: Object.entries(losses).map(([id, lost]) => ({
    id,
    raw: 1,
    smoothed: 1,
    score: lost === null ? null : 100 - lost * 10,
    contribution: 1,
    pointsLost: lost ?? 0,
    period: null,
    stale: false,
  })),
});

describe('the street page’s indicators', () => {
  it('lists the largest points lost first, ties in catalogue order, what does not count last', () => {
    const items = indicatorsByLoss(
      street({ safety: 0.5, vice: 0, theft: 3.2, cleared: 0, cameras: 1.1, mystery: 0.2 }),
      catalogue,
    );
    expect(items.map((item) => item.id)).toEqual([
      'theft',
      'cameras',
      'safety',
      'mystery',
      'cleared',
      'vice',
    ]);
    expect(items[0]).toMatchObject({ block: 'negative', counted: true });
    expect(items.find((item) => item.id === 'mystery')).toMatchObject({ block: null });
    // A block short of data counts for nothing: its indicators go last.
    const short = indicatorsByLoss(
      street({ theft: 3.2, safety: 0.5, cleared: 0.1 }, { negative: null }),
      catalogue,
    );
    expect(short.map((item) => [item.id, item.counted])).toEqual([
      ['safety', true],
      ['cleared', true],
      ['theft', false],
    ]);
  });
});

describe('the street’s history', () => {
  it('asks for the 30 days before now', () => {
    const url = new URL(historyPath('jinfang', NOW), 'http://x');
    expect(url.pathname).toBe('/api/index/history');
    expect(url.searchParams.get('street')).toBe('jinfang');
    expect(Date.parse(url.searchParams.get('to')!)).toBe(NOW);
    expect(NOW - Date.parse(url.searchParams.get('from')!)).toBe(30 * DAY);
  });

  it('keeps the points of an answer that can be drawn, oldest first, and refuses what is not a history', () => {
    const points = historyPoints({
      street: 'jinfang',
      points: [
        { at: day(1), index: 84.2, rank: 3, provisional: false },
        { at: day(2), index: null, rank: null, provisional: false },
        { at: 'not a time', index: 80 },
        { at: day(3), index: 'NaN' },
        null,
      ],
    });
    expect(points).toEqual([
      { at: day(3), index: null, rank: null, provisional: false },
      { at: day(2), index: null, rank: null, provisional: false },
      { at: day(1), index: 84.2, rank: 3, provisional: false },
    ]);
    expect(historyPoints({ street: 'jinfang', points: [] })).toEqual([]);
    expect(historyPoints({ code: 'unauthorized', message: 'no' })).toBeNull();
    expect(historyPoints(null)).toBeNull();
  });

  it('thins a dense series to means of equal slices of time, gaps kept', () => {
    const dense = Array.from({ length: 1000 }, (_, i) => ({
      at: new Date(NOW - (999 - i) * 60_000).toISOString(),
      index: i < 500 ? 80 : 90,
    }));
    const thin = thinHistory(dense, 10);
    expect(thin).toHaveLength(10);
    expect(thin[0]!.index).toBe(80);
    expect(thin.at(-1)!.index).toBe(90);
    expect(thinHistory(dense.slice(0, 5), 10)).toHaveLength(5);
    const gap = thinHistory(
      [
        { at: day(3), index: 80 },
        { at: day(2), index: null },
        { at: day(1), index: 82 },
      ],
      3,
    );
    expect(gap.map((p) => p.index)).toEqual([80, null, 82]);
  });

  it('draws the settled points, says how many provisional ones it left out, and the change', () => {
    const points: HistoryPoint[] = [
      { at: day(29), index: 97.9, rank: 1, provisional: true },
      { at: day(20), index: 88, rank: 4, provisional: false },
      { at: day(10), index: 86, rank: 5, provisional: false },
      { at: day(0), index: 81.6, rank: 8, provisional: false },
    ];
    const chart = historyChart(points, 320, 90);
    expect(chart).toMatchObject({ count: 3, leftOut: 1, first: 88, latest: 81.6, min: 81.6, max: 88 });
    expect(chart.change).toBeCloseTo(-6.4, 6);
    expect(chart.start).toBe(day(20));
    expect(chart.line).toMatch(/^M/);
    // Only provisional points: drawn all the same, rather than nothing.
    expect(historyChart(points.slice(0, 1), 320, 90)).toMatchObject({ count: 1, leftOut: 0, change: null });
    // Nothing recorded yet: nothing to draw, and no change to claim.
    expect(historyChart([], 320, 90)).toMatchObject({ line: null, count: 0, change: null, start: null });
  });
});

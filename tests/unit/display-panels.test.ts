import { describe, expect, it } from 'vitest';
import type { IndicatorConfig } from '../../shared/city.js';
import type { LiveStreet } from '../../shared/api.js';
import type { FeedFreshness } from '../../shared/live.js';
import type { WindowHall } from '../../shared/panels.js';
import { feedViews, operatorAlerts, panelStaleness } from '../../display/src/lib/feed-health.js';
import { categoryLabel, messages } from '../../display/src/lib/i18n.js';
import {
  columnHeads,
  columnLabel,
  configuredOrder,
  HEAT_LABELS,
  heatLayout,
  heatmapModel,
  rowLabels,
} from '../../display/src/lib/heatmap.js';
import { estimateEms, fitLabel, fittingFontSize, MIN_FONT_SIZE } from '../../display/src/lib/text-fit.js';
import {
  fraudTotals,
  hallRows,
  mediationTotals,
  windowsHeading,
  windowTotals,
} from '../../display/src/lib/panels.js';
import {
  gaugeAngle,
  gaugeBands,
  gaugeDial,
  GAUGE_MIN,
  scoreColour,
  sparkline,
} from '../../display/src/lib/scale.js';
import { hasGeometry, streetShapes, tileGrid } from '../../display/src/lib/street-map.js';
import { TICKER_ROW, tickerPlace } from '../../display/src/lib/ticker.js';
import { loadCityConfig } from '../../server/config/city.js';

const NOW = Date.parse('2026-11-25T04:00:00.000Z');
const ago = (seconds: number) => new Date(NOW - seconds * 1000).toISOString();

const feed = (name: FeedFreshness['feed'], change: Partial<FeedFreshness> = {}): FeedFreshness => ({
  feed: name,
  status: 'ok',
  stale: false,
  lastSuccessAt: ago(5),
  newestItemAt: ago(30),
  itemsPerMinute: 4,
  ...change,
});

describe('feed freshness', () => {
  it('shows all five feeds in a fixed order with how old their data is', () => {
    const views = feedViews([feed('survey'), feed('incident', { newestItemAt: ago(3) })], NOW);
    expect(views.map((v) => v.feed)).toEqual(['incident', 'fraud', 'service-window', 'mediation', 'survey']);
    expect(views[0]!.ageSeconds).toBe(3);
    expect(views[0]!.sinceSuccessSeconds).toBe(5);
    // A feed the server did not report is waiting, not blank.
    expect(views[1]).toMatchObject({ status: 'waiting', ageSeconds: null, outdated: false });
  });

  it('greys the panel of a stale feed and only that one', () => {
    const views = feedViews(
      [feed('incident'), feed('fraud', { status: 'stale', stale: true, lastSuccessAt: ago(600) })],
      NOW,
    );
    expect(panelStaleness(views, 'fraud')?.feed).toBe('fraud');
    expect(panelStaleness(views, 'ticker')).toBeNull();
    expect(panelStaleness(views, 'windows')).toBeNull();
  });

  it('lists stale feeds, then failing ones, as operator alerts', () => {
    const views = feedViews(
      [
        feed('incident', { status: 'failing' }),
        feed('mediation', { status: 'stale', stale: true, lastSuccessAt: ago(900) }),
        feed('survey', { status: 'off', lastSuccessAt: null }),
      ],
      NOW,
    );
    expect(operatorAlerts(views)).toEqual([
      { key: 'feed:mediation', feed: 'mediation', level: 'stale', sinceSuccessSeconds: 900 },
      { key: 'feed:incident', feed: 'incident', level: 'failing', sinceSuccessSeconds: 5 },
    ]);
  });
});

describe('operations panels', () => {
  it('sum the fraud centre over streets', () => {
    const street = (street: string, n: number) => ({
      street,
      cases: n,
      lossYuan: 1000 * n,
      warnings: 2 * n,
      dissuaded: n,
      interceptions: 1,
      interceptedYuan: 500,
    });
    expect(fraudTotals([street('a', 1), street('b', 2)])).toEqual({
      cases: 3,
      lossYuan: 3000,
      warnings: 6,
      dissuaded: 3,
      interceptions: 2,
      interceptedYuan: 1000,
    });
    expect(fraudTotals([]).cases).toBe(0);
  });

  it('weigh mediation success by each street’s cases and say nothing without any rate', () => {
    const totals = mediationTotals([
      { street: 'a', acceptedToday: 1, accepted30d: 30, successRate: 90, pending: 2 },
      { street: 'b', acceptedToday: 0, accepted30d: 10, successRate: 50, pending: 1 },
    ]);
    expect(totals).toEqual({ acceptedToday: 1, accepted30d: 40, successRate: 80, pending: 3 });
    expect(
      mediationTotals([{ street: 'a', acceptedToday: 0, accepted30d: 0, successRate: null, pending: 0 }])
        .successRate,
    ).toBeNull();
  });

  it('list service halls busiest first, named by their street when the street has one hall', () => {
    const hall = (
      name: string,
      street: string,
      waiting: number,
      meanWaitMinutes: number | null,
    ): WindowHall => ({
      hall: name,
      street,
      day: '2026-11-25',
      waiting,
      meanWaitMinutes,
      onTimeRate: 90,
      finished: 10,
    });
    const names = new Map([
      ['a', { zh: '金方', en: 'Jinfang' }],
      ['b', { zh: '连然', en: 'Lianran' }],
    ]);
    const rows = hallRows(
      [hall('金方中心', 'a', 1, 5), hall('连然一厅', 'b', 4, 9), hall('连然二厅', 'b', 4, 12)],
      names,
      'zh',
      messages('zh'),
    );
    expect(rows.map((r) => r.label)).toEqual(['连然二厅', '连然一厅', '金方']);
    expect(windowTotals(rows)).toMatchObject({ waiting: 9, finished: 30 });
    expect(windowTotals([hall('x', 'a', 0, null)]).meanWaitMinutes).toBeNull();
  });
  it('says a hall the city does not know is unknown, beside its street when the street has others', () => {
    const hall = (name: string, street: string, waiting: number): WindowHall => ({
      hall: name,
      street,
      day: '2026-11-25',
      waiting,
      meanWaitMinutes: 5,
      onTimeRate: 90,
      finished: 10,
    });
    const names = new Map([
      ['a', { zh: '金方', en: 'Jinfang' }],
      ['b', { zh: '连然', en: 'Lianran' }],
    ]);
    const halls = [hall('金方便民服务中心', 'a', 3), hall('unknown', 'a', 2), hall('unknown', 'b', 1)];
    expect(hallRows(halls, names, 'zh', messages('zh')).map((r) => r.label)).toEqual([
      '金方便民服务中心',
      '金方 · 未知',
      '连然',
    ]);
    expect(hallRows(halls, names, 'en', messages('en')).map((r) => r.label)).toEqual([
      '金方便民服务中心',
      'Jinfang · unknown',
      'Lianran',
    ]);
    expect(hallRows([hall('unknown', 'c', 1)], names, 'zh', messages('zh'))[0]!.label).toBe('未知');
  });

  it('names an event of an unknown type as unknown in the ticker', () => {
    expect(categoryLabel(messages('zh'), 'unknown')).toBe('未知');
    expect(categoryLabel(messages('en'), 'unknown')).toBe('Unknown');
  });
});

describe('the service windows panel at night', () => {
  const hallOn = (day: string): WindowHall => ({
    hall: '金方便民服务中心',
    street: 'jinfang',
    day,
    waiting: 0,
    meanWaitMinutes: 11.5,
    onTimeRate: 96,
    finished: 140,
  });

  it("heads today's figures as today, in both languages", () => {
    expect(windowsHeading([hallOn('2026-11-25')], '2026-11-25', messages('zh'))).toMatchObject({
      title: '服务窗口 · 今日',
      aside: '单位：分',
    });
    expect(windowsHeading([], '2026-11-25', messages('en')).aside).toBe('today · min');
  });

  it("names the last working day when the figures are of an earlier day, so nobody takes them for today's", () => {
    expect(windowsHeading([hallOn('2026-11-24')], '2026-11-25', messages('zh'))).toEqual({
      title: '服务窗口 · 昨日',
      aside: '单位：分',
      day: '2026-11-24',
    });
    // After a weekend: Friday's figures on Monday morning.
    expect(windowsHeading([hallOn('2026-11-20')], '2026-11-23', messages('zh')).title).toBe(
      '服务窗口 · 11/20',
    );
    expect(windowsHeading([hallOn('2026-11-24')], '2026-11-25', messages('en')).aside).toBe(
      'yesterday · min',
    );
    expect(windowsHeading([hallOn('2026-11-20')], '2026-11-23', messages('en')).aside).toBe('20 Nov · min');
  });
});

const indicator = (id: string, block: IndicatorConfig['block']) =>
  ({ id, block, name: { zh: id, en: id } }) as IndicatorConfig;

const liveStreet = (
  code: string,
  scores: Record<string, number | null>,
  stale: string[] = [],
): LiveStreet => ({
  code,
  name: { zh: code, en: code },
  index: 80,
  grade: null,
  rank: 1,
  provisional: false,
  blocks: { positive: 80, negative: 80, public: 80 },
  indicators: Object.entries(scores).map(([id, score]) => ({
    id,
    raw: score,
    smoothed: score,
    score,
    contribution: 0,
    pointsLost: 0,
    period: null,
    stale: stale.includes(id),
  })),
});

describe('the heat map', () => {
  const catalogue = [
    indicator('theft', 'negative'),
    indicator('cleared', 'positive'),
    indicator('safety', 'public'),
  ];

  it('puts indicators in block order and streets in rows, stale cells marked', () => {
    const model = heatmapModel(
      [
        liveStreet('a', { theft: 70, cleared: 90, safety: null }, ['theft']),
        liveStreet('b', { cleared: 60 }),
      ],
      catalogue,
    );
    expect(model.columns.map((c) => c.id)).toEqual(['cleared', 'theft', 'safety']);
    expect(model.groups.map((g) => [g.block, g.count])).toEqual([
      ['positive', 1],
      ['negative', 1],
      ['public', 1],
    ]);
    expect(model.cells[0]).toEqual([
      { score: 90, stale: false },
      { score: 70, stale: true },
      { score: null, stale: false },
    ]);
    // A street without an indicator has an empty cell, not a missing one.
    expect(model.cells[1]![1]).toEqual({ score: null, stale: false });
  });

  it('keeps indicators the catalogue does not know, in a group of their own', () => {
    const model = heatmapModel([liveStreet('a', { theft: 70, mystery: 50 })], catalogue);
    expect(model.columns.at(-1)).toMatchObject({ id: 'mystery', block: null });
    expect(heatmapModel([liveStreet('a', { theft: 70 })], null).columns.map((c) => c.id)).toEqual(['theft']);
  });

  it('fills its width with the cells and gaps between blocks', () => {
    const model = heatmapModel([liveStreet('a', {}), liveStreet('b', {})], catalogue);
    const layout = heatLayout(model, 300, 80);
    const right = layout.x.at(-1)! + layout.cellWidth;
    expect(right).toBeCloseTo(300, 6);
    expect(layout.y[1]! + layout.cellHeight).toBeCloseTo(80, 6);
    // Between blocks the step is wider than within one.
    expect(layout.x[1]! - layout.x[0]!).toBeGreaterThan(layout.cellWidth + 2);
  });

  it('draws a single street as a row of cells, not as tall bars', () => {
    const model = heatmapModel([liveStreet('a', {})], catalogue);
    expect(heatLayout(model, 300, 240).cellHeight).toBe(44);
  });

  it('keeps the configured order of streets, unknown ones last', () => {
    const streets = [{ code: 'c' }, { code: 'x' }, { code: 'a' }];
    expect(configuredOrder(streets, ['a', 'b', 'c']).map((s) => s.code)).toEqual(['a', 'c', 'x']);
    expect(configuredOrder(streets, null).map((s) => s.code)).toEqual(['c', 'x', 'a']);
  });

  it('heads its columns with short labels that tell the indicators apart, in both languages', () => {
    const named = (id: string, zh: string, en: string) =>
      ({ id, block: 'public', name: { zh, en } }) as IndicatorConfig;
    const publicBlock = [
      named('safety', '安全感', 'Sense of security'),
      named('enforcement', '执法满意度', 'Satisfaction with law enforcement'),
      named('police', '公安满意度', 'Satisfaction: police'),
      named('urban', '城管满意度', 'Satisfaction: urban management'),
      named('environment', '环保满意度', 'Satisfaction: environment'),
      named('market', '市场监管满意度', 'Satisfaction: market regulation'),
    ];
    const model = heatmapModel([liveStreet('a', {})], publicBlock);
    const en = columnHeads(model.columns, 'en');
    expect(en.map((head) => head.label)).toEqual([
      'Sense of security',
      'Law enforcement',
      'Police',
      'Urban mgmt',
      'Environment',
      'Market reg.',
    ]);
    // One size for the block; the four satisfaction columns fit their heads whole at it.
    for (const head of en.slice(2))
      expect(estimateEms(head.label) * head.fontSize, head.label).toBeLessThanOrEqual(HEAT_LABELS.columnRoom);
    for (const head of columnHeads(model.columns, 'zh'))
      expect(estimateEms(head.label) * head.fontSize, head.label).toBeLessThanOrEqual(HEAT_LABELS.columnRoom);
    expect(new Set(en.map((head) => head.fontSize)).size).toBe(1);
    expect(en[2]!.name).toBe('Satisfaction: police');
    expect(columnHeads(model.columns, 'zh').map((head) => head.label)).toEqual(
      publicBlock.map((i) => i.name.zh),
    );
    // A short name is left alone; a long one without a colon is only abbreviated.
    expect(columnLabel('Theft')).toBe('Theft');
    expect(columnLabel('Waste management backlog')).toBe('Waste mgmt backlog');
  });

  it("heads a column with the indicator's short name where the configuration gives one: all of Anning's fit at 16 px or more", async () => {
    const city = await loadCityConfig('config/anning.json');
    const model = heatmapModel([liveStreet('a', {})], city.indicators);
    for (const lang of ['zh', 'en'] as const)
      for (const head of columnHeads(model.columns, lang)) {
        expect(head.fontSize, head.label).toBeGreaterThanOrEqual(MIN_FONT_SIZE);
        expect(estimateEms(head.label) * head.fontSize, head.label).toBeLessThanOrEqual(
          HEAT_LABELS.columnRoom,
        );
      }
    const head = (lang: 'zh' | 'en', id: string) => columnHeads(model.columns, lang).find((h) => h.id === id);
    // The short name on the column, the whole name in its tooltip.
    expect(head('en', 'criminal_cleared')).toMatchObject({
      label: 'Crimes cleared',
      name: 'Criminal cases cleared',
    });
    expect(head('zh', 'cameras_online')).toMatchObject({ label: '视频在线率', name: '雪亮工程视频在线率' });
    // Without one, the name as it is, or made short.
    expect(head('zh', 'criminal_cleared')!.label).toBe('刑事打处');
    expect(head('en', 'police_satisfaction')!.label).toBe('Police');
  });

  it('makes room for long street names beside the cells, within bounds', () => {
    const rows = [
      { code: 'a', name: { zh: '连然', en: 'Lianran' } },
      { code: 'b', name: { zh: '太平新城', en: 'Taiping New Town' } },
    ];
    const zh = rowLabels(rows, 'zh');
    expect(zh.width).toBe(HEAT_LABELS.labelMin);
    expect(zh.fontSizes).toEqual([19, 19]);
    const en = rowLabels(rows, 'en');
    expect(en.width).toBeGreaterThan(HEAT_LABELS.labelMin);
    expect(en.width).toBeLessThanOrEqual(HEAT_LABELS.labelMax);
    expect(estimateEms('Taiping New Town') * en.fontSizes[1]! * 1.06).toBeLessThanOrEqual(
      en.width - HEAT_LABELS.labelPadding,
    );
    expect(en.fontSizes[0]).toBe(17);
    expect(Math.min(...en.fontSizes)).toBeGreaterThanOrEqual(MIN_FONT_SIZE);
    const long = rowLabels([{ code: 'x', name: { zh: 'x', en: 'A very long street name indeed' } }], 'en');
    expect(long.width).toBe(HEAT_LABELS.labelMax);
  });

  it('colours low scores red and high scores green', () => {
    const red = scoreColour(30);
    const green = scoreColour(100);
    expect(red).not.toBe(green);
    expect(scoreColour(-5)).toBe(red);
    expect(scoreColour(120)).toBe(green);
  });
});

describe("the ticker's place", () => {
  const width = (text: string, size: number) => estimateEms(text) * size + 1;

  it('sets the street and its community as large as both fit, the community smaller', () => {
    expect(tickerPlace('草铺', '王家滩社区', TICKER_ROW.place.zh)).toEqual({
      streetSize: 20,
      communitySize: 18,
    });
    const place = tickerPlace('Lianran', 'Ninghu', TICKER_ROW.place.en);
    expect(place.communitySize).not.toBeNull();
    expect(place.communitySize!).toBeLessThan(place.streetSize);
    expect(
      width('Lianran', place.streetSize) + TICKER_ROW.gap + width('Ninghu', place.communitySize!),
    ).toBeLessThanOrEqual(TICKER_ROW.place.en);
  });

  it('leaves the community out rather than cut it, and never goes under 16 px', () => {
    expect(tickerPlace('Qinglong', 'Xinzhuang', TICKER_ROW.place.en)).toEqual({
      streetSize: 20,
      communitySize: null,
    });
    expect(tickerPlace('Taiping New Town', null, TICKER_ROW.place.en).streetSize).toBe(16);
    expect(tickerPlace('A street with a name far too long for any ticker', '社区', 144)).toEqual({
      streetSize: MIN_FONT_SIZE,
      communitySize: null,
    });
  });
});

describe('fitting a label', () => {
  it('sets a label on one line at the largest size that fits, else on more lines at the smallest', () => {
    expect(fitLabel('金方', 100, { max: 20, min: 16 })).toEqual({ fontSize: 20, lines: 1 });
    const smaller = fitLabel('Taiping New Town', 160, { max: 20, min: 16, bold: true });
    expect(smaller.lines).toBe(1);
    expect(smaller.fontSize).toBeLessThan(20);
    expect(estimateEms('Taiping New Town') * 1.06 * smaller.fontSize).toBeLessThanOrEqual(160);
    expect(fitLabel('Taiping New Town', 128, { max: 20, min: 16, lines: 2, bold: true })).toEqual({
      fontSize: 16,
      lines: 2,
    });
    expect(fitLabel('', 10, { max: 18, min: 16 })).toEqual({ fontSize: 18, lines: 1 });
  });

  it("never sets a label under the wall's 16 px, whatever minimum it is asked for", () => {
    expect(MIN_FONT_SIZE).toBe(16);
    expect(fitLabel('Taiping New Town', 100, { max: 18, min: 12, lines: 2, bold: true })).toEqual({
      fontSize: 16,
      lines: 2,
    });
    expect(fitLabel('Taiping New Town', 40, { max: 14, min: 12 }).fontSize).toBe(16);
    expect(fittingFontSize('市场监管满意度', 50, 20)).toBe(16);
    expect(fittingFontSize('金方', 100, 20)).toBe(20);
  });
});

describe('the map', () => {
  it('lays nine streets out as a 3×3 schematic grid, in their order', () => {
    const tiles = tileGrid(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i'], 420, 380, 10);
    expect(tiles).toHaveLength(9);
    expect(new Set(tiles.map((t) => t.x)).size).toBe(3);
    expect(tiles[4]).toMatchObject({ code: 'e', x: tiles[1]!.x, y: tiles[3]!.y });
    const last = tiles[8]!;
    expect(last.x + last.width).toBeCloseTo(420, 6);
    expect(last.y + last.height).toBeCloseTo(380, 6);
  });

  it('gives a single street the whole map and nothing to no street', () => {
    expect(tileGrid(['a'], 400, 300, 10)).toEqual([{ code: 'a', x: 0, y: 0, width: 400, height: 300 }]);
    expect(tileGrid([], 400, 300, 10)).toEqual([]);
  });

  it('draws a choropleth only when every street has an outline', () => {
    const square = (x: number) => ({
      type: 'Polygon' as const,
      coordinates: [
        [
          [102.4 + x, 24.9],
          [102.4 + x, 25.0],
          [102.5 + x, 25.0],
          [102.5 + x, 24.9],
          [102.4 + x, 24.9],
        ],
      ],
    });
    const streets = [
      { code: 'a', geometry: square(0) },
      { code: 'b', geometry: square(0.1) },
    ];
    expect(hasGeometry(streets)).toBe(true);
    const shapes = streetShapes(streets, 400, 300);
    expect(shapes.map((s) => s.code)).toEqual(['a', 'b']);
    for (const shape of shapes) {
      expect(shape.path).toMatch(/^M/);
      expect(shape.label[0]).toBeGreaterThan(0);
      expect(shape.label[0]).toBeLessThan(400);
    }
    // RFC 7946 winds outer rings the other way round: the same squares, drawn the same.
    const standard = streets.map((street) => ({
      code: street.code,
      geometry: { ...street.geometry, coordinates: [[...street.geometry.coordinates[0]!].reverse()] },
    }));
    expect(streetShapes(standard, 400, 300)).toEqual(shapes);
    expect(hasGeometry([...streets, { code: 'c' }])).toBe(false);
    expect(streetShapes([...streets, { code: 'c' }], 400, 300)).toEqual([]);
  });
});

describe('the city gauge and trends', () => {
  it('sweeps from the gauge minimum to 100, clamped', () => {
    expect(gaugeAngle(GAUGE_MIN)).toBeCloseTo(-(2 / 3) * Math.PI, 9);
    expect(gaugeAngle(100)).toBeCloseTo((2 / 3) * Math.PI, 9);
    expect(gaugeAngle(0)).toBe(gaugeAngle(GAUGE_MIN));
    expect(gaugeAngle(null)).toBe(gaugeAngle(GAUGE_MIN));
  });

  it('draws no value arc for an unknown index, and one band per grade on the dial', () => {
    const grades = [
      { id: 'poor', min: 0, label: { zh: '差', en: 'Poor' }, colour: '#ef4f4f' },
      { id: 'fair', min: 70, label: { zh: '中', en: 'Fair' }, colour: '#f5b942' },
      { id: 'good', min: 80, label: { zh: '良', en: 'Good' }, colour: '#3fa7ff' },
      { id: 'excellent', min: 90, label: { zh: '优', en: 'Excellent' }, colour: '#2fbf71' },
    ];
    expect(gaugeDial(null, 100, 20).value).toBe('');
    expect(gaugeDial(null, 100, 20).track).toMatch(/^M/);
    expect(gaugeDial(87, 100, 20).value).toMatch(/^M/);
    expect(gaugeBands(grades, 100, 20).map((b) => b.colour)).toEqual([
      '#ef4f4f',
      '#f5b942',
      '#3fa7ff',
      '#2fbf71',
    ]);
  });

  it('draws a trend over time with gaps where the index is unknown', () => {
    const points = [
      { at: '2026-11-25T00:00:00Z', index: 85 },
      { at: '2026-11-25T01:00:00Z', index: null },
      { at: '2026-11-25T02:00:00Z', index: 87 },
      { at: 'not a time', index: 99 },
    ];
    const chart = sparkline(points, 300, 60);
    expect(chart.min).toBe(85);
    expect(chart.max).toBe(87);
    // Two separate segments: two moves.
    expect(chart.line!.match(/M/g)).toHaveLength(2);
    expect(chart.last).toMatchObject({ x: 300, index: 87 });
    expect(sparkline([], 300, 60)).toEqual({ line: null, area: null, last: null, min: null, max: null });
    expect(sparkline([{ at: '2026-11-25T00:00:00Z', index: null }], 300, 60).line).toBeNull();
  });
});

import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  explainAlert,
  formatNumber,
  formatSigned,
  mainLosses,
  type AlertDetail,
  type AlertText,
  type ExplainContext,
  type RecentEvents,
} from '../../shared/alerts/index.js';
import { cityConfigSchema } from '../../shared/city.js';
import { computeIndex, type RawValues, type StreetResult } from '../../shared/index/index.js';

const city = cityConfigSchema.parse(JSON.parse(readFileSync('config/anning.json', 'utf8')));

/** Every indicator halfway between its goalposts, in every street. */
const typical: RawValues = Object.fromEntries(
  city.streets.map((street) => [
    street.code,
    Object.fromEntries(
      city.indicators.map((indicator) => {
        const n = indicator.normalisation;
        const mid =
          n.method === 'efficacy'
            ? (n.unacceptable + n.satisfactory) / 2
            : n.method === 'minmax'
              ? (n.worst + n.best) / 2
              : n.target;
        return [indicator.id, mid];
      }),
    ),
  ]),
);

function jinfang(raw: RawValues): StreetResult {
  const result = computeIndex({
    streets: city.streets,
    indicators: city.indicators,
    weights: city.weights.weights,
    raw,
    grades: city.grades,
  }).streets.find((street) => street.code === 'jinfang');
  if (!result) throw new Error('no jinfang');
  return result;
}

const before = jinfang({ ...typical, jinfang: { ...typical.jinfang, theft: 4.0, window_wait: 10 } });
const after = jinfang({ ...typical, jinfang: { ...typical.jinfang, theft: 7.5, window_wait: 14 } });

const events: RecentEvents = {
  hours: 6,
  counts: [
    { category: 'theft', community: '金方社区', count: 12 },
    { category: 'theft', community: '昆钢社区', count: 9 },
    { category: 'theft', community: '摩玉社区', count: 6 },
    { category: 'theft', community: '桃花社区', count: 5 },
    { category: 'robbery', community: null, count: 1 },
  ],
};

const indexDrop: AlertDetail = {
  rule: 'indexDrop',
  index: after.index ?? NaN,
  baseline: before.index ?? NaN,
  drop: (before.index ?? 0) - (after.index ?? 0),
  points: 3,
  baselineDays: 7,
};

const context: ExplainContext = { config: city, before, after, events };
const allText = (text: AlertText) => [text.zh.title, text.zh.body, text.en.title, text.en.body].join('\n');

describe('alert explanations', () => {
  it('an index drop names the indicator that lost most points first, with raw values then and now, in both languages', () => {
    const text = explainAlert({ street: 'jinfang', detail: indexDrop }, context);
    const drop = formatNumber(indexDrop.rule === 'indexDrop' ? indexDrop.drop : 0, 1);
    expect(text.zh.title).toBe(`金方街道平安指数下降 ${drop} 分`);
    expect(text.en.title).toBe(`Jinfang Safety Index down ${drop} points`);
    const [zhFrom, zhLosses, zhEvents] = text.zh.body.split('\n');
    expect(zhFrom).toBe(
      `由 ${formatNumber(before.index, 1)} 降至 ${formatNumber(after.index, 1)} (基线为近7日均值)`,
    );
    expect(zhLosses).toMatch(
      /^主要扣分: 盗窃警情 \+3\.5 起\/万人 \(4\.0→7\.5\), 贡献 −\d\.\d 分; 窗口平均等候 \+4\.0 分钟 \(10\.0→14\.0\)/,
    );
    expect(zhEvents).toBe(
      '近6小时事件: 盗窃 32 起 (金方社区 12, 昆钢社区 9, 摩玉社区 6, …); 抢劫 1 起 (未注明社区 1)',
    );
    const [, enLosses, enEvents] = text.en.body.split('\n');
    expect(enLosses).toMatch(/^Main losses: Theft \+3\.5 per 10k \(4\.0→7\.5\), −\d\.\d pts; Mean wait/);
    expect(enEvents).toBe(
      // The communities by their English names (communityNames in config/anning.json).
      'Last 6 h: theft 32 (Jinfang 12, Kungang 9, Moyu 6, …); robbery 1 (community not given 1)',
    );
  });

  it('the main losses are exactly the parts of the change between the two results', () => {
    const losses = mainLosses(before, after, city.indicators);
    expect(losses.map((l) => l.id)).toEqual(['theft', 'window_wait']);
    expect(losses[0]?.change).toBeLessThan(losses[1]?.change ?? 0);
  });

  it('every other rule says what happened in a short title, in both languages', () => {
    const say = (detail: AlertDetail) =>
      explainAlert({ street: detail.rule === 'feedStale' ? null : 'jinfang', detail }, { config: city });
    expect(
      say({ rule: 'gradeDown', index: 78.6, baseline: 82.4, from: 'good', to: 'fair', edge: 80, margin: 1 })
        .zh,
    ).toEqual({
      title: '金方街道平安等级由良降至中',
      body: '平安指数 78.6，低于“良”下限 80.0 达 1.4 分 (基线 82.4)',
    });
    expect(say({ rule: 'rank', rank: 9, of: 9, k: 1, index: 78.4 }).en.title).toBe(
      'Jinfang now last in the ranking',
    );
    expect(say({ rule: 'rank', rank: 8, of: 9, k: 3, index: 80.1 }).zh.title).toBe('金方街道排名跌入后 3 位');
    const robbery = say({
      rule: 'zeroTolerance',
      event: 'i-1',
      category: 'robbery',
      community: '昆钢社区',
      at: '2026-11-25T06:32:00Z',
    });
    expect(robbery.zh).toEqual({
      title: '金方街道发生抢劫警情',
      body: '类别: 抢劫\n社区: 昆钢社区\n时间: 11月25日 14:32',
    });
    expect(robbery.en.title).toBe('Robbery reported in Jinfang');
    const stale = say({
      rule: 'feedStale',
      feed: 'incident',
      lastSuccessAt: '2026-11-25T06:02:00Z',
      staleMinutes: 25,
      minutes: 15,
    });
    expect(stale.zh.title).toBe('警情数据源已 25 分钟未更新');
    expect(stale.en.body).toBe('Last success: 25 Nov 14:02\nThreshold 15 min');
    const notice = say({ rule: 'redMonths', months: 3, lastMonth: '2026-10', warnAt: 3, interviewAt: 4 });
    expect(notice.zh.title).toBe('金方街道连续 3 个月评为差，约谈预警');
    const interview = say({ rule: 'redMonths', months: 4, lastMonth: '2026-11', warnAt: 3, interviewAt: 4 });
    expect(interview.en.title).toBe("Jinfang: 4 months in a row graded Poor — leaders' interview");
  });

  it('a screen down names the screen and where it hangs, dark or frozen, and says when it is back', () => {
    const location = { zh: '市指挥中心主屏', en: 'City command centre, main wall' };
    const down = (change: Partial<Extract<AlertDetail, { rule: 'wallDown' }>>, status?: 'resolved') =>
      explainAlert(
        {
          street: null,
          ...(status && { status }),
          detail: {
            rule: 'wallDown',
            screen: 'command-main',
            location,
            state: 'dark',
            reason: null,
            lastSeenAt: '2026-11-25T06:02:00Z',
            paintedAt: '2026-11-25T06:01:50Z',
            lagSince: null,
            since: '2026-11-25T02:30:00Z',
            forMinutes: 7,
            minutes: 5,
            ...change,
          },
        },
        { config: city },
      );
    expect(down({})).toEqual({
      zh: {
        title: '大屏 command-main（市指挥中心主屏）已离线 7 分钟',
        body: '最后心跳: 11月25日 14:02\n告警阈值 5 分钟',
      },
      en: {
        title: 'Screen command-main (City command centre, main wall) dark for 7 min',
        body: 'Last heartbeat: 25 Nov 14:02\nThreshold 5 min',
      },
    });
    expect(down({ lastSeenAt: null }).en.title).toBe(
      'Screen command-main (City command centre, main wall) not seen since 25 Nov 10:30',
    );
    expect(down({ forMinutes: 0.2, minutes: 0.1 }).en.body).toBe(
      'Last heartbeat: 25 Nov 14:02\nThreshold 6 s',
    );
    const frozen = down({ state: 'frozen', reason: 'paint', forMinutes: 6 });
    expect(frozen.zh.title).toBe('大屏 command-main（市指挥中心主屏）画面冻结 6 分钟');
    expect(frozen.en.body).toBe('Last painted: 25 Nov 14:01\nLast heartbeat: 25 Nov 14:02\nThreshold 5 min');
    const lagging = down({ state: 'frozen', reason: 'seq', lagSince: '2026-11-25T05:55:00Z' });
    expect(lagging.zh.body.split('\n')[0]).toBe('自 11月25日 13:55 起未应用实时更新');
    expect(down({ state: 'ok' }, 'resolved').zh).toEqual({
      title: '大屏 command-main（市指挥中心主屏）已恢复',
      body: '最后心跳: 11月25日 14:02',
    });
  });

  it('a resolved alert says what is back to normal and its value now', () => {
    const back: AlertDetail = { ...indexDrop, index: 86.1, drop: 0.7 } as AlertDetail;
    const text = explainAlert({ street: 'jinfang', status: 'resolved', detail: back }, context);
    expect(text.zh.title).toBe('金方街道平安指数已回升');
    expect(text.en.body).toBe(`Index back to 86.1 (baseline ${formatNumber(before.index, 1)})`);
  });

  it('formats numbers with a typographic minus and never as −0', () => {
    expect([formatSigned(-1.94, 1), formatSigned(3.5, 1), formatSigned(-0.01, 1), formatNumber(NaN)]).toEqual(
      ['−1.9', '+3.5', '0.0', '—'],
    );
  });

  it('never reads "undefined", "NaN" or "Infinity", and names the indicator that lost most first, whatever the inputs', () => {
    const number = fc.oneof(fc.double(), fc.constant(NaN), fc.double({ min: -100, max: 200, noNaN: true }));
    const raw = fc.option(fc.double({ min: 0, max: 100, noNaN: true }), { nil: null, freq: 5 });
    const detail: fc.Arbitrary<AlertDetail> = fc.oneof(
      fc.record({
        rule: fc.constant('indexDrop' as const),
        index: number,
        baseline: number,
        drop: number,
        points: number,
        baselineDays: fc.integer({ min: 1, max: 30 }),
      }),
      fc.record({
        rule: fc.constant('gradeDown' as const),
        index: number,
        baseline: number,
        from: fc.constantFrom('good', 'x'),
        to: fc.constantFrom('fair', null),
        edge: number,
        margin: number,
      }),
      fc.record({
        rule: fc.constant('rank' as const),
        rank: number,
        of: number,
        k: fc.integer({ min: 1, max: 5 }),
        index: fc.option(number, { nil: null }),
      }),
      fc.record({
        rule: fc.constant('zeroTolerance' as const),
        event: fc.string(),
        category: fc.constantFrom('robbery', 'fire', 'ufo'),
        community: fc.option(fc.string(), { nil: null }),
        at: fc.constantFrom('2026-11-25T06:32:00Z', 'garbage'),
      }),
      fc.record({
        rule: fc.constant('feedStale' as const),
        feed: fc.constantFrom('incident', 'survey', 'x'),
        lastSuccessAt: fc.constantFrom(null, '2026-11-25T06:32:00Z', 'bad'),
        staleMinutes: fc.option(number, { nil: null }),
        minutes: number,
      }),
      fc.record({
        rule: fc.constant('redMonths' as const),
        months: fc.integer({ min: 0, max: 12 }),
        lastMonth: fc.constantFrom('2026-10', '??'),
        warnAt: fc.constant(3),
        interviewAt: fc.constant(4),
      }),
    );
    const street = (values: (number | null)[]): StreetResult => ({
      ...before,
      indicators: before.indicators.map((indicator, i) => ({
        ...indicator,
        raw: values[i] ?? null,
        contribution: (values[i] ?? 0) / 10,
      })),
    });
    const rawValues = fc.array(raw, { minLength: city.indicators.length, maxLength: city.indicators.length });
    fc.assert(
      fc.property(
        detail,
        rawValues,
        rawValues,
        fc.constantFrom('resolved' as const, 'firing' as const),
        (d, was, now, status) => {
          const [b, a] = [street(was), street(now)];
          const text = allText(
            explainAlert(
              { street: 'jinfang', status, detail: d },
              { config: city, before: b, after: a, events },
            ),
          );
          expect(text).not.toMatch(/undefined|NaN|Infinity|null/);
          const changes = b.indicators.map((indicator, i) => ({
            id: indicator.id,
            change: (a.indicators[i]?.contribution ?? 0) - indicator.contribution,
          }));
          const worst = changes.reduce((w, c) => (c.change < w.change ? c : w));
          const losses = mainLosses(b, a, city.indicators);
          if (worst.change < -0.005) expect(losses[0]?.change).toBeCloseTo(worst.change, 9);
          else expect(losses).toEqual([]);
        },
      ),
    );
  });
});

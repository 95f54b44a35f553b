import { describe, expect, it } from 'vitest';
import {
  alertRulesSchema,
  evaluate,
  type AlertEffect,
  type AlertInputs,
  type AlertRules,
  type AlertState,
  type MonthlyGrade,
} from '../../shared/alerts/index.js';
import { DEFAULT_GRADES } from '../../shared/index/index.js';

const T0 = Date.parse('2026-11-25T02:00:00Z');
const at = (minute: number) => new Date(T0 + minute * 60_000);
const iso = (minute: number) => at(minute).toISOString();

type Street = AlertInputs['streets'][number];
const street = (code: string, index: number | null, rank: number | null = null): Street => ({
  code,
  index,
  rank,
  provisional: false,
});

/** Runs evaluate over a sequence of (minute, inputs), carrying the states along. */
function evaluateOver(config: AlertRules, steps: readonly (readonly [number, Partial<AlertInputs>])[]) {
  let states: AlertState[] = [];
  const effects: AlertEffect[] = [];
  for (const [minute, inputs] of steps) {
    const result = evaluate(
      states,
      { streets: [], baselines: {}, grades: DEFAULT_GRADES, ...inputs },
      at(minute),
      config,
    );
    states = result.states;
    effects.push(...result.effects);
  }
  return { states, effects };
}

const summary = (effects: AlertEffect[]) => effects.map((e) => `${e.kind} ${e.alert.key} ${e.severity}`);
const defaults = alertRulesSchema.parse({});

describe('evaluating the rules over a city', () => {
  it('an index drop alerts the street that dropped, after its pending period, and nobody else', () => {
    const inputs: Partial<AlertInputs> = {
      streets: [street('jinfang', 82.6), street('lianran', 88.1)],
      baselines: { jinfang: 86.8, lianran: 88.0 },
    };
    const { effects, states } = evaluateOver(defaults, [
      [0, inputs],
      [5, inputs],
      [10, inputs],
    ]);
    expect(summary(effects)).toEqual(['notify indexDrop:jinfang warning']);
    expect(states.find((s) => s.rule === 'indexDrop')?.detail).toMatchObject({ baseline: 86.8, index: 82.6 });
  });

  it('per-street overrides apply to that street only', () => {
    const config = alertRulesSchema.parse({
      indexDrop: { pendingMinutes: 0 },
      overrides: { jinfang: { indexDrop: { points: 5 } }, lianran: { repeatMinutes: 10 } },
    });
    const inputs: Partial<AlertInputs> = {
      streets: [street('jinfang', 82.8), street('lianran', 84.0)],
      baselines: { jinfang: 86.8, lianran: 88.0 },
    };
    const { effects } = evaluateOver(config, [
      [0, inputs],
      [10, inputs],
    ]);
    expect(summary(effects)).toEqual([
      'notify indexDrop:lianran warning',
      'repeat indexDrop:lianran warning',
    ]);
  });

  it('zero tolerance fires at once, one critical alert per event, and never twice for the same event', () => {
    const robbery = (id: string, minute: number) => ({
      id,
      street: 'jinfang',
      community: '昆钢社区',
      category: 'robbery',
      at: iso(minute),
    });
    const theft = { ...robbery('i-3', 0), category: 'theft' };
    const { effects, states } = evaluateOver(defaults, [
      [0, { events: [robbery('i-1', 0), robbery('i-2', 0), theft] }],
      [1, { events: [robbery('i-1', 0), robbery('i-2', 0), robbery('i-2', 0), theft] }],
      [2, { events: [robbery('i-1', 0), robbery('i-2', 0), robbery('i-4', 2)] }],
    ]);
    expect(summary(effects)).toEqual([
      'notify zeroTolerance:jinfang:i-1 critical',
      'notify zeroTolerance:jinfang:i-2 critical',
      'notify zeroTolerance:jinfang:i-4 critical',
    ]);
    expect(effects.every((e) => e.audience.join() === 'street')).toBe(true);
    expect(states.filter((s) => s.status === 'firing')).toHaveLength(3);
  });

  it('a zero-tolerance alert closes without a message once its event is older than withinHours', () => {
    const event = { id: 'i-1', street: 'jinfang', community: null, category: 'fire', at: iso(0) };
    const { effects, states } = evaluateOver(defaults, [
      [0, { events: [event] }],
      [24 * 60 + 1, { events: [event] }],
    ]);
    // Due an escalation too by then, but a closing alert escalates nothing.
    expect(effects.map((e) => e.kind)).toEqual(['notify']);
    expect(states.map((s) => s.status)).toEqual(['resolved']);
  });

  it('grade down fires only a margin below the edge of the baseline grade and clears only a margin above it', () => {
    const config = alertRulesSchema.parse({
      gradeDown: { pendingMinutes: 0 },
      indexDrop: { enabled: false },
    });
    const at80 = (index: number, baseline = 82) => ({
      streets: [street('jinfang', index)],
      baselines: { jinfang: baseline },
    });
    const kindsAfter = (...indices: number[]) =>
      evaluateOver(
        config,
        indices.map((index, i) => [i, at80(index)] as const),
      ).effects.map((e) => `${e.kind}@${(Date.parse(e.at) - T0) / 60_000}`);
    expect(kindsAfter(79.5, 79.2)).toEqual([]);
    expect(kindsAfter(79.5, 78.9, 79.6, 80.5, 79.0, 80.9)).toEqual(['notify@1']);
    expect(kindsAfter(78.9, 80.5, 81.0, 80.0, 78.8)).toEqual(['notify@0', 'resolved-notify@2', 'notify@4']);
  });

  it('a grade-down alert keeps its edge while the baseline drifts across it, and closes once the baseline settles below', () => {
    const config = alertRulesSchema.parse({
      gradeDown: { pendingMinutes: 0 },
      indexDrop: { enabled: false },
    });
    const { effects, states } = evaluateOver(config, [
      [0, { streets: [street('jinfang', 78.5)], baselines: { jinfang: 80.3 } }],
      [1, { streets: [street('jinfang', 78.5)], baselines: { jinfang: 79.8 } }],
      [2, { streets: [street('jinfang', 78.5)], baselines: { jinfang: 79.4 } }],
      [3, { streets: [street('jinfang', 78.5)], baselines: { jinfang: 78.9 } }],
    ]);
    expect(effects.map((e) => `${e.kind}@${(Date.parse(e.at) - T0) / 60_000}`)).toEqual([
      'notify@0',
      'resolved-notify@3',
    ]);
    expect(states[0]?.detail).toMatchObject({ from: 'good', to: 'fair', edge: 80 });
  });

  it('entering the bottom K fires, leaving it resolves, and ties at the bottom are all inside', () => {
    const config = alertRulesSchema.parse({
      rank: { k: 2, pendingMinutes: 0 },
      indexDrop: { enabled: false },
    });
    const ranking = (...ranks: [string, number][]) => ({
      streets: ranks.map(([code, rank]) => street(code, 90 - rank, rank)),
    });
    const { effects } = evaluateOver(config, [
      [0, ranking(['a', 1], ['b', 2], ['c', 3], ['d', 4])],
      [1, ranking(['a', 1], ['c', 2], ['b', 3], ['d', 4])],
      [2, ranking(['a', 1], ['b', 2], ['c', 2], ['d', 4])],
    ]);
    expect(summary(effects)).toEqual([
      'notify rank:c warning',
      'notify rank:d warning',
      'notify rank:b warning',
      'resolved-notify rank:c warning',
      'notify rank:c warning',
    ]);
  });

  it('a rank alert waits out its pending period both ways, so near-ties swapping places do not flap', () => {
    const config = alertRulesSchema.parse({ rank: { pendingMinutes: 30 }, indexDrop: { enabled: false } });
    const swap = (minute: number) => {
      const bLast = Math.floor(minute / 10) % 2 === 0;
      return [
        minute,
        { streets: [street('a', 90, 1), street('b', 80, bLast ? 3 : 2), street('c', 80, bLast ? 2 : 3)] },
      ] as const;
    };
    const { effects } = evaluateOver(
      config,
      Array.from({ length: 48 }, (_, i) => swap(i * 5)),
    );
    expect(effects).toEqual([]);
  });

  it('red months: a warning notice at 3 consecutive months at the lowest grade, a leaders\u2019 interview at 4', () => {
    const months = (...grades: string[]): MonthlyGrade[] =>
      grades.map((grade, i) => ({ month: `2026-${String(i + 1).padStart(2, '0')}`, grade }));
    const config = alertRulesSchema.parse({ indexDrop: { enabled: false } });
    const red = (grades: MonthlyGrade[]) => ({ monthlyGrades: { jinfang: grades } });
    const { effects } = evaluateOver(config, [
      [0, red(months('fair', 'poor', 'poor'))],
      [1, red(months('fair', 'poor', 'poor', 'poor'))],
      [2, red(months('fair', 'poor', 'poor', 'poor', 'poor'))],
      [3, red(months('fair', 'poor', 'poor', 'poor', 'poor', 'fair'))],
    ]);
    expect(effects.map((e) => [e.kind, e.severity, e.audience.join('+'), e.upgrade])).toEqual([
      ['notify', 'warning', 'street+leaders', false],
      ['notify', 'critical', 'street+leaders', true],
      ['resolved-notify', 'critical', 'street+leaders', false],
    ]);
  });

  it('a gap in the published months breaks a run of red months', () => {
    const grades: MonthlyGrade[] = [
      { month: '2026-06', grade: 'poor' },
      { month: '2026-08', grade: 'poor' },
      { month: '2026-09', grade: 'poor' },
    ];
    expect(evaluateOver(defaults, [[0, { monthlyGrades: { jinfang: grades } }]]).effects).toEqual([]);
  });

  it('a stale feed alerts operators, not street heads, and clears on the next success', () => {
    const { effects } = evaluateOver(defaults, [
      [0, { feeds: [{ feed: 'incident', lastSuccessAt: iso(-10) }] }],
      [
        10,
        {
          feeds: [
            { feed: 'incident', lastSuccessAt: iso(-10) },
            { feed: 'survey', lastSuccessAt: null },
          ],
        },
      ],
      [
        11,
        {
          feeds: [
            { feed: 'incident', lastSuccessAt: iso(11) },
            { feed: 'survey', lastSuccessAt: iso(11) },
          ],
        },
      ],
    ]);
    expect(effects.map((e) => `${e.kind} ${e.alert.key} ${e.audience.join('+')}`)).toEqual([
      'notify feedStale:incident operators',
      'notify feedStale:survey operators',
      'resolved-notify feedStale:incident operators',
      'resolved-notify feedStale:survey operators',
    ]);
  });

  it('an open alert holds while its street has no index, and closes when its rule is disabled', () => {
    const config = alertRulesSchema.parse({ indexDrop: { pendingMinutes: 0 } });
    const dropped = { streets: [street('jinfang', 82)], baselines: { jinfang: 86.8 } };
    const held = evaluateOver(config, [
      [0, dropped],
      [30, { streets: [street('jinfang', null)] }],
    ]);
    expect(summary(held.effects)).toEqual([
      'notify indexDrop:jinfang warning',
      'repeat indexDrop:jinfang warning',
    ]);

    const off = alertRulesSchema.parse({ overrides: { jinfang: { indexDrop: { enabled: false } } } });
    const closed = evaluate(held.states, { streets: [], baselines: {}, grades: DEFAULT_GRADES }, at(31), off);
    expect(closed.states.map((s) => s.status)).toEqual(['resolved']);
  });

  it("the configuration's standing silences and the caller's silences both apply", () => {
    const inputs = { streets: [street('jinfang', 82)], baselines: { jinfang: 86.8 } };
    const standing = alertRulesSchema.parse({
      indexDrop: { pendingMinutes: 0 },
      silences: [{ street: 'jinfang', endsAt: iso(60) }],
    });
    expect(evaluateOver(standing, [[0, inputs]]).effects).toEqual([]);
    const config = alertRulesSchema.parse({ indexDrop: { pendingMinutes: 0 } });
    const silenced = { ...inputs, silences: [{ rule: 'indexDrop' as const, endsAt: iso(60) }] };
    expect(evaluateOver(config, [[0, silenced]]).effects).toEqual([]);
  });

  describe('wallDown: a configured screen gone dark or frozen', () => {
    const config = alertRulesSchema.parse({ wallDown: { minutes: 5 } });
    const since = iso(-60);
    const location = { zh: '市指挥中心主屏', en: 'City command centre, main wall' };
    /** The screen as the server last heard of it: beats at `beat`, seen at `seen`, painted at `painted`. */
    const screen = (
      report: { seen: number; beat?: number; painted?: number | null; lag?: number | null } | null,
    ) => ({
      screens: [
        {
          screen: 'command-main',
          location,
          since,
          report: report && {
            lastSeenAt: iso(report.seen),
            beatAt: iso(report.beat ?? report.seen),
            paintedAt: report.painted === null ? null : iso(report.painted ?? report.beat ?? report.seen),
            lagSince: report.lag == null ? null : iso(report.lag),
          },
        },
      ],
    });
    const said = (effects: AlertEffect[]) =>
      effects.map(
        (e) =>
          `${e.kind} ${e.alert.key} ${e.audience.join('+')} ${e.alert.detail.rule === 'wallDown' ? e.alert.detail.state : ''}`,
      );

    it('a screen silent for its minutes is dark, tells operators once, and resolves when it beats again', () => {
      const { effects, states } = evaluateOver(config, [
        [0, screen({ seen: 0 })],
        [4, screen({ seen: 0 })],
        [6, screen({ seen: 0 })],
        [8, screen({ seen: 0 })],
        [9, screen({ seen: 9 })],
      ]);
      expect(said(effects)).toEqual([
        'notify wallDown:command-main operators dark',
        'resolved-notify wallDown:command-main operators ok',
      ]);
      expect(states[0]).toMatchObject({ screen: 'command-main', street: null, status: 'resolved' });
    });

    it('a screen that beats but has not painted, or not applied the deltas, for its minutes is frozen', () => {
      const painting = evaluateOver(config, [
        [0, screen({ seen: 0, painted: 0 })],
        [4, screen({ seen: 4, painted: 0 })],
        [6, screen({ seen: 6, painted: 0 })],
        [7, screen({ seen: 7, painted: 7 })],
      ]);
      expect(said(painting.effects)).toEqual([
        'notify wallDown:command-main operators frozen',
        'resolved-notify wallDown:command-main operators ok',
      ]);
      const lagging = evaluateOver(config, [
        [0, screen({ seen: 0, lag: 0 })],
        [6, screen({ seen: 6, lag: 0 })],
      ]);
      expect(lagging.states[0]?.detail).toMatchObject({ state: 'frozen', reason: 'seq', forMinutes: 6 });
      // Lagging less than its minutes, or not saying what it applied, is not frozen.
      expect(evaluateOver(config, [[6, screen({ seen: 6, lag: 2 })]]).effects).toEqual([]);
      expect(evaluateOver(config, [[6, screen({ seen: 6, painted: null })]]).effects).toEqual([]);
    });

    it('a screen that was closed goes dark, not frozen, though it stopped painting when it stopped beating', () => {
      const { states } = evaluateOver(config, [[6, screen({ seen: 0.5, beat: 0, painted: 0 })]]);
      expect(states[0]?.detail).toMatchObject({ state: 'dark', reason: null });
    });

    it('a screen never seen is dark once the server has been up its minutes, and a screen taken out of the configuration clears', () => {
      const never = evaluateOver(config, [
        [-58, screen(null)],
        [0, screen(null)],
      ]);
      expect(said(never.effects)).toEqual(['notify wallDown:command-main operators dark']);
      expect(never.states[0]?.detail).toMatchObject({ lastSeenAt: null, since });
      expect(evaluateOver(config, [[-58, screen(null)]]).effects).toEqual([]);
      const removed = evaluate(
        never.states,
        { streets: [], baselines: {}, grades: DEFAULT_GRADES, screens: [] },
        at(1),
        config,
      );
      expect(removed.states.map((s) => s.status)).toEqual(['resolved']);
    });

    it('watches nothing when disabled or when no screen is configured', () => {
      const off = alertRulesSchema.parse({ wallDown: { enabled: false } });
      expect(evaluateOver(off, [[10, screen({ seen: 0 })]]).effects).toEqual([]);
      expect(evaluateOver(config, [[10, { screens: [] }]]).effects).toEqual([]);
    });
  });
});

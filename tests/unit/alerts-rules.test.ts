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
});

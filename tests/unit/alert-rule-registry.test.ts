/**
 * The rule registry's machinery, shown with a rule that exists only here: "lowIndex" fires when a
 * street's index is below a configured floor. Added to the city's rules, it is validated, defaulted
 * and overridden per street, evaluated through the lifecycle and explained — with no line of the
 * alerting core naming it.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  ALERT_RULES,
  DEFAULT_RULES,
  RULE_DEFINITIONS,
  alertRuleSet,
  minutes,
  type AlertInputs,
  type AlertRuleDefinition,
  type ExplainConfig,
} from '../../shared/alerts/index.js';
import { DEFAULT_GRADES } from '../../shared/index/index.js';

const lowIndexFields = z.strictObject({
  enabled: z.boolean(),
  /** Fire while the street's index is below this. */
  floor: z.number().finite().min(0).max(100),
  pendingMinutes: minutes,
});
type LowIndexRule = z.infer<typeof lowIndexFields>;
interface LowIndexDetail {
  rule: 'lowIndex';
  index: number;
  floor: number;
}

type LowIndex = AlertRuleDefinition<'lowIndex', LowIndexRule, LowIndexDetail>;

const lowIndex: LowIndex = {
  id: 'lowIndex',
  fields: lowIndexFields,
  defaults: { enabled: true, floor: 60, pendingMinutes: 5 },
  audience: ['street'],
  timing: (rule) => ({ pendingMinutes: rule.pendingMinutes }),
  observe: (inputs, { ruleOf }) =>
    inputs.streets.flatMap((street) => {
      const rule = ruleOf(street.code);
      if (!rule.enabled || street.index === null) return [];
      return [
        {
          key: { rule: 'lowIndex', street: street.code },
          condition: street.index < rule.floor ? 'breach' : 'clear',
          severity: 'warning',
          detail: { rule: 'lowIndex', index: street.index, floor: rule.floor },
        },
      ];
    }),
  explain: (detail, street, _context, lang) =>
    lang === 'zh'
      ? { title: `${street.zh}平安指数低于 ${detail.floor}`, body: `平安指数 ${detail.index}` }
      : { title: `${street.en} Safety Index below ${detail.floor}`, body: `Index ${detail.index}` },
  explainResolved: (detail, street, _context, lang) =>
    lang === 'zh'
      ? { title: `${street.zh}平安指数已回到 ${detail.floor} 以上`, body: `平安指数 ${detail.index}` }
      : { title: `${street.en} Safety Index back above ${detail.floor}`, body: `Index ${detail.index}` },
};

// What tsc refuses (npm run check type-checks the tests): a rule without its defaults, or without
// the text of its resolution, is no rule definition.
// @ts-expect-error no defaults
const _noDefaults: LowIndex = { ...lowIndex, defaults: undefined };
const { explainResolved: _dropped, ...withoutResolution } = lowIndex;
// @ts-expect-error no explanation of the resolution
const _noResolution: LowIndex = withoutResolution;

const rules = alertRuleSet([...RULE_DEFINITIONS, lowIndex]);

const issuesOf = (input: unknown) =>
  (rules.schema.safeParse(input).error?.issues ?? []).map((i) => `${i.path.join('.')}: ${i.message}`);

const T0 = Date.parse('2026-11-25T02:00:00Z');
const at = (minute: number) => new Date(T0 + minute * 60_000);

const explainConfig: ExplainConfig = {
  city: { timezone: 'Asia/Shanghai' },
  streets: [
    { code: 'jinfang', name: { zh: '金方', en: 'Jinfang' } },
    { code: 'lianran', name: { zh: '连然', en: 'Lianran' } },
  ],
  indicators: [],
  grades: DEFAULT_GRADES,
};

/** Two streets at the given indices, unranked (so the rank rule stays out of it), without baselines. */
const city = (jinfang: number, lianran: number): AlertInputs => ({
  streets: [
    { code: 'jinfang', index: jinfang, rank: null, provisional: false },
    { code: 'lianran', index: lianran, rank: null, provisional: false },
  ],
  baselines: {},
  grades: DEFAULT_GRADES,
});

describe('a rule added to the registry', () => {
  it("is a rule of the set: its id, and its configuration's schema, which refuses a bad value naming the path", () => {
    expect(rules.ids).toContain('lowIndex');
    expect(issuesOf({ lowIndex: { floor: 120 } })).toEqual([
      expect.stringMatching(/^lowIndex\.floor: Too big/),
    ]);
    expect(issuesOf({ overrides: { jinfang: { lowIndex: { flor: 50 } } } })).toEqual([
      expect.stringMatching(/^overrides\.jinfang\.lowIndex: Unrecognized key: "flor"/),
    ]);
    // Silences may name it, and only rules of the set.
    const endsAt = '2026-11-26T00:00:00Z';
    expect(issuesOf({ silences: [{ rule: 'lowIndex', endsAt }] })).toEqual([]);
    expect(issuesOf({ silences: [{ rule: 'lowIndx', endsAt }] })).toEqual([
      expect.stringMatching(/^silences\.0\.rule: /),
    ]);
  });

  it("has its defaults, which the city's file and a street's override change one value at a time", () => {
    expect(rules.schema.parse({}).lowIndex).toEqual({ enabled: true, floor: 60, pendingMinutes: 5 });
    const config = rules.schema.parse({
      lowIndex: { pendingMinutes: 0 },
      overrides: { jinfang: { lowIndex: { floor: 80 } } },
    });
    expect(rules.rulesFor(config, 'jinfang').lowIndex).toEqual({
      enabled: true,
      floor: 80,
      pendingMinutes: 0,
    });
    expect(rules.rulesFor(config, 'lianran').lowIndex).toEqual({
      enabled: true,
      floor: 60,
      pendingMinutes: 0,
    });
    // The city's rules are all still there, untouched.
    expect(rules.rulesFor(config, 'jinfang').indexDrop).toEqual(DEFAULT_RULES.indexDrop);
  });

  it('opens an alert after its pending period, explains it, and resolves it once the index is back', () => {
    const config = rules.schema.parse({ overrides: { jinfang: { lowIndex: { floor: 80 } } } });
    let states: ReturnType<typeof rules.evaluate>['states'] = [];
    const run = (minute: number, inputs: AlertInputs) => {
      const evaluation = rules.evaluate(states, inputs, at(minute), config);
      states = evaluation.states;
      return evaluation;
    };

    // 金方 (floor 80) is below its floor at 70; 连然 (the city's floor of 60) is not.
    expect(run(0, city(70, 70)).effects).toEqual([]);
    expect(states.map((s) => `${s.key} ${s.status}`)).toEqual(['lowIndex:jinfang pending']);
    const fired = run(5, city(70, 70));
    expect(fired.effects.map((e) => `${e.kind} ${e.alert.key} ${e.audience.join(',')}`)).toEqual([
      'notify lowIndex:jinfang street',
    ]);
    const firing = states.find((s) => s.key === 'lowIndex:jinfang')!;
    expect(firing.status).toBe('firing');
    expect(rules.explainAlert(firing, { config: explainConfig })).toEqual({
      zh: { title: '金方街道平安指数低于 80', body: '平安指数 70' },
      en: { title: 'Jinfang Safety Index below 80', body: 'Index 70' },
    });

    const recovered = run(10, city(85, 70));
    expect(recovered.effects.map((e) => `${e.kind} ${e.alert.key}`)).toEqual([
      'resolved-notify lowIndex:jinfang',
    ]);
    const resolved = states.find((s) => s.key === 'lowIndex:jinfang')!;
    expect(resolved.status).toBe('resolved');
    expect(rules.explainAlert(resolved, { config: explainConfig }).zh.title).toBe(
      '金方街道平安指数已回到 80 以上',
    );
  });

  it('clears its open alert when the rule is switched off for the street', () => {
    const on = rules.schema.parse({ lowIndex: { pendingMinutes: 0 } });
    const opened = rules.evaluate([], city(50, 70), at(0), on);
    expect(opened.states.map((s) => `${s.key} ${s.status}`)).toEqual(['lowIndex:jinfang firing']);
    const off = rules.schema.parse({
      lowIndex: { pendingMinutes: 0 },
      overrides: { jinfang: { lowIndex: { enabled: false } } },
    });
    const after = rules.evaluate(opened.states, city(50, 70), at(1), off);
    expect(after.states.map((s) => `${s.key} ${s.status}`)).toEqual(['lowIndex:jinfang resolved']);
  });
});

describe("the city's rule set", () => {
  it('has the defaults it had before the rules had a file each: no drift', () => {
    const before = {
      indexDrop: {
        enabled: true,
        points: 3,
        criticalPoints: 6,
        baselineDays: 7,
        pendingMinutes: 10,
        hysteresis: 1,
      },
      gradeDown: { enabled: true, margin: 1, pendingMinutes: 10 },
      rank: { enabled: true, k: 1, pendingMinutes: 30 },
      zeroTolerance: { enabled: true, categories: ['robbery', 'fire'], withinHours: 24 },
      feedStale: { enabled: true, minutes: 15 },
      redMonths: { enabled: true, warnAt: 3, interviewAt: 4 },
      wallDown: { enabled: true, minutes: 5 },
      repeatMinutes: 30,
      escalateMinutes: 60,
    };
    expect(DEFAULT_RULES).toEqual(before);
    const { silences, overrides, ...parsed } = ALERT_RULES.schema.parse({});
    expect(parsed).toEqual(before);
    expect({ silences, overrides }).toEqual({ silences: [], overrides: {} });
    expect(ALERT_RULES.ids).toEqual([
      'indexDrop',
      'gradeDown',
      'rank',
      'zeroTolerance',
      'feedStale',
      'redMonths',
      'wallDown',
    ]);
  });
});

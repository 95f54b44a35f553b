/**
 * One evaluation of every rule for every street: observe what the city looks like now, then advance
 * each key's alert through the lifecycle. The server calls this on every recompute (and on a timer,
 * so repeats and escalations happen even when nothing changes) and carries out the effects. Knows no
 * rule by name: each rule's definition observes, and says its timing and audience.
 */
import {
  keyOf,
  type AlertEffect,
  type AlertKey,
  type AlertState,
  type Audience,
  type Observation,
  type RuleDetail,
} from './alert.js';
import { fieldsIn, type Timing } from './config.js';
import type { AlertInputs } from './inputs.js';
import { advance, type LifecycleParams, type StepResult } from './lifecycle.js';
import type { AnyRuleDefinition } from './rules/definition.js';
import type { SilenceOf } from './silences.js';

export interface Evaluation<Detail extends RuleDetail = RuleDetail> {
  /** Every open alert after this evaluation, and those that resolved in it; ordered by key. */
  states: AlertState<Detail>[];
  /** What the server must send, in key order. */
  effects: AlertEffect<Detail>[];
}

/**
 * The evaluation of a list of rules, given how a street's rules are read from a configuration
 * (config.ts `rulesFor`).
 */
export function ruleEvaluation<
  Detail extends RuleDetail,
  Rules extends Timing,
  Config extends { silences: readonly SilenceOf[] },
>(definitions: readonly AnyRuleDefinition[], rulesFor: (config: Config, street?: string | null) => Rules) {
  const byId = new Map(definitions.map((definition) => [definition.id, definition]));
  const definitionOf = (rule: string): AnyRuleDefinition => {
    const definition = byId.get(rule);
    if (!definition) throw new Error(`no alert rule ${rule}`);
    return definition;
  };
  const audienceOf = (rule: string): readonly Audience[] => definitionOf(rule).audience;

  /** The lifecycle timing of one rule under one street's rules. */
  function lifecycleParams(
    rule: Detail['rule'],
    rules: Rules,
    silences: readonly SilenceOf[] = [],
  ): LifecycleParams {
    const timing = { repeatMinutes: rules.repeatMinutes, escalateMinutes: rules.escalateMinutes, silences };
    const definition = definitionOf(rule);
    return { ...timing, ...definition.timing(fieldsIn(rules, rule)) };
  }

  /**
   * Advances one alert by one observation at `now` (lifecycle.ts), its notifications for the
   * audience of the observation's rule.
   */
  function step(
    state: AlertState<Detail> | null,
    observation: Observation<Detail>,
    now: Date,
    params: LifecycleParams,
  ): StepResult<Detail> {
    return advance(state, observation, now, params, audienceOf(observation.key.rule));
  }

  /**
   * Every rule's observation for every street (and feed, and event) that has the data for it.
   * `previous` gives the open alerts by key: an open grade-down alert keeps the edge it opened with.
   */
  function observe(
    inputs: AlertInputs,
    now: Date,
    config: Config,
    previous: ReadonlyMap<string, AlertState<Detail>> = new Map(),
  ): Observation<Detail>[] {
    const streets = new Map<string | null, Rules>();
    const rulesOf = (street: string | null): Rules => {
      let found = streets.get(street);
      if (!found) streets.set(street, (found = rulesFor(config, street)));
      return found;
    };
    return definitions.flatMap((definition) =>
      definition.observe(inputs, {
        now,
        ruleOf: (street) => fieldsIn(rulesOf(street), definition.id),
        open: (key: AlertKey) => {
          const alert = previous.get(keyOf({ ...key, rule: definition.id }));
          return alert?.rule === definition.id ? alert : undefined;
        },
      }),
    ) as Observation<Detail>[];
  }

  /**
   * Evaluates every rule at `now` and advances every alert.
   *
   * An open alert whose key was not observed this time holds (its street has no index right now, say),
   * so repeats and escalations still run — except an alert of a rule that clears when unobserved (a
   * zero-tolerance alert whose event is no longer passed in), and an alert of a rule that has been
   * disabled: those clear.
   *
   * @param previous the alerts as the last evaluation left them (resolved ones are ignored).
   */
  function evaluate(
    previous: readonly AlertState<Detail>[],
    inputs: AlertInputs,
    now: Date,
    config: Config,
  ): Evaluation<Detail> {
    const open = new Map(previous.filter((s) => s.status !== 'resolved').map((s) => [s.key, s]));
    const silences = [...config.silences, ...(inputs.silences ?? [])];
    const observations = new Map<string, Observation<Detail>>();
    for (const observation of observe(inputs, now, config, open)) {
      const key = keyOf(observation.key);
      // One observation per key: an event passed in twice is still one alert.
      if (!observations.has(key)) observations.set(key, observation);
    }
    for (const [key, alert] of open) {
      if (observations.has(key)) continue;
      const enabled = fieldsIn(rulesFor(config, alert.street), alert.rule).enabled;
      const condition = definitionOf(alert.rule).whenUnobserved === 'clear' || !enabled ? 'clear' : 'hold';
      const { rule, street, feed, screen, event } = alert;
      observations.set(key, {
        key: {
          rule,
          street,
          ...(feed !== undefined && { feed }),
          ...(screen !== undefined && { screen }),
          ...(event !== undefined && { event }),
        },
        condition,
        severity: alert.severity,
        detail: alert.detail,
      });
    }

    const states: AlertState<Detail>[] = [];
    const effects: AlertEffect<Detail>[] = [];
    for (const key of [...observations.keys()].sort()) {
      const observation = observations.get(key)!;
      const params = lifecycleParams(
        observation.key.rule,
        rulesFor(config, observation.key.street),
        silences,
      );
      const result = step(open.get(key) ?? null, observation, now, params);
      if (result.state) states.push(result.state);
      effects.push(...result.effects);
    }
    return { states, effects };
  }

  return { lifecycleParams, step, observe, evaluate };
}

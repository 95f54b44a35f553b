/**
 * One evaluation of every rule for every street: observe what the city looks like now, then advance
 * each key's alert through the lifecycle. The server calls this on every recompute (and on a timer,
 * so repeats and escalations happen even when nothing changes) and carries out the effects.
 */
import type { LiveStreet } from '../api.js';
import type { GradeBand } from '../index/types.js';
import { rulesFor, type AlertRules, type Silence, type StreetRules } from './config.js';
import { step, type LifecycleParams } from './lifecycle.js';
import {
  observeFeedStale,
  observeGradeDown,
  observeIndexDrop,
  observeRank,
  observeRedMonths,
  observeZeroTolerance,
  type FeedFreshness,
  type MonthlyGrade,
  type ZeroToleranceEvent,
} from './observe.js';
import { keyOf, type AlertEffect, type AlertState, type Observation, type RuleId } from './types.js';

/** What the rules look at. Everything is read by the caller; nothing here touches a database. */
export interface AlertInputs {
  /** The live index of each street (index, rank, provisional). */
  streets: readonly Pick<LiveStreet, 'code' | 'index' | 'rank' | 'provisional'>[];
  /**
   * Street code → its baseline: the mean of its index over `rulesFor(config, street).indexDrop.baselineDays`
   * days before the most recent one (BASELINE_LAG_DAYS)
   * (null while there is too little history).
   */
  baselines: Readonly<Record<string, number | null | undefined>>;
  grades: readonly GradeBand[];
  /** Recent incidents that may be zero-tolerance events (any superset: the rule filters). */
  events?: readonly ZeroToleranceEvent[];
  feeds?: readonly FeedFreshness[];
  /** Street code → its published months. */
  monthlyGrades?: Readonly<Record<string, readonly MonthlyGrade[]>>;
  /** Silences created at run time (POST /api/silences); the configuration's standing ones are added. */
  silences?: readonly Silence[];
}

export interface Evaluation {
  /** Every open alert after this evaluation, and those that resolved in it; ordered by key. */
  states: AlertState[];
  /** What the server must send, in key order. */
  effects: AlertEffect[];
}

/** The lifecycle timing of one rule under one street's rules. */
export function lifecycleParams(
  rule: RuleId,
  rules: StreetRules,
  silences: readonly Silence[] = [],
): LifecycleParams {
  const timing = { repeatMinutes: rules.repeatMinutes, escalateMinutes: rules.escalateMinutes, silences };
  switch (rule) {
    case 'indexDrop':
      return { ...timing, pendingMinutes: rules.indexDrop.pendingMinutes };
    case 'gradeDown':
      return { ...timing, pendingMinutes: rules.gradeDown.pendingMinutes };
    case 'rank':
      // Ranks have no numeric hysteresis; holding both ways is what stops near-ties from flapping.
      return {
        ...timing,
        pendingMinutes: rules.rank.pendingMinutes,
        clearMinutes: rules.rank.pendingMinutes,
      };
    case 'zeroTolerance':
      // The event does not "recover": telling the street head it aged out would be noise.
      return { ...timing, pendingMinutes: 0, notifyResolved: false };
    case 'feedStale':
    case 'redMonths':
      return { ...timing, pendingMinutes: 0 };
  }
}

/**
 * Every rule's observation for every street (and feed, and event) that has the data for it.
 * `previous` gives the open alerts by key: an open grade-down alert keeps the edge it opened with.
 */
export function observe(
  inputs: AlertInputs,
  now: Date,
  config: AlertRules,
  previous: ReadonlyMap<string, AlertState> = new Map(),
): Observation[] {
  const rules = new Map<string, StreetRules>();
  const rulesOf = (street: string): StreetRules => {
    let found = rules.get(street);
    if (!found) rules.set(street, (found = rulesFor(config, street)));
    return found;
  };
  const observations: Observation[] = [];
  const add = (observation: Observation | null) => {
    if (observation) observations.push(observation);
  };

  for (const street of inputs.streets) {
    const mine = rulesOf(street.code);
    const baseline = inputs.baselines[street.code];
    add(observeIndexDrop(street.code, street.index, baseline, mine.indexDrop, street.provisional));
    const open = previous.get(keyOf({ rule: 'gradeDown', street: street.code }))?.detail;
    const frozen = open?.rule === 'gradeDown' ? { edge: open.edge, from: open.from } : null;
    add(
      observeGradeDown(
        street.code,
        street.index,
        baseline,
        inputs.grades,
        mine.gradeDown,
        frozen,
        street.provisional,
      ),
    );
  }
  // Published months do not depend on the live index: a street without one still has its record.
  for (const [code, months] of Object.entries(inputs.monthlyGrades ?? {}))
    add(observeRedMonths(code, months, inputs.grades, rulesOf(code).redMonths));
  observations.push(...observeRank(inputs.streets, rulesOf));
  observations.push(...observeZeroTolerance(inputs.events ?? [], now, (s) => rulesOf(s).zeroTolerance));
  observations.push(...observeFeedStale(inputs.feeds ?? [], now, rulesFor(config).feedStale));
  return observations;
}

function ruleEnabled(rule: RuleId, rules: StreetRules): boolean {
  return rules[rule].enabled;
}

/**
 * Evaluates every rule at `now` and advances every alert.
 *
 * An open alert whose key was not observed this time holds (its street has no index right now, say),
 * so repeats and escalations still run — except a zero-tolerance alert whose event is no longer
 * passed in, and an alert of a rule that has been disabled: those clear.
 *
 * @param previous the alerts as the last evaluation left them (resolved ones are ignored).
 */
export function evaluate(
  previous: readonly AlertState[],
  inputs: AlertInputs,
  now: Date,
  config: AlertRules,
): Evaluation {
  const open = new Map(previous.filter((s) => s.status !== 'resolved').map((s) => [s.key, s]));
  const silences = [...config.silences, ...(inputs.silences ?? [])];
  const observations = new Map<string, Observation>();
  for (const observation of observe(inputs, now, config, open)) {
    const key = keyOf(observation.key);
    // One observation per key: an event passed in twice is still one alert.
    if (!observations.has(key)) observations.set(key, observation);
  }
  for (const [key, alert] of open) {
    if (observations.has(key)) continue;
    const enabled = ruleEnabled(alert.rule, rulesFor(config, alert.street));
    const condition = alert.rule === 'zeroTolerance' || !enabled ? 'clear' : 'hold';
    const { rule, street, feed, event } = alert;
    observations.set(key, {
      key: { rule, street, ...(feed !== undefined && { feed }), ...(event !== undefined && { event }) },
      condition,
      severity: alert.severity,
      detail: alert.detail,
    });
  }

  const states: AlertState[] = [];
  const effects: AlertEffect[] = [];
  for (const key of [...observations.keys()].sort()) {
    const observation = observations.get(key)!;
    const params = lifecycleParams(observation.key.rule, rulesFor(config, observation.key.street), silences);
    const result = step(open.get(key) ?? null, observation, now, params);
    if (result.state) states.push(result.state);
    effects.push(...result.effects);
  }
  return { states, effects };
}

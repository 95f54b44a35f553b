/**
 * One interface for every alert rule: what it is configured with, what it looks at, when it breaches,
 * how its alert times out, and how it explains itself. One file per rule (rules/<rule>.ts) exports
 * an `AlertRuleDefinition`; the registry (rules/index.ts) lists them, and everything rule-shaped —
 * the configuration schema, the defaults, the per-street merge, the evaluation and the explanations —
 * is built from that list (rule-set.ts).
 */
import type { z } from 'zod';
import type { GradeBand } from '../../index/types.js';
import type { CommunityNames, Names } from '../../names.js';
import type { AlertKey, AlertState, Audience, Observation, RuleDetail } from '../alert.js';
import type { AlertInputs } from '../inputs.js';
import type { LifecycleParams } from '../lifecycle.js';
import type { Lang, Message } from '../text.js';
import type { IndicatorLabel, RecentEvents, StreetFigures } from '../why.js';

export type { RuleDetail } from '../alert.js';

/** What every rule's configuration has: a switch (an alert of a rule switched off clears). */
export interface RuleFields {
  enabled: boolean;
}

/** The part of an alert's lifecycle timing a rule decides (repeats, escalation and silences are the city's). */
export type RuleTiming = Pick<LifecycleParams, 'pendingMinutes' | 'clearMinutes' | 'notifyResolved'>;

/** What a rule's `observe` is given besides the inputs. */
export interface ObserveContext<Id extends string, Fields extends RuleFields, Detail extends RuleDetail<Id>> {
  now: Date;
  /** The rule's configuration for a street (its overrides merged in); for null, the city's. */
  ruleOf(street: string | null): Fields;
  /** The rule's open alert of a key, as the last evaluation left it. */
  open(key: AlertKey<Id>): AlertState<Detail> | undefined;
}

/** The parts of the city configuration the text needs (a parsed CityConfig fits). */
export interface ExplainConfig {
  city: { timezone: string };
  /** `communityNames`: how the text names a community in each language (shared/names.ts). */
  streets: readonly { code: string; name: Names; communityNames?: CommunityNames }[];
  indicators: readonly IndicatorLabel[];
  grades: readonly GradeBand[];
}

export interface ExplainContext {
  config: ExplainConfig;
  /** The alert's street (its code), set by the explainer for the rule: whose communities to name. */
  street?: string | null;
  /** The street at the baseline and now, to name the indicators that moved (street rules). */
  before?: StreetFigures | null;
  after?: StreetFigures | null;
  /** The street's recent events by category and community. */
  events?: RecentEvents | null;
  /** How many indicators to name (default 3). */
  drivers?: number;
}

/**
 * An alert rule. `Fields` is its configuration, `Detail` what it saw at its last observation
 * (`rule` set to its id, so the details of all rules form a union the explanation switches on).
 */
export interface AlertRuleDefinition<
  Id extends string = string,
  Fields extends RuleFields = RuleFields,
  Detail extends RuleDetail<Id> = RuleDetail<Id>,
> {
  readonly id: Id;
  /**
   * Its configuration, a `z.strictObject` with no zod defaults on purpose: zod 4 fills defaults inside
   * `.partial()`, and a street's override `{ indexDrop: { points: 4 } }` must not reset the city's
   * other indexDrop values. The defaults live in `defaults` and are merged in by `complete`.
   */
  readonly fields: z.ZodObject<z.core.$ZodLooseShape, z.core.$strict> & z.ZodType<Fields>;
  readonly defaults: Fields;
  /** Who hears of its alerts (escalations go to the leaders whatever this says). */
  readonly audience: readonly Audience[];
  /**
   * Its explanation names the indicators and the events behind a street's change: the server reads
   * the street before the alert opened and its recent events for it (ExplainContext before/events).
   */
  readonly explainsChange?: boolean;
  /**
   * What an open alert whose key was not observed this time does: `hold` (the default: its street
   * has no index right now, say — repeats and escalations still run) or `clear`.
   */
  readonly whenUnobserved?: 'hold' | 'clear';
  /** Thresholds of its configuration that contradict each other, as `[path within the rule, message]`. */
  contradictions?(rule: Fields): [path: string[], message: string][];
  /** Its pending period and how it resolves, under one street's configuration. */
  timing(rule: Fields): RuleTiming;
  /** Its observations of everything in the inputs it has the data for (nothing when disabled). */
  observe(inputs: AlertInputs, context: ObserveContext<Id, Fields, Detail>): Observation<Detail>[];
  /** The title and body of its alert: what happened, and why. */
  explain(detail: Detail, street: Names, context: ExplainContext, lang: Lang): Message;
  /** The message of its resolution: what is back to normal, and the value now. */
  explainResolved(detail: Detail, street: Names, context: ExplainContext, lang: Lang): Message;
}

/** Any rule: every definition is one (its methods are only ever given its own fields and details). */
export type AnyRuleDefinition = AlertRuleDefinition<string, RuleFields, RuleDetail>;

/** The configuration type of a rule definition. */
export type FieldsOf<D> = D extends { defaults: infer F extends RuleFields } ? F : never;
/** The detail type of a rule definition. */
export type DetailOf<D> =
  D extends AlertRuleDefinition<string, RuleFields, infer X> ? (X extends RuleDetail ? X : never) : never;

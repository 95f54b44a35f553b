/**
 * The alert rules of DESIGN.md "Alerts", one file each, and everything the city's rules are built
 * into: the rule ids, the configuration schema and its defaults, the per-street merge, the lifecycle
 * timing, the evaluation and the explanations. A new rule is a file beside these and a line below.
 */
import type { z } from 'zod';
import type { StreetRulesOf, AlertRulesOf } from '../config.js';
import { alertRuleSet } from '../rule-set.js';
import type { DetailOf } from './definition.js';
import { feedStaleRule } from './feedStale.js';
import { gradeDownRule } from './gradeDown.js';
import { indexDropRule } from './indexDrop.js';
import { rankRule } from './rank.js';
import { redMonthsRule } from './redMonths.js';
import { wallDownRule } from './wallDown.js';
import { zeroToleranceRule } from './zeroTolerance.js';

export * from './feedStale.js';
export * from './gradeDown.js';
export * from './indexDrop.js';
export * from './rank.js';
export * from './redMonths.js';
export * from './wallDown.js';
export * from './zeroTolerance.js';

/** Every rule, in the order the configuration lists them. */
export const RULE_DEFINITIONS = [
  indexDropRule,
  gradeDownRule,
  rankRule,
  zeroToleranceRule,
  feedStaleRule,
  redMonthsRule,
  wallDownRule,
] as const;

type Definitions = typeof RULE_DEFINITIONS;

export const ALERT_RULES = alertRuleSet(RULE_DEFINITIONS);

/** The rule ids. */
export const RULES = ALERT_RULES.ids;
export type RuleId = (typeof RULES)[number];

/** What the rule saw at its last observation; the explanation is written from it. */
export type AlertDetail = DetailOf<Definitions[number]>;

/** The complete rules that apply to one street (the city's, with the street's overrides merged in). */
export type StreetRules = StreetRulesOf<Definitions>;
/** The alert rules of a city: complete defaults merged with its file, plus standing silences and overrides. */
export type AlertRules = AlertRulesOf<Definitions>;

/**
 * Defaults: each rule's own (rules/<rule>.ts; the index-drop thresholds' false-alarm rates, measured
 * with noise.ts, are given beside them), and a repeat every 30 minutes and an escalation after 60
 * (config.ts).
 */
export const DEFAULT_RULES: StreetRules = ALERT_RULES.defaults;

/**
 * The `alerts` section of a city configuration. `alertRulesSchema.parse({})` gives the complete
 * defaults; `overrides` maps a street code to any part of the rules. Unknown keys are refused, so a
 * mistyped threshold (`pendingMinute`) fails loudly instead of silently keeping its default. Embed it
 * with `.prefault({})` (zod 4's `.default` would skip the transform).
 */
export const alertRulesSchema = ALERT_RULES.schema;

/**
 * A silence: notifications of the alerts it matches are withheld from `startsAt` (default: always
 * already) until `endsAt`. An absent `rule`, `street` or `feed` matches any.
 */
export const silenceSchema = ALERT_RULES.silenceSchema;
export type Silence = z.infer<typeof silenceSchema>;

/**
 * The rules that apply to one street: the city's rules with that street's overrides merged in.
 * Without a street (feed staleness is not about a street), the city's rules.
 */
export const rulesFor = ALERT_RULES.rulesFor;
/** The lifecycle timing of one rule under one street's rules. */
export const lifecycleParams = ALERT_RULES.lifecycleParams;
/** Advances one alert by one observation at `now`, its notifications for the rule's audience. */
export const step = ALERT_RULES.step;
/** Evaluates every rule at `now` and advances every alert. */
export const evaluate = ALERT_RULES.evaluate;
/** The explanation of an alert in both languages (explain.ts). */
export const explainAlert = ALERT_RULES.explainAlert;
/** Whether a rule's explanation names the indicators and events behind a street's change. */
export const explainsChange = ALERT_RULES.explainsChange;

/**
 * A rule set: everything rule-shaped built from a list of rule definitions — the configuration
 * schema and its defaults, the per-street merge, the lifecycle timing, the evaluation and the
 * explanations. The city's is `alertRuleSet(RULE_DEFINITIONS)` (rules/index.ts); a test can build
 * one from a rule of its own.
 */
import { ruleConfiguration, type AlertRulesOf, type RuleDefinitions, type StreetRulesOf } from './config.js';
import { ruleEvaluation } from './evaluate.js';
import { explainer, type Explainable } from './explain.js';
import type { DetailOf, ExplainContext } from './rules/definition.js';
import type { AlertText } from './text.js';

export function alertRuleSet<const Defs extends RuleDefinitions>(definitions: Defs) {
  type Detail = DetailOf<Defs[number]>;
  const configuration = ruleConfiguration(definitions);
  const evaluation = ruleEvaluation<Detail, StreetRulesOf<Defs>, AlertRulesOf<Defs>>(
    definitions,
    configuration.rulesFor,
  );
  const explain: (alert: Explainable<Detail>, context: ExplainContext) => AlertText = explainer(definitions);
  const changeExplained = new Set<string>(definitions.filter((d) => d.explainsChange).map((d) => d.id));
  return {
    definitions,
    ...configuration,
    ...evaluation,
    explainAlert: explain,
    /** Whether the rule's explanation names the indicators and events behind a street's change. */
    explainsChange: (rule: Detail['rule']): boolean => changeExplained.has(rule),
  };
}

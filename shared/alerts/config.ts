/**
 * The alert rules of a city (the `alerts` section of its configuration file): every threshold,
 * pending period and notification interval, with defaults, and per-street overrides of any of them.
 * Built from the list of rule definitions: each rule's fields and defaults live in rules/<rule>.ts,
 * the repeat and escalation intervals (the same for every rule) here.
 */
import { z } from 'zod';
import type { AnyRuleDefinition, FieldsOf, RuleFields } from './rules/definition.js';
import { silenceSchemaOf, type SilenceOf } from './silences.js';

/** Minutes; 0 means "at once" for a pending period and "never" for a repeat or an escalation. */
export const minutes = z.number().finite().nonnegative();

/** What every rule shares: how often a firing alert is repeated, and when it escalates. */
export interface Timing {
  /** Repeat a notification this often while firing and unacknowledged (0: never). */
  repeatMinutes: number;
  /** Escalate to leaders when not acknowledged this long after the notification (0: never). */
  escalateMinutes: number;
}

export const DEFAULT_TIMING: Timing = { repeatMinutes: 30, escalateMinutes: 60 };

export type RuleDefinitions = readonly AnyRuleDefinition[];
export type RuleIdOf<Defs extends RuleDefinitions> = Defs[number]['id'];

/** The complete rules that apply to one street (the city's, with the street's overrides merged in). */
export type StreetRulesOf<Defs extends RuleDefinitions> = {
  [D in Defs[number] as D['id']]: FieldsOf<D>;
} & Timing;

/** Any part of the rules, at any depth of one rule: what a street overrides. */
export type RuleOverridesOf<Defs extends RuleDefinitions> = {
  [D in Defs[number] as D['id']]?: Partial<FieldsOf<D>>;
} & Partial<Timing>;

/** The alert rules of a city: complete defaults merged with its file, plus standing silences and overrides. */
export type AlertRulesOf<Defs extends RuleDefinitions> = StreetRulesOf<Defs> & {
  silences: SilenceOf<RuleIdOf<Defs>>[];
  overrides: Record<string, RuleOverridesOf<Defs>>;
};

/** What the `alerts` section of a file may say: any part of the rules, silences, per-street overrides. */
export type AlertRulesInputOf<Defs extends RuleDefinitions> = RuleOverridesOf<Defs> & {
  silences?: SilenceOf<RuleIdOf<Defs>>[];
  overrides?: Record<string, RuleOverridesOf<Defs>>;
};

/** One rule's configuration in a street's rules: every definition's id is a key of them. */
export function fieldsIn(rules: Timing, rule: string): RuleFields {
  const fields = (rules as unknown as Partial<Record<string, RuleFields>>)[rule];
  if (fields === undefined) throw new Error(`no configuration of the alert rule ${rule}`);
  return fields;
}

/** Keys of the `alerts` section that are not rules. */
const SHARED_KEYS = new Set(['repeatMinutes', 'escalateMinutes', 'silences', 'overrides']);

/**
 * The configuration of a list of rules: its schema, defaults, merge and per-street rules.
 * Throws when two rules share an id, or an id is one of the shared keys.
 */
export function ruleConfiguration<const Defs extends RuleDefinitions>(definitions: Defs) {
  type Rules = StreetRulesOf<Defs>;
  type Overrides = RuleOverridesOf<Defs>;
  type AlertRules = AlertRulesOf<Defs>;

  const ids = definitions.map((definition) => definition.id);
  const [first, ...rest] = ids;
  if (first === undefined) throw new Error('an alert rule set needs at least one rule');
  for (const [i, id] of ids.entries())
    if (ids.indexOf(id) !== i || SHARED_KEYS.has(id))
      throw new Error(`alert rule id ${id} is used twice or names a shared key`);
  const ruleIds = [first, ...rest] as [RuleIdOf<Defs>, ...RuleIdOf<Defs>[]];

  const defaults = {
    ...Object.fromEntries(definitions.map((definition) => [definition.id, definition.defaults])),
    ...DEFAULT_TIMING,
  } as Rules;

  const overridesSchema = z
    .strictObject({
      ...Object.fromEntries(definitions.map((definition) => [definition.id, definition.fields.partial()])),
      repeatMinutes: minutes,
      escalateMinutes: minutes,
    })
    .partial();

  const silenceSchema = silenceSchemaOf(ruleIds);

  /** Merges overrides over complete rules, one level into each rule. */
  function complete(base: Rules, overrides: Overrides | undefined): Rules {
    const o = (overrides ?? {}) as Partial<Record<string, Partial<RuleFields>>> & Partial<Timing>;
    return {
      ...Object.fromEntries(
        definitions.map((definition) => [
          definition.id,
          { ...fieldsIn(base, definition.id), ...o[definition.id] },
        ]),
      ),
      repeatMinutes: o.repeatMinutes ?? base.repeatMinutes,
      escalateMinutes: o.escalateMinutes ?? base.escalateMinutes,
    } as Rules;
  }

  /** Thresholds that contradict each other, as `[path, message]`. */
  function contradictions(rules: Rules): [string[], string][] {
    return definitions.flatMap((definition) =>
      (definition.contradictions?.(fieldsIn(rules, definition.id)) ?? []).map(
        ([path, message]): [string[], string] => [[definition.id, ...path], message],
      ),
    );
  }

  /**
   * The rules that apply to one street: the city's rules with that street's overrides merged in.
   * Without a street (feed staleness is not about a street), the city's rules.
   */
  function rulesFor(config: AlertRules, street?: string | null): Rules {
    return complete(config, street == null ? undefined : config.overrides[street]);
  }

  /**
   * The `alerts` section of a city configuration. `schema.parse({})` gives the complete defaults;
   * `overrides` maps a street code to any part of the rules. Unknown keys are refused, so a
   * mistyped threshold (`pendingMinute`) fails loudly instead of silently keeping its default. Embed
   * it with `.prefault({})` (zod 4's `.default` would skip the transform).
   */
  const schema = overridesSchema
    .extend({
      silences: z.array(silenceSchema).default([]),
      overrides: z.record(z.string().min(1), overridesSchema).default({}),
    })
    .transform(({ silences, overrides, ...city }) => ({
      ...complete(defaults, city as Overrides),
      silences,
      overrides: overrides as Record<string, Overrides>,
    }))
    .superRefine((config, ctx) => {
      const city = contradictions(config);
      const seen = new Set(city.map(([path]) => path.join('.')));
      for (const [path, message] of city) ctx.addIssue({ code: 'custom', path, message });
      // A street inherits the city's contradictions; report only those its own override makes.
      for (const street of Object.keys(config.overrides))
        for (const [path, message] of contradictions(rulesFor(config as AlertRules, street)))
          if (!seen.has(path.join('.')))
            ctx.addIssue({ code: 'custom', path: ['overrides', street, ...path], message });
    });

  return {
    ids: ruleIds,
    defaults,
    // The schemas are built from the list, so zod sees string keys; their types are the registry's.
    overridesSchema: overridesSchema as unknown as z.ZodType<Overrides, Overrides>,
    silenceSchema,
    schema: schema as unknown as z.ZodType<AlertRules, AlertRulesInputOf<Defs>>,
    complete,
    rulesFor,
  };
}

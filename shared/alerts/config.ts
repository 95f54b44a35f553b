/**
 * The alert rules of a city (the `alerts` section of its configuration file): every threshold,
 * pending period and notification interval, with defaults, and per-street overrides of any of them.
 */
import { z } from 'zod';
import { incidentSchema } from '../feeds/incident.js';
import { storableInstant, withoutNul } from '../storable.js';
import { RULES } from './types.js';

/** Minutes; 0 means "at once" for a pending period and "never" for a repeat or an escalation. */
const minutes = z.number().finite().nonnegative();
/** A silence's start or end: within the years the database stores. */
const instant = storableInstant();

// Each rule's fields carry no zod defaults on purpose: zod 4 fills defaults inside `.partial()`, and a
// street's override `{ indexDrop: { points: 4 } }` must not reset the city's other indexDrop values.
// The defaults live in DEFAULT_RULES and are merged in by `complete`.

const indexDropFields = z.strictObject({
  enabled: z.boolean(),
  /** Fire when the index is this many points below its baseline. */
  points: z.number().finite().positive(),
  /** …and at `critical` severity from this many points. */
  criticalPoints: z.number().finite().positive(),
  /** The baseline is the mean of the index over this many days (see BASELINE_LAG_DAYS; the caller computes it). */
  baselineDays: z.number().int().positive(),
  /** Held for this long before firing: a dip that recovers sooner alerts nobody. */
  pendingMinutes: minutes,
  /** Resolve only when the drop is back to `points − hysteresis` or less. */
  hysteresis: z.number().finite().nonnegative(),
});

/**
 * A street's baseline is the mean of its index over the `baselineDays` whole days before the most
 * recent one, each day's mean counting once. The most recent day is left out so that a drop does not
 * dilute the norm it is measured against (a street whose index fell and stayed down would otherwise
 * "recover" as the mean followed it down); days count equally so that a live server's snapshots every
 * few minutes do not outweigh the one a day of the history recorded on a first start.
 */
export const BASELINE_LAG_DAYS = 1;

const gradeDownFields = z.strictObject({
  enabled: z.boolean(),
  /** Fire at `margin` below the lower edge of the baseline's band, resolve at `margin` above it. */
  margin: z.number().finite().nonnegative(),
  pendingMinutes: minutes,
});

const rankFields = z.strictObject({
  enabled: z.boolean(),
  /** The bottom K of the ranking (ties at the edge count as inside). */
  k: z.number().int().positive(),
  /** Held this long before firing, and before resolving: near-ties swap ranks back and forth. */
  pendingMinutes: minutes,
});

const zeroToleranceFields = z.strictObject({
  enabled: z.boolean(),
  /** Incident categories that alert at once, one alert per event. */
  categories: z.array(incidentSchema.shape.category),
  /** An event reported longer ago than this no longer alerts, and its open alert closes. */
  withinHours: z.number().finite().positive(),
});

const feedStaleFields = z.strictObject({
  enabled: z.boolean(),
  /** Alert operators when a feed has had no successful poll for longer than this. */
  minutes: z.number().finite().positive(),
});

const redMonthsFields = z.strictObject({
  enabled: z.boolean(),
  /** Consecutive months at the lowest grade (红/差) that earn a warning notice (约谈预警)… */
  warnAt: z.number().int().positive(),
  /** …and a leaders' interview (约谈). */
  interviewAt: z.number().int().positive(),
});

export type IndexDropRule = z.infer<typeof indexDropFields>;
export type GradeDownRule = z.infer<typeof gradeDownFields>;
export type RankRule = z.infer<typeof rankFields>;
export type ZeroToleranceRule = z.infer<typeof zeroToleranceFields>;
export type FeedStaleRule = z.infer<typeof feedStaleFields>;
export type RedMonthsRule = z.infer<typeof redMonthsFields>;

/** The complete rules that apply to one street (the city's, with the street's overrides merged in). */
export interface StreetRules {
  indexDrop: IndexDropRule;
  gradeDown: GradeDownRule;
  rank: RankRule;
  zeroTolerance: ZeroToleranceRule;
  feedStale: FeedStaleRule;
  redMonths: RedMonthsRule;
  /** Repeat a notification this often while firing and unacknowledged (0: never). */
  repeatMinutes: number;
  /** Escalate to leaders when not acknowledged this long after the notification (0: never). */
  escalateMinutes: number;
}

/**
 * Defaults. An index drop of 3 points held 10 minutes is over 4 noise standard deviations for a live
 * index whose 5-minute noise is up to 0.7 points, yet under a third of a grade's width; 6 points is
 * most of a grade lost, hence critical. Measured with noise.ts (AR(1), 1-hour correlation): ≈ 0.009
 * false alarms per street per 30 days at sd 0.7, none at 0.6, 0.13 at 0.8 and 1.7 at 1.0 — a street
 * that noisy needs its own `points: 4` (≈ 0.03).
 */
export const DEFAULT_RULES: StreetRules = {
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
  repeatMinutes: 30,
  escalateMinutes: 60,
};

const ruleOverridesSchema = z
  .strictObject({
    indexDrop: indexDropFields.partial(),
    gradeDown: gradeDownFields.partial(),
    rank: rankFields.partial(),
    zeroTolerance: zeroToleranceFields.partial(),
    feedStale: feedStaleFields.partial(),
    redMonths: redMonthsFields.partial(),
    repeatMinutes: minutes,
    escalateMinutes: minutes,
  })
  .partial();

/** Any part of the rules, at any depth of one rule: what a street overrides. */
export type RuleOverrides = z.infer<typeof ruleOverridesSchema>;

/**
 * A silence: notifications of the alerts it matches are withheld from `startsAt` (default: always
 * already) until `endsAt`. An absent `rule`, `street` or `feed` matches any.
 */
export const silenceSchema = z
  .strictObject({
    id: z.string().min(1).optional(),
    rule: z.enum(RULES).optional(),
    street: z.string().min(1).optional(),
    feed: z.string().min(1).optional(),
    startsAt: instant.optional(),
    endsAt: instant,
    by: z.string().optional(),
    reason: withoutNul(z.string()).optional(),
  })
  .refine((s) => s.startsAt === undefined || Date.parse(s.startsAt) < Date.parse(s.endsAt), {
    message: 'a silence must end after it starts',
    path: ['endsAt'],
  });

export type Silence = z.infer<typeof silenceSchema>;

/** Merges overrides over complete rules, one level into each rule. */
export function complete(base: StreetRules, overrides: RuleOverrides | undefined): StreetRules {
  const o = overrides ?? {};
  return {
    indexDrop: { ...base.indexDrop, ...o.indexDrop },
    gradeDown: { ...base.gradeDown, ...o.gradeDown },
    rank: { ...base.rank, ...o.rank },
    zeroTolerance: { ...base.zeroTolerance, ...o.zeroTolerance },
    feedStale: { ...base.feedStale, ...o.feedStale },
    redMonths: { ...base.redMonths, ...o.redMonths },
    repeatMinutes: o.repeatMinutes ?? base.repeatMinutes,
    escalateMinutes: o.escalateMinutes ?? base.escalateMinutes,
  };
}

/** Thresholds that contradict each other, as `[path, message]`. */
function contradictions(rules: StreetRules): [string[], string][] {
  const problems: [string[], string][] = [];
  if (rules.indexDrop.criticalPoints < rules.indexDrop.points)
    problems.push([['indexDrop', 'criticalPoints'], 'must be at least points']);
  if (rules.indexDrop.hysteresis >= rules.indexDrop.points)
    problems.push([['indexDrop', 'hysteresis'], 'must be below points, or the alert can never resolve']);
  if (rules.redMonths.interviewAt < rules.redMonths.warnAt)
    problems.push([['redMonths', 'interviewAt'], 'must be at least warnAt']);
  return problems;
}

/**
 * The `alerts` section of a city configuration. `alertRulesSchema.parse({})` gives the complete
 * defaults; `overrides` maps a street code to any part of the rules. Unknown keys are refused, so a
 * mistyped threshold (`pendingMinute`) fails loudly instead of silently keeping its default. Embed it
 * with `.prefault({})` (zod 4's `.default` would skip the transform).
 */
export const alertRulesSchema = ruleOverridesSchema
  .extend({
    silences: z.array(silenceSchema).default([]),
    overrides: z.record(z.string().min(1), ruleOverridesSchema).default({}),
  })
  .transform(({ silences, overrides, ...city }) => ({
    ...complete(DEFAULT_RULES, city),
    silences,
    overrides,
  }))
  .superRefine((config, ctx) => {
    const city = contradictions(config);
    const seen = new Set(city.map(([path]) => path.join('.')));
    for (const [path, message] of city) ctx.addIssue({ code: 'custom', path, message });
    // A street inherits the city's contradictions; report only those its own override makes.
    for (const street of Object.keys(config.overrides))
      for (const [path, message] of contradictions(rulesFor(config, street)))
        if (!seen.has(path.join('.')))
          ctx.addIssue({ code: 'custom', path: ['overrides', street, ...path], message });
  });

/** The alert rules of a city: complete defaults merged with its file, plus standing silences and overrides. */
export type AlertRules = z.output<typeof alertRulesSchema>;

/**
 * The rules that apply to one street: the city's rules with that street's overrides merged in.
 * Without a street (feed staleness is not about a street), the city's rules.
 */
export function rulesFor(config: AlertRules, street?: string | null): StreetRules {
  return complete(config, street == null ? undefined : config.overrides[street]);
}

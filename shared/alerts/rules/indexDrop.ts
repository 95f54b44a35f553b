/** Index drop (指数下降): a street's index fell `points` below its baseline. */
import { z } from 'zod';
import { INDEX_TOLERANCE } from '../../index/grades.js';
import type { Condition, Observation } from '../alert.js';
import { minutes } from '../config.js';
import { point, whyLines } from '../explain.js';
import { formatNumber } from '../format.js';
import { finite } from '../inputs.js';
import type { AlertRuleDefinition } from './definition.js';

export const indexDropFields = z.strictObject({
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

export type IndexDropRule = z.infer<typeof indexDropFields>;

export interface IndexDropDetail {
  rule: 'indexDrop';
  index: number;
  /** The mean of the index over `baselineDays` days before the most recent one (BASELINE_LAG_DAYS). */
  baseline: number;
  /** baseline − index. */
  drop: number;
  points: number;
  baselineDays: number;
}

/**
 * A street's baseline is the mean of its index over the `baselineDays` whole days before the most
 * recent one, each day's mean counting once. The most recent day is left out so that a drop does not
 * dilute the norm it is measured against (a street whose index fell and stayed down would otherwise
 * "recover" as the mean followed it down); days count equally so that a live server's snapshots every
 * few minutes do not outweigh the one a day of the history recorded on a first start.
 */
export const BASELINE_LAG_DAYS = 1;

/**
 * Index drop: breach when the index is `points` or more below its baseline, clear when the drop is
 * back to `points − hysteresis` or less. A provisional index (a block lacks data) only holds: its
 * drop may be missing data rather than a worse street.
 */
export function observeIndexDrop(
  street: string,
  index: number | null,
  baseline: number | null | undefined,
  rule: IndexDropRule,
  provisional = false,
): Observation<IndexDropDetail> | null {
  if (!rule.enabled || !finite(index) || !finite(baseline)) return null;
  const drop = baseline - index;
  const condition: Condition = provisional
    ? 'hold'
    : drop >= rule.points - INDEX_TOLERANCE
      ? 'breach'
      : drop <= rule.points - rule.hysteresis + INDEX_TOLERANCE
        ? 'clear'
        : 'hold';
  return {
    key: { rule: 'indexDrop', street },
    condition,
    severity: drop >= rule.criticalPoints - INDEX_TOLERANCE ? 'critical' : 'warning',
    detail: {
      rule: 'indexDrop',
      index,
      baseline,
      drop,
      points: rule.points,
      baselineDays: rule.baselineDays,
    },
  };
}

export const indexDropRule: AlertRuleDefinition<'indexDrop', IndexDropRule, IndexDropDetail> = {
  id: 'indexDrop',
  fields: indexDropFields,
  /**
   * An index drop of 3 points held 10 minutes is over 4 noise standard deviations for a live index
   * whose 5-minute noise is up to 0.7 points, yet under a third of a grade's width; 6 points is most
   * of a grade lost, hence critical. Measured with noise.ts (AR(1), 1-hour correlation, the seed and
   * 9 streets × 1,500 days of tests/unit/alerts-noise.test.ts): ≈ 0.01 false alarms per street per
   * 30 days at sd 0.7, none at 0.6, 0.10 at 0.8 and 1.8 at 1.0 — a street that noisy needs its own
   * `points: 4` (≈ 0.04).
   */
  defaults: {
    enabled: true,
    points: 3,
    criticalPoints: 6,
    baselineDays: 7,
    pendingMinutes: 10,
    hysteresis: 1,
  },
  audience: ['street'],
  explainsChange: true,
  contradictions(rule) {
    const problems: [string[], string][] = [];
    if (rule.criticalPoints < rule.points) problems.push([['criticalPoints'], 'must be at least points']);
    if (rule.hysteresis >= rule.points)
      problems.push([['hysteresis'], 'must be below points, or the alert can never resolve']);
    return problems;
  },
  timing: (rule) => ({ pendingMinutes: rule.pendingMinutes }),
  observe(inputs, { ruleOf }) {
    return inputs.streets.flatMap((street) => {
      const observation = observeIndexDrop(
        street.code,
        street.index,
        inputs.baselines[street.code],
        ruleOf(street.code),
        street.provisional,
      );
      return observation ? [observation] : [];
    });
  },
  explain(detail, street, context, lang) {
    const zh = lang === 'zh';
    const name = street[lang];
    const days = formatNumber(detail.baselineDays, 0);
    return {
      title: zh
        ? `${name}平安指数下降 ${point(detail.drop)} 分`
        : `${name} Safety Index down ${point(detail.drop)} points`,
      body: [
        zh
          ? `由 ${point(detail.baseline)} 降至 ${point(detail.index)} (基线为近${days}日均值)`
          : `From ${point(detail.baseline)} to ${point(detail.index)} (baseline: ${days}-day mean)`,
        ...whyLines(context, lang),
      ].join('\n'),
    };
  },
  explainResolved(detail, street, _context, lang) {
    const name = street[lang];
    return lang === 'zh'
      ? {
          title: `${name}平安指数已回升`,
          body: `平安指数回升至 ${point(detail.index)} (基线 ${point(detail.baseline)})`,
        }
      : {
          title: `${name} Safety Index recovered`,
          body: `Index back to ${point(detail.index)} (baseline ${point(detail.baseline)})`,
        };
  },
};

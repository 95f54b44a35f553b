/** Grade down (等级下降): a street's index fell below the band its baseline is in. */
import { z } from 'zod';
import { INDEX_TOLERANCE, gradeOf } from '../../index/grades.js';
import type { GradeBand } from '../../index/types.js';
import type { Condition, Observation } from '../alert.js';
import { minutes } from '../config.js';
import { gradeName, point, whyLines } from '../explain.js';
import { finite } from '../inputs.js';
import type { AlertRuleDefinition } from './definition.js';

export const gradeDownFields = z.strictObject({
  enabled: z.boolean(),
  /** Fire at `margin` below the lower edge of the baseline's band, resolve at `margin` above it. */
  margin: z.number().finite().nonnegative(),
  pendingMinutes: minutes,
});

export type GradeDownRule = z.infer<typeof gradeDownFields>;

export interface GradeDownDetail {
  rule: 'gradeDown';
  index: number;
  baseline: number;
  /** Grade id of the baseline, and of the index now (null below every band). */
  from: string;
  to: string | null;
  /** Lower edge of the baseline's band, frozen while the alert is open. */
  edge: number;
  margin: number;
}

/**
 * Grade down: the index fell below the band the baseline is in. Fire at `margin` below that band's
 * lower edge, clear at `margin` above it. While an alert is open its edge stays frozen (`open`), so a
 * baseline drifting across an edge cannot flip the verdict; the alert also clears once the baseline
 * itself has settled `margin` below the edge — the lower grade is then the street's normal, which the
 * index-drop and red-month rules cover.
 */
export function observeGradeDown(
  street: string,
  index: number | null,
  baseline: number | null | undefined,
  grades: readonly GradeBand[],
  rule: GradeDownRule,
  open: { edge: number; from: string } | null = null,
  provisional = false,
): Observation<GradeDownDetail> | null {
  if (!rule.enabled || !finite(index) || !finite(baseline)) return null;
  const band = gradeOf(baseline, grades);
  if (open === null && band === null) return null;
  const edge = open?.edge ?? band?.min ?? 0;
  const from = open?.from ?? band?.id ?? '';
  const below = edge - index;
  const settled = open !== null && edge - baseline >= rule.margin - INDEX_TOLERANCE;
  const condition: Condition = settled
    ? 'clear'
    : provisional
      ? 'hold'
      : below > INDEX_TOLERANCE && below >= rule.margin - INDEX_TOLERANCE
        ? 'breach'
        : -below >= rule.margin - INDEX_TOLERANCE
          ? 'clear'
          : 'hold';
  return {
    key: { rule: 'gradeDown', street },
    condition,
    severity: 'warning',
    detail: {
      rule: 'gradeDown',
      index,
      baseline,
      from,
      to: gradeOf(index, grades)?.id ?? null,
      edge,
      margin: rule.margin,
    },
  };
}

export const gradeDownRule: AlertRuleDefinition<'gradeDown', GradeDownRule, GradeDownDetail> = {
  id: 'gradeDown',
  fields: gradeDownFields,
  defaults: { enabled: true, margin: 1, pendingMinutes: 10 },
  audience: ['street'],
  explainsChange: true,
  timing: (rule) => ({ pendingMinutes: rule.pendingMinutes }),
  observe(inputs, { ruleOf, open }) {
    return inputs.streets.flatMap((street) => {
      // An open alert keeps the edge it opened with.
      const opened = open({ rule: 'gradeDown', street: street.code })?.detail;
      const frozen = opened ? { edge: opened.edge, from: opened.from } : null;
      const observation = observeGradeDown(
        street.code,
        street.index,
        inputs.baselines[street.code],
        inputs.grades,
        ruleOf(street.code),
        frozen,
        street.provisional,
      );
      return observation ? [observation] : [];
    });
  },
  explain(detail, street, context, lang) {
    const zh = lang === 'zh';
    const name = street[lang];
    const from = gradeName(context.config, detail.from)[lang];
    const to = gradeName(context.config, detail.to)[lang];
    const below = point(detail.edge - detail.index);
    return {
      title: zh ? `${name}平安等级由${from}降至${to}` : `${name} grade down: ${from} → ${to}`,
      body: [
        zh
          ? `平安指数 ${point(detail.index)}，低于“${from}”下限 ${point(detail.edge)} 达 ${below} 分 (基线 ${point(detail.baseline)})`
          : `Index ${point(detail.index)}, ${below} below the ${from} floor of ${point(detail.edge)} (baseline ${point(detail.baseline)})`,
        ...whyLines(context, lang),
      ].join('\n'),
    };
  },
  explainResolved(detail, street, context, lang) {
    const name = street[lang];
    const from = gradeName(context.config, detail.from)[lang];
    return lang === 'zh'
      ? {
          title: `${name}平安等级已恢复`,
          body: `平安指数 ${point(detail.index)} (“${from}”下限 ${point(detail.edge)}，基线 ${point(detail.baseline)})`,
        }
      : {
          title: `${name} grade recovered`,
          body: `Index ${point(detail.index)} (${from} floor ${point(detail.edge)}, baseline ${point(detail.baseline)})`,
        };
  },
};

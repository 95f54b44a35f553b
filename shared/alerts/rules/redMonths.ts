/**
 * Red months (连续红月, governance escalation): consecutive published months at the lowest grade earn
 * a warning notice (约谈预警) and then a leaders' interview (约谈).
 */
import { z } from 'zod';
import type { GradeBand } from '../../index/types.js';
import type { Observation } from '../alert.js';
import { formatMonth, formatNumber } from '../format.js';
import { finite, type MonthlyGrade } from '../inputs.js';
import type { AlertRuleDefinition } from './definition.js';

export const redMonthsFields = z.strictObject({
  enabled: z.boolean(),
  /** Consecutive months at the lowest grade (红/差) that earn a warning notice (约谈预警)… */
  warnAt: z.number().int().positive(),
  /** …and a leaders' interview (约谈). */
  interviewAt: z.number().int().positive(),
});

export type RedMonthsRule = z.infer<typeof redMonthsFields>;

export interface RedMonthsDetail {
  rule: 'redMonths';
  /** Consecutive months at the lowest grade, ending with `lastMonth` (YYYY-MM). */
  months: number;
  lastMonth: string;
  /** The months of the run, oldest first, with their published index (absent in older alerts). */
  run?: { month: string; index: number | null }[];
  warnAt: number;
  interviewAt: number;
}

const monthNumber = (month: string): number => {
  const match = /^(\d{4})-(\d{2})$/.exec(month);
  return match ? Number(match[1]) * 12 + Number(match[2]) - 1 : NaN;
};

/** Valid months (YYYY-MM), latest first. */
function latestFirst(months: readonly MonthlyGrade[]): MonthlyGrade[] {
  return months
    .filter((m) => finite(monthNumber(m.month)))
    .sort((a, b) => monthNumber(b.month) - monthNumber(a.month));
}

/**
 * Consecutive months at grade `lowest` ending with the latest published month; a missing month
 * breaks the run (a gap is not evidence of a red month).
 */
export function consecutiveMonthsAt(months: readonly MonthlyGrade[], lowest: string): number {
  const sorted = latestFirst(months);
  const latest = monthNumber(sorted[0]?.month ?? '');
  let run = 0;
  for (const month of sorted) {
    if (month.grade !== lowest || monthNumber(month.month) !== latest - run) break;
    run += 1;
  }
  return run;
}

/**
 * Red months (governance escalation): breach at `warnAt` consecutive months at the lowest grade
 * (warning notice, 约谈预警), critical from `interviewAt` (leaders' interview, 约谈); clear when the
 * latest month is out of the lowest grade.
 */
export function observeRedMonths(
  street: string,
  months: readonly MonthlyGrade[],
  grades: readonly GradeBand[],
  rule: RedMonthsRule,
): Observation<RedMonthsDetail> | null {
  const lowest = [...grades].sort((a, b) => a.min - b.min)[0];
  const lastMonth = latestFirst(months)[0]?.month;
  if (!rule.enabled || lowest === undefined || lastMonth === undefined) return null;
  const run = consecutiveMonthsAt(months, lowest.id);
  const inRun = latestFirst(months)
    .slice(0, run)
    .reverse()
    .map((m) => ({ month: m.month, index: m.index ?? null }));
  return {
    key: { rule: 'redMonths', street },
    condition: run >= rule.warnAt ? 'breach' : 'clear',
    severity: run >= rule.interviewAt ? 'critical' : 'warning',
    detail: {
      rule: 'redMonths',
      months: run,
      lastMonth,
      run: inRun,
      warnAt: rule.warnAt,
      interviewAt: rule.interviewAt,
    },
  };
}

export const redMonthsRule: AlertRuleDefinition<'redMonths', RedMonthsRule, RedMonthsDetail> = {
  id: 'redMonths',
  fields: redMonthsFields,
  defaults: { enabled: true, warnAt: 3, interviewAt: 4 },
  // The warning notice (预警通报) and the leaders' interview (约谈) are governance steps, for the
  // leaders as well as the street.
  audience: ['street', 'leaders'],
  contradictions: (rule) =>
    rule.interviewAt < rule.warnAt ? [[['interviewAt'], 'must be at least warnAt']] : [],
  timing: () => ({ pendingMinutes: 0 }),
  // Published months do not depend on the live index: a street without one still has its record.
  observe(inputs, { ruleOf }) {
    return Object.entries(inputs.monthlyGrades ?? {}).flatMap(([code, months]) => {
      const observation = observeRedMonths(code, months, inputs.grades, ruleOf(code));
      return observation ? [observation] : [];
    });
  },
  explain(detail, street, context, lang) {
    const name = street[lang];
    const lowest = [...context.config.grades].sort((a, b) => a.min - b.min)[0]?.label ?? {
      zh: '差',
      en: 'Poor',
    };
    const months = formatNumber(detail.months, 0);
    const interview = detail.months >= detail.interviewAt;
    const until = formatMonth(detail.lastMonth, lang);
    const warnAt = formatNumber(detail.warnAt, 0);
    const interviewAt = formatNumber(detail.interviewAt, 0);
    // Each month of the run with its published index: 2026年9月 64.2 · 2026年10月 61.8 …
    const run = (detail.run ?? [])
      .map((m) => `${formatMonth(m.month, lang)} ${m.index === null ? '—' : formatNumber(m.index, 1)}`)
      .join(' · ');
    const runLine = run ? `\n${run}` : '';
    return lang === 'zh'
      ? {
          title: `${name}连续 ${months} 个月评为${lowest.zh}，${interview ? '启动约谈' : '约谈预警'}`,
          body: `截至${until}连续 ${months} 个月处于最低等级“${lowest.zh}”${runLine}\n满 ${warnAt} 个月发约谈预警，满 ${interviewAt} 个月约谈`,
        }
      : {
          title: `${name}: ${months} months in a row graded ${lowest.en} — ${interview ? "leaders' interview" : 'warning notice'}`,
          body: `${months} consecutive months at the lowest grade (${lowest.en}) up to ${until}${runLine}\nWarning notice at ${warnAt} months, leaders' interview at ${interviewAt}`,
        };
  },
  explainResolved(detail, street, _context, lang) {
    const name = street[lang];
    const month = formatMonth(detail.lastMonth, lang);
    return lang === 'zh'
      ? { title: `${name}已不在最低等级`, body: `${month}已不在最低等级` }
      : { title: `${name} out of the lowest grade`, body: `Out of the lowest grade in ${month}` };
  },
};

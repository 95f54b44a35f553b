/** Zero tolerance (零容忍): every reported incident of a listed category is its own alert, at once. */
import { z } from 'zod';
import { incidentSchema } from '../../feeds/incident.js';
import type { Observation } from '../alert.js';
import { communityName } from '../../names.js';
import { streetConfig } from '../explain.js';
import { CATEGORY_NAMES, formatLocalTime, nameOf } from '../format.js';
import { finite, type ZeroToleranceEvent } from '../inputs.js';
import type { AlertRuleDefinition } from './definition.js';

export const zeroToleranceFields = z.strictObject({
  enabled: z.boolean(),
  /** Incident categories that alert at once, one alert per event. */
  categories: z.array(incidentSchema.shape.category),
  /** An event reported longer ago than this no longer alerts, and its open alert closes. */
  withinHours: z.number().finite().positive(),
});

export type ZeroToleranceRule = z.infer<typeof zeroToleranceFields>;

export interface ZeroToleranceDetail {
  rule: 'zeroTolerance';
  event: string;
  category: string;
  community: string | null;
  at: string;
}

const MINUTE = 60_000;

/** Whether an incident of `category` is one the rule alerts on at once. */
export function isZeroTolerance(rule: ZeroToleranceRule, category: unknown): boolean {
  return rule.enabled && rule.categories.some((listed) => listed === category);
}

/**
 * Zero tolerance: every event of a listed category breaches at once, one key per event; it clears
 * once the event is older than `withinHours`.
 */
export function observeZeroTolerance(
  events: readonly ZeroToleranceEvent[],
  now: Date,
  ruleOf: (street: string) => ZeroToleranceRule,
): Observation<ZeroToleranceDetail>[] {
  return events.flatMap((event): Observation<ZeroToleranceDetail>[] => {
    const rule = ruleOf(event.street);
    const reported = Date.parse(event.at);
    if (!isZeroTolerance(rule, event.category) || !finite(reported)) return [];
    const recent = now.getTime() - reported <= rule.withinHours * 60 * MINUTE;
    return [
      {
        key: { rule: 'zeroTolerance', street: event.street, event: event.id },
        condition: recent ? 'breach' : 'clear',
        severity: 'critical',
        detail: {
          rule: 'zeroTolerance',
          event: event.id,
          category: event.category,
          community: event.community,
          at: event.at,
        },
      },
    ];
  });
}

export const zeroToleranceRule: AlertRuleDefinition<'zeroTolerance', ZeroToleranceRule, ZeroToleranceDetail> =
  {
    id: 'zeroTolerance',
    fields: zeroToleranceFields,
    defaults: { enabled: true, categories: ['robbery', 'fire'], withinHours: 24 },
    audience: ['street'],
    // An open alert whose event is no longer passed in clears: the event has aged out.
    whenUnobserved: 'clear',
    // The event does not "recover": telling the street head it aged out would be noise.
    timing: () => ({ pendingMinutes: 0, notifyResolved: false }),
    observe: (inputs, { now, ruleOf }) => observeZeroTolerance(inputs.events ?? [], now, ruleOf),
    explain(detail, street, context, lang) {
      const zh = lang === 'zh';
      const name = street[lang];
      const category = nameOf(CATEGORY_NAMES, detail.category)[lang];
      const community = detail.community
        ? communityName(streetConfig(context.config, context.street), detail.community, lang)
        : zh
          ? '未注明'
          : 'not given';
      const time = formatLocalTime(detail.at, context.config.city.timezone, lang);
      return zh
        ? {
            title: `${name}发生${category}警情`,
            body: `类别: ${category}\n社区: ${community}\n时间: ${time}`,
          }
        : {
            title: `${category[0]?.toUpperCase() ?? ''}${category.slice(1)} reported in ${name}`,
            body: `Category: ${category}\nCommunity: ${community}\nTime: ${time}`,
          };
    },
    // Never sent (see timing); the stored text of a resolved alert is still the event's.
    explainResolved(detail, street, context, lang) {
      return zeroToleranceRule.explain(detail, street, context, lang);
    },
  };

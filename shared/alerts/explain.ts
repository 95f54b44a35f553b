/**
 * Every alert carries its explanation, in Chinese and English, short enough for a phone
 * notification: a title that says what happened, and body lines that say why — the index before and
 * after, the indicators that lost most points, the events behind them. Each rule writes its own text
 * (rules/<rule>.ts); this file holds what they share and puts the street's name in front.
 */
import type { Names } from '../names.js';
import type { AlertState, RuleDetail } from './alert.js';
import { formatNumber } from './format.js';
import type { AnyRuleDefinition, ExplainConfig, ExplainContext } from './rules/definition.js';
import type { AlertText, Lang } from './text.js';
import { eventsLine, lossesLine, mainLosses } from './why.js';

/** A figure in points, one decimal. */
export const point = (x: number) => formatNumber(x, 1);

/** The configured street of a code, if the configuration has it. */
export function streetConfig(
  config: ExplainConfig,
  code: string | null | undefined,
): ExplainConfig['streets'][number] | undefined {
  return config.streets.find((street) => street.code === code);
}

function streetName(config: ExplainConfig, code: string | null): Names {
  const name = streetConfig(config, code)?.name ?? {
    zh: code ?? '',
    en: code ?? '',
  };
  // "金方" is spoken of as "金方街道"; a name that already says 街道 is left alone.
  return { zh: name.zh.endsWith('街道') ? name.zh : `${name.zh}街道`, en: name.en };
}

/** A grade's name from its id ("无等级" / "no grade" for none). */
export function gradeName(config: ExplainConfig, id: string | null): Names {
  const band = config.grades.find((grade) => grade.id === id);
  return band?.label ?? { zh: id ?? '无等级', en: id ?? 'no grade' };
}

/** The lines that say why a street's index moved: main losses, then events. */
export function whyLines(context: ExplainContext, lang: Lang): string[] {
  const lines: string[] = [];
  if (context.before && context.after) {
    const drivers = mainLosses(context.before, context.after, context.config.indicators, context.drivers);
    const losses = lossesLine(drivers, lang);
    if (losses) lines.push(losses);
  }
  const events = context.events
    ? eventsLine(context.events, lang, 3, 3, streetConfig(context.config, context.street))
    : null;
  if (events) lines.push(events);
  return lines;
}

/** An alert as its explanation needs it. */
export type Explainable<Detail extends RuleDetail = RuleDetail> = Pick<
  AlertState<Detail>,
  'street' | 'detail'
> & {
  status?: AlertState['status'];
};

/**
 * The explanation of an alert of these rules, in both languages. Street rules name the street (with
 * 街道); index drops, grade drops and rank alerts add the main losses between `before` and `after`
 * and the recent events when the caller passes them. A resolved alert says what is back to normal
 * instead. Severity and kind tags (【严重·升级】) are left to the channels, which add them to every
 * title.
 */
export function explainer(definitions: readonly AnyRuleDefinition[]) {
  const byId = new Map(definitions.map((definition) => [definition.id, definition]));
  return (alert: Explainable, context: ExplainContext): AlertText => {
    const definition = byId.get(alert.detail.rule);
    if (!definition) throw new Error(`no alert rule ${alert.detail.rule}`);
    const street = streetName(context.config, alert.street);
    const text = alert.status === 'resolved' ? definition.explainResolved : definition.explain;
    const own = { ...context, street: alert.street };
    return {
      zh: text.call(definition, alert.detail, street, own, 'zh'),
      en: text.call(definition, alert.detail, street, own, 'en'),
    };
  };
}

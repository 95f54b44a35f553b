/** Rank (排名): a street is in the bottom K of the ranking. */
import { z } from 'zod';
import type { Observation } from '../alert.js';
import { minutes } from '../config.js';
import { point, whyLines } from '../explain.js';
import { formatNumber } from '../format.js';
import { finite, type AlertStreet } from '../inputs.js';
import type { AlertRuleDefinition } from './definition.js';

export const rankFields = z.strictObject({
  enabled: z.boolean(),
  /** The bottom K of the ranking (ties at the edge count as inside). */
  k: z.number().int().positive(),
  /** Held this long before firing, and before resolving: near-ties swap ranks back and forth. */
  pendingMinutes: minutes,
});

export type RankRule = z.infer<typeof rankFields>;

export interface RankDetail {
  rule: 'rank';
  rank: number;
  of: number;
  k: number;
  index: number | null;
}

/**
 * Rank: breach while fewer than K ranked streets are strictly below the street (ties at the edge
 * are all inside the bottom K), clear otherwise. A ranking of K streets or fewer says nothing.
 */
export function observeRank(
  streets: readonly AlertStreet[],
  ruleOf: (street: string) => RankRule,
): Observation<RankDetail>[] {
  const ranked = streets.filter((s): s is typeof s & { rank: number } => finite(s.rank));
  return ranked.flatMap((street): Observation<RankDetail>[] => {
    const rule = ruleOf(street.code);
    if (!rule.enabled || ranked.length <= rule.k) return [];
    const below = ranked.filter((other) => other.rank > street.rank).length;
    return [
      {
        key: { rule: 'rank', street: street.code },
        condition: below < rule.k ? 'breach' : 'clear',
        severity: 'warning',
        detail: { rule: 'rank', rank: street.rank, of: ranked.length, k: rule.k, index: street.index },
      },
    ];
  });
}

export const rankRule: AlertRuleDefinition<'rank', RankRule, RankDetail> = {
  id: 'rank',
  fields: rankFields,
  defaults: { enabled: true, k: 1, pendingMinutes: 30 },
  audience: ['street'],
  explainsChange: true,
  // Ranks have no numeric hysteresis; holding both ways is what stops near-ties from flapping.
  timing: (rule) => ({ pendingMinutes: rule.pendingMinutes, clearMinutes: rule.pendingMinutes }),
  observe: (inputs, { ruleOf }) => observeRank(inputs.streets, ruleOf),
  explain(detail, street, context, lang) {
    const zh = lang === 'zh';
    const name = street[lang];
    const k = formatNumber(detail.k, 0);
    const last = detail.k === 1;
    const position = zh
      ? `排名第 ${formatNumber(detail.rank, 0)}/${formatNumber(detail.of, 0)}，平安指数 ${point(detail.index ?? NaN)}`
      : `Rank ${formatNumber(detail.rank, 0)} of ${formatNumber(detail.of, 0)}, index ${point(detail.index ?? NaN)}`;
    return {
      title: zh
        ? `${name}${last ? '排名末位' : `排名跌入后 ${k} 位`}`
        : `${name} ${last ? 'now last in the ranking' : `now in the bottom ${k}`}`,
      body: [position, ...whyLines(context, lang)].join('\n'),
    };
  },
  explainResolved(detail, street, _context, lang) {
    const name = street[lang];
    const k = formatNumber(detail.k, 0);
    const last = detail.k === 1;
    const rank = formatNumber(detail.rank, 0);
    const of = formatNumber(detail.of, 0);
    return lang === 'zh'
      ? { title: `${name}${last ? '已不在末位' : `已离开后 ${k} 位`}`, body: `排名第 ${rank}/${of}` }
      : {
          title: `${name} ${last ? 'no longer last' : `no longer in the bottom ${k}`}`,
          body: `Rank ${rank} of ${of}`,
        };
  },
};

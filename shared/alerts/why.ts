/**
 * The "why" behind an alert: the indicators that lost the street most points between the baseline
 * and now, and the recent events in the street by category and community. Both are rendered into
 * notification lines in Chinese and English.
 */
import { explainChange } from '../index/contributions.js';
import type { StreetResult } from '../index/types.js';
import { communityName, type CommunityNames, type Names } from '../names.js';
import { CATEGORY_NAMES, decimalsFor, formatNumber, formatSigned, nameOf, withUnit } from './format.js';

/**
 * A street's figures as the engine gives them (StreetResult, its grade an id) or as the wall shows
 * them (the API's LiveStreet, its grade a band).
 */
export type StreetFigures = Omit<StreetResult, 'grade'> & { grade: string | { id: string } | null };

/** An indicator as the text needs it (the city configuration's `indicators` fit). */
export interface IndicatorLabel {
  id: string;
  name: Names;
  unit: Names;
}

/** One indicator's part in a drop. */
export interface IndicatorDriver {
  id: string;
  name: Names;
  unit: Names;
  /** Change of its contribution to the index, in points (negative: it lost the street points). */
  change: number;
  rawBefore: number | null;
  rawAfter: number | null;
}

/** Events of one category in one community (null: not given) over the last `hours`. */
export interface EventCount {
  category: string;
  community: string | null;
  count: number;
}

/** What the caller counted for the street: e.g. `GROUP BY category, community` over the last N hours. */
export interface RecentEvents {
  hours: number;
  counts: readonly EventCount[];
}

/** Changes smaller than this round to 0.00 points and explain nothing. */
const NEGLIGIBLE = 0.005;

function asResult(street: StreetFigures): StreetResult {
  const grade = street.grade;
  return { ...street, grade: typeof grade === 'string' || grade === null ? grade : grade.id };
}

/**
 * The indicators whose contribution fell most between `before` (the baseline) and `after` (now), most
 * points lost first, at most `n` — by {@link explainChange}, so their changes are exactly the parts of
 * the index's change.
 */
export function mainLosses(
  before: StreetFigures,
  after: StreetFigures,
  indicators: readonly IndicatorLabel[],
  n = 3,
): IndicatorDriver[] {
  const labels = new Map(indicators.map((indicator) => [indicator.id, indicator]));
  return explainChange(asResult(before), asResult(after))
    .indicators.filter((change) => Number.isFinite(change.change) && change.change < -NEGLIGIBLE)
    .slice(0, n)
    .map((change) => {
      const label = labels.get(change.id);
      return {
        id: change.id,
        name: label?.name ?? { zh: change.id, en: change.id },
        unit: label?.unit ?? { zh: '', en: '' },
        change: change.change,
        rawBefore: change.rawBefore,
        rawAfter: change.rawAfter,
      };
    });
}

/** "盗窃警情 +3.5 起/万人 (4.0→7.5), 贡献 −1.9 分" / "Theft +3.5 per 10k (4.0→7.5), −1.9 pts". */
function driverText(driver: IndicatorDriver, lang: 'zh' | 'en'): string {
  const decimals = decimalsFor(driver.rawBefore, driver.rawAfter);
  const known = driver.rawBefore !== null && driver.rawAfter !== null;
  const rawChange = known
    ? ` ${withUnit(formatSigned((driver.rawAfter ?? 0) - (driver.rawBefore ?? 0), decimals), driver.unit[lang])}`
    : '';
  const raw = `(${formatNumber(driver.rawBefore, decimals)}→${formatNumber(driver.rawAfter, decimals)})`;
  const points = formatSigned(driver.change, driver.change > -0.05 ? 2 : 1);
  return lang === 'zh'
    ? `${driver.name.zh}${rawChange} ${raw}, 贡献 ${points} 分`
    : `${driver.name.en}${rawChange} ${raw}, ${points} pts`;
}

/** One line naming the main losses, or null when there are none. */
export function lossesLine(drivers: readonly IndicatorDriver[], lang: 'zh' | 'en'): string | null {
  if (drivers.length === 0) return null;
  const list = drivers.map((driver) => driverText(driver, lang)).join('; ');
  return lang === 'zh' ? `主要扣分: ${list}` : `Main losses: ${list}`;
}

/** Counts summed per key, largest first, ties by key. */
function ranked(entries: Iterable<[string, number]>): [string, number][] {
  const sums = new Map<string, number>();
  for (const [key, count] of entries) sums.set(key, (sums.get(key) ?? 0) + count);
  return [...sums].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

/**
 * "近6小时事件: 盗窃 32 起 (金方社区 12, 昆钢社区 9, …)" — the top categories, each with its top
 * communities, named as `street` names them in the language (shared/names.ts); null when nothing
 * happened. Counts only: nothing here identifies a person.
 */
export function eventsLine(
  events: RecentEvents,
  lang: 'zh' | 'en',
  categories = 3,
  communities = 3,
  street: { communityNames?: CommunityNames } | null = null,
): string | null {
  const valid = events.counts.filter((c) => Number.isFinite(c.count) && c.count > 0);
  if (valid.length === 0) return null;
  const unnamed = lang === 'zh' ? '未注明社区' : 'community not given';
  const parts = ranked(valid.map((c) => [c.category, c.count]))
    .slice(0, categories)
    .map(([category, total]) => {
      const places = ranked(
        valid
          .filter((c) => c.category === category)
          .map((c) => [c.community === null ? unnamed : communityName(street, c.community, lang), c.count]),
      );
      const shown = places
        .slice(0, communities)
        .map(([place, count]) => `${place} ${formatNumber(count, 0)}`);
      if (places.length > communities) shown.push('…');
      const name = nameOf(CATEGORY_NAMES, category)[lang];
      const count = formatNumber(total, 0);
      return lang === 'zh'
        ? `${name} ${count} 起 (${shown.join(', ')})`
        : `${name} ${count} (${shown.join(', ')})`;
    });
  const hours = formatNumber(events.hours, events.hours % 1 === 0 ? 0 : 1);
  return lang === 'zh' ? `近${hours}小时事件: ${parts.join('; ')}` : `Last ${hours} h: ${parts.join('; ')}`;
}

/**
 * What the wall shows of the live index, worked out once: the ranking order and a street's
 * indicators grouped by block with their names and units. Pure; components only render the result.
 */
import type { IndicatorConfig } from '$shared/city.js';
import { BLOCKS, type Block, type Measure } from '$shared/index/types.js';
import type { LiveIndicator, LiveStreet, Names } from './api.js';

/** Streets by rank (1 first); streets without an index last, then by code so the order is stable. */
export function rankingOrder(streets: readonly LiveStreet[]): LiveStreet[] {
  return [...streets].sort(
    (a, b) =>
      (a.rank ?? Number.POSITIVE_INFINITY) - (b.rank ?? Number.POSITIVE_INFINITY) ||
      a.code.localeCompare(b.code),
  );
}

/** Whether two maps of names hold the same names for the same codes. */
export function sameNames(a: ReadonlyMap<string, Names>, b: ReadonlyMap<string, Names>): boolean {
  if (a.size !== b.size) return false;
  for (const [code, name] of a) {
    const other = b.get(code);
    if (!other || other.zh !== name.zh || other.en !== name.en) return false;
  }
  return true;
}

export interface IndicatorRow extends LiveIndicator {
  name: Names;
  unit: Names;
  measure: Measure | undefined;
  /** Whether the indicator counts in the index; one that does not adds and loses nothing. */
  counted: boolean;
}

export interface IndicatorGroup {
  /** null: indicators the catalogue does not know (it changed since the wall loaded it). */
  block: Block | null;
  /** The block's score in this street; null when the block lacks data or is unknown. */
  score: number | null;
  rows: IndicatorRow[];
  /** 扣分项 of the block: the sum of its indicators' points lost; null when the block has no score. */
  pointsLost: number | null;
}

/** A street's indicators grouped by block, in the order of the catalogue within each block. */
export function indicatorGroups(street: LiveStreet, catalogue: readonly IndicatorConfig[]): IndicatorGroup[] {
  const known = new Map(catalogue.map((indicator, order) => [indicator.id, { indicator, order }]));
  // An indicator counts when it has a score and its block has one (a block short of data adds nothing).
  const rowOf = (live: LiveIndicator, blockScored: boolean): IndicatorRow => {
    const config = known.get(live.id)?.indicator;
    return {
      ...live,
      name: config?.name ?? { zh: live.id, en: live.id },
      unit: config?.unit ?? { zh: '', en: '' },
      measure: config?.measure,
      counted: live.score !== null && blockScored,
    };
  };
  const orderOf = (id: string) => known.get(id)?.order ?? Number.POSITIVE_INFINITY;
  const group = (block: Block | null, members: LiveIndicator[]): IndicatorGroup => {
    const score = block === null ? null : street.blocks[block];
    // Indicators the catalogue does not know have no block to ask; the engine's numbers stand.
    const scored = block === null || score !== null;
    return {
      block,
      score,
      rows: [...members].sort((a, b) => orderOf(a.id) - orderOf(b.id)).map((member) => rowOf(member, scored)),
      pointsLost: scored ? sumOf(members) : null,
    };
  };
  const blockOf = (id: string) => known.get(id)?.indicator.block ?? null;
  const groups = BLOCKS.map((block) =>
    group(
      block,
      street.indicators.filter((indicator) => blockOf(indicator.id) === block),
    ),
  ).filter((g) => g.rows.length > 0);
  const unknown = street.indicators.filter((indicator) => blockOf(indicator.id) === null);
  return unknown.length > 0 ? [...groups, group(null, unknown)] : groups;
}

/** The ids of a street's `count` largest 扣分项 (points lost above zero), to highlight them. */
export function largestLosses(street: LiveStreet, count: number): Set<string> {
  return new Set(
    street.indicators
      .filter((indicator) => indicator.pointsLost > 0)
      .sort((a, b) => b.pointsLost - a.pointsLost)
      .slice(0, count)
      .map((indicator) => indicator.id),
  );
}

const sumOf = (indicators: readonly LiveIndicator[]) =>
  indicators.reduce((sum, indicator) => sum + indicator.pointsLost, 0);

/** The street's total 扣分项, which is 100 − index; null when the street has no index. */
export function totalPointsLost(street: LiveStreet): number | null {
  return street.index === null ? null : sumOf(street.indicators);
}

export interface IndicatorItem extends IndicatorRow {
  /** null: an indicator the catalogue does not know. */
  block: Block | null;
}

/**
 * A street's indicators as one list, for a phone: the largest 扣分项 (points lost) first; those that
 * lose nothing after them, block by block in the catalogue's order; those that do not count (no
 * score, or a block short of data) last.
 */
export function indicatorsByLoss(street: LiveStreet, catalogue: readonly IndicatorConfig[]): IndicatorItem[] {
  const items = indicatorGroups(street, catalogue).flatMap((group) =>
    group.rows.map((row) => ({ ...row, block: group.block })),
  );
  // Array.prototype.sort is stable: ties keep the grouped order.
  return items.sort(
    (a, b) => Number(b.counted) - Number(a.counted) || (b.counted ? b.pointsLost - a.pointsLost : 0),
  );
}

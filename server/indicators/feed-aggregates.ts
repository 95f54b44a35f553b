/**
 * Feed-based indicators computed in SQL: one query per feed returns, per street, the aggregates of
 * every indicator of that feed, each over its own window (a FILTER clause per indicator), so that
 * no event row is ever loaded into the process. A batch recomputes only the streets it touched.
 *
 * Whatever is stored, the arithmetic cannot overflow: sums are taken in `numeric` (a sum too large
 * for a double comes back as Infinity, which no measure takes for a value), and time limits are
 * compared in seconds rather than multiplied into intervals. When the feed's query fails all the
 * same, each indicator is queried on its own, so that only the failing one goes missing.
 */
import { and, inArray, sql, type SQL } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';
import type { IndicatorConfig } from '../../shared/city.js';
import type { FeedFilter, FeedRule } from '../../shared/feed-rules.js';
import type { MeasureInput } from '../../shared/index/index.js';
import type { Db } from '../db/client.js';
import type { FeedAdapter } from '../feeds/adapter.js';

const DAY_MS = 86_400_000;

/** The numbers one rule needs, as SQL expressions, named after the measure inputs they become. */
function aggregates(rule: FeedRule, column: (field: string) => PgColumn, inWindow: SQL, asOf: SQL) {
  const where = (filter: FeedFilter | undefined): SQL => {
    const parts = Object.entries(filter ?? {}).map(([field, wanted]) => {
      const values = Array.isArray(wanted) ? wanted : [wanted];
      const target = column(field);
      return typeof values[0] === 'boolean'
        ? sql`coalesce(${target}, false) in (${sql.join(
            values.map((v) => sql`${v}`),
            sql`, `,
          )})`
        : sql`${target} in (${sql.join(
            values.map((v) => sql`${String(v)}`),
            sql`, `,
          )})`;
    });
    return sql.join([inWindow, ...parts], sql` and `);
  };
  const count = (condition: SQL) => sql<number>`count(*) filter (where ${condition})`;
  /** Σ value over the rows meeting a condition, in numeric: a double's sum can overflow. */
  const total = (value: SQL | PgColumn, condition: SQL) =>
    sql<number>`coalesce(sum((${value})::numeric) filter (where ${condition}), 0)`;
  switch (rule.aggregate) {
    case 'count':
      return { count: count(where(rule.where)) };
    case 'share':
      return {
        numerator: count(sql`${where(rule.of)} and ${where(rule.where)}`),
        denominator: count(where(rule.of)),
      };
    case 'on_time': {
      const from = column(rule.from);
      const to = column(rule.to);
      const limit = rule.limitField
        ? sql`coalesce(${column(rule.limitField)}, ${rule.limitMinutes})`
        : sql`${rule.limitMinutes}`;
      const limitSeconds = sql`(${limit})::numeric * 60`;
      const secondsSince = (end: SQL | PgColumn) => sql`extract(epoch from (${end} - ${from}))`;
      const base = where(rule.where);
      return {
        numerator: count(sql`${base} and ${to} is not null and ${secondsSince(to)} <= ${limitSeconds}`),
        // Late without an arrival counts as late: those are in the denominator too.
        denominator: count(sql`${base} and (${to} is not null or ${secondsSince(asOf)} > ${limitSeconds})`),
      };
    }
    case 'sum':
      return { sum: total(column(rule.field), where(rule.where)) };
    case 'sum_ratio': {
      const base = where(rule.where);
      return {
        numerator: total(column(rule.numerator), base),
        denominator: total(column(rule.denominator), base),
      };
    }
    case 'mean': {
      const field = column(rule.field);
      const base = sql`${where(rule.where)} and ${field} is not null`;
      return { sum: total(field, base), n: count(base) };
    }
    case 'mean_minutes': {
      const from = column(rule.from);
      const to = column(rule.to);
      const base = sql`${where(rule.where)} and ${to} is not null`;
      return { sum: total(sql`extract(epoch from (${to} - ${from})) / 60`, base), n: count(base) };
    }
  }
}

/** Indicator id → street → the measure inputs of that indicator in that street. */
export type FeedAggregates = Map<string, Map<string, MeasureInput>>;

/**
 * What the aggregates count: as of an instant, each indicator over its own rolling window (the live
 * index); or every indicator over one span, `from` included and `to` not (a calendar month).
 */
export type AggregateSpan = Date | { from: Date; to: Date };

type FeedIndicator = IndicatorConfig & { rule: FeedRule };

/**
 * Computes the measure inputs of every indicator of one feed as of an instant or over a span, for
 * some streets (all when `streets` is absent). Streets without items in a window get zero counts.
 *
 * When the feed's query fails, each indicator is queried alone: one that still fails is missing
 * (for the streets asked for, an input from which no value follows) and reported to `onFailure`;
 * the others are computed. When every one fails, the feed as a whole cannot be read: that throws.
 */
export async function computeFeedAggregates(
  db: Db,
  adapter: FeedAdapter,
  indicators: readonly IndicatorConfig[],
  asOf: AggregateSpan,
  streets?: readonly string[],
  onFailure?: (indicatorId: string, error: unknown) => void,
): Promise<FeedAggregates> {
  const own = indicators.filter((i): i is FeedIndicator => i.source === adapter.feed && !!i.rule);
  if (own.length === 0 || streets?.length === 0) return new Map(own.map((i) => [i.id, new Map()]));
  try {
    return await queryAggregates(db, adapter, own, asOf, streets);
  } catch (error) {
    if (own.length === 1) throw error;
    const alone = await Promise.allSettled(own.map((i) => queryAggregates(db, adapter, [i], asOf, streets)));
    if (alone.every((outcome) => outcome.status === 'rejected')) throw error;
    const result: FeedAggregates = new Map();
    alone.forEach((outcome, i) => {
      const id = own[i]!.id;
      if (outcome.status === 'fulfilled') result.set(id, outcome.value.get(id)!);
      else {
        onFailure?.(id, outcome.reason);
        result.set(id, new Map((streets ?? []).map((street) => [street, {}])));
      }
    });
    return result;
  }
}

/** One query for some indicators of a feed. */
async function queryAggregates(
  db: Db,
  adapter: FeedAdapter,
  own: readonly FeedIndicator[],
  span: AggregateSpan,
  streets?: readonly string[],
): Promise<FeedAggregates> {
  const result: FeedAggregates = new Map(own.map((i) => [i.id, new Map()]));

  const column = (field: string) => {
    const found = adapter.columns[field];
    if (!found) throw new Error(`the ${adapter.feed} feed has no field ${field}`);
    return found;
  };
  const time = adapter.eventTime;
  const instant = (at: Date) => sql`${at.toISOString()}::timestamptz`;
  /** Events after `days` before the instant, up to it; or within the span. */
  const within = (days: number): SQL => {
    if (!(span instanceof Date))
      return sql`${time} >= ${instant(span.from)} and ${time} < ${instant(span.to)}`;
    return sql`${time} > ${instant(new Date(span.getTime() - days * DAY_MS))} and ${time} <= ${instant(span)}`;
  };
  // A case is late by the end of what is counted.
  const at = instant(span instanceof Date ? span : span.to);
  const selection: Record<string, SQL | PgColumn> = { street: adapter.table.street };
  own.forEach((indicator, i) => {
    const inWindow = within(indicator.windowDays);
    for (const [name, expression] of Object.entries(aggregates(indicator.rule, column, inWindow, at)))
      selection[`${name}_${i}`] = expression;
  });
  const rows = (await db
    .select(selection)
    .from(adapter.table)
    .where(
      and(
        within(Math.max(...own.map((i) => i.windowDays))),
        streets ? inArray(adapter.table.street, [...streets]) : undefined,
      ),
    )
    .groupBy(adapter.table.street)) as Record<string, unknown>[];

  const byStreet = new Map(rows.map((row) => [row.street as string, row]));
  const wanted = streets ?? [...byStreet.keys()];
  own.forEach((indicator, i) => {
    const perStreet = result.get(indicator.id)!;
    const suffix = `_${i}`;
    for (const street of wanted) {
      const row = byStreet.get(street);
      const input: MeasureInput = {};
      for (const name of ['count', 'numerator', 'denominator', 'sum', 'n'] as const) {
        const key = `${name}${suffix}`;
        if (row && key in row) input[name] = Number(row[key]);
        else if (!row && Object.keys(selection).includes(key)) input[name] = 0;
      }
      perStreet.set(street, input);
    }
  });
  return result;
}

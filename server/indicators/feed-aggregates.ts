/**
 * Feed-based indicators computed in SQL: one query per feed returns, per street, the aggregates of
 * every indicator of that feed, each over its own window (a FILTER clause per indicator), so that
 * no event row is ever loaded into the process. A batch recomputes only the streets it touched.
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
      const deadline = sql`${from} + (${limit}) * interval '1 minute'`;
      const base = where(rule.where);
      return {
        numerator: count(sql`${base} and ${to} is not null and ${to} <= ${deadline}`),
        // Late without an arrival counts as late: those are in the denominator too.
        denominator: count(sql`${base} and (${to} is not null or ${deadline} < ${asOf})`),
      };
    }
    case 'sum':
      return {
        sum: sql<number>`coalesce(sum(${column(rule.field)}) filter (where ${where(rule.where)}), 0)`,
      };
    case 'sum_ratio': {
      const base = where(rule.where);
      return {
        numerator: sql<number>`coalesce(sum(${column(rule.numerator)}) filter (where ${base}), 0)`,
        denominator: sql<number>`coalesce(sum(${column(rule.denominator)}) filter (where ${base}), 0)`,
      };
    }
    case 'mean': {
      const field = column(rule.field);
      const base = sql`${where(rule.where)} and ${field} is not null`;
      return { sum: sql<number>`coalesce(sum(${field}) filter (where ${base}), 0)`, n: count(base) };
    }
    case 'mean_minutes': {
      const from = column(rule.from);
      const to = column(rule.to);
      const base = sql`${where(rule.where)} and ${to} is not null`;
      return {
        sum: sql<number>`coalesce(sum(extract(epoch from (${to} - ${from})) / 60) filter (where ${base}), 0)`,
        n: count(base),
      };
    }
  }
}

/** Indicator id → street → the measure inputs of that indicator in that street. */
export type FeedAggregates = Map<string, Map<string, MeasureInput>>;

/**
 * Computes the measure inputs of every indicator of one feed as of an instant, for some streets
 * (all when `streets` is absent). Streets without items in a window get zero counts.
 */
export async function computeFeedAggregates(
  db: Db,
  adapter: FeedAdapter,
  indicators: readonly IndicatorConfig[],
  asOf: Date,
  streets?: readonly string[],
): Promise<FeedAggregates> {
  const own = indicators.filter(
    (i): i is IndicatorConfig & { rule: FeedRule } => i.source === adapter.feed && !!i.rule,
  );
  const result: FeedAggregates = new Map(own.map((i) => [i.id, new Map()]));
  if (own.length === 0 || streets?.length === 0) return result;

  const column = (field: string) => {
    const found = adapter.columns[field];
    if (!found) throw new Error(`the ${adapter.feed} feed has no field ${field}`);
    return found;
  };
  const at = sql`${asOf.toISOString()}::timestamptz`;
  const longest = Math.max(...own.map((i) => i.windowDays));
  const selection: Record<string, SQL | PgColumn> = { street: adapter.table.street };
  own.forEach((indicator, i) => {
    const since = new Date(asOf.getTime() - indicator.windowDays * DAY_MS).toISOString();
    const inWindow = sql`${adapter.eventTime} > ${since}::timestamptz and ${adapter.eventTime} <= ${at}`;
    for (const [name, expression] of Object.entries(aggregates(indicator.rule, column, inWindow, at)))
      selection[`${name}_${i}`] = expression;
  });
  const since = new Date(asOf.getTime() - longest * DAY_MS).toISOString();
  const rows = (await db
    .select(selection)
    .from(adapter.table)
    .where(
      and(
        sql`${adapter.eventTime} > ${since}::timestamptz`,
        sql`${adapter.eventTime} <= ${at}`,
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

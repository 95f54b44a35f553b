/**
 * What the alert rules and their explanations read from the database: each street's baseline (the
 * mean of its recorded index over the days before the last one), recent zero-tolerance incidents, the street as it stood
 * before an alert opened, and its recent incidents by category and community. Counts and codes
 * only: nothing here identifies a person.
 */
import { and, count, desc, eq, gte, inArray, isNotNull, lt, sql } from 'drizzle-orm';
import type { ZeroToleranceEvent } from '../../shared/alerts/inputs.js';
import { rulesFor, type AlertRules } from '../../shared/alerts/rules/index.js';
import { BASELINE_LAG_DAYS } from '../../shared/alerts/rules/indexDrop.js';
import type { RecentEvents } from '../../shared/alerts/why.js';
import type { StreetResult } from '../../shared/index/types.js';
import type { Db } from '../db/client.js';
import { incidents, indexSnapshots } from '../db/schema/index.js';
import { dayMean } from '../repositories/snapshots.js';

const DAY = 86_400_000;
const HOUR = 3_600_000;

/**
 * A baseline needs this many days with a recorded index in its window: one stray day is not a norm.
 * The history service records the past month's days from what the feeds hold, so a new server has a
 * baseline as soon as its feeds have backfilled.
 */
export const MIN_BASELINE_DAYS = 3;

/**
 * Street code → its baseline (BASELINE_LAG_DAYS): the mean of the daily means of its recorded index
 * over the street's `indexDrop.baselineDays` days before the last one, days counted back from `now`
 * in 24-hour steps, a day's recorded snapshot taking precedence over its live ones; provisional
 * snapshots are left out (their index may lack a block). Null without enough history.
 */
export async function readBaselines(
  db: Db,
  now: Date,
  streets: readonly string[],
  config: AlertRules,
): Promise<Record<string, number | null>> {
  const byDays = new Map<number, string[]>();
  for (const street of streets) {
    const days = rulesFor(config, street).indexDrop.baselineDays;
    byDays.set(days, [...(byDays.get(days) ?? []), street]);
  }
  // The day a snapshot falls on, counted back from now: 0 is the last 24 hours. A literal, not a
  // parameter, so that GROUP BY sees the very expression the SELECT has.
  const dayBack = sql<number>`floor((${sql.raw(String(now.getTime() / 1000))} - extract(epoch from ${indexSnapshots.at})) / 86400)`;
  const baselines: Record<string, number | null> = Object.fromEntries(streets.map((s) => [s, null]));
  for (const [days, codes] of byDays) {
    const daily = db
      .select({
        street: indexSnapshots.streetCode,
        day: dayBack.as('day'),
        mean: sql<number>`${dayMean}`.as('day_mean'),
      })
      .from(indexSnapshots)
      .where(
        and(
          inArray(indexSnapshots.streetCode, codes),
          gte(indexSnapshots.at, new Date(now.getTime() - (days + BASELINE_LAG_DAYS) * DAY)),
          lt(indexSnapshots.at, new Date(now.getTime() - BASELINE_LAG_DAYS * DAY)),
          isNotNull(indexSnapshots.index),
          eq(indexSnapshots.provisional, false),
        ),
      )
      .groupBy(indexSnapshots.streetCode, dayBack)
      .as('daily');
    const rows = await db
      .select({ street: daily.street, mean: sql<number | string>`avg(${daily.mean})`, days: count() })
      .from(daily)
      .groupBy(daily.street);
    for (const row of rows)
      if (row.days >= MIN_BASELINE_DAYS && row.mean !== null) baselines[row.street] = Number(row.mean);
  }
  return baselines;
}

/** Incidents of any zero-tolerance category reported within the longest window any street uses. */
export async function readZeroToleranceEvents(
  db: Db,
  now: Date,
  streets: readonly string[],
  config: AlertRules,
): Promise<ZeroToleranceEvent[]> {
  const rules = [rulesFor(config), ...streets.map((street) => rulesFor(config, street))].map(
    (r) => r.zeroTolerance,
  );
  const categories = [...new Set(rules.filter((r) => r.enabled).flatMap((r) => r.categories))];
  if (categories.length === 0) return [];
  const hours = Math.max(...rules.map((r) => r.withinHours));
  const rows = await db
    .select({
      id: incidents.id,
      street: incidents.street,
      community: incidents.community,
      category: incidents.category,
      at: incidents.reportedAt,
    })
    .from(incidents)
    .where(
      and(
        // The street leads the incidents' (street, reported_at) index: without it, a scan of them all.
        inArray(incidents.street, streets),
        inArray(incidents.category, categories),
        gte(incidents.reportedAt, new Date(now.getTime() - hours * HOUR)),
        lt(incidents.reportedAt, new Date(now.getTime() + 1)),
      ),
    );
  return rows.map((row) => ({ ...row, at: row.at.toISOString() }));
}

/**
 * The street as recorded in the last snapshot before `before`: the "then" of an explanation. Only
 * what explaining a change needs (index and each indicator's raw value and contribution).
 */
export async function readStreetBefore(db: Db, street: string, before: Date): Promise<StreetResult | null> {
  const [row] = await db
    .select()
    .from(indexSnapshots)
    .where(and(eq(indexSnapshots.streetCode, street), lt(indexSnapshots.at, before)))
    .orderBy(desc(indexSnapshots.at))
    .limit(1);
  if (!row) return null;
  return {
    code: street,
    index: row.index,
    grade: null,
    rank: row.rank,
    provisional: row.provisional,
    blocks: row.blocks ?? { positive: null, negative: null, public: null },
    indicators: (row.indicators ?? []).map((indicator) => ({
      id: indicator.id,
      raw: indicator.raw,
      smoothed: indicator.raw,
      score: indicator.score,
      contribution: indicator.contribution,
      pointsLost: 0,
    })),
  };
}

/** How far back the "events behind it" line of an explanation looks. */
export const RECENT_EVENT_HOURS = 6;

/** The street's incidents over the last hours, by category and community. */
export async function readRecentEvents(
  db: Db,
  street: string,
  now: Date,
  hours = RECENT_EVENT_HOURS,
): Promise<RecentEvents> {
  const rows = await db
    .select({ category: incidents.category, community: incidents.community, count: count() })
    .from(incidents)
    .where(
      and(
        eq(incidents.street, street),
        gte(incidents.reportedAt, new Date(now.getTime() - hours * HOUR)),
        lt(incidents.reportedAt, new Date(now.getTime() + 1)),
      ),
    )
    .groupBy(incidents.category, incidents.community);
  return { hours, counts: rows };
}

/**
 * The wall's operational panels, aggregated in SQL per street (or hall): the fraud centre today,
 * the service halls today (before they open, the last day they worked), mediation today and over
 * 30 days. "Today" is the city's local date. Sums are taken in numeric and time limits compared in
 * seconds, so nothing stored can overflow them; a panel whose query fails all the same keeps its
 * last figures.
 */
import { and, gte, lt, max, sql, type SQL } from 'drizzle-orm';
import type { CityConfig } from '../../shared/city.js';
import {
  PANEL_KEYS,
  type FraudToday,
  type MediationLive,
  type PanelKey,
  type Panels,
  type WindowHall,
} from '../../shared/panels.js';
import { addDays, localDate, startOfLocalDate } from '../../shared/period.js';
import type { Db } from '../db/client.js';
import { fraudEvents, mediationCases, windowTickets } from '../db/schema/index.js';

const DAY_MS = 86_400_000;
/** How far back the windows panel looks for the last day the halls took tickets (a long holiday). */
const WINDOWS_LOOKBACK_DAYS = 14;
const num = (value: unknown) => Number(value ?? 0);
const rate = (part: unknown, whole: unknown) => (num(whole) > 0 ? (100 * num(part)) / num(whole) : null);

/** The time limit of a ticket when it carries none: the window on-time indicator's, else 30 minutes. */
function defaultTicketLimit(city: CityConfig): number {
  const rule = city.indicators.find(
    (i) => i.source === 'service-window' && i.rule?.aggregate === 'on_time',
  )?.rule;
  return rule?.aggregate === 'on_time' ? rule.limitMinutes : 30;
}

/** What a panel's query reads against: the city, its local midnight today, and now. */
interface PanelQuery {
  db: Db;
  city: CityConfig;
  midnight: Date;
  now: Date;
}

/** One query a panel, each giving its panel's rows: a panel of `Panels` without one does not compile. */
const READERS: { [K in PanelKey]: (query: PanelQuery) => Promise<Panels[K]> } = {
  fraud: async ({ db, midnight }) => {
    const rows = await db
      .select({
        street: fraudEvents.street,
        cases: sql`count(*) filter (where ${fraudEvents.type} = 'case')`,
        lossYuan: sql`coalesce(sum(${fraudEvents.lossYuan}::numeric) filter (where ${fraudEvents.type} = 'case'), 0)`,
        warnings: sql`count(*) filter (where ${fraudEvents.type} = 'warning')`,
        dissuaded: sql`count(*) filter (where ${fraudEvents.type} = 'warning' and ${fraudEvents.dissuaded})`,
        interceptions: sql`count(*) filter (where ${fraudEvents.type} = 'interception')`,
        interceptedYuan: sql`coalesce(sum(${fraudEvents.interceptedYuan}::numeric), 0)`,
      })
      .from(fraudEvents)
      .where(gte(fraudEvents.occurredAt, midnight))
      .groupBy(fraudEvents.street);
    return rows.map((row): FraudToday => ({
      street: row.street,
      cases: num(row.cases),
      lossYuan: num(row.lossYuan),
      warnings: num(row.warnings),
      dissuaded: num(row.dissuaded),
      interceptions: num(row.interceptions),
      interceptedYuan: num(row.interceptedYuan),
    }));
  },
  windows: ({ db, city, midnight }) => readWindows(db, city, defaultTicketLimit(city), midnight),
  mediation: async ({ db, midnight, now }) => {
    const rows = await db
      .select({
        street: mediationCases.street,
        today: sql`count(*) filter (where ${mediationCases.acceptedAt} >= ${midnight.toISOString()}::timestamptz)`,
        accepted: sql`count(*)`,
        success: sql`count(*) filter (where ${mediationCases.status} = 'success')`,
        closed: sql`count(*) filter (where ${mediationCases.status} in ('success', 'failed', 'referred'))`,
        pending: sql`count(*) filter (where ${mediationCases.status} = 'pending')`,
      })
      .from(mediationCases)
      .where(and(gte(mediationCases.acceptedAt, new Date(now.getTime() - 30 * DAY_MS))))
      .groupBy(mediationCases.street);
    return rows.map((row): MediationLive => ({
      street: row.street,
      acceptedToday: num(row.today),
      accepted30d: num(row.accepted),
      successRate: rate(row.success, row.closed),
      pending: num(row.pending),
    }));
  },
};

/**
 * The panels now. Each is read on its own: one whose query fails is taken from `previous` and
 * reported to `onFailure`, and the others are fresh.
 */
export async function readPanels(
  db: Db,
  city: CityConfig,
  midnight: Date,
  now: Date,
  previous: Panels,
  onFailure: (panel: PanelKey, error: unknown) => void,
): Promise<Panels> {
  const query: PanelQuery = { db, city, midnight, now };
  const read = async <K extends PanelKey>(panel: K): Promise<[K, Panels[K]]> => {
    try {
      return [panel, await READERS[panel](query)];
    } catch (error) {
      onFailure(panel, error);
      return [panel, previous[panel]];
    }
  };
  // PANEL_KEYS holds every key of Panels (shared/panels.ts checks it), so the entries make one whole.
  return Object.fromEntries(await Promise.all(PANEL_KEYS.map(read))) as Panels;
}

/** The halls' figures over the tickets taken in a span, labelled with its local date. */
async function hallsOn(db: Db, limit: number, day: string, span: SQL): Promise<WindowHall[]> {
  const rows = await db
    .select({
      hall: windowTickets.hall,
      street: windowTickets.street,
      waiting: sql`count(*) filter (where ${windowTickets.status} = 'waiting')`,
      meanWait: sql`avg(extract(epoch from (${windowTickets.calledAt} - ${windowTickets.takenAt})) / 60)`,
      finished: sql`count(${windowTickets.finishedAt})`,
      onTime: sql`count(*) filter (where extract(epoch from (${windowTickets.finishedAt} - ${windowTickets.takenAt})) <= coalesce(${windowTickets.limitMinutes}, ${limit})::numeric * 60)`,
    })
    .from(windowTickets)
    .where(span)
    .groupBy(windowTickets.hall, windowTickets.street)
    .orderBy(windowTickets.street, windowTickets.hall);
  return rows.map((row) => ({
    hall: row.hall,
    street: row.street,
    day,
    waiting: num(row.waiting),
    meanWaitMinutes: row.meanWait === null ? null : num(row.meanWait),
    onTimeRate: rate(row.onTime, row.finished),
    finished: num(row.finished),
  }));
}

/**
 * Today's halls; before any ticket today (the night, a weekend morning), the last day within
 * WINDOWS_LOOKBACK_DAYS that had tickets, so that a 24/7 wall is not blank for half of every day.
 */
async function readWindows(db: Db, city: CityConfig, limit: number, midnight: Date): Promise<WindowHall[]> {
  const timezone = city.city.timezone;
  const today = await hallsOn(db, limit, localDate(midnight, timezone), gte(windowTickets.takenAt, midnight));
  if (today.length > 0) return today;
  const [last] = await db
    .select({ at: max(windowTickets.takenAt) })
    .from(windowTickets)
    .where(
      and(
        lt(windowTickets.takenAt, midnight),
        gte(windowTickets.takenAt, new Date(midnight.getTime() - WINDOWS_LOOKBACK_DAYS * DAY_MS)),
      ),
    );
  // max() of a timestamp comes back as a string from some drivers.
  if (!last?.at) return [];
  const day = localDate(new Date(last.at), timezone);
  const [from, to] = [startOfLocalDate(day, timezone), startOfLocalDate(addDays(day, 1), timezone)];
  return hallsOn(db, limit, day, and(gte(windowTickets.takenAt, from), lt(windowTickets.takenAt, to))!);
}

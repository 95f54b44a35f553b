/**
 * The wall's operational panels, aggregated in SQL per street (or hall): the fraud centre today,
 * the service halls today, mediation today and over 30 days. "Today" is the city's local date.
 * Sums are taken in numeric and time limits compared in seconds, so nothing stored can overflow
 * them; a panel whose query fails all the same keeps its last figures.
 */
import { and, gte, sql } from 'drizzle-orm';
import type { CityConfig } from '../../shared/city.js';
import type { FraudToday, MediationLive, Panels, WindowHall } from '../../shared/live.js';
import type { Db } from '../db/client.js';
import { fraudEvents, mediationCases, windowTickets } from '../db/schema/index.js';

const DAY_MS = 86_400_000;
const num = (value: unknown) => Number(value ?? 0);
const rate = (part: unknown, whole: unknown) => (num(whole) > 0 ? (100 * num(part)) / num(whole) : null);

/** The time limit of a ticket when it carries none: the window on-time indicator's, else 30 minutes. */
function defaultTicketLimit(city: CityConfig): number {
  const rule = city.indicators.find(
    (i) => i.source === 'service-window' && i.rule?.aggregate === 'on_time',
  )?.rule;
  return rule?.aggregate === 'on_time' ? rule.limitMinutes : 30;
}

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
  onFailure: (panel: keyof Panels, error: unknown) => void,
): Promise<Panels> {
  const limit = defaultTicketLimit(city);
  const [fraud, windows, mediation] = await Promise.allSettled([
    db
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
      .groupBy(fraudEvents.street),
    db
      .select({
        hall: windowTickets.hall,
        street: windowTickets.street,
        waiting: sql`count(*) filter (where ${windowTickets.status} = 'waiting')`,
        meanWait: sql`avg(extract(epoch from (${windowTickets.calledAt} - ${windowTickets.takenAt})) / 60)`,
        finished: sql`count(${windowTickets.finishedAt})`,
        onTime: sql`count(*) filter (where extract(epoch from (${windowTickets.finishedAt} - ${windowTickets.takenAt})) <= coalesce(${windowTickets.limitMinutes}, ${limit})::numeric * 60)`,
      })
      .from(windowTickets)
      .where(gte(windowTickets.takenAt, midnight))
      .groupBy(windowTickets.hall, windowTickets.street)
      .orderBy(windowTickets.street, windowTickets.hall),
    db
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
      .groupBy(mediationCases.street),
  ]);
  const settled = <T, R>(outcome: PromiseSettledResult<T[]>, panel: keyof Panels, present: (row: T) => R) => {
    if (outcome.status === 'fulfilled') return outcome.value.map(present);
    onFailure(panel, outcome.reason);
    return previous[panel] as R[];
  };
  return {
    fraud: settled(fraud, 'fraud', (row): FraudToday => ({
      street: row.street,
      cases: num(row.cases),
      lossYuan: num(row.lossYuan),
      warnings: num(row.warnings),
      dissuaded: num(row.dissuaded),
      interceptions: num(row.interceptions),
      interceptedYuan: num(row.interceptedYuan),
    })),
    windows: settled(windows, 'windows', (row): WindowHall => ({
      hall: row.hall,
      street: row.street,
      waiting: num(row.waiting),
      meanWaitMinutes: row.meanWait === null ? null : num(row.meanWait),
      onTimeRate: rate(row.onTime, row.finished),
      finished: num(row.finished),
    })),
    mediation: settled(mediation, 'mediation', (row): MediationLive => ({
      street: row.street,
      acceptedToday: num(row.today),
      accepted30d: num(row.accepted),
      successRate: rate(row.success, row.closed),
      pending: num(row.pending),
    })),
  };
}

/**
 * The operations panels' figures, worked out from the live snapshot's per-street panels: the
 * fraud centre (反诈中心), the service windows (便民服务窗口) and mediation (人民调解). Pure.
 */
import type { FraudToday, MediationLive, WindowHall } from '$shared/panels.js';
import { addDays } from '$shared/period.js';
import { UNKNOWN } from '$shared/vocabulary.js';
import type { Names } from './api.js';
import type { Messages } from './i18n.js';

/** The city's fraud figures of today: every street's summed. */
export type FraudTotals = Omit<FraudToday, 'street'>;

const finite = (value: number | null | undefined): number =>
  typeof value === 'number' && Number.isFinite(value) ? value : 0;

/** Today's fraud figures of every street the wall sees, summed. */
export function fraudTotals(fraud: readonly FraudToday[]): FraudTotals {
  const total: FraudTotals = {
    cases: 0,
    lossYuan: 0,
    warnings: 0,
    dissuaded: 0,
    interceptions: 0,
    interceptedYuan: 0,
  };
  for (const street of fraud) {
    total.cases += finite(street.cases);
    total.lossYuan += finite(street.lossYuan);
    total.warnings += finite(street.warnings);
    total.dissuaded += finite(street.dissuaded);
    total.interceptions += finite(street.interceptions);
    total.interceptedYuan += finite(street.interceptedYuan);
  }
  return total;
}

/** A mean of rates weighted by how much each stands for; null when nothing has a rate and a weight. */
function weightedMean(rows: readonly { value: number | null; weight: number }[]): number | null {
  let sum = 0;
  let weights = 0;
  for (const { value, weight } of rows) {
    if (value === null || !Number.isFinite(value) || !(weight > 0)) continue;
    sum += value * weight;
    weights += weight;
  }
  return weights > 0 ? sum / weights : null;
}

export interface MediationTotals {
  acceptedToday: number;
  accepted30d: number;
  /** The streets' success rates weighted by their cases of 30 days (the snapshot has no closed counts). */
  successRate: number | null;
  pending: number;
}

export function mediationTotals(mediation: readonly MediationLive[]): MediationTotals {
  return {
    acceptedToday: mediation.reduce((sum, street) => sum + finite(street.acceptedToday), 0),
    accepted30d: mediation.reduce((sum, street) => sum + finite(street.accepted30d), 0),
    successRate: weightedMean(
      mediation.map((street) => ({ value: street.successRate, weight: finite(street.accepted30d) || 1 })),
    ),
    pending: mediation.reduce((sum, street) => sum + finite(street.pending), 0),
  };
}

export interface HallRow extends WindowHall {
  /** What the wall calls the hall: its street's name when the street has one hall, else the hall's name. */
  label: string;
}

/**
 * The halls, busiest first (most waiting, then the longest mean wait), each labelled by its street
 * when that is unambiguous: "金方" reads from across the room, "金方便民服务中心" does not. A hall
 * the city does not know (its tickets named none of the street's halls) is "unknown", beside its
 * street's name.
 */
export function hallRows(
  halls: readonly WindowHall[],
  streetNames: ReadonlyMap<string, Names>,
  lang: 'zh' | 'en',
  t: Pick<Messages, 'unknown'>,
): HallRow[] {
  const perStreet = new Map<string, number>();
  for (const hall of halls) perStreet.set(hall.street, (perStreet.get(hall.street) ?? 0) + 1);
  return halls
    .map((hall) => {
      const street = streetNames.get(hall.street)?.[lang];
      const name = hall.hall === UNKNOWN ? (street ? `${street} · ${t.unknown}` : t.unknown) : hall.hall;
      const label = street && perStreet.get(hall.street) === 1 ? street : name || street || hall.street;
      return { ...hall, label };
    })
    .sort(
      (a, b) =>
        finite(b.waiting) - finite(a.waiting) ||
        finite(b.meanWaitMinutes) - finite(a.meanWaitMinutes) ||
        a.label.localeCompare(b.label),
    );
}

export interface WindowTotals {
  waiting: number;
  /** Halls' mean waits weighted by their finished tickets. */
  meanWaitMinutes: number | null;
  /** Halls' on-time rates weighted by their finished tickets. */
  onTimeRate: number | null;
  finished: number;
}

export function windowTotals(halls: readonly WindowHall[]): WindowTotals {
  const weight = (hall: WindowHall) => finite(hall.finished) || 1;
  return {
    waiting: halls.reduce((sum, hall) => sum + finite(hall.waiting), 0),
    meanWaitMinutes: weightedMean(
      halls.map((hall) => ({ value: hall.meanWaitMinutes, weight: weight(hall) })),
    ),
    onTimeRate: weightedMean(halls.map((hall) => ({ value: hall.onTimeRate, weight: weight(hall) }))),
    finished: halls.reduce((sum, hall) => sum + finite(hall.finished), 0),
  };
}

/**
 * The windows panel's heading: today's, or — before the halls open, when the figures are of the
 * last day they worked — that day's, so that nobody reads last night's figures as today's.
 */
export function windowsHeading(
  halls: readonly WindowHall[],
  today: string,
  t: Pick<Messages, 'windows' | 'minutesNote' | 'windowsOn'>,
): { title: string; aside: string; day: string } {
  const day = halls[0]?.day ?? today;
  if (day >= today) return { title: t.windows, aside: t.minutesNote, day };
  const [, month, date] = day.split('-').map(Number) as [number, number, number];
  return { ...t.windowsOn({ yesterday: addDays(today, -1) === day, month, date }), day };
}

/**
 * Daily rhythms: how busy each feed is at each quarter hour of the city's local day. Incidents
 * peak at night and dip mid-morning; the fraud centre works around the clock but mostly by day;
 * service windows open only in office hours; mediation and surveys happen by day.
 */
import type { FeedName } from '../../shared/feeds/index.js';
import { zoneOffset } from '../../shared/period.js';

/** Events are drawn per quarter hour: every opening hour of the feeds falls on one. */
export const QUARTER_MS = 15 * 60_000;
export const QUARTERS_PER_DAY = 96;
const HOUR_MS = 3_600_000;
const DAY_MINUTES = 1440;

/** Local wall-clock arithmetic for one IANA time zone, cached per UTC hour (zones shift on hours). */
export class LocalClock {
  private readonly offsets = new Map<number, number>();

  constructor(readonly timeZone: string) {}

  /** Minutes the local clock is ahead of UTC at an instant. */
  offsetMinutes(ms: number): number {
    const hour = Math.floor(ms / HOUR_MS);
    let offset = this.offsets.get(hour);
    if (offset === undefined) {
      offset = Math.round(zoneOffset(hour * HOUR_MS, this.timeZone) / 60_000);
      this.offsets.set(hour, offset);
    }
    return offset;
  }

  /** Local minute of the day, 0–1439. */
  minuteOfDay(ms: number): number {
    const local = Math.floor(ms / 60_000) + this.offsetMinutes(ms);
    return ((local % DAY_MINUTES) + DAY_MINUTES) % DAY_MINUTES;
  }

  /** The first instant at or after `ms` whose local minute of the day lies in [from, to). */
  nextWithin(ms: number, from: number, to: number): number {
    const minute = this.minuteOfDay(ms);
    if (minute >= from && minute < to) return ms;
    const ahead = (from - minute + DAY_MINUTES) % DAY_MINUTES;
    // Land on the whole minute `from`, dropping the seconds of `ms`.
    return Math.floor(ms / 60_000) * 60_000 + ahead * 60_000;
  }
}

/** 24 hourly weights, any scale. */
type Hourly = readonly number[];

/** 警情: evenings and nights are busiest (disputes, drink, traffic after dark); mid-morning is quietest. */
const INCIDENT: Hourly = [
  1.45, 1.35, 1.25, 1.15, 1.05, 1.0, 1.0, 1.0, 0.95, 0.75, 0.7, 0.75, 1.0, 1.0, 0.85, 0.85, 0.9, 0.95, 1.05,
  1.2, 1.35, 1.45, 1.5, 1.5,
];
/** 反诈: warnings and cases follow when people are awake and on their phones. */
const FRAUD: Hourly = [
  0.35, 0.25, 0.2, 0.2, 0.2, 0.3, 0.5, 0.8, 1.1, 1.3, 1.4, 1.4, 1.2, 1.2, 1.4, 1.4, 1.4, 1.3, 1.2, 1.3, 1.4,
  1.3, 1.0, 0.6,
];

const hourly = (weights: Hourly) => (minute: number) => weights[Math.floor(minute / 60)] ?? 0;
const within = (minute: number, from: number, to: number) => minute >= from && minute < to;
const at = (h: number, m = 0) => h * 60 + m;

/** Unnormalised weight of each feed at a local minute of the day. */
const RAW: Record<FeedName, (minute: number) => number> = {
  incident: hourly(INCIDENT),
  fraud: hourly(FRAUD),
  // 便民服务窗口: 08:30–12:00 and 14:00–17:30, busiest before ten.
  'service-window': (m) =>
    within(m, at(8, 30), at(12)) ? (m < at(10) ? 1.3 : 1) : within(m, at(14), at(17, 30)) ? 0.9 : 0,
  // 人民调解: accepted in the day, fewer over lunch.
  mediation: (m) => (within(m, at(8, 30), at(18)) ? (within(m, at(12), at(14)) ? 0.4 : 1) : 0),
  // 公众评价: door-to-door and phone surveys 09:00–20:00.
  survey: (m) => (within(m, at(9), at(20)) ? (within(m, at(12), at(14)) ? 0.5 : 1) : 0),
};

/** Per feed, 96 quarter-hour weights scaled so that a day's weights average 1. */
const QUARTERS = Object.fromEntries(
  (Object.keys(RAW) as FeedName[]).map((feed) => {
    const raw = Array.from({ length: QUARTERS_PER_DAY }, (_, q) => RAW[feed](q * 15));
    const mean = raw.reduce((a, b) => a + b, 0) / QUARTERS_PER_DAY;
    return [feed, raw.map((w) => w / mean)];
  }),
) as Record<FeedName, number[]>;

/**
 * How busy a feed is in the quarter hour starting at a local minute of the day, relative to its
 * daily mean: a day's expected events are spread over its quarters in these proportions.
 */
export function quarterWeight(feed: FeedName, minuteOfDay: number): number {
  return QUARTERS[feed][Math.floor(minuteOfDay / 15)] ?? 0;
}

/** Mediation cases close in the day: between 08:30 and 18:00 local time. */
export const MEDIATION_HOURS = { from: at(8, 30), to: at(18) } as const;

/**
 * The city's screens (大屏): which walls are watched, where each hangs, and how a wall heals itself
 * (a reload after so many hours, in a quiet window of the city's clock). A wall names itself with
 * `?screen=`; a configured screen that goes silent, or that beats but no longer paints or applies
 * the live channel's deltas, is down (the `wallDown` alert rule, /api/health).
 */
import { z } from 'zod';
import type { Names } from './names.js';
import { zoneOffset } from './period.js';
import { withoutNul } from './storable.js';

/** At most this long, as a wall's `?screen=` and its heartbeats carry it. */
export const MAX_SCREEN_NAME = 100;

/** A screen's name, as the wall's `?screen=` gives it: trimmed, 1 to 100 characters. */
export const screenNameSchema = withoutNul(
  z
    .string({ error: (issue) => (issue.input === undefined ? 'is required' : 'expected text') })
    .trim()
    .min(1, 'is required')
    .max(MAX_SCREEN_NAME, `must be at most ${MAX_SCREEN_NAME} characters`),
);

const localTime = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected a local time HH:MM, 00:00 to 23:59');

/** A stretch of the city's day, possibly over midnight (23:00–02:00). */
export const localWindowSchema = z
  .strictObject({ start: localTime, end: localTime })
  .refine((window) => window.start !== window.end, {
    path: ['end'],
    message: 'must differ from start: a window of no length (or of a whole day) is ambiguous',
  });
export type LocalWindow = z.infer<typeof localWindowSchema>;

const names = z.strictObject({
  zh: z.string().trim().min(1, 'is required'),
  en: z.string().trim().min(1, 'is required'),
});

export const watchedScreenSchema = z.strictObject({
  /** As the wall's URL says it: `/?token=…&screen=command-main`. */
  name: screenNameSchema,
  /** Where it hangs, named in the alert and on /api/health. */
  location: names,
});
export type WatchedScreenConfig = z.infer<typeof watchedScreenSchema>;

/** The `screens` section of the city configuration. */
export const screensSchema = z
  .strictObject({
    /** The screens watched by the `wallDown` rule; a wall not listed is shown on /api/health only. */
    walls: z.array(watchedScreenSchema).default([]),
    /** A wall reloads itself after this many hours, in `reloadWindow` (null: only when the server's build changes). */
    reloadAfterHours: z
      .number()
      .positive('must be more than 0 (or null: never)')
      .max(24 * 366, 'must be at most a year of hours')
      .nullable()
      .default(24),
    /** The quiet stretch of the city's night in which a wall that is due reloads. */
    reloadWindow: localWindowSchema.default({ start: '03:00', end: '05:00' }),
  })
  .superRefine((screens, ctx) => {
    const seen = new Set<string>();
    screens.walls.forEach((screen, i) => {
      if (seen.has(screen.name))
        ctx.addIssue({
          code: 'custom',
          path: ['walls', i, 'name'],
          message: `screen ${screen.name} appears twice`,
        });
      seen.add(screen.name);
    });
  });
export type ScreensConfig = z.infer<typeof screensSchema>;

/** What the server knows of a screen's heartbeats, as the `wallDown` rule and /api/health read it. */
export interface ScreenReport {
  /** Its last heartbeat, or its last socket closing, whichever was later (ISO). */
  lastSeenAt: string;
  /** Its last heartbeat (ISO). */
  beatAt: string;
  /** When it last painted, as of its last heartbeat (ISO); null when its page does not say. */
  paintedAt: string | null;
  /**
   * Since when, as of its last heartbeat, it has lagged the live channel: when the oldest delta it
   * had not applied was sent (ISO). Null when it was up to date, or its page does not say.
   */
  lagSince: string | null;
}

/**
 * - `ok`: beating, painting and up to date
 * - `dark`: silent for the rule's minutes (closed, switched off, cut off)
 * - `frozen`: beating, but it had not painted, or had not applied the live channel's deltas, for the
 *   rule's minutes (a stopped render loop, a hung page)
 * - `never-seen`: no heartbeat since the server started
 */
export type ScreenState = 'ok' | 'dark' | 'frozen' | 'never-seen';

/** Why a screen is frozen: it stopped painting, or stopped applying deltas. */
export type FrozenReason = 'paint' | 'seq';

export interface ScreenVerdict {
  state: ScreenState;
  /** For `frozen`: what stopped. */
  reason: FrozenReason | null;
  /** How long it has been so, in minutes: silent (dark, never seen), not painting or lagging (frozen). */
  forMinutes: number | null;
}

const MINUTE = 60_000;
const minutesBetween = (from: string | null, to: number): number | null => {
  const at = from === null ? NaN : Date.parse(from);
  return Number.isFinite(at) ? Math.max(0, (to - at) / MINUTE) : null;
};

/**
 * A screen's state at `now` under a threshold of `minutes`. Silence is counted to now; painting
 * and lag are counted to its last heartbeat, so a screen that was closed goes dark, never frozen.
 * A screen never seen counts its silence from `since` (the server's start) in `forMinutes`, and is
 * `never-seen` all the same.
 */
export function screenState(
  report: ScreenReport | null,
  now: Date,
  minutes: number,
  since: Date,
): ScreenVerdict {
  const t = now.getTime();
  if (report === null)
    return { state: 'never-seen', reason: null, forMinutes: Math.max(0, (t - since.getTime()) / MINUTE) };
  const silent = minutesBetween(report.lastSeenAt, t) ?? Infinity;
  if (silent > minutes) return { state: 'dark', reason: null, forMinutes: silent };
  const beat = Date.parse(report.beatAt);
  const unpainted = Number.isFinite(beat) ? minutesBetween(report.paintedAt, beat) : null;
  const lagging = Number.isFinite(beat) ? minutesBetween(report.lagSince, beat) : null;
  if (unpainted !== null && unpainted > minutes)
    return { state: 'frozen', reason: 'paint', forMinutes: unpainted };
  if (lagging !== null && lagging > minutes) return { state: 'frozen', reason: 'seq', forMinutes: lagging };
  return { state: 'ok', reason: null, forMinutes: null };
}

/** Minutes since the city's midnight at an instant. */
function localMinute(at: number, timeZone: string): number {
  const local = new Date(at + zoneOffset(at, timeZone));
  return local.getUTCHours() * 60 + local.getUTCMinutes();
}

const minutesOf = (time: string) => Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));

/** How far into a local window an instant is, in minutes; null outside it. */
export function intoWindow(at: number, timeZone: string, window: LocalWindow): number | null {
  const minute = localMinute(at, timeZone);
  const start = minutesOf(window.start);
  const end = minutesOf(window.end);
  const length = (end - start + 1440) % 1440;
  const into = (minute - start + 1440) % 1440;
  return into < length ? into : null;
}

/** A window's length in minutes. */
export const windowLength = (window: LocalWindow): number =>
  (minutesOf(window.end) - minutesOf(window.start) + 1440) % 1440;

/**
 * Whether a wall that has been up `upMs` is due for its scheduled reload at `now` (the server's
 * clock): up `reloadAfterHours` or more, and `offsetMinutes` or more into the reload window (each
 * wall draws its own offset, so that a city's walls do not all reconnect in the same second).
 */
export function scheduledReloadDue(
  upMs: number,
  now: number,
  timeZone: string,
  settings: Pick<ScreensConfig, 'reloadAfterHours' | 'reloadWindow'>,
  offsetMinutes = 0,
): boolean {
  if (settings.reloadAfterHours === null || upMs < settings.reloadAfterHours * 3_600_000) return false;
  const into = intoWindow(now, timeZone, settings.reloadWindow);
  return into !== null && into >= Math.min(offsetMinutes, windowLength(settings.reloadWindow) - 1);
}

/** A configured screen's name and place, as an alert says it: "command-main（市指挥中心主屏）". */
export function screenLabel(screen: string, location: Names, lang: 'zh' | 'en'): string {
  return lang === 'zh' ? `${screen}（${location.zh}）` : `${screen} (${location.en})`;
}

/**
 * Rule alerts as the wall, the street page and the acknowledgement page show them: where, what and
 * why in the page's language, how long ago they fired, which ones flash (firing, not muted), which
 * ones are new enough to sound, how many rows fit the wall's alerts panel, and the notifications
 * shown briefly on the street page. Pure; `now` is epoch ms on the server's clock as the store
 * estimates it.
 */
import { compareLiveAlerts, type LiveAlert, type LiveNotification } from '$shared/live.js';
import type { Names } from './api.js';
import type { OperatorAlert } from './feed-health.js';
import { secondsBetween } from './format.js';
import { estimateText, fitLabel, linesFor, type MeasureText } from './text-fit.js';

type Lang = 'zh' | 'en';

/** The parts of an alert every page shows: a live alert, or a whole one from the HTTP API. */
export type AlertFace = Pick<
  LiveAlert,
  'id' | 'street' | 'feed' | 'screen' | 'severity' | 'text' | 'openedAt' | 'firedAt'
>;

const other = (lang: Lang): Lang => (lang === 'zh' ? 'en' : 'zh');

/** The alert's title in a language, the other language's when that one is blank, never blank. */
export function alertTitle(alert: Pick<AlertFace, 'text'>, lang: Lang): string {
  return alert.text[lang]?.title?.trim() || alert.text[other(lang)]?.title?.trim() || '—';
}

/** The body's lines (why it fired), trimmed, without blank ones; the other language's when empty. */
export function alertLines(alert: Pick<AlertFace, 'text'>, lang: Lang): string[] {
  const lines = (text: string | undefined) =>
    (text ?? '')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '');
  const own = lines(alert.text[lang]?.body);
  return own.length > 0 ? own : lines(alert.text[other(lang)]?.body);
}

/**
 * The "why" on one line of the wall: the first body line, then the rest after " · " for as far as
 * the row has room (it ellipsizes). Null when the alert has no body.
 */
export function whyLine(alert: Pick<AlertFace, 'text'>, lang: Lang): string | null {
  const lines = alertLines(alert, lang);
  return lines.length > 0 ? lines.join(' · ') : null;
}

/**
 * Where an alert is: its street's name, or for an operators' alert its feed's, or for a screen's
 * (`wallDown`) the word for a screen (its title names which and where); the code itself when the
 * name is unknown (a street this page has no name for).
 */
export function alertPlace(
  alert: Pick<AlertFace, 'street' | 'feed'> & { screen?: string | null },
  streetNames: ReadonlyMap<string, Names>,
  feedNames: Readonly<Record<string, string>>,
  lang: Lang,
  screenWord?: string,
): string {
  if (alert.street !== null) return streetNames.get(alert.street)?.[lang]?.trim() || alert.street;
  if (alert.feed !== null) return feedNames[alert.feed] ?? alert.feed;
  if (alert.screen != null) return screenWord ?? alert.screen;
  return '—';
}

/**
 * A title without the place it names, since the row names the place beside it: "金方街道发生抢劫警情"
 * after "金方" reads "发生抢劫警情", "Robbery reported in Jinfang" after "Jinfang" reads "Robbery
 * reported". Street names are written "金方" or "金方街道"; a title that neither starts with the place
 * nor ends "in <place>", or would be left empty, is kept whole.
 */
export function withoutPlace(title: string, place: string): string {
  const name = place.trim();
  if (name === '' || name === '—') return title;
  for (const prefix of [`${name}街道`, name]) {
    if (!title.startsWith(prefix)) continue;
    const rest = title
      .slice(prefix.length)
      .replace(/^[\s:：,，·—-]+/, '')
      .trim();
    return rest === '' ? title : rest;
  }
  const suffix = ` in ${name}`;
  if (title.endsWith(suffix)) {
    const rest = title.slice(0, -suffix.length).trim();
    return rest === '' ? title : rest;
  }
  return title;
}

/** Seconds since the alert fired (opened, for one that has not); null when its time is unreadable. */
export function alertAgeSeconds(alert: Pick<AlertFace, 'firedAt' | 'openedAt'>, now: number): number | null {
  const seconds = secondsBetween(alert.firedAt ?? alert.openedAt, now);
  return seconds === null ? null : Math.max(0, seconds);
}

/** The wall's order: firing first, then critical first, then the newest (shared/live.ts). */
export function wallOrder(alerts: readonly LiveAlert[]): LiveAlert[] {
  return [...alerts].sort(compareLiveAlerts);
}

/** A street's alerts, in the wall's order. */
export function alertsOfStreet(alerts: readonly LiveAlert[], street: string): LiveAlert[] {
  return wallOrder(alerts.filter((alert) => alert.street === street));
}

/**
 * The stale-feed rows the wall works out for itself, without the feeds that already have a
 * `feedStale` rule alert on the wall: a feed is listed once.
 */
export function feedRowsBesides(
  feedRows: readonly OperatorAlert[],
  alerts: readonly LiveAlert[],
): OperatorAlert[] {
  const alerted = new Set(
    alerts.filter((alert) => alert.rule === 'feedStale' && alert.feed !== null).map((alert) => alert.feed),
  );
  return feedRows.filter((row) => !alerted.has(row.feed));
}

// ─── Mute ────────────────────────────────────────────────────────────────────────────────────────

/** How long the mute control silences the alerts on the wall. */
export const MUTE_MINUTES = 10;

/**
 * A mute: the alerts it silences and until when. Only the alerts present when it was pressed: a new
 * alert, or one whose severity rose since, flashes (and sounds) again.
 */
export interface AlertMute {
  /** Epoch ms. */
  until: number;
  /** {@link attentionKey} of each silenced alert. */
  alerts: string[];
}

/** An alert at its severity: a warning that turns critical is news again. */
export const attentionKey = (alert: Pick<LiveAlert, 'id' | 'severity'>): string =>
  `${alert.id}|${alert.severity}`;

/** Mutes the firing alerts for `minutes` from `now`. */
export function muteAlerts(alerts: readonly LiveAlert[], now: number, minutes = MUTE_MINUTES): AlertMute {
  return {
    until: now + minutes * 60_000,
    alerts: alerts.filter((alert) => alert.status === 'firing').map(attentionKey),
  };
}

/** The mute while it lasts; null once it is over. */
export function activeMute(mute: AlertMute | null, now: number): AlertMute | null {
  return mute !== null && now < mute.until ? mute : null;
}

/** Whole minutes left of a mute, rounded up ("9 min" until the last second); 0 when over. */
export function muteMinutesLeft(mute: AlertMute | null, now: number): number {
  const active = activeMute(mute, now);
  return active ? Math.ceil((active.until - now) / 60_000) : 0;
}

/** Whether a mute silences this alert now. */
export function isMuted(
  alert: Pick<LiveAlert, 'id' | 'severity'>,
  mute: AlertMute | null,
  now: number,
): boolean {
  return activeMute(mute, now)?.alerts.includes(attentionKey(alert)) ?? false;
}

/** A firing alert flashes until it is acknowledged, unless muted. */
export function isFlashing(alert: LiveAlert, mute: AlertMute | null, now: number): boolean {
  return alert.status === 'firing' && !isMuted(alert, mute, now);
}

/** A stored mute (localStorage), or null when there is none or it is not one. */
export function parseMute(stored: string | null): AlertMute | null {
  if (stored === null) return null;
  try {
    const value: unknown = JSON.parse(stored);
    if (typeof value !== 'object' || value === null) return null;
    const { until, alerts } = value as Record<string, unknown>;
    if (typeof until !== 'number' || !Number.isFinite(until)) return null;
    if (!Array.isArray(alerts) || !alerts.every((key) => typeof key === 'string')) return null;
    return { until, alerts: alerts as string[] };
  } catch {
    return null;
  }
}

/**
 * The firing alerts not seen before (by {@link attentionKey}) and not muted: what a new arrival
 * sounds for.
 */
export function arrivals(
  alerts: readonly LiveAlert[],
  seen: Iterable<string>,
  mute: AlertMute | null,
  now: number,
): LiveAlert[] {
  const known = new Set(seen);
  return alerts.filter(
    (alert) => alert.status === 'firing' && !known.has(attentionKey(alert)) && !isMuted(alert, mute, now),
  );
}

// ─── The wall's panel ────────────────────────────────────────────────────────────────────────────

/**
 * Sizes on the wall's canvas (px) of the alerts panel: its body, which Wall.svelte sizes (238 px
 * panel − 72 px of header and padding), and its rows. The panel sets each row to the height worked
 * out here and clamps its lines to the count worked out here, so what fits here fits on screen.
 */
export const ALERTS_PANEL = {
  body: 166,
  /** Inside a rule alert's row: the 430 px body less the row's borders (6 + 2) and padding (8 + 10). */
  rowWidth: 404,
  /** Between the parts of the first line: severity, place, title, age. */
  lineGap: 8,
  /** Horizontal padding of the severity tag. */
  tagPadding: 10,
  /** The place is cut (ellipsis) beyond this width. */
  placeMax: 130,
  titleLine: 24,
  subLine: 18,
  /** Above and below the lines of a rule alert. */
  rowPadding: 6,
  /** A title, and an acknowledgement, wrap to at most this many lines, then end in an ellipsis. */
  maxLines: 2,
  /** A rule alert on one title line and one why (or acknowledgement) line. */
  alertRow: 48,
  /** A stale or failing feed: one line. */
  feedRow: 28,
  /** "+N more". */
  moreRow: 20,
  gap: 6,
} as const;

/** The fonts of a rule alert's row (CSS shorthand without the family), as AlertsPanel.svelte sets them. */
export const ALERT_ROW_FONTS = {
  tag: '800 16px',
  title: '700 20px',
  age: '400 16px',
  sub: '400 16px',
} as const;

/**
 * The place's font size (px): a long name is set smaller to fit its 130 px, down to the wall's
 * 16 px ("Taiping New Town" is cut there).
 */
export function placeFontSize(place: string): number {
  return fitLabel(place, ALERTS_PANEL.placeMax, { max: 20, min: 16, bold: true }).fontSize;
}

/** Whether a place fits its box on one line at the smallest size; one that does not takes its street's short name. */
export function placeFits(place: string): boolean {
  return fitLabel(place, ALERTS_PANEL.placeMax, { max: 20, min: 16, bold: true, lines: 2 }).lines === 1;
}

/** What a rule alert's row says, in the words of the wall's language. */
export interface AlertRowText {
  /** Severity: "严重" / "Critical". */
  tag: string;
  place: string;
  title: string;
  age: string;
  /** The second line: the why, or who acknowledged it, when and the comment. */
  sub: string;
  /** An acknowledgement may take two lines (who and what was done matter); the why is one line. */
  acknowledged: boolean;
}

export interface AlertRowLines {
  title: number;
  sub: number;
  /** The row's height (px). */
  height: number;
}

/**
 * How many lines a rule alert's title and second line take, and so its height: the title wraps
 * (at most {@link ALERTS_PANEL.maxLines}) when it does not fit beside the severity, the place and
 * the age; an acknowledgement wraps likewise across the row; the why stays one line. The first
 * choice is every line the text needs; the second, when that is more, the acknowledgement on one
 * line (cut with an ellipsis), for a row that would not fit otherwise.
 */
export function alertRowLines(row: AlertRowText, measure: MeasureText = estimateText): AlertRowLines[] {
  const { rowWidth, lineGap, tagPadding, placeMax, maxLines, titleLine, subLine, rowPadding } = ALERTS_PANEL;
  const fonts = ALERT_ROW_FONTS;
  // A pixel of slack per part: the browser rounds each box, a canvas measures in fractions.
  const beside =
    measure(row.tag, fonts.tag) +
    tagPadding +
    Math.min(placeMax, measure(row.place, `800 ${placeFontSize(row.place)}px`)) +
    measure(row.age, fonts.age) +
    3 * lineGap +
    3;
  const title = linesFor(measure(row.title, fonts.title), rowWidth - beside, maxLines);
  const sub = row.acknowledged ? linesFor(measure(row.sub, fonts.sub) + 2, rowWidth, maxLines) : 1;
  const lines = (sub: number) => ({ title, sub, height: rowPadding + title * titleLine + sub * subLine });
  return sub > 1 ? [lines(sub), lines(1)] : [lines(sub)];
}

/** A rule alert whose title and second line take one line each. */
const ONE_LINE_EACH: AlertRowLines = { title: 1, sub: 1, height: ALERTS_PANEL.alertRow };

export interface AlertsLayout {
  feeds: OperatorAlert[];
  alerts: LiveAlert[];
  /** For each listed alert, the choice of lines it is shown with. */
  lines: AlertRowLines[];
  /** Rows that do not fit: "+N more". */
  hidden: number;
}

/**
 * What the alerts panel lists: the feed rows first (they say which figures on the wall are out of
 * date, and are few), then the rule alerts in the wall's order; as many as fit in `height`, keeping
 * room for a "+N more" line when some do not. `choices` gives each alert's row heights, the one it
 * would rather have first: a row takes the first that fits.
 */
export function fitAlerts(
  feeds: readonly OperatorAlert[],
  alerts: readonly LiveAlert[],
  height: number = ALERTS_PANEL.body,
  choices: (alert: LiveAlert, index: number) => readonly AlertRowLines[] = () => [ONE_LINE_EACH],
): AlertsLayout {
  const { feedRow, moreRow, gap } = ALERTS_PANEL;
  const total = feeds.length + alerts.length;
  /** The rows that fit in `budget`, in order, each at its first choice that fits. */
  const fill = (budget: number) => {
    const chosen: AlertRowLines[] = [];
    let used = 0;
    let shown = 0;
    for (; shown < total; shown++) {
      const before = used + (shown > 0 ? gap : 0);
      if (shown < feeds.length) {
        if (before + feedRow > budget) break;
        used = before + feedRow;
        continue;
      }
      const alert = shown - feeds.length;
      const choice = choices(alerts[alert]!, alert).find((lines) => before + lines.height <= budget);
      if (!choice) break;
      chosen.push(choice);
      used = before + choice.height;
    }
    return { shown, chosen };
  };
  let fit = fill(height);
  // Some do not fit: again, keeping room for the line that says how many.
  if (fit.shown < total) fit = fill(height - gap - moreRow);
  return {
    feeds: feeds.slice(0, fit.shown),
    alerts: alerts.slice(0, Math.max(0, fit.shown - feeds.length)),
    lines: fit.chosen,
    hidden: total - fit.shown,
  };
}

// ─── Notifications (street page) ─────────────────────────────────────────────────────────────────

/** How long a notification shows on the street page. */
export const TOAST_MS = 10_000;

export interface ReceivedNotification extends LiveNotification {
  /** When the page received it (epoch ms, the server's clock as the store estimates it). */
  receivedAt: number;
}

/** Keeps the newest notifications, one per idempotency key, newest first. */
export function addNotification(
  list: readonly ReceivedNotification[],
  received: ReceivedNotification,
  keep = 10,
): ReceivedNotification[] {
  return [received, ...list.filter((n) => n.idempotencyKey !== received.idempotencyKey)].slice(0, keep);
}

/** The notifications to show now: received within `ttl`, not dismissed, at most `max`, newest first. */
export function currentToasts(
  list: readonly ReceivedNotification[],
  now: number,
  dismissed: ReadonlySet<string> = new Set(),
  ttl = TOAST_MS,
  max = 3,
): ReceivedNotification[] {
  return list.filter((n) => now - n.receivedAt < ttl && !dismissed.has(n.idempotencyKey)).slice(0, max);
}

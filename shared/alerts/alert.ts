/**
 * What one alert is, for any set of rules: its key, what a rule observed, its state and the effects
 * the server must carry out. Generic in the rules' details (`{ rule, … }`), so the lifecycle and the
 * evaluation know no rule by name; types.ts gives these shapes the city's rules. Pure data, JSON-safe
 * (times are ISO strings) so a state can be stored as it is and sent to the wall unchanged.
 */

/** What any rule's detail has: the rule's id, which tells the details of a union apart. */
export interface RuleDetail<Id extends string = string> {
  rule: Id;
}

/** Mildest first. */
export const SEVERITIES = ['warning', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** True when `a` is strictly more severe than `b` (`null` is below everything). */
export function isMoreSevere(a: Severity, b: Severity | null): boolean {
  return b === null || SEVERITIES.indexOf(a) > SEVERITIES.indexOf(b);
}

/**
 * What one alert is about. De-duplication is per key: at most one open alert per key.
 * Street rules have a street; `feedStale` has a feed instead and `wallDown` a screen (they are for
 * operators, not a street); `zeroTolerance` adds the event, since every such event is its own alert.
 */
export interface AlertKey<Rule extends string = string> {
  rule: Rule;
  street: string | null;
  feed?: string;
  screen?: string;
  event?: string;
}

/** `rule:street` (or `rule:feed`, `rule:screen`), with `:event` for a zero-tolerance event. */
export function keyOf(key: AlertKey): string {
  const parts: string[] = [key.rule, key.street ?? key.feed ?? key.screen ?? 'city'];
  if (key.event !== undefined) parts.push(key.event);
  return parts.join(':');
}

/**
 * A rule's verdict with two thresholds (hysteresis): `breach` beyond the fire threshold, `clear`
 * back inside the clear threshold, `hold` in between — keep whatever state the alert is in.
 */
export type Condition = 'breach' | 'hold' | 'clear';

/** One rule on one key at one time; `detail` is what the rule saw, and the explanation is written from it. */
export interface Observation<Detail extends RuleDetail = RuleDetail> {
  key: AlertKey<Detail['rule']>;
  condition: Condition;
  severity: Severity;
  detail: Detail;
}

export type AlertStatus = 'pending' | 'firing' | 'acknowledged' | 'resolved';

export interface Acknowledgement {
  by: string;
  comment: string;
  at: string;
}

/** One alert: opened by a breach, closed for good when resolved (a new breach opens a new alert). */
export interface AlertState<Detail extends RuleDetail = RuleDetail> extends AlertKey<Detail['rule']> {
  /** `${key}:${openedAt}`: deterministic, so a replayed evaluation yields the same id. */
  id: string;
  key: string;
  status: AlertStatus;
  /** The highest severity seen while open. */
  severity: Severity;
  detail: Detail;
  /** First breach (the start of the pending period). */
  openedAt: string;
  firedAt: string | null;
  resolvedAt: string | null;
  /** Last `notify` actually sent, and its severity: null while nobody has been told. */
  announcedAt: string | null;
  announcedSeverity: Severity | null;
  /** Last `notify` or `repeat` actually sent. */
  lastSentAt: string | null;
  repeats: number;
  escalatedAt: string | null;
  /** A notification was withheld by a silence: one `notify` is owed when the silence ends. */
  owed: boolean;
  /** Since when the condition has been clear, while a firing alert waits out `clearMinutes`. */
  clearingSince: string | null;
  acknowledgement: Acknowledgement | null;
}

/**
 * What the server must do: `notify` (first firing, a rise of severity, or the one owed after a
 * silence), `repeat` (still firing, unacknowledged), `escalate` (to leaders: not acknowledged in
 * time), `resolved-notify`. No effect at all is "none".
 */
export type EffectKind = 'notify' | 'repeat' | 'escalate' | 'resolved-notify';

/** Who a notification is for; the server maps these onto subscriptions and channels. */
export type Audience = 'street' | 'leaders' | 'operators';

export interface AlertEffect<Detail extends RuleDetail = RuleDetail> {
  /** Idempotency key for the outbox: `${alertId}:${kind}:${at}`. */
  id: string;
  kind: EffectKind;
  alertId: string;
  severity: Severity;
  audience: Audience[];
  at: string;
  /** A `notify` sent because the severity rose (warning → critical, notice → interview). */
  upgrade: boolean;
  /** The alert as it stands after this step, to render the notification from. */
  alert: AlertState<Detail>;
}

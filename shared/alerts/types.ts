/**
 * Domain types of the alerting core: rules, keys, what a rule observed, the state of one alert and
 * the effects the server must carry out. Pure data, JSON-safe (times are ISO strings) so a state
 * can be stored as it is and sent to the wall unchanged.
 */

/** The alert rules of DESIGN.md "Alerts". */
export const RULES = ['indexDrop', 'gradeDown', 'rank', 'zeroTolerance', 'feedStale', 'redMonths'] as const;
export type RuleId = (typeof RULES)[number];

/** Mildest first. */
export const SEVERITIES = ['warning', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** True when `a` is strictly more severe than `b` (`null` is below everything). */
export function isMoreSevere(a: Severity, b: Severity | null): boolean {
  return b === null || SEVERITIES.indexOf(a) > SEVERITIES.indexOf(b);
}

/**
 * What one alert is about. De-duplication is per key: at most one open alert per key.
 * Street rules have a street; `feedStale` has a feed instead (it is for operators, not a street);
 * `zeroTolerance` adds the event, since every such event is its own alert.
 */
export interface AlertKey {
  rule: RuleId;
  street: string | null;
  feed?: string;
  event?: string;
}

/** `rule:street` (or `rule:feed`), with `:event` for a zero-tolerance event. */
export function keyOf(key: AlertKey): string {
  const parts: string[] = [key.rule, key.street ?? key.feed ?? 'city'];
  if (key.event !== undefined) parts.push(key.event);
  return parts.join(':');
}

/** What the rule saw at its last observation; the explanation is written from it. */
export type AlertDetail =
  | {
      rule: 'indexDrop';
      index: number;
      /** The mean of the index over `baselineDays` days before the most recent one (BASELINE_LAG_DAYS). */
      baseline: number;
      /** baseline − index. */
      drop: number;
      points: number;
      baselineDays: number;
    }
  | {
      rule: 'gradeDown';
      index: number;
      baseline: number;
      /** Grade id of the baseline, and of the index now (null below every band). */
      from: string;
      to: string | null;
      /** Lower edge of the baseline's band, frozen while the alert is open. */
      edge: number;
      margin: number;
    }
  | { rule: 'rank'; rank: number; of: number; k: number; index: number | null }
  | { rule: 'zeroTolerance'; event: string; category: string; community: string | null; at: string }
  | {
      rule: 'feedStale';
      feed: string;
      lastSuccessAt: string | null;
      /** Minutes since the last success; null when the feed never answered. */
      staleMinutes: number | null;
      minutes: number;
    }
  | {
      rule: 'redMonths';
      /** Consecutive months at the lowest grade, ending with `lastMonth` (YYYY-MM). */
      months: number;
      lastMonth: string;
      /** The months of the run, oldest first, with their published index (absent in older alerts). */
      run?: { month: string; index: number | null }[];
      warnAt: number;
      interviewAt: number;
    };

/**
 * A rule's verdict with two thresholds (hysteresis): `breach` beyond the fire threshold, `clear`
 * back inside the clear threshold, `hold` in between — keep whatever state the alert is in.
 */
export type Condition = 'breach' | 'hold' | 'clear';

/** One rule on one key at one time. */
export interface Observation {
  key: AlertKey;
  condition: Condition;
  severity: Severity;
  detail: AlertDetail;
}

export type AlertStatus = 'pending' | 'firing' | 'acknowledged' | 'resolved';

export interface Acknowledgement {
  by: string;
  comment: string;
  at: string;
}

/** One alert: opened by a breach, closed for good when resolved (a new breach opens a new alert). */
export interface AlertState extends AlertKey {
  /** `${key}:${openedAt}`: deterministic, so a replayed evaluation yields the same id. */
  id: string;
  key: string;
  status: AlertStatus;
  /** The highest severity seen while open. */
  severity: Severity;
  detail: AlertDetail;
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

export interface AlertEffect {
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
  alert: AlertState;
}

/**
 * Who hears about an alert: feed staleness goes to operators only; escalations go to leaders; the
 * red-month ladder's warning notice (预警通报) and leaders' interview (约谈) are governance steps, for
 * the leaders as well as the street.
 */
export function audienceOf(rule: RuleId, kind: EffectKind): Audience[] {
  if (kind === 'escalate') return ['leaders'];
  if (rule === 'feedStale') return ['operators'];
  if (rule === 'redMonths') return ['street', 'leaders'];
  return ['street'];
}

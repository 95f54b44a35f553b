/** Payloads of the HTTP API that both the server and the display speak. */
import type { AlertText } from './alerts/text.js';
import type { Acknowledgement, AlertDetail, AlertStatus, RuleId, Severity } from './alerts/types.js';
import type { Block, GradeBand } from './index/types.js';
import type { Names } from './names.js';

export type { Names };

/** One indicator of one street in `GET /api/index`. */
export interface LiveIndicator {
  id: string;
  raw: number | null;
  /** The value that was scored: the raw value, or its empirical-Bayes smoothed rate. */
  smoothed: number | null;
  score: number | null;
  contribution: number;
  /** 扣分项: points lost against a perfect 100. */
  pointsLost: number;
  /** The period of an imported value; null for feed-based indicators (their window ends now). */
  period: string | null;
  /** True when the value cannot be trusted as current: an old import, or a stale feed. */
  stale: boolean;
}

export interface LiveStreet {
  code: string;
  name: Names;
  index: number | null;
  grade: GradeBand | null;
  rank: number | null;
  provisional: boolean;
  blocks: Record<Block, number | null>;
  indicators: LiveIndicator[];
}

/** `GET /api/index`. */
export interface LiveIndex {
  at: string;
  /** The local date the values were read as of. */
  date: string;
  city: number | null;
  cityGrade: GradeBand | null;
  weightSet: { id: number; name: string; effectiveFrom: string | null };
  streets: LiveStreet[];
}

/** One alert in `GET /api/alerts` and the acknowledgement page. */
export interface AlertView {
  id: string;
  /** `rule:street` (or `rule:feed`, `rule:screen`), with `:event` for a zero-tolerance event. */
  key: string;
  rule: RuleId;
  street: string | null;
  feed: string | null;
  /** The screen of a `wallDown` alert. */
  screen: string | null;
  event: string | null;
  status: AlertStatus;
  severity: Severity;
  /** What happened and why, in both languages. */
  text: AlertText;
  openedAt: string;
  firedAt: string | null;
  resolvedAt: string | null;
  acknowledgement: Acknowledgement | null;
  /** What the rule last observed (index, baseline, drop…). */
  detail: AlertDetail;
  /** Reminders sent while unacknowledged. */
  repeats: number;
  escalatedAt: string | null;
}

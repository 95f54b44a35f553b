/**
 * The life of one alert, per (rule, street) key — a pure state machine, time passed in:
 *
 *   (none) ──breach──▶ pending ──breach, held pendingMinutes──▶ firing ──acknowledge──▶ acknowledged
 *                         │                                   │     ▲                      │
 *                         │                                   │     └──severity rises──────┤
 *                         └──clear──▶ resolved ◀──clear (held clearMinutes)──┴──────────────────┘
 *
 * - pending → firing at the first breach observed `pendingMinutes` or more after the opening breach,
 *   provided the condition never cleared in between (a `hold` keeps the alert pending).
 * - pending → resolved on a clear: nobody was told, so nothing is sent.
 * - firing | acknowledged → resolved on a clear held `clearMinutes` (0: at once), with a
 *   `resolved-notify` when the alert had been announced.
 * - acknowledged → firing when the severity rises: the acknowledgement was for the milder one.
 *
 * `hold` (between the fire and the clear thresholds) changes nothing, which is what keeps a value
 * hovering at a threshold from flapping. A resolved alert is closed for good: the next breach opens
 * a new alert with a new id.
 */
import {
  isMoreSevere,
  keyOf,
  type AlertEffect,
  type AlertState,
  type Audience,
  type EffectKind,
  type Observation,
  type RuleDetail,
} from './alert.js';
import { isSilenced, type SilenceOf } from './silences.js';

/** Timing of one rule for one key. Minutes of 0: fire at once, resolve at once, never repeat/escalate. */
export interface LifecycleParams {
  pendingMinutes: number;
  repeatMinutes: number;
  escalateMinutes: number;
  /** The condition must stay clear this long before a firing alert resolves (default 0). */
  clearMinutes?: number;
  /** Send `resolved-notify` when an announced alert resolves (default true). */
  notifyResolved?: boolean;
  silences?: readonly SilenceOf[];
}

export interface StepResult<Detail extends RuleDetail = RuleDetail> {
  /** The alert after this step; null when there is no alert (no breach, and none open). */
  state: AlertState<Detail> | null;
  effects: AlertEffect<Detail>[];
}

const MINUTE = 60_000;

/** Whether `minutes` have passed since `from` (never when `from` is null). */
function reached(from: string | null, now: number, minutes: number): boolean {
  return from !== null && now - Date.parse(from) >= minutes * MINUTE;
}

/**
 * Who hears of an effect: escalations go to the leaders, everything else to the rule's audience
 * (`street`; `operators` for feed staleness; the red-month ladder's governance steps go to the
 * leaders as well as the street).
 */
function effect<D extends RuleDetail>(
  kind: EffectKind,
  alert: AlertState<D>,
  at: string,
  audience: readonly Audience[],
  upgrade = false,
): AlertEffect<D> {
  return {
    id: `${alert.id}:${kind}:${at}`,
    kind,
    alertId: alert.id,
    severity: alert.severity,
    audience: kind === 'escalate' ? ['leaders'] : [...audience],
    at,
    upgrade,
    alert,
  };
}

function opened<D extends RuleDetail>(observation: Observation<D>, at: string): AlertState<D> {
  const key = keyOf(observation.key);
  return {
    ...observation.key,
    id: `${key}:${at}`,
    key,
    status: 'pending',
    severity: observation.severity,
    detail: observation.detail,
    openedAt: at,
    firedAt: null,
    resolvedAt: null,
    announcedAt: null,
    announcedSeverity: null,
    lastSentAt: null,
    repeats: 0,
    escalatedAt: null,
    owed: false,
    clearingSince: null,
    acknowledgement: null,
  };
}

/**
 * The notifications a firing (or acknowledged) alert owes at `now`: the first `notify`, a `notify`
 * for a rise of severity or after a silence, else a `repeat` and an `escalate` when due. Under a
 * silence nothing is sent and one `notify` is owed instead.
 */
function notifications<D extends RuleDetail>(
  alert: AlertState<D>,
  now: number,
  at: string,
  params: LifecycleParams,
  audience: readonly Audience[],
  silenced: boolean,
): StepResult<D> {
  const upgrade = alert.announcedSeverity !== null && isMoreSevere(alert.severity, alert.announcedSeverity);
  // The acknowledgement was given for the milder severity: the worse one must be acknowledged anew.
  let next: AlertState<D> =
    upgrade && alert.status === 'acknowledged' ? { ...alert, status: 'firing' } : alert;
  if (next.status !== 'firing') return { state: { ...next, owed: false }, effects: [] };

  const announce = next.announcedAt === null || upgrade || next.owed;
  const repeat = !announce && params.repeatMinutes > 0 && reached(next.lastSentAt, now, params.repeatMinutes);
  // The escalation clock runs from the last announcement, not from firing: nobody can be blamed
  // for not acknowledging an alert a silence kept from them. At most one escalation per announcement.
  const escalate =
    !announce &&
    params.escalateMinutes > 0 &&
    next.announcedAt !== null &&
    (next.escalatedAt === null || Date.parse(next.escalatedAt) < Date.parse(next.announcedAt)) &&
    reached(next.announcedAt, now, params.escalateMinutes);

  if (silenced) return { state: { ...next, owed: next.owed || announce || repeat || escalate }, effects: [] };

  const kinds: EffectKind[] = [];
  if (announce) {
    next = { ...next, announcedAt: at, announcedSeverity: next.severity, lastSentAt: at, owed: false };
    kinds.push('notify');
  }
  if (repeat) {
    next = { ...next, lastSentAt: at, repeats: next.repeats + 1 };
    kinds.push('repeat');
  }
  if (escalate) {
    next = { ...next, escalatedAt: at };
    kinds.push('escalate');
  }
  const state = next;
  return {
    state,
    effects: kinds.map((kind) => effect(kind, state, at, audience, kind === 'notify' && upgrade)),
  };
}

function resolved<D extends RuleDetail>(alert: AlertState<D>, at: string): AlertState<D> {
  return { ...alert, status: 'resolved', resolvedAt: at, clearingSince: null, owed: false };
}

/**
 * Advances one alert by one observation at `now`. (The rule set's `step` calls it with the
 * audience of the observation's rule.)
 *
 * @param state the key's alert so far: null, or a resolved one, means there is no open alert.
 * @param audience who hears of its notifications (escalations go to the leaders whatever it is).
 * @returns the alert after the step (null when none is open or opened) and the server's effects.
 */
export function advance<D extends RuleDetail>(
  state: AlertState<D> | null,
  observation: Observation<D>,
  now: Date,
  params: LifecycleParams,
  audience: readonly Audience[],
): StepResult<D> {
  const at = now.toISOString();
  const t = now.getTime();
  const silenced = isSilenced(params.silences ?? [], observation.key, now);
  const current = state !== null && state.status !== 'resolved' ? state : null;

  if (current === null) {
    if (observation.condition !== 'breach') return { state: null, effects: [] };
    const pending = opened(observation, at);
    if (params.pendingMinutes > 0) return { state: pending, effects: [] };
    return notifications({ ...pending, status: 'firing', firedAt: at }, t, at, params, audience, silenced);
  }

  const observed: AlertState<D> = {
    ...current,
    detail: observation.detail,
    severity: isMoreSevere(observation.severity, current.severity) ? observation.severity : current.severity,
  };

  if (observed.status === 'pending') {
    // Nobody has been told of a pending alert, so it closes silently.
    if (observation.condition === 'clear') return { state: resolved(observed, at), effects: [] };
    if (observation.condition === 'breach' && reached(observed.openedAt, t, params.pendingMinutes))
      return notifications({ ...observed, status: 'firing', firedAt: at }, t, at, params, audience, silenced);
    return { state: observed, effects: [] };
  }

  if (observation.condition !== 'clear')
    return notifications({ ...observed, clearingSince: null }, t, at, params, audience, silenced);

  const clearingSince = observed.clearingSince ?? at;
  if (!reached(clearingSince, t, params.clearMinutes ?? 0))
    return notifications({ ...observed, clearingSince }, t, at, params, audience, silenced);
  const closed = resolved(observed, at);
  const tell = (params.notifyResolved ?? true) && observed.announcedAt !== null && !silenced;
  return { state: closed, effects: tell ? [effect('resolved-notify', closed, at, audience)] : [] };
}

export type AcknowledgeResult<D extends RuleDetail = RuleDetail> =
  | { ok: true; state: AlertState<D> }
  | { ok: false; code: 'pending' | 'acknowledged' | 'resolved'; reason: string };

/**
 * A street head (or an officer, a leader) acknowledges a firing alert with a comment: repeats and
 * escalation stop. Refused, with a reason, for an alert that is not firing.
 */
export function acknowledge<D extends RuleDetail>(
  state: AlertState<D>,
  by: string,
  comment: string,
  now: Date,
): AcknowledgeResult<D> {
  switch (state.status) {
    case 'pending':
      return { ok: false, code: 'pending', reason: 'the alert has not fired yet' };
    case 'acknowledged':
      return {
        ok: false,
        code: 'acknowledged',
        reason: `already acknowledged by ${state.acknowledgement?.by ?? 'someone'} at ${state.acknowledgement?.at ?? state.firedAt ?? state.openedAt}`,
      };
    case 'resolved':
      return {
        ok: false,
        code: 'resolved',
        reason: `the alert resolved at ${state.resolvedAt ?? state.openedAt}: there is nothing left to acknowledge`,
      };
    case 'firing':
      return {
        ok: true,
        state: {
          ...state,
          status: 'acknowledged',
          owed: false,
          acknowledgement: { by, comment: comment.trim(), at: now.toISOString() },
        },
      };
  }
}

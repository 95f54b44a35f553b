/**
 * The alert evaluator: reads what the rules look at, advances every alert through the pure
 * lifecycle (shared/alerts), and in ONE transaction stores each transition with its explanation and
 * queues the notifications it causes in the outbox — so a crash can lose neither the alert nor its
 * notification, and a replay cannot send one twice. Acknowledgements lock the alert's row, so they
 * never race an evaluation.
 */
import { eq } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { FeedFreshness } from '../../shared/alerts/inputs.js';
import { acknowledge as acknowledgeState } from '../../shared/alerts/lifecycle.js';
import type { ExplainContext } from '../../shared/alerts/rules/definition.js';
import { evaluate, explainAlert, explainsChange, rulesFor } from '../../shared/alerts/rules/index.js';
import type { AlertText } from '../../shared/alerts/text.js';
import { isZeroTolerance } from '../../shared/alerts/rules/zeroTolerance.js';
import type { AlertEffect, AlertState } from '../../shared/alerts/types.js';
import type { LiveIndex } from '../../shared/api.js';
import { compareLiveAlerts, type LiveAlert } from '../../shared/live.js';
import type { AccessDecision } from '../../shared/roles.js';
import type { CityConfig } from '../../shared/city.js';
import type { Db } from '../db/client.js';
import { alertSubscriptions } from '../db/schema/index.js';
import type { Refusal } from '../domain-errors.js';
import type { EventSink, EventSource, ServerEvents } from '../events.js';
import type { Metrics } from '../metrics.js';
import { AlertRepository, viewOf, type AlertRow, type SilenceRepository } from '../repositories/alerts.js';
import type { LiveIndexService } from '../services/live-index.js';
import type { ReportService } from '../services/reports.js';
import type { SharedFeedHealth } from '../shared-state/feed-health.js';
import type { SharedWalls } from '../shared-state/walls.js';
import { readBaselines, readRecentEvents, readStreetBefore, readZeroToleranceEvents } from './inputs.js';

/** Where notifications go: the outbox, written inside the transition's transaction. */
export interface NotificationSink {
  /** Resolves with how many notifications were queued (one per matching subscription channel). */
  enqueue(tx: Db, items: readonly { effect: AlertEffect; text: AlertText }[], now: Date): Promise<number>;
}

export interface EvaluationSummary {
  /** Alerts whose state was stored (opened, changed or resolved). */
  changed: number;
  /** Notifications the lifecycle asked for (before fan-out to subscriptions). */
  effects: AlertEffect[];
}

export interface AlertServiceDeps {
  db: Db;
  city: CityConfig;
  clock: () => Date;
  logger: Logger;
  metrics: Pick<Metrics, 'alertsFiring' | 'alertTransitions'>;
  /** When the server started: a feed that never answered, or a screen never seen, counts as silent from then. */
  startedAt: Date;
  index: Pick<LiveIndexService, 'current'>;
  reports: Pick<ReportService, 'grades'>;
  silences: Pick<SilenceRepository, 'active'>;
  feeds: Pick<SharedFeedHealth, 'health'>;
  /** The walls' heartbeats on every node: the `wallDown` rule watches the configured screens. */
  walls: Pick<SharedWalls, 'watched'>;
  outbox: NotificationSink;
  /**
   * Heard: `alerts.changed` (read the wall's alerts again, whichever node changed them); while
   * leading, `index.changed` (evaluate within a second), `feed.stored` (a zero-tolerance event:
   * evaluate at once), `month.published` (the red-month ladder reads publications). Said:
   * `alerts.changed`, `alerts.loaded`, `notification.queued`.
   */
  events: EventSink & EventSource;
}

/** An acknowledgement that did not happen says why, in the domain's words (http/errors.ts maps them). */
export type AckOutcome =
  | { ok: true; alert: AlertRow }
  | {
      ok: false;
      refusal: Extract<Refusal, 'forbidden' | 'not_found' | 'pending' | 'acknowledged' | 'resolved'>;
      message: string;
    };

const liveOf = (row: AlertRow): LiveAlert => ({
  id: row.state.id,
  rule: row.state.rule,
  street: row.state.street,
  feed: row.state.feed ?? null,
  screen: row.state.screen ?? null,
  status: row.state.status === 'acknowledged' ? 'acknowledged' : 'firing',
  severity: row.state.severity,
  text: row.text,
  openedAt: row.state.openedAt,
  firedAt: row.state.firedAt,
  acknowledgement: row.state.acknowledgement,
});

/** The alerts an evaluation's log line names; the rest are counted. */
const LOGGED_ALERTS = 5;

/** How many of each kind a list holds: `{opened: 3, resolved: 1}`. */
function countBy<T>(items: readonly T[], kindOf: (item: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[kindOf(item)] = (counts[kindOf(item)] ?? 0) + 1;
  return counts;
}

export class AlertService {
  private readonly repository = new AlertRepository();
  private wall: LiveAlert[] = [];
  /** Reloads started, and the latest of them whose read is on the wall (see `reload`). */
  private reloadsStarted = 0;
  private reloadShown = 0;
  private running: Promise<EvaluationSummary> | null = null;
  private again = false;

  constructor(private readonly deps: AlertServiceDeps) {}

  private timer: NodeJS.Timeout | null = null;
  private stopEvaluating: (() => void) | null = null;
  private stopReloading: (() => void) | null = null;

  /** Loads the wall's alerts, and reads them again whenever they change, here or on another node. */
  async start(): Promise<void> {
    this.stopReloading ??= this.deps.events.on('alerts.changed', () => this.reload());
    await this.reload();
  }

  /**
   * The leader's part: evaluates after every change of the live index (at most once a second), at
   * once after a zero-tolerance event or a publication; a job evaluates on a timer besides, for
   * repeats, escalations and feeds gone quiet.
   */
  lead(): void {
    if (this.stopEvaluating) return;
    const { events } = this.deps;
    const stops = [
      events.on('index.changed', () => {
        this.timer ??= setTimeout(() => {
          this.timer = null;
          this.evaluateInBackground();
        }, 1000);
      }),
      events.on('feed.stored', (stored) => {
        if (this.alertsAtOnce(stored)) this.evaluateInBackground();
      }),
      events.on('month.published', () => this.evaluateInBackground()),
    ];
    this.stopEvaluating = () => stops.forEach((stop) => stop());
  }

  /** Stops evaluating (leadership lost, or the server stopping) and waits for an evaluation under way. */
  async follow(): Promise<void> {
    this.stopEvaluating?.();
    this.stopEvaluating = null;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running?.catch(() => {});
  }

  async stop(): Promise<void> {
    await this.follow();
    this.stopReloading?.();
    this.stopReloading = null;
  }

  /**
   * Zero-tolerance events alert at once, whether or not the index moved; any other change of the
   * index is evaluated within a second.
   */
  private alertsAtOnce({ feed, batch }: ServerEvents['feed.stored']): boolean {
    const { alerts } = this.deps.city;
    return (
      feed === 'incident' &&
      batch.created.some((row) =>
        isZeroTolerance(rulesFor(alerts, String(row.street)).zeroTolerance, row.category),
      )
    );
  }

  /** A failed background evaluation is logged; the next one (a timer runs them) tries again. */
  private evaluateInBackground(): void {
    this.evaluate().catch((error: unknown) =>
      this.deps.logger.error({ err: error }, 'alert evaluation failed'),
    );
  }

  /** The alerts the wall shows (firing and acknowledged), as of the last change. */
  live(): LiveAlert[] {
    return this.wall;
  }

  /**
   * Reads the wall's alerts from the database (at start, and after every change). Reloads overlap —
   * one after an evaluation, one after an acknowledgement — and on a PostgreSQL pool they run on
   * different connections and may finish in either order. Each is numbered when it starts: a read
   * that finishes after a later-started one has been shown is dropped, so an older picture (an
   * acknowledged alert still firing) never replaces a newer one, and listeners hear only of newer ones.
   */
  async reload(): Promise<void> {
    const seq = ++this.reloadsStarted;
    const rows = await this.repository.onWall(this.deps.db);
    if (seq < this.reloadShown) return;
    this.reloadShown = seq;
    this.wall = rows.map(liveOf).sort(compareLiveAlerts);
    for (const status of ['firing', 'acknowledged'] as const)
      this.deps.metrics.alertsFiring.set({ status }, this.wall.filter((a) => a.status === status).length);
    await this.deps.events.emit('alerts.loaded', {});
  }

  /**
   * Evaluates every rule at the clock's time. While an evaluation is running, asks for one more right
   * after it (at the clock's time then), so a burst of changes makes at most two and the last sees
   * everything; evaluations never overlap. Resolves with what all the evaluations it waited for did.
   */
  evaluate(): Promise<EvaluationSummary> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      // What every evaluation of this run did, so no caller misses an effect of the one it joined.
      const summary: EvaluationSummary = { changed: 0, effects: [] };
      do {
        this.again = false;
        const one = await this.evaluateNow(this.deps.clock());
        summary.changed += one.changed;
        summary.effects.push(...one.effects);
      } while (this.again);
      return summary;
    })().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async evaluateNow(now: Date): Promise<EvaluationSummary> {
    const { deps } = this;
    const config = deps.city.alerts;
    const live = await deps.index.current(now);
    const codes = live.streets.map((street) => street.code);
    const { db } = deps;
    const [baselines, events, silences, monthlyGrades] = await Promise.all([
      readBaselines(db, now, codes, config),
      readZeroToleranceEvents(db, now, codes, config),
      deps.silences.active(now),
      deps.reports.grades(),
    ]);
    const inputs = {
      streets: live.streets,
      baselines,
      monthlyGrades,
      grades: deps.city.grades,
      events,
      feeds: await this.feedFreshness(now),
      screens: await deps.walls.watched(deps.city.screens.walls, deps.startedAt),
      silences,
    };

    const outcome = await db.transaction(async (tx) => {
      const previous = await this.repository.open(tx, true);
      const evaluation = evaluate(previous, inputs, now, config);
      const before = new Map(previous.map((state) => [state.id, state]));
      const effectsOf = new Map<string, AlertEffect[]>();
      for (const effect of evaluation.effects)
        effectsOf.set(effect.alertId, [...(effectsOf.get(effect.alertId) ?? []), effect]);

      let changed = 0;
      let transitions = 0;
      const items: { effect: AlertEffect; text: AlertText }[] = [];
      for (const state of evaluation.states) {
        const old = before.get(state.id);
        if (old && JSON.stringify(old) === JSON.stringify(state)) continue;
        changed += 1;
        // A new figure in an open alert's detail is stored too, but only a new status is a transition.
        if (old?.status !== state.status) transitions += 1;
        const text = await this.explain(tx, state, live, now);
        await this.repository.save(tx, state, text, now);
        for (const effect of effectsOf.get(state.id) ?? []) items.push({ effect, text });
      }
      const queued = items.length > 0 ? await deps.outbox.enqueue(tx, items, now) : 0;
      return { changed, transitions, effects: evaluation.effects, queued };
    });

    if (outcome.queued > 0) await deps.events.emit('notification.queued', { count: outcome.queued });
    deps.metrics.alertTransitions.inc(outcome.transitions);
    if (outcome.changed > 0) await deps.events.emit('alerts.changed', {});
    for (const effect of outcome.effects)
      deps.logger.debug(
        { alert: effect.alertId, kind: effect.kind, severity: effect.severity, audience: effect.audience },
        'alert notification due',
      );
    // One line per evaluation, however many alerts moved (a burst opens dozens): how many of each
    // kind, the first few alerts, and whether anyone is told, so a city without subscriptions knows
    // why nobody's phone rang. Each alert's own line is at debug.
    if (outcome.effects.length > 0)
      deps.logger.info(
        {
          due: outcome.effects.length,
          kinds: countBy(outcome.effects, (effect) => effect.kind),
          alerts: outcome.effects.slice(0, LOGGED_ALERTS).map((effect) => effect.alertId),
          queued: outcome.queued,
        },
        outcome.queued > 0
          ? 'alert notifications due: queued in the outbox'
          : 'alert notifications due: no subscription matches, only the wall shows them',
      );
    return { changed: outcome.changed, effects: outcome.effects };
  }

  /** The alert's explanation in both languages, from inside the evaluation's transaction. */
  private async explain(tx: Db, state: AlertState, live: LiveIndex, now: Date): Promise<AlertText> {
    const context: ExplainContext = { config: this.deps.city };
    if (state.street !== null && explainsChange(state.rule)) {
      context.after = live.streets.find((street) => street.code === state.street) ?? null;
      context.before = await readStreetBefore(tx, state.street, new Date(state.openedAt));
      context.events = await readRecentEvents(tx, state.street, now);
    }
    return explainAlert(state, context);
  }

  /** The feeds the stale rule watches; one that never answered counts from the server's start. */
  private async feedFreshness(now: Date): Promise<FeedFreshness[]> {
    const rule = rulesFor(this.deps.city.alerts).feedStale;
    const upFor = (now.getTime() - this.deps.startedAt.getTime()) / 60_000;
    return (await this.deps.feeds.health()).flatMap((health): FeedFreshness[] => {
      if (health.status === 'off') return [];
      if (health.lastSuccessAt === null && upFor <= rule.minutes) return [];
      return [{ feed: health.feed, lastSuccessAt: health.lastSuccessAt }];
    });
  }

  /**
   * Acknowledges a firing alert with a comment. `allowed` decides, from the alert, whether the
   * caller may (a street token only its own streets).
   */
  async acknowledge(
    id: string,
    by: string,
    comment: string,
    allowed: (alert: AlertState) => AccessDecision,
  ): Promise<AckOutcome> {
    const now = this.deps.clock();
    const outcome = await this.deps.db.transaction(async (tx): Promise<AckOutcome> => {
      const row = await this.repository.get(tx, id, true);
      if (!row) return { ok: false, refusal: 'not_found', message: `no alert ${id}` };
      const decision = allowed(row.state);
      if (!decision.allowed) return { ok: false, refusal: 'forbidden', message: decision.reason };
      const result = acknowledgeState(row.state, by, comment, now);
      if (!result.ok) return { ok: false, refusal: result.code, message: result.reason };
      await this.repository.save(tx, result.state, row.text, now);
      return { ok: true, alert: { ...row, state: result.state, status: result.state.status } };
    });
    if (outcome.ok) {
      this.deps.logger.info({ alert: id, by }, 'alert acknowledged');
      await this.deps.events.emit('alerts.changed', {});
    }
    return outcome;
  }

  /** The name of a subscription, to say who acknowledged through its link. */
  async subscriptionName(id: number | null): Promise<string | null> {
    if (id === null) return null;
    const [row] = await this.deps.db
      .select({ name: alertSubscriptions.name })
      .from(alertSubscriptions)
      .where(eq(alertSubscriptions.id, id));
    return row?.name ?? null;
  }

  list(filter: Parameters<AlertRepository['list']>[1]) {
    return this.repository.list(this.deps.db, filter).then((rows) => rows.map(viewOf));
  }

  async get(id: string) {
    const row = await this.repository.get(this.deps.db, id);
    return row ? viewOf(row) : null;
  }
}

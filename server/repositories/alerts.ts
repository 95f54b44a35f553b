/**
 * Alerts and silences as stored. Every method takes the handle to use, so the evaluator can read
 * and write inside the one transaction that also queues the notifications.
 */
import { and, desc, eq, gt, inArray, ne, sql, type SQL } from 'drizzle-orm';
import type { Silence } from '../../shared/alerts/rules/index.js';
import type { AlertText } from '../../shared/alerts/text.js';
import type { AlertState, AlertStatus, RuleId } from '../../shared/alerts/types.js';
import type { AlertView } from '../../shared/api.js';
import type { Db } from '../db/client.js';
import { alerts, alertSilences } from '../db/schema/index.js';

export type AlertRow = typeof alerts.$inferSelect;

/** The API's view of a stored alert. */
export function viewOf(row: Pick<AlertRow, 'state' | 'text'>): AlertView {
  const { state, text } = row;
  return {
    id: state.id,
    key: state.key,
    rule: state.rule,
    street: state.street,
    feed: state.feed ?? null,
    screen: state.screen ?? null,
    event: state.event ?? null,
    status: state.status,
    severity: state.severity,
    text,
    openedAt: state.openedAt,
    firedAt: state.firedAt,
    resolvedAt: state.resolvedAt,
    acknowledgement: state.acknowledgement,
    detail: state.detail,
    repeats: state.repeats,
    escalatedAt: state.escalatedAt,
  };
}

export interface AlertFilter {
  /** `open` is pending, firing and acknowledged; `all` is every status. */
  state: AlertStatus | 'open' | 'all';
  /** Only these streets (a street token's); feed alerts are left out when set. */
  streets?: readonly string[];
  rule?: RuleId;
  limit: number;
}

export class AlertRepository {
  /** Every alert not yet resolved; `forUpdate` locks them for the caller's transaction. */
  async open(db: Db, forUpdate = false): Promise<AlertState[]> {
    const query = db.select({ state: alerts.state }).from(alerts).where(ne(alerts.status, 'resolved'));
    const rows = forUpdate ? await query.for('update') : await query;
    return rows.map((row) => row.state);
  }

  async get(db: Db, id: string, forUpdate = false): Promise<AlertRow | null> {
    const query = db.select().from(alerts).where(eq(alerts.id, id));
    const [row] = forUpdate ? await query.for('update') : await query;
    return row ?? null;
  }

  /** Inserts or updates one alert, its state and its text. */
  async save(db: Db, state: AlertState, text: AlertText, now: Date): Promise<void> {
    const columns = {
      status: state.status,
      severity: state.severity,
      firedAt: state.firedAt === null ? null : new Date(state.firedAt),
      resolvedAt: state.resolvedAt === null ? null : new Date(state.resolvedAt),
      updatedAt: now,
      state,
      text,
    };
    await db
      .insert(alerts)
      .values({
        id: state.id,
        key: state.key,
        rule: state.rule,
        street: state.street,
        feed: state.feed ?? null,
        openedAt: new Date(state.openedAt),
        ...columns,
      })
      .onConflictDoUpdate({ target: alerts.id, set: columns });
  }

  async list(db: Db, filter: AlertFilter): Promise<AlertRow[]> {
    const conditions: SQL[] = [];
    if (filter.state === 'open') conditions.push(ne(alerts.status, 'resolved'));
    else if (filter.state !== 'all') conditions.push(eq(alerts.status, filter.state));
    if (filter.streets) conditions.push(inArray(alerts.street, [...filter.streets]));
    if (filter.rule) conditions.push(eq(alerts.rule, filter.rule));
    return db
      .select()
      .from(alerts)
      .where(and(...conditions))
      .orderBy(desc(alerts.openedAt), alerts.id)
      .limit(filter.limit);
  }

  /** What the wall shows: firing and acknowledged alerts. */
  async onWall(db: Db): Promise<AlertRow[]> {
    return db
      .select()
      .from(alerts)
      .where(inArray(alerts.status, ['firing', 'acknowledged']));
  }
}

export interface StoredSilence extends Silence {
  id: string;
  createdAt: string;
}

type SilenceRow = typeof alertSilences.$inferSelect;

const silenceOf = (row: SilenceRow): StoredSilence => ({
  id: String(row.id),
  ...(row.rule !== null && { rule: row.rule as RuleId }),
  ...(row.street !== null && { street: row.street }),
  ...(row.feed !== null && { feed: row.feed }),
  ...(row.startsAt !== null && { startsAt: row.startsAt.toISOString() }),
  endsAt: row.endsAt.toISOString(),
  by: row.createdBy,
  ...(row.reason !== null && { reason: row.reason }),
  createdAt: row.createdAt.toISOString(),
});

export class SilenceRepository {
  constructor(private readonly db: Db) {}

  /** Silences that have not ended at `now` (including those that start later). */
  async active(now: Date, db: Db = this.db): Promise<StoredSilence[]> {
    const rows = await db
      .select()
      .from(alertSilences)
      .where(gt(alertSilences.endsAt, now))
      .orderBy(alertSilences.endsAt);
    return rows.map(silenceOf);
  }

  async create(silence: Silence, by: string): Promise<StoredSilence> {
    const [row] = await this.db
      .insert(alertSilences)
      .values({
        rule: silence.rule ?? null,
        street: silence.street ?? null,
        feed: silence.feed ?? null,
        startsAt: silence.startsAt === undefined ? null : new Date(silence.startsAt),
        endsAt: new Date(silence.endsAt),
        reason: silence.reason ?? null,
        createdBy: by,
      })
      .returning();
    return silenceOf(row!);
  }

  /**
   * Ends a silence now (it stays on record as having ended). Null when there is no such silence
   * or it had already ended.
   */
  async end(id: number, now: Date): Promise<StoredSilence | null> {
    // As text: postgres.js cannot bind a Date inside raw SQL (PGlite can); it failed with a 500.
    const at = sql`${now.toISOString()}::timestamptz`;
    const [row] = await this.db
      .update(alertSilences)
      .set({ endsAt: now, startsAt: sql`least(coalesce(${alertSilences.startsAt}, ${at}), ${at})` })
      .where(and(eq(alertSilences.id, id), gt(alertSilences.endsAt, now)))
      .returning();
    return row ? silenceOf(row) : null;
  }
}

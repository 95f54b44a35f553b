/**
 * Which node leads: runs the pollers, the alert evaluator and the jobs. The leader is whoever holds
 * a PostgreSQL session advisory lock (`pg_try_advisory_lock`); a follower tries again every second.
 *
 * The lock lives as long as one session, so it is held on a connection of its own (a client of one
 * connection that never idles out or ages out), never on the pool's: the pool hands connections
 * round and recycles them. Nor through a pooler in transaction mode (PgBouncer's
 * `pool_mode = transaction`, most cloud "pooled" URLs): there a session is lent per transaction, the
 * lock stays with a server connection another client gets next, and two nodes lead at once. Point
 * DATABASE_URL at PostgreSQL itself or at a session-mode pooler.
 *
 * Losing the lock is noticed two ways. The connection closing (the server ended the session, the
 * process on the other end was killed) ends the lead at once. A network that stops answering is
 * found by a check every `checkMs` that must answer within `timeoutMs`. Either way leader work stops
 * (`onFollow`) before the lock can be another node's: the session's TCP keepalives, set on it, make
 * the PostgreSQL server drop a silent leader's session after SERVER_DROPS_SILENT_MS (11 s), and
 * the leader has given up by checkMs + timeoutMs (5 s). A new leader follows within a retry of the
 * drop: ≤ 13 s after a leader loses its network (11.5 s measured, packets to and from its socket
 * dropped), about a second after it is killed (the kernel closes its socket, the server ends the
 * session).
 */
import postgres, { type Sql } from 'postgres';
import type { Logger } from 'pino';
import { withDeadline } from '../db/deadline.js';
import { keepaliveSettings, LEADER_LOCK_NAME, lockKey, SERVER_DROPS_SILENT_MS } from './session-lock.js';

export interface LeaderElectionOptions {
  /** postgres:// URL of PostgreSQL itself or of a session-mode pooler (see above). */
  url: string;
  /** This process, `<node id>:<pid>`: in the log and in the connection's application_name. */
  node: string;
  logger: Logger;
  /** Starts leader work. Awaited; a failure gives the lead up (onFollow is called). */
  onLead(): void | Promise<void>;
  /**
   * Stops leader work, at once: unless `reason` is an orderly stop, the lock may be another node's
   * by now. Awaited before this node tries again.
   */
  onFollow(reason: string): void | Promise<void>;
  /** Default `lockKey(LEADER_LOCK_NAME)`; `lockKey(LEADER_LOCK_NAME, namespace)` for a second city. */
  key?: bigint;
  /** How often a follower tries for the lock; default 1 s. */
  retryMs?: number;
  /** How often the leader checks that it still holds it; default 2 s. */
  checkMs?: number;
  /** The deadline of connecting and of every query on the lock's connection; default 3 s. */
  timeoutMs?: number;
}

/** The lock's connection, and whether it has closed under us. */
interface Session {
  sql: Sql;
  closed: boolean;
}

const STOPPING = 'stopping';

export class LeaderElection {
  private readonly key: bigint;
  private readonly retryMs: number;
  private readonly checkMs: number;
  private readonly timeoutMs: number;
  private session: Session | null = null;
  private leading = false;
  private stopped = false;
  private running: Promise<void> | null = null;
  /** Why the current lead ends, once it does. */
  private lostReason: string | null = null;
  /** Cuts the current pause short. */
  private wake: (() => void) | null = null;
  /** Settles after the first try: at once when another node holds the lock, once leading has started otherwise. */
  readonly firstTry: Promise<void>;
  private firstTried!: () => void;

  constructor(private readonly options: LeaderElectionOptions) {
    this.firstTry = new Promise((resolve) => (this.firstTried = resolve));
    this.key = options.key ?? lockKey(LEADER_LOCK_NAME);
    this.retryMs = options.retryMs ?? 1000;
    this.checkMs = options.checkMs ?? 2000;
    this.timeoutMs = options.timeoutMs ?? 3000;
    if (this.checkMs + this.timeoutMs >= SERVER_DROPS_SILENT_MS)
      throw new Error(
        `checkMs + timeoutMs must stay under ${SERVER_DROPS_SILENT_MS} ms: a leader cut off must give up ` +
          'before the server hands its lock on',
      );
  }

  /** Starts trying for the lock. */
  start(): void {
    this.running ??= this.run();
  }

  isLeader(): boolean {
    return this.leading;
  }

  /** Stops trying; a leader stops its work (onFollow 'stopping') and releases the lock at once. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.lose(STOPPING);
    await this.running;
    this.firstTried();
  }

  private async run(): Promise<void> {
    let unreachable = false;
    while (!this.stopped) {
      try {
        if (await this.tryLock()) await this.lead();
        else this.firstTried();
        unreachable = false;
      } catch (error) {
        this.firstTried();
        if (!unreachable)
          this.options.logger.warn({ err: error }, 'leader election: cannot reach the database');
        unreachable = true;
        await this.close();
      }
      if (!this.stopped) await this.pause(this.retryMs);
    }
    await this.close();
  }

  private connect(): Session {
    const session: Session = {
      closed: false,
      sql: postgres(this.options.url, {
        max: 1,
        // The lock lasts as long as this one session: never closed for age (nor for idling, the default).
        max_lifetime: null,
        connect_timeout: this.timeoutMs / 1000,
        keep_alive: 5,
        fetch_types: false,
        prepare: false,
        onnotice: () => {},
        connection: { application_name: `pingan-wall leader ${this.options.node}`.slice(0, 63) },
        onclose: () => {
          session.closed = true;
          if (this.session === session) this.lose('the connection to the database closed');
        },
      }),
    };
    return session;
  }

  /**
   * One try, with the session's keepalives set in the same statement (so a connection postgres.js
   * opened again has them too). True when this node now holds the lock.
   */
  private async tryLock(): Promise<boolean> {
    const { sql } = (this.session ??= this.connect());
    const [row] = await withDeadline(
      sql<{ locked: boolean }[]>`
        select ${keepaliveSettings(sql)},
               pg_try_advisory_lock(${this.key.toString()}::bigint) as locked`,
      this.timeoutMs,
    );
    return row?.locked === true;
  }

  /** Leads until the lock is lost or the election stops; then steps down. */
  private async lead(): Promise<void> {
    const session = this.session!;
    this.lostReason = this.stopped
      ? STOPPING
      : session.closed
        ? 'the connection to the database closed'
        : null;
    if (this.lostReason === null) {
      this.leading = true;
      this.options.logger.info({ node: this.options.node }, 'leading');
      try {
        await this.options.onLead();
      } catch (error) {
        this.options.logger.error({ err: error }, 'leader work failed to start');
        this.lose('leader work failed to start');
      }
    }
    this.firstTried();
    while (this.lostReason === null) {
      await this.pause(this.checkMs);
      if (this.lostReason === null) {
        const problem = await this.check(session);
        if (problem) this.lose(problem);
      }
    }
    const reason = this.lostReason;
    if (this.leading) {
      this.leading = false;
      const level = reason === STOPPING ? 'info' : 'warn';
      this.options.logger[level]({ node: this.options.node, reason }, 'no longer leading');
      try {
        await this.options.onFollow(reason);
      } catch (error) {
        this.options.logger.error({ err: error }, 'leader work failed to stop');
      }
    }
    // An orderly stop hands the lock on at once. Otherwise the session is closed (the server ends it
    // and releases the lock) and the next try starts on a fresh connection.
    if (reason === STOPPING && !session.closed)
      await withDeadline(
        session.sql`select pg_advisory_unlock(${this.key.toString()}::bigint)`,
        this.timeoutMs,
      ).catch(() => {});
    await this.close();
  }

  /** Null while this session still holds the lock; otherwise why not. */
  private async check(session: Session): Promise<string | null> {
    // pg_locks shows a bigint key as its high half (classid) and its low half (objid), objsubid 1.
    const unsigned = BigInt.asUintN(64, this.key);
    try {
      const [row] = await withDeadline(
        session.sql<{ held: number }[]>`
          select count(*)::int as held from pg_locks
          where locktype = 'advisory' and granted and pid = pg_backend_pid()
            and classid = ${(unsigned >> 32n).toString()}::bigint::oid
            and objid = ${(unsigned & 0xffffffffn).toString()}::bigint::oid and objsubid = 1`,
        this.timeoutMs,
      );
      return row && row.held > 0 ? null : 'the lock is no longer held by its session';
    } catch (error) {
      return `the check failed: ${(error as Error).message}`;
    }
  }

  /** Ends the current lead (the first reason given is kept). */
  private lose(reason: string): void {
    this.lostReason ??= reason;
    this.wake?.();
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
      if (this.stopped) done();
    });
  }

  private async close(): Promise<void> {
    const session = this.session;
    this.session = null;
    // At once: on a network that stopped answering, an orderly goodbye would wait for nothing.
    if (session) await session.sql.end({ timeout: 0 }).catch(() => {});
  }
}

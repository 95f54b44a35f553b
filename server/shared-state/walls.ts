/**
 * The walls of every node, for /api/health and the `wallDown` rule: each node keeps its own sockets' heartbeats in memory
 * (WallRegistry) and writes the screens that changed once a second, in one statement, to
 * `wall_heartbeats` (a row per screen and node); it lists its own from memory and the other nodes'
 * from the table. A node renews its connected rows now and then, so that the rows of a node that
 * died are read as disconnected once they are older than the TTL.
 */
import { and, eq, gt, lt, ne, sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { Db } from '../db/client.js';
import { wallHeartbeats } from '../db/schema/index.js';
import type { ScreenWatch } from '../../shared/alerts/inputs.js';
import type { HeartbeatPayload } from '../../shared/live.js';
import type { WatchedScreenConfig } from '../../shared/screens.js';
import { PublishedSeqs } from '../live/published-seqs.js';
import { MAX_SCREENS, WallRegistry, type WallStatus, type WallWatch } from '../live/walls.js';
import { CachedRead } from './cached-read.js';
import { FlushLoop } from './flush-loop.js';

export interface SharedWallsOptions {
  /** This node (NODE_ID): its rows are its own, and the ones its predecessor left. */
  nodeId: string;
  clock: () => Date;
  logger: Pick<Logger, 'warn' | 'info'>;
  /** How often changed screens are written. Default 1 s. */
  flushMs?: number;
  /** How often this node renews the rows of its connected screens that no heartbeat renewed. Default 30 s. */
  renewMs?: number;
  /** Another node's connected row not renewed for this long is read as disconnected. Default 90 s. */
  ttlMs?: number;
  /** How often the table is pruned to the MAX_SCREENS screens seen last. Default 60 s. */
  pruneMs?: number;
}

type Row = typeof wallHeartbeats.$inferSelect;

/** Rows per statement: far below PostgreSQL's 65,535 parameters. */
const CHUNK = 1000;

/**
 * One screen seen by two nodes: what its later heartbeat said, seen as late as either saw it, and
 * connected while either node has a socket.
 */
function combine(a: WallStatus, b: WallStatus): WallStatus {
  const later = a.beatAt >= b.beatAt ? a : b;
  const lastSeenAt = a.lastSeenAt >= b.lastSeenAt ? a.lastSeenAt : b.lastSeenAt;
  return { ...later, lastSeenAt, connected: a.connected || b.connected };
}

const iso = (at: Date | null) => at?.toISOString() ?? null;

export class SharedWalls {
  private readonly registry: WallRegistry;
  /** The deltas this node's live channel sent: a heartbeat's `seq` says how far behind its wall is. */
  private readonly published = new PublishedSeqs();
  /** Screens changed since the last write, with this node's sockets for each. */
  private dirty = new Map<string, { status: WallStatus; sockets: number }>();
  private readonly loop: FlushLoop;
  private readonly others: CachedRead<Row[]>;
  private readonly renewMs: number;
  private readonly ttlMs: number;
  private readonly pruneMs: number;
  /** Whether the rows this node's previous server left have been removed (before the first write). */
  private claimed = false;
  private lastRenew: number;
  private lastPrune = -Infinity;

  constructor(
    private readonly db: Db,
    private readonly options: SharedWallsOptions,
  ) {
    this.registry = new WallRegistry((status, sockets) => {
      this.dirty.set(status.screen, { status, sockets });
      this.loop.start();
    });
    this.loop = new FlushLoop(
      () => this.flush(),
      options.flushMs ?? 1000,
      (error) => options.logger.warn({ err: error }, 'wall heartbeats not written; trying again'),
    );
    this.renewMs = options.renewMs ?? 30_000;
    this.ttlMs = options.ttlMs ?? 90_000;
    this.pruneMs = options.pruneMs ?? 60_000;
    this.lastRenew = options.clock().getTime();
    this.others = new CachedRead(
      () => db.select().from(wallHeartbeats).where(ne(wallHeartbeats.nodeId, options.nodeId)),
      [],
      { what: 'wall heartbeats', logger: options.logger },
    );
  }

  /** A heartbeat over a wall's socket. */
  beat(socketId: string, heartbeat: HeartbeatPayload, role: string, now: Date): void {
    this.registry.beat(socketId, heartbeat.screen, role, now, this.watchOf(heartbeat, now));
  }

  /** A heartbeat without a socket (a page's watchdog, over HTTP). */
  report(heartbeat: HeartbeatPayload, role: string, now: Date): void {
    this.registry.report(heartbeat.screen, role, now, this.watchOf(heartbeat, now));
  }

  /** This node's live channel sent a snapshot or delta numbered `seq`. */
  sent(seq: number, at: Date): void {
    this.published.add(seq, at);
  }

  /** The last `seq` this node's live channel sent (null before the first). */
  currentSeq(): number | null {
    return this.published.current();
  }

  private watchOf(heartbeat: HeartbeatPayload, now: Date): WallWatch {
    const seq = heartbeat.seq ?? null;
    const painted = heartbeat.paintedMsAgo;
    return {
      seq,
      paintedAt: painted == null ? null : new Date(now.getTime() - painted).toISOString(),
      lagSince: seq === null ? null : iso(this.published.lagSince(seq)),
    };
  }

  gone(socketId: string, now: Date): void {
    this.registry.gone(socketId, now);
  }

  /**
   * Every node's walls, the last seen first: this node's as it knows them now, the others' as they
   * last wrote them (a second old at most, or the last known while the database is away).
   */
  async list(): Promise<WallStatus[]> {
    const local = this.registry.list();
    const rows = await this.others.get();
    if (rows.length === 0) return local;
    const now = this.options.clock().getTime();
    const walls = new Map(local.map((status) => [status.screen, status]));
    for (const row of rows) {
      const theirs: WallStatus = {
        screen: row.screen,
        role: row.role,
        lastSeenAt: row.lastSeenAt.toISOString(),
        beatAt: (row.beatAt ?? row.lastSeenAt).toISOString(),
        seq: row.seq,
        paintedAt: iso(row.paintedAt),
        lagSince: iso(row.lagSince),
        connected: row.sockets > 0 && now - row.updatedAt.getTime() <= this.ttlMs,
      };
      const known = walls.get(row.screen);
      walls.set(row.screen, known ? combine(known, theirs) : theirs);
    }
    return [...walls.values()]
      .sort((a, b) => (a.lastSeenAt < b.lastSeenAt ? 1 : a.lastSeenAt > b.lastSeenAt ? -1 : 0))
      .slice(0, MAX_SCREENS);
  }

  /**
   * The configured screens, each with what its heartbeats said on any node (null: none since this
   * server started, or since the table last heard of it): what the `wallDown` rule and /api/health read.
   */
  async watched(screens: readonly WatchedScreenConfig[], since: Date): Promise<ScreenWatch[]> {
    if (screens.length === 0) return [];
    const seen = new Map((await this.list()).map((status) => [status.screen, status]));
    return screens.map((screen) => {
      const status = seen.get(screen.name);
      return {
        screen: screen.name,
        location: screen.location,
        report: status
          ? {
              lastSeenAt: status.lastSeenAt,
              beatAt: status.beatAt,
              paintedAt: status.paintedAt,
              lagSince: status.lagSince,
            }
          : null,
        since: since.toISOString(),
      };
    });
  }

  /**
   * Writes the screens that changed (one statement per thousand), renews this node's connected rows
   * when due and prunes the table when due. What could not be written is written with the next.
   */
  async flush(): Promise<void> {
    const now = this.options.clock();
    const { db } = this;
    if (!this.claimed) {
      // This node's previous server is gone, and its sockets with it.
      await db.delete(wallHeartbeats).where(eq(wallHeartbeats.nodeId, this.options.nodeId));
      this.claimed = true;
    }
    const changed = this.dirty;
    this.dirty = new Map();
    try {
      const rows = [...changed.values()].map(({ status, sockets }) => ({
        screen: status.screen,
        nodeId: this.options.nodeId,
        role: status.role,
        lastSeenAt: new Date(status.lastSeenAt),
        beatAt: new Date(status.beatAt),
        seq: status.seq,
        paintedAt: status.paintedAt === null ? null : new Date(status.paintedAt),
        lagSince: status.lagSince === null ? null : new Date(status.lagSince),
        sockets,
        updatedAt: now,
      }));
      for (let i = 0; i < rows.length; i += CHUNK) {
        await db
          .insert(wallHeartbeats)
          .values(rows.slice(i, i + CHUNK))
          .onConflictDoUpdate({
            target: [wallHeartbeats.screen, wallHeartbeats.nodeId],
            set: {
              role: sql`excluded.role`,
              lastSeenAt: sql`excluded.last_seen_at`,
              beatAt: sql`excluded.beat_at`,
              seq: sql`excluded.seq`,
              paintedAt: sql`excluded.painted_at`,
              lagSince: sql`excluded.lag_since`,
              sockets: sql`excluded.sockets`,
              updatedAt: sql`excluded.updated_at`,
            },
          });
      }
    } catch (error) {
      // Back for the next write, unless a newer change of the same screen came meanwhile.
      for (const [screen, change] of changed) if (!this.dirty.has(screen)) this.dirty.set(screen, change);
      throw error;
    }
    if (now.getTime() - this.lastRenew >= this.renewMs) {
      // The rows a heartbeat did not renew lately: sockets that stay connected without beating.
      const before = new Date(now.getTime() - this.renewMs);
      await db
        .update(wallHeartbeats)
        .set({ updatedAt: now })
        .where(
          and(
            eq(wallHeartbeats.nodeId, this.options.nodeId),
            gt(wallHeartbeats.sockets, 0),
            lt(wallHeartbeats.updatedAt, before),
          ),
        );
      this.lastRenew = now.getTime();
    }
    if (changed.size > 0 && now.getTime() - this.lastPrune >= this.pruneMs) {
      await db.execute(sql`
        delete from ${wallHeartbeats} where ${wallHeartbeats.screen} in (
          select ${wallHeartbeats.screen} from ${wallHeartbeats}
          group by ${wallHeartbeats.screen}
          order by max(${wallHeartbeats.lastSeenAt}) desc
          offset ${MAX_SCREENS}
        )`);
      this.lastPrune = now.getTime();
    }
  }

  /** Writes what is left (the sockets closed by the stop: disconnected) and stops writing. */
  stop(): Promise<void> {
    return this.loop.stop();
  }
}

/**
 * The server processes on this database, for /api/health: each writes its row (`cluster_nodes`)
 * every `beatMs`, says when it starts and stops leading, and removes the row when it stops in
 * order. A process killed leaves its row behind: it counts as alive while seen within ALIVE_BEATS
 * beats, and is pruned a day after it was last seen. Times are the nodes' clocks (kept by NTP): a
 * node's "last seen" is compared with the reader's `now`.
 */
import { hostname } from 'node:os';
import { eq, lt } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { Db } from '../db/client.js';
import { clusterNodes } from '../db/schema/index.js';
import type { NodeRole } from './role.js';

/** A node seen within this many beats is alive. */
export const ALIVE_BEATS = 3;
/** A node not seen for this long is forgotten. */
const PRUNE_AFTER_MS = 24 * 3_600_000;

export interface ClusterNode {
  /** `<node id>:<pid>`. */
  id: string;
  nodeId: string;
  pid: number;
  role: NodeRole;
  version: string;
  host: string;
  startedAt: Date;
  lastSeenAt: Date;
  /** Since when it leads; null while it follows. A dead leader's row keeps it: read `alive` too. */
  leadingSince: Date | null;
  alive: boolean;
}

export interface NodeRegistryOptions {
  db: Db;
  /** NODE_ID, or the host name. */
  nodeId: string;
  role: NodeRole;
  version: string;
  clock: () => Date;
  logger: Logger;
  /** How often the row is written; default 5 s. */
  beatMs?: number;
}

export class NodeRegistry {
  /** This process's row. */
  readonly id: string;
  private readonly beatMs: number;
  private readonly startedAt: Date;
  private leadingSince: Date | null = null;
  private timer: NodeJS.Timeout | null = null;
  private beating: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(private readonly options: NodeRegistryOptions) {
    this.id = `${options.nodeId}:${process.pid}`;
    this.beatMs = options.beatMs ?? 5000;
    this.startedAt = options.clock();
  }

  /** Writes the row (a failure here fails the start), then again every beat. */
  async start(): Promise<void> {
    await this.write();
    this.schedule();
  }

  /** Records that this process leads, or no longer does; written at once. */
  async setLeading(leading: boolean): Promise<void> {
    this.leadingSince = leading ? (this.leadingSince ?? this.options.clock()) : null;
    await this.beat();
  }

  /** Removes the row: an orderly stop leaves nothing to mistake for a node. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.beating;
    try {
      await this.options.db.delete(clusterNodes).where(eq(clusterNodes.id, this.id));
    } catch (error) {
      this.options.logger.warn({ err: error }, 'could not remove this node from cluster_nodes');
    }
  }

  /** Every node on the database, the longest-running first, each alive or not as of `now`. */
  async list(now: Date): Promise<ClusterNode[]> {
    const rows = await this.options.db
      .select()
      .from(clusterNodes)
      .orderBy(clusterNodes.startedAt, clusterNodes.id);
    return rows.map((row) => ({
      ...row,
      role: row.role as NodeRole,
      alive: now.getTime() - row.lastSeenAt.getTime() <= ALIVE_BEATS * this.beatMs,
    }));
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      void this.beat().then(() => this.schedule());
    }, this.beatMs);
  }

  /** One write at a time; a failed one is logged and the next beat tries again. */
  private beat(): Promise<void> {
    this.beating = this.beating.then(async () => {
      if (this.stopped) return;
      try {
        await this.write();
      } catch (error) {
        this.options.logger.warn({ err: error }, 'could not record this node in cluster_nodes');
      }
    });
    return this.beating;
  }

  private async write(): Promise<void> {
    const now = this.options.clock();
    const changes = {
      nodeId: this.options.nodeId,
      pid: process.pid,
      role: this.options.role,
      version: this.options.version,
      host: hostname(),
      startedAt: this.startedAt,
      lastSeenAt: now,
      leadingSince: this.leadingSince,
    };
    await this.options.db
      .insert(clusterNodes)
      .values({ id: this.id, ...changes })
      .onConflictDoUpdate({ target: clusterNodes.id, set: changes });
    await this.options.db
      .delete(clusterNodes)
      .where(lt(clusterNodes.lastSeenAt, new Date(now.getTime() - PRUNE_AFTER_MS)));
  }
}

/** The node that leads: the alive one leading, the latest to take over should two rows say so. */
export function leaderOf(nodes: ClusterNode[]): ClusterNode | null {
  const leading = nodes.filter((node) => node.alive && node.leadingSince);
  leading.sort((a, b) => b.leadingSince!.getTime() - a.leadingSince!.getTime());
  return leading[0] ?? null;
}

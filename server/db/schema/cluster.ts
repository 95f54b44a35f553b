import { bigserial, customType, integer, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/** Raw bytes; drizzle has no bytea column of its own. */
const bytea = customType<{ data: Buffer }>({ dataType: () => 'bytea' });

const instant = (name: string) => timestamp(name, { withTimezone: true });

/**
 * The server processes sharing this database, one row each (server/cluster/nodes.ts): written by
 * each every few seconds, removed by an orderly stop, pruned a day after a process went silent.
 * Keyed `<node id>:<pid>`, so two servers on one host are two rows, and a restarted container
 * (same node, same pid) takes its dead predecessor's row over.
 */
export const clusterNodes = pgTable('cluster_nodes', {
  id: text('id').primaryKey(),
  nodeId: text('node_id').notNull(),
  pid: integer('pid').notNull(),
  /** NODE_ROLE: `all` or `web`. */
  role: text('role').notNull(),
  version: text('version').notNull(),
  host: text('host').notNull(),
  startedAt: instant('started_at').notNull(),
  lastSeenAt: instant('last_seen_at').notNull(),
  /** Since when the process leads; null while it follows. */
  leadingSince: instant('leading_since'),
});

/**
 * The PostgreSQL Socket.IO adapter's packets too large for a NOTIFY (8000 bytes), or binary: written
 * by the sending node, read by the others, deleted by the adapter after 30 s. Its name and columns
 * are the adapter's (@socket.io/postgres-adapter).
 */
export const socketIoAttachments = pgTable('socket_io_attachments', {
  id: bigserial('id', { mode: 'number' }).unique(),
  createdAt: instant('created_at').defaultNow(),
  payload: bytea('payload'),
});

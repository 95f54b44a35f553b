/**
 * PostgreSQL session advisory locks: the leader's and the migrations'. A lock's key is a 64-bit
 * number made from a name: the first 8 bytes of SHA-256 of the name, read as a signed big-endian
 * integer (the `bigint` that `pg_try_advisory_lock` takes). Every version of the server must agree on
 * a key, so a name, once released, never changes: tests/unit/cluster-session-lock.test.ts holds the
 * numbers.
 *
 * Advisory locks belong to one database: cities in databases of their own never share a lock. Two
 * cities in one database (apart by `search_path`) tell theirs apart with a namespace.
 */
import { createHash } from 'node:crypto';
import type { PendingQuery, Row, Sql } from 'postgres';

/** The key of the lock named `name`, in `namespace` if given (`<namespace>/<name>`). */
export function lockKey(name: string, namespace?: string): bigint {
  const text = namespace === undefined ? name : `${namespace}/${name}`;
  return createHash('sha256').update(text).digest().readBigInt64BE(0);
}

/** Held by the node that runs the pollers, the evaluator and the jobs: -8568363630092569610. */
export const LEADER_LOCK_NAME = 'pingan-wall leader';

/** Held while one node applies the migrations: 1582999796320264463. */
export const MIGRATION_LOCK_NAME = 'pingan-wall migrations';

/**
 * The PostgreSQL server's keepalives on a session holding a lock, so that it ends the session of a
 * node whose network is gone (and the lock with it) instead of after the system's two hours: probes
 * after 5 s of silence, every 2 s, 3 unanswered end it. With unacknowledged data outstanding
 * keepalives do not run, so `tcp_user_timeout` bounds that case the same. (PostgreSQL 12 or later.)
 */
const KEEPALIVE = { idleS: 5, intervalS: 2, count: 3 };
export const SERVER_DROPS_SILENT_MS = (KEEPALIVE.idleS + KEEPALIVE.intervalS * KEEPALIVE.count) * 1000;

/** Select-list items setting the keepalives on the session the statement runs on. */
export function keepaliveSettings(sql: Sql): PendingQuery<Row[]> {
  return sql`
    set_config('tcp_keepalives_idle', ${String(KEEPALIVE.idleS)}, false),
    set_config('tcp_keepalives_interval', ${String(KEEPALIVE.intervalS)}, false),
    set_config('tcp_keepalives_count', ${String(KEEPALIVE.count)}, false),
    set_config('tcp_user_timeout', ${String(SERVER_DROPS_SILENT_MS)}, false)`;
}

/**
 * What a node does among several (NODE_ROLE): `all` may lead — run the pollers, the alert evaluator
 * and the jobs — besides serving walls and the API; `web` only serves and never tries to lead.
 */
import type { Env } from '../config/env.js';

export type NodeRole = Env['NODE_ROLE'];

/**
 * Why this node cannot start in its role on this database, or null. PGlite is one process's
 * database: a web-only node on it would have nobody to lead it (no polls, no alerts, no jobs).
 */
export function clusterProblem(
  env: Pick<Env, 'NODE_ROLE'>,
  databaseKind: 'pglite' | 'postgres',
): string | null {
  if (env.NODE_ROLE === 'web' && databaseKind === 'pglite')
    return (
      'NODE_ROLE=web needs a PostgreSQL shared with a node that leads (DATABASE_URL): the embedded ' +
      'database serves one process, so a web-only node on it would never poll feeds, evaluate ' +
      'alerts or run jobs; unset NODE_ROLE, or set DATABASE_URL'
    );
  return null;
}

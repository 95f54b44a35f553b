import { describe, expect, it } from 'vitest';
import { ConfigError, parseEnv } from '../../server/config/env.js';
import { leaderOf, type ClusterNode } from '../../server/cluster/nodes.js';
import { clusterProblem } from '../../server/cluster/role.js';
import { LEADER_LOCK_NAME, lockKey, MIGRATION_LOCK_NAME } from '../../server/cluster/session-lock.js';

describe('the advisory lock keys', () => {
  it('are the same numbers in every version, so nodes of two versions never lead at once', () => {
    expect(lockKey(LEADER_LOCK_NAME)).toBe(-8568363630092569610n);
    expect(lockKey(MIGRATION_LOCK_NAME)).toBe(1582999796320264463n);
  });

  it('differ per namespace, so two cities in one database do not share a leader', () => {
    const keys = new Set([
      lockKey(LEADER_LOCK_NAME),
      lockKey(LEADER_LOCK_NAME, 'anning'),
      lockKey(LEADER_LOCK_NAME, 'yuxi'),
    ]);
    expect(keys.size).toBe(3);
    for (const key of keys) expect(BigInt.asIntN(64, key)).toBe(key);
  });
});

describe('NODE_ROLE', () => {
  it('is all by default and web when told, and nothing else', () => {
    expect(parseEnv({}).NODE_ROLE).toBe('all');
    expect(parseEnv({ NODE_ROLE: 'web' }).NODE_ROLE).toBe('web');
    expect(() => parseEnv({ NODE_ROLE: 'worker' })).toThrow(ConfigError);
  });

  it('web refuses the embedded database, which has nobody to lead it; PostgreSQL takes either role', () => {
    expect(clusterProblem({ NODE_ROLE: 'web' }, 'pglite')).toMatch(
      /^NODE_ROLE=web needs a PostgreSQL .*DATABASE_URL/,
    );
    expect(clusterProblem({ NODE_ROLE: 'all' }, 'pglite')).toBeNull();
    expect(clusterProblem({ NODE_ROLE: 'web' }, 'postgres')).toBeNull();
    expect(clusterProblem({ NODE_ROLE: 'all' }, 'postgres')).toBeNull();
  });
});

describe('the leader among the nodes', () => {
  const node = (id: string, alive: boolean, leadingSince: string | null): ClusterNode => ({
    id,
    nodeId: id.split(':')[0]!,
    pid: 1,
    role: 'all',
    version: '0.1.0',
    host: 'h',
    startedAt: new Date('2026-12-01T00:00:00Z'),
    lastSeenAt: new Date('2026-12-01T00:00:00Z'),
    leadingSince: leadingSince ? new Date(leadingSince) : null,
    alive,
  });

  it('is the alive node that leads, never a dead one whose row still says it led', () => {
    const dead = node('a:1', false, '2026-12-01T00:00:00Z');
    const taken = node('b:1', true, '2026-12-01T00:00:12Z');
    expect(leaderOf([dead, taken, node('c:1', true, null)])?.id).toBe('b:1');
    expect(leaderOf([dead, node('c:1', true, null)])).toBeNull();
  });

  it('is the later to take over when two alive rows say they lead (a handover between beats)', () => {
    expect(
      leaderOf([node('a:1', true, '2026-12-01T00:00:00Z'), node('b:1', true, '2026-12-01T00:00:12Z')])?.id,
    ).toBe('b:1');
  });
});

/**
 * Several nodes on one PostgreSQL: exactly one leads, an orderly stop hands over at once, a leader
 * whose session ends (killed from the server, its process killed, its network gone) stops leading
 * before anyone else starts, and nodes starting together migrate the database once. PGlite is one
 * process's database, so this needs TEST_DATABASE_URL. Elections run with their default timings
 * (try every 1 s, check every 2 s, 3 s deadline), and the takeover times they measure are printed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import postgres, { type Sql } from 'postgres';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LeaderElection, type LeaderElectionOptions } from '../../server/cluster/leader.js';
import { leaderOf, NodeRegistry } from '../../server/cluster/nodes.js';
import { openDatabase, type Database } from '../../server/db/client.js';
import { clusterNodes } from '../../server/db/schema/index.js';
import { createLogger } from '../../server/logger.js';
import { databaseTargets, type TestDatabase } from '../support/databases.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';
import { until } from '../support/wait.js';

const target = databaseTargets.find((candidate) => candidate.name === 'postgres');

/** One election's change of mind, in the order they happened. */
interface Turn {
  node: string;
  kind: 'lead' | 'follow';
  at: number;
  reason?: string;
}

/** The first moment two nodes led at once, or null: every lead must follow the last leader's step down. */
function overlap(turns: Turn[]): string | null {
  let leader: string | null = null;
  for (const turn of turns) {
    if (turn.kind === 'lead') {
      if (leader !== null) return `${turn.node} led while ${leader} still did`;
      leader = turn.node;
    } else if (turn.node === leader) leader = null;
  }
  return null;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.skipIf(!target)('leadership among nodes on one PostgreSQL (needs TEST_DATABASE_URL)', () => {
  let database: TestDatabase;
  let admin: Sql;
  const logged: Array<{ msg: string; node?: string; reason?: string }> = [];
  const logger = createLogger('info', { write: (line: string) => void logged.push(JSON.parse(line)) });
  let turns: Turn[] = [];
  let running: Map<string, LeaderElection> = new Map();

  /** Elections named `names`, started in that order, each recording its turns. */
  function elect(names: string[], options: Partial<LeaderElectionOptions> = {}): Map<string, LeaderElection> {
    for (const node of names) {
      const election = new LeaderElection({
        url: database.url!,
        node,
        logger,
        onLead: () => void turns.push({ node, kind: 'lead', at: Date.now() }),
        onFollow: (reason) => void turns.push({ node, kind: 'follow', at: Date.now(), reason }),
        ...options,
      });
      running.set(node, election);
      election.start();
    }
    return running;
  }
  const leaders = () => [...running].filter(([, election]) => election.isLeader()).map(([node]) => node);
  /** The one leader, once there is exactly one. */
  const oneLeader = () => until(() => (leaders().length === 1 ? leaders()[0] : null), 'one leader');
  /** The backend pid of a node's lock connection, found as an operator would. */
  const backendOf = async (node: string) => {
    const rows = await admin<{ pid: number }[]>`
      select pid from pg_stat_activity
      where datname = current_database() and application_name = ${`pingan-wall leader ${node}`}`;
    return rows[0]?.pid ?? null;
  };
  /** Who holds an advisory lock in this database, by application_name. */
  const holders = async () =>
    (
      await admin<{ name: string }[]>`
        select a.application_name as name from pg_locks l join pg_stat_activity a on a.pid = l.pid
        where l.locktype = 'advisory' and l.granted
          and l.database = (select oid from pg_database where datname = current_database())`
    ).map((row) => row.name);

  beforeAll(async () => {
    database = await target!.create();
    admin = postgres(database.url!, { max: 1, onnotice: () => {} });
  });
  afterEach(async () => {
    await Promise.all([...running.values()].map((election) => election.stop()));
    running = new Map();
    turns = [];
    logged.length = 0;
  });
  afterAll(async () => {
    await admin?.end();
    await database?.drop();
  });

  it('lets exactly one of three nodes lead, and no follower leads while it holds the lock', async () => {
    elect(['anning-1', 'anning-2', 'anning-3']);
    const leader = await oneLeader();
    // Each follower tries about three times more.
    await sleep(3500);
    expect(leaders()).toEqual([leader]);
    expect(turns.map((turn) => `${turn.node} ${turn.kind}`)).toEqual([`${leader} lead`]);
    expect(await holders()).toEqual([`pingan-wall leader ${leader}`]);
    expect(logged).toContainEqual(expect.objectContaining({ msg: 'leading', node: leader }));
  });

  it('hands the lead over within a few seconds when the leader stops in order', async () => {
    elect(['anning-1', 'anning-2']);
    const leader = await oneLeader();
    const stoppedAt = Date.now();
    await running.get(leader)!.stop();
    running.delete(leader);
    const next = await oneLeader();
    const handover = Date.now() - stoppedAt;
    console.log(`orderly stop: ${next} led ${handover} ms after ${leader} stopped`);
    expect(handover).toBeLessThan(5000);
    expect(turns).toEqual([
      expect.objectContaining({ node: leader, kind: 'lead' }),
      expect.objectContaining({ node: leader, kind: 'follow', reason: 'stopping' }),
      expect.objectContaining({ node: next, kind: 'lead' }),
    ]);
  });

  it('stops a leader at once when its session is terminated, before another leads, and tries again on a fresh connection', async () => {
    elect(['anning-1', 'anning-2', 'anning-3']);
    const leader = await oneLeader();
    const killed = (await backendOf(leader))!;
    expect(killed).toBeTypeOf('number');
    const terminatedAt = Date.now();
    await admin`select pg_terminate_backend(${killed})`;
    const stepDown = await until(
      () => turns.find((turn) => turn.node === leader && turn.kind === 'follow'),
      'the terminated leader to step down',
    );
    const next = await oneLeader();
    const lead = turns.find((turn) => turn.node === next && turn.kind === 'lead')!;
    console.log(
      `terminated session: ${leader} stepped down after ${stepDown.at - terminatedAt} ms, ` +
        `${next} led after ${lead.at - terminatedAt} ms`,
    );
    // Noticed by the connection closing, not by the next check two seconds later.
    expect(stepDown.reason).toBe('the connection to the database closed');
    expect(next).not.toBe(leader);
    expect(lead.at - terminatedAt).toBeLessThan(5000);
    expect(overlap(turns)).toBeNull();
    expect(logged).toContainEqual(
      expect.objectContaining({
        msg: 'no longer leading',
        node: leader,
        reason: 'the connection to the database closed',
      }),
    );
    // Back to trying, on a new session.
    await until(async () => {
      const pid = await backendOf(leader);
      return pid !== null && pid !== killed;
    }, `${leader} to connect again`);
    expect(running.get(leader)!.isLeader()).toBe(false);
    expect(await holders()).toEqual([`pingan-wall leader ${next}`]);
  });

  describe('a leader whose network stops answering', () => {
    let proxy: TcpProxy;
    beforeAll(async () => {
      const url = new URL(database.url!);
      proxy = await startTcpProxy({ host: url.hostname, port: Number(url.port || 5432) });
    });
    afterAll(async () => {
      await proxy?.stop();
    });

    it('gives up by its check and deadline, while nobody leads until the server ends its session', async () => {
      const behindProxy = new URL(database.url!);
      behindProxy.hostname = '127.0.0.1';
      behindProxy.port = String(proxy.port);
      elect(['cut-off'], { url: behindProxy.toString() });
      expect(await oneLeader()).toBe('cut-off');
      elect(['anning-2']);
      await sleep(1500);
      proxy.blackhole();
      const cutAt = Date.now();
      const stepDown = await until(
        () => turns.find((turn) => turn.node === 'cut-off' && turn.kind === 'follow'),
        'the cut-off leader to step down',
      );
      console.log(
        `network gone: the leader stepped down after ${stepDown.at - cutAt} ms (${stepDown.reason})`,
      );
      expect(stepDown.reason).toMatch(/^the check failed: the database did not answer within 3000 ms$/);
      // Check every 2 s, 3 s deadline: well inside the 11 s the server takes to drop a silent session.
      expect(stepDown.at - cutAt).toBeLessThan(8000);
      // The server still counts the cut-off session alive, so its lock stands: nobody else leads.
      await sleep(1500);
      expect(leaders()).toEqual([]);
      expect(await holders()).toEqual(['pingan-wall leader cut-off']);
      // The server learns the session is gone (here: the connection is reset; on a real network,
      // its keepalives after 11 s) and the follower takes over.
      await proxy.refuse();
      const droppedAt = Date.now();
      expect(await oneLeader()).toBe('anning-2');
      console.log(
        `network gone: anning-2 led ${Date.now() - droppedAt} ms after the server dropped the session`,
      );
      expect(overlap(turns)).toBeNull();
      await proxy.forward();
    });
  });
});

describe.skipIf(!target)('nodes on one PostgreSQL, as processes (needs TEST_DATABASE_URL)', () => {
  let database: TestDatabase;
  let opened: Database;
  const logger = createLogger('silent');

  beforeAll(async () => {
    database = await target!.create();
    opened = await openDatabase({ url: database.url });
    await opened.migrate();
  });
  afterAll(async () => {
    await opened?.close();
    await database?.drop();
  });

  /** A leader in a process of its own (tests/support/leader.child.ts), once it says it leads. */
  async function leaderProcess(nodeId: string, beatMs: number): Promise<ChildProcess> {
    const child = spawn(process.execPath, ['--import', 'tsx', 'tests/support/leader.child.ts'], {
      env: { ...process.env, DATABASE_URL: database.url, NODE_ID: nodeId, BEAT_MS: String(beatMs) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await until(() => output.includes('leading\n'), `${nodeId} to lead`, 60_000);
    return child;
  }

  it('takes over within seconds from a leader killed with SIGKILL, whose row then shows it gone', async () => {
    const beatMs = 300;
    const child = await leaderProcess('killed', beatMs);
    const registry = new NodeRegistry({
      db: opened.db,
      nodeId: 'survivor',
      role: 'all',
      version: 'test',
      clock: () => new Date(),
      logger,
      beatMs,
    });
    await registry.start();
    const turns: Turn[] = [];
    const election = new LeaderElection({
      url: database.url!,
      node: registry.id,
      logger,
      onLead: async () => {
        turns.push({ node: 'survivor', kind: 'lead', at: Date.now() });
        await registry.setLeading(true);
      },
      onFollow: async () => {
        turns.push({ node: 'survivor', kind: 'follow', at: Date.now() });
        await registry.setLeading(false);
      },
    });
    try {
      election.start();
      await sleep(2500);
      expect(election.isLeader()).toBe(false);
      const killedAt = Date.now();
      child.kill('SIGKILL');
      await until(() => election.isLeader(), 'the survivor to lead');
      const takeover = turns[0]!.at - killedAt;
      console.log(`kill -9: the survivor led ${takeover} ms after the leader was killed`);
      expect(takeover).toBeLessThan(5000);
      // The killed process's row stays until pruned, but is not alive, and not the leader.
      await until(async () => {
        const nodes = await registry.list(new Date());
        return nodes.find((node) => node.nodeId === 'killed')?.alive === false;
      }, 'the killed node to count as gone');
      const nodes = await registry.list(new Date());
      expect(nodes.find((node) => node.nodeId === 'killed')).toMatchObject({
        version: 'child',
        leadingSince: expect.any(Date),
      });
      expect(leaderOf(nodes)).toMatchObject({ id: registry.id, alive: true, role: 'all', pid: process.pid });
    } finally {
      child.kill('SIGKILL');
      await election.stop();
      await registry.stop();
    }
  });

  it('lists each process with its role, version and last beat, and forgets it when it stops in order', async () => {
    const at = (id: string) => ({
      db: opened.db,
      nodeId: id,
      version: '0.1.0',
      clock: () => new Date(),
      logger,
      beatMs: 200,
    });
    const web = new NodeRegistry({ ...at('web-1'), role: 'web' });
    const all = new NodeRegistry({ ...at('all-1'), role: 'all' });
    // A node gone two days ago: pruned by the next beat.
    const twoDaysAgo = new Date(Date.now() - 2 * 86_400_000);
    await opened.db.insert(clusterNodes).values({
      id: 'old:1',
      nodeId: 'old',
      pid: 1,
      role: 'all',
      version: '0.0.9',
      host: 'gone',
      startedAt: twoDaysAgo,
      lastSeenAt: twoDaysAgo,
    });
    await web.start();
    await all.start();
    try {
      const mine = async (now = new Date()) =>
        (await web.list(now))
          .filter((node) => node.pid === process.pid)
          .sort((a, b) => (a.id < b.id ? 1 : -1));
      const first = await mine();
      expect(first.map((node) => [node.id, node.role, node.alive, node.leadingSince])).toEqual([
        [`web-1:${process.pid}`, 'web', true, null],
        [`all-1:${process.pid}`, 'all', true, null],
      ]);
      expect((await web.list(new Date())).map((node) => node.id)).not.toContain('old:1');
      await until(async () => (await mine())[0]!.lastSeenAt > first[0]!.lastSeenAt, 'a second beat');
      await all.setLeading(true);
      expect(leaderOf(await web.list(new Date()))?.id).toBe(all.id);
      await all.setLeading(false);
      expect(leaderOf(await web.list(new Date()))).toBeNull();
      // Read as of three beats after the last one: every node that stopped beating is gone.
      expect((await mine()).map((node) => node.alive)).toEqual([true, true]);
      expect((await mine(new Date(Date.now() + 1000))).map((node) => node.alive)).toEqual([false, false]);
      await all.stop();
      expect((await mine()).map((node) => node.id)).toEqual([web.id]);
    } finally {
      await web.stop();
      await all.stop();
    }
    expect((await web.list(new Date())).filter((node) => node.pid === process.pid)).toEqual([]);
  });

  it('migrates an empty database once when three nodes start together', async () => {
    const fresh = await target!.create();
    const nodes = await Promise.all([1, 2, 3].map(() => openDatabase({ url: fresh.url, logger })));
    try {
      await Promise.all(nodes.map((node) => node.migrate()));
      const journal = JSON.parse(readFileSync('migrations/meta/_journal.json', 'utf8')) as {
        entries: unknown[];
      };
      const inspect = postgres(fresh.url!, { max: 1, onnotice: () => {} });
      try {
        expect(await inspect`select count(*)::int as count from drizzle.__drizzle_migrations`).toEqual([
          { count: journal.entries.length },
        ]);
        // The lock released: a node starting later migrates (nothing) without waiting.
        // pg_locks lists the whole server's locks: other tests' databases have leaders of their own.
        expect(
          await inspect`
            select objid from pg_locks where locktype = 'advisory'
              and database = (select oid from pg_database where datname = current_database())`,
        ).toEqual([]);
      } finally {
        await inspect.end();
      }
      await nodes[1]!.migrate();
      expect(await nodes[0]!.db.select().from(clusterNodes)).toEqual([]);
    } finally {
      await Promise.all(nodes.map((node) => node.close()));
      await fresh.drop();
    }
  });
});

/**
 * Three whole server nodes, each its own process (tests/support/node.child.ts), on one PostgreSQL,
 * polling one incident feed (a local stand-in the test serves, so that what was served is known
 * item by item). Exactly one node polls; a leader killed with SIGKILL in the middle of a backfill is
 * followed by another that resumes from the stored cursor, and the items stored are exactly the
 * items served; a zero-tolerance incident pushed to a follower opens one alert and its webhook gets
 * one notification, even with the leader killed just after; a wall on a follower gets the delta of
 * an incident pushed to another node, in `seq` order, and an acknowledgement made on a third.
 * PGlite is one process's database, so this needs TEST_DATABASE_URL.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import postgres, { type Sql } from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LiveDelta, LiveSnapshot } from '../../shared/live.js';
import { databaseTargets, type TestDatabase } from '../support/databases.js';
import { feedItem } from '../support/feed-items.js';
import { startFeedServer, type TestFeedServer } from '../support/feed-server.js';
import { connectedSocket, type LiveSocket } from '../support/live.js';
import { ENV, streetHead } from '../support/outbox.js';
import { startHttpReceiver, type HttpReceiver } from '../support/receivers.js';
import { WORKING_MORNING } from '../support/clock.js';
import { until } from '../support/wait.js';

const target = databaseTargets.find((candidate) => candidate.name === 'postgres');
const ADMIN = 'admin-token-of-the-cluster-test-0123456789';

interface Node {
  name: string;
  child: ChildProcess;
  port: number;
  /** `<node id>:<pid>`, as /api/health names it. */
  id: string;
}

describe.skipIf(!target)('three server nodes on one PostgreSQL (needs TEST_DATABASE_URL)', () => {
  let database: TestDatabase;
  let feed: TestFeedServer;
  let receiver: HttpReceiver;
  let inspect: Sql;
  const nodes = new Map<string, Node>();
  const clockOrigin = Date.now();
  /** The nodes' clock: the working morning, run on from when the test began (node.child.ts). */
  const testNow = () => new Date(WORKING_MORNING.getTime() + (Date.now() - clockOrigin));

  async function startNode(name: string): Promise<Node> {
    const child = spawn(process.execPath, ['--import', 'tsx', 'tests/support/node.child.ts'], {
      env: {
        ...process.env,
        ...ENV,
        DATABASE_URL: database.url,
        NODE_ID: name,
        ADMIN_TOKEN: ADMIN,
        FEED_URL: feed.url,
        PAGE_SIZE: '50',
        CLOCK_ORIGIN: String(clockOrigin),
        ALERT_EVALUATE_SECONDS: '2',
      },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const listening = await new Promise<{ port: number; node: string }>((resolve, reject) => {
      child.once('message', (message) => resolve(message as { port: number; node: string }));
      child.once('exit', (code) => reject(new Error(`node ${name} exited (${code}) before listening`)));
    });
    const node = { name, child, port: listening.port, id: listening.node };
    nodes.set(name, node);
    return node;
  }

  const api = (node: Node, path: string, init: RequestInit = {}) =>
    fetch(`http://127.0.0.1:${node.port}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json', ...init.headers },
    });
  const health = async (node: Node) =>
    (await (await api(node, '/api/health')).json()) as {
      leader: string | null;
      nodes: { id: string; alive: boolean; leading: boolean }[];
    };
  const alive = () =>
    [...nodes.values()].filter((node) => node.child.exitCode === null && !node.child.killed);
  const leader = async () => {
    const [any] = alive();
    const id = (await health(any!)).leader;
    return alive().find((node) => node.id === id) ?? null;
  };
  const killed = (node: Node) =>
    new Promise<void>((resolve) => {
      node.child.once('exit', () => resolve());
      node.child.kill('SIGKILL');
      nodes.delete(node.name);
    });
  const storedIds = async () =>
    (await inspect<{ id: string }[]>`select id from incidents order by id`).map((row) => row.id);

  beforeAll(async () => {
    database = await target!.create();
    feed = await startFeedServer();
    receiver = await startHttpReceiver();
    // A backfill of 40 pages, each answered after 100 ms: long enough to kill its reader halfway.
    const at = WORKING_MORNING.getTime() - 3 * 3_600_000;
    for (let i = 0; i < 2000; i++)
      feed.items.push(
        feedItem('incident', new Date(at + i * 1000), {
          id: `INC-B-${String(i).padStart(4, '0')}`,
          category: 'theft',
        }),
      );
    feed.delayMs = 100;
    await Promise.all(['n1', 'n2', 'n3'].map(startNode));
    inspect = postgres(database.url!, { max: 1, onnotice: () => {} });
  }, 240_000);

  afterAll(async () => {
    await Promise.all(
      alive().map(
        (node) =>
          new Promise<void>((resolve) => {
            node.child.once('exit', () => resolve());
            node.child.kill('SIGTERM');
          }),
      ),
    );
    await inspect?.end();
    await feed?.stop();
    await receiver?.stop();
    await database?.drop();
  });

  it('lets exactly one node lead and poll, and another resume the backfill exactly after it is killed', async () => {
    const first = await until(leader, 'a leader', 60_000);
    const views = await Promise.all(alive().map(health));
    expect(new Set(views.map((view) => view.leader))).toEqual(new Set([first.id]));
    expect(views[0]!.nodes.filter((node) => node.alive)).toHaveLength(3);
    expect(views[0]!.nodes.filter((node) => node.leading).map((node) => node.id)).toEqual([first.id]);

    // Halfway through the backfill, the leader dies.
    await until(async () => (await storedIds()).length >= 500 || null, 'part of the backfill', 60_000);
    const killedAt = Date.now();
    await killed(first);
    const next = await until(leader, 'another leader', 60_000);
    console.log(
      `kill -9 mid-backfill: ${next.name} leads ${Date.now() - killedAt} ms after ${first.name} died`,
    );
    expect(next.id).not.toBe(first.id);

    const served = feed.items.map((item) => String(item.id)).sort();
    await until(
      async () => ((await storedIds()).length === served.length ? true : null),
      'the whole backfill',
      120_000,
    );
    expect(await storedIds()).toEqual(served);
    // Only the leader reads the feed: its name on the feed's health row (written within a second).
    const pollers = async () =>
      (await inspect<{ node_id: string }[]>`select node_id from feed_health where feed = 'incident'`).map(
        (row) => row.node_id,
      );
    await until(async () => (await pollers()).includes(next.name), 'the health row', 30_000);
    expect(await pollers()).toEqual([next.name]);
  });

  it('opens one alert for a zero-tolerance incident pushed to a follower, notified once, the leader killed after', async () => {
    const lead = await until(leader, 'a leader', 60_000);
    const [follower] = alive().filter((node) => node !== lead);
    const created = await api(follower!, '/api/subscriptions', {
      method: 'POST',
      body: JSON.stringify(streetHead(`${receiver.origin}/hook`, { streets: ['lianran'] })),
    });
    expect(created.status).toBe(201);

    const robbery = feedItem('incident', testNow(), {
      id: 'INC-ROBBERY-1',
      street: 'lianran',
      category: 'robbery',
    });
    const pushed = await api(follower!, '/api/ingest/incident', {
      method: 'POST',
      body: JSON.stringify([robbery]),
    });
    expect(pushed.status).toBe(200);
    // The leader hears of it and evaluates; it dies as soon as the alert is stored.
    await until(
      async () => (await inspect`select id from alerts where rule = 'zeroTolerance'`).length > 0 || null,
      'the zero-tolerance alert',
      60_000,
    );
    await killed(lead);
    await until(leader, 'another leader', 60_000);
    // A notification the dead leader had claimed is sent by a survivor once its lease (60 s) runs out.
    await until(() => (receiver.requests.length > 0 ? true : null), 'the notification', 120_000);
    // Time for a second evaluation by the new leader, a repeat or a second delivery, were there any.
    await new Promise((resolve) => setTimeout(resolve, 6000));
    const alerts = await inspect`select id from alerts where rule = 'zeroTolerance'`;
    expect(alerts).toHaveLength(1);
    // One notification. Were the leader killed between its send and recording it, the survivor's
    // retry would carry the same Idempotency-Key, for the receiver to drop.
    const keys = new Set(receiver.requests.map((request) => request.headers['idempotency-key']));
    expect(keys.size).toBe(1);
    expect([...keys][0]).toEqual(expect.any(String));
  }, 240_000);

  it('shows a wall on a follower the delta of an incident pushed elsewhere, in seq order, and an acknowledgement made on another node', async () => {
    // Three nodes again, so that a leader and two followers serve.
    await Promise.all(['n4', 'n5'].map(startNode));
    const lead = await until(leader, 'a leader', 60_000);
    const [watched, pushedTo] = alive().filter((node) => node !== lead);
    const wallToken = (await (
      await api(watched!, '/api/tokens', {
        method: 'POST',
        body: JSON.stringify({ name: 'wall', role: 'wall' }),
      })
    ).json()) as { token: string };
    const socket: LiveSocket = await connectedSocket(`http://127.0.0.1:${watched!.port}`, wallToken.token);
    const deltas: LiveDelta[] = [];
    let snapshot: LiveSnapshot | null = null;
    socket.on('snapshot', (s) => (snapshot = s));
    socket.on('delta', (d) => deltas.push(d));
    // The snapshot sent on connecting may have come before these listeners: ask for one.
    socket.emit('resync');
    try {
      await until(() => snapshot, 'the snapshot', 30_000);
      const item = feedItem('incident', testNow(), {
        id: 'INC-WALL-1',
        street: 'jinfang',
        category: 'theft',
      });
      const pushed = await api(pushedTo!, '/api/ingest/incident', {
        method: 'POST',
        body: JSON.stringify([item]),
      });
      expect(pushed.status).toBe(200);
      await until(
        () => deltas.find((d) => d.ticker?.some((t) => t.key === `incident:${item.id}`)) ?? null,
        'the delta of the pushed incident',
        30_000,
      );
      // One node's stream: every delta follows on from the one before.
      let seq = snapshot!.seq;
      for (const delta of deltas) {
        expect(delta.prevSeq).toBe(seq);
        expect(delta.seq).toBeGreaterThan(seq);
        seq = delta.seq;
      }

      const firing = (await (await api(lead, '/api/alerts?state=firing')).json()) as {
        alerts: { id: string }[];
      };
      const alert = firing.alerts[0];
      expect(alert).toBeDefined();
      const acked = await api(pushedTo!, `/api/alerts/${alert!.id}/ack`, {
        method: 'POST',
        body: JSON.stringify({ comment: '已派警核实' }),
      });
      expect(acked.status).toBe(200);
      const ackedAt = Date.now();
      await until(
        () =>
          deltas.find((d) => d.alerts?.some((a) => a.id === alert!.id && a.status === 'acknowledged')) ??
          null,
        'the acknowledgement on the wall',
        30_000,
      );
      console.log(
        `an acknowledgement on ${pushedTo!.name} reached a wall on ${watched!.name} in ${Date.now() - ackedAt} ms`,
      );
    } finally {
      socket.disconnect();
    }
  });
});

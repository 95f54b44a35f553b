/**
 * Several nodes on one PostgreSQL (BENCH_DATABASE_URL; "Running on several nodes"): the time from
 * an incident pushed to the leader to its delta at walls on two followers, against the same number
 * of walls on one node alone, in one run. The difference is what a hop through the database costs:
 * the push's `feed.stored` carried to the followers by the PostgreSQL adapter (a NOTIFY, or its
 * attachments table for a large packet), each follower reading the streets it touched and sending
 * its own walls their delta. Each node is a process of its own (cluster/node.ts), each run on a
 * fresh database beside the one the bench was given; the walls all run here.
 */
import { fork, type ChildProcess } from 'node:child_process';
import postgres from 'postgres';
import { CONNECT_WAVE, clock, sleep } from './live/config.js';
import { Deadline } from './live/deadline.js';
import { stats, type Stats } from './live/stats.js';
import { Walls } from './live/walls.js';

/** Walls in all (BENCH_CLUSTER_WALLS overrides): two cores carry three servers and these clients. */
const WALLS = Number(process.env.BENCH_CLUSTER_WALLS ?? 1000);
const EVENTS = 20;
const ADMIN = 'bench-cluster-admin-token-0123456789';

interface Node {
  child: ChildProcess;
  port: number;
  leads: boolean;
}

async function startNode(url: string, name: string, role: 'all' | 'web'): Promise<Node> {
  const child = fork('bench/cluster/node.ts', [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, DATABASE_URL: url, NODE_ID: name, NODE_ROLE: role, ADMIN_TOKEN: ADMIN },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const ready = await new Promise<{ port: number; leads: boolean }>((resolve, reject) => {
    child.once('message', (message) => resolve(message as { port: number; leads: boolean }));
    child.once('exit', (code) => reject(new Error(`bench/cluster: node ${name} exited (${code})`)));
  });
  return { child, ...ready };
}

const stopNode = (node: Node) =>
  new Promise<void>((resolve) => {
    if (node.child.exitCode !== null) return resolve();
    node.child.once('exit', () => resolve());
    node.child.kill('SIGTERM');
  });

/** A database of its own for one run, beside the bench's. */
async function freshDatabase(url: string, name: string): Promise<string> {
  const admin = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`drop database if exists ${name} with (force)`);
    await admin.unsafe(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const fresh = new URL(url);
  fresh.pathname = `/${name}`;
  return fresh.toString();
}

const api = (node: Node, path: string, body: unknown) =>
  fetch(`http://127.0.0.1:${node.port}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

/** Pushes EVENTS incidents to `into`, each awaited at every wall; the times from push to arrival. */
async function measure(into: Node, walls: Walls[], deadline: Deadline): Promise<Stats> {
  const latencies: number[] = [];
  for (let i = 0; i < EVENTS + 2; i++) {
    const id = `INC-BENCH-${Date.now()}-${i}`;
    const waits = walls.map((w) => w.expect(`incident:${id}`));
    const started = clock();
    const now = new Date().toISOString();
    const item = {
      id,
      updatedAt: now,
      reportedAt: now,
      street: 'jinfang',
      category: 'theft',
      kind: 'criminal',
      status: 'open',
    };
    const posted = await api(into, '/api/ingest/incident', [item]);
    if (posted.status !== 200) throw new Error(`bench/cluster: the push answered ${posted.status}`);
    const arrived = await deadline.within(Promise.all(waits.map((w) => w.arrived)), {
      ms: 10_000,
      message: () => waits.map((w) => w.progress()).join('; '),
    });
    // The first two warm the path up.
    if (i >= 2) for (const e of arrived) for (const at of e.arrivals) latencies.push(at - started);
    await sleep(300);
  }
  return stats(latencies);
}

async function wallsOn(node: Node, count: number, deadline: Deadline): Promise<Walls> {
  const created = await api(node, '/api/tokens', { name: 'bench wall', role: 'wall' });
  const { token } = (await created.json()) as { token: string };
  const walls = new Walls(`http://127.0.0.1:${node.port}`, token);
  await walls.connect(count, deadline);
  return walls;
}

export async function benchCluster(url: string | undefined) {
  if (!url)
    return [
      {
        measure: 'several nodes on one PostgreSQL',
        value: 'skipped',
        note: 'set BENCH_DATABASE_URL (a database the bench may empty)',
      },
    ];
  const deadline = new Deadline(240_000);
  const nodes: Node[] = [];
  const walls: Walls[] = [];
  try {
    deadline.phase = 'one node';
    const alone = await startNode(await freshDatabase(url, 'pingan_bench_one'), 'alone', 'all');
    nodes.push(alone);
    walls.push(await wallsOn(alone, WALLS, deadline));
    const single = await measure(alone, walls, deadline);
    walls.splice(0).forEach((w) => w.close());
    await stopNode(nodes.pop()!);

    deadline.phase = 'three nodes';
    const shared = await freshDatabase(url, 'pingan_bench_three');
    const leader = await startNode(shared, 'leader', 'all');
    nodes.push(
      leader,
      ...(await Promise.all(['web-1', 'web-2'].map((name) => startNode(shared, name, 'web')))),
    );
    for (const follower of nodes.slice(1)) walls.push(await wallsOn(follower, WALLS / 2, deadline));
    const across = await measure(leader, walls, deadline);
    const pair = (s: Stats) => `${s.p50.toFixed(1)} / ${s.p99.toFixed(1)} ms`;
    return [
      { measure: `one node: push → delta at ${WALLS} walls, p50 / p99`, value: pair(single) },
      {
        measure: `three nodes: push to the leader → delta at ${WALLS} walls on two followers, p50 / p99`,
        value: pair(across),
        note: `walls connect ${CONNECT_WAVE} at a time; ${EVENTS} events each`,
      },
      {
        measure: 'the hop between nodes (PostgreSQL adapter), p50 added / p99 ratio',
        value: `${(across.p50 - single.p50).toFixed(1)} ms / ${(across.p99 / single.p99).toFixed(2)}×`,
        note: 'target p99 ≤ 1.5×',
      },
    ];
  } finally {
    walls.forEach((w) => w.close());
    await Promise.all(nodes.map(stopNode));
  }
}

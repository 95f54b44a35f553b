import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  applyDelta,
  type ClientToServerEvents,
  type LiveDelta,
  type LiveSnapshot,
  type ServerToClientEvents,
  TICKER_LENGTH,
} from '../../shared/live.js';
import { databaseTargets } from '../support/databases.js';
import { feedItem } from '../support/feed-items.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { until } from '../support/wait.js';

type LiveSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** A client that keeps the state the protocol says it should, and everything it received. */
function connect(server: TestServer, token: string | undefined) {
  const socket: LiveSocket = io(`${server.baseUrl}/live`, {
    auth: token === undefined ? {} : { token },
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
  });
  const client = {
    socket,
    state: null as LiveSnapshot | null,
    deltas: [] as LiveDelta[],
    /** When each delta arrived (performance.now()). */
    arrivals: [] as number[],
    gaps: 0,
  };
  socket.on('snapshot', (snapshot) => (client.state = snapshot));
  socket.on('delta', (delta) => {
    client.deltas.push(delta);
    client.arrivals.push(performance.now());
    const next = client.state && applyDelta(client.state, delta);
    if (next) client.state = next;
    else {
      client.gaps++;
      socket.emit('resync');
    }
  });
  return client;
}

describe.each(databaseTargets)('the live channel on $name', (target) => {
  let server: TestServer;
  const clients: { socket: LiveSocket }[] = [];
  const open = (token: string | undefined) => {
    const client = connect(server, token);
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    server = await startTestServer({ target, seed: true });
    await server.warmedUp;
  });
  afterAll(async () => {
    for (const client of clients) client.socket.disconnect();
    await server?.stop();
  });

  it('refuses a missing or unknown token with the reason', async () => {
    for (const token of [undefined, 'pw_nobody']) {
      const client = open(token);
      const error = await new Promise<Error & { data?: unknown }>((resolve) =>
        client.socket.on('connect_error', resolve),
      );
      expect(error.message).toMatch(token ? /unknown or revoked/ : /token is required/);
      expect(error.data).toEqual({ code: 'token' });
    }
  });

  it('refuses a token whose role may not read, saying so', async () => {
    const created = await server.api('/api/tokens', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'importer', role: 'feed' }),
    });
    const client = open((await created.json()).token);
    const error = await new Promise<Error & { data?: unknown }>((resolve) =>
      client.socket.on('connect_error', resolve),
    );
    expect(error.message).toBe('the feed role may not read');
    expect(error.data).toEqual({ code: 'forbidden' });
  });

  it('sends a snapshot on connect, then a delta carrying a pushed event', async () => {
    const wall = open(server.wallToken);
    const first = await until(() => wall.state);
    expect(first.streets).toHaveLength(9);
    expect(first.timezone).toBe('Asia/Shanghai');

    const item = feedItem('incident', server.clock(), { street: 'jinfang', category: 'robbery' });
    const response = await server.api('/api/ingest/incident', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([item]),
    });
    expect(response.status).toBe(200);
    const delta = await until(() =>
      wall.deltas.find((d) => d.ticker?.some((t) => t.key === `incident:${item.id}`)),
    );
    // Only what changed: the street of the event, not all nine.
    expect(delta.streets?.map((s) => s.code)).toEqual(['jinfang']);
    expect(delta.ticker![0]).toEqual({
      key: `incident:${item.id}`,
      feed: 'incident',
      category: 'robbery',
      street: 'jinfang',
      community: '金方社区',
      at: item.reportedAt,
    });
    expect(wall.gaps).toBe(0);
  });

  it('keeps a client that applies deltas equal to a fresh snapshot', async () => {
    const wall = open(server.wallToken);
    await until(() => wall.state);
    await server.api('/api/ingest/incident', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([feedItem('incident', server.clock(), { street: 'caopu' })]),
    });
    await until(() => wall.deltas.length > 0);
    const fresh = open(server.wallToken);
    const snapshot = await until(() => fresh.state);
    await until(() => wall.state!.seq === snapshot.seq);
    expect({ ...wall.state, at: null }).toEqual({ ...snapshot, at: null });
  });

  it('coalesces a burst of 40 incidents into at most one delta per tick, and ends equal to a fresh snapshot', async () => {
    const wall = open(server.wallToken);
    await until(() => wall.state);
    const streets = wall.state!.streets.map((s) => s.code);
    const now = server.clock().getTime();
    const items = Array.from({ length: 40 }, (_, i) =>
      feedItem('incident', server.clock(), {
        street: streets[i % streets.length],
        // Two hours ago, a second apart: older than what the other tests push, which must still show.
        reportedAt: new Date(now - 7_200_000 + i * 1000).toISOString(),
      }),
    );
    const started = performance.now();
    // About 20 a second for two seconds, one request each, as a busy command centre's feed pushes
    // them: sent on their own schedule, not each after the last one's answer, however slow the machine.
    const pushes: Promise<Response>[] = [];
    for (const item of items) {
      pushes.push(
        server.api('/api/ingest/incident', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify([item]),
        }),
      );
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    for (const response of await Promise.all(pushes)) expect(response.status).toBe(200);
    const last = `incident:${items.at(-1)!.id}`;
    await until(() => wall.state!.ticker.some((t) => t.key === last), 'the last incident at the wall');
    const ended = performance.now();
    // One delta per tick (250 ms) at most, whatever the machine's speed: the bound follows the
    // burst's own duration; one more for a delta already on its way at the start, one for rounding.
    const during = wall.arrivals.filter((at) => at >= started && at <= ended).length;
    expect(during).toBeGreaterThan(0);
    expect(during).toBeLessThanOrEqual(Math.ceil((ended - started) / 250) + 2);
    // The ticker holds the newest items, newest first: the burst's last ones, in order.
    const burst = new Set(items.map((item) => `incident:${String(item.id)}`));
    const shown = wall.state!.ticker.map((t) => t.key).filter((key) => burst.has(key));
    expect(shown.length).toBeGreaterThan(TICKER_LENGTH / 2);
    expect(shown).toEqual(
      items
        .slice(-shown.length)
        .reverse()
        .map((item) => `incident:${String(item.id)}`),
    );
    expect(wall.gaps).toBe(0);

    const fresh = open(server.wallToken);
    const snapshot = await until(() => fresh.state);
    await until(() => wall.state!.seq >= snapshot.seq && wall.state);
    if (wall.state!.seq === snapshot.seq)
      expect({ ...wall.state, at: null }).toEqual({ ...snapshot, at: null });
    else {
      // A delta went out meanwhile (the once-a-second rebuild): both sides at its seq again.
      await until(() => fresh.state!.seq === wall.state!.seq);
      expect({ ...wall.state, at: null }).toEqual({ ...fresh.state, at: null });
    }
  });

  it('gives a street token only its own street, in the snapshot and in deltas', async () => {
    const created = await server.api('/api/tokens', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'qinglong head', role: 'street', streets: ['qinglong'] }),
    });
    const head = open((await created.json()).token);
    const snapshot = await until(() => head.state);
    expect(snapshot.streets.map((s) => s.code)).toEqual(['qinglong']);
    await server.api('/api/ingest/incident', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([
        feedItem('incident', server.clock(), { street: 'lianran' }),
        feedItem('incident', server.clock(), { street: 'qinglong' }),
      ]),
    });
    await until(() => head.deltas.some((d) => d.ticker?.length));
    for (const delta of head.deltas) {
      for (const street of delta.streets ?? []) expect(street.code).toBe('qinglong');
      for (const item of delta.ticker ?? []) expect(item.street).toBe('qinglong');
    }
  });

  it("keeps nothing of a wall's handshake once it is in: no request, no token, one principal per token", async () => {
    const walls = [open(server.wallToken), open(server.wallToken)];
    await until(() => walls.every((wall) => wall.state));
    // A kiosk may carry its token in the query instead: still let in, and forgotten the same.
    const kiosk: LiveSocket = io(`${server.baseUrl}/live`, {
      query: { token: server.wallToken },
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
    });
    clients.push({ socket: kiosk });
    await new Promise<void>((resolve, reject) => {
      kiosk.on('snapshot', () => resolve());
      kiosk.on('connect_error', reject);
    });
    const ids = [...walls.map((wall) => wall.socket.id), kiosk.id];
    const sockets = ids.map((id) => server.live.io.of('/live').sockets.get(id!)!);
    for (const socket of sockets) {
      expect((socket.conn as { request: unknown }).request).toBeNull();
      expect(socket.handshake.auth).toEqual({});
      expect(socket.handshake.query).toEqual({});
      expect(socket.handshake.headers).toEqual({});
      expect(JSON.stringify(socket.handshake)).not.toContain(server.wallToken);
    }
    // What the sockets of one token share is one object, not a copy each.
    expect(new Set(sockets.map((socket) => socket.data)).size).toBe(1);
    expect(sockets[0]!.data.principal.role).toBe('wall');
  });

  it('records heartbeats and lists the walls in /api/health', async () => {
    const wall = open(server.wallToken);
    await until(() => wall.state);
    wall.socket.emit('heartbeat', { screen: '指挥中心主屏' });
    const health = await until(async () => {
      const body = await (await server.api('/api/health', { token: null })).json();
      return body.walls.find((w: { screen: string }) => w.screen === '指挥中心主屏') ? body : null;
    });
    expect(health).toBeTruthy();
  });
});

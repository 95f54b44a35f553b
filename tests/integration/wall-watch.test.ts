/**
 * The wall watch on a whole server: heartbeats over the socket and from a page's watchdog over
 * HTTP, validated; a configured screen gone dark or frozen raises `wallDown` for operators, one
 * notification to a subscribed webhook, and resolves when it is back; /api/health lists every
 * configured screen's state.
 */
import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Notification } from '../../server/alerts/channels/channel.js';
import type { HeartbeatPayload, HeartbeatReply, LiveHello } from '../../shared/live.js';
import { runningClock } from '../support/clock.js';
import { databaseTargets } from '../support/databases.js';
import { feedItem } from '../support/feed-items.js';
import { connectedSocket, type LiveSocket } from '../support/live.js';
import { startHttpReceiver, type HttpReceiver } from '../support/receivers.js';
import { startTestServer, testCity, type TestServer } from '../support/server.js';
import { until } from '../support/wait.js';

const MINUTE = 60_000;
const json = (body: unknown, method = 'POST'): RequestInit => ({
  method,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

describe.each(databaseTargets)('the wall watch on $name', (target) => {
  let server: TestServer;
  let receiver: HttpReceiver;
  const clock = runningClock();
  const sockets: LiveSocket[] = [];

  beforeAll(async () => {
    const city = await testCity();
    city.screens.walls = [
      { name: 'command-main', location: { zh: '市指挥中心主屏', en: 'City command centre, main wall' } },
      { name: 'lobby', location: { zh: '一楼大厅', en: 'Ground-floor lobby' } },
    ];
    city.alerts.wallDown = { enabled: true, minutes: 5 };
    server = await startTestServer({ target, city, clock });
    receiver = await startHttpReceiver();
    const subscription = await server.api(
      '/api/subscriptions',
      json({
        name: '运维值班',
        kind: 'group',
        audiences: ['operators'],
        rules: ['wallDown'],
        channels: [
          { kind: 'webhook', config: { url: `${receiver.origin}/hook`, secret: 'wall-watch-secret-0123' } },
        ],
      }),
    );
    expect(subscription.status).toBe(201);
  });

  afterAll(async () => {
    for (const socket of sockets) socket.disconnect();
    await server?.stop();
    await receiver?.stop();
  });

  const wall = async () => {
    const socket = await connectedSocket(server.baseUrl, server.wallToken);
    sockets.push(socket);
    return socket;
  };
  const beat = (socket: LiveSocket, payload: unknown) =>
    new Promise<HeartbeatReply>((resolve) => socket.emit('heartbeat', payload as HeartbeatPayload, resolve));
  const health = async () => (await server.api('/api/health', { token: null })).json();
  const screenOf = async (name: string) =>
    (await health()).screens.find((screen: { screen: string }) => screen.screen === name);
  const wallDown = async (screen: string) => {
    await server.ctx.alerts.evaluate();
    const answer = await (await server.api('/api/alerts?rule=wallDown&state=all')).json();
    return answer.alerts.find((alert: { screen: string | null }) => alert.screen === screen) ?? null;
  };
  const notifications = () => receiver.requests.map((request) => JSON.parse(request.body) as Notification);

  it('says hello first: the build, how often to beat, when to reload', async () => {
    const socket: LiveSocket = io(`${server.baseUrl}/live`, {
      auth: { token: server.wallToken },
      transports: ['websocket'],
      reconnection: false,
    });
    sockets.push(socket);
    const hello = await new Promise<LiveHello>((resolve) => socket.once('hello', resolve));
    expect(hello).toEqual({
      build: { server: server.ctx.version, display: null },
      heartbeatMs: 30_000,
      reload: { afterHours: 24, window: { start: '03:00', end: '05:00' } },
    });
    socket.disconnect();
  });

  it('refuses a heartbeat that is not one, naming the field, over the socket and over HTTP, and records nothing', async () => {
    const socket = await wall();
    expect(await beat(socket, { screen: 'command-main', seq: 'latest' })).toEqual({
      ok: false,
      code: 'bad_request',
      message: expect.stringContaining('seq'),
    });
    expect(await beat(socket, 'command-main')).toMatchObject({ ok: false, code: 'bad_request' });
    const http = await server.api('/api/walls/heartbeat', {
      ...json({ screen: '', paintedMsAgo: -1 }),
      token: server.wallToken,
    });
    expect(http.status).toBe(400);
    const refusal = await http.json();
    expect(refusal.message).toMatch(/screen/);
    expect(refusal.message).toMatch(/paintedMsAgo/);
    const notJson = await server.api('/api/walls/heartbeat', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{',
      token: server.wallToken,
    });
    expect(notJson.status).toBe(400);
    expect((await health()).walls.some((w: { screen: string }) => w.screen === 'command-main')).toBe(false);
    expect(await screenOf('command-main')).toMatchObject({ state: 'never-seen', lastSeenAt: null });
    socket.disconnect();
  });

  it('a wall that stops beating goes dark after the minutes, one notification reaches the webhook, and it resolves when back', async () => {
    const socket = await wall();
    const reply = await beat(socket, { screen: 'command-main', seq: null, paintedMsAgo: 40 });
    expect(reply).toEqual({ ok: true, seq: expect.any(Number) });
    await until(async () => (await screenOf('command-main'))?.state === 'ok', 'command-main beating');
    // Its page closes.
    socket.disconnect();
    await until(
      async () =>
        (await health()).walls.some(
          (w: { screen: string; connected: boolean }) => w.screen === 'command-main' && !w.connected,
        ),
      'the server seeing the socket close',
    );
    clock.advance(4 * MINUTE);
    expect(await wallDown('command-main')).toBeNull();
    clock.advance(2 * MINUTE);
    const dark = await wallDown('command-main');
    expect(dark).toMatchObject({
      status: 'firing',
      street: null,
      screen: 'command-main',
      detail: { state: 'dark' },
    });
    expect(dark.text.zh.title).toMatch(/^大屏 command-main（市指挥中心主屏）已离线 6 分钟$/);
    expect(dark.text.en.title).toBe('Screen command-main (City command centre, main wall) dark for 6 min');
    expect(await screenOf('command-main')).toMatchObject({ state: 'dark' });
    // An empty list is truthy: wait for one that holds the notification.
    const fired = await until(() => {
      const received = notifications().filter((n) => n.alertId === dark.id && n.kind === 'fire');
      return received.length > 0 && received;
    }, 'the notification of the dark screen');
    expect(fired).toHaveLength(1);
    expect(fired[0]!.title.en).toContain('command-main');
    // The other configured screen, never seen since the server started, is dark too.
    expect(await wallDown('lobby')).toMatchObject({
      status: 'firing',
      detail: { state: 'dark', lastSeenAt: null },
    });

    // Evaluated again: still one notification.
    await wallDown('command-main');
    const back = await wall();
    await beat(back, { screen: 'command-main', seq: null, paintedMsAgo: 16 });
    await until(async () => (await screenOf('command-main'))?.state === 'ok', 'command-main back');
    expect(await wallDown('command-main')).toMatchObject({ id: dark.id, status: 'resolved' });
    const told = await until(
      () =>
        notifications()
          .filter((n) => n.alertId === dark.id)
          .map((n) => n.kind)
          .join(',') === 'fire,resolve' && true,
      'the resolution',
    );
    expect(told).toBe(true);
    back.disconnect();
  });

  it('a page that beats from its watchdog but no longer paints is frozen, and resolves once it paints again', async () => {
    const watchdog = (paintedMsAgo: number) =>
      server.api('/api/walls/heartbeat', {
        ...json({ screen: 'lobby', seq: null, paintedMsAgo }),
        token: server.wallToken,
      });
    const answer = await watchdog(0);
    expect(answer.status).toBe(200);
    expect(await answer.json()).toEqual({ seq: expect.any(Number) });
    await until(async () => (await screenOf('lobby'))?.state === 'ok', 'the lobby beating');
    expect(await wallDown('lobby')).toMatchObject({ status: 'resolved' });
    // Its thread stops: the watchdog beats on, with the paint time it last heard.
    clock.advance(3 * MINUTE);
    await watchdog(3 * MINUTE);
    clock.advance(3 * MINUTE);
    await watchdog(6 * MINUTE);
    await until(async () => (await screenOf('lobby'))?.state === 'frozen', 'the lobby frozen');
    expect(await screenOf('lobby')).toMatchObject({ state: 'frozen', reason: 'paint' });
    const frozen = await wallDown('lobby');
    expect(frozen).toMatchObject({ status: 'firing', detail: { state: 'frozen', reason: 'paint' } });
    expect(frozen.text.en.title).toBe('Screen lobby (Ground-floor lobby) frozen for 6 min');
    await watchdog(10);
    await until(async () => (await screenOf('lobby'))?.state === 'ok', 'the lobby painting again');
    expect(await wallDown('lobby')).toMatchObject({ id: frozen.id, status: 'resolved' });
  });

  it('a wall that beats and paints but applies no delta while the server moves on is frozen', async () => {
    const socket = await wall();
    const snapshot = await new Promise<{ seq: number }>((resolve) => {
      socket.once('snapshot', resolve);
      socket.emit('resync');
    });
    /** A heartbeat saying the wall is still at `seq`; resolves with the server's seq. */
    const stuckAt = async (seq: number) => {
      const reply = await beat(socket, { screen: 'command-main', seq, paintedMsAgo: 10 });
      if (!reply.ok) throw new Error(reply.message);
      return reply.seq;
    };
    await stuckAt(snapshot.seq);
    // The server sends a delta; the wall never applies it.
    const now = clock();
    const pushed = await server.api(
      '/api/ingest/incident',
      json({
        items: [feedItem('incident', now, { id: `watch-${now.getTime()}`, reportedAt: now.toISOString() })],
      }),
    );
    expect(pushed.ok).toBe(true);
    const ahead = await until(async () => {
      const seq = await stuckAt(snapshot.seq);
      return seq > snapshot.seq && seq;
    }, 'a delta after the snapshot');
    expect(await screenOf('command-main')).toMatchObject({ state: 'ok' });
    clock.advance(6 * MINUTE);
    await stuckAt(snapshot.seq);
    await until(async () => (await screenOf('command-main'))?.state === 'frozen', 'command-main lagging');
    expect(await screenOf('command-main')).toMatchObject({ reason: 'seq', lagSince: expect.any(String) });
    // Caught up (it applied the delta, or a resync's snapshot): no longer lagging.
    await stuckAt(ahead);
    await until(async () => (await screenOf('command-main'))?.state === 'ok', 'command-main caught up');
    socket.disconnect();
  });
});

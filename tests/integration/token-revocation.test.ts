/**
 * A revoked token stops working on the live channel at once: its open sockets are disconnected,
 * and a socket whose token was revoked elsewhere (another node, the CLI) is refused its next action.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tokens } from '../../server/db/schema/index.js';
import type { AckReply, LiveDelta, LiveNotification } from '../../shared/live.js';
import { databaseTargets } from '../support/databases.js';
import { feedItem } from '../support/feed-items.js';
import { connectedSocket, type LiveSocket } from '../support/live.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { until } from '../support/wait.js';

const START = Date.parse('2026-11-25T02:00:00Z');
const shift = START - Date.now();
const clock = () => new Date(Date.now() + shift);

/** A socket, what it received, and why it was disconnected. */
function watched(socket: LiveSocket) {
  const seen = { socket, deltas: [] as LiveDelta[], disconnected: null as string | null };
  socket.on('delta', (delta) => seen.deltas.push(delta));
  socket.on('disconnect', (reason) => (seen.disconnected = reason));
  return seen;
}

const ack = (socket: LiveSocket, alertId: string) =>
  new Promise<AckReply>((resolve) => socket.emit('ack', { alertId, comment: '已派员处置' }, resolve));

describe.each(databaseTargets)('revoking a token on $name', (target) => {
  let server: TestServer;
  let alertId: string;
  const sockets: LiveSocket[] = [];
  const open = async (token: string) => {
    const socket = await connectedSocket(server.baseUrl, token);
    sockets.push(socket);
    return watched(socket);
  };
  const newToken = async (role: string, streets: string[] = []) => {
    const response = await server.api('/api/tokens', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: `${role} to revoke`, role, streets }),
    });
    expect(response.status).toBe(201);
    return (await response.json()) as { id: number; token: string };
  };
  const push = async (street: string, category = 'theft') => {
    const response = await server.api('/api/ingest/incident', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([feedItem('incident', clock(), { street, community: undefined, category })]),
    });
    expect(response.status).toBe(200);
  };

  beforeAll(async () => {
    server = await startTestServer({ target, clock });
    await push('qinglong', 'robbery');
    const alerts = await until(
      () => server.ctx.alerts.live().find((alert) => alert.street === 'qinglong'),
      'the robbery alert',
    );
    alertId = alerts.id;
  });
  afterAll(async () => {
    for (const socket of sockets) socket.disconnect();
    await server?.stop();
  });

  it("disconnects every socket of a token revoked through the API, and only that token's", async () => {
    const { id, token } = await newToken('leader');
    const first = await open(token);
    const second = await open(token);
    const wall = await open(server.wallToken);

    expect((await server.api(`/api/tokens/${id}`, { method: 'DELETE' })).status).toBe(200);
    await until(() => first.disconnected && second.disconnected, 'the disconnections');
    expect(first.disconnected).toBe('io server disconnect');
    expect(second.disconnected).toBe('io server disconnect');

    const before = first.deltas.length + second.deltas.length;
    await push('jinfang');
    await until(() => wall.deltas.length > 0, 'a delta at the wall');
    expect(wall.disconnected).toBeNull();
    expect(first.deltas.length + second.deltas.length).toBe(before);
    await expect(connectedSocket(server.baseUrl, token)).rejects.toThrow(/unknown or revoked/);
  });

  it('refuses an acknowledgement from a socket whose token was revoked elsewhere, and disconnects it', async () => {
    const { id, token } = await newToken('street', ['qinglong']);
    const head = await open(token);
    // Revoked by another node (or `npm run token`): this node's hub was not told.
    await server.ctx.database.db.update(tokens).set({ revokedAt: clock() }).where(eq(tokens.id, id));

    expect(await ack(head.socket, alertId)).toEqual({
      ok: false,
      code: 'unauthorized',
      message: 'the token is unknown or revoked',
    });
    await until(() => head.disconnected, 'the disconnection');
    const alert = await server.ctx.alerts.get(alertId);
    expect(alert?.status).toBe('firing');
  });

  it('disconnects a socket whose token was revoked elsewhere at its next resync or heartbeat', async () => {
    for (const action of ['resync', 'heartbeat'] as const) {
      const { id, token } = await newToken('wall');
      const wall = await open(token);
      await server.ctx.database.db.update(tokens).set({ revokedAt: clock() }).where(eq(tokens.id, id));
      if (action === 'resync') wall.socket.emit('resync');
      else wall.socket.emit('heartbeat', { screen: 'lobby' });
      await until(() => wall.disconnected, `the disconnection after a ${action}`);
      expect(wall.disconnected).toBe('io server disconnect');
    }
  });

  it("gives a street page its own streets' notifications only", async () => {
    const head = await open((await newToken('street', ['qinglong'])).token);
    const wall = await open(server.wallToken);
    const heard: LiveNotification[] = [];
    const wallHeard: LiveNotification[] = [];
    head.socket.on('notification', (n) => heard.push(n));
    wall.socket.on('notification', (n) => wallHeard.push(n));
    const notification = (street: string): LiveNotification => ({
      idempotencyKey: `k-${street}`,
      alertId: `a-${street}`,
      street,
      severity: 'warning',
      kind: 'fire',
      title: { zh: '测试', en: 'test' },
      body: { zh: '', en: '' },
      at: clock().toISOString(),
    });
    server.live.notify(notification('jinfang'));
    server.live.notify(notification('qinglong'));
    await until(() => heard.length > 0 && wallHeard.length === 2, 'the notifications');
    expect(heard.map((n) => n.street)).toEqual(['qinglong']);
  });
});

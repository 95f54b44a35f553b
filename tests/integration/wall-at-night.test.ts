/**
 * A 24/7 wall at 03:00: the service halls closed at the end of yesterday, and the windows panel
 * shows yesterday's figures, saying so, rather than an empty table for eight hours. Once a ticket is
 * taken today, today's figures replace them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LiveSnapshot } from '../../shared/live.js';
import type { WindowHall } from '../../shared/panels.js';
import { NIGHT, runningClock } from '../support/clock.js';
import { databaseTargets } from '../support/databases.js';
import { feedItem } from '../support/feed-items.js';
import { connectedSocket, type LiveSocket } from '../support/live.js';
import { startTestServer, type TestServer } from '../support/server.js';

const HOUR = 3_600_000;
const at = (base: Date, hours: number) => new Date(base.getTime() + hours * HOUR).toISOString();

describe.each(databaseTargets)('the windows panel at night on $name', (target) => {
  let server: TestServer;
  let socket: LiveSocket;
  // 03:00 on 2026-11-25 in Anning; yesterday is the 24th, and the 23rd before it.
  const clock = runningClock(NIGHT);

  const ticket = (id: string, takenAt: string, street = 'jinfang') =>
    feedItem('service-window', new Date(takenAt), {
      id,
      street,
      hall: street === 'jinfang' ? '金方便民服务中心' : '连然便民服务中心',
      takenAt,
      calledAt: takenAt,
      finishedAt: takenAt,
      updatedAt: takenAt,
      status: 'done',
    });

  /** The windows panel of the snapshot the server sends now. */
  async function windowsNow(): Promise<WindowHall[]> {
    const snapshot = new Promise<LiveSnapshot>((resolve) => socket.once('snapshot', resolve));
    socket.emit('resync');
    return (await snapshot).panels.windows;
  }

  beforeAll(async () => {
    server = await startTestServer({ target, clock });
    const yesterdayMorning = new Date('2026-11-24T01:00:00Z'); // 09:00 in Anning
    const response = await server.api('/api/ingest/service-window', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([
        ticket('T-24-1', at(yesterdayMorning, 0)),
        ticket('T-24-2', at(yesterdayMorning, 2)),
        ticket('T-24-3', at(yesterdayMorning, 3), 'lianran'),
        // The day before yesterday: not part of yesterday's figures.
        ticket('T-23-1', at(yesterdayMorning, -24)),
      ]),
    });
    expect(response.status).toBe(200);
    socket = await connectedSocket(server.baseUrl, server.wallToken);
  });
  afterAll(async () => {
    socket?.disconnect();
    await server?.stop();
  });

  it("shows yesterday's halls before today's first ticket, each row saying which day it counts", async () => {
    await expect.poll(async () => (await windowsNow()).length).toBe(2);
    const halls = await windowsNow();
    expect(halls.map((hall) => hall.day)).toEqual(['2026-11-24', '2026-11-24']);
    const jinfang = halls.find((hall) => hall.street === 'jinfang')!;
    expect(jinfang).toMatchObject({ hall: '金方便民服务中心', finished: 2, onTimeRate: 100 });
  });

  it("switches to today's figures once the halls take a ticket today", async () => {
    const response = await server.api('/api/ingest/service-window', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([ticket('T-25-1', at(clock(), -0.5))]),
    });
    expect(response.status).toBe(200);
    await expect.poll(async () => (await windowsNow()).map((hall) => hall.day)).toEqual(['2026-11-25']);
    expect((await windowsNow())[0]).toMatchObject({ street: 'jinfang', finished: 1 });
  });
});

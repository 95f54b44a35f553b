/**
 * One bad number or one failing query never stops the wall. Rows here are written straight into
 * the tables (the API refuses such values), or the database is made to fail one query, as a real
 * one does when data or schema are not what the code expects.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LiveIndex } from '../../shared/api.js';
import { applyDelta, type LiveDelta, type LiveSnapshot } from '../../shared/live.js';
import { fraudEvents } from '../../server/db/schema/index.js';
import { databaseTargets } from '../support/databases.js';
import { feedItem } from '../support/feed-items.js';
import { connectedSocket, type LiveSocket } from '../support/live.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { until } from '../support/wait.js';

const json = (body: unknown) => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

describe.each(databaseTargets)('a failing indicator fails alone on $name', (target) => {
  let server: TestServer;
  /** 10:00 in Anning on 2026-11-25, moving on in real time (the wall refreshes its panels by the clock). */
  const start = Date.parse('2026-11-25T02:00:00Z');
  const began = Date.now();
  const clock = () => new Date(start + (Date.now() - began));
  const minutesAgo = (minutes: number) => new Date(clock().getTime() - minutes * 60_000);
  let wall: { socket: LiveSocket; state: LiveSnapshot | null; deltas: LiveDelta[] };

  beforeAll(async () => {
    server = await startTestServer({ target, clock });
    const socket = await connectedSocket(server.baseUrl, server.wallToken);
    wall = { socket, state: null, deltas: [] };
    socket.on('snapshot', (snapshot) => (wall.state = snapshot));
    socket.on('delta', (delta) => {
      wall.deltas.push(delta);
      wall.state = wall.state && applyDelta(wall.state, delta);
    });
    socket.emit('resync');
    await until(() => wall.state);
  });
  afterAll(async () => {
    wall?.socket.disconnect();
    await server?.stop();
  });

  const ingest = (feed: string, items: unknown[]) => server.api(`/api/ingest/${feed}`, json({ items }));
  const index = async (): Promise<LiveIndex> => {
    const response = await server.api('/api/index');
    expect(response.status).toBe(200);
    return response.json();
  };
  const raw = (live: LiveIndex, street: string, indicator: string) =>
    live.streets.find((s) => s.code === street)!.indicators.find((i) => i.id === indicator)!.raw;
  /** Waits for a delta whose ticker carries a newly pushed incident. */
  const deltaWith = async (id: string) =>
    until(() => wall.deltas.find((d) => d.ticker?.some((t) => t.key === `incident:${id}`)));

  /** Frauds of 1e308 yuan, past what the API accepts: their sum overflows a double. */
  const storeHugeFrauds = async () => {
    await server.ctx.database.db.insert(fraudEvents).values(
      [1, 2].map((n) => ({
        id: `F-huge-${n}`,
        updatedAt: minutesAgo(10),
        occurredAt: minutesAgo(20),
        street: 'wenquan',
        type: 'case',
        lossYuan: 1e308,
        interceptedYuan: 1e308,
      })),
    );
  };

  it('answers an ingest after two frauds of 1e308 yuan, and the wall, the minute refresh and /api/index go on', async () => {
    await storeHugeFrauds();
    // The batch is stored and recomputed with the huge rows in its street's window.
    const pushed = await ingest('fraud', [feedItem('fraud', clock(), { id: 'F-small', street: 'wenquan' })]);
    expect(pushed.status).toBe(200);
    expect(await pushed.json()).toEqual({ stored: 1, quarantined: [] });

    await server.ctx.liveIndex.refreshAll(clock());
    const incident = feedItem('incident', clock(), { id: 'I-after-huge', street: 'jinfang' });
    expect((await ingest('incident', [incident])).status).toBe(200);
    const delta = await deltaWith('I-after-huge');
    expect(delta.streets?.map((s) => s.code)).toContain('jinfang');

    const live = await index();
    // The sum is too large to be a number: that indicator is unknown; the rest are computed.
    expect(raw(live, 'wenquan', 'fraud_loss')).toBeNull();
    expect(raw(live, 'wenquan', 'fraud_cases')).toBeCloseTo((3 * 10_000) / 36_000, 6);
    expect(raw(live, 'jinfang', 'theft')).toBeGreaterThan(0);
    const wenquan = await until(() => wall.state!.panels.fraud.find((f) => f.street === 'wenquan'));
    expect(wenquan.cases).toBe(3);
  });

  it('leaves only the indicators whose query fails missing, and the wall its last panel', async () => {
    const { db } = server.ctx.database;
    const fraudPanel = wall.state!.panels.fraud;
    await db.execute(sql`alter table fraud_events rename column loss_yuan to loss_yuan_away`);
    try {
      await server.ctx.liveIndex.refreshAll(clock());
      const pushed = await ingest('incident', [feedItem('incident', clock(), { id: 'I-column-away' })]);
      expect(pushed.status).toBe(200);
      await deltaWith('I-column-away');
      // A ticket has the panels read again: the windows' is fresh, the fraud centre's its last.
      const ticket = feedItem('service-window', clock(), { street: 'caopu', hall: '草铺便民服务中心' });
      expect((await ingest('service-window', [ticket])).status).toBe(200);
      await until(() => wall.state!.panels.windows.some((hall) => hall.street === 'caopu'));
      const live = await index();
      // Loss and recovery read the missing column; cases and dissuasion do not.
      expect(raw(live, 'wenquan', 'fraud_loss')).toBeNull();
      expect(raw(live, 'wenquan', 'fraud_recovery')).toBeNull();
      expect(raw(live, 'wenquan', 'fraud_cases')).toBeCloseTo((3 * 10_000) / 36_000, 6);
      expect(raw(live, 'jinfang', 'theft')).toBeGreaterThan(0);
      expect(wall.state!.panels.fraud).toEqual(fraudPanel);
    } finally {
      await db.execute(sql`alter table fraud_events rename column loss_yuan_away to loss_yuan`);
    }
  });

  it('refreshes every other feed when all of one feed’s queries fail', async () => {
    const { db } = server.ctx.database;
    expect((await ingest('mediation', [feedItem('mediation', clock(), { status: 'success' })])).status).toBe(
      200,
    );
    expect(raw(await index(), 'jinfang', 'mediation_success')).toBe(100);
    await db.execute(sql`alter table mediation_cases rename to mediation_cases_away`);
    try {
      await server.ctx.liveIndex.refreshAll(clock());
      const live = await index();
      expect(raw(live, 'jinfang', 'mediation_success')).toBeNull();
      expect(raw(live, 'jinfang', 'theft')).toBeGreaterThan(0);
      expect(raw(live, 'wenquan', 'fraud_cases')).toBeCloseTo((3 * 10_000) / 36_000, 6);
    } finally {
      await db.execute(sql`alter table mediation_cases_away rename to mediation_cases`);
    }
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseTargets } from '../support/databases.js';
import { feedItem } from '../support/feed-items.js';
import { startTestServer, testCity, type TestServer } from '../support/server.js';

const json = (body: unknown) => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

describe.each(databaseTargets)('push and import of feed items on $name', (target) => {
  let server: TestServer;
  const now = new Date('2026-11-25T02:00:00Z');

  beforeAll(async () => {
    // A fraud centre whose system names fields and values its own way.
    const city = await testCity({
      fraud: {
        mapping: {
          fields: { occurredAt: 'fssj', street: 'jd', type: 'lx', lossYuan: 'ssje' },
          values: { type: { 发案: 'case', 预警: 'warning', 拦截: 'interception' } },
        },
      },
    });
    server = await startTestServer({ target, clock: () => now, city });
  });
  afterAll(() => server?.stop());

  const theftOf = async (street: string) => {
    const live = await (await server.api('/api/index')).json();
    return live.streets
      .find((s: { code: string }) => s.code === street)
      .indicators.find((i: { id: string }) => i.id === 'theft');
  };

  it('stores pushed items, quarantines the bad ones with their line and reason, and recomputes', async () => {
    const response = await server.api(
      '/api/ingest/incident',
      json({
        items: [
          feedItem('incident', now, { street: 'jinfang' }),
          feedItem('incident', now, { street: 'jinfang', reportedAt: 'yesterday' }),
          feedItem('incident', now, { street: 'lianran' }),
        ],
      }),
    );
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      stored: 2,
      quarantined: [{ line: 2, reason: 'reportedAt: expected an ISO 8601 time with an offset' }],
    });
    expect((await theftOf('jinfang')).raw).toBeGreaterThan(0);
  });

  it('smooths a small street’s count rate toward the city rate before scoring it (Marshall 1991)', async () => {
    const theft = await theftOf('jinfang');
    // jinfang 1 theft in 92,000; lianran 1 in 168,000; every other street none.
    expect(theft.smoothed).not.toBe(theft.raw);
    expect(theft.smoothed).toBeLessThan(theft.raw);
    expect(theft.score).toBeCloseTo(Math.min(100, 60 + (40 * (theft.smoothed - 8)) / (2 - 8)), 9);
  });

  it('imports a CSV file of survey responses, nested departments included', async () => {
    const csv = [
      'id,updatedAt,surveyedAt,street,community,method,safety,satisfaction,departments.police',
      'S-1,2026-11-24T08:00:00+08:00,2026-11-24T08:00:00+08:00,青龙,青龙社区,door,5,4,5',
      'S-2,2026-11-24T09:00:00+08:00,2026-11-24T09:00:00+08:00,qinglong,青龙社区,phone,3,4,',
      'S-3,2026-11-24T09:00:00+08:00,2026-11-24T09:00:00+08:00,qinglong,青龙社区,phone,9,4,',
    ].join('\n');
    const form = new FormData();
    form.set('file', new File([csv], 'surveys.csv', { type: 'text/csv' }));
    const response = await server.api('/api/import/survey', { method: 'POST', body: form });
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body.stored).toBe(2);
    expect(body.quarantined).toEqual([{ line: 4, reason: expect.stringMatching(/^safety: /) }]);
    const live = await (await server.api('/api/index')).json();
    const qinglong = live.streets.find((s: { code: string }) => s.code === 'qinglong');
    const safety = qinglong.indicators.find((i: { id: string }) => i.id === 'safety_sense');
    expect(safety.raw).toBe(4);
    const police = qinglong.indicators.find((i: { id: string }) => i.id === 'police_satisfaction');
    expect(police.raw).toBe(5);
  });

  it("reads a feed's own field names and values through the configured mapping", async () => {
    const response = await server.api(
      '/api/ingest/fraud',
      json([
        {
          id: 'F-1',
          updatedAt: now.toISOString(),
          fssj: '2026-11-24T10:00:00+08:00',
          jd: '温泉',
          lx: '发案',
          ssje: 36000,
        },
      ]),
    );
    expect(await response.json()).toEqual({ stored: 1, quarantined: [] });
    const live = await (await server.api('/api/index')).json();
    const wenquan = live.streets.find((s: { code: string }) => s.code === 'wenquan');
    // 36,000 yuan over 36,000 residents: 1 yuan per resident.
    expect(wenquan.indicators.find((i: { id: string }) => i.id === 'fraud_loss').raw).toBe(1);
  });

  it('quarantines an amount past ten billion yuan and a time limit past a week, naming the field and the range', async () => {
    const response = await server.api(
      '/api/ingest/service-window',
      json([
        feedItem('service-window', now, { limitMinutes: 7 * 24 * 60 + 1 }),
        feedItem('service-window', now, { limitMinutes: 0 }),
        feedItem('service-window', now, { limitMinutes: 7 * 24 * 60 }),
      ]),
    );
    expect(await response.json()).toEqual({
      stored: 1,
      quarantined: [
        { line: 1, reason: 'limitMinutes: must be more than 0 and at most 10080 (minutes: a week)' },
        { line: 2, reason: 'limitMinutes: must be more than 0 and at most 10080 (minutes: a week)' },
      ],
    });
    // The fraud feed of this server maps its own field names (see beforeAll).
    const fraud = (change: object) => ({
      id: `F-huge-${JSON.stringify(change)}`,
      updatedAt: now.toISOString(),
      fssj: '2026-11-24T10:00:00+08:00',
      jd: '温泉',
      lx: '发案',
      ...change,
    });
    const amounts = await server.api(
      '/api/ingest/fraud',
      json([fraud({ ssje: 1e308 }), fraud({ interceptedYuan: -1 }), fraud({ ssje: 1e10 })]),
    );
    expect(await amounts.json()).toEqual({
      stored: 1,
      quarantined: [
        { line: 1, reason: 'lossYuan: must be between 0 and 10000000000 (yuan)' },
        { line: 2, reason: 'interceptedYuan: must be between 0 and 10000000000 (yuan)' },
      ],
    });
  });

  it('refuses an unknown feed, an empty batch, and a wall token', async () => {
    expect((await server.api('/api/ingest/weather', json([{}]))).status).toBe(400);
    expect((await server.api('/api/ingest/incident', json([]))).status).toBe(400);
    const allBad = await server.api('/api/ingest/incident', json([{ id: 'x' }]));
    expect(allBad.status).toBe(422);
    const wall = await server.api('/api/ingest/incident', { ...json([]), token: server.wallToken });
    expect(wall.status).toBe(403);
  });

  it("refuses a day's value of an indicator that a feed computes (a whole month's stands in its publication)", async () => {
    const response = await server.api(
      '/api/indicator-values',
      json([{ indicator: 'theft', street: 'jinfang', period: '2026-11-05', value: 3 }]),
    );
    expect(response.status).toBe(400);
    expect((await response.json()).details[0]).toMatchObject({
      field: 'period',
      reason:
        'theft is computed from the incident feed: a value of it can be imported for a whole month (YYYY-MM) only, not "2026-11-05"; send its items to /api/ingest/incident',
    });
  });
});

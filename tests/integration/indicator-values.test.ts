import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseTargets } from '../support/databases.js';
import { startTestServer, type TestServer } from '../support/server.js';

const json = (body: unknown) => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});
const csv = (text: string) => ({ method: 'POST', headers: { 'content-type': 'text/csv' }, body: text });

describe.each(databaseTargets)('indicator value import on $name', (target) => {
  let server: TestServer;
  // The server's clock: a fixed day, so that periods and staleness are predictable.
  const now = new Date('2026-11-25T02:00:00Z');
  beforeAll(async () => {
    server = await startTestServer({ target, clock: () => now });
  });
  afterAll(() => server?.stop());

  const theftOf = async (code: string) => {
    const live = await (await server.api('/api/index')).json();
    const street = live.streets.find((s: { code: string }) => s.code === code);
    return { street, theft: street.indicators.find((i: { id: string }) => i.id === 'theft') };
  };

  it('stores JSON rows, accepting a street by its Chinese name, and the live index reads them', async () => {
    const response = await server.api(
      '/api/indicator-values',
      json([
        { indicator: 'theft', street: '金方', period: '2026-11', value: 5 },
        { indicator: 'theft', street: 'lianran', period: '2026-11', value: 2 },
        { indicator: 'fraud_loss', street: 'jinfang', period: '2026-11', value: 10.5 },
      ]),
    );
    expect(response.status).toBe(201);
    expect(await response.json()).toEqual({ stored: 3 });
    const { street, theft } = await theftOf('jinfang');
    expect(theft.raw).toBe(5);
    expect(theft.period).toBe('2026-11');
    // 功效系数法 with x_s = 20, x_h = 1 (yuan per resident): 60 + 40 · (10.5 − 20) / (1 − 20) = 80
    const fraudLoss = street.indicators.find((i: { id: string }) => i.id === 'fraud_loss');
    expect(fraudLoss.score).toBeCloseTo(80, 9);
  });

  it('smooths a count rate toward the city rate before scoring it (Marshall 1991)', async () => {
    const { theft } = await theftOf('jinfang');
    // The city rate of the two streets with theft data: (5 · 92,000 + 2 · 168,000) / 260,000 ≈ 3.06.
    expect(theft.smoothed).toBeLessThan(5);
    expect(theft.smoothed).toBeGreaterThan(3.06);
    expect(theft.score).toBeCloseTo(60 + (40 * (theft.smoothed - 8)) / (2 - 8), 9);
  });

  it('marks a street provisional while its blocks lack data', async () => {
    const { street } = await theftOf('jinfang');
    expect(street.provisional).toBe(true);
    expect(street.blocks.public).toBeNull();
  });

  it('stores CSV rows; a later day of the same month takes over from the monthly value', async () => {
    const response = await server.api(
      '/api/indicator-values',
      csv('indicator,street,period,value\ntheft,jinfang,2026-11-20,7.5\ncameras_online,jinfang,2026-11,96\n'),
    );
    expect(response.status).toBe(201);
    const { theft } = await theftOf('jinfang');
    expect(theft.raw).toBe(7.5);
    expect(theft.period).toBe('2026-11-20');
  });

  it('re-importing a period replaces its value instead of adding a second one', async () => {
    await server.api(
      '/api/indicator-values',
      json([{ indicator: 'theft', street: 'jinfang', period: '2026-11-20', value: 6 }]),
    );
    expect((await theftOf('jinfang')).theft.raw).toBe(6);
  });

  it('refuses a request with bad rows, lists each line and reason, and stores nothing of it', async () => {
    const before = await server.ctx.values.count();
    const response = await server.api(
      '/api/indicator-values',
      csv(
        [
          'indicator,street,period,value',
          'theft,jinfang,2026-11-21,1', // good, but must not be stored
          'theft,atlantis,2026-11,1',
          'ufo_sightings,jinfang,2026-11,1',
          'theft,jinfang,2026-13,1',
          'theft,jinfang,2026-11,lots',
          'response_on_time,jinfang,2026-11,140',
          'theft,jinfang,2026-11-21,2',
        ].join('\n'),
      ),
    );
    expect(response.status).toBe(400);
    const body = await response.json();
    expect(body.code).toBe('invalid_rows');
    expect(body.message).toMatch(/nothing was stored/);
    expect(body.details).toEqual([
      { line: 3, field: 'street', reason: 'unknown street "atlantis"' },
      { line: 4, field: 'indicator', reason: 'unknown indicator "ufo_sightings"' },
      { line: 5, field: 'period', reason: '"2026-13" has no month 13' },
      { line: 6, field: 'value', reason: '"lots" is not a number' },
      { line: 7, field: 'value', reason: '140 is a percentage over 100' },
      { line: 8, field: '(row)', reason: 'repeats line 2 (same indicator, street and period)' },
    ]);
    expect(await server.ctx.values.count()).toBe(before);
    expect((await theftOf('jinfang')).theft.raw).toBe(6);
  });

  it('answers malformed bodies with 400 and a reason, never 500', async () => {
    const notJson = await server.api('/api/indicator-values', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"oops',
    });
    expect(notJson.status).toBe(400);
    expect((await notJson.json()).message).toMatch(/not valid JSON/);
    const notArray = await server.api('/api/indicator-values', json({ rows: 3 }));
    expect(notArray.status).toBe(400);
    const empty = await server.api('/api/indicator-values', json([]));
    expect(empty.status).toBe(400);
    const missing = await server.api('/api/indicator-values', json([{ street: 'jinfang' }]));
    expect((await missing.json()).details.map((p: { field: string }) => p.field)).toEqual([
      'indicator',
      'period',
      'value',
    ]);
  });

  it('accepts an uploaded CSV file', async () => {
    const form = new FormData();
    form.set('file', new File(['indicator,street,period,value\nvice,qinglong,2026-10,0.4\n'], 'values.csv'));
    const response = await server.api('/api/indicator-values', { method: 'POST', body: form });
    expect(response.status).toBe(201);
  });

  it('marks a value older than its window as stale', async () => {
    await server.api(
      '/api/indicator-values',
      json([{ indicator: 'theft', street: 'bajie', period: '2026-09', value: 3 }]),
    );
    const { theft } = await theftOf('bajie');
    expect(theft.stale).toBe(true);
  });
});

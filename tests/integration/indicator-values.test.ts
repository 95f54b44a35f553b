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

  const cameras = async (code: string) => {
    const live = await (await server.api('/api/index')).json();
    const street = live.streets.find((s: { code: string }) => s.code === code);
    return { street, cameras: street.indicators.find((i: { id: string }) => i.id === 'cameras_online') };
  };

  it('stores JSON rows, accepting a street by its Chinese name, and the live index reads them', async () => {
    const response = await server.api(
      '/api/indicator-values',
      json([
        { indicator: 'cameras_online', street: '金方', period: '2026-11', value: 92 },
        { indicator: 'legal_education', street: 'lianran', period: '2026-11', value: 2 },
      ]),
    );
    expect(response.status).toBe(201);
    expect(await response.json()).toEqual({ stored: 2 });
    const { cameras: online } = await cameras('jinfang');
    expect(online.raw).toBe(92);
    expect(online.period).toBe('2026-11');
    // 功效系数法 with x_s = 85, x_h = 99: 60 + 40 · (92 − 85) / (99 − 85) = 80
    expect(online.score).toBeCloseTo(80, 9);
  });

  it('marks a street provisional while its blocks lack data', async () => {
    const { street } = await cameras('jinfang');
    expect(street.provisional).toBe(true);
    expect(street.blocks.public).toBeNull();
  });

  it('stores CSV rows; a later day of the same month takes over from the monthly value', async () => {
    const response = await server.api(
      '/api/indicator-values',
      csv(
        'indicator,street,period,value\ncameras_online,jinfang,2026-11-20,97.5\nlegal_education,jinfang,2026-11,1.2\n',
      ),
    );
    expect(response.status).toBe(201);
    const { cameras: online } = await cameras('jinfang');
    expect(online.raw).toBe(97.5);
    expect(online.period).toBe('2026-11-20');
  });

  it('re-importing a period replaces its value instead of adding a second one', async () => {
    await server.api(
      '/api/indicator-values',
      json([{ indicator: 'cameras_online', street: 'jinfang', period: '2026-11-20', value: 96 }]),
    );
    expect((await cameras('jinfang')).cameras.raw).toBe(96);
  });

  it('refuses a request with bad rows, lists each line and reason, and stores nothing of it', async () => {
    const before = await server.ctx.values.count();
    const response = await server.api(
      '/api/indicator-values',
      csv(
        [
          'indicator,street,period,value',
          'cameras_online,jinfang,2026-11-21,91', // good, but must not be stored
          'cameras_online,atlantis,2026-11,90',
          'ufo_sightings,jinfang,2026-11,1',
          'cameras_online,jinfang,2026-13,90',
          'cameras_online,jinfang,2026-11,lots',
          'cameras_online,lianran,2026-11,140',
          'cameras_online,jinfang,2026-11-21,92',
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
    expect((await cameras('jinfang')).cameras.raw).toBe(96);
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
    form.set(
      'file',
      new File(['indicator,street,period,value\nlegal_education,qinglong,2026-10,0.4\n'], 'values.csv'),
    );
    const response = await server.api('/api/indicator-values', { method: 'POST', body: form });
    expect(response.status).toBe(201);
  });

  it('marks a value older than its window as stale', async () => {
    await server.api(
      '/api/indicator-values',
      json([{ indicator: 'cameras_online', street: 'bajie', period: '2026-09', value: 93 }]),
    );
    expect((await cameras('bajie')).cameras.stale).toBe(true);
  });
});

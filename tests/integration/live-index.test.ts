import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseTargets } from '../support/databases.js';
import { startTestServer, type TestServer } from '../support/server.js';

describe.each(databaseTargets)('live index on $name', (target) => {
  let server: TestServer;
  beforeAll(async () => {
    // A still clock, and always the same one: the city does not move while the test compares answers,
    // and the month of history the first start records holds the same data whenever the test runs (at
    // the wall clock's time of day, its first day could hold minutes of backfill and no index at all).
    const now = new Date('2026-11-25T02:00:00Z');
    server = await startTestServer({ target, seed: true, simulator: true, clock: () => now });
    await server.warmedUp;
  });
  afterAll(() => server?.stop());

  it("serves Anning's 9 streets with index, grade, rank, blocks and every indicator", async () => {
    const response = await server.api('/api/index', { token: server.wallToken });
    expect(response.status).toBe(200);
    const live = await response.json();
    expect(live.streets).toHaveLength(9);
    expect(live.streets.map((s: { name: { zh: string } }) => s.name.zh)).toEqual(
      expect.arrayContaining(['连然', '金方', '温泉', '八街', '县街', '草铺', '青龙', '禄脿', '太平新城']),
    );
    for (const street of live.streets) {
      expect(street.index).toBeGreaterThan(0);
      expect(street.index).toBeLessThanOrEqual(100);
      expect(street.grade.label.zh).toMatch(/^[优良中差]$/);
      expect(street.rank).toBeGreaterThanOrEqual(1);
      expect(street.provisional).toBe(false);
      expect(Object.keys(street.blocks).sort()).toEqual(['negative', 'positive', 'public']);
      expect(street.indicators).toHaveLength(27);
      const sum = street.indicators.reduce(
        (total: number, i: { contribution: number }) => total + i.contribution,
        0,
      );
      expect(sum).toBeCloseTo(street.index, 9);
      const lost = street.indicators.reduce(
        (total: number, i: { pointsLost: number }) => total + i.pointsLost,
        0,
      );
      expect(lost).toBeCloseTo(100 - street.index, 9);
      for (const indicator of street.indicators) {
        // Homicides are rare: most streets have none in the year's window, so no clearance rate.
        if (indicator.id !== 'homicide_clearance') expect(indicator.raw).toEqual(expect.any(Number));
        expect(indicator.score === null).toBe(indicator.raw === null);
        expect(indicator.stale).toBe(false);
      }
    }
    expect(live.city).toBeGreaterThan(0);
    expect(live.weightSet.effectiveFrom).toBe('2026-01-01');
  });

  it('ranks streets by index, best first', async () => {
    const live = await (await server.api('/api/index')).json();
    const byRank = [...live.streets].sort((a, b) => a.rank - b.rank);
    for (let i = 1; i < byRank.length; i++)
      expect(byRank[i - 1].index).toBeGreaterThanOrEqual(byRank[i].index);
  });

  it('reads a month of recorded daily snapshots for a street and for the city', async () => {
    const street = await (await server.api('/api/index/history?street=jinfang')).json();
    expect(street.points.length).toBeGreaterThanOrEqual(30);
    expect(street.points[0].index).toEqual(expect.any(Number));
    const city = await (await server.api('/api/index/history')).json();
    expect(city.street).toBe('_city');
    expect(city.points.length).toBeGreaterThanOrEqual(30);
  });

  it('refuses a history request for an unknown street or a malformed date, naming the field', async () => {
    const unknown = await server.api('/api/index/history?street=atlantis');
    expect(unknown.status).toBe(400);
    expect((await unknown.json()).message).toMatch(/street/);
    const badDate = await server.api('/api/index/history?from=yesterday');
    expect(badDate.status).toBe(400);
    expect((await badDate.json()).message).toMatch(/^from/);
  });

  it('lists the weight set in force and previews a draft with ranks and the mean absolute rank shift', async () => {
    const list = await (await server.api('/api/weight-sets')).json();
    expect(list.weightSets).toHaveLength(1);
    expect(list.weightSets[0].status).toBe('in_force');

    const current = list.weightSets[0].weights;
    // A draft that weighs theft five times as much and drops the public block to 10%.
    const draftWeights = {
      ...current,
      blocks: { positive: 45, negative: 45, public: 10 },
      indicators: { ...current.indicators, theft: current.indicators.theft * 5 },
    };
    const created = await server.api('/api/weight-sets', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'theft only', weights: draftWeights }),
    });
    expect(created.status).toBe(201);
    const draft = await created.json();
    expect(draft.status).toBe('draft');

    const today = list.today as string;
    const preview = await server.api(`/api/weight-sets/${draft.id}/preview`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ period: today }),
    });
    expect(preview.status).toBe(200);
    const body = await preview.json();
    expect(body.streets).toHaveLength(9);
    const shifts = body.streets.map((s: { current: { rank: number }; draft: { rank: number } }) =>
      Math.abs(s.current.rank - s.draft.rank),
    );
    expect(body.meanAbsoluteRankShift).toBeCloseTo(shifts.reduce((a: number, b: number) => a + b, 0) / 9, 9);
    const live = await (await server.api('/api/index')).json();
    for (const street of body.streets) {
      const now = live.streets.find((s: { code: string }) => s.code === street.code);
      expect(street.current.index).toBeCloseTo(now.index, 9);
    }

    // The live index is untouched by a draft.
    expect((await (await server.api('/api/index')).json()).weightSet.id).toBe(list.weightSets[0].id);
  });

  it('refuses a weight set with unknown indicators or a past effective date, and publishes a draft once', async () => {
    const list = await (await server.api('/api/weight-sets')).json();
    const weights = list.weightSets.find((s: { status: string }) => s.status === 'in_force').weights;
    const post = (body: unknown) =>
      server.api('/api/weight-sets', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const unknown = await post({
      name: 'x',
      weights: { ...weights, indicators: { ...weights.indicators, ufo: 3 } },
    });
    expect(unknown.status).toBe(400);
    expect((await unknown.json()).message).toMatch(/ufo/);
    const past = await post({ name: 'x', effectiveFrom: '2020-01-01', weights });
    expect(past.status).toBe(400);
    expect((await past.json()).message).toMatch(/^effectiveFrom/);
    const missing = await post({ weights });
    expect((await missing.json()).message).toMatch(/^name/);

    const draft = await (await post({ name: 'next quarter', weights })).json();
    const publish = (effectiveFrom: string) =>
      server.api(`/api/weight-sets/${draft.id}/publish`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ effectiveFrom }),
      });
    expect((await publish('2099-01-01')).status).toBe(200);
    expect((await publish('2099-02-01')).status).toBe(409);
    const after = await (await server.api('/api/weight-sets')).json();
    expect(after.weightSets.find((s: { id: number }) => s.id === draft.id).status).toBe('scheduled');
    const history = await (await server.api(`/api/weight-sets/${draft.id}/history`)).json();
    expect(history.events.map((e: { action: string }) => e.action)).toEqual(['drafted', 'published']);
  });
});
